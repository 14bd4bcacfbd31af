#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import RapportCore
@testable import RapportStore

/// The recruiters' sort keys kept in `store.cache`: exactly the keys `NameKeys` makes at
/// run time, used only by a build whose keys they are, never when the table is out of
/// shape, and made at run time for a recruiter changed since the cache was written.
@Suite(.serialized) struct NameKeysCacheTests {
    func cachePath(_ p: AppPaths) -> String { p.path(DatabaseCache.fileName) }

    /// Names whose keys are easy to get wrong (as in the interface's order tests): case,
    /// composed and decomposed accents, Hangul jamo, ß, ǅ, ligatures, emoji, the Ohm and
    /// Angstrom signs, scripts, empty.
    static let trickyNames = ["", "dana", "Dana", "DANA SMITH", "dana smith", "O'Brien-McKay 2", "ÉLODIE", "élodie",
                              "e\u{301}lodie", "E\u{301}LODIE", "Elodie", "İlkay", "ilkay", "i\u{307}lkay", "ΣΟΦΙΑ", "σοφια",
                              "株式会社", "이서연", "\u{1112}\u{1161}\u{11AB}", "한", "Nguyễn Văn An", "Nguye\u{302}\u{303}n", "Мария",
                              "мария", "محمد العلي", "अनन्या शर्मा", "क़", "\u{915}\u{93C}", "Ω", "\u{2126}", "Å", "\u{212B}", "Zoë",
                              "Zoe\u{308}", "zoë", "Åsa", "A\u{30A}sa", "Ångström", "Øystein", "😀 Smile", "ß", "SS", "ǅemal",
                              "Ǆemal", "ﬁne", "fine"]

    /// A compacted store (a valid cache) whose recruiters have the tricky names, each
    /// twice (two ids), and plain ones; the ids of the tricky ones.
    func store(_ p: AppPaths) throws -> (Store, [UUID]) {
        let s = try makeSampleStore(p)
        var ids: [UUID] = []
        var changes: [Change] = []
        for n in Self.trickyNames + Self.trickyNames + (0..<30).map({ "Recruiter \($0)" }) {
            let r = Recruiter(name: n, created: t0)
            ids.append(r.id)
            changes.append(.putRecruiter(r))
        }
        try s.apply(.batch(changes))
        try s.compact()
        return (s, ids)
    }

    /// The stored recruiters of the cache at `p`, read lazily.
    func lazy(_ p: AppPaths) throws -> (Database, StoredBlocks) {
        let l = try StoreLoader.load(p, useCache: true, lazy: true)
        #expect(l.fromCache)
        return (l.db, try #require(l.db.base as? StoredBlocks))
    }

    /// The order the names give as `String` compares them (lowered), then by id: the
    /// reference.
    static func plainOrder(_ names: [(id: UUID, name: String)]) -> [UUID] {
        names.sorted { a, b in
            let la = a.name.lowercased(), lb = b.name.lowercased()
            if la != lb { return la < lb }
            return a.id.uuidString < b.id.uuidString
        }.map(\.id)
    }

    /// The order a table's keys give (as the interface compares them: bytes, then id).
    static func keyOrder(_ t: NameTable) -> [UUID] {
        (0..<t.count).sorted { a, b in
            let ka = t.key(at: a), kb = t.key(at: b)
            if ka != kb { return ka.lexicographicallyPrecedes(kb) }
            return uuidLess(t.ids[a], t.ids[b])
        }.map { t.ids[$0] }
    }

    /// Every key of `t` is the one `NameKeys` makes now for its name, which is the name
    /// lowered and in NFC.
    func expectRuntimeKeys(_ t: NameTable, _ context: String) {
        for k in 0..<t.count {
            let key = Array(t.key(at: k))
            #expect(key == NameKeys.key(t.names[k]), "\(context): \(t.names[k])")
            #expect(key == Array(t.names[k].lowercased().precomposedStringWithCanonicalMapping.utf8), "\(context): \(t.names[k])")
        }
    }

    /// The cache's bytes, the name keys' version in the header.
    static let keyVersionOffset = DatabaseCache.countsOffset + 72

    @Test func theStoredKeysAreExactlyTheKeysMadeAtRunTime() throws {
        let dir = TempDir()
        _ = try store(dir.paths)
        let (db, base) = try lazy(dir.paths)
        #expect(base.nameKeysUsable)
        let names = base.names()
        #expect(Set(Self.trickyNames).isSubset(of: Set(names)))
        for k in 0..<base.count {
            #expect(Array(base.storedNameKey(at: k)) == NameKeys.key(names[k]), "\(names[k])")
        }
        let reads = base.namesRead
        let table = db.recruiterNameTable
        #expect(table.count == db.recruiterCount)
        #expect(Self.keyOrder(table).count == table.count)
        #expect(base.namesRead == reads, "ordering by the stored keys reads no name")
        let pairs = Set(zip(table.ids, table.names).map { "\($0) \($1)" })
        expectRuntimeKeys(table, "stored")
        #expect(base.namesRead == reads + 1, "the names are read once, when first asked for")
        #expect(pairs == Set(db.recruiterNames.map { "\($0.id) \($0.name)" }))
        #expect(Self.keyOrder(table) == Self.plainOrder(db.recruiterNames))
        // The same keys as a database built in memory makes.
        let whole = try StoreLoader.load(dir.paths, useCache: false).db
        #expect(Self.keyOrder(whole.recruiterNameTable) == Self.keyOrder(table))
    }

    /// Every key overwritten with spaces (the table's shape kept, the checksum made right):
    /// used, such keys would order the names by length alone.
    func spacedKeys(_ b: [UInt8], version: UInt64? = nil) -> [UInt8] {
        var b = b
        let layout = cacheLayout(b)
        for i in layout.nameKeyBytesOffset..<layout.sideOffset { b[i] = 0x20 }
        if let version { withUnsafeBytes(of: version.littleEndian) { for k in 0..<8 { b[Self.keyVersionOffset + k] = $0[k] } } }
        return resealedCache(b)
    }

    @Test func keysMadeByAnotherBuildAreNotUsed() throws {
        let dir = TempDir()
        let (s, _) = try store(dir.paths)
        let good = try #require(bytes(cachePath(dir.paths)))
        let reference = Self.plainOrder(s.database.recruiterNames)
        // The keys spaced with this build's version: they are used (so the test below
        // would see keys that were used).
        write(cachePath(dir.paths), spacedKeys(good))
        var (db, base) = try lazy(dir.paths)
        #expect(base.nameKeysUsable)
        #expect(Self.keyOrder(db.recruiterNameTable) != reference, "spaced keys of this build are used")
        // Another build's: not used; the keys are made from the names, the order is right.
        for version in [DatabaseCache.nameKeyVersion ^ 1, 0, UInt64.max] {
            write(cachePath(dir.paths), spacedKeys(good, version: version))
            (db, base) = try lazy(dir.paths)
            #expect(!base.nameKeysUsable)
            expectRuntimeKeys(db.recruiterNameTable, "version \(version)")
            #expect(Self.keyOrder(db.recruiterNameTable) == reference, "version \(version)")
        }
        // A cache written now from that database (it copies unchanged recruiters) makes
        // the keys again rather than copying another build's.
        let rewritten = DatabaseCache.encode(.init(db: db, flags: [:], schemaVersion: Snapshot.currentVersion, snapshotSeq: 0, seq: 0,
                                                   journalCovered: 0, journalLines: 0),
                                             source: .init(snapshot: DatabaseCache.SnapshotIdentity.of(dir.paths.snapshot)!,
                                                           snapshotHash: 0, journalHash: 0))
        let again = try #require(DatabaseCache.storedBlocks(rewritten, keyHash: DatabaseCache.submissionHash))
        #expect(again.nameKeysUsable)
        expectRuntimeKeys(again.nameTable(), "rewritten")
        // A cache written by a build whose keys differ, through the writer itself.
        let foreign = DatabaseCache.encode(.init(db: db, flags: [:], schemaVersion: Snapshot.currentVersion, snapshotSeq: 0, seq: 0,
                                                 journalCovered: 0, journalLines: 0),
                                           source: .init(snapshot: DatabaseCache.SnapshotIdentity.of(dir.paths.snapshot)!,
                                                         snapshotHash: 0, journalHash: 0),
                                           keyVersion: DatabaseCache.nameKeyVersion &+ 1)
        let other = try #require(DatabaseCache.storedBlocks(foreign, keyHash: DatabaseCache.submissionHash))
        #expect(!other.nameKeysUsable)
        #expect(Self.keyOrder(other.nameTable()) == reference)
    }

    @Test func aKeyTableOutOfShapeMeansTheCacheIsNotUsed() throws {
        let dir = TempDir()
        let (s, _) = try store(dir.paths)
        let reference = Self.plainOrder(s.database.recruiterNames)
        try s.close()
        let good = try #require(bytes(cachePath(dir.paths)))
        let layout = cacheLayout(good)
        let n = layout.recruiters
        #expect(n > 90 && layout.nameKeysLength > (n + 1) * 4)
        func end(_ b: [UInt8], _ k: Int) -> UInt32 {
            b.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: layout.nameKeysOffset + k * 4, as: UInt32.self)) }
        }
        func setEnd(_ b: inout [UInt8], _ k: Int, _ v: UInt32) {
            withUnsafeBytes(of: v.littleEndian) { for i in 0..<4 { b[layout.nameKeysOffset + k * 4 + i] = $0[i] } }
        }
        let total = end(good, n)
        let forgeries: [(String, (inout [UInt8]) -> Void)] = [
            ("the first end not 0", { setEnd(&$0, 0, 1) }),
            ("an end before the one before it", { b in setEnd(&b, 5, end(b, 4) &- 1) }),
            ("an end past the keys", { b in setEnd(&b, 7, total + 1) }),
            ("an end far past the file", { setEnd(&$0, 3, UInt32.max) }),
            ("the last end short of the keys", { setEnd(&$0, n, total - 1) }),
            ("the last end past the keys", { setEnd(&$0, n, total + 1) }),
        ]
        for (what, forge) in forgeries {
            var b = good
            forge(&b)
            b = resealedCache(b)
            write(cachePath(dir.paths), b)
            #expect(DatabaseCache.storedBlocks(b, keyHash: DatabaseCache.submissionHash) == nil, "\(what)")
            #expect(!(try StoreLoader.load(dir.paths, useCache: true, lazy: true)).fromCache, "\(what): used lazily")
            #expect(!(try StoreLoader.load(dir.paths, useCache: true)).fromCache, "\(what): used whole")
            // A store opened now reads the JSON, orders right and writes a good cache.
            let opened = try Store.open(dir.paths, lazy: true)
            #expect(Self.keyOrder(opened.database.recruiterNameTable) == reference, "\(what)")
            try opened.close()
            let (db, base) = try lazy(dir.paths)
            #expect(base.nameKeysUsable, "\(what): rebuilt")
            expectRuntimeKeys(db.recruiterNameTable, "\(what): rebuilt")
        }
        // A table whose length in the header is too short for its ends: the layout no
        // longer adds up to the file, the cache is not used.
        var b = good
        withUnsafeBytes(of: UInt64(n * 4).littleEndian) { for k in 0..<8 { b[DatabaseCache.countsOffset + 64 + k] = $0[k] } }
        write(cachePath(dir.paths), resealedCache(b))
        #expect(!(try StoreLoader.load(dir.paths, useCache: true, lazy: true)).fromCache, "a short table")
    }

    @Test func recruitersChangedSinceTheCacheWasWrittenSortRight() throws {
        let dir = TempDir()
        let (first, ids) = try store(dir.paths)
        try first.close()
        let s = try Store.open(dir.paths, lazy: true)
        #expect(s.database.base != nil)
        // Renamed (each to another tricky name), removed, and added since.
        for (k, id) in ids.prefix(20).enumerated() {
            var r = try #require(s.database.recruiter(id))
            r.name = Self.trickyNames[(k * 7 + 3) % Self.trickyNames.count]
            try s.apply(.putRecruiter(r))
        }
        try s.apply(.removeRecruiter(ids[30]))
        try s.apply(.removeRecruiter(ids[31]))
        for n in Self.trickyNames.reversed() { try s.apply(.putRecruiter(Recruiter(name: n.uppercased(), created: t0))) }
        let db = s.database
        #expect(db.base != nil, "still over the stored recruiters")
        let table = db.recruiterNameTable
        #expect(table.ids.count == Set(table.ids).count, "each recruiter once")
        #expect(Set(table.ids) == Set(db.recruiterIDs) && !table.ids.contains(ids[30]))
        expectRuntimeKeys(table, "changed")
        let reference = Self.plainOrder(db.recruiters.values.map { ($0.id, $0.name) })
        #expect(Self.keyOrder(table) == reference)
        // A compaction writes the cache from this database (unchanged keys copied): the
        // next lazy open orders the same with every key stored.
        try s.compact()
        try s.close()
        let (reopened, base) = try lazy(dir.paths)
        #expect(base.nameKeysUsable)
        for k in 0..<base.count { #expect(Array(base.storedNameKey(at: k)) == NameKeys.key(base.names()[k])) }
        expectRuntimeKeys(reopened.recruiterNameTable, "after compaction")
        #expect(Self.keyOrder(reopened.recruiterNameTable) == reference)
    }
}
