import Foundation
import Testing
import RapportCore
@testable import RapportStore

/// The hand-written Codable in ModelCoding.swift must know every stored property; a
/// property it forgets would be silently dropped on save. These fail when a field is
/// added to a model without adding it there.
@Suite struct ModelCodingTests {
    func labels(_ value: Any) -> Set<String> {
        Set(Mirror(reflecting: value).children.compactMap(\.label)).subtracting(["extra"])
    }

    @Test func everyStoredPropertyHasACodingKey() {
        let id = UUID()
        #expect(labels(Recruiter(name: "x", created: t0)) == Recruiter.codingKeys)
        #expect(labels(Message(recruiterID: id, direction: .inbound, at: t0)) == Message.codingKeys)
        #expect(labels(Opportunity(recruiterID: id, role: "r")) == Opportunity.codingKeys)
        #expect(labels(FollowUp(recruiterID: id, due: t0)) == FollowUp.codingKeys)
        #expect(labels(Expectation(recruiterID: id, by: t0)) == Expectation.codingKeys)
        #expect(labels(Snapshot(Database(), seq: 0)) == Snapshot.knownKeys)
    }

    @Test func everyFieldSurvivesEncodeAndDecode() throws {
        let r = Recruiter(name: "Full", firm: "F", kind: .inHouse, targeting: .blanket, email: "e@x.test", phone: "+1 555",
                          linkedin: "in/x", timeZone: "Europe/Berlin", tags: ["a", "b"], notes: "n", status: .ally, created: t0,
                          flags: [FlagRecord(flag: .cold, since: t0)], extra: ["x": .array([.number("-1.5"), .null])])
        let m = Message(recruiterID: r.id, direction: .outbound, channel: .linkedin, at: t0, subject: "s", body: "b",
                        noReplyNeeded: true, extra: ["y": .bool(false)])
        let o = Opportunity(recruiterID: r.id, role: "SRE", employer: "E", stage: .offer,
                            interviews: [InterviewEvent(at: t0, durationMinutes: 45, interviewers: ["Q"])], nextStep: "call")
        let f = FollowUp(recruiterID: r.id, due: t0, note: "n", done: t0, snoozedUntil: t0)
        let e = Expectation(recruiterID: r.id, by: t0, note: "n")
        let change = Change.batch([.putRecruiter(r), .putMessage(m), .putOpportunity(o), .putFollowUp(f), .putExpectation(e)])
        let line = try StoreCoding.encodeLine(seq: 1, change: change)
        #expect(JSONCheck.check(Array(line.dropLast())) == nil)
        let back = try StoreCoding.decoder.decode(JournalLine.self, from: Data(line))
        #expect(back.seq == 1)
        #expect(back.change == change)
    }

    @Test func numbersKeepTheirValueAndInvalidOnesAreNeverWritten() throws {
        for n in ["0", "-42", "18446744073709551615", "0.1", "3.14159265358979323846264338327950288", "1e300", "-2.5E-7"] {
            let data = try JSONEncoder().encode([JSONValue.number(n)])
            let back = try JSONDecoder().decode([JSONValue].self, from: data)
            guard case .number(let text) = back[0] else { Issue.record("\(n) came back as \(back)"); continue }
            #expect(Double(text) == Double(n), "\(n) -> \(text)")
        }
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data("12345678901234567890123".utf8)) == .number("12345678901234567890123"))
        for bad in ["1e400", "NaN", "abc", "01", "1.", ""] {
            #expect(throws: EncodingError.self, "\(bad)") { try JSONEncoder().encode([JSONValue.number(bad)]) }
        }
    }
}

@Suite struct SnapshotOrderTests {
    @Test func recordsAreWrittenInTheOrderOfTheirIdStrings() throws {
        var db = Database()
        for _ in 0..<300 { try db.apply(.putRecruiter(Recruiter(name: "r", created: t0))) }
        let ids = Snapshot(db, seq: 0).recruiters.map(\.id.uuidString)
        #expect(ids == ids.sorted())
    }
}
