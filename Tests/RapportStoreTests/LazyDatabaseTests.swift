#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import RapportCore
@testable import RapportStore

/// A database opened over `store.cache` (`Store.open(…lazy: true)`): each recruiter read
/// when first asked for, yet every answer and every change the same as with everything
/// read at once.
@Suite(.serialized) struct LazyDatabaseTests {
    func cachePath(_ p: AppPaths) -> String { p.path(DatabaseCache.fileName) }

    /// A compacted store of `n` recruiters with threads, opportunities, follow-ups,
    /// expectations and flags, and a valid cache.
    func store(_ p: AppPaths, recruiters n: Int = 40) throws -> Store {
        let s = try makeSampleStore(p)
        for k in 0..<n {
            let r = Recruiter(name: "R\(k) \(k % 3 == 0 ? "Ünï" : "x")", firm: k % 2 == 0 ? "Firm \(k)" : nil, created: t0,
                              flags: k % 5 == 0 ? [FlagRecord(flag: .cold, since: t0)] : [],
                              extra: k % 7 == 0 ? ["future": .string("v\(k)")] : [:])
            try s.apply(.putRecruiter(r))
            for i in 0..<(k % 6) {
                try s.apply(.putMessage(Message(recruiterID: r.id, direction: i % 2 == 0 ? .inbound : .outbound,
                                                at: t0.addingTimeInterval(Double(i * 3600 + k)), subject: "s\(i)",
                                                body: i % 3 == 0 ? nil : "body \(i) ✓")))
            }
            if k % 4 == 0 { try s.apply(.putFollowUp(FollowUp(recruiterID: r.id, due: t0.addingTimeInterval(Double(k) * 600)))) }
            if k % 9 == 0 { try s.apply(.putExpectation(Expectation(recruiterID: r.id, by: t0.addingTimeInterval(7200)))) }
            if k % 6 == 0 {
                try s.apply(.putOpportunity(Opportunity(recruiterID: r.id, role: "Dev", employer: "E",
                                                        interviews: [InterviewEvent(at: t0.addingTimeInterval(9000))])))
            }
        }
        try s.compact()
        return s
    }

    /// Every reading accessor gives the same answers on both.
    func expectSameAnswers(_ lazy: Database, _ eager: Database, _ context: String = "") {
        #expect(lazy == eager, "\(context)")
        #expect(lazy.recruiterCount == eager.recruiterCount && lazy.messageCount == eager.messageCount, "\(context)")
        #expect(Set(lazy.recruiterIDs) == Set(eager.recruiters.keys), "\(context)")
        #expect(Set(lazy.recruiterNames.map { "\($0.id) \($0.name)" }) == Set(eager.recruiters.values.map { "\($0.id) \($0.name)" }),
                "\(context)")
        for id in eager.recruiters.keys {
            #expect(lazy.recruiter(id) == eager.recruiters[id], "\(context)")
            #expect(lazy.thread(id) == eager.thread(id), "\(context)")
            let prefix = String(id.uuidString.prefix(6)).lowercased()
            #expect(lazy.recruiters(withIDPrefix: prefix).map(\.id) == eager.recruiters(withIDPrefix: prefix).map(\.id), "\(context)")
        }
        for (mid, owner) in eager.messageOwner {
            #expect(lazy.owner(ofMessage: mid) == owner, "\(context)")
            #expect(lazy.message(mid) == eager.message(mid), "\(context)")
            let prefix = String(mid.uuidString.prefix(5))
            #expect(lazy.messages(withIDPrefix: prefix) == eager.messages(withIDPrefix: prefix), "\(context)")
        }
        for id in eager.recruiters.keys {
            #expect(lazy.opportunities(of: id) == eager.opportunities(of: id), "\(context)")
            #expect(lazy.followUps(of: id) == eager.followUps(of: id), "\(context)")
            #expect(lazy.expectations(of: id) == eager.expectations(of: id), "\(context)")
            #expect(lazy.hasDuplicateSubmission(id) == eager.hasDuplicateSubmission(id), "\(context)")
        }
        for (id, o) in eager.opportunities { #expect(lazy.opportunity(id) == o, "\(context)") }
        for (id, f) in eager.followUps { #expect(lazy.followUp(id) == f, "\(context)") }
        for (id, e) in eager.expectations { #expect(lazy.expectation(id) == e, "\(context)") }
        let someIDs = eager.followUps.keys.map(\.uuidString) + eager.expectations.keys.map(\.uuidString)
            + eager.opportunities.values.flatMap { $0.interviews.map(\.id.uuidString) }
        for text in someIDs.map({ String($0.prefix(4)) }) + ["0", "A", "F"] {
            let a = lazy.records(withIDPrefix: text), b = eager.records(withIDPrefix: text)
            #expect(a.followUps == b.followUps && a.expectations == b.expectations && a.interviewOwners == b.interviewOwners, "\(context) \(text)")
        }
        #expect(lazy.owner(ofMessage: UUID()) == nil && lazy.recruiter(UUID()) == nil, "\(context)")
        #expect(lazy.messageOwner == eager.messageOwner, "\(context)")
    }

    @Test func aLazyOpenGivesWhatTheJSONGives() throws {
        let dir = TempDir()
        _ = try store(dir.paths)
        let lazy = try StoreLoader.load(dir.paths, useCache: true, lazy: true)
        #expect(lazy.fromCache && lazy.db.base != nil)
        let json = try StoreLoader.load(dir.paths, useCache: false)
        expectSameAnswers(lazy.db, json.db)
        #expect(lazy.flags.isEmpty && lazy.storedFlags?.flagTable() == json.flags, "flags read when asked for")
        // Nothing but what was asked for was read: a fresh lazy database reads no block
        // for a lookup by id.
        let fresh = try StoreLoader.load(dir.paths, useCache: true, lazy: true).db
        let blocks = try #require(fresh.base as? StoredBlocks)
        #expect(fresh.recruiterNames.count == json.db.recruiters.count)
        #expect(blocks.decodedCount == 0, "names are read without the blocks")
        let first = json.db.recruiters.keys.first!
        _ = fresh.recruiter(first)
        #expect(blocks.decodedCount == 0 && blocks.recordsRead == 1, "a record is read without its thread")
        _ = fresh.thread(first)
        #expect(blocks.decodedCount == 1)
        #expect(fresh.recruiter(first) == json.db.recruiters[first])
    }

    @Test func changesToALazyDatabaseMatchTheSameChangesMadeInMemory() throws {
        let dir = TempDir()
        _ = try store(dir.paths)
        var lazy = try StoreLoader.load(dir.paths, useCache: true, lazy: true).db
        var eager = try StoreLoader.load(dir.paths, useCache: false).db
        let ids = eager.recruiters.keys.sorted(by: uuidLess)
        let a = try #require(ids.first { eager.thread($0).count >= 2 })
        let others = ids.filter { $0 != a }
        let b = others[17], c = others[30]
        let moved = try #require(eager.thread(a).first)
        var movedThere = moved
        movedThere.recruiterID = c
        let newR = Recruiter(name: "New", created: t0)
        let changes: [Change] = [
            .putMessage(Message(recruiterID: a, direction: .inbound, at: t0.addingTimeInterval(99_999), subject: "new")),
            .putMessage(movedThere),
            .setField(recruiter: b, field: .firm, value: "Changed"),
            .removeRecruiter(b),
            .putRecruiter(newR),
            .putMessage(Message(recruiterID: newR.id, direction: .outbound, at: t0)),
            .removeMessage(movedThere.id),
            .restoreRecruiter(RecruiterRecord(recruiter: Recruiter(id: b, name: "Back", created: t0), messages: [],
                                              opportunities: [], followUps: [], expectations: [])),
            .putFollowUp(FollowUp(recruiterID: c, due: t0)),
            .putOpportunity(Opportunity(recruiterID: a, role: "Dev", employer: "E")),
            .removeOpportunity(try #require(eager.opportunities.values.first { $0.recruiterID != a && $0.recruiterID != b }).id),
            .removeFollowUp(try #require(eager.followUps.values.first { $0.recruiterID != c && $0.recruiterID != b }).id),
            .removeExpectation(try #require(eager.expectations.values.first { $0.recruiterID != b }).id),
        ]
        for change in changes {
            let inverseLazy = try lazy.applyReturningInverse(change)
            let inverseEager = try eager.applyReturningInverse(change)
            #expect(inverseLazy == inverseEager, "\(change)")
            expectSameAnswers(lazy, eager, "after \(change)")
        }
        // A change naming what does not exist is refused on both.
        #expect(throws: ChangeError.self) { try lazy.apply(.removeMessage(UUID())) }
        #expect(throws: ChangeError.self) { try lazy.apply(.putMessage(Message(recruiterID: UUID(), direction: .inbound, at: t0))) }
        #expect(lazy.materialized() == eager && lazy.materialized().base == nil)
    }

    @Test func digestsFollowTheDataAcrossCacheRewrites() throws {
        let dir = TempDir()
        _ = try store(dir.paths)
        let eager = try StoreLoader.load(dir.paths, useCache: true)
        let lazy = try StoreLoader.load(dir.paths, useCache: true, lazy: true)
        #expect(!eager.db.storedDigests.isEmpty)
        #expect(eager.db.storedDigests == lazy.db.storedDigests)
        #expect(Set(eager.db.storedDigests.keys) == Set(eager.db.recruiters.keys))
        let ids = eager.db.recruiters.keys.sorted(by: uuidLess)
        let touched = ids[4], fuOwner = ids[8], other = ids[9]
        // A message, and a follow-up (a side record): both owners' digests change, no other.
        // (A process of its own, so its data is what is stored; the cache is rewritten
        // from memory when it closes.)
        let s = try Store.open(dir.paths, lazy: true)
        try s.apply(.putMessage(Message(recruiterID: touched, direction: .inbound, at: t0.addingTimeInterval(1e5))))
        try s.apply(.putFollowUp(FollowUp(recruiterID: fuOwner, due: t0)))
        try s.close(compact: false)
        let after = try StoreLoader.load(dir.paths, useCache: true, lazy: true).db
        #expect(after.storedDigest(of: touched) != eager.db.storedDigest(of: touched))
        #expect(after.storedDigest(of: fuOwner) != eager.db.storedDigest(of: fuOwner))
        #expect(after.storedDigest(of: other) == eager.db.storedDigest(of: other))
        var changed = 0
        for id in ids where after.storedDigest(of: id) != eager.db.storedDigest(of: id) { changed += 1 }
        #expect(changed == 2)
        // A lazy database drops a digest as soon as its recruiter changes.
        var db = after
        try db.apply(.setField(recruiter: other, field: .firm, value: "x"))
        #expect(db.storedDigest(of: other) == nil && db.storedDigest(of: touched) == after.storedDigest(of: touched))
    }

    @Test func aCacheWrittenFromALazyDatabaseIsTheOneAFullEncodeWrites() throws {
        let dir = TempDir()
        _ = try store(dir.paths)
        let s = try Store.open(dir.paths, lazy: true)
        let ids = s.database.recruiterIDs.sorted(by: uuidLess)
        try s.apply(.putMessage(Message(recruiterID: ids[2], direction: .inbound, at: t0.addingTimeInterval(5e5))))
        try s.apply(.removeRecruiter(ids[11]))
        #expect(s.database.base != nil)
        let id = try #require(DatabaseCache.SnapshotIdentity.of(dir.paths.snapshot))
        let source = DatabaseCache.Source(snapshot: id, snapshotHash: 1, journalHash: 2)
        func contents(_ db: Database) -> DatabaseCache.Contents {
            DatabaseCache.Contents(db: db, flags: s.persistedFlags, schemaVersion: Snapshot.currentVersion, snapshotSeq: 1, seq: 3,
                                   journalCovered: 0, journalLines: 0)
        }
        let copied = DatabaseCache.encode(contents(s.database), source: source)
        let full = DatabaseCache.encode(contents(s.database.materialized()), source: source)
        #expect(copied == full)
        // And a store that closes without compacting leaves a cache the next opens read.
        try s.close(compact: false)
        let next = try StoreLoader.load(dir.paths, useCache: true, lazy: true)
        #expect(next.fromCache)
        expectSameAnswers(next.db, try StoreLoader.load(dir.paths, useCache: false).db, "rewritten")
    }

    /// The offset of recruiter `k`'s block in the cache file.
    func blockStart(_ p: AppPaths, _ k: Int) throws -> (Int, Int) {
        let l = try StoreLoader.load(p, useCache: true, lazy: true)
        let blocks = try #require(l.db.base as? StoredBlocks)
        let (b, _) = blocks.block(k)
        #expect(b.count > 0)
        return (b.baseAddress! - blocks.file.raw.baseAddress!, b.count)
    }

    @Test func aChangedBlockIsNeverUsed() throws {
        let dir = TempDir()
        _ = try store(dir.paths)
        let (start, length) = try blockStart(dir.paths, 7)
        var b = bytes(cachePath(dir.paths))!
        b[start + length / 2] ^= 0x20
        write(cachePath(dir.paths), b)
        // Read whole, the cache is refused (every block is checked) and the JSON read.
        let l = try StoreLoader.load(dir.paths, useCache: true)
        #expect(!l.fromCache)
        // Read lazily, the damaged block is only found when read: its check fails.
        let lazy = try StoreLoader.load(dir.paths, useCache: true, lazy: true)
        let blocks = try #require(lazy.db.base as? StoredBlocks)
        #expect(blocks.read(7) == nil)
        #expect(blocks.read(6) != nil && blocks.read(8) != nil)
    }

    @Test func idPrefixRangesMatchTheTextualPrefix() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let id = UUID()
            let other = UUID()
            let n = Int.random(in: 0...36, using: &rng)
            let text = String(id.uuidString.prefix(n))
            for t in [text, text.lowercased()] {
                let r = UUIDPrefixRange(t)
                #expect(r != nil, "\(t)")
                #expect(r?.contains(id) == true, "\(t)")
                #expect(r?.contains(other) == other.uuidString.hasPrefix(text), "\(t) \(other)")
            }
        }
        #expect(UUIDPrefixRange("12g4") == nil)
        #expect(UUIDPrefixRange("1234567890") == nil, "a dash belongs at the ninth place")
        #expect(UUIDPrefixRange(String(repeating: "a", count: 40)) == nil)
    }
}

/// `Database.duplicateSubmitters` over stored recruiters reads only the candidates the
/// submission index names, and answers exactly what a scan of every opportunity answers.
@Suite(.serialized) struct LazyDuplicateSubmittersTests {
    @Test func theSameAsEveryOpportunityScannedBeforeAndAfterChanges() throws {
        let dir = TempDir()
        let s = try Store.open(dir.paths, clock: .fixed(t0))
        var ids: [UUID] = []
        for k in 0..<30 {
            let r = Recruiter(name: "R\(k)", created: t0)
            ids.append(r.id)
            try s.apply(.putRecruiter(r))
            // Every third shares "Dev at Acme" (duplicates); others have roles of their own,
            // some with no employer (never a duplicate) or the same role at another employer.
            let employer: String? = k % 3 == 0 ? "Acme" : (k % 3 == 1 ? "Solo \(k)" : nil)
            try s.apply(.putOpportunity(Opportunity(recruiterID: r.id, role: k % 3 == 0 ? "Dev" : "Role \(k % 5)", employer: employer)))
        }
        try s.compact()
        /// Every opportunity of a whole read, grouped by submission key: the recruiters that
        /// share a key with another recruiter.
        func eager() throws -> Set<UUID> {
            var byKey: [String: Set<UUID>] = [:]
            for o in try Store.open(dir.paths, clock: .fixed(t0)).database.opportunities.values {
                if let key = Rules.submissionKey(of: o) { byKey[key, default: []].insert(o.recruiterID) }
            }
            return byKey.values.filter { $0.count > 1 }.reduce(into: Set<UUID>()) { $0.formUnion($1) }
        }
        let lazy = try Store.open(dir.paths, clock: .fixed(t0), lazy: true)
        let expected = try eager()
        #expect(expected.count == 10)
        #expect(lazy.database.duplicateSubmitters == expected)
        // A change in memory: one more recruiter submits "Dev at Acme" (its record promoted),
        // and one of the first ten moves to another role.
        try lazy.apply(.putOpportunity(Opportunity(recruiterID: ids[1], role: "dev", employer: " acme ")))
        let moved = try #require(lazy.database.opportunities(of: ids[3]).first)
        var other = moved
        other.role = "Lead"
        try lazy.apply(.putOpportunity(other))
        #expect(lazy.database.duplicateSubmitters == (try eager()))
        #expect(lazy.database.duplicateSubmitters.contains(ids[1]))
        #expect(!lazy.database.duplicateSubmitters.contains(ids[3]))
    }
}
