import Foundation
import Testing

@Suite struct EditRemoveCLITests {
    func recruiters(_ cli: CLI) throws -> [[String: Any]] {
        try #require(try cli.json("list", "--json", "--sort", "name") as? [[String: Any]])
    }

    @Test func editChangesEachFieldInOneUndoableStep() throws {
        let cli = try CLI()
        try cli.ok("add", "Priya Nair", "--firm", "Hays", "--email", "priya@hays.example", "--tag", "fintech", "--tag", "old")
        let journalBefore = cli.journalBytes() ?? Data()
        let out = try cli.ok("edit", "priya", "--name", "Priya Nair-Shah", "--firm", "Hays Tech", "--phone", "+44 20 7946 0000",
                             "--timezone", "Europe/London", "--notes", "Met at the meetup", "--kind", "in-house",
                             "--linkedin", "https://www.linkedin.com/in/priya", "--add-email", "p.nair@hays.example",
                             "--tag", "ally", "--untag", "old")
        #expect(out.hasPrefix("Edited Priya Nair-Shah: name, firm, phone, time zone, notes, LinkedIn, kind in-house, +p.nair@hays.example, −tag old, +tag ally"), "\(out)")
        let r = try #require(try recruiters(cli).first)
        #expect(r["name"] as? String == "Priya Nair-Shah" && r["firm"] as? String == "Hays Tech")
        #expect(r["phone"] as? String == "+44 20 7946 0000" && r["timeZone"] as? String == "Europe/London")
        #expect(r["kind"] as? String == "in-house" && r["linkedin"] as? String == "https://www.linkedin.com/in/priya")
        #expect(r["emails"] as? [String] == ["priya@hays.example", "p.nair@hays.example"])
        #expect(Set(r["tags"] as? [String] ?? []) == ["fintech", "ally"])
        // One journal line: one batch of field-level changes, not a whole-record put.
        let journal = String(decoding: (cli.journalBytes() ?? Data()).dropFirst(journalBefore.count), as: UTF8.self)
        #expect(journal.split(separator: "\n").count == 1)
        #expect(journal.contains("setField") && !journal.contains("putRecruiter"), "\(journal)")
        // An empty value clears; removing an address keeps the others.
        try cli.ok("edit", "priya", "--firm", "", "--remove-email", "PRIYA@hays.example")
        let after = try #require(try recruiters(cli).first)
        #expect(after["firm"] == nil || after["firm"] is NSNull)
        #expect(after["emails"] as? [String] == ["p.nair@hays.example"])
    }

    @Test func editRefusesBadInputAndWritesNothing() throws {
        let cli = try CLI()
        try cli.ok("add", "Priya Nair", "--tag", "fintech")
        try cli.ok("add", "Dana Smith", "--firm", "Acme")
        let before = (cli.snapshotBytes(), cli.journalBytes())
        for (args, needle) in [
            (["edit", "priya"], "nothing to change"),
            (["edit", "priya", "--timezone", "Mars/Olympus"], "Mars/Olympus"),
            (["edit", "priya", "--add-email", "not-an-address"], "not an e-mail address"),
            (["edit", "priya", "--untag", "nope"], "has no such tag (has: fintech)"),
            (["edit", "priya", "--remove-email", "x@y.example"], "has no such address"),
            (["edit", "priya", "--name", "  "], "the name is empty"),
            (["edit", "priya", "--name", "dana  SMITH"], "another recruiter is named 'dana  SMITH': Dana Smith (Acme) · id "),
            (["edit", "priya", "--kind", "pirate"], "pirate"),
        ] {
            let r = try cli.run(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(needle) && r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        #expect(cli.snapshotBytes() == before.0 && cli.journalBytes() == before.1, "nothing written")
        // Same values: nothing to do, nothing written.
        #expect(try cli.ok("edit", "priya", "--tag", "fintech").contains("nothing changed"))
        #expect(cli.journalBytes() == before.1)
        // --force allows a name another recruiter has.
        try cli.ok("edit", "priya", "--name", "Dana Smith", "--force")
        #expect(try recruiters(cli).filter { $0["name"] as? String == "Dana Smith" }.count == 2)
    }

    @Test func addRefusesANameThatExistsUnlessForced() throws {
        let cli = try CLI()
        let first = try cli.ok("add", "Priya Nair", "--firm", "Hays")
        let id = try #require(first.components(separatedBy: "id ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let before = cli.journalBytes()
        let again = try cli.run(["add", "  priya   nair "])
        #expect(again.status == 2)
        #expect(again.stderr == "rapport: 'priya   nair' exists: Priya Nair (Hays) · id \(id); use `rapport edit` to change it, or --force to add another\n")
        #expect(cli.journalBytes() == before)
        try cli.ok("add", "Priya Nair", "--force")
        #expect(try recruiters(cli).count == 2)
    }

    @Test func rmAsksInATerminalAndRefusesOtherwiseWithoutYes() throws {
        let cli = try CLI()
        try cli.ok("add", "Priya Nair", "--firm", "Hays")
        try cli.ok("log", "priya", "--in", "--at", "-1d", "--subject", "A role")
        try cli.ok("log", "priya", "--out", "--subject", "Re: A role")
        let before = (cli.snapshotBytes(), cli.journalBytes())
        let refused = try cli.run(["rm", "priya"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("not a terminal") && refused.stderr.contains("--yes") && refused.stderr.contains("Priya Nair (Hays)"))
        #expect(cli.snapshotBytes() == before.0 && cli.journalBytes() == before.1)

        // A message by id prefix.
        let show = try #require(try cli.json("show", "priya", "--json") as? [String: Any])
        let messages = try #require(show["messages"] as? [[String: Any]])
        let inbound = try #require(messages.first { $0["direction"] as? String == "in" }?["id"] as? String)
        let gone = try cli.ok("rm", String(inbound.prefix(8)), "--yes")
        #expect(gone.hasPrefix("Deleted the message \(inbound.prefix(8)) from Priya Nair (email, "), "\(gone)")
        let left = try #require(try cli.json("show", "priya", "--json") as? [String: Any])
        #expect((left["messages"] as? [Any])?.count == 1)

        // The recruiter, with what they own.
        let out = try cli.ok("rm", "priya", "-y")
        #expect(out.hasPrefix("Deleted the recruiter Priya Nair (Hays) · id ") && out.contains("with 1 message"), "\(out)")
        #expect(try recruiters(cli).isEmpty)
        let unknown = try cli.run(["rm", "zelda", "--yes"])
        #expect(unknown.status == 1 && unknown.stderr.contains("zelda"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a terminal"))
    func rmInATerminalDeletesOnlyOnYes() throws {
        let cli = try CLI()
        try cli.ok("add", "Priya Nair")
        func inTerminal(_ answer: String) throws -> CLI.Result {
            // script(1) gives rapport a pseudo-terminal as standard input.
            let command = "\(CLI.binary) rm priya"
            return try cli.run(["-qec", command, "/dev/null"], stdin: answer + "\n", executable: "/usr/bin/script")
        }
        let no = try inTerminal("n")
        #expect(no.stdout.contains("Delete the recruiter Priya Nair") && no.stdout.contains("[y/N]"), "\(no.stdout)")
        #expect(no.status == 1 && no.stdout.contains("not deleted"))
        #expect(try recruiters(cli).count == 1)
        let yes = try inTerminal("y")
        #expect(yes.status == 0 && yes.stdout.contains("Deleted the recruiter Priya Nair"), "\(yes.stdout)")
        #expect(try recruiters(cli).isEmpty)
    }
}

@Suite struct ConfigCLITests {
    func configDir(_ cli: CLI) -> String { cli.store + "-config/rapport" }

    func write(_ cli: CLI, _ name: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: configDir(cli), withIntermediateDirectories: true)
        try text.write(toFile: configDir(cli) + "/" + name, atomically: true, encoding: .utf8)
    }

    func settings(_ cli: CLI, env: [String: String] = [:]) throws -> [String: (value: Any, origin: String)] {
        let r = try cli.run(["config", "--json"], env: env)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        var out: [String: (value: Any, origin: String)] = [:]
        for s in object["settings"] as? [[String: Any]] ?? [] {
            out[s["key"] as! String] = (s["value"] ?? NSNull(), s["origin"] as! String)
        }
        return out
    }

    @Test func defaultsFileAndEnvironmentEachShowWhereTheyCameFrom() throws {
        var cli = try CLI()
        cli.timeZone = "UTC"
        var s = try settings(cli)
        #expect(s["policy.riskOpenCount"]?.value as? Int == 2 && s["policy.riskOpenCount"]?.origin == "default")
        #expect(s["policy.timeZone"]?.value as? String == "UTC" && s["policy.timeZone"]?.origin == "environment")
        #expect(s["policy.urgency.flag.cold"]?.value as? Int == -1)
        #expect(s["me.name"]?.value is NSNull)

        try write(cli, "config.toml", "[policy]\ntimeZone = \"Asia/Tokyo\"\nriskOpenCount = 3\nurgency.flag.cold = -3\n\n[me]\nname = \"Sam Lee\"\naddresses = [\"sam@example.com\"]\n")
        s = try settings(cli, env: ["TZ": ""])
        #expect(s["policy.timeZone"]?.value as? String == "Asia/Tokyo" && s["policy.timeZone"]?.origin == "file")
        #expect(s["policy.riskOpenCount"]?.value as? Int == 3 && s["policy.riskOpenCount"]?.origin == "file")
        #expect(s["policy.urgency.flag.cold"]?.value as? Int == -3)
        #expect(s["me.addresses"]?.value as? [String] == ["sam@example.com"])
        s = try settings(cli, env: ["TZ": "Europe/Berlin", "RAPPORT_MY_NAME": "Env Name"])
        #expect(s["policy.timeZone"]?.value as? String == "Europe/Berlin" && s["policy.timeZone"]?.origin == "environment")
        #expect(s["me.name"]?.value as? String == "Env Name" && s["me.name"]?.origin == "environment")

        let table = try cli.run(["config"])
        #expect(table.stdout.contains(configDir(cli) + "/config.toml"))
        #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix("policy.riskOpenCount") && $0.contains("3") && $0.hasSuffix("file") })
    }

    @Test func theFilesNumbersReachTheRules() throws {
        var cli = try CLI()
        cli.now = "2026-11-20T15:00:00Z"
        try cli.ok("add", "Dana Smith")
        try cli.ok("log", "dana", "--in", "--at", "2026-11-16T10:00:00Z")
        try cli.ok("log", "dana", "--in", "--at", "2026-11-19T10:00:00Z")
        let flags = { () throws -> [String] in
            let list = try #require(try cli.json("list", "--json") as? [[String: Any]])
            return list.first?["flags"] as? [String] ?? []
        }
        #expect(try flags().contains("non-responsive-risk"))
        try write(cli, "config.toml", "[policy]\nriskOpenCount = 5\nriskOpenBusinessDays = 10\n")
        #expect(try !flags().contains("non-responsive-risk"), "the file's thresholds are used")
        try write(cli, "config.toml", "[ui]\nsort = \"name\"\n")
        try cli.ok("add", "Aaron Able")
        let list = try #require(try cli.json("list", "--json") as? [[String: Any]])
        #expect(list.map { $0["name"] as? String ?? "" } == ["Aaron Able", "Dana Smith"], "[ui] sort is the default order")
    }

    @Test func aBrokenFileIsRefusedWithItsLineAndNothingIsWritten() throws {
        let cli = try CLI()
        try cli.ok("add", "Dana Smith")
        let before = (cli.snapshotBytes(), cli.journalBytes())
        try write(cli, "config.toml", "# mine\n[policy]\nbusinessDayStartHour = 9\nriskOpenCount = \"three\"\n")
        for args in [["config"], ["list"], ["add", "Kim Lee"], ["log", "dana", "--in"]] {
            let r = try cli.run(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr == "rapport: \(configDir(cli))/config.toml:4: policy.riskOpenCount: a whole number of at least 1, got \"three\"\n", "\(args): \(r.stderr)")
        }
        try write(cli, "config.toml", "[policy]\nriskOpenCount = 2\nfrobnicate = true\n")
        let unknown = try cli.run(["list"])
        #expect(unknown.status == 2 && unknown.stderr.hasPrefix("rapport: \(configDir(cli))/config.toml:3: policy.frobnicate: unknown key"))
        try write(cli, "config.toml", "[policy\n")
        let syntax = try cli.run(["list"])
        #expect(syntax.status == 2 && syntax.stderr.hasPrefix("rapport: \(configDir(cli))/config.toml:1:"), "\(syntax.stderr)")
        #expect(cli.snapshotBytes() == before.0 && cli.journalBytes() == before.1)
    }

    @Test func settingsJSONStillWorksAndMigrateMovesIt() throws {
        let cli = try CLI()
        try write(cli, "settings.json", #"{"my_name": "Sam Lee"}"#)
        var s = try settings(cli)
        #expect(s["me.name"]?.value as? String == "Sam Lee" && s["me.name"]?.origin == "settings.json")
        let offer = try cli.run(["config"])
        #expect(offer.stdout.contains("rapport config --migrate"))
        let moved = try cli.run(["config", "--migrate"])
        #expect(moved.status == 0 && moved.stdout.hasPrefix("Moved your name (\"Sam Lee\") from settings.json to [me] name in"), "\(moved.stdout)")
        let text = try String(contentsOfFile: configDir(cli) + "/config.toml", encoding: .utf8)
        #expect(text == "[me]\nname = \"Sam Lee\"\n")
        s = try settings(cli)
        #expect(s["me.name"]?.origin == "file")
        #expect(try !cli.run(["config"]).stdout.contains("--migrate"), "nothing left to offer")
        #expect(try cli.run(["config", "--migrate"]).stdout.hasPrefix("Nothing to move"))
        // {my_name} comes from config.toml now.
        try cli.ok("add", "Dana Smith")
        let shown = try cli.run(["template", "show", "check-in", "dana", "--set", "role=SRE"])
        #expect(shown.stdout.contains("Sam Lee"))
    }
}

@Suite struct DateWordsAndDictionaryCLITests {
    @Test func spelledOutDatesWorkWhereverWhenIsRead() throws {
        var cli = try CLI()
        cli.now = "2026-01-07T15:30:00Z"
        try cli.ok("add", "Dana Smith")
        try cli.ok("follow-up", "dana", "--due", "in 3 months", "--note", "check back")
        try cli.ok("expect", "dana", "--by", "next week")
        let show = try #require(try cli.json("show", "dana", "--json") as? [String: Any])
        let followUps = try #require(show["followUps"] as? [[String: Any]])
        #expect(followUps.first?["due"] as? String == "2026-04-07T15:30:00Z")
        let due = try #require(try cli.json("due", "--json") as? [[String: Any]])
        #expect(due.contains { $0["kind"] as? String == "expectation" && ($0["due"] as? String) == "2026-01-14T15:30:00Z" })
        let bad = try cli.run(["follow-up", "dana", "--due", "in three months"])
        #expect(bad.status == 2 && bad.stderr.contains("in 3 months"))
    }

    @Test func theDeclineTemplateShowsTheReengageDate() throws {
        var cli = try CLI()
        cli.now = "2026-01-07T15:30:00Z"
        try cli.ok("add", "Dana Smith")
        let r = try cli.run(["template", "show", "decline", "dana", "--reason", "it is on-site", "--set", "role=SRE",
                             "--set", "my_name=Sam", "--reengage", "in 3 months"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Could we pick this up again after April 7, 2026?"))
    }

    @Test func spellAddPutsWordsInThePersonalDictionary() throws {
        let cli = try CLI()
        let path = cli.store + "-config/rapport/dictionary"
        let added = try cli.run(["spell", "--add", "Qwertyova"])
        #expect(added.status == 0 && added.stdout == "Added 'Qwertyova' to \(path)\n")
        #expect(try cli.run(["spell", "--add", "qwertyova"]).stdout.contains("already in"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "Qwertyova\n")
        let bad = try cli.run(["spell", "--add", "two words"])
        #expect(bad.status == 2 && bad.stderr.contains("one word at a time"))
    }
}
