import Foundation
import RapportCore
import Testing
@testable import RapportInterchange

/// A small database with every kind of entity and awkward text.
func sampleDatabase() throws -> Database {
    var db = Database()
    let rita = Recruiter(
        id: UUID(uuidString: "11111111-1111-1111-1111-111111111111")!, name: "Rita Recruiter", firm: "Agency, Ltd; \"Best\"",
        kind: .inHouse, targeting: .blanket, email: "rita@agency.example", phone: "+44 20 7946 0000",
        linkedin: "https://www.linkedin.com/in/rita", timeZone: "Europe/London", tags: ["fintech", "london"],
        notes: "=HYPERLINK(\"http://evil\")\nline two, with comma", status: .ally, created: t0,
        flags: [FlagRecord(flag: .replyDue, since: t0)],
        // Research done, so `unprepared` (which depends on data CSV does not carry) stays down.
        checklist: Checklist(done: ["profile-reviewed": t0, "firm-vetted": t0], agenda: "Ship it"),
        extra: ["futureField": .array([.number("1"), .string("x")])])
    let zoe = Recruiter(id: UUID(uuidString: "22222222-2222-2222-2222-222222222222")!, name: "Zoë Ünal 李", created: t0)
    var changes: [Change] = [.putRecruiter(rita), .putRecruiter(zoe)]
    changes.append(.putMessage(Message(
        id: UUID(uuidString: "33333333-3333-3333-3333-333333333333")!, recruiterID: rita.id, direction: .inbound, channel: .linkedin,
        at: t0, subject: "-Role", body: "@here: +1 for the role;\r\nthanks, \\ backslash", extra: ["linkedinKey": .string("k")])))
    changes.append(.putMessage(Message(
        id: UUID(uuidString: "44444444-4444-4444-4444-444444444444")!, recruiterID: rita.id, direction: .outbound,
        at: t0.addingTimeInterval(3600), body: "'=already quoted", noReplyNeeded: true)))
    changes.append(.putOpportunity(Opportunity(
        id: UUID(uuidString: "55555555-5555-5555-5555-555555555555")!, recruiterID: rita.id, role: "Staff Engineer, Platform",
        employer: "Big; Co", stage: .interview,
        interviews: [InterviewEvent(id: UUID(uuidString: "66666666-6666-6666-6666-666666666666")!, at: t0.addingTimeInterval(86400),
                                    durationMinutes: 45, interviewers: ["Ann", "Bo"])],
        nextStep: "Send CV", checklist: Checklist(done: ["company-site-read": t0]))))
    changes.append(.putFollowUp(FollowUp(
        id: UUID(uuidString: "77777777-7777-7777-7777-777777777777")!, recruiterID: zoe.id, due: t0.addingTimeInterval(7200),
        note: "Send the CV, the portfolio; and a very long note that certainly needs folding because it goes on and on — ünïcödé 漢字 text")))
    changes.append(.putFollowUp(FollowUp(
        id: UUID(uuidString: "88888888-8888-8888-8888-888888888888")!, recruiterID: rita.id, due: t0, note: nil, done: t0)))
    changes.append(.putExpectation(Expectation(
        id: UUID(uuidString: "99999999-9999-9999-9999-999999999999")!, recruiterID: rita.id, by: t0.addingTimeInterval(500), note: "Call Tuesday 1pm")))
    try db.apply(.batch(changes))
    return db
}

@Suite struct JSONRoundTrip {
    @Test func exportImportExportIsIdentical() throws {
        let db = try sampleDatabase()
        let first = try RapportJSON.export(db)
        let plan = try RapportJSON.plan(first, into: Database())
        #expect(plan.report.newRecruiters.count == 2)
        #expect(plan.report.newMessages == 2)
        #expect(plan.report.newOpportunities == 1)
        #expect(plan.report.newFollowUps == 2)
        #expect(plan.report.newExpectations == 1)
        var copy = Database()
        try copy.apply(plan.change)
        // Everything but the flags, which each device derives for itself and export leaves out.
        var expected = db
        for r in db.recruiters.values where !r.flags.isEmpty {
            var bare = r
            bare.flags = []
            try expected.apply(.putRecruiter(bare))
        }
        #expect(db.recruiters.values.contains { !$0.flags.isEmpty })
        #expect(copy == expected)
        #expect(try RapportJSON.export(copy) == first)
        // Importing again adds nothing.
        let again = try RapportJSON.plan(first, into: copy)
        #expect(again.changes.isEmpty)
        #expect(again.report.alreadyPresent == 8)
    }

    @Test func addsOnlyWhatIsMissingAndSkipsOrphans() throws {
        let db = try sampleDatabase()
        let data = try RapportJSON.export(db)
        var partial = db
        try partial.apply(.removeMessage(UUID(uuidString: "44444444-4444-4444-4444-444444444444")!))
        let plan = try RapportJSON.plan(data, into: partial)
        #expect(plan.report.newMessages == 1)
        #expect(plan.changes.count == 1)
        let orphan = #"{"schemaVersion":1,"messages":[{"id":"AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA","recruiterID":"BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB","direction":"in","channel":"email","at":"2023-01-01T00:00:00Z","noReplyNeeded":false,"extra":{}}]}"#
        let o = try RapportJSON.plan(Data(orphan.utf8), into: Database())
        #expect(o.changes.isEmpty)
        #expect(o.report.skipped.count == 1)
    }

    @Test func brokenJSONSaysWhere() {
        do {
            _ = try RapportJSON.plan(Data(#"{"recruiters":[{"name":"x"}]}"#.utf8), into: Database(), file: "x.json")
            Issue.record("expected an error")
        } catch let e as InterchangeError {
            #expect(e.message.hasPrefix("x.json: recruiter 1 (x): the field \"id\" is missing"), "\(e.message)")
            #expect(!e.message.contains("DecodingError") && !e.message.contains("CodingKeys"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite struct CSVFormat {
    @Test func injectionCellsArePrefixedAndRestored() {
        let cases = ["=1+1", "+44 20", "-5", "@SUM(A1)", "\tTab", "\rCR", "'=x", "''=y", "'plain", "plain", "", "a=b"]
        let protected = cases.map(RapportCSV.protect)
        #expect(protected == ["'=1+1", "'+44 20", "'-5", "'@SUM(A1)", "'\tTab", "'\rCR", "''=x", "'''=y", "'plain", "plain", "", "a=b"])
        #expect(protected.map(RapportCSV.unprotect) == cases)
        // No exported cell starts with a formula character.
        for p in protected { #expect(!(p.first.map { "=+-@\t\r".contains($0) } ?? false)) }
    }

    @Test func rfc4180Quoting() {
        #expect(RapportCSV.row(["a", "b,c", "say \"hi\"", "two\nlines", " pad"]) == "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\"\r\n")
    }

    @Test func recruitersRoundTrip() throws {
        let db = try sampleDatabase()
        let first = RapportCSV.recruiters(db, now: t0, policy: .default)
        #expect(first.hasPrefix(RapportCSV.recruiterColumns.joined(separator: ",") + "\r\n"))
        #expect(first.contains("'=HYPERLINK"))
        #expect(first.contains(",'+44 20 7946 0000,"))
        // Every line ends with CRLF (RFC 4180) outside quoted cells.
        let plan = try RapportCSV.plan(first, into: Database(), now: t0)
        #expect(plan.report.newRecruiters.count == 2)
        #expect(plan.report.skipped.isEmpty)
        var copy = Database()
        try copy.apply(plan.change)
        // Messages come through the messages CSV.
        let messagesPlan = try RapportCSV.plan(RapportCSV.messages(db), into: copy, now: t0)
        #expect(messagesPlan.report.newMessages == 2)
        try copy.apply(messagesPlan.change)
        #expect(RapportCSV.recruiters(copy, now: t0, policy: .default) == first)
        #expect(RapportCSV.messages(copy) == RapportCSV.messages(db))
        let rita = try #require(copy.recruiters[UUID(uuidString: "11111111-1111-1111-1111-111111111111")!])
        #expect(rita.notes == "=HYPERLINK(\"http://evil\")\nline two, with comma")
        #expect(rita.phone == "+44 20 7946 0000")
        #expect(copy.thread(rita.id).first?.subject == "-Role")
        #expect(copy.thread(rita.id).last?.body == "'=already quoted")
        // Second import: 0 new.
        let again = try RapportCSV.plan(first, into: copy, now: t0)
        #expect(again.changes.isEmpty)
        #expect(again.report.summary.hasPrefix("0 new"))
    }

    @Test func malformedRowsAreSkippedWithLineNumbers() throws {
        let text = RapportCSV.row(RapportCSV.recruiterColumns)
            + "not-a-uuid,Ann,,agency,targeted,active,,,,,,,2023-01-01T00:00:00Z,,,\r\n"
            + ",Bob,,martian,targeted,active,,,,,,,,,,\r\n"
            + ",\"Multi\nline\",,agency,targeted,active,,,,,,,,,,\r\n"
            + ",Short,row\r\n"
            + ",Cleo,,agency,targeted,active,,,,,,,,,,\r\n"
        let plan = try RapportCSV.plan(text, into: Database(), now: t0)
        #expect(plan.report.newRecruiters == ["Multi\nline", "Cleo"])
        #expect(plan.report.skipped.map(\.line) == [2, 3, 6])
        #expect(plan.report.skipped[1].reason.contains("martian"))
    }
}

@Suite struct VCardFormat {
    @Test func readsFoldedQuotedPrintableAndSeveralCards() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rita\r\n  Recruiter\r\nN:Recruiter;Rita;;;\r\nORG:Agency\\, Ltd;Sourcing\r\n"
            + "TITLE:Senior Technical Recruiter\r\nEMAIL;TYPE=INTERNET:rita@agency.example\r\nTEL;TYPE=CELL:+44 1\r\n"
            + "URL:https://www.linkedin.com/in/rita\r\nNOTE:Met at a meetup\\nLikes Swift\r\nCATEGORIES:fintech,london\r\nEND:VCARD\r\n"
            + "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=9Cnal;Zo=C3=AB;;;\n"
            + "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Zo=C3=AB =C3=9Cnal with a very long name that is soft=\n-broken\nEND:VCARD\n"
            + "BEGIN:VCARD\nVERSION:4.0\nFN:李小龍\nEMAIL:li@example.com\nEND:VCARD\n"
            + "BEGIN:VCARD\nVERSION:4.0\nEMAIL:nameless@example.com\nEND:VCARD\n"
            + "BEGIN:VCARD\nVERSION:4.0\nFN:Never closed\n"
        let (cards, skipped) = VCardReader.read(text)
        #expect(cards.count == 4)
        #expect(cards[0].formattedName == "Rita Recruiter")
        #expect(cards[0].organization == "Agency, Ltd")
        #expect(cards[0].note == "Met at a meetup\nLikes Swift")
        #expect(cards[0].categories == ["fintech", "london"])
        #expect(cards[1].formattedName == "Zoë Ünal with a very long name that is soft-broken")
        #expect(cards[1].nameParts.prefix(2) == ["Ünal", "Zoë"])
        #expect(cards[2].displayName == "李小龍")
        #expect(skipped.map(\.line) == [29])
        let plan = VCardImporter.plan(text, into: Database(), now: t0)
        #expect(plan.report.newRecruiters == ["Rita Recruiter", "Zoë Ünal with a very long name that is soft-broken", "李小龍"])
        #expect(plan.report.skipped.map(\.line) == [29, 25])
        var db = Database()
        try? db.apply(plan.change)
        let rita = db.recruiters.values.first { $0.name == "Rita Recruiter" }
        #expect(rita?.linkedin == "https://www.linkedin.com/in/rita")
        #expect(rita?.firm == "Agency, Ltd")
        #expect(VCardImporter.plan(text, into: db, now: t0).changes.isEmpty)
    }

    @Test func writerRoundTripsThroughTheReader() throws {
        let db = try sampleDatabase()
        let text = VCardWriter.write(db.recruitersByName)
        for line in text.components(separatedBy: "\r\n").dropLast() { #expect(line.utf8.count <= 75) }
        #expect(text.hasSuffix("END:VCARD\r\n"))
        let (cards, skipped) = VCardReader.read(text)
        #expect(skipped.isEmpty)
        #expect(cards.map(\.version) == ["4.0", "4.0"])
        let rita = try #require(cards.first { $0.formattedName == "Rita Recruiter" })
        #expect(rita.organization == "Agency, Ltd; \"Best\"")
        #expect(rita.note == "=HYPERLINK(\"http://evil\")\nline two, with comma")
        #expect(rita.uid == "urn:uuid:11111111-1111-1111-1111-111111111111")
        #expect(rita.categories == ["fintech", "london"])
        // Re-import into the same store: matched by UID.
        #expect(VCardImporter.plan(text, into: db, now: t0).report.alreadyPresent == 2)
        // Into an empty store: same ids and fields.
        var copy = Database()
        try copy.apply(VCardImporter.plan(text, into: Database(), now: t0).change)
        let r = try #require(copy.recruiters[UUID(uuidString: "11111111-1111-1111-1111-111111111111")!])
        #expect(r.email == "rita@agency.example")
        #expect(r.phone == "+44 20 7946 0000")
        #expect(r.timeZone == "Europe/London")
    }
}

@Suite struct ICalendarFormat {
    @Test func followsRFC5545LineRules() throws {
        let db = try sampleDatabase()
        let ics = ICalendarWriter.write(db, now: t0, policy: .default)
        // CRLF everywhere: no bare LF or CR.
        let bytes = Array(ics.utf8)
        for (i, b) in bytes.enumerated() {
            if b == 0x0A { #expect(i > 0 && bytes[i - 1] == 0x0D) }
            if b == 0x0D { #expect(i + 1 < bytes.count && bytes[i + 1] == 0x0A) }
        }
        #expect(ics.hasSuffix("END:VCALENDAR\r\n"))
        let physical = ics.components(separatedBy: "\r\n").dropLast()
        var folded = 0
        for line in physical {
            #expect(line.utf8.count <= 75, "line over 75 octets: \(line)")
            #expect(String(validating: Array(line.utf8), as: UTF8.self) != nil)
            if line.hasPrefix(" ") { folded += 1 }
        }
        #expect(folded > 0)
        // Folded pieces join back to the escaped text, never splitting a character.
        let comps = try ICalendarComponent.parse(ics)
        #expect(comps.count == 1 && comps[0].name == "VCALENDAR")
        let cal = comps[0]
        #expect(cal.property("VERSION")?.value == "2.0")
        #expect(cal.property("PRODID") != nil)
        let todos = cal.children.filter { $0.name == "VTODO" }
        let events = cal.children.filter { $0.name == "VEVENT" }
        #expect(todos.count == 3)
        #expect(events.count == 1)
        for c in cal.children {
            #expect(c.property("UID") != nil)
            #expect(c.property("DTSTAMP")?.value == "20231114T221320Z")
        }
        let followUp = try #require(todos.first { $0.property("UID")?.value == "follow-up-77777777-7777-7777-7777-777777777777@rapport" })
        #expect(followUp.property("DUE")?.value == "20231115T001320Z")
        let summary = try #require(followUp.property("SUMMARY")?.value)
        #expect(summary.contains("the CV\\, the portfolio\\; and"))
        #expect(ContentLines.unescape(Substring(summary)).hasSuffix("ünïcödé 漢字 text"))
        let done = try #require(todos.first { $0.property("UID")?.value.hasPrefix("follow-up-8888") == true })
        #expect(done.property("STATUS")?.value == "COMPLETED")
        let interview = events[0]
        #expect(interview.property("DTSTART")?.value == "20231115T221320Z")
        #expect(interview.property("DTEND")?.value == "20231115T225820Z")
        #expect(interview.property("SUMMARY")?.value == "Interview: Staff Engineer\\, Platform at Big\\; Co (via Rita Recruiter)")
    }

    @Test func uidsAreStableAcrossRuns() throws {
        let db = try sampleDatabase()
        let uids = { (now: Date) in
            try ICalendarComponent.parse(ICalendarWriter.write(db, now: now, policy: .default))[0].children.compactMap { $0.property("UID")?.value }
        }
        // Same data, same moment: the same UIDs, in the same order.
        #expect(try uids(t0) == uids(t0))
        // Later, deadlines may appear (a thank-you after the interview), but every entry
        // that was there keeps its UID, so a calendar updates instead of duplicating.
        let a = try uids(t0), b = try uids(t0.addingTimeInterval(99_999))
        #expect(Set(a).isSubset(of: Set(b)))
        #expect(Set(a).count == a.count)
    }

    @Test func escapingAndFolding() {
        // Other control characters have no escape in the format: their visible form.
        #expect(ContentLines.escape("a\\b;c,d\ne\r\nf\u{7}\u{9B}\u{202E}") == "a\\\\b\\;c\\,d\\ne\\nf^G<9B><U+202E>")
        #expect(ContentLines.unescape(Substring("a\\\\b\\;c\\,d\\ne")) == "a\\b;c,d\ne")
        // 3-byte characters: a fold never splits one.
        let line = "SUMMARY:" + String(repeating: "漢", count: 60)
        let folded = ContentLines.fold(line)
        let parts = folded.components(separatedBy: "\r\n").dropLast()
        #expect(parts.count > 1)
        for (i, p) in parts.enumerated() {
            #expect(p.utf8.count <= 75)
            if i > 0 { #expect(p.hasPrefix(" ")) }
        }
        #expect(parts.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.dropFirst()) }.joined() == line)
        #expect(ContentLines.unfold(folded).map(\.text) == [line])
    }

    @Test func unbalancedComponentsAreRejected() {
        #expect(throws: InterchangeError.self) { _ = try ICalendarComponent.parse("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nEND:VCALENDAR\r\n") }
        #expect(throws: InterchangeError.self) { _ = try ICalendarComponent.parse("BEGIN:VCALENDAR\r\n") }
    }
}

@Suite struct TextDecoding {
    @Test func bomAndWindows1252() {
        #expect(TextRepair.decode(Data([0xEF, 0xBB, 0xBF, 0x41])) == "A")
        #expect(TextRepair.decode(Data([0x52, 0x65, 0x6E, 0xE9, 0x65, 0x20, 0x93, 0x78, 0x94])) == "Renée \u{201C}x\u{201D}")
    }

    @Test func htmlDecoding() {
        #expect(TextRepair.decodeHTML("a &amp; b &lt;c&gt; &#39;d&#x27; &unknown; & e") == "a & b <c> 'd' &unknown; & e")
        #expect(TextRepair.decodeHTML("<p>Hello</p><p>World<br/>again</p>") == "Hello\nWorld\nagain")
        #expect(TextRepair.decodeHTML("x < y and a<b") == "x < y and a<b")
    }
}

/// Debian's python3-icalendar, when installed, as an independent RFC 5545 parser.
enum PythonICalendar {
    static let python = "/usr/bin/python3"

    static var available: Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        return (try? run(["-c", "import icalendar"]).status) == 0
    }

    static func run(_ args: [String]) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite struct ICalendarStandardParser {
    @Test(.enabled(if: PythonICalendar.available, "python3-icalendar is not installed"))
    func pythonIcalendarReadsEveryDeadline() throws {
        let db = try sampleDatabase()
        let ics = ICalendarWriter.write(db, now: t0, policy: .default)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-\(UUID().uuidString).ics")
        try Data(ics.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import sys, icalendar
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
            for c in cal.walk():
                if c.name in ('VTODO', 'VEVENT'):
                    when = c.get('DUE') or c.get('DTSTART')
                    print('|'.join([c.name, str(c['UID']), when.dt.strftime('%Y%m%dT%H%M%SZ'), str(c['SUMMARY'])]))
            """
        let (status, out) = try PythonICalendar.run(["-c", script, file.path])
        #expect(status == 0)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.contains("VTODO|follow-up-77777777-7777-7777-7777-777777777777@rapport|20231115T001320Z|Follow up with Zoë Ünal 李: Send the CV, the portfolio; and a very long note that certainly needs folding because it goes on and on — ünïcödé 漢字 text"))
        #expect(lines.contains("VEVENT|interview-66666666-6666-6666-6666-666666666666@rapport|20231115T221320Z|Interview: Staff Engineer, Platform at Big; Co (via Rita Recruiter)"))
        #expect(lines.contains { $0.hasPrefix("VTODO|expectation-99999999-9999-9999-9999-999999999999@rapport|20231114T222140Z|Expected from Rita Recruiter: Call Tuesday 1pm") })
        #expect(lines.contains { $0.hasPrefix("VTODO|follow-up-88888888-8888-8888-8888-888888888888@rapport|") })
    }
}
