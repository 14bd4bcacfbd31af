import Foundation
import Testing
@testable import RapportCore

/// `Database.storedDigests`: a recruiter keeps its digest only while nothing of its data changes.
@Suite struct StoredDigestTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func twoRecruiters() throws -> (Database, Recruiter, Recruiter, Message) {
        let a = Recruiter(name: "Ada", created: t0), b = Recruiter(name: "Bo", created: t0)
        let m = Message(recruiterID: a.id, direction: .inbound, at: t0)
        var db = Database()
        try db.apply(.batch([.putRecruiter(a), .putRecruiter(b), .putMessage(m)]))
        db.adoptStoredDigests([a.id: 1, b.id: 2])
        return (db, a, b, m)
    }

    @Test func everyKindOfChangeDropsOnlyItsRecruitersDigest() throws {
        let (base, a, b, m) = try twoRecruiters()
        let changes: [Change] = [
            .putMessage(Message(recruiterID: a.id, direction: .outbound, at: t0.addingTimeInterval(60))),
            .removeMessage(m.id),
            .setField(recruiter: a.id, field: .firm, value: "Acme"),
            .addTag(recruiter: a.id, tag: "x"),
            .putFollowUp(FollowUp(recruiterID: a.id, due: t0)),
            .putOpportunity(Opportunity(recruiterID: a.id, role: "Dev")),
            .putExpectation(Expectation(recruiterID: a.id, by: t0)),
            .removeRecruiter(a.id),
        ]
        for change in changes {
            var db = base
            try db.apply(change)
            #expect(db.storedDigest(of: a.id) == nil, "\(change)")
            #expect(db.storedDigest(of: b.id) == 2, "\(change)")
        }
    }

    @Test func movingARecordDropsBothOwners() throws {
        var (db, a, b, _) = try twoRecruiters()
        let f = FollowUp(recruiterID: a.id, due: t0)
        try db.apply(.putFollowUp(f))
        db.adoptStoredDigests([a.id: 1, b.id: 2])
        var moved = f
        moved.recruiterID = b.id
        try db.apply(.putFollowUp(moved))
        #expect(db.storedDigest(of: a.id) == nil)
        #expect(db.storedDigest(of: b.id) == nil)
    }

    @Test func digestsAreNotPartOfEquality() throws {
        let (db, _, _, _) = try twoRecruiters()
        var other = db
        other.adoptStoredDigests([:])
        #expect(db == other)
    }
}
