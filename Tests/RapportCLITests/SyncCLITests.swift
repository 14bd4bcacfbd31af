import Foundation
import Testing

/// `rapport sync` end to end: two store directories, a bare git repository, Debian's git.
@Suite(.serialized) struct SyncCLITests {
    static let gitEnv = ["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"]

    func sh(_ args: String...) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in Self.gitEnv { env[k] = v }
        p.environment = env
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(args)")
    }

    func ok(_ cli: CLI, _ args: String...) throws -> String {
        let r = try cli.run(args, env: Self.gitEnv)
        #expect(r.status == 0, "rapport \(args.joined(separator: " ")): \(r.stderr)")
        return r.stdout
    }

    @Test func twoDevicesSyncThroughGit() throws {
        let a = try CLI(), b = try CLI()
        let remote = a.store + "-remote.git"
        defer { for d in [a.store, b.store, remote] { try? FileManager.default.removeItem(atPath: d) } }
        try sh("git", "init", "-q", "--bare", "-b", "main", remote)
        _ = try ok(a, "add", "Dana Smith", "--firm", "Acme", "--email", "dana@acme.example")
        _ = try ok(a, "log", "Dana", "--in", "--subject", "Hello", "--at", "2026-11-19T10:00:00Z")
        // A remote that is not there: one line with git's reason, and nothing lost; the
        // set-up is simply done again.
        let bad = try a.run(["sync", "init", remote + "-missing", "--name", "laptop"], env: Self.gitEnv)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("git fetch from the sync remote failed: fatal:"), "\(bad.stderr)")
        #expect(try ok(a, "list").contains("Dana Smith"))
        let initA = try ok(a, "sync", "init", remote, "--name", "laptop")
        #expect(initA.contains("no changes from other devices"))
        let initB = try ok(b, "sync", "init", remote, "--name", "desktop")
        #expect(initB.contains("2 changes from laptop") || initB.contains("1 change from laptop"), "\(initB)")
        #expect(try ok(b, "list").contains("Dana Smith"))

        // A change on the desktop is marked in the status line until it is synced.
        _ = try ok(b, "follow-up", "Dana", "--due", "2026-11-25T09:00:00Z", "--note", "send the CV")
        #expect(try ok(b, "due", "--statusline").hasPrefix("\u{2191}"))
        #expect(try ok(b, "sync", "status").contains("unsynced changes here: 1"))
        let sent = try ok(b, "sync")
        #expect(sent.contains("sent 1 change"), "\(sent)")
        #expect(!(try ok(b, "due", "--statusline")).hasPrefix("\u{2191}"))
        let got = try ok(a, "sync")
        #expect(got.contains("1 change from desktop"), "\(got)")
        #expect(try ok(a, "export", "json") == (try ok(b, "export", "json")))
        let status = try ok(a, "sync", "status")
        #expect(status.contains("device: laptop"))
        #expect(status.contains("desktop"))
        #expect(status.contains("encryption: off"))
        // Not set up: one clear line, non-zero exit.
        let c = try CLI()
        _ = try ok(c, "add", "Someone")
        let r = try c.run(["sync"], env: Self.gitEnv)
        #expect(r.status == 1)
        #expect(r.stderr.contains("sync is not set up"))
        try? FileManager.default.removeItem(atPath: c.store)
    }

    /// SIGKILL after each step of a sync (and a stale index.lock), then sync again: both
    /// devices converge and the change made before the killed sync is there.
    @Test func aSyncKilledAtAnyStepCompletesNextTime() throws {
        let a = try CLI(), b = try CLI()
        let remote = a.store + "-remote.git"
        defer { for d in [a.store, b.store, remote] { try? FileManager.default.removeItem(atPath: d) } }
        try sh("git", "init", "-q", "--bare", "-b", "main", remote)
        _ = try ok(a, "add", "Dana Smith", "--firm", "Acme")
        _ = try ok(a, "sync", "init", remote, "--name", "laptop")
        _ = try ok(b, "sync", "init", remote, "--name", "desktop")
        for (k, step) in ["pulled", "merged", "published", "committed", "pushed"].enumerated() {
            _ = try ok(b, "follow-up", "Dana", "--due", "2026-11-2\(k)T09:00:00Z", "--note", "step \(step)")
            _ = try ok(a, "log", "Dana", "--in", "--subject", "while \(step)", "--at", "2026-11-1\(k)T10:00:00Z")
            _ = try ok(a, "sync")
            var env = Self.gitEnv
            env["RAPPORT_SYNC_FAULT"] = step
            let killed = try b.run(["sync"], env: env)
            #expect(killed.status == 9, "\(step): \(killed.status) \(killed.stderr)")
            if step == "committed" {
                // A git killed while committing leaves its lock behind.
                _ = FileManager.default.createFile(atPath: b.store + "/sync/.git/index.lock", contents: Data())
            }
            let again = try b.run(["sync"], env: Self.gitEnv)
            #expect(again.status == 0, "\(step): \(again.stderr)")
            _ = try ok(a, "sync")
            _ = try ok(b, "sync")
            let ea = try ok(a, "export", "json"), eb = try ok(b, "export", "json")
            #expect(ea == eb, "after a kill when \(step)")
            #expect(ea.contains("step \(step)"))
            #expect(ea.contains("while \(step)"))
        }
    }

    @Test func aSharedFolderWorksLikeARemote() throws {
        let a = try CLI(), b = try CLI()
        let folder = a.store + "-folder"
        defer { for d in [a.store, b.store, folder] { try? FileManager.default.removeItem(atPath: d) } }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = try ok(a, "add", "Dana Smith")
        _ = try ok(a, "sync", "init", "--folder", folder, "--name", "laptop")
        _ = try ok(b, "sync", "init", "--folder", folder, "--name", "desktop")
        _ = try ok(b, "add", "Lee Park", "--firm", "Globex")
        _ = try ok(b, "sync")
        #expect(try ok(a, "sync").contains("1 change from desktop"))
        #expect(try ok(a, "export", "json") == (try ok(b, "export", "json")))
        #expect(!FileManager.default.fileExists(atPath: a.store + "/sync/.git"))
    }

    /// A conflict: listed by `sync status` (and `--json`) with both values, the devices and
    /// when, until `sync ack`; a bad `[sync]` value in config.toml stops the command.
    @Test func conflictsAreListedUntilAcknowledged() throws {
        let a = try CLI(), b = try CLI()
        let remote = a.store + "-remote.git"
        defer { for d in [a.store, b.store, remote, a.store + "-config"] { try? FileManager.default.removeItem(atPath: d) } }
        try sh("git", "init", "-q", "--bare", "-b", "main", remote)
        _ = try ok(a, "add", "Dana Smith", "--firm", "Acme", "--email", "dana@acme.example")
        _ = try ok(a, "sync", "init", remote, "--name", "laptop")
        _ = try ok(b, "sync", "init", remote, "--name", "desktop")
        _ = try ok(a, "edit", "Dana", "--firm", "Umbrella")
        _ = try ok(b, "edit", "Dana", "--firm", "Globex")
        _ = try ok(a, "sync")
        let report = try ok(b, "sync")
        #expect(report.contains("1 conflict: Dana Smith firm"), "\(report)")
        let status = try ok(b, "sync", "status")
        #expect(status.contains("open conflicts: 1"), "\(status)")
        #expect(status.contains("Dana Smith: firm: '") && status.contains("won over '") && status.contains(", found "), "\(status)")
        let json = try JSONSerialization.jsonObject(with: Data(try ok(b, "sync", "status", "--json").utf8)) as! [String: Any]
        let conflicts = json["conflicts"] as! [[String: Any]]
        #expect(conflicts.count == 1)
        let c = conflicts[0]["conflict"] as! [String: Any]
        #expect(c["what"] as? String == "firm" && c["name"] as? String == "Dana Smith")
        #expect(Set([c["winnerValue"] as? String, c["loserValue"] as? String]) == Set(["Umbrella", "Globex"]))
        #expect(Set([conflicts[0]["winnerDevice"] as? String, conflicts[0]["loserDevice"] as? String]) == Set(["laptop", "desktop"]))
        #expect(conflicts[0]["found"] is String)
        #expect(json["name"] as? String == "desktop" && json["unsent"] as? Int == 0)
        // Acknowledged: gone from the list.
        let usage = try b.run(["sync", "ack"], env: Self.gitEnv)
        #expect(usage.status == 64 || usage.status == 2, "\(usage.status)")
        #expect(try ok(b, "sync", "ack", "Dana").contains("1 conflict acknowledged"))
        #expect(try ok(b, "sync", "status").contains("no open conflicts"))
        // A bad [sync] value: the file, the line, the key; exit 2; nothing synced.
        try FileManager.default.createDirectory(atPath: a.store + "-config/rapport", withIntermediateDirectories: true)
        try "[sync]\nrecipients = [\"not-a-key\"]\n".write(toFile: a.store + "-config/rapport/config.toml", atomically: true, encoding: .utf8)
        let bad = try a.run(["sync"], env: Self.gitEnv)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("config.toml:2: sync.recipients: a list of age recipients"), "\(bad.stderr)")
        #expect(bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    }
}
