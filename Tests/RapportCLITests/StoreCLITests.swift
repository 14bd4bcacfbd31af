import Foundation
import Testing

@Suite struct StoreCLITests {
    @Test func aBrokenSnapshotStopsEveryCommandAndIsLeftAsItWas() throws {
        let cli = try CLI()
        try cli.ok("add", "Dana Smith")
        try cli.ok("demo", "--force", "--recruiters", "3", "--messages", "6")  // compacts: store.json exists
        let path = cli.store + "/store.json"
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes = bytes.prefix(bytes.count / 2)
        try bytes.write(to: URL(fileURLWithPath: path))
        for args in [["list"], ["due", "--statusline"], ["add", "New"], ["log", "dana", "--in"], ["show", "dana"]] {
            let r = try cli.run(args)
            #expect(r.status == 1, "\(args) exited \(r.status)")
            #expect(r.stderr.contains("store.json"), "\(args): \(r.stderr)")
            #expect(r.stderr.contains("line "), "names a position: \(r.stderr)")
            #expect(r.stderr.contains("store.json.bak"), "points at the backup: \(r.stderr)")
            #expect(r.stderr.contains("no backup yet"), "there is none yet, and it says so: \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        #expect(FileManager.default.contents(atPath: path) == bytes, "byte-identical afterwards")
        let check = try cli.run(["check"])
        #expect(check.status == 1)
        #expect(check.stdout.contains("problem:"))
        #expect(FileManager.default.contents(atPath: path) == bytes)
    }

    @Test func checkPassesOnASoundStore() throws {
        let cli = try CLI()
        try cli.ok("add", "Kim")
        try cli.ok("log", "kim", "--in")
        let r = try cli.run(["check"])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(!r.stdout.contains("problem:"))
    }

    @Test func everyWriteIsInTheStoreForTheNextProcess() throws {
        let cli = try CLI()
        try cli.ok("add", "Amara Okafor", "--firm", "Globex", "--tag", "fintech", "--timezone", "Africa/Lagos")
        try cli.ok("log", "amara", "--in", "--channel", "phone", "--at", "-5h", "--subject", "Call me")
        try cli.ok("interview", "amara", "--at", "-1d", "--role", "Staff Engineer", "--employer", "Globex", "--with", "Ada, Lin")
        try cli.ok("expect", "amara", "--by", "+2d", "--note", "Feedback")
        let show = try #require(try cli.json("show", "amara", "--json") as? [String: Any])
        let r = try #require(show["recruiter"] as? [String: Any])
        #expect(r["timeZone"] as? String == "Africa/Lagos")
        #expect(r["tags"] as? [String] == ["fintech"])
        let opp = try #require((show["opportunities"] as? [[String: Any]])?.first)
        #expect(opp["role"] as? String == "Staff Engineer")
        #expect((opp["interviews"] as? [Any])?.count == 1)
        let flags = r["flags"] as? [String] ?? []
        #expect(flags.contains("thank-you-due"), "interview a day ago, nothing sent since: \(flags)")
        // Files are private whatever the umask.
        let attrs = try FileManager.default.attributesOfItem(atPath: cli.store)
        #expect((attrs[.posixPermissions] as? Int) == 0o700)
    }
}

@Suite struct ExportCLITests {
    @Test func dashMeansStandardOutput() throws {
        let cli = try CLI()
        try cli.ok("add", "Kim", "--firm", "Acme")
        let r = try cli.run(["export", "csv", "-o", "-"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Kim"))
    }

    @Test func aRelativeSymlinkStaysALinkAndItsTargetIsReplaced() throws {
        let cli = try CLI()
        try cli.ok("add", "Kim")
        let dir = cli.store + "-out"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: URL(fileURLWithPath: dir + "/target.json"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.json", withDestinationPath: "target.json")
        let r = try cli.run(["export", "json", "-o", "link.json"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.json") == "target.json")
        let written = try String(contentsOfFile: dir + "/target.json", encoding: .utf8)
        #expect(written.contains("Kim"))
        let attrs = try FileManager.default.attributesOfItem(atPath: dir + "/target.json")
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["link.json", "target.json"])
    }
}

@Suite struct StorePathTests {
    /// A parent that changed directory passes a stale $PWD; a relative --store is taken
    /// from the process's real working directory.
    @Test func aRelativeStoreIsRelativeToTheRealWorkingDirectory() throws {
        let cli = try CLI()
        let dir = cli.store + "-cwd"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try cli.run(["add", "Kim", "--store", "data"], env: ["PWD": "/tmp/elsewhere-stale"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/data/journal.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/elsewhere-stale/data"))
    }
}

@Suite struct RepairPermissionTests {
    @Test func repairTightensPermissionsCheckOnlyReports() throws {
        let cli = try CLI()
        try cli.ok("add", "Kim")
        chmod(cli.store, 0o755)
        chmod(cli.store + "/journal.jsonl", 0o644)
        let check = try cli.run(["check"])
        #expect(check.status == 1)
        let mode = { (p: String) in (try? FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as? Int) ?? -1 }
        #expect(mode(cli.store + "/journal.jsonl") == 0o644, "check changes nothing")
        let repair = try cli.run(["check", "--repair"])
        #expect(repair.status == 0, "\(repair.stdout)")
        #expect(mode(cli.store) == 0o700)
        #expect(mode(cli.store + "/journal.jsonl") == 0o600)
    }
}

@Suite struct ReadsCreateNothingTests {
    @Test func readingAStoreThatIsNotThereCreatesNoDirectory() throws {
        let cli = try CLI()
        let missing = cli.store + "-missing/deeper"
        for args in [["list"], ["due"], ["due", "--statusline"], ["stats"], ["export", "json"]] {
            let r = try cli.run(args + ["--store", missing])
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: cli.store + "-missing"))
        // A write creates it, 0700.
        try cli.ok("add", "Kim", "--store", missing)
        #expect(FileManager.default.fileExists(atPath: missing + "/journal.jsonl"))
    }
}

/// `log`, `reply` and `done` read each recruiter from store.cache only when needed; a
/// recruiter's block that fails its check then stops the command before anything is written.
@Suite struct LazyCacheCLITests {
    @Test func aDamagedBlockFoundLateStopsTheCommandAndTheNextRunReadsTheJSON() throws {
        let cli = try CLI()
        try cli.ok("demo", "--force", "--recruiters", "4", "--messages", "8")  // compacts: store.cache written
        let list = try #require(try cli.json("list", "--json") as? [[String: Any]])
        let ids = list.compactMap { ($0["id"] as? String).flatMap(UUID.init(uuidString:)) }
        #expect(ids.count == 4)
        // The blocks are in id order: the file's last byte is in the highest id's block.
        let last = try #require(ids.max { $0.uuidString < $1.uuidString })
        let cache = cli.store + "/store.cache"
        var bytes = try #require(FileManager.default.contents(atPath: cache))
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: cache))
        let journal = cli.journalBytes()
        // Another recruiter's block is fine.
        let other = try #require(ids.first { $0 != last })
        try cli.ok("log", other.uuidString.lowercased(), "--in")
        let after = cli.journalBytes()
        #expect(after != journal)
        let r = try cli.run(["log", last.uuidString.lowercased(), "--in"])
        #expect(r.status == 75, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("store.cache") && r.stderr.contains("nothing was changed"), "\(r.stderr)")
        #expect(cli.journalBytes() == after, "nothing written")
        #expect(!FileManager.default.fileExists(atPath: cache), "the damaged cache is removed")
        try cli.ok("log", last.uuidString.lowercased(), "--in")
        #expect(try cli.run(["check"]).status == 0)
    }

    /// The message index is checked by its own hash when first used: a command that does
    /// not use it (the status line) is not held up by it, one that does stops with 75.
    @Test func aDamagedMessageIndexStopsTheCommandThatUsesIt() throws {
        let cli = try CLI()
        try cli.ok("demo", "--force", "--recruiters", "4", "--messages", "8")
        let list = try #require(try cli.json("list", "--json") as? [[String: Any]])
        let id = try #require(list.first?["id"] as? String)
        let cache = cli.store + "/store.cache"
        var bytes = try #require(FileManager.default.contents(atPath: cache))
        // The header's counts start at byte 152 (recruiters, then messages); the header is
        // 232 bytes, the directory 44 bytes per recruiter, then the message index.
        let recruiters = bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: 152, as: UInt64.self)) }
        let messages = bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: 160, as: UInt64.self)) }
        #expect(recruiters == 4 && messages == 8)
        bytes[232 + recruiters * 44 + 20 * 3 + 5] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: cache))
        let statusline = try cli.run(["due", "--statusline"])
        #expect(statusline.status == 0, "\(statusline.stderr)")
        #expect(FileManager.default.fileExists(atPath: cache))
        let journal = cli.journalBytes()
        let r = try cli.run(["log", id, "--in"])
        #expect(r.status == 75, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("message index") && r.stderr.contains("nothing was changed"), "\(r.stderr)")
        #expect(cli.journalBytes() == journal, "nothing written")
        #expect(!FileManager.default.fileExists(atPath: cache), "the damaged cache is removed")
        try cli.ok("log", id, "--in")
        #expect(try cli.run(["check"]).status == 0)
    }
}
