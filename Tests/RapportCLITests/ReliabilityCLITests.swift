import Foundation
import Testing

/// Failing commands write nothing; control bytes never reach stdout; store errors in
/// the user's words; `check --repair` keeps what it can. All through the real binary.
@Suite(.serialized) struct ReliabilityCLITests {
    /// A store with one recruiter, a message, a follow-up (its id returned) and an expectation.
    func templateStore() throws -> (CLI, followUp: String) {
        let cli = try CLI()
        try cli.ok("add", "Dana Smith", "--firm", "Hays")
        try cli.ok("log", "dana", "--in", "--at", "2026-11-16T10:00:00Z", "--subject", "A role")
        let out = try cli.ok("follow-up", "dana", "--due", "+1d", "--note", "Send CV")
        let id = out.components(separatedBy: "id ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        try cli.ok("expect", "dana", "--by", "+2d")
        return (cli, id)
    }

    /// Files written by other exports, for the import commands.
    func importInputs(_ dir: String) throws -> (csv: String, vcf: String, json: String) {
        let other = try CLI()
        try other.ok("add", "Ada Import", "--firm", "Elsewhere")
        let csv = dir + "/in.csv", vcf = dir + "/in.vcf", json = dir + "/in.json"
        try other.ok("export", "csv", "-o", csv)
        try other.ok("export", "vcard", "-o", vcf)
        try other.ok("export", "json", "-o", json)
        return (csv, vcf, json)
    }

    func copyStore(_ from: String, to: String) throws {
        try? FileManager.default.removeItem(atPath: to)
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    /// Every write command, with ENOSPC or EIO at the 1st, 2nd, … open, write, fsync,
    /// rename and truncate: a non-zero exit leaves store.json and journal.jsonl
    /// byte-identical; exit 0 means the change is there.
    @Test func everyWriteCommandUnderDiskFaults() throws {
        let (template, fid) = try templateStore()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-faults-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let inputs = try importInputs(work)
        let commands: [[String]] = [
            ["add", "New Person", "--firm", "X"],
            ["log", "dana", "--in", "--subject", "Hi"],
            ["reply", "dana"],
            ["decline", "dana", "--reason", "not now"],
            ["interview", "dana", "--at", "2026-11-25T10:00:00Z", "--role", "SRE", "--employer", "Acme"],
            ["follow-up", "dana", "--due", "+2d"],
            ["expect", "dana", "--by", "+3d"],
            ["done", fid],
            ["snooze", fid, "--until", "+3d"],
            ["checklist", "dana", "--done", "profile-reviewed"],
            ["referral", "dana", "--name", "Jo Wu"],
            ["demo", "--force", "--recruiters", "3", "--messages", "6"],
            ["import", "csv", inputs.csv],
            ["import", "vcard", inputs.vcf],
            ["import", "json", inputs.json],
        ]
        let plans: [(String, ClosedRange<Int>)] = [("open", 1...5), ("write", 1...3), ("fsync", 1...5), ("rename", 1...2), ("truncate", 1...1)]
        var failures = 0, acknowledged = 0
        for command in commands {
            for (op, range) in plans {
                for n in range {
                    let errno = n % 2 == 1 ? "ENOSPC" : "EIO"
                    let dir = work + "/store"
                    try copyStore(template.store, to: dir)
                    let cli = try CLI(store: dir, from: template)
                    let snapshot = cli.snapshotBytes(), journal = cli.journalBytes()
                    let r = try cli.run(command, env: ["RAPPORT_FAULT_INJECT": "\(op):\(n):\(errno)"])
                    let what = "\(command.joined(separator: " ")) with \(op) #\(n) failing (\(errno))"
                    if r.status != 0 {
                        failures += 1
                        #expect(cli.snapshotBytes() == snapshot, "store.json changed: \(what): \(r.stderr)")
                        #expect(cli.journalBytes() == journal, "journal.jsonl changed: \(what): \(r.stderr)")
                        #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(what): \(r.stderr)")
                    } else {
                        acknowledged += 1
                        #expect(cli.snapshotBytes() != snapshot || cli.journalBytes() != journal, "exit 0 but nothing saved: \(what)")
                    }
                }
            }
        }
        #expect(failures > commands.count, "faults were injected (\(failures) failed runs)")
        #expect(acknowledged > 0)
    }

    /// `check --repair` of a torn tail and of a journal line that cannot be applied, with
    /// each fault: a failed repair leaves store.json and journal.jsonl as they were.
    @Test func checkRepairUnderDiskFaults() throws {
        let (template, _) = try templateStore()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-repair-faults-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let journal = String(decoding: template.journalBytes() ?? Data(), as: UTF8.self)
        var lines = journal.split(separator: "\n").map(String.init)
        lines[1] = lines[1].replacingOccurrences(of: "\"seq\"", with: "\"seq\",,")
        let damaged: [(String, String)] = [
            ("torn tail", journal + "{\"seq\":99,\"chan"),
            ("a line that cannot be applied", lines.joined(separator: "\n") + "\n"),
        ]
        let plans: [(String, ClosedRange<Int>)] = [("open", 1...6), ("write", 1...4), ("fsync", 1...6), ("rename", 1...4), ("truncate", 1...1)]
        var failed = 0, repaired = 0
        for (what, text) in damaged {
            for (op, range) in plans {
                for n in range {
                    let dir = work + "/store"
                    try copyStore(template.store, to: dir)
                    try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/journal.jsonl"))
                    let cli = try CLI(store: dir, from: template)
                    let snapshot = cli.snapshotBytes(), before = cli.journalBytes()
                    let errno = n % 2 == 1 ? "ENOSPC" : "EIO"
                    let r = try cli.run(["check", "--repair"], env: ["RAPPORT_FAULT_INJECT": "\(op):\(n):\(errno)"])
                    let label = "repair of \(what) with \(op) #\(n) failing"
                    if r.status != 0 {
                        failed += 1
                        #expect(cli.snapshotBytes() == snapshot, "store.json changed: \(label): \(r.stdout)")
                        #expect(cli.journalBytes() == before, "journal.jsonl changed: \(label): \(r.stdout)")
                    } else {
                        repaired += 1
                        #expect(try cli.run(["list"]).status == 0, "\(label): exit 0 but the store does not open")
                    }
                }
            }
        }
        #expect(failed > 4 && repaired > 4, "failed \(failed), repaired \(repaired)")
    }

    @Test func demoForceOnAFullDiskDuringCompactionIsAcknowledgedWithAWarning() throws {
        let (cli, _) = try templateStore()
        // The journal line is write #1; the compacted snapshot's temp file is write #2.
        let journal = cli.journalBytes()
        let r = try cli.run(["demo", "--force", "--recruiters", "3", "--messages", "6"], env: ["RAPPORT_FAULT_INJECT": "write:2:ENOSPC"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning") && r.stderr.contains("no space left"), "\(r.stderr)")
        #expect(cli.journalBytes() != journal)
        let list = try cli.ok("list")
        #expect(list.contains("Dana Smith"))
        // Run again: one more batch, not a duplicate of a change that was rolled back.
        let failed = try cli.run(["demo", "--force", "--recruiters", "3", "--messages", "6", "--seed", "2"], env: ["RAPPORT_FAULT_INJECT": "write:1:ENOSPC"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("no space left on the device"), "\(failed.stderr)")
    }

    // MARK: Control bytes

    static let hostile = "Eve\u{1B}]0;owned\u{07}\u{9B}2J\u{202E}gnp.exe\u{2066}x\nSecond line\u{7F}"

    static func rawControl(_ s: String) -> String? {
        for u in s.unicodeScalars {
            let v = u.value
            if (v < 0x20 && v != 0x0A && v != 0x0D && v != 0x09) || (0x7F...0x9F).contains(v)
                || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) {
                return String(format: "U+%04X", v)
            }
        }
        return nil
    }

    @Test func noRawControlByteReachesStdout() throws {
        let cli = try CLI()
        try cli.ok("add", Self.hostile, "--firm", "Acme\u{1B}[2J", "--tag", "t\u{9B}31m\u{202E}")
        try cli.ok("log", "eve", "--in", "--at", "2026-11-16T10:00:00Z", "--subject", "sub\u{1B}[5m\u{07}ject", "--body", "b\u{9B}ody\u{202E}")
        try cli.ok("follow-up", "eve", "--due", "+1d", "--note", "n\u{1B}ote")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-ctl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let vcf = dir + "/evil.vcf"
        try Data("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mal\u{1B}]2;x\u{07}lory\u{202E}\r\nEND:VCARD\r\n".utf8).write(to: URL(fileURLWithPath: vcf))
        let reads: [[String]] = [
            ["list"], ["list", "--json"], ["show", "eve"], ["show", "eve", "--json"], ["due"], ["due", "--json"],
            ["due", "--statusline"], ["stats"], ["check"],
            ["export", "csv"], ["export", "csv", "--messages"], ["export", "vcard"], ["export", "ics"], ["export", "json"],
            ["import", "vcard", vcf, "--dry-run"], ["import", "vcard", vcf],
        ]
        for args in reads {
            let r = try cli.run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            #expect(Self.rawControl(r.stdout) == nil, "\(args.joined(separator: " ")) printed a raw \(Self.rawControl(r.stdout) ?? "")")
            #expect(Self.rawControl(r.stderr) == nil, "\(args.joined(separator: " ")) stderr has a raw \(Self.rawControl(r.stderr) ?? "")")
        }
        // The JSON export keeps the data: the escapes decode to the very characters.
        let doc = try JSONSerialization.jsonObject(with: Data(try cli.ok("export", "json").utf8)) as? [String: Any]
        let names = (doc?["recruiters"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains(Self.hostile))
        // The visible forms are what a person sees.
        let shown = try cli.ok("show", "eve")
        #expect(shown.contains("^[") && shown.contains("<9B>") && shown.contains("<U+202E>"), "\(shown)")
    }

    // MARK: Errors in the user's words

    func storeWithSnapshot(_ edit: (String) -> String) throws -> CLI {
        let cli = try CLI()
        try cli.ok("demo", "--recruiters", "3", "--messages", "4")
        let text = String(decoding: cli.snapshotBytes() ?? Data(), as: UTF8.self)
        let edited = edit(text)
        #expect(edited != text, "the edit applies")
        try Data(edited.utf8).write(to: URL(fileURLWithPath: cli.store + "/store.json"))
        return cli
    }

    static let swiftWords = ["Cannot initialize", "RecruiterKind", "Attempted to decode", "The given data", "DecodingError", "Swift."]

    @Test func aBadEnumValueNamesFileRecordFieldAndValue() throws {
        var name = ""
        let cli = try storeWithSnapshot { text in
            // The first recruiter's kind becomes 'spy'.
            guard let r = text.range(of: #""kind" : ""#) ?? text.range(of: #""kind":""#) else { return text }
            let end = text[r.upperBound...].firstIndex(of: "\"")!
            if let n = text[..<r.lowerBound].range(of: #""name" : ""#, options: .backwards) ?? text[..<r.lowerBound].range(of: #""name":""#, options: .backwards) {
                name = String(text[n.upperBound...].prefix { $0 != "\"" })
            }
            return text.replacingCharacters(in: r.upperBound..<end, with: "spy")
        }
        let r = try cli.run(["list"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("store.json: recruiter "), "\(r.stderr)")
        #expect(r.stderr.contains("kind 'spy' is not agency, in-house or independent"), "\(r.stderr)")
        #expect(name.isEmpty || r.stderr.contains("(\(name))"), "\(r.stderr)")
        for w in Self.swiftWords { #expect(!r.stderr.contains(w), "\(r.stderr)") }
    }

    @Test func aBadIdNamesTheValue() throws {
        let cli = try storeWithSnapshot { text in
            guard let r = text.range(of: #""id" : ""#) ?? text.range(of: #""id":""#) else { return text }
            let end = text[r.upperBound...].firstIndex(of: "\"")!
            return text.replacingCharacters(in: r.upperBound..<end, with: "not-a-uuid")
        }
        let r = try cli.run(["list"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("'not-a-uuid' is not an id"), "\(r.stderr)")
        for w in Self.swiftWords { #expect(!r.stderr.contains(w), "\(r.stderr)") }
    }

    @Test func aJSONSyntaxErrorGivesLineAndColumn() throws {
        let cli = try CLI()
        try cli.ok("add", "Dana Smith")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-json-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bad = dir + "/bad.json"
        try Data("{\n  \"schemaVersion\": 1,\n  \"recruiters\": [ { \"name\": \"x\" ,, } ]\n}\n".utf8).write(to: URL(fileURLWithPath: bad))
        let r = try cli.run(["import", "json", bad])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.json: line 3, column"), "\(r.stderr)")
        for w in Self.swiftWords { #expect(!r.stderr.contains(w), "\(r.stderr)") }
    }

    // MARK: check --repair

    @Test func repairKeepsEveryApplicableJournalLineAndSetsTheOthersAside() throws {
        let cli = try CLI()
        try cli.ok("add", "Dana Smith")
        try cli.ok("log", "dana", "--in", "--at", "2026-11-16T10:00:00Z", "--subject", "One")
        try cli.ok("log", "dana", "--in", "--at", "2026-11-17T10:00:00Z", "--subject", "Two")
        try cli.ok("log", "dana", "--in", "--at", "2026-11-18T10:00:00Z", "--subject", "Three")
        var lines = String(decoding: cli.journalBytes() ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        lines[2] = lines[2].replacingOccurrences(of: "\"seq\"", with: "\"seq\",,")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: cli.store + "/journal.jsonl"))
        let refused = try cli.run(["list"])
        #expect(refused.status == 1 && refused.stderr.contains("line 3"), "\(refused.stderr)")
        let r = try cli.run(["check", "--repair"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        let aside = (try FileManager.default.contentsOfDirectory(atPath: cli.store)).filter { $0.hasPrefix("journal.jsonl.rejected-") }
        #expect(aside.count == 1)
        #expect(r.stdout.contains(aside.first ?? "?"), "the report names the file: \(r.stdout)")
        let setAside = String(decoding: FileManager.default.contents(atPath: cli.store + "/" + (aside.first ?? "")) ?? Data(), as: UTF8.self)
        #expect(setAside == lines[2] + "\n")
        let show = try cli.ok("show", "dana")
        #expect(show.contains("One") && show.contains("Three") && !show.contains("Two"), "\(show)")
        try cli.ok("log", "dana", "--out", "--subject", "After")
    }
}

extension CLI {
    /// A harness on another store directory, with the same clock and zone.
    init(store: String, from other: CLI) throws {
        self.store = store
        now = other.now
        timeZone = other.timeZone
    }
}
