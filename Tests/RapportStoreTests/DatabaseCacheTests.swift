#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import RapportCore
@testable import RapportStore

/// `store.cache`: the binary copy of the database beside the store. It must give exactly
/// what the JSON gives, and never be used when it does not belong to the files as they are.
@Suite(.serialized) struct DatabaseCacheTests {
    func cachePath(_ p: AppPaths) -> String { p.path(DatabaseCache.fileName) }

    /// What opening reads from JSON alone (the reference).
    func fromJSON(_ p: AppPaths) throws -> StoreLoader.Loaded { try StoreLoader.load(p, useCache: false) }

    func expectSame(_ a: StoreLoader.Loaded, _ b: StoreLoader.Loaded, _ context: String = "") {
        #expect(a.db == b.db, "\(context)")
        #expect(a.flags == b.flags, "\(context)")
        #expect(a.seq == b.seq && a.snapshotSeq == b.snapshotSeq && a.version == b.version, "\(context)")
        #expect(a.journalConsumed == b.journalConsumed && a.journalLines == b.journalLines, "\(context)")
    }

    /// A store with every kind of record and field, unknown keys included, compacted.
    func richStore(_ p: AppPaths) throws -> Store {
        let s = try makeSampleStore(p)
        let a = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        let r = Recruiter(name: "Zoë \u{202E}Ünïcode", firm: nil, kind: .independent, targeting: .blanket,
                          emails: ["z@x.test", "z2@x.test"], linkedin: "in/z", timeZone: "Europe/Berlin", tags: ["a", "b"],
                          notes: "line 1\nline 2", status: .dormant, statusUntil: t0.addingTimeInterval(9999), created: t0,
                          checklist: Checklist(done: ["profile": t0], agenda: "ask", extra: ["x": .number("1.5")]),
                          referrals: [Referral(name: "Ann", at: t0, note: "n", extra: ["k": .array([.null, .bool(true)])])],
                          dismissals: [Dismissal(deadline: "reply:1", at: t0, until: t0.addingTimeInterval(60), reason: "r")],
                          extra: ["future": .object(["deep": .string("v"), "n": .number("12345678901234567890")])])
        try s.apply(.putRecruiter(r))
        try s.apply(.putMessage(Message(recruiterID: r.id, direction: .outbound, channel: .linkedin, at: t0, subject: nil,
                                        body: "", noReplyNeeded: true, extra: ["unknown": .bool(false)])))
        try s.apply(.putOpportunity(Opportunity(recruiterID: a, role: "Staff", employer: "E", stage: .interview,
                                                interviews: [InterviewEvent(at: t0, durationMinutes: 45, interviewers: ["P", "Q"])],
                                                nextStep: "call", checklist: Checklist(done: ["site": t0]), extra: ["o": .string("x")])))
        try s.apply(.putFollowUp(FollowUp(recruiterID: r.id, due: t0, note: "cv", done: t0, snoozedUntil: t0.addingTimeInterval(5))))
        try s.compact()
        return s
    }

    @Test func aCompactionWritesACacheThatGivesExactlyWhatTheJSONGives() throws {
        let dir = TempDir()
        _ = try richStore(dir.paths)
        #expect(FileManager.default.fileExists(atPath: cachePath(dir.paths)))
        #expect(mode(cachePath(dir.paths)) == 0o600)
        let cached = try StoreLoader.load(dir.paths, useCache: true)
        #expect(cached.fromCache)
        #expect(cached.cacheToWrite == nil)
        expectSame(cached, try fromJSON(dir.paths))
        #expect(!cached.db.recruiters.isEmpty && cached.db.messageCount == 3)
    }

    @Test func aProcessThatDecodedTheJSONWritesTheCacheForTheNext() throws {
        let dir = TempDir()
        _ = try richStore(dir.paths)
        unlink(cachePath(dir.paths))
        #expect(try !StoreLoader.load(dir.paths, useCache: true).fromCache)
        _ = try Store.open(dir.paths)
        let next = try StoreLoader.load(dir.paths, useCache: true)
        #expect(next.fromCache)
        expectSame(next, try fromJSON(dir.paths))
    }

    @Test func journalLinesAfterTheCacheAreReplayedAndALongTailIsFoldedIn() throws {
        let dir = TempDir()
        let s = try richStore(dir.paths)
        let a = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        try s.apply(.putMessage(Message(recruiterID: a, direction: .inbound, at: t0.addingTimeInterval(500), subject: "after")))
        var l = try StoreLoader.load(dir.paths, useCache: true)
        #expect(l.fromCache && l.cacheToWrite == nil, "a short tail does not rewrite the cache")
        expectSame(l, try fromJSON(dir.paths))
        // More than the threshold of journal past the cache: the next open folds it in.
        let body = String(repeating: "x", count: 2000)
        for i in 0..<40 {
            try s.apply(origin: .cli("log"), label: "log \(i)") { _ in
                .putMessage(Message(recruiterID: a, direction: .inbound, at: t0.addingTimeInterval(Double(1000 + i)), body: body))
            }
        }
        l = try StoreLoader.load(dir.paths, useCache: true)
        #expect(l.fromCache && l.cacheToWrite != nil)
        let reopened = try Store.open(dir.paths)
        l = try StoreLoader.load(dir.paths, useCache: true)
        #expect(l.fromCache && l.cacheToWrite == nil)
        expectSame(l, try fromJSON(dir.paths), "covering the journal")
        // The undo history still has the groups of the lines the cache covers.
        let steps = reopened.undoSteps.map(\.label)
        #expect(steps.contains("log 0") && steps.contains("log 39"), "\(steps)")
        #expect(reopened.undoHistory.contains { $0.label == "log 3" })
        try reopened.undoLatest(matching: \.isUndoableFromCLI, origin: .cli("undo"))
        #expect(reopened.database.thread(a).count == s.database.thread(a).count - 1)
        expectSame(try StoreLoader.load(dir.paths, useCache: true), try fromJSON(dir.paths), "after an undo")
    }

    /// Rewrites the cache with `edit` applied to its bytes, the checksum made right again
    /// when `fixChecksum`, so the checks after the checksum are what refuses it.
    func tamper(_ p: AppPaths, fixChecksum: Bool = true, _ edit: (inout [UInt8]) -> Void) {
        var b = bytes(cachePath(p))!
        edit(&b)
        if fixChecksum, b.count > DatabaseCache.checksumOffset + 8 {
            let sum = b.withUnsafeBytes { DatabaseCache.hash(UnsafeRawBufferPointer(rebasing: $0[(DatabaseCache.checksumOffset + 8)...])) }
            withUnsafeBytes(of: sum.littleEndian) { for k in 0..<8 { b[DatabaseCache.checksumOffset + k] = $0[k] } }
        }
        write(cachePath(p), b)
    }

    func expectNotUsed(_ p: AppPaths, _ context: String) throws {
        let l = try StoreLoader.load(p, useCache: true)
        #expect(!l.fromCache, "\(context): the cache was used")
        expectSame(l, try fromJSON(p), context)
        // And a store opened now is right and leaves a valid cache behind.
        let s = try Store.open(p)
        #expect(s.database == l.db, "\(context)")
        #expect(try StoreLoader.load(p, useCache: true).fromCache, "\(context): rebuilt")
    }

    @Test func aChangedByteAnywhereIsCaughtByTheChecksum() throws {
        let dir = TempDir()
        _ = try richStore(dir.paths)
        let size = bytes(cachePath(dir.paths))!.count
        for at in [0, 9, DatabaseCache.checksumOffset + 3, DatabaseCache.headerSize - 1, DatabaseCache.headerSize + 20, size / 2, size - 1] {
            tamper(dir.paths, fixChecksum: false) { $0[at] ^= 0x40 }
            try expectNotUsed(dir.paths, "byte \(at) flipped")
        }
    }

    @Test func aTruncatedOrEmptyOrExtendedCacheIsNotUsed() throws {
        let dir = TempDir()
        _ = try richStore(dir.paths)
        for cut in [0, 7, DatabaseCache.headerSize, -1, -200] {
            tamper(dir.paths, fixChecksum: false) { $0 = Array($0.prefix(cut >= 0 ? cut : $0.count + cut)) }
            try expectNotUsed(dir.paths, "cut to \(cut)")
        }
        // Cut short with a checksum that matches what is left: the payload ends early.
        tamper(dir.paths) { $0.removeLast(5) }
        try expectNotUsed(dir.paths, "cut, checksum fixed")
        tamper(dir.paths) { $0.append(0) }
        try expectNotUsed(dir.paths, "a byte too many, checksum fixed")
    }

    @Test func anotherStoresCacheIsNotUsed() throws {
        let one = TempDir(), two = TempDir()
        _ = try richStore(one.paths)
        _ = try makeSampleStore(two.paths)
        try Store.open(two.paths).compact()
        write(cachePath(two.paths), bytes(cachePath(one.paths))!)
        try expectNotUsed(two.paths, "swapped")
        // Even a copy of the very same files (another inode) reads the JSON once.
        let three = TempDir()
        try FileManager.default.copyItem(atPath: one.paths.storeDirectory, toPath: three.paths.storeDirectory)
        try expectNotUsed(three.paths, "copied store")
    }

    @Test func aStaleCacheIsNotUsedWhenTheSnapshotOrTheJournalMovedOn() throws {
        let dir = TempDir()
        let s = try richStore(dir.paths)
        let old = bytes(cachePath(dir.paths))!
        let a = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        // The snapshot moved on (a compaction) and the old cache is put back.
        try s.apply(.putMessage(Message(recruiterID: a, direction: .inbound, at: t0.addingTimeInterval(700))))
        try s.compact()
        write(cachePath(dir.paths), old)
        try expectNotUsed(dir.paths, "older snapshot")
        // The journal the cache covers was rewritten: same length, other bytes.
        let body = String(repeating: "y", count: 2000)
        for i in 0..<40 {
            try s.apply(.putMessage(Message(recruiterID: a, direction: .inbound, at: t0.addingTimeInterval(Double(2000 + i)), body: body)))
        }
        _ = try Store.open(dir.paths)  // folds the journal into the cache
        #expect(try StoreLoader.load(dir.paths, useCache: true).fromCache)
        var j = bytes(dir.paths.journal)!
        let at = j.firstRange(of: Array(body.utf8))!.lowerBound
        j[at] = UInt8(ascii: "z")
        write(dir.paths.journal, j)
        try expectNotUsed(dir.paths, "journal rewritten under the cache")
        // The journal cut back behind the cache's back (shorter than what it covers).
        _ = try Store.open(dir.paths)
        #expect(try StoreLoader.load(dir.paths, useCache: true).fromCache)
        let lines = bytes(dir.paths.journal)!.split(separator: 0x0A, omittingEmptySubsequences: false)
        write(dir.paths.journal, Array(lines.prefix(3).joined(separator: [0x0A])) + [0x0A])
        try expectNotUsed(dir.paths, "journal shorter than the cache covers")
    }

    @Test func aCacheOfAnotherVersionOrLayoutIsNotUsed() throws {
        let dir = TempDir()
        _ = try richStore(dir.paths)
        tamper(dir.paths) { $0[8] &+= 1 }  // format version
        try expectNotUsed(dir.paths, "format version")
        tamper(dir.paths) { $0[DatabaseCache.checksumOffset + 8] ^= 1 }  // enum layout
        try expectNotUsed(dir.paths, "layout")
        tamper(dir.paths) { $0[0] = UInt8(ascii: "X") }
        try expectNotUsed(dir.paths, "magic")
    }

    @Test func aSnapshotChangedInTheTickTheCacheWasWrittenIsComparedByContent() throws {
        let dir = TempDir()
        let s = try richStore(dir.paths)
        let c = DatabaseCache.Contents(db: s.database, flags: s.persistedFlags, schemaVersion: Snapshot.currentVersion,
                                       snapshotSeq: s.seq, seq: s.seq, journalCovered: 0, journalLines: 0)
        let id = try #require(DatabaseCache.SnapshotIdentity.of(dir.paths.snapshot))
        let json = bytes(dir.paths.snapshot)!
        let right = DatabaseCache.encode(c, source: .init(snapshot: id, snapshotHash: DatabaseCache.hash(json), journalHash: DatabaseCache.hash([])))
        let wrong = DatabaseCache.encode(c, source: .init(snapshot: id, snapshotHash: DatabaseCache.hash(json + [0x20]), journalHash: DatabaseCache.hash([])))
        let later = (id.ctimeSec + 1, Int64(0)), same = (id.ctimeSec, id.ctimeNsec)
        #expect(DatabaseCache.validate(right, paths: dir.paths, journal: [], cacheMtime: later) != nil)
        #expect(DatabaseCache.validate(wrong, paths: dir.paths, journal: [], cacheMtime: later) != nil, "identity trusted when written later")
        #expect(DatabaseCache.validate(right, paths: dir.paths, journal: [], cacheMtime: same) != nil, "same tick: the bytes match")
        #expect(DatabaseCache.validate(wrong, paths: dir.paths, journal: [], cacheMtime: same) == nil, "same tick: the bytes differ")
    }

    @Test func aWriterKilledWhileWritingTheCacheLeavesTheStoreRight() throws {
        let dir = TempDir()
        _ = try richStore(dir.paths)
        let reference = try fromJSON(dir.paths)
        unlink(cachePath(dir.paths))
        let stall = dir.path("stalled")
        let run = try killWriterMidWrite([dir.paths.storeDirectory, "3"], stallKey: DatabaseCache.stallKey, stall: stall)
        #expect(run.reached, "the writer reached the cache write")
        #expect(run.killed)
        let temps = listing(dir.paths.storeDirectory).filter { $0.hasPrefix(".\(DatabaseCache.fileName).tmp-") }
        #expect(temps.count == 1, "\(listing(dir.paths.storeDirectory))")
        #expect(!FileManager.default.fileExists(atPath: cachePath(dir.paths)))
        // The next open is right (from the JSON) and writes a whole cache.
        let s = try Store.open(dir.paths)
        #expect(s.database == reference.db)
        #expect(try StoreLoader.load(dir.paths, useCache: true).fromCache)
        // As if the half-written file had been renamed into place (a crash of the machine).
        if let t = temps.first { write(cachePath(dir.paths), bytes(dir.paths.path(t))!) }
        try expectNotUsed(dir.paths, "half a cache in place")
        try s.compact()
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp-") }, "\(listing(dir.paths.storeDirectory))")
    }

    @Test func aDemoStoreOpensTheSameFromTheCache() throws {
        let dir = TempDir()
        let s = try Store.open(dir.paths)
        var rng = SystemRandomNumberGenerator()
        for k in 0..<30 {
            let r = Recruiter(name: "R\(k)", created: t0)
            try s.apply(.putRecruiter(r))
            for i in 0..<Int.random(in: 0...6, using: &rng) {
                try s.apply(.putMessage(Message(recruiterID: r.id, direction: i % 2 == 0 ? .inbound : .outbound,
                                                channel: Channel.allCases.randomElement(using: &rng)!,
                                                at: t0.addingTimeInterval(Double(Int.random(in: 0...100_000, using: &rng))),
                                                subject: "s\(i)", body: i % 3 == 0 ? nil : "b\(i) ✓")))
            }
        }
        try s.compact()
        let l = try StoreLoader.load(dir.paths, useCache: true)
        #expect(l.fromCache)
        expectSame(l, try fromJSON(dir.paths))
        #expect(l.db == s.database)
    }

    @Test func closingWithoutCompactingLeavesTheJournalAndACacheThatCoversIt() throws {
        let dir = TempDir()
        let s = try richStore(dir.paths)
        let a = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        for i in 0..<3 {
            try s.apply(origin: .tui(session: "t"), label: "tui \(i)") { _ in
                .putMessage(Message(recruiterID: a, direction: .outbound, at: t0.addingTimeInterval(Double(3000 + i))))
            }
        }
        let snapshot = bytes(dir.paths.snapshot)!, journal = bytes(dir.paths.journal)!
        try s.close(compact: false)
        #expect(bytes(dir.paths.snapshot)! == snapshot && bytes(dir.paths.journal)! == journal, "nothing canonical rewritten")
        let c = try #require(DatabaseCache.load(dir.paths, journal: journal))
        #expect(c.journalCovered == journal.count && c.journalLines == 3)
        let l = try StoreLoader.load(dir.paths, useCache: true)
        #expect(l.fromCache)
        expectSame(l, try fromJSON(dir.paths))
        // The session's undo groups are still there for the next process.
        let next = try Store.open(dir.paths)
        #expect(next.latestGroup(origin: .tui(session: "t"))?.label == "tui 2")
        #expect(next.undoSteps.suffix(3).map(\.label) == ["tui 0", "tui 1", "tui 2"])
    }

    @Test func lineSplitAndSearchHelpersMatchTheGenericOnes() {
        for text in ["", "\n", "a", "a\n", "\n\na\n\nbc\n", "abc\ndef", String(repeating: "xy\n", count: 50)] {
            let b = Array(text.utf8)
            #expect(Sys.lines(b).map(Array.init) == b.split(separator: 0x0A).map(Array.init), "\(text)")
        }
        let hay = Array("aab aabab abab".utf8)
        for needle in ["ab", "abab", "b a", "x", "aab aabab abab", "aab aabab ababx", "a"] {
            let n = Array(needle.utf8)
            #expect(Sys.firstRange(of: n, in: hay) == hay.firstRange(of: n), "\(needle)")
        }
        #expect(Sys.firstRange(of: [1], in: []) == nil)
    }
}
