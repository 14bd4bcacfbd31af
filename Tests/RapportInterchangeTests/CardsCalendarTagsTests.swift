import Foundation
import RapportCore
import RapportDemo
import Testing
@testable import RapportInterchange

@Suite struct VCardIdentityAndFields {
    @Test func structuredNameOnlyWhenKnownAndNoEmptyProperties() throws {
        var r = Recruiter(name: "山田 太郎", firm: "", created: t0)
        r.emails = ["taro@example.jp", "yamada@example.jp"]
        let text = VCardWriter.write([r])
        #expect(text.contains("\r\nN:;;;;\r\n"))
        #expect(!text.contains("ORG:"))
        #expect(!text.contains("PHONE") && !text.contains("TEL"))
        #expect(text.contains("EMAIL;TYPE=work:taro@example.jp\r\n") && text.contains("EMAIL;TYPE=work:yamada@example.jp\r\n"))
        #expect(text.contains("X-RAPPORT-KIND:agency\r\n") && text.contains("X-RAPPORT-STATUS:active\r\n"))
        // No property with an empty value at all.
        for line in text.components(separatedBy: "\r\n") where !line.isEmpty {
            #expect(!line.hasSuffix(":"), "\(line)")
        }
    }

    @Test func everyEmailTelNameKindAndStatusSurviveARoundTrip() throws {
        let card = """
            BEGIN:VCARD
            VERSION:3.0
            UID:abc-123
            FN:Dr. Jean-Luc Picard, PhD
            N:Picard;Jean-Luc;;Dr.;PhD
            EMAIL:jl@starfleet.example
            EMAIL:captain@enterprise.example
            TEL:+1 555 0100
            TEL:+1 555 0101
            X-RAPPORT-KIND:in-house
            X-RAPPORT-STATUS:ally
            END:VCARD

            """
        var db = Database()
        try db.apply(VCardImporter.plan(card, into: db, now: t0).change)
        let r = try #require(db.recruiters.values.first)
        #expect(r.id == StableID.make(.recruiter, "uid:abc-123"))
        #expect(r.emails == ["jl@starfleet.example", "captain@enterprise.example"])
        #expect(r.kind == .inHouse && r.status == .ally)
        let out = VCardWriter.write([r])
        #expect(out.contains("N:Picard;Jean-Luc;;Dr.;PhD\r\n"))
        #expect(out.contains("TEL;VALUE=text;TYPE=work:+1 555 0100\r\n") && out.contains("TEL;VALUE=text:+1 555 0101\r\n"))
        let back = VCardReader.read(out).contacts[0]
        #expect(back.emails == r.emails && back.phones == ["+1 555 0100", "+1 555 0101"])
        #expect(back.kind == "in-house" && back.status == "ally")
    }

    @Test func sameNameWithDifferentKeysStaysTwoPeopleAndCardsInAFileNeverMerge() throws {
        let cards = """
            BEGIN:VCARD
            VERSION:4.0
            FN:John Smith
            EMAIL:john@one.example
            END:VCARD
            BEGIN:VCARD
            VERSION:4.0
            FN:John Smith
            EMAIL:john@two.example
            END:VCARD
            BEGIN:VCARD
            VERSION:4.0
            FN:John Smith
            END:VCARD
            BEGIN:VCARD
            VERSION:4.0
            FN:John Smith
            END:VCARD

            """
        let result = VCardImporter.plan(cards, into: Database(), now: t0)
        #expect(result.report.newRecruiters.count == 4)
        var db = Database()
        try db.apply(result.change)
        #expect(db.recruiters.count == 4)
        // Same ids on another device.
        #expect(VCardImporter.plan(cards, into: Database(), now: t0).changes == result.changes)
        // A store recruiter John Smith with another e-mail is neither keyed card's John;
        // the two cards with no key at all match him by name (nothing else exists).
        var other = Database()
        try other.apply(.putRecruiter(Recruiter(name: "John Smith", email: "john@three.example", created: t0)))
        let again = VCardImporter.plan(cards, into: other, now: t0)
        #expect(again.report.newRecruiters.count == 2 && again.report.alreadyPresent == 2)
    }

    @Test func theDemoDataSurvivesAnExportImportRoundTrip() throws {
        var demo = Database()
        try demo.apply(.batch(Demo.changes(recruiters: 50, messages: 0, seed: 7, now: t0)))
        #expect(demo.recruiters.count == 50)
        var copy = Database()
        try copy.apply(VCardImporter.plan(VCardWriter.write(demo.recruitersByName), into: copy, now: t0).change)
        #expect(copy.recruiters.count == 50)
        for (id, r) in demo.recruiters {
            let c = try #require(copy.recruiters[id])
            #expect(c.name == r.name && c.emails == r.emails && c.kind == r.kind && c.status == r.status && c.firm == r.firm)
        }
    }
}

@Suite struct CalendarAndTags {
    @Test func summaryHasNoEscapedNewlineAndAMetExpectationIsCompleted() throws {
        var db = Database()
        let r = Recruiter(name: "Rita", created: t0)
        let met = Expectation(recruiterID: r.id, by: t0.addingTimeInterval(3600), note: "Call back\nabout the role")
        let open = Expectation(recruiterID: r.id, by: t0.addingTimeInterval(30 * 86_400), note: "Offer")
        try db.apply(.batch([
            .putRecruiter(r), .putExpectation(met), .putExpectation(open),
            .putFollowUp(FollowUp(recruiterID: r.id, due: t0.addingTimeInterval(86_400), note: "Two\nlines")),
            .putMessage(Message(recruiterID: r.id, direction: .inbound, channel: .phone, at: t0.addingTimeInterval(1800), body: "called")),
        ]))
        let text = ICalendarWriter.write(db, now: t0.addingTimeInterval(7200), policy: .default)
        let todos = try ICalendarComponent.parse(text)[0].children
        for c in todos { #expect(c.property("SUMMARY")?.value.contains("\\n") == false) }
        let metTodo = try #require(todos.first { $0.property("UID")?.value == ICalendarWriter.uid("expectation", met.id) })
        #expect(metTodo.property("STATUS")?.value == "COMPLETED")
        #expect(metTodo.property("COMPLETED") != nil)
        #expect(metTodo.property("SUMMARY")?.value == "Expected from Rita: Call back about the role")
        let openTodo = try #require(todos.first { $0.property("UID")?.value == ICalendarWriter.uid("expectation", open.id) })
        #expect(openTodo.property("STATUS")?.value == "NEEDS-ACTION")
    }

    @Test func tagsWithSemicolonsRoundTripThroughCSV() throws {
        let tags = ["a;b", "back\\slash", "plain"]
        #expect(RapportCSV.splitTags(RapportCSV.joinTags(tags)) == tags)
        #expect(RapportCSV.splitTags("fintech;london") == ["fintech", "london"])
        var db = Database()
        try db.apply(.putRecruiter(Recruiter(name: "Rita", tags: tags, created: t0)))
        let csv = RapportCSV.recruiters(db, now: t0, policy: .default)
        var copy = Database()
        try copy.apply(RapportCSV.plan(csv, into: copy, now: t0).change)
        #expect(copy.recruiters.values.first?.tags == tags)
    }
}

@Suite struct VCardMatchesTheStore {
    @Test func aKeyedCardMatchesAStoreRecruiterWithoutKeysByNameButNotOneWithOtherKeys() throws {
        var db = Database()
        try db.apply(.batch([
            .putRecruiter(Recruiter(name: "Rita Recruiter", created: t0)),
            .putRecruiter(Recruiter(name: "Sam Sourcer", email: "sam@old.example", created: t0)),
        ]))
        let cards = "BEGIN:VCARD\nVERSION:4.0\nFN:Rita Recruiter\nEMAIL:rita@x.example\nEND:VCARD\n"
            + "BEGIN:VCARD\nVERSION:4.0\nFN:Sam Sourcer\nEMAIL:sam@new.example\nEND:VCARD\n"
            + "BEGIN:VCARD\nVERSION:4.0\nUID:other-device-uid\nFN:Rita Recruiter\nEND:VCARD\n"
        let result = VCardImporter.plan(cards, into: db, now: t0)
        #expect(result.report.alreadyPresent == 1)
        #expect(result.report.newRecruiters == ["Sam Sourcer", "Rita Recruiter"])
    }
}
