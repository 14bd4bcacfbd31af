import Foundation
import RapportCore
import RapportStore
import Testing

/// The CLI commands only parse input and call the `Workflows` builders: each command's
/// journal line holds the same `Change` as the builder makes (ids and times aside). And
/// `rapport undo` / `redo` from the shell.
@Suite("CLI changes and undo")
struct CLIChangeTests {
    static let now = "2026-11-20T15:00:00Z"
    let nowDate = ISO8601.parse("2026-11-20T15:00:00Z")!
    let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
    let inbound = UUID(uuidString: "00000000-0000-0000-0000-0000000000C1")!
    let followUp = UUID(uuidString: "00000000-0000-0000-0000-0000000000E1")!
    let expectation = UUID(uuidString: "00000000-0000-0000-0000-0000000000F1")!
    let opportunity = UUID(uuidString: "00000000-0000-0000-0000-0000000000D1")!

    /// A store with Dana (a message from her, an opportunity, a follow-up, an expectation).
    func makeStore() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-cli-change-\(UUID().uuidString)").path
        let s = try Store.open(AppPaths(storeDirectory: dir))
        let t = ISO8601.parse("2026-11-19T10:00:00Z")!
        try s.apply(.batch([
            .putRecruiter(Recruiter(id: dana, name: "Dana Smith", firm: "Acme", email: "dana@acme.test", created: t)),
            .putMessage(Message(id: inbound, recruiterID: dana, direction: .inbound, channel: .linkedin, at: t, subject: "Role")),
            .putOpportunity(Opportunity(id: opportunity, recruiterID: dana, role: "SRE", employer: "Foo")),
            .putFollowUp(FollowUp(id: followUp, recruiterID: dana, due: t.addingTimeInterval(86_400 * 2))),
            .putExpectation(Expectation(id: expectation, recruiterID: dana, by: t.addingTimeInterval(86_400 * 2))),
        ]))
        try s.close()
        return dir
    }

    @discardableResult
    func rapport(_ store: String, _ args: String...) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["RAPPORT_NOW"] = Self.now
        env["TZ"] = "UTC"
        env["NO_COLOR"] = "1"
        let r = try Run.run(TUIEndToEndTests.binary, ["--store", store] + args, environment: env)
        guard r.status == 0 else { throw E2EError("rapport \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)") }
        return String(decoding: r.stdout, as: UTF8.self)
    }

    /// JSON of a change with every new id and every time replaced (the ids of the
    /// records the test made are kept).
    func normalized(_ c: Change) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        var s = String(decoding: try e.encode(c), as: UTF8.self)
        let known = [dana, inbound, followUp, expectation, opportunity].map(\.uuidString)
        let uuid = try Regex("[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
        s = s.replacing(uuid) { m in known.contains(String(m.output[0].substring ?? "")) ? String(m.output[0].substring ?? "") : "ID" }
        s = s.replacing(try Regex(#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#), with: "TIME")
        return s
    }

    /// Runs `args` on a fresh store and returns the store before and the group the command wrote.
    func same(_ args: String..., build: (Database) throws -> Change) throws {
        let (before, group) = try cli(args)
        #expect(try normalized(group.change) == normalized(try build(before)), "rapport \(args.joined(separator: " "))")
    }

    func cli(_ args: [String]) throws -> (before: Database, group: UndoGroup) {
        do {
            let dir = try makeStore()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let before = try Store.open(AppPaths(storeDirectory: dir)).database
            var env = ProcessInfo.processInfo.environment
            env["RAPPORT_NOW"] = Self.now
            env["TZ"] = "UTC"
            let r = try Run.run(TUIEndToEndTests.binary, ["--store", dir] + args, environment: env)
            guard r.status == 0 else { throw E2EError("rapport \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)") }
            let group = try #require(try Store.open(AppPaths(storeDirectory: dir)).undoHistory.last)
            #expect(group.origin == .cli(args[0]))
            return (before, group)
        }
    }

    @Test func addIsTheBuildersChange() throws {
        try same("add", "Lee Jones", "--firm", "Initech", "--email", "lee@x.test", "--timezone", "Europe/Berlin", "--tag", "go") { _ in
            try Workflows.add(.init(name: "Lee Jones", firm: "Initech", emails: ["lee@x.test"], timeZone: "Europe/Berlin", tags: ["go"]), now: nowDate)
        }
    }

    @Test func logIsTheBuildersChange() throws {
        try same("log", "dana", "--in", "--subject", "Hello", "--channel", "phone") { db in
            try Workflows.log(dana, in: db, direction: .inbound, channel: .phone, at: nowDate, subject: "Hello", body: nil)
        }
    }

    @Test func replyIsTheBuildersChange() throws {
        try same("reply", "dana", "--body", "Thanks") { db in
            Workflows.reply(recruiter: db.recruiters[dana]!, in: db, now: nowDate, body: "Thanks")
        }
    }

    @Test func declineIsTheBuildersChangeAndFieldLevel() throws {
        let (before, group) = try cli(["decline", "dana", "--reason", "too far", "--reengage", "+90d"])
        let built = Workflows.decline(recruiter: before.recruiters[dana]!, in: before, now: nowDate, reason: "too far",
                                      reengage: nowDate.addingTimeInterval(90 * 86_400))
        #expect(try normalized(group.change) == normalized(built))
        guard case .batch(let parts) = group.change else { Issue.record("not a batch"); return }
        #expect(parts.contains(.setStatus(recruiter: dana, status: .declined, until: nil)))
        #expect(!parts.contains { if case .putRecruiter = $0 { return true } else { return false } }, "no stale whole recruiter")
    }

    @Test func interviewIsTheBuildersChange() throws {
        try same("interview", "dana", "--at", "2026-11-24T10:00:00Z", "--role", "SRE", "--with", "Alex, Sam") { db in
            try Workflows.interview(recruiter: db.recruiters[dana]!, in: db, at: ISO8601.parse("2026-11-24T10:00:00Z")!,
                                    role: "SRE", employer: nil, interviewers: ["Alex", "Sam"])
        }
    }

    @Test func doneIsTheBuildersChangeForEachKind() throws {
        for id in [followUp, inbound, expectation] {
            try same("done", id.uuidString.lowercased()) { db in try Workflows.done(id: id, in: db, now: nowDate) }
        }
    }

    @Test func snoozeIsTheBuildersChange() throws {
        try same("snooze", followUp.uuidString.lowercased(), "--until", "2026-12-01T09:00:00Z") { db in
            try Workflows.snooze(id: followUp, in: db, until: ISO8601.parse("2026-12-01T09:00:00Z")!, now: nowDate)
        }
    }

    @Test func checklistTickIsTheBuildersChange() throws {
        try same("checklist", "dana", "--done", "profile-reviewed") { db in
            try Workflows.tick(.profileReviewed, done: true, recruiter: dana, opportunity: nil, in: db, now: nowDate)
        }
        try same("checklist", "dana", "--done", "company-site-read", "--opportunity", "sre") { db in
            try Workflows.tick(.companySiteRead, done: true, recruiter: dana, opportunity: opportunity, in: db, now: nowDate)
        }
    }

    @Test func referralIsTheBuildersChange() throws {
        try same("referral", "dana", "--name", "Sam Lee", "--note", "a friend") { db in
            try Workflows.referral(dana, name: "Sam Lee", at: nowDate, note: "a friend", in: db)
        }
    }

    @Test func followUpAndExpectAreTheBuildersChanges() throws {
        try same("follow-up", "dana", "--due", "2026-11-25T09:00:00Z", "--note", "send CV") { _ in
            Workflows.followUp(dana, due: ISO8601.parse("2026-11-25T09:00:00Z")!, note: "send CV")
        }
        try same("expect", "dana", "--by", "2026-11-25T09:00:00Z", "--note", "call") { _ in
            Workflows.expect(dana, by: ISO8601.parse("2026-11-25T09:00:00Z")!, note: "call")
        }
    }

    // MARK: - rapport undo / redo

    @Test func undoOfAnImportTakesItBackInOneStep() throws {
        let store = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let vcf = store + ".vcf"
        defer { unlink(vcf) }
        try Data("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rita Recruiter\r\nEMAIL:rita@x.example\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sol Hunter\r\nEMAIL:sol@y.example\r\nEND:VCARD\r\n".utf8)
            .write(to: URL(fileURLWithPath: vcf))
        let before = try Store.open(AppPaths(storeDirectory: store)).database
        try rapport(store, "import", "vcard", vcf)
        #expect(try Store.open(AppPaths(storeDirectory: store)).database.recruiters.count == 3)
        let list = try rapport(store, "undo", "--list")
        #expect(list.contains("import vcard"))
        let out = try rapport(store, "undo")
        #expect(out.contains("Undo: Import vcard"))
        #expect(try Store.open(AppPaths(storeDirectory: store)).database == before, "both contacts gone in one step")
        try rapport(store, "redo")
        #expect(try Store.open(AppPaths(storeDirectory: store)).database.recruiters.count == 3)
    }

    @Test func undoOfACLIEditAcrossACompaction() throws {
        let store = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: store) }
        try rapport(store, "checklist", "dana", "--done", "firm-vetted")
        try rapport(store, "decline", "dana")
        // A TUI session that compacted on quit.
        let s = try Store.open(AppPaths(storeDirectory: store))
        try s.apply(origin: .tui(session: "t1"), label: "tag") { _ in .addTag(recruiter: dana, tag: "fintech") }
        try s.close()
        #expect(FileManager.default.contents(atPath: store + "/journal.jsonl")?.isEmpty ?? true)
        try rapport(store, "undo")
        var r = try #require(try Store.open(AppPaths(storeDirectory: store)).database.recruiters[dana])
        #expect(r.status == .active, "the decline is undone")
        #expect(r.tags == ["fintech"], "the TUI's later edit of another field stays")
        #expect(r.checklist.done["firm-vetted"] != nil)
        try rapport(store, "undo")
        r = try #require(try Store.open(AppPaths(storeDirectory: store)).database.recruiters[dana])
        #expect(r.checklist.done["firm-vetted"] == nil, "then the checklist tick")
        let list = try rapport(store, "undo", "--list")
        #expect(list.contains("rapport decline") && list.contains("rapport checklist") && list.contains("the TUI"))
    }

    @Test func undoRefusedWhenALaterChangeDependsOnIt() throws {
        let store = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: store) }
        try rapport(store, "decline", "dana")
        let s = try Store.open(AppPaths(storeDirectory: store))
        try s.apply(origin: .tui(session: "t1"), label: "status") { _ in .setStatus(recruiter: dana, status: .ally, until: nil) }
        var env = ProcessInfo.processInfo.environment
        env["RAPPORT_NOW"] = Self.now
        let journal = FileManager.default.contents(atPath: store + "/journal.jsonl")
        let r = try Run.run(TUIEndToEndTests.binary, ["--store", store, "undo"], environment: env)
        #expect(r.status == 1)
        #expect(r.stderr == "rapport: Not undone: Dana Smith's status changed since by the TUI\n")
        #expect(FileManager.default.contents(atPath: store + "/journal.jsonl") == journal, "nothing written")
    }
}
