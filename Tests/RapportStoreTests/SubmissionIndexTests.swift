#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import RapportCore
import RapportDemo
@testable import RapportStore

/// The submission index of `store.cache` keeps each submission key's bytes, so a lazily
/// opened database decides duplicate submissions from the index alone: the answers must be
/// exactly the rules' over every opportunity, whatever the keys' hashes.
@Suite(.serialized) struct SubmissionIndexTests {
    /// Employers and roles that `Rules.submissionKey` folds together (case, surrounding and
    /// repeated white space) and apart (another word, no employer).
    static let employers: [String?] = ["Acme", "acme", " ACME ", "Acme  Corp", "acme corp", "Ünïcode GmbH", "ÜNÏCODE  gmbh",
                                       "Globex", nil, "", "  "]
    static let roles = ["Dev", "dev ", "DEV", "Lead Dev", "lead\t dev", "Ops", "\tops\n", "QA"]

    /// What the rules say over every opportunity: recruiters sharing a key with another.
    func expected(_ db: Database) -> Set<UUID> {
        var byKey: [String: Set<UUID>] = [:]
        for o in db.opportunities.values {
            if let key = Rules.submissionKey(of: o) { byKey[key, default: []].insert(o.recruiterID) }
        }
        return byKey.values.filter { $0.count > 1 }.reduce(into: Set<UUID>()) { $0.formUnion($1) }
    }

    func randomOpportunity(_ owner: UUID, _ rng: inout SeededGenerator) -> Opportunity {
        Opportunity(recruiterID: owner, role: Self.roles.randomElement(using: &rng)!,
                    employer: Self.employers.randomElement(using: &rng)!)
    }

    func contents(_ db: Database) -> DatabaseCache.Contents {
        DatabaseCache.Contents(db: db, flags: [:], schemaVersion: Snapshot.currentVersion, snapshotSeq: 1, seq: 1,
                               journalCovered: 0, journalLines: 0)
    }

    let source = DatabaseCache.Source(snapshot: DatabaseCache.SnapshotIdentity(dev: 1, ino: 2, size: 3, mtimeSec: 4, mtimeNsec: 5,
                                                                               ctimeSec: 6, ctimeNsec: 7),
                                      snapshotHash: 8, journalHash: 9)

    func expectSame(_ lazy: Database, _ eager: Database, _ context: String) {
        let want = expected(eager)
        #expect(lazy.duplicateSubmitters == want, "\(context)")
        #expect(Rules.duplicateSubmissions(in: eager) == want, "\(context)")
        for id in eager.recruiterIDs {
            #expect(lazy.hasDuplicateSubmission(id) == want.contains(id), "\(context) \(id)")
        }
        // `recruiterDigests`: every recruiter once, in `recruiterIDs` order, with its digest
        // and duplicate bit.
        for db in [lazy, eager] {
            var seen: [UUID] = []
            var wrong = 0
            for (id, digest, duplicate) in db.recruiterDigests() {
                seen.append(id)
                if digest != db.storedDigest(of: id) || duplicate != want.contains(id) { wrong += 1 }
            }
            #expect(seen == db.recruiterIDs && wrong == 0, "\(context)")
        }
    }

    @Test(arguments: [0, 2, 64])
    func duplicatesFromTheIndexAreTheRulesAnswerEvenWhenEveryHashCollides(hashBits: Int) throws {
        // 0 bits: every key has the same hash; 2: four hashes; 64: the real hash.
        let keyHash: @Sendable (UnsafeRawBufferPointer) -> UInt64 = { b in
            hashBits == 64 ? DatabaseCache.submissionHash(b) : DatabaseCache.hash(b) & ((1 << UInt64(hashBits)) - 1)
        }
        for seed in UInt64(1)...6 {
            var rng = SeededGenerator(state: seed * 7919 + UInt64(hashBits))
            var eager = Database()
            var ids: [UUID] = []
            for k in 0..<40 {
                let r = Recruiter(name: "R\(k)", created: t0)
                ids.append(r.id)
                try eager.apply(.putRecruiter(r))
                for _ in 0..<Int.random(in: 0...3, using: &rng) { try eager.apply(.putOpportunity(randomOpportunity(r.id, &rng))) }
            }
            let bytes = DatabaseCache.encode(contents(eager), source: source, keyHash: keyHash)
            let stored = DatabaseCache.storedBlocks(bytes, keyHash: keyHash)
            try #require(stored != nil)
            let blocks = stored!
            if hashBits < 64 {
                let hashes = Set((0..<blocks.layout.submissions).map { k in
                    bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: blocks.layout.submissionOffset + k * 16, as: UInt64.self) }
                })
                #expect(hashes.count <= 1 << hashBits, "the hashes collide")
            }
            var lazy = Database(stored: blocks, extra: [:])
            #expect(lazy.duplicateSubmitters == expected(eager), "seed \(seed)")
            #expect(blocks.decodedCount == 0, "no block read for the whole duplicate set")
            expectSame(lazy, eager, "seed \(seed), as stored")
            // Changes in memory: opportunities added, moved to another key, removed, and
            // recruiters removed; the index answers for the stored rest.
            for step in 0..<25 {
                let change: Change
                let owner = ids.randomElement(using: &rng)!
                switch step % 5 {
                case 0, 1:
                    guard eager.recruiter(owner) != nil else { continue }
                    change = .putOpportunity(randomOpportunity(owner, &rng))
                case 2:
                    guard var o = eager.opportunities.values.sorted(by: { uuidLess($0.id, $1.id) }).randomElement(using: &rng) else { continue }
                    o.role = Self.roles.randomElement(using: &rng)!
                    o.employer = Self.employers.randomElement(using: &rng)!
                    change = .putOpportunity(o)
                case 3:
                    guard let o = eager.opportunities.values.sorted(by: { uuidLess($0.id, $1.id) }).randomElement(using: &rng) else { continue }
                    change = .removeOpportunity(o.id)
                default:
                    guard eager.recruiter(owner) != nil else { continue }
                    change = .removeRecruiter(owner)
                }
                try eager.apply(change)
                try lazy.apply(change)
                expectSame(lazy, eager, "seed \(seed), step \(step): \(change)")
            }
            // A cache written from the changed lazy database (stored index entries copied)
            // is the one a whole encode writes, and reads back to the same answers.
            let copied = DatabaseCache.encode(contents(lazy), source: source, keyHash: keyHash)
            let same = copied == DatabaseCache.encode(contents(lazy.materialized()), source: source, keyHash: keyHash)
            #expect(same, "seed \(seed): the same bytes")
            let rereadBlocks = DatabaseCache.storedBlocks(copied, keyHash: keyHash)
            try #require(rereadBlocks != nil)
            let reread = Database(stored: rereadBlocks!, extra: [:])
            expectSame(reread, eager, "seed \(seed), rewritten")
        }
    }

    /// The keys `Rules.submissionKey` folds together are stored once, with one entry per
    /// key and owner.
    @Test func eachKeyIsStoredOnceAndEachOwnerOncePerKey() throws {
        var db = Database()
        let a = Recruiter(name: "A", created: t0), b = Recruiter(name: "B", created: t0)
        try db.apply(.putRecruiter(a))
        try db.apply(.putRecruiter(b))
        for (owner, employer, role) in [(a.id, "Acme", "Dev"), (a.id, " acme", "DEV "), (b.id, "ACME", "dev"), (b.id, "Globex", "Dev")] {
            try db.apply(.putOpportunity(Opportunity(recruiterID: owner, role: role, employer: employer)))
        }
        let bytes = DatabaseCache.encode(contents(db), source: source)
        let stored = DatabaseCache.storedBlocks(bytes, keyHash: DatabaseCache.submissionHash)
        try #require(stored != nil)
        let blocks = stored!
        #expect(blocks.layout.submissions == 3)
        #expect(blocks.layout.keysLength == 2 * 4 + "acme\u{1F}dev".utf8.count + "globex\u{1F}dev".utf8.count)
        #expect(blocks.sharedSubmissions().map { $0.map { blocks.id(at: $0) } }.map(Set.init) == [Set([a.id, b.id])])
        #expect(blocks.submitters(ofKey: "acme\u{1F}dev").count == 2)
        #expect(blocks.submitters(ofKey: "globex\u{1F}dev").map { blocks.id(at: $0) } == [b.id])
        #expect(blocks.submitters(ofKey: "acme\u{1F}ops").isEmpty)
    }

    /// The offset of the submission index and of the keys in a cache file, from its header.
    func regions(_ b: [UInt8]) -> (index: Int, entries: Int, keys: Int, keysLength: Int) {
        let layout = cacheLayout(b)
        return (layout.submissionOffset, layout.submissions, layout.keysOffset, layout.keysLength)
    }

    func resealed(_ b: [UInt8]) -> [UInt8] { resealedCache(b) }

    /// A demo store whose cache has shared submissions, and the counts the status line
    /// gives for it with no rules.cache.
    func demo(_ p: AppPaths) throws -> String {
        let s = try Store.open(p, clock: .fixed(t0))
        try s.apply(.batch(Demo.changes(recruiters: 30, messages: 200, seed: 3, now: t0)))
        // Shared submissions: three recruiters put forward for one role, two for another.
        let ids = s.database.recruiterIDs.sorted(by: uuidLess)
        for (k, employer, role) in [(3, "Initech", "Staff Engineer"), (9, " initech", "staff  engineer"), (17, "INITECH", "Staff Engineer "),
                                    (5, "Hooli", "SRE"), (21, "hooli", "sre")] {
            try s.apply(.putOpportunity(Opportunity(recruiterID: ids[k], role: role, employer: employer)))
        }
        try s.compact()
        let l = try StoreLoader.load(p, useCache: true, lazy: true)
        #expect(l.fromCache)
        #expect(!l.db.duplicateSubmitters.isEmpty, "the demo has shared submissions")
        let r = try run([writerPath, p.storeDirectory, "--status-counts"])
        #expect(r.status == 0, "\(r.stderr)")
        try? FileManager.default.removeItem(atPath: p.path(RulesCache.fileName))
        return r.stdout
    }

    /// The message and record indexes are outside the checksum, each checked by its own
    /// hash: at open when the whole cache is read, on first use when read lazily.
    @Test func theMessageAndRecordIndexesAreCheckedByTheirOwnHashes() throws {
        let dir = TempDir()
        _ = try demo(dir.paths)
        let path = dir.paths.path(DatabaseCache.fileName)
        let good = try #require(bytes(path))
        let layout = cacheLayout(good)
        #expect(layout.messages > 0 && layout.records > 0)
        for (name, at) in [("message index", layout.indexOffset + 7), ("record index", layout.recordOffset + 30)] {
            var b = good
            b[at] ^= 0x08
            write(path, b)
            #expect(!(try StoreLoader.load(dir.paths, useCache: true)).fromCache, "\(name): a whole read refuses it")
            write(path, b)
            let lazy = try StoreLoader.load(dir.paths, useCache: true, lazy: true)
            #expect(lazy.fromCache, "\(name): a lazy open does not read it")
            #expect(!lazy.db.duplicateSubmitters.isEmpty, "\(name): nor does the duplicate set")
        }
        write(path, good)
        #expect(try StoreLoader.load(dir.paths, useCache: true).fromCache)
    }

    @Test func aDamagedKeyTableIsNeverUsed() throws {
        let dir = TempDir()
        let want = try demo(dir.paths)
        let path = dir.paths.path(DatabaseCache.fileName)
        let good = try #require(bytes(path))
        let l = regions(good)
        #expect(l.entries > 0 && l.keysLength > 0)
        // A changed byte in a key: the checksum fails, the cache is not used (the JSON is).
        var b = good
        b[l.keys + l.keysLength - 1] ^= 0x20
        write(path, b)
        #expect(!(try StoreLoader.load(dir.paths, useCache: true, lazy: true)).fromCache)
        // Forged with a checksum that holds: a key offset or a key length out of the keys,
        // or entries of one key out of order. The command stops with 75 and nothing else,
        // the cache is removed, and the next run (from the JSON) gives the same counts.
        func u32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { for k in 0..<4 { b[at + k] = $0[k] } } }
        var outside = good
        for k in 0..<l.entries { u32(&outside, l.index + k * 16 + 12, UInt32(l.keysLength - 2)) }
        var tooLong = good
        u32(&tooLong, l.keys, UInt32(l.keysLength))
        for k in 0..<l.entries { u32(&tooLong, l.index + k * 16 + 12, 0) }
        var reordered = good
        // Two entries of one hash (the first shared key) swapped: owners no longer ascend.
        let first = try #require((0..<(l.entries - 1)).first { k in
            good[(l.index + k * 16)..<(l.index + k * 16 + 8)] == good[(l.index + k * 16 + 16)..<(l.index + k * 16 + 24)]
        })
        for j in 8..<12 { reordered.swapAt(l.index + first * 16 + j, l.index + first * 16 + 16 + j) }
        for (name, forged) in [("outside", outside), ("too long", tooLong), ("reordered", reordered)] {
            write(path, resealed(forged))
            #expect(try StoreLoader.load(dir.paths, useCache: true, lazy: true).fromCache, "\(name): the checksum holds")
            let r = try run([writerPath, dir.paths.storeDirectory, "--status-counts"])
            #expect(r.status == 75, "\(name): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("store.cache") && r.stderr.contains("nothing was changed"), "\(name): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path), "\(name): the damaged cache is removed")
            let again = try run([writerPath, dir.paths.storeDirectory, "--status-counts"])
            #expect(again.status == 0 && again.stdout == want, "\(name): \(again.stdout) \(again.stderr)")
            try? FileManager.default.removeItem(atPath: dir.paths.path(RulesCache.fileName))
        }
    }
}
