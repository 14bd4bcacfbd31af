import Foundation
import Testing
@testable import RapportCore

@Suite struct FieldChangeTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func base() throws -> (Database, Recruiter) {
        var db = Database()
        let r = Recruiter(name: "Dana Smith", firm: "Acme", email: "dana@acme.example", tags: ["fintech"], created: t0)
        try db.apply(.putRecruiter(r))
        return (db, r)
    }

    @Test func twoWritersEditingDifferentFieldsBothSurvive() throws {
        var (db, r) = try base()
        // Both built from the same old copy; applied one after the other.
        try db.apply(.setField(recruiter: r.id, field: .firm, value: "Globex"))
        try db.apply(.setStatus(recruiter: r.id, status: .declined, until: nil))
        try db.apply(.addEmail(recruiter: r.id, email: "dana@globex.example"))
        let now = try #require(db.recruiters[r.id])
        #expect(now.firm == "Globex")
        #expect(now.status == .declined)
        #expect(now.emails == ["dana@acme.example", "dana@globex.example"])
        r.firm = "Globex"
        #expect(now.name == r.name)
    }

    @Test(arguments: [
        Change.setField(recruiter: UUID(), field: .name, value: "Dana S."),
        .setField(recruiter: UUID(), field: .firm, value: nil),
        .setField(recruiter: UUID(), field: .kind, value: "in-house"),
        .setField(recruiter: UUID(), field: .timeZone, value: "Asia/Tokyo"),
        .setStatus(recruiter: UUID(), status: .dormant, until: Date(timeIntervalSince1970: 1_900_000_000)),
        .setTargeting(recruiter: UUID(), targeting: .blanket),
        .addTag(recruiter: UUID(), tag: "ai"),
        .addTag(recruiter: UUID(), tag: "fintech"),
        .removeTag(recruiter: UUID(), tag: "fintech"),
        .removeTag(recruiter: UUID(), tag: "absent"),
        .addEmail(recruiter: UUID(), email: "DANA@acme.example"),
        .addEmail(recruiter: UUID(), email: "d@other.example"),
        .removeEmail(recruiter: UUID(), email: "Dana@Acme.example"),
        .setChecklistItem(recruiter: UUID(), item: "profile", done: Date(timeIntervalSince1970: 1_800_000_100)),
        .setAgenda(recruiter: UUID(), agenda: "ask about the team"),
        .addReferral(recruiter: UUID(), referral: Referral(name: "Sam", at: Date(timeIntervalSince1970: 1_800_000_100))),
    ])
    func everyFieldChangeIsUndoneByItsInverse(_ template: Change) throws {
        var (db, r) = try base()
        let change = retarget(template, to: r.id)
        let before = db
        let inverse = try db.inverse(of: change)
        try db.apply(change)
        #expect(db != before || isNoOp(change, r), "\(change) changed nothing")
        try db.apply(inverse)
        #expect(db == before)
        r = db.recruiters[r.id]!
    }

    @Test func badValuesAreRefusedWithTheFieldNamedAndNothingChanges() throws {
        var (db, r) = try base()
        let before = db
        #expect(throws: ChangeError.invalidValue(field: "kind", value: "spy", expected: "agency, in-house or independent")) {
            try db.apply(.setField(recruiter: r.id, field: .kind, value: "spy"))
        }
        #expect(throws: ChangeError.self) { try db.apply(.setField(recruiter: r.id, field: .name, value: "  ")) }
        #expect(throws: ChangeError.unknownRecruiter(r.id == UUID() ? r.id : UUID(uuidString: "00000000-0000-0000-0000-000000000001")!)) {
            try db.apply(.addTag(recruiter: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!, tag: "x"))
        }
        #expect(db == before)
    }

    @Test func fieldChangesRoundTripThroughJSON() throws {
        let c = Change.batch([
            .setField(recruiter: UUID(), field: .notes, value: nil),
            .setStatus(recruiter: UUID(), status: .dormant, until: t0),
            .removeEmail(recruiter: UUID(), email: "a@b.example"),
        ])
        let enc = JSONEncoder()
        enc.dateEncodingStrategy = .iso8601
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .iso8601
        #expect(try dec.decode(Change.self, from: enc.encode(c)) == c)
    }

    @Test func oldSingleEmailRecordsStillRead() throws {
        let json = #"{"id":"482F2139-FD85-4CEF-971F-CE30045F1A95","name":"Dana","email":"dana@acme.example","created":"2027-01-15T08:00:00Z"}"#
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .iso8601
        let r = try dec.decode(Recruiter.self, from: Data(json.utf8))
        #expect(r.emails == ["dana@acme.example"])
        #expect(r.email == "dana@acme.example")
        let back = try JSONEncoder().encode(r)
        #expect(String(decoding: back, as: UTF8.self).contains(#""emails":["dana@acme.example"]"#))
    }

    @Test func stableIDsFollowRFC4122Version5() {
        // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
        let dns = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!
        #expect(StableID.v5(dns, "python.org") == UUID(uuidString: "886313e1-3b8a-5372-9b90-0c9aee199e5d"))
        #expect(StableID.make(.message, "mail:<a@b>") == StableID.make(.message, "mail:<a@b>"))
        #expect(StableID.make(.message, "mail:<a@b>") != StableID.make(.recruiter, "mail:<a@b>"))
        #expect(StableID.make(.message, "mail:<a@b>") != StableID.make(.message, "mail:<a@c>"))
    }

    func retarget(_ c: Change, to id: UUID) -> Change {
        switch c {
        case .setField(_, let f, let v): return .setField(recruiter: id, field: f, value: v)
        case .setStatus(_, let s, let u): return .setStatus(recruiter: id, status: s, until: u)
        case .setTargeting(_, let t): return .setTargeting(recruiter: id, targeting: t)
        case .addTag(_, let t): return .addTag(recruiter: id, tag: t)
        case .removeTag(_, let t): return .removeTag(recruiter: id, tag: t)
        case .addEmail(_, let e): return .addEmail(recruiter: id, email: e)
        case .removeEmail(_, let e): return .removeEmail(recruiter: id, email: e)
        case .setChecklistItem(_, let i, let d): return .setChecklistItem(recruiter: id, item: i, done: d)
        case .setAgenda(_, let a): return .setAgenda(recruiter: id, agenda: a)
        case .addReferral(_, let r): return .addReferral(recruiter: id, referral: r)
        case .removeReferral(_, let r): return .removeReferral(recruiter: id, referral: r)
        default: return c
        }
    }

    func isNoOp(_ c: Change, _ r: Recruiter) -> Bool {
        switch c {
        case .addTag(_, let t): return r.tags.contains(t)
        case .removeTag(_, let t): return !r.tags.contains(t)
        case .addEmail(_, let e): return r.hasEmail(e)
        default: return false
        }
    }
}
