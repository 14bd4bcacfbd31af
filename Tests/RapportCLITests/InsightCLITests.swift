import Foundation
import Testing

/// hunspell with en_US on this machine (the Makefile installs hunspell-en-us).
private let hunspellInstalled: Bool = {
    FileManager.default.isExecutableFile(atPath: "/usr/bin/hunspell")
        && FileManager.default.fileExists(atPath: "/usr/share/hunspell/en_US.dic")
}()

private func tempDir() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-cfg-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct InsightCLITests {
    @Test func statsJSONAndTextOnAKnownThread() throws {
        var cli = try CLI()
        cli.now = "2026-11-20T15:00:00Z" // Friday
        try cli.ok("add", "Ada Park", "--firm", "Hays")
        try cli.ok("log", "ada", "--in", "--at", "2026-11-16T09:00:00Z")
        try cli.ok("log", "ada", "--out", "--at", "2026-11-16T15:00:00Z") // you: 6h
        try cli.ok("log", "ada", "--in", "--at", "2026-11-17T09:00:00Z")  // them: 18h
        try cli.ok("log", "ada", "--out", "--at", "2026-11-18T09:00:00Z") // you: 24h
        try cli.ok("referral", "ada", "--name", "Jo Wu")
        let json = try #require(try cli.json("stats", "--json") as? [String: Any])
        let you = try #require(json["you"] as? [String: Any])
        #expect(you["medianHours"] as? Double == 15 && you["replies"] as? Int == 2)
        let weekly = try #require(json["weekly"] as? [[String: Any]])
        #expect(weekly.count == 26)
        #expect(weekly.last?["inbound"] as? Int == 2 && weekly.last?["outbound"] as? Int == 2)
        #expect(weekly.last?["start"] as? String == "2026-11-16T00:00:00Z")
        let recruiters = try #require(json["recruiters"] as? [[String: Any]])
        let ada = try #require(recruiters.first)
        #expect(ada["name"] as? String == "Ada Park" && ada["referrals"] as? Int == 1)
        // targeted 15 + their 18h 15 + reliability 15 (the one judged outbound was answered)
        // + your 15h 15 + one referral 10 + no opportunity 0
        #expect(ada["allyScore"] as? Int == 70)
        let funnel = try #require(json["funnel"] as? [[String: Any]])
        #expect(funnel.map { $0["stage"] as? String } == ["sourced", "screen", "interview", "final", "offer", "closed-won", "closed-lost", "withdrawn"])
        let text = try cli.ok("stats")
        #expect(text.contains("Your replies: median 15.0h over 2 (norm 24–48h): faster than the norm"))
        #expect(text.contains("  in   ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁█  2"))
        #expect(text.contains("Ada Park  70"))
    }

    @Test func templateShowFillsAndReportsWhatIsMissing() throws {
        let cli = try CLI()
        let cfg = try tempDir()
        try cli.ok("add", "Dana Smith", "--timezone", "Europe/Berlin")
        let missing = try cli.run(["template", "show", "decline", "dana"], env: ["XDG_CONFIG_HOME": cfg])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("Hi Dana,") && missing.stdout.contains("{role}"))
        #expect(missing.stderr.contains("decline: no data for {role}"))
        #expect(missing.stderr.contains("no data for {reason}") && missing.stderr.contains("no data for {my_name}"))
        try cli.ok("interview", "dana", "--at", "2026-11-18T10:00:00Z", "--role", "SRE", "--employer", "Acme", "--with", "Alex")
        let full = try cli.run(["template", "show", "decline", "dana", "--reason", "it is on-site"],
                               env: ["XDG_CONFIG_HOME": cfg, "RAPPORT_MY_NAME": "Sam Lee"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.stdout.hasPrefix("Subject: Re: SRE\n\nHi Dana,"))
        #expect(full.stdout.contains("because it is on-site") && full.stdout.hasSuffix("Sam Lee\n"))
        #expect(!full.stderr.contains("no data"))
        let unknown = try cli.run(["template", "show", "nope"], env: ["XDG_CONFIG_HOME": cfg])
        #expect(unknown.status == 2 && unknown.stderr.contains("no template named 'nope'"))
    }

    @Test func userTemplatesOverrideAndUnknownPlaceholdersFail() throws {
        var cli = try CLI()
        cli.now = "2026-11-20T23:00:00Z" // Friday 23:00 in UTC: outside business hours
        let cfg = try tempDir()
        try FileManager.default.createDirectory(atPath: cfg + "/rapport/templates", withIntermediateDirectories: true)
        try "Subject: Thanks {first_name}\n\nHi {frist_name}, thanks.\n".write(toFile: cfg + "/rapport/templates/decline.txt", atomically: true, encoding: .utf8)
        try "Hello {first_name}\n".write(toFile: cfg + "/rapport/templates/hello.txt", atomically: true, encoding: .utf8)
        try cli.ok("add", "Dana Smith", "--timezone", "Europe/London")
        let list = try cli.run(["template", "list"], env: ["XDG_CONFIG_HOME": cfg])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("decline") && $0.contains(cfg + "/rapport/templates/decline.txt") })
        #expect(lines.contains { $0.hasPrefix("hello") } && lines.contains { $0.hasPrefix("thank-you") && $0.contains("shipped") })
        let shown = try cli.run(["template", "show", "decline", "dana"], env: ["XDG_CONFIG_HOME": cfg])
        #expect(shown.status == 1)
        #expect(shown.stdout.hasPrefix("Subject: Thanks Dana\n\nHi {frist_name}, thanks."))
        #expect(shown.stderr.contains("unknown placeholder {frist_name}"))
        #expect(shown.stderr.contains("It's 23:00 Fri for Dana Smith (Europe/London); send after 09:00 Mon their time"))
        let hello = try cli.run(["template", "show", "hello", "dana"], env: ["XDG_CONFIG_HOME": cfg])
        #expect(hello.status == 0 && hello.stdout == "Hello Dana\n")
    }

    @Test(.enabled(if: hunspellInstalled, "needs hunspell-en-us"))
    func spellListsMisspellingsAndExitsOne() throws {
        let cli = try CLI()
        let bad = try cli.run(["spell", "-"], stdin: "Hi {first_name},\nThank you for recieve the note.\n")
        #expect(bad.status == 1)
        #expect(bad.stdout.hasPrefix("2:15: recieve → receive"))
        let good = try cli.run(["spell"], stdin: "Thank you for the note, Kowalczykowa.", env: [:])
        #expect(good.status == 1, "an unknown surname is reported without --ignore")
        let ignored = try cli.run(["spell", "--ignore", "Kowalczykowa"], stdin: "Thank you for the note, Kowalczykowa.")
        #expect(ignored.status == 0 && ignored.stdout.isEmpty)
        try cli.ok("add", "Zbigniewa Kowalczykowa")
        let forRecruiter = try cli.run(["spell", "--for", "zbig"], stdin: "Dear Zbigniewa Kowalczykowa, thanks.")
        #expect(forRecruiter.status == 0, "\(forRecruiter.stdout)")
        let file = try tempDir() + "/draft.txt"
        try "All good here.\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try cli.run(["spell", file]).status == 0)
        #expect(try cli.run(["spell", file + ".missing"]).status == 1)
    }

    @Test func spellWithoutAChecker() throws {
        let cli = try CLI()
        let r = try cli.run(["spell", "-"], stdin: "Thank you for recieve", env: ["PATH": "/nonexistent-rapport-path"])
        #expect(r.status == 0, "the user can go on")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("spell check unavailable: install hunspell-en-us"))
    }

    @Test func checklistRaisesAndClearsUnprepared() throws {
        var cli = try CLI()
        cli.now = "2026-11-20T15:00:00Z"
        try cli.ok("add", "Lee Chan", "--timezone", "Asia/Tokyo")
        try cli.ok("interview", "lee", "--at", "2026-11-21T14:59:00Z", "--role", "SRE", "--employer", "Acme") // in 23h59
        func flags() throws -> [String] {
            let list = try #require(try cli.json("list", "--json") as? [[String: Any]])
            return list.first?["flags"] as? [String] ?? []
        }
        #expect(try flags().contains("unprepared"))
        let out = try cli.ok("checklist", "lee", "--done", "profile-reviewed", "--done", "firm-vetted", "--agenda", "Cut p99 latency by half")
        #expect(out.contains("[x] profile-reviewed") && out.contains("[ ] company-site-read"))
        #expect(out.contains("2026-11-21 23:59 Asia/Tokyo") && out.contains("Still to do: company-site-read"))
        #expect(try flags().contains("unprepared"))
        let done = try cli.ok("checklist", "lee", "--done", "company-site-read")
        #expect(done.contains("Ready.") && done.contains("agenda: Cut p99 latency by half"))
        #expect(try !flags().contains("unprepared"))
        let bad = try cli.run(["checklist", "lee", "--done", "horoscope-read"])
        #expect(bad.status == 2 && bad.stderr.contains("not a checklist item"))
        try cli.ok("checklist", "lee", "--untick", "firm-vetted")
        #expect(try flags().contains("unprepared"))
        // A call 24h01 away is not yet a reason.
        var later = try CLI()
        later.now = "2026-11-20T15:00:00Z"
        try later.ok("add", "Kim")
        try later.ok("interview", "kim", "--at", "2026-11-21T15:01:00Z", "--role", "SRE")
        let list = try #require(try later.json("list", "--json") as? [[String: Any]])
        let laterFlags = list.first?["flags"] as? [String] ?? ["?"]
        #expect(!laterFlags.contains("unprepared"))
        let noOpp = try later.run(["checklist", "kim", "--opportunity", "nothing-like-this", "--done", "company-site-read"])
        #expect(noOpp.status == 2)
    }

    @Test func referralIsLoggedAndValidated() throws {
        let cli = try CLI()
        try cli.ok("add", "Ravi")
        #expect(try cli.ok("referral", "ravi", "--name", "Jo Wu", "--note", "SRE").contains("1 referral given"))
        #expect(try cli.ok("referral", "ravi", "--name", "Max").contains("2 referrals given"))
        let empty = try cli.run(["referral", "ravi", "--name", "  "])
        #expect(empty.status == 2)
        let json = try #require(try cli.json("stats", "--json") as? [String: Any])
        let r = try #require((json["recruiters"] as? [[String: Any]])?.first)
        #expect(r["referrals"] as? Int == 2)
        let snapshot = String(decoding: (cli.snapshotBytes() ?? Data()) + (cli.journalBytes() ?? Data()), as: UTF8.self)
        #expect(snapshot.contains("Jo Wu"), "the referral is in the store")
    }
}
