import Foundation
import Testing
@testable import RapportCore
import RapportDemo

/// `Database.bulk` (how a snapshot is loaded) must build exactly what applying the same
/// records one change at a time builds.
struct BulkBuildTests {
    /// Demo data, flattened into the collections a snapshot holds.
    func collections(seed: UInt64) throws -> (Database, [Recruiter], [Message], [Opportunity], [FollowUp], [RapportCore.Expectation]) {
        var db = Database()
        for c in Demo.changes(recruiters: 40, messages: 400, seed: seed, now: Date(timeIntervalSince1970: 1_790_000_000)) {
            try db.apply(c)
        }
        let recruiters = Array(db.recruiters.values)
        return (db, recruiters, recruiters.flatMap { db.thread($0.id) }, Array(db.opportunities.values),
                Array(db.followUps.values), Array(db.expectations.values))
    }

    func incremental(_ r: [Recruiter], _ m: [Message], _ o: [Opportunity], _ f: [FollowUp], _ e: [RapportCore.Expectation]) throws -> Database {
        var db = Database()
        for x in r { try db.apply(.putRecruiter(x)) }
        for x in m { try db.apply(.putMessage(x)) }
        for x in o { try db.apply(.putOpportunity(x)) }
        for x in f { try db.apply(.putFollowUp(x)) }
        for x in e { try db.apply(.putExpectation(x)) }
        return db
    }

    @Test func bulkEqualsIncrementalWithShuffledMessages() throws {
        let (db, r, m, o, f, e) = try collections(seed: 7)
        #expect(m.count == 400)
        var rng = SeededGenerator(seed: 3)
        let shuffled = m.shuffled(using: &rng)
        let bulk = try Database.bulk(recruiters: r, messages: shuffled, opportunities: o, followUps: f, expectations: e)
        #expect(bulk == db)
        #expect(bulk == (try incremental(r, shuffled, o, f, e)))
        #expect(bulk.messageCount == 400)
        // The indexes behind the per-recruiter queries follow too.
        for x in r {
            #expect(bulk.thread(x.id) == db.thread(x.id))
            #expect(bulk.followUps(of: x.id) == db.followUps(of: x.id))
            #expect(bulk.expectations(of: x.id) == db.expectations(of: x.id))
            #expect(bulk.opportunities(of: x.id) == db.opportunities(of: x.id))
        }
        for x in m { #expect(bulk.message(x.id) == x) }
    }

    @Test func bulkFromThreadsEqualsBulkAndFallsBackOnUnsortedOrWrongThreads() throws {
        let (db, r, m, o, f, e) = try collections(seed: 13)
        let threads = r.map { db.thread($0.id) }
        let fast = try Database.bulk(recruiters: r, threads: threads, opportunities: o, followUps: f, expectations: e)
        #expect(fast == db)
        #expect(fast.messageCount == m.count)
        for x in m { #expect(fast.message(x.id) == x) }
        for x in r { #expect(fast.opportunities(of: x.id) == db.opportunities(of: x.id)) }
        // A thread out of order, a message under the wrong recruiter, an id twice: the
        // result is still what `bulk` over the flattened messages builds.
        let k = try #require(threads.firstIndex { $0.count >= 2 })
        var shuffled = threads
        shuffled[k].reverse()
        #expect(try Database.bulk(recruiters: r, threads: shuffled, opportunities: o, followUps: f, expectations: e) == db)
        var moved = threads
        let other = (k + 1) % r.count
        moved[other].append(moved[k].removeLast())
        let flat = try Database.bulk(recruiters: r, messages: moved.flatMap { $0 }, opportunities: o, followUps: f, expectations: e)
        #expect(try Database.bulk(recruiters: r, threads: moved, opportunities: o, followUps: f, expectations: e) == flat)
        var twice = threads
        twice[other].insert(threads[k][0], at: 0)
        #expect(try Database.bulk(recruiters: r, threads: twice) == (try Database.bulk(recruiters: r, messages: twice.flatMap { $0 })))
    }

    @Test func threadsAreSortedByTimeThenID() throws {
        let (_, r, m, _, _, _) = try collections(seed: 11)
        let bulk = try Database.bulk(recruiters: r, messages: m.reversed())
        for x in r {
            let t = bulk.thread(x.id)
            for (a, b) in zip(t, t.dropFirst()) { #expect(a.at < b.at || (a.at == b.at && uuidLess(a.id, b.id))) }
        }
        // Same moment: ordered by id.
        let who = r[0].id
        let at = Date(timeIntervalSince1970: 1_000)
        let same = (0..<5).map { _ in Message(recruiterID: who, direction: .inbound, at: at) }
        let built = try Database.bulk(recruiters: r, messages: same.reversed())
        #expect(built.thread(who).map(\.id) == same.map(\.id).sorted(by: uuidLess))
    }

    @Test func aRepeatedMessageIDKeepsTheLaterRecordLikePutMessage() throws {
        let (_, r, m, _, _, _) = try collections(seed: 5)
        var moved = m[3]
        moved.recruiterID = r.first { $0.id != m[3].recruiterID }!.id
        moved.subject = "moved"
        let records = m + [moved]
        let bulk = try Database.bulk(recruiters: r, messages: records)
        #expect(bulk == (try incremental(r, records, [], [], [])))
        #expect(bulk.message(moved.id)?.subject == "moved")
        #expect(bulk.messageCount == m.count)
    }

    @Test func unknownRecruiterAndRepeatedRecruiterNameTheRecord() throws {
        let (_, r, m, _, _, _) = try collections(seed: 9)
        let stranger = UUID()
        var bad = m
        bad[17].recruiterID = stranger
        do {
            _ = try Database.bulk(recruiters: r, messages: bad)
            Issue.record("an unknown recruiter was accepted")
        } catch {
            #expect(error.collection == "messages")
            #expect(error.index == 17)
            #expect(error.reason == ChangeError.unknownRecruiter(stranger).description)
        }
        do {
            _ = try Database.bulk(recruiters: r + [r[2]], messages: [])
            Issue.record("a repeated recruiter id was accepted")
        } catch {
            #expect(error.collection == "recruiters")
            #expect(error.index == r.count)
        }
    }
}
