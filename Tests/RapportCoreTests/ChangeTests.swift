import Foundation
import Testing
@testable import RapportCore

@Suite struct ChangeTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func putAndRemoveRecruiterRoundTripsThroughInverse() throws {
        var db = Database()
        let r = Recruiter(name: "Dana Smith", created: t0)
        let add = Change.putRecruiter(r)
        let undo = try db.inverse(of: add)
        try db.apply(add)
        #expect(db.recruiters[r.id]?.name == "Dana Smith")
        try db.apply(undo)
        #expect(db.recruiters.isEmpty)
    }

    @Test func removingARecruiterTakesItsThreadAndUndoBringsItBack() throws {
        var db = Database()
        let r = Recruiter(name: "Kenji", created: t0)
        let m1 = Message(recruiterID: r.id, direction: .inbound, at: t0.addingTimeInterval(60))
        let m2 = Message(recruiterID: r.id, direction: .outbound, at: t0.addingTimeInterval(30))
        let f = FollowUp(recruiterID: r.id, due: t0.addingTimeInterval(3600))
        try db.apply(.batch([.putRecruiter(r), .putMessage(m1), .putMessage(m2), .putFollowUp(f)]))
        #expect(db.thread(r.id).map(\.id) == [m2.id, m1.id], "thread sorted by time")
        let before = db
        let remove = Change.removeRecruiter(r.id)
        let undo = try db.inverse(of: remove)
        try db.apply(remove)
        #expect(db.recruiters.isEmpty && db.messageCount == 0 && db.followUps.isEmpty)
        try db.apply(undo)
        #expect(db == before)
    }

    @Test func aBatchThatFailsHalfwayChangesNothing() {
        var db = Database()
        let r = Recruiter(name: "A", created: t0)
        let orphan = Message(recruiterID: UUID(), direction: .inbound, at: t0)
        #expect(throws: ChangeError.self) {
            try db.apply(.batch([.putRecruiter(r), .putMessage(orphan)]))
        }
        #expect(db.recruiters.isEmpty)
    }

    @Test func inverseOfABatchUndoesEveryStepInReverse() throws {
        var db = Database()
        let r = Recruiter(name: "A", created: t0)
        try db.apply(.putRecruiter(r))
        let before = db
        var renamed = r
        renamed.name = "B"
        let m = Message(recruiterID: r.id, direction: .outbound, at: t0)
        let change = Change.batch([.putRecruiter(renamed), .putMessage(m), .removeRecruiter(r.id)])
        let undo = try db.inverse(of: change)
        try db.apply(change)
        #expect(db.recruiters.isEmpty)
        try db.apply(undo)
        #expect(db == before)
    }
}

@Suite struct DatabaseIndexTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func perRecruiterLookupsFollowMovesAndRemovals() throws {
        var db = Database()
        let a = Recruiter(name: "A", created: t0), b = Recruiter(name: "B", created: t0)
        var f = FollowUp(recruiterID: a.id, due: t0)
        let o = Opportunity(recruiterID: a.id, role: "Engineer")
        let e = Expectation(recruiterID: b.id, by: t0)
        try db.apply(.batch([.putRecruiter(a), .putRecruiter(b), .putFollowUp(f), .putOpportunity(o), .putExpectation(e)]))
        #expect(db.followUps(of: a.id).map(\.id) == [f.id])
        f.recruiterID = b.id
        try db.apply(.putFollowUp(f))
        #expect(db.followUps(of: a.id).isEmpty)
        #expect(db.followUps(of: b.id).map(\.id) == [f.id])
        try db.apply(.removeRecruiter(b.id))
        #expect(db.followUps.isEmpty && db.expectations.isEmpty)
        #expect(db.opportunities(of: a.id).map(\.id) == [o.id])
        try db.apply(.removeOpportunity(o.id))
        #expect(db.opportunities(of: a.id).isEmpty)
    }

    @Test func threadsOrderTiesByIdBytes() throws {
        var db = Database()
        let r = Recruiter(name: "A", created: t0)
        try db.apply(.putRecruiter(r))
        let ids = (0..<20).map { _ in UUID() }
        for id in ids { try db.apply(.putMessage(Message(id: id, recruiterID: r.id, direction: .inbound, at: t0))) }
        #expect(db.thread(r.id).map(\.id) == ids.sorted { $0.uuidString < $1.uuidString })
    }
}

@Suite struct SameSecondTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// A reply logged in the same second as the message it answers closes it, whatever
    /// the (random) ids: within a second, inbound sorts before outbound.
    @Test func aReplyInTheSameSecondClosesTheMessage() throws {
        for _ in 0..<64 {
            var db = Database()
            let r = Recruiter(name: "Tie", created: t0)
            let inbound = Message(recruiterID: r.id, direction: .inbound, at: t0)
            let reply = Message(recruiterID: r.id, direction: .outbound, at: t0)
            try db.apply(.batch([.putRecruiter(r), .putMessage(reply), .putMessage(inbound)]))
            #expect(db.thread(r.id).map(\.direction) == [.inbound, .outbound])
            let s = Rules.status(of: r.id, in: db, now: t0, policy: .default)
            #expect(s.turn == .theirs)
            #expect(s.openMessageIDs.isEmpty)
        }
    }
}
