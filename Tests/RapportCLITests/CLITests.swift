import Foundation
import Testing

@Suite struct CLIContractTests {
    /// The issue's scenario: add, two inbound three days apart, risk + overdue; reply clears both.
    @Test func nonResponsiveRiskAppearsAndAReplyClearsIt() throws {
        var cli = try CLI()
        cli.now = "2026-11-20T15:00:00Z"
        try cli.ok("add", "Dana Smith", "--firm", "Hays")
        try cli.ok("log", "dana", "--in", "--at", "2026-11-16T10:00:00Z", "--subject", "A role")
        try cli.ok("log", "Dana", "--in", "--at", "2026-11-19T10:00:00Z", "--subject", "Following up")

        let list = try #require(try cli.json("list", "--json") as? [[String: Any]])
        #expect(list.count == 1)
        let flags = list[0]["flags"] as? [String] ?? []
        #expect(flags.contains("non-responsive-risk"))
        #expect(list[0]["turn"] as? String == "mine")

        let due = try #require(try cli.json("due", "--json") as? [[String: Any]])
        #expect(due.contains { $0["kind"] as? String == "reply" && $0["overdue"] as? Bool == true })
        #expect(try cli.ok("due", "--statusline").contains("overdue"))

        try cli.ok("reply", "dana")
        let after = try #require(try cli.json("list", "--json") as? [[String: Any]])
        let flagsAfter = after[0]["flags"] as? [String] ?? ["?"]
        #expect(!flagsAfter.contains("non-responsive-risk"))
        #expect(!flagsAfter.contains("reply-overdue"))
        #expect(after[0]["turn"] as? String == "theirs")
        let dueAfter = try #require(try cli.json("due", "--json") as? [[String: Any]])
        #expect(!dueAfter.contains { $0["kind"] as? String == "reply" })
        #expect(try cli.ok("due", "--statusline").trimmingCharacters(in: .whitespacesAndNewlines) == "")
    }

    @Test func addValidatesItsInput() throws {
        let cli = try CLI()
        let empty = try cli.run(["add", "   "])
        #expect(empty.status == 2)
        #expect(empty.stderr.hasPrefix("rapport: "))
        #expect(empty.stderr.split(separator: "\n").count == 1)
        let tz = try cli.run(["add", "Kim", "--timezone", "Mars/Olympus"])
        #expect(tz.status == 2)
        #expect(tz.stderr.contains("Mars/Olympus"))
        let kind = try cli.run(["add", "Kim", "--kind", "pirate"])
        #expect(kind.status == 2)
        #expect(cli.snapshotBytes() == nil, "nothing written after bad input")
    }

    @Test func unknownAndAmbiguousRecruitersAreReportedNotGuessed() throws {
        let cli = try CLI()
        try cli.ok("add", "Dana Smith")
        try cli.ok("add", "Dana Jones")
        let before = cli.snapshotBytes()
        let ambiguous = try cli.run(["log", "dana", "--in"])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("Dana Smith") && ambiguous.stderr.contains("Dana Jones"))
        let unknown = try cli.run(["log", "zelda", "--in"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("zelda"))
        #expect(cli.snapshotBytes() == before, "no write on error")
        // A unique part of the name, and an exact full name, resolve.
        try cli.ok("log", "jones", "--in")
        let show = try #require(try cli.json("show", "Dana Jones", "--json") as? [String: Any])
        #expect((show["messages"] as? [Any])?.count == 1)
    }

    @Test func idPrefixResolvesARecruiter() throws {
        let cli = try CLI()
        let out = try cli.ok("add", "Priya Sharma")
        let id = try #require(out.split(whereSeparator: \.isWhitespace).last.map(String.init))
        try cli.ok("log", String(id.prefix(6)), "--out", "--channel", "linkedin")
        let show = try #require(try cli.json("show", id, "--json") as? [String: Any])
        let messages = try #require(show["messages"] as? [[String: Any]])
        #expect(messages.first?["channel"] as? String == "linkedin")
        #expect(messages.first?["direction"] as? String == "out")
    }

    @Test func badDatesAndConflictingFlagsAreUsageErrors() throws {
        let cli = try CLI()
        try cli.ok("add", "Kim")
        for args in [["log", "kim", "--in", "--at", "someday"],
                     ["log", "kim", "--in", "--out"],
                     ["log", "kim"],
                     ["follow-up", "kim", "--due", "31/02/2026"],
                     ["due", "--within", "forever"],
                     ["due", "--json", "--statusline"],
                     ["interview", "kim"]] {
            let r = try cli.run(args)
            #expect(r.status == 2, "\(args) exited \(r.status)")
            #expect(r.stderr.hasPrefix("rapport: "), "\(args): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func logReadsTheBodyFromStandardInput() throws {
        let cli = try CLI()
        try cli.ok("add", "Mei Chen")
        try cli.ok("log", "mei", "--in", "--subject", "Hello", "--body", "-", stdin: "Line one\nLine two\n")
        let show = try #require(try cli.json("show", "mei", "--json") as? [String: Any])
        let m = try #require((show["messages"] as? [[String: Any]])?.first)
        #expect(m["body"] as? String == "Line one\nLine two")
    }

    @Test func declineLogsACourtesyMessageAndSetsTheStatus() throws {
        let cli = try CLI()
        try cli.ok("add", "Olivier Dubois")
        try cli.ok("log", "olivier", "--in", "--at", "-3d")
        try cli.ok("decline", "olivier", "--reason", "I'm happy where I am", "--reengage", "+90d")
        let show = try #require(try cli.json("show", "olivier", "--json") as? [String: Any])
        let r = try #require(show["recruiter"] as? [String: Any])
        #expect(r["status"] as? String == "declined")
        #expect(r["turn"] as? String == "theirs")
        let messages = try #require(show["messages"] as? [[String: Any]])
        #expect((messages.last?["body"] as? String)?.contains("happy where I am") == true)
        let followUps = try #require(show["followUps"] as? [[String: Any]])
        #expect(followUps.count == 1)
    }

    @Test func followUpDoneAndSnooze() throws {
        let cli = try CLI()
        try cli.ok("add", "Jonas Becker")
        let out = try cli.ok("follow-up", "jonas", "--due", "-1d", "--note", "Send CV")
        let id = try #require(out.split(whereSeparator: \.isWhitespace).last.map(String.init))
        let due = try #require(try cli.json("due", "--json") as? [[String: Any]])
        #expect(due.contains { $0["kind"] as? String == "follow-up" && $0["overdue"] as? Bool == true })
        try cli.ok("snooze", id, "--until", "+2d")
        let snoozed = try #require(try cli.json("due", "--json") as? [[String: Any]])
        #expect(!snoozed.contains { $0["kind"] as? String == "follow-up" && $0["overdue"] as? Bool == true })
        try cli.ok("done", id)
        let done = try #require(try cli.json("due", "--json", "--within", "30d") as? [[String: Any]])
        #expect(!done.contains { $0["kind"] as? String == "follow-up" })
        let again = try cli.run(["done", id])
        #expect(again.status == 1)
    }

    @Test func storeOptionWorksBeforeAndAfterTheSubcommand() throws {
        let cli = try CLI()
        let other = cli.store + "-other"
        try cli.ok("--store", other, "add", "Before")
        try cli.ok("add", "After", "--store", other)
        let list = try #require(try cli.json("list", "--json", "--store", other) as? [[String: Any]])
        #expect(Set(list.compactMap { $0["name"] as? String }) == ["Before", "After"])
        let mine = try #require(try cli.json("list", "--json") as? [[String: Any]])
        #expect(mine.isEmpty)
    }

    @Test func listFiltersAndSorts() throws {
        let cli = try CLI()
        try cli.ok("add", "Zed")
        try cli.ok("add", "Amy")
        try cli.ok("add", "Bob", "--blanket")
        try cli.ok("log", "zed", "--in", "--at", "-10d")
        let byName = try #require(try cli.json("list", "--json", "--sort", "name") as? [[String: Any]])
        #expect(byName.compactMap { $0["name"] as? String } == ["Amy", "Bob", "Zed"])
        let byUrgency = try #require(try cli.json("list", "--json") as? [[String: Any]])
        #expect(byUrgency.first?["name"] as? String == "Zed")
        let flagged = try #require(try cli.json("list", "--json", "--flag", "non-responsive") as? [[String: Any]])
        #expect(flagged.compactMap { $0["name"] as? String } == ["Zed"])
        let bad = try cli.run(["list", "--flag", "grumpy"])
        #expect(bad.status == 2)
    }

    @Test func badRapportNowIsAClearError() throws {
        let cli = try CLI()
        let r = try cli.run(["list"], env: ["RAPPORT_NOW": "yesterday-ish"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("RAPPORT_NOW"))
    }

    @Test func demoIsDeterministicAndRefusesToMixIntoARealStore() throws {
        let a = try CLI(), b = try CLI()
        try a.ok("demo", "--recruiters", "30", "--messages", "200", "--seed", "7")
        try b.ok("demo", "--recruiters", "30", "--messages", "200", "--seed", "7")
        let la = try a.ok("list", "--json"), lb = try b.ok("list", "--json")
        #expect(la == lb)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(la.utf8)) as? [[String: Any]])
        #expect(list.count == 30)
        #expect(list.reduce(0) { $0 + ($1["messages"] as? Int ?? 0) } == 200)
        let again = try a.run(["demo"])
        #expect(again.status == 2)
    }

    @Test func helpIsThereForEveryCommand() throws {
        let cli = try CLI()
        for cmd in ["add", "log", "reply", "decline", "interview", "follow-up", "expect", "done", "snooze", "list", "show", "due", "demo"] {
            let r = try cli.run([cmd, "--help"])
            #expect(r.status == 0, "\(cmd) --help")
            #expect(r.stdout.contains("USAGE: rapport \(cmd)"), "\(cmd): \(r.stdout.prefix(80))")
        }
    }
}

@Suite struct CLITextTests {
    @Test func escapeSequencesInDataNeverReachTheTerminalRaw() throws {
        let cli = try CLI()
        try cli.ok("add", "Evil \u{1B}[2J Corp", "--firm", "佐藤 \u{07}株式会社")
        try cli.ok("log", "evil", "--in", "--subject", "hi\u{1B}]0;title\u{07}", "--body", "line one\nline \u{1B}[31mtwo")
        for args in [["list"], ["show", "evil"], ["due"]] {
            let out = try cli.run(args)
            #expect(out.status == 0)
            #expect(!out.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(args)")
            #expect(out.stdout.contains("^["), "\(args): shown visibly")
        }
        // Confirmations and errors that name the recruiter show it visibly too.
        try cli.ok("add", "Evil \u{1B}]52;c;SGVsbG8=\u{07} Twin")
        for args in [["reply", "corp"], ["log", "evil", "--in"], ["add", "\u{1B}[2J Third"]] {
            let out = try cli.run(args)
            let all = out.stdout + out.stderr
            #expect(!all.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(args): \(all)")
            #expect(all.contains("^["), "\(args): \(all)")
        }
        // JSON keeps the data exactly (escaped by the JSON encoder).
        let json = try cli.run(["list", "--json"])
        #expect(json.stdout.contains("\\u001b[2J"))
    }

    @Test func tablesAlignWideAndCombiningCharacters() throws {
        let cli = try CLI()
        try cli.ok("add", "佐藤 花子", "--firm", "東京")
        try cli.ok("add", "Zoe\u{0301} Smith", "--firm", "Acme")
        let lines = try cli.ok("list", "--sort", "name").split(separator: "\n").map(String.init)
        // The FIRM column starts at the same display column on every row.
        let columns = lines.map { line -> Int in
            var width = 0
            for (i, ch) in line.enumerated() {
                if line.dropFirst(i).hasPrefix("東京") || line.dropFirst(i).hasPrefix("Acme") || line.dropFirst(i).hasPrefix("FIRM") { return width }
                width += ch.unicodeScalars.first.map { (0x1100...0xFFFF).contains($0.value) && !($0.properties.generalCategory == .nonspacingMark) && $0.value >= 0x2E80 ? 2 : 1 } ?? 1
            }
            return -1
        }
        #expect(Set(columns).count == 1, "\(columns)\n\(lines.joined(separator: "\n"))")
    }
}

@Suite struct CLIDateRangeTests {
    @Test func anAbsurdDateIsAUsageErrorAndNothingIsWritten() throws {
        let cli = try CLI()
        try cli.ok("add", "Ada")
        let before = cli.journalBytes()
        let r = try cli.run(["follow-up", "ada", "--due", "+99999999999999999999s"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("out of range"))
        #expect(cli.journalBytes() == before)
    }
}

@Suite struct CLISameSecondTests {
    @Test func logThenReplyAtAFixedNowAlwaysClears() throws {
        for _ in 0..<4 {
            let cli = try CLI()
            try cli.ok("add", "Tie Person")
            try cli.ok("log", "tie", "--in")
            let out = try cli.ok("reply", "tie")
            #expect(out.contains("their turn"), "\(out)")
            #expect(!out.contains("reply-due"))
        }
    }
}

@Suite struct CLIDateSenseTests {
    @Test func aLoggedMessageCannotComeFromTheFuture() throws {
        let cli = try CLI()
        try cli.ok("add", "Tanaka")
        for at in ["tue 13:00", "+30d", "tomorrow"] {
            let r = try cli.run(["log", "tanaka", "--in", "--at", at])
            #expect(r.status == 2, "\(at): \(r.stderr)")
            #expect(r.stderr.contains("in the future"))
        }
        #expect(try cli.run(["reply", "tanaka", "--at", "+2h"]).status == 2)
        try cli.ok("log", "tanaka", "--in", "--at", "-2h")
    }

    @Test func snoozeOnlyPutsOff() throws {
        let cli = try CLI()
        try cli.ok("add", "Jonas")
        let out = try cli.ok("follow-up", "jonas", "--due", "+7d")
        let id = try #require(out.split(whereSeparator: \.isWhitespace).last.map(String.init))
        let earlier = try cli.run(["snooze", id, "--until", "+1d"])
        #expect(earlier.status == 2)
        #expect(earlier.stderr.contains("not later"))
        try cli.ok("snooze", id, "--until", "+8d")
    }

    @Test func reengageInMinutesIsCaught() throws {
        let cli = try CLI()
        try cli.ok("add", "Sam")
        let r = try cli.run(["decline", "sam", "--reengage", "+3m"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("minutes"))
        let ok = try cli.ok("decline", "sam", "--reason", "the salary is too low.", "--reengage", "+12w")
        #expect(ok.contains("re-engage"))
        let show = try #require(try cli.json("show", "sam", "--json") as? [String: Any])
        let body = try #require((show["messages"] as? [[String: Any]])?.last?["body"] as? String)
        #expect(body.contains("too low, but"), "\(body)")
    }

    @Test func globalOptionsWorkWithCommandGroups() throws {
        let cli = try CLI()
        for args in [["--store", cli.store, "template", "list"], ["template", "list", "--store", cli.store]] {
            let r = try cli.run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            #expect(r.stdout.contains("decline"))
        }
    }
}
