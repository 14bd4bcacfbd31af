import Foundation
import Testing

/// `rapport due`, `done`, `snooze`, `dismiss`, `status`, `week` and the flag reasons of `show`.
@Suite struct DeadlineCLITests {
    /// A store with one deadline of every kind at 2026-11-20 15:00 UTC (a Friday).
    func everyKind() throws -> CLI {
        let cli = try CLI()
        try cli.ok("add", "Ana Reply", "--timezone", "Asia/Tokyo")
        try cli.ok("add", "Ben Checkin")
        try cli.ok("add", "Cy Interview")
        try cli.ok("log", "ana", "--in", "--at", "2026-11-18T10:00:00Z", "--subject", "A role")
        try cli.ok("log", "ana", "--in", "--at", "2026-11-19T10:00:00Z", "--subject", "Still there?")
        try cli.ok("log", "ben", "--out", "--at", "2026-11-09T10:00:00Z")
        try cli.ok("interview", "cy", "--at", "2026-11-19T14:00:00Z", "--role", "Engineer", "--employer", "Acme")
        try cli.ok("interview", "cy", "--at", "2026-11-24T14:00:00Z", "--role", "Lead", "--employer", "Acme")
        try cli.ok("follow-up", "cy", "--due", "2026-11-21T09:00:00Z", "--note", "send CV")
        try cli.ok("expect", "cy", "--by", "2026-11-23T13:00:00Z", "--note", "Cy will call")
        return cli
    }

    func rows(_ cli: CLI, _ extra: String...) throws -> [[String: Any]] {
        let args = ["due", "--json", "--within", "30d"] + extra
        let out = try cli.run(args)
        guard out.status == 0 else { throw Failure("due exited \(out.status): \(out.stderr)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]])
    }

    @Test func dueIsAFlatArrayInSectionOrderWithOneReplyPerThread() throws {
        let cli = try everyKind()
        let due = try rows(cli)
        let kinds = Set(due.compactMap { $0["kind"] as? String })
        #expect(kinds == ["reply", "check-in", "thank-you", "interview", "follow-up", "expectation"])
        #expect(due.filter { $0["kind"] as? String == "reply" }.count == 1)
        #expect(due.first { $0["kind"] as? String == "reply" }?["unanswered"] as? Int == 2)
        let order = ["overdue", "today", "this-week", "later"]
        let sections = due.compactMap { $0["section"] as? String }.map { order.firstIndex(of: $0)! }
        #expect(sections == sections.sorted())
        for row in due {
            #expect((row["overdue"] as? Bool) == (row["section"] as? String == "overdue"))
        }
        let text = try cli.ok("due", "--within", "30d")
        #expect(text.contains("Overdue ("))
        #expect(text.contains("This week ("))
        #expect(text.contains("2 unanswered"))
        // The recruiter's zone beside the candidate's (UTC here; Ana is in Tokyo).
        #expect(text.contains("Asia/Tokyo)"))
    }

    @Test func everyDueRowIdIsAcceptedByDoneSnoozeAndDismiss() throws {
        for command in ["done", "snooze", "dismiss"] {
            let cli = try everyKind()
            let due = try rows(cli)
            #expect(due.count == 6)
            for row in due {
                let id = try #require(row["shortId"] as? String)
                var args = [command, id]
                if command == "snooze" { args += ["--until", "2026-12-10"] }
                if command == "dismiss" { args += ["--reason", "not for me"] }
                let r = try cli.run(args)
                #expect(r.status == 0, "\(command) \(id): \(r.stderr)")
            }
            let after = try rows(cli)
            let before = Set(due.compactMap { $0["id"] as? String })
            switch command {
            case "snooze":
                #expect(after.count == 6)
                #expect(after.allSatisfy { $0["snoozed"] as? Bool == true && $0["section"] as? String == "later" })
            case "done":
                // Every row ended and the overdue section is empty; the thank-you and the
                // check-in logged messages, so the next check-ins (a week on) are listed.
                #expect(after.filter { $0["overdue"] as? Bool == true }.isEmpty, "\(after)")
                #expect(Set(after.compactMap { $0["id"] as? String }).isDisjoint(with: before))
                #expect(after.allSatisfy { $0["kind"] as? String == "check-in" })
            default:
                #expect(after.isEmpty, "\(command): \(after.map { $0["id"] ?? "" })")
            }
        }
    }

    @Test func dismissKeepsTheReasonAndIsOneUndoableChange() throws {
        let cli = try everyKind()
        let checkIn = try #require(try rows(cli).first { $0["kind"] as? String == "check-in" })
        let full = try #require(checkIn["id"] as? String)
        try cli.ok("dismiss", full, "--reason", "they retired")
        let snapshot = String(decoding: cli.snapshotBytes() ?? Data(), as: UTF8.self)
            + String(decoding: cli.journalBytes() ?? Data(), as: UTF8.self)
        #expect(snapshot.contains("they retired"))
        #expect(try !rows(cli).contains { $0["id"] as? String == full })
        let unknown = try cli.run(["dismiss", "check-in:ffffffff"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no deadline has the id"))
        let short = try cli.run(["done", "ab"])
        #expect(short.status == 2)
    }

    @Test func statusDormantUntilADateAndWritingAgain() throws {
        let cli = try everyKind()
        let out = try cli.ok("status", "ana", "dormant", "--until", "2026-12-15")
        #expect(out.contains("Ana Reply is now dormant until 2026-12-15"))
        #expect(try !rows(cli).contains { $0["recruiter"] as? String == "Ana Reply" })
        #expect(try cli.ok("status", "ana").contains("dormant until"))
        let bad = try cli.run(["status", "ana", "ally", "--until", "2026-12-15"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("only dormant and declined lapse"))
        let badWord = try cli.run(["status", "ana", "sleepy"])
        #expect(badWord.status == 2)
        // She writes again: one reply deadline, for the new message only.
        try cli.ok("log", "ana", "--in", "--at", "2026-11-20T14:00:00Z", "--subject", "New role")
        let replies = try rows(cli).filter { $0["recruiter"] as? String == "Ana Reply" }
        #expect(replies.count == 1)
        #expect(replies.first?["unanswered"] as? Int == 1)
    }

    @Test func showNamesEachFlagWithItsReason() throws {
        let cli = try CLI()
        try cli.ok("add", "Dana")
        try cli.ok("log", "dana", "--in", "--at", "2026-11-04T10:00:00Z")
        try cli.ok("log", "dana", "--in", "--at", "2026-11-10T10:00:00Z")
        try cli.ok("log", "dana", "--in", "--at", "2026-11-12T10:00:00Z")
        let text = try cli.ok("show", "dana")
        #expect(text.contains("non-responsive — 3 of their messages unanswered, the oldest 16 days"))
        let json = try #require(try cli.json("show", "dana", "--json") as? [String: Any])
        let flags = try #require(json["flags"] as? [[String: Any]])
        #expect(flags.first?["flag"] as? String == "non-responsive")
        #expect(flags.first?["why"] as? String == "3 of their messages unanswered, the oldest 16 days")
        #expect(flags.first?["since"] is String)
    }

    @Test func weekListsInterviewsCallsAndDeadlinesWithResearchAndAgenda() throws {
        let cli = try everyKind()
        try cli.ok("checklist", "cy", "--agenda", "ask about on-call")
        let items = try #require(try cli.json("week", "--json") as? [[String: Any]])
        let interview = try #require(items.first { $0["kind"] as? String == "interview" && ($0["title"] as? String ?? "").hasPrefix("Lead") })
        #expect(interview["agendaWritten"] as? Bool == true)
        #expect(interview["checklistComplete"] as? Bool == false)
        #expect(items.contains { $0["kind"] as? String == "promised" })
        #expect(items.first?["overdue"] as? Bool == true)
        let text = try cli.ok("week")
        #expect(text.contains("(today)"))
        #expect(text.contains("agenda written"))
        #expect(text.contains("research missing"))
        let narrow = try #require(try cli.json("week", "--json", "--within", "1h") as? [[String: Any]])
        #expect(!narrow.contains { $0["kind"] as? String == "promised" })
    }
}
