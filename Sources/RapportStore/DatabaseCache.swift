import Glibc
import Foundation
import Synchronization
import RapportCore

/// `store.cache` in the store directory: the database as of the snapshot plus a prefix of
/// the journal, in a compact binary form that is read with one `read` and no parsing, so a
/// process does not decode the whole JSON snapshot each time it starts (see
/// docs/store-format.md, "store.cache").
///
/// Derived data only: never the source of truth, safe to delete, rebuilt on demand. It is
/// used only when every check passes: the magic, the format version and the layout of
/// the enumerations it stores by number; a checksum over everything after it; the
/// snapshot's identity now (device, inode, size, modification and change times in ns,
/// with the snapshot's bytes compared by hash when the snapshot changed in the same clock
/// tick as the cache was written); and a hash of the journal's bytes it covers. Anything
/// else (a changed, truncated, swapped, stale or foreign file) is ignored and the store is
/// read from JSON as before.
enum DatabaseCache {
    static let fileName = "store.cache"
    static let magic: [UInt8] = Array("RAPPORT\u{1}".utf8)
    /// Bump on any change to the layout below.
    static let formatVersion: UInt32 = 4
    /// Rewrite the cache when opening replayed more than this many journal bytes past it.
    static let rewriteAfterJournalBytes = 64 << 10

    /// What the cache holds besides the database.
    struct Contents {
        var db: Database
        var flags: [UUID: [FlagRecord]]
        var schemaVersion: Int
        var snapshotSeq: Int
        /// The sequence number after the covered journal lines.
        var seq: Int
        /// Bytes and complete lines of `journal.jsonl` folded in.
        var journalCovered: Int
        var journalLines: Int
        /// Set when read from a cache: the snapshot it was made from and its bytes' hash.
        var snapshot: SnapshotIdentity?
        var snapshotHash: UInt64 = 0
        /// Write every recruiter's own `flags` empty, as `store.json` has them (a compaction
        /// moves them to the table).
        var recruiterFlagsCleared = false
        /// With a lazy read: where `flags` is read from when asked for (`flags` is empty).
        var storedFlags: StoredBlocks?
    }

    /// The snapshot file as `stat` sees it, with change time (which no one can set back).
    struct SnapshotIdentity: Equatable {
        var dev: UInt64, ino: UInt64, size: UInt64
        var mtimeSec: Int64, mtimeNsec: Int64, ctimeSec: Int64, ctimeNsec: Int64

        static func of(_ path: String) -> SnapshotIdentity? {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            return SnapshotIdentity(dev: UInt64(st.st_dev), ino: UInt64(st.st_ino), size: UInt64(st.st_size),
                                    mtimeSec: Int64(st.st_mtim.tv_sec), mtimeNsec: Int64(st.st_mtim.tv_nsec),
                                    ctimeSec: Int64(st.st_ctim.tv_sec), ctimeNsec: Int64(st.st_ctim.tv_nsec))
        }
    }

    /// What the cache was made from: the snapshot (identity and a hash of its bytes) and
    /// the hash of the journal's first `journalCovered` bytes.
    struct Source {
        var snapshot: SnapshotIdentity
        var snapshotHash: UInt64
        var journalHash: UInt64
    }

    // MARK: - Layout
    //
    // magic (8) | format version u32 | reserved u32 | checksum u64 | enum layout hash u64 |
    // snapshot identity (7 × u64) | snapshot hash u64 | journal covered u64 | journal lines u64 |
    // journal hash u64 | schemaVersion u64 | snapshotSeq u64 | seq u64 | recruiter flags
    // cleared u64 | recruiters u64 | messages u64 | records u64 | submissions u64 |
    // keys length u64 | names length u64 | side length u64 | blocks length u64 |
    // name keys length u64 | name keys version u64 | message index hash u64 | record index hash u64 |
    // directory | message index | record index | submission index | keys | names | name keys |
    // side | blocks.
    //
    // The checksum covers everything after it up to the blocks but the message and record
    // indexes, which are checked by their own hashes (in the header) when first used (a
    // whole read checks them at once). Each block (one recruiter:
    // its record, its thread in thread order, its opportunities, follow-ups and
    // expectations) is checked by its own hash, kept in the directory, when it is read.
    // Directory entry (44 bytes, sorted by id): id, block offset u64 (from the first
    // block), block length u32, block hash u64, digest u64 (the block's hash with the hash
    // of the recruiter's persisted flag records). Message index entry (20 bytes, sorted by
    // id): message id, the owner's position u32. Record index entry (24 bytes, sorted by
    // id): the id of an opportunity, follow-up, expectation or interview, the owner's
    // position u32, the kind u32. Submission index entry (16 bytes, sorted by hash, key
    // bytes, owner): the hash of an opportunity's submission key (`submissionHash`), the
    // owner's position u32, the key's offset u32 in the keys. Keys: each distinct
    // submission key once, its UTF-8 length u32 then its bytes (so two entries name the same
    // key exactly when their bytes are equal, compared without reading a block). Names: every
    // recruiter's name (a string), in directory order. Name keys: every recruiter's sort key
    // (`NameKeys`), in directory order: where each ends u32 (recruiters + 1 of them, the
    // first 0, never decreasing, the last the keys' total length) then the keys' bytes one
    // after another; they are used only by a build whose `nameKeyVersion` is the version
    // in the header (the table's shape is checked at open: a bad one means the cache is
    // not used). Side: the snapshot's
    // unknown top-level keys; per recruiter with persisted flag records its position and
    // the records (then 0xFFFFFFFF); the flag records of recruiters no longer there.
    static let checksumOffset = 16
    static let headerSize = 16 + 8 + 8 + 56 + 8 + 24 + 24 + 72 + 16 + 16
    /// Where the counts start (the recruiters' count), after the flags-cleared word.
    static let countsOffset = 152
    static let directoryEntry = 44
    static let indexEntry = 20
    static let recordEntry = 24
    static let submissionEntry = 16

    /// Every enumeration stored by its position, in order: a build that reorders or adds a
    /// case writes a different hash, so it never reads another build's numbers.
    static let layoutHash: UInt64 = {
        var s = ""
        func add<T: CaseIterable & RawRepresentable>(_: T.Type) where T.RawValue == String {
            s += T.allCases.map(\.rawValue).joined(separator: ",") + ";"
        }
        add(RecruiterKind.self); add(Targeting.self); add(RelationshipStatus.self); add(Direction.self)
        add(Channel.self); add(Stage.self); add(Flag.self)
        return hash(Array(s.utf8))
    }()

    /// What the stored name keys depend on: the definition of a key (`NameKeys.definition`)
    /// and the build that runs, whose Unicode tables (lowering, NFC) made them; another
    /// build's keys are not used (computed again as the names are read).
    static let nameKeyVersion: UInt64 = {
        var w = Writer()
        w.int(NameKeys.definition)
        w.u64(RulesCache.buildIdentity)
        return hash(w.out)
    }()

    static let kinds = RecruiterKind.allCases, targetings = Targeting.allCases, statuses = RelationshipStatus.allCases
    static let directions = Direction.allCases, channels = Channel.allCases, stages = Stage.allCases, flagCases = Flag.allCases

    // MARK: - Reading

    /// The cache's contents when it is valid for the snapshot at `paths` and the journal
    /// bytes `journal` (the whole file as read now); nil otherwise. With `lazy`, recruiters
    /// and threads are read from the mapped file when first asked for (each block checked
    /// by its hash then); without, every block is read and checked now.
    static func load(_ paths: AppPaths, journal: [UInt8], lazy: Bool = false) -> Contents? {
        let path = paths.path(fileName)
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size >= headerSize, st.st_size < (1 << 40) else {
            return nil
        }
        let cacheMtime = (Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec))
        guard let bytes = CacheBytes(mapping: fd, size: Int(st.st_size), path: path) else { return nil }
        return validate(bytes, paths: paths, journal: journal, cacheMtime: cacheMtime, lazy: lazy)
    }

    static func validate(_ bytes: [UInt8], paths: AppPaths, journal: [UInt8], cacheMtime: (Int64, Int64)) -> Contents? {
        validate(CacheBytes(copying: bytes), paths: paths, journal: journal, cacheMtime: cacheMtime, lazy: false)
    }

    static func validate(_ file: CacheBytes, paths: AppPaths, journal: [UInt8], cacheMtime: (Int64, Int64), lazy: Bool) -> Contents? {
        let raw = file.raw
        var r = Reader(raw: raw, at: 0)
        guard let m = try? r.bytes(8), m.elementsEqual(magic), (try? r.u32()) == formatVersion, (try? r.u32()) != nil,
              let sum = try? r.u64(), (try? r.u64()) == layoutHash else { return nil }
        guard let id = try? SnapshotIdentity(dev: r.u64(), ino: r.u64(), size: r.u64(), mtimeSec: r.i64(), mtimeNsec: r.i64(),
                                             ctimeSec: r.i64(), ctimeNsec: r.i64()),
              let snapHash = try? r.u64(), let covered = try? r.int(), let lines = try? r.int(), let jHash = try? r.u64(),
              let version = try? r.int(), let snapSeq = try? r.int(), let seq = try? r.int(),
              let cleared = try? r.u64(), cleared <= 1,
              let nr = try? r.u64(), let nm = try? r.u64(), let nrec = try? r.u64(), let nsub = try? r.u64(),
              let keysLength = try? r.u64(), let namesLength = try? r.u64(), let sideLength = try? r.u64(),
              let blocksLength = try? r.u64(), let nameKeysLength = try? r.u64(), let nameKeysVersion = try? r.u64(),
              let messageIndexHash = try? r.u64(), let recordIndexHash = try? r.u64(),
              nr < 1 << 32, nm < 1 << 32, nrec < 1 << 32, nsub < 1 << 32, keysLength < 1 << 32, namesLength < 1 << 40,
              sideLength < 1 << 40, blocksLength < 1 << 40, nameKeysLength < 1 << 40 else { return nil }
        let layout = Layout(recruiters: Int(nr), messages: Int(nm), records: Int(nrec), submissions: Int(nsub),
                            keysLength: Int(keysLength), namesLength: Int(namesLength), nameKeysLength: Int(nameKeysLength),
                            sideLength: Int(sideLength), blocksLength: Int(blocksLength))
        guard layout.fileLength == raw.count, sum == checksum(raw, layout), nameKeysHold(raw, layout) else { return nil }
        // Read whole, the message and record indexes are checked now.
        if !lazy {
            guard hash(messageIndex(raw, layout)) == messageIndexHash, hash(recordIndex(raw, layout)) == recordIndexHash else { return nil }
        }
        // The snapshot must be the very file the cache was made from.
        guard let now = SnapshotIdentity.of(paths.snapshot), now == id else { return nil }
        // Changed within the clock tick the cache was written in (timestamps are
        // coarse): an in-place rewrite of the same size could keep every field, so
        // compare the bytes, as git does for a "racily clean" file.
        if (id.ctimeSec, id.ctimeNsec) >= cacheMtime || (id.mtimeSec, id.mtimeNsec) >= cacheMtime {
            guard let b = try? Sys.readFile(paths.snapshot), hash(b) == snapHash else { return nil }
        }
        guard covered >= 0, covered <= journal.count, lines >= 0, version == Snapshot.currentVersion,
              snapSeq >= 0, seq >= snapSeq,
              journal.withUnsafeBytes({ hash(UnsafeRawBufferPointer(rebasing: $0[0..<covered])) }) == jHash,
              covered == 0 || journal[covered - 1] == 0x0A else { return nil }
        let blocks = StoredBlocks(file: file, layout: layout, recruiterFlagsCleared: cleared == 1,
                                  indexHashes: (messageIndexHash, recordIndexHash), nameKeysVersion: nameKeysVersion)
        var side = Reader(raw: UnsafeRawBufferPointer(rebasing: raw[layout.sideOffset..<layout.blocksOffset]), at: 0)
        guard let top = try? side.extra() else { return nil }
        var db: Database
        var flags: [UUID: [FlagRecord]] = [:]
        if lazy {
            db = Database(stored: blocks, extra: top)
        } else {
            // Every block read and checked now: a bad one means the cache is not used.
            guard let table = try? side.flagTable(blocks), side.at == layout.sideLength else { return nil }
            flags = table
            var recruiters: [Recruiter] = [], threads: [[Message]] = []
            var opportunities: [Opportunity] = [], followUps: [FollowUp] = [], expectations: [Expectation] = []
            recruiters.reserveCapacity(layout.recruiters)
            threads.reserveCapacity(layout.recruiters)
            var digests: [UUID: UInt64] = [:]
            digests.reserveCapacity(layout.recruiters)
            var seen = 0
            for k in 0..<layout.recruiters {
                guard let rec = blocks.read(k) else { return nil }
                recruiters.append(rec.recruiter)
                threads.append(rec.messages)
                opportunities += rec.opportunities
                followUps += rec.followUps
                expectations += rec.expectations
                digests[rec.recruiter.id] = blocks.digest(at: k)
                seen += rec.messages.count
            }
            guard seen == layout.messages,
                  let built = try? Database.bulk(recruiters: recruiters, threads: threads, opportunities: opportunities,
                                                 followUps: followUps, expectations: expectations, extra: top)
            else { return nil }
            db = built
            db.adoptStoredDigests(digests)
        }
        var c = Contents(db: db, flags: flags, schemaVersion: version, snapshotSeq: snapSeq, seq: seq,
                         journalCovered: covered, journalLines: lines, snapshot: id, snapshotHash: snapHash,
                         recruiterFlagsCleared: cleared == 1)
        if lazy { c.storedFlags = blocks }
        return c
    }

    /// The stored recruiters of cache `bytes` whose magic, version and checksum hold,
    /// without the checks against the store's files, the submission keys hashed with
    /// `keyHash` (tests: a cache written with a weak hash, to make keys collide).
    static func storedBlocks(_ bytes: [UInt8], keyHash: @escaping @Sendable (UnsafeRawBufferPointer) -> UInt64) -> StoredBlocks? {
        let file = CacheBytes(copying: bytes)
        var r = Reader(raw: file.raw, at: 0)
        guard let m = try? r.bytes(8), m.elementsEqual(magic), (try? r.u32()) == formatVersion else { return nil }
        r.at = countsOffset - 8
        guard let cleared = try? r.u64(), cleared <= 1,
              let nr = try? r.u64(), let nm = try? r.u64(), let nrec = try? r.u64(), let nsub = try? r.u64(),
              let keysLength = try? r.u64(), let namesLength = try? r.u64(), let sideLength = try? r.u64(),
              let blocksLength = try? r.u64(), let nameKeysLength = try? r.u64(), let nameKeysVersion = try? r.u64(),
              let messageIndexHash = try? r.u64(), let recordIndexHash = try? r.u64(), nr < 1 << 32, nm < 1 << 32, nrec < 1 << 32, nsub < 1 << 32,
              keysLength < 1 << 32, namesLength < 1 << 40, sideLength < 1 << 40, blocksLength < 1 << 40, nameKeysLength < 1 << 40
        else { return nil }
        let layout = Layout(recruiters: Int(nr), messages: Int(nm), records: Int(nrec), submissions: Int(nsub),
                            keysLength: Int(keysLength), namesLength: Int(namesLength), nameKeysLength: Int(nameKeysLength),
                            sideLength: Int(sideLength), blocksLength: Int(blocksLength))
        let sum = UInt64(littleEndian: file.raw.loadUnaligned(fromByteOffset: checksumOffset, as: UInt64.self))
        guard layout.fileLength == bytes.count, sum == checksum(file.raw, layout), nameKeysHold(file.raw, layout) else { return nil }
        return StoredBlocks(file: file, layout: layout, recruiterFlagsCleared: cleared == 1,
                            indexHashes: (messageIndexHash, recordIndexHash), nameKeysVersion: nameKeysVersion, keyHash: keyHash)
    }

    /// The checksum of a cache file: of everything after it up to the blocks, but the
    /// message and record indexes.
    static func checksum(_ raw: UnsafeRawBufferPointer, _ layout: Layout) -> UInt64 {
        digest(block: hash(UnsafeRawBufferPointer(rebasing: raw[(checksumOffset + 8)..<layout.indexOffset])),
               side: hash(UnsafeRawBufferPointer(rebasing: raw[layout.submissionOffset..<layout.blocksOffset])))
    }

    static func messageIndex(_ raw: UnsafeRawBufferPointer, _ layout: Layout) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: raw[layout.indexOffset..<layout.recordOffset])
    }

    static func recordIndex(_ raw: UnsafeRawBufferPointer, _ layout: Layout) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: raw[layout.recordOffset..<layout.submissionOffset])
    }

    /// Whether the name keys' table has its shape: an end per recruiter and one more, the
    /// first 0, none before the one before it, the last where the table ends. Checked at
    /// open (with the checksum), so a key read later never lies outside the table.
    static func nameKeysHold(_ raw: UnsafeRawBufferPointer, _ layout: Layout) -> Bool {
        let n = layout.recruiters
        guard layout.nameKeysLength >= (n + 1) * 4 else { return false }
        let base = layout.nameKeysOffset
        var last: UInt32 = 0
        for k in 0...n {
            let end = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + k * 4, as: UInt32.self))
            guard end >= last, k > 0 || end == 0 else { return false }
            last = end
        }
        return Int(last) == layout.nameKeysLength - (n + 1) * 4
    }

    /// Where each part of a cache file starts, from the counts in its header.
    struct Layout: Sendable {
        var recruiters: Int, messages: Int, records: Int, submissions: Int, keysLength: Int, namesLength: Int,
            nameKeysLength: Int, sideLength: Int, blocksLength: Int
        var directoryOffset: Int { headerSize }
        var indexOffset: Int { headerSize + recruiters * directoryEntry }
        var recordOffset: Int { indexOffset + messages * indexEntry }
        var submissionOffset: Int { recordOffset + records * recordEntry }
        var keysOffset: Int { submissionOffset + submissions * submissionEntry }
        var namesOffset: Int { keysOffset + keysLength }
        var nameKeysOffset: Int { namesOffset + namesLength }
        /// The name keys' bytes, after their ends.
        var nameKeyBytesOffset: Int { nameKeysOffset + (recruiters + 1) * 4 }
        var sideOffset: Int { nameKeysOffset + nameKeysLength }
        var blocksOffset: Int { sideOffset + sideLength }
        var fileLength: Int { blocksOffset + blocksLength }
    }

    // MARK: - Writing

    /// The hash a submission key is indexed by.
    static func submissionHash(_ key: UnsafeRawBufferPointer) -> UInt64 { hash(key) }

    /// `keyHash`: the submission keys' hash (tests pass a weak one, to make keys collide);
    /// `keyVersion`: the name keys' version written (tests: another build's).
    static func encode(_ c: Contents, source: Source, keyHash: (UnsafeRawBufferPointer) -> UInt64 = submissionHash,
                       keyVersion: UInt64 = nameKeyVersion) -> [UInt8] {
        let db = c.db
        let ids = db.recruiterIDs.sorted(by: uuidLess)
        var position: [UUID: UInt32] = [:]
        position.reserveCapacity(ids.count)
        for (k, id) in ids.enumerated() { position[id] = UInt32(k) }
        // The blocks: unchanged stored ones copied as they are, with their index entries.
        let copyFrom = db.base as? StoredBlocks
        let canCopy = copyFrom.map { $0.recruiterFlagsCleared || !c.recruiterFlagsCleared } ?? false
        var blocks = Writer()
        blocks.out.reserveCapacity(db.messageCount * 200 + ids.count * 200)
        var entries: [(offset: Int, length: Int, hash: UInt64)] = []
        entries.reserveCapacity(ids.count)
        var messages: [(UUID, UInt32)] = [], records: [(UUID, UInt32, UInt32)] = [], submissions: [(UInt64, [UInt8], UInt32)] = []
        messages.reserveCapacity(db.messageCount)
        var copied: [Int: UInt32] = [:]
        var names = Writer()
        let storedNames = canCopy ? copyFrom?.names() : nil
        // The names' sort keys: an unchanged stored recruiter's copied when this build may
        // use them, else made now by the one definition (`NameKeys`).
        let storedKeys = canCopy && copyFrom?.nameKeysUsable == true ? copyFrom : nil
        var keyMaker = NameKeys(capacity: ids.count * 16)
        var nameKeys = Writer(), nameKeyEnds = Writer()
        nameKeys.out.reserveCapacity(ids.count * 16)
        nameKeyEnds.u32(0)
        func addKey(_ name: String) {
            let (start, count) = keyMaker.append(name)
            nameKeys.out.append(contentsOf: keyMaker.bytes[start..<(start + count)])
            nameKeyEnds.u32(UInt32(nameKeys.out.count))
        }
        for (k, id) in ids.enumerated() {
            let start = blocks.out.count
            let pos = UInt32(k)
            if canCopy, let from = copyFrom, let storedNames, db.isStoredUnchanged(id), let at = from.position(of: id) {
                let (slice, h) = from.block(at)
                blocks.out.append(contentsOf: slice)
                entries.append((start, slice.count, h))
                copied[at] = pos
                names.string(storedNames[at])
                if let storedKeys {
                    nameKeys.out.append(contentsOf: storedKeys.storedNameKey(at: at))
                    nameKeyEnds.u32(UInt32(nameKeys.out.count))
                } else {
                    addKey(storedNames[at])
                }
                continue
            }
            let rec = db.record(of: id)!
            names.string(rec.recruiter.name)
            addKey(rec.recruiter.name)
            blocks.block(rec, recruiterFlags: !c.recruiterFlagsCleared)
            for m in rec.messages { messages.append((m.id, pos)) }
            for o in rec.opportunities {
                records.append((o.id, pos, StoredRecordKind.opportunity.rawValue))
                for i in o.interviews { records.append((i.id, pos, StoredRecordKind.interview.rawValue)) }
                if let key = Rules.submissionKey(of: o) {
                    let bytes = Array(key.utf8)
                    submissions.append((bytes.withUnsafeBytes(keyHash), bytes, pos))
                }
            }
            for f in rec.followUps { records.append((f.id, pos, StoredRecordKind.followUp.rawValue)) }
            for e in rec.expectations { records.append((e.id, pos, StoredRecordKind.expectation.rawValue)) }
            let length = blocks.out.count - start
            entries.append((start, length, blocks.out.withUnsafeBytes { hash(UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)])) }))
        }
        if let from = copyFrom, !copied.isEmpty {
            messages += from.messageEntries { copied[$0] }
            records += from.recordEntries { copied[$0] }
            submissions += from.submissionEntries { copied[$0] }
        }
        messages.sort { uuidLess($0.0, $1.0) }
        records.sort { $0.0 != $1.0 ? uuidLess($0.0, $1.0) : $0.2 < $1.2 }
        submissions.sort {
            if $0.0 != $1.0 { return $0.0 < $1.0 }
            if $0.1 != $1.1 { return $0.1.lexicographicallyPrecedes($1.1) }
            return $0.2 < $1.2
        }
        // One entry per key and owner; each distinct key's bytes once in the keys.
        var uniqueSubmissions: [(UInt64, UInt32, UInt32)] = []
        var keys = Writer()
        var lastKey: [UInt8]?, lastKeyOffset: UInt32 = 0
        for (h, key, owner) in submissions {
            if let lastKey, lastKey == key {
                if uniqueSubmissions.last!.1 == owner { continue }
            } else {
                lastKey = key
                lastKeyOffset = UInt32(keys.out.count)
                keys.count(key.count)
                keys.out.append(contentsOf: key)
            }
            uniqueSubmissions.append((h, owner, lastKeyOffset))
        }
        // The side: unknown top-level keys, then the persisted flags per recruiter (whose
        // hash goes into that recruiter's digest).
        var side = Writer()
        side.extra(db.extra)
        var flagHash = [UInt64](repeating: 0, count: ids.count)
        let flags = c.flags.filter { !$0.value.isEmpty }
        for (k, id) in ids.enumerated() {
            guard let fl = flags[id] else { continue }
            side.u32(UInt32(k))
            // The records alone: a recruiter's digest must not depend on its position.
            let start = side.out.count
            side.flagRecords(fl)
            flagHash[k] = side.out.withUnsafeBytes { hash(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        }
        side.u32(UInt32.max)
        // Flag records of recruiters that are gone are kept, as the snapshot's table has them.
        let orphans = flags.keys.filter { position[$0] == nil }.sorted(by: uuidLess)
        side.count(orphans.count)
        for id in orphans {
            side.uuid(id)
            side.flagRecords(flags[id]!)
        }

        var w = Writer()
        let layout = Layout(recruiters: ids.count, messages: messages.count, records: records.count, submissions: uniqueSubmissions.count,
                            keysLength: keys.out.count, namesLength: names.out.count,
                            nameKeysLength: nameKeyEnds.out.count + nameKeys.out.count, sideLength: side.out.count,
                            blocksLength: blocks.out.count)
        w.out.reserveCapacity(layout.fileLength)
        w.out.append(contentsOf: magic)
        w.u32(formatVersion)
        w.u32(0)
        w.u64(0)  // the checksum, filled in last
        w.u64(layoutHash)
        let id = source.snapshot
        w.u64(id.dev); w.u64(id.ino); w.u64(id.size)
        w.i64(id.mtimeSec); w.i64(id.mtimeNsec); w.i64(id.ctimeSec); w.i64(id.ctimeNsec)
        w.u64(source.snapshotHash)
        w.int(c.journalCovered); w.int(c.journalLines); w.u64(source.journalHash)
        w.int(c.schemaVersion); w.int(c.snapshotSeq); w.int(c.seq)
        w.u64(c.recruiterFlagsCleared ? 1 : 0)
        w.int(layout.recruiters); w.int(layout.messages); w.int(layout.records); w.int(layout.submissions)
        w.int(layout.keysLength); w.int(layout.namesLength); w.int(layout.sideLength); w.int(layout.blocksLength)
        w.int(layout.nameKeysLength); w.u64(keyVersion)
        w.u64(0); w.u64(0)  // the message and record indexes' hashes, filled in last
        for (k, rid) in ids.enumerated() {
            let e = entries[k]
            w.uuid(rid); w.int(e.offset); w.u32(UInt32(e.length)); w.u64(e.hash)
            w.u64(digest(block: e.hash, side: flagHash[k]))
        }
        for (mid, owner) in messages { w.uuid(mid); w.u32(owner) }
        for (rid, owner, kind) in records { w.uuid(rid); w.u32(owner); w.u32(kind) }
        for (h, owner, key) in uniqueSubmissions { w.u64(h); w.u32(owner); w.u32(key) }
        w.out.append(contentsOf: keys.out)
        w.out.append(contentsOf: names.out)
        w.out.append(contentsOf: nameKeyEnds.out)
        w.out.append(contentsOf: nameKeys.out)
        w.out.append(contentsOf: side.out)
        func put(_ v: UInt64, at: Int) {
            withUnsafeBytes(of: v.littleEndian) { s in
                for k in 0..<8 { w.out[at + k] = s[k] }
            }
        }
        let (messageIndexHash, recordIndexHash) = w.out.withUnsafeBytes {
            (hash(messageIndex($0, layout)), hash(recordIndex($0, layout)))
        }
        put(messageIndexHash, at: headerSize - 16)
        put(recordIndexHash, at: headerSize - 8)
        put(w.out.withUnsafeBytes { checksum($0, layout) }, at: checksumOffset)
        w.out.append(contentsOf: blocks.out)
        return w.out
    }

    /// A recruiter's digest: its block's hash with the hash of its side records (0: none).
    static func digest(block: UInt64, side: UInt64) -> UInt64 {
        var b = [UInt8]()
        withUnsafeBytes(of: block.littleEndian) { b.append(contentsOf: $0) }
        withUnsafeBytes(of: side.littleEndian) { b.append(contentsOf: $0) }
        return hash(b)
    }

    /// A test hook: with this variable set to a path, the writer writes half the cache to
    /// its temp file, creates that path and waits, so a test can kill it mid-write.
    static let stallKey = "RAPPORT_TEST_CACHE_STALL"

    /// Writes `store.cache` atomically (temp file `.store.cache.tmp-<pid>-<n>`, 0600, then
    /// rename; not fsync'd: a cache lost or cut short in a crash fails its checks and is
    /// rebuilt). Never written in place: a process that mapped the old file keeps reading
    /// the old file. Best effort: any failure leaves the old cache or none, both safe.
    static func write(_ c: Contents, source: Source, paths: AppPaths, fs: FileSystem) {
        writeDerived(encode(c, source: source), named: fileName, paths: paths, fs: fs, stallKey: stallKey)
    }

    /// Writes a derived file beside the store atomically (temp file `.NAME.tmp-<pid>-<n>`,
    /// 0600, then rename; not fsync'd: a file lost or cut short in a crash fails its checks
    /// and is rebuilt; never written in place). Best effort: any failure leaves the old file
    /// or none, both safe. With the environment variable `stallKey` set to a path (tests),
    /// half the bytes are written, that path is created and the writer waits, to be killed.
    static func writeDerived(_ bytes: [UInt8], named name: String, paths: AppPaths, fs: FileSystem, stallKey: String) {
        let target = paths.path(name)
        let tmp = paths.path(".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = fs.open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = fchmod(fd, 0o600)
        var ok: Bool
        if let stall = ProcessInfo.processInfo.environment[stallKey] {
            let half = bytes.count / 2
            ok = (try? Sys.writeAll(fs, fd, Array(bytes[..<half]), tmp)) != nil
            _ = FileManager.default.createFile(atPath: stall, contents: Data())
            sleep(30)
            ok = ok && (try? Sys.writeAll(fs, fd, Array(bytes[half...]), tmp)) != nil
        } else {
            ok = (try? Sys.writeAll(fs, fd, bytes, tmp)) != nil
        }
        Glibc.close(fd)
        if !ok || fs.rename(tmp, target) != 0 { unlink(tmp) }
    }

    // MARK: - Hash

    /// A fast 64-bit hash (four lanes of 8 bytes at a time, multiply-rotate mixing): a
    /// checksum against damage, not against an adversary.
    static func hash(_ b: [UInt8]) -> UInt64 { b.withUnsafeBytes { hash($0) } }

    static func hash(_ b: UnsafeRawBufferPointer) -> UInt64 {
        let p1: UInt64 = 0x9E37_79B1_85EB_CA87, p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F, p3: UInt64 = 0x1656_67B1_9E37_79F9
        @inline(__always) func round(_ acc: UInt64, _ v: UInt64) -> UInt64 {
            let a = acc &+ v &* p2
            return ((a << 31) | (a >> 33)) &* p1
        }
        let n = b.count
        var h: UInt64
        var i = 0
        if n >= 32 {
            var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4 = 0 &- p1
            while i + 32 <= n {
                v1 = round(v1, UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                v2 = round(v2, UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
                v3 = round(v3, UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)))
                v4 = round(v4, UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)))
                i += 32
            }
            h = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
            for v in [v1, v2, v3, v4] { h = (h ^ round(0, v)) &* p1 &+ p3 }
        } else {
            h = p3
        }
        h = h &+ UInt64(n)
        while i + 8 <= n {
            h ^= round(0, UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            h = ((h << 27) | (h >> 37)) &* p1 &+ p3
            i += 8
        }
        while i < n {
            h ^= UInt64(b[i]) &* p3
            h = ((h << 11) | (h >> 53)) &* p1
            i += 1
        }
        h ^= h >> 33; h = h &* p2; h ^= h >> 29; h = h &* p3; h ^= h >> 32
        return h
    }
}

// MARK: - Writer

extension DatabaseCache {
    struct Writer {
        var out: [UInt8] = []

        mutating func u8(_ v: UInt8) { out.append(v) }
        mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
        mutating func int(_ v: Int) { i64(Int64(v)) }
        mutating func count(_ n: Int) { u32(UInt32(n)) }
        mutating func bool(_ v: Bool) { u8(v ? 1 : 0) }
        mutating func uuid(_ id: UUID) { withUnsafeBytes(of: id.uuid) { out.append(contentsOf: $0) } }
        /// A date as the bits of its `timeIntervalSinceReferenceDate`: exact.
        mutating func date(_ d: Date) { u64(d.timeIntervalSinceReferenceDate.bitPattern) }
        mutating func date(_ d: Date?) {
            if let d { u8(1); date(d) } else { u8(0) }
        }
        mutating func string(_ s: String) {
            var s = s
            s.withUTF8 { u in
                count(u.count)
                out.append(contentsOf: u)
            }
        }
        /// Length 0xFFFF_FFFF: nil.
        mutating func string(_ s: String?) {
            if let s { string(s) } else { u32(UInt32.max) }
        }
        mutating func strings(_ a: [String]) {
            count(a.count)
            for s in a { string(s) }
        }
        mutating func index<T: Equatable>(_ v: T, in all: [T]) { u8(UInt8(all.firstIndex(of: v)!)) }

        mutating func json(_ v: JSONValue) {
            switch v {
            case .null: u8(0)
            case .bool(let b): u8(b ? 2 : 1)
            case .number(let s): u8(3); string(s)
            case .string(let s): u8(4); string(s)
            case .array(let a):
                u8(5); count(a.count)
                for x in a { json(x) }
            case .object(let o): u8(6); extra(o)
            }
        }
        mutating func extra(_ o: [String: JSONValue]) {
            count(o.count)
            for k in o.keys.sorted() {
                string(k)
                json(o[k]!)
            }
        }
        mutating func checklist(_ c: Checklist) {
            count(c.done.count)
            for k in c.done.keys.sorted() {
                string(k)
                date(c.done[k]!)
            }
            string(c.agenda)
            extra(c.extra)
        }

        mutating func flagRecords(_ a: [FlagRecord]) {
            count(a.count)
            for f in a { index(f.flag, in: flagCases); date(f.since) }
        }

        /// One recruiter's block: its record, its thread (in thread order), then its
        /// opportunities, follow-ups and expectations (each by id).
        mutating func block(_ rec: RecruiterRecord, recruiterFlags: Bool) {
            let r = rec.recruiter
            uuid(r.id); string(r.name); string(r.firm)
            index(r.kind, in: kinds); index(r.targeting, in: targetings)
            strings(r.emails); string(r.phone); string(r.linkedin); string(r.timeZone)
            strings(r.tags); string(r.notes)
            index(r.status, in: statuses); date(r.statusUntil); date(r.created)
            flagRecords(recruiterFlags ? r.flags : [])
            checklist(r.checklist)
            count(r.referrals.count)
            for x in r.referrals { uuid(x.id); string(x.name); date(x.at); string(x.note); extra(x.extra) }
            count(r.dismissals.count)
            for x in r.dismissals { string(x.deadline); date(x.at); date(x.until); string(x.reason); extra(x.extra) }
            extra(r.extra)
            count(rec.messages.count)
            for m in rec.messages {
                uuid(m.id); index(m.direction, in: directions); index(m.channel, in: channels); date(m.at)
                string(m.subject); string(m.body); bool(m.noReplyNeeded); extra(m.extra)
            }
            let os = rec.opportunities.sorted { uuidLess($0.id, $1.id) }
            count(os.count)
            for o in os {
                uuid(o.id); string(o.role); string(o.employer); index(o.stage, in: stages)
                count(o.interviews.count)
                for i in o.interviews { uuid(i.id); date(i.at); int(i.durationMinutes); strings(i.interviewers) }
                string(o.nextStep); checklist(o.checklist); extra(o.extra)
            }
            let fs = rec.followUps.sorted { uuidLess($0.id, $1.id) }
            count(fs.count)
            for f in fs { uuid(f.id); date(f.due); string(f.note); date(f.done); date(f.snoozedUntil); extra(f.extra) }
            let es = rec.expectations.sorted { uuidLess($0.id, $1.id) }
            count(es.count)
            for e in es { uuid(e.id); date(e.by); string(e.note); extra(e.extra) }
        }
    }
}

// MARK: - Reader

extension DatabaseCache {
    struct Bad: Error {}

    /// Reads what `Writer` wrote; every read is bounds-checked (a damaged file that passes
    /// the checksum still cannot read out of bounds), any surprise throws.
    struct Reader {
        let raw: UnsafeRawBufferPointer
        var at: Int

        @inline(__always) mutating func need(_ n: Int) throws {
            guard n >= 0, raw.count - at >= n else { throw Bad() }
        }
        @inline(__always) mutating func bytes(_ n: Int) throws -> UnsafeRawBufferPointer {
            try need(n)
            defer { at += n }
            return UnsafeRawBufferPointer(rebasing: raw[at..<(at + n)])
        }
        @inline(__always) mutating func u8() throws -> UInt8 {
            try need(1)
            defer { at += 1 }
            return raw[at]
        }
        @inline(__always) mutating func u32() throws -> UInt32 {
            try need(4)
            defer { at += 4 }
            return UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))
        }
        @inline(__always) mutating func u64() throws -> UInt64 {
            try need(8)
            defer { at += 8 }
            return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
        }
        @inline(__always) mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
        @inline(__always) mutating func int() throws -> Int { Int(try i64()) }
        /// A count, which can never exceed the bytes left (each element takes one or more).
        @inline(__always) mutating func count() throws -> Int {
            let n = Int(try u32())
            guard n <= raw.count - at else { throw Bad() }
            return n
        }
        @inline(__always) mutating func bool() throws -> Bool {
            switch try u8() {
            case 0: return false
            case 1: return true
            default: throw Bad()
            }
        }
        @inline(__always) mutating func uuid() throws -> UUID {
            try need(16)
            var u: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &u) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[at..<(at + 16)])) }
            at += 16
            return UUID(uuid: u)
        }
        @inline(__always) mutating func date() throws -> Date {
            let d = Double(bitPattern: try u64())
            guard d.isFinite else { throw Bad() }
            return Date(timeIntervalSinceReferenceDate: d)
        }
        @inline(__always) mutating func optionalDate() throws -> Date? {
            switch try u8() {
            case 0: return nil
            case 1: return try date()
            default: throw Bad()
            }
        }
        mutating func string() throws -> String {
            guard let s = try optionalString() else { throw Bad() }
            return s
        }
        mutating func optionalString() throws -> String? {
            let n = try u32()
            if n == UInt32.max { return nil }
            let b = try bytes(Int(n))
            // The checksum held and the writer wrote Swift strings: valid UTF-8.
            return String(decoding: b.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
        }
        mutating func strings() throws -> [String] {
            let n = try count()
            var a: [String] = []
            a.reserveCapacity(n)
            for _ in 0..<n { a.append(try string()) }
            return a
        }
        @inline(__always) mutating func pick<T>(_ all: [T]) throws -> T {
            let k = Int(try u8())
            guard k < all.count else { throw Bad() }
            return all[k]
        }

        mutating func json(depth: Int = 0) throws -> JSONValue {
            guard depth < 300 else { throw Bad() }
            switch try u8() {
            case 0: return .null
            case 1: return .bool(false)
            case 2: return .bool(true)
            case 3: return .number(try string())
            case 4: return .string(try string())
            case 5:
                let n = try count()
                var a: [JSONValue] = []
                a.reserveCapacity(n)
                for _ in 0..<n { a.append(try json(depth: depth + 1)) }
                return .array(a)
            case 6: return .object(try extra(depth: depth + 1))
            default: throw Bad()
            }
        }
        mutating func extra(depth: Int = 0) throws -> [String: JSONValue] {
            let n = try count()
            if n == 0 { return [:] }
            var o: [String: JSONValue] = [:]
            for _ in 0..<n {
                let k = try string()
                guard o.updateValue(try json(depth: depth), forKey: k) == nil else { throw Bad() }
            }
            return o
        }
        mutating func checklist() throws -> Checklist {
            let n = try count()
            var done: [String: Date] = [:]
            for _ in 0..<n {
                let k = try string()
                guard done.updateValue(try date(), forKey: k) == nil else { throw Bad() }
            }
            return Checklist(done: done, agenda: try optionalString(), extra: try extra())
        }
        mutating func flagRecords() throws -> [FlagRecord] {
            let n = try count()
            var a: [FlagRecord] = []
            a.reserveCapacity(n)
            for _ in 0..<n { a.append(FlagRecord(flag: try pick(flagCases), since: try date())) }
            return a
        }

        /// One recruiter's block (see `Writer.block`).
        /// A block's first part: the recruiter's own record (what `block` reads first).
        mutating func recruiterHead() throws -> Recruiter {
            let id = try uuid(), name = try string(), firm = try optionalString()
            let kind = try pick(kinds), targeting = try pick(targetings)
            let emails = try strings(), phone = try optionalString(), linkedin = try optionalString()
            let timeZone = try optionalString(), tags = try strings(), notes = try optionalString()
            let status = try pick(statuses), statusUntil = try optionalDate(), created = try date()
            let flags = try flagRecords()
            let recruiterChecklist = try checklist()
            let nref = try count()
            var referrals: [Referral] = []
            for _ in 0..<nref {
                referrals.append(Referral(id: try uuid(), name: try string(), at: try date(), note: try optionalString(),
                                          extra: try extra()))
            }
            let ndis = try count()
            var dismissals: [Dismissal] = []
            for _ in 0..<ndis {
                dismissals.append(Dismissal(deadline: try string(), at: try date(), until: try optionalDate(),
                                            reason: try optionalString(), extra: try extra()))
            }
            let unknown = try extra()
            return Recruiter(id: id, name: name, firm: firm, kind: kind, targeting: targeting, emails: emails,
                             phone: phone, linkedin: linkedin, timeZone: timeZone, tags: tags, notes: notes,
                             status: status, statusUntil: statusUntil, created: created, flags: flags,
                             checklist: recruiterChecklist, referrals: referrals, dismissals: dismissals, extra: unknown)
        }

        mutating func block() throws -> RecruiterRecord {
            let recruiter = try recruiterHead()
            let id = recruiter.id
            let nm = try count()
            var thread: [Message] = []
            thread.reserveCapacity(nm)
            for _ in 0..<nm {
                thread.append(Message(id: try uuid(), recruiterID: id, direction: try pick(directions),
                                      channel: try pick(channels), at: try date(), subject: try optionalString(),
                                      body: try optionalString(), noReplyNeeded: try bool(), extra: try extra()))
            }
            var rec = RecruiterRecord(recruiter: recruiter, messages: thread)
            let no = try count()
            for _ in 0..<no {
                let oid = try uuid(), role = try string(), employer = try optionalString(), stage = try pick(stages)
                let ni = try count()
                var interviews: [InterviewEvent] = []
                for _ in 0..<ni {
                    interviews.append(InterviewEvent(id: try uuid(), at: try date(), durationMinutes: try int(), interviewers: try strings()))
                }
                rec.opportunities.append(Opportunity(id: oid, recruiterID: id, role: role, employer: employer, stage: stage,
                                                     interviews: interviews, nextStep: try optionalString(), checklist: try checklist(),
                                                     extra: try extra()))
            }
            let nf = try count()
            for _ in 0..<nf {
                rec.followUps.append(FollowUp(id: try uuid(), recruiterID: id, due: try date(), note: try optionalString(),
                                              done: try optionalDate(), snoozedUntil: try optionalDate(), extra: try extra()))
            }
            let ne = try count()
            for _ in 0..<ne {
                rec.expectations.append(Expectation(id: try uuid(), recruiterID: id, by: try date(), note: try optionalString(),
                                                    extra: try extra()))
            }
            return rec
        }

        /// The persisted flag records (after the side's unknown keys), owners named by
        /// their position in `blocks`' directory.
        mutating func flagTable(_ blocks: StoredBlocks) throws -> [UUID: [FlagRecord]] {
            var flags: [UUID: [FlagRecord]] = [:]
            var last = -1
            while true {
                let k = try u32()
                if k == UInt32.max { break }
                guard Int(k) > last, Int(k) < blocks.count else { throw Bad() }
                last = Int(k)
                flags[blocks.id(at: Int(k))] = try flagRecords()
            }
            let orphans = try count()
            for _ in 0..<orphans {
                let id = try uuid()
                guard flags.updateValue(try flagRecords(), forKey: id) == nil else { throw Bad() }
            }
            return flags
        }
    }
}

// MARK: - Stored blocks

/// The bytes of a cache file: mapped read-only (or a copy, for tests), released with the
/// last database that reads from it. The writer never changes a cache file in place (it
/// writes a new one and renames it), so a mapping keeps the file it was made from.
final class CacheBytes: @unchecked Sendable {
    let raw: UnsafeRawBufferPointer
    private let mapped: Bool
    /// Where it was read from (removed when a block turns out damaged).
    let path: String?

    init?(mapping fd: Int32, size: Int, path: String) {
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
        raw = UnsafeRawBufferPointer(start: p, count: size)
        mapped = true
        self.path = path
    }

    init(copying bytes: [UInt8]) {
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { p.copyMemory(from: $0) }
        raw = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(p)[0..<bytes.count])
        mapped = false
        path = nil
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: raw.baseAddress), raw.count)
        } else {
            raw.baseAddress.map { UnsafeMutableRawPointer(mutating: $0).deallocate() }
        }
    }
}

/// The recruiters of a cache file, each read (and its block checked against the hash in
/// the directory) when first asked for, then remembered.
final class StoredBlocks: StoredRecruiters {
    let file: CacheBytes
    let layout: DatabaseCache.Layout
    /// Whether the recruiters' own flags were written empty (as the snapshot has them).
    let recruiterFlagsCleared: Bool
    /// The hash the submission index was written with (`DatabaseCache.submissionHash`;
    /// tests pass a weak one).
    let keyHash: @Sendable (UnsafeRawBufferPointer) -> UInt64
    /// The hashes the header gives for the message and record indexes, and whether each
    /// index was checked against its hash yet (on first use).
    private let indexHashes: (messages: UInt64, records: UInt64)
    private let indexChecked = Mutex<(messages: Bool, records: Bool)>((false, false))
    /// The version of the stored name keys (`DatabaseCache.nameKeyVersion` of the build
    /// that wrote them).
    let nameKeysVersion: UInt64
    private let memo = Mutex<[Int: RecruiterRecord]>([:])
    /// Records read without their blocks' other parts (`record(at:)`).
    private let records = Mutex<[Int: Recruiter]>([:])

    init(file: CacheBytes, layout: DatabaseCache.Layout, recruiterFlagsCleared: Bool, indexHashes: (UInt64, UInt64),
         nameKeysVersion: UInt64, keyHash: @escaping @Sendable (UnsafeRawBufferPointer) -> UInt64 = DatabaseCache.submissionHash) {
        self.file = file
        self.nameKeysVersion = nameKeysVersion
        self.layout = layout
        self.recruiterFlagsCleared = recruiterFlagsCleared
        self.indexHashes = indexHashes
        self.keyHash = keyHash
    }

    /// The message index checked against its hash, once, before it is first read.
    private func checkMessageIndex() {
        guard !indexChecked.withLock({ $0.messages }) else { return }
        if DatabaseCache.hash(DatabaseCache.messageIndex(file.raw, layout)) != indexHashes.messages {
            damaged("the message index does not match its hash")
        }
        indexChecked.withLock { $0.messages = true }
    }

    private func checkRecordIndex() {
        guard !indexChecked.withLock({ $0.records }) else { return }
        if DatabaseCache.hash(DatabaseCache.recordIndex(file.raw, layout)) != indexHashes.records {
            damaged("the record index does not match its hash")
        }
        indexChecked.withLock { $0.records = true }
    }

    var count: Int { layout.recruiters }
    var messageCount: Int { layout.messages }

    @inline(__always) private func entry(_ k: Int) -> Int { layout.directoryOffset + k * DatabaseCache.directoryEntry }

    @inline(__always) private func key(_ at: Int) -> (UInt64, UInt64) {
        (UInt64(bigEndian: file.raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)),
         UInt64(bigEndian: file.raw.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self)))
    }

    @inline(__always) private static func key(_ id: UUID) -> (UInt64, UInt64) {
        withUnsafeBytes(of: id.uuid) {
            (UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
             UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    func id(at k: Int) -> UUID {
        precondition(k >= 0 && k < count, "recruiter \(k) of \(count)")
        // Inside the directory, which lies inside the file (its length was checked at open).
        return UUID(uuid: file.raw.loadUnaligned(fromByteOffset: entry(k), as: uuid_t.self))
    }

    /// The first position in a sorted table (`n` entries of `size` bytes from `base`)
    /// whose key is not less than `key` (`orAbove`: greater than it).
    private func lowerBound(_ key: (UInt64, UInt64), base: Int, size: Int, n: Int, orAbove: Bool = false) -> Int {
        var lo = 0, hi = n
        while lo < hi {
            let mid = (lo + hi) / 2
            let k = self.key(base + mid * size)
            if k < key || (orAbove && k == key) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    func position(of id: UUID) -> Int? {
        let key = Self.key(id)
        let k = lowerBound(key, base: layout.directoryOffset, size: DatabaseCache.directoryEntry, n: count)
        return k < count && self.key(entry(k)) == key ? k : nil
    }

    func positions(in range: UUIDPrefixRange) -> Range<Int> {
        let lo = lowerBound(Self.key(range.lo), base: layout.directoryOffset, size: DatabaseCache.directoryEntry, n: count)
        let hi = lowerBound(Self.key(range.hi), base: layout.directoryOffset, size: DatabaseCache.directoryEntry, n: count, orAbove: true)
        return lo..<max(lo, hi)
    }

    func messageOwner(_ id: UUID) -> Int? {
        checkMessageIndex()
        let key = Self.key(id)
        let n = layout.messages
        let k = lowerBound(key, base: layout.indexOffset, size: DatabaseCache.indexEntry, n: n)
        guard k < n, self.key(layout.indexOffset + k * DatabaseCache.indexEntry) == key else { return nil }
        let owner = Int(UInt32(littleEndian: file.raw.loadUnaligned(fromByteOffset: layout.indexOffset + k * DatabaseCache.indexEntry + 16, as: UInt32.self)))
        if owner >= count { damaged("the message index names recruiter \(owner) of \(count)") }
        return owner
    }

    func messageIDs(in range: UUIDPrefixRange) -> [UUID] {
        checkMessageIndex()
        let n = layout.messages
        var k = lowerBound(Self.key(range.lo), base: layout.indexOffset, size: DatabaseCache.indexEntry, n: n)
        var out: [UUID] = []
        while k < n {
            let at = layout.indexOffset + k * DatabaseCache.indexEntry
            var u: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &u) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: file.raw[at..<(at + 16)])) }
            let id = UUID(uuid: u)
            guard range.contains(id) else { break }
            out.append(id)
            k += 1
        }
        return out
    }

    func digest(at k: Int) -> UInt64 {
        UInt64(littleEndian: file.raw.loadUnaligned(fromByteOffset: entry(k) + 36, as: UInt64.self))
    }

    /// The bytes of block `k` and the hash the directory gives for them (nil when the
    /// directory points outside the blocks).
    func block(_ k: Int) -> (UnsafeRawBufferPointer, UInt64) {
        let e = entry(k)
        let offset = Int(UInt64(littleEndian: file.raw.loadUnaligned(fromByteOffset: e + 16, as: UInt64.self)))
        let length = Int(UInt32(littleEndian: file.raw.loadUnaligned(fromByteOffset: e + 24, as: UInt32.self)))
        let h = UInt64(littleEndian: file.raw.loadUnaligned(fromByteOffset: e + 28, as: UInt64.self))
        guard offset >= 0, offset <= layout.blocksLength, length <= layout.blocksLength - offset else {
            return (UnsafeRawBufferPointer(start: nil, count: 0), h ^ 1)
        }
        let start = layout.blocksOffset + offset
        return (UnsafeRawBufferPointer(rebasing: file.raw[start..<(start + length)]), h)
    }

    /// Block `k` read and checked; nil when its bytes do not match the directory's hash or
    /// do not read as a block of the recruiter the directory names.
    func read(_ k: Int) -> RecruiterRecord? {
        let (bytes, h) = block(k)
        guard DatabaseCache.hash(bytes) == h else { return nil }
        var r = DatabaseCache.Reader(raw: bytes, at: 0)
        guard let b = try? r.block(), r.at == bytes.count, b.recruiter.id == id(at: k) else { return nil }
        return b
    }

    /// How many times the names were read (`names()`).
    var namesRead: Int { namesReads.withLock { $0 } }
    private let namesReads = Mutex(0)

    /// Every recruiter's name, by position (covered by the checksum checked at open).
    func names() -> [String] {
        namesReads.withLock { $0 += 1 }
        var r = DatabaseCache.Reader(raw: UnsafeRawBufferPointer(rebasing: file.raw[layout.namesOffset..<layout.sideOffset]), at: 0)
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            guard let name = try? r.string() else { damaged("the names do not read") }
            out.append(name)
        }
        if r.at != layout.namesLength { damaged("the names do not read") }
        return out
    }

    /// Whether this build may use the stored name keys: they were made by a build whose
    /// keys are this one's (`DatabaseCache.nameKeyVersion`).
    var nameKeysUsable: Bool { nameKeysVersion == DatabaseCache.nameKeyVersion }

    /// The end of the `k`th stored name key (`k` in 0...count), from the table's ends.
    @inline(__always) private func nameKeyEnd(_ k: Int) -> Int {
        Int(u32(at: layout.nameKeysOffset + k * 4))
    }

    /// The stored sort key of the recruiter at `k` (the table's shape was checked at open:
    /// it lies inside the table).
    func storedNameKey(at k: Int) -> UnsafeRawBufferPointer {
        let start = layout.nameKeyBytesOffset + nameKeyEnd(k)
        return UnsafeRawBufferPointer(rebasing: file.raw[start..<(layout.nameKeyBytesOffset + nameKeyEnd(k + 1))])
    }

    /// Every recruiter's id, name and sort key: the stored keys, copied as they are, when
    /// this build may use them, and the names read only when one is asked for; else the
    /// keys made from the names now.
    func nameTable() -> NameTable {
        guard nameKeysUsable else {
            let names = names()
            var table = NameTable(capacity: count)
            for k in 0..<count { table.append(id: id(at: k), name: names[k]) }
            return table
        }
        let n = count
        let ids = [UUID](unsafeUninitializedCapacity: n) { buf, made in
            for k in 0..<n { buf.initializeElement(at: k, to: id(at: k)) }
            made = n
        }
        // The ends were checked at open: each key lies inside the keys' bytes.
        let spans = [(start: Int, count: Int)](unsafeUninitializedCapacity: n) { buf, made in
            var start = 0
            for k in 0..<n {
                let end = nameKeyEnd(k + 1)
                buf.initializeElement(at: k, to: (start, end - start))
                start = end
            }
            made = n
        }
        return NameTable(stored: self, ids: ids, keys: UnsafeRawBufferPointer(rebasing: file.raw[layout.nameKeyBytesOffset..<layout.sideOffset]),
                         spans: spans)
    }

    /// The persisted flag records (the side is covered by the checksum checked at open).
    func flagTable() -> [UUID: [FlagRecord]] {
        var side = DatabaseCache.Reader(raw: UnsafeRawBufferPointer(rebasing: file.raw[layout.sideOffset..<layout.blocksOffset]), at: 0)
        guard (try? side.extra()) != nil, let t = try? side.flagTable(self), side.at == layout.sideLength else {
            damaged("the persisted flags do not read")
        }
        return t
    }

    @inline(__always) private func uuid(at: Int) -> UUID {
        var u: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &u) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: file.raw[at..<(at + 16)])) }
        return UUID(uuid: u)
    }

    @inline(__always) private func u32(at: Int) -> UInt32 {
        UInt32(littleEndian: file.raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    /// A position read from an index, which must name a recruiter of the directory.
    private func owner(at: Int) -> Int {
        let k = Int(u32(at: at))
        if k >= count { damaged("an index names recruiter \(k) of \(count)") }
        return k
    }

    func recordOwner(_ id: UUID, _ kind: StoredRecordKind) -> Int? {
        checkRecordIndex()
        let key = Self.key(id)
        var k = lowerBound(key, base: layout.recordOffset, size: DatabaseCache.recordEntry, n: layout.records)
        while k < layout.records {
            let at = layout.recordOffset + k * DatabaseCache.recordEntry
            guard self.key(at) == key else { return nil }
            if u32(at: at + 20) == kind.rawValue { return owner(at: at + 16) }
            k += 1
        }
        return nil
    }

    func records(in range: UUIDPrefixRange) -> [(UUID, StoredRecordKind, Int)] {
        checkRecordIndex()
        var k = lowerBound(Self.key(range.lo), base: layout.recordOffset, size: DatabaseCache.recordEntry, n: layout.records)
        var out: [(UUID, StoredRecordKind, Int)] = []
        while k < layout.records {
            let at = layout.recordOffset + k * DatabaseCache.recordEntry
            let id = uuid(at: at)
            guard range.contains(id) else { break }
            if let kind = StoredRecordKind(rawValue: u32(at: at + 20)) { out.append((id, kind, owner(at: at + 16))) }
            k += 1
        }
        return out
    }

    @inline(__always) private func submissionHash(at k: Int) -> UInt64 {
        UInt64(littleEndian: file.raw.loadUnaligned(fromByteOffset: layout.submissionOffset + k * DatabaseCache.submissionEntry,
                                                    as: UInt64.self))
    }

    /// The bytes of the submission key that entry `k` of the submission index names (its
    /// offset and length checked against the keys).
    private func submissionKey(at k: Int) -> (offset: Int, bytes: UnsafeRawBufferPointer) {
        let offset = Int(u32(at: layout.submissionOffset + k * DatabaseCache.submissionEntry + 12))
        guard offset <= layout.keysLength - 4 else { damaged("the submission index names a key outside the keys") }
        let length = Int(u32(at: layout.keysOffset + offset))
        guard length <= layout.keysLength - 4 - offset else { damaged("a submission key runs past the keys") }
        let start = layout.keysOffset + offset + 4
        return (offset, UnsafeRawBufferPointer(rebasing: file.raw[start..<(start + length)]))
    }

    @inline(__always) private static func same(_ a: (offset: Int, bytes: UnsafeRawBufferPointer),
                                               _ b: (offset: Int, bytes: UnsafeRawBufferPointer)) -> Bool {
        a.offset == b.offset
            || (a.bytes.count == b.bytes.count
                && (a.bytes.isEmpty || memcmp(a.bytes.baseAddress!, b.bytes.baseAddress!, a.bytes.count) == 0))
    }

    func sharedSubmissions() -> [[Int]] {
        var out: [[Int]] = []
        var k = 0
        let n = layout.submissions
        while k < n {
            // One hash: its entries, in runs of one key each (the writer sorts by key
            // bytes, then owner); a key met again after another one means a damaged index.
            let h = submissionHash(at: k)
            var end = k + 1
            while end < n, submissionHash(at: end) == h { end += 1 }
            if end - k == 1 { k = end; continue }
            var runs: [(offset: Int, bytes: UnsafeRawBufferPointer)] = []
            var j = k
            while j < end {
                let key = submissionKey(at: j)
                for earlier in runs where Self.same(earlier, key) { damaged("the submission index is out of order") }
                runs.append(key)
                var group = [owner(at: layout.submissionOffset + j * DatabaseCache.submissionEntry + 8)]
                j += 1
                while j < end, Self.same(submissionKey(at: j), key) {
                    let o = owner(at: layout.submissionOffset + j * DatabaseCache.submissionEntry + 8)
                    if o <= group.last! { damaged("the submission index is out of order") }
                    group.append(o)
                    j += 1
                }
                if group.count > 1 { out.append(group) }
            }
            k = end
        }
        return out
    }

    func submitters(ofKey key: String) -> [Int] {
        var key = key
        return key.withUTF8 { utf8 -> [Int] in
            let wanted = UnsafeRawBufferPointer(utf8)
            let h = keyHash(wanted)
            var lo = 0, hi = layout.submissions
            while lo < hi {
                let mid = (lo + hi) / 2
                if submissionHash(at: mid) < h { lo = mid + 1 } else { hi = mid }
            }
            var out: [Int] = []
            while lo < layout.submissions, submissionHash(at: lo) == h {
                if Self.same(submissionKey(at: lo), (-1, wanted)) {
                    out.append(owner(at: layout.submissionOffset + lo * DatabaseCache.submissionEntry + 8))
                }
                lo += 1
            }
            return out
        }
    }

    /// The entries of the message, record and submission indexes whose owner `map` keeps
    /// (with the position it gives), for a writer copying blocks.
    func messageEntries(_ map: (Int) -> UInt32?) -> [(UUID, UInt32)] {
        checkMessageIndex()
        var out: [(UUID, UInt32)] = []
        for k in 0..<layout.messages {
            let at = layout.indexOffset + k * DatabaseCache.indexEntry
            if let to = map(Int(u32(at: at + 16))) { out.append((uuid(at: at), to)) }
        }
        return out
    }

    func recordEntries(_ map: (Int) -> UInt32?) -> [(UUID, UInt32, UInt32)] {
        checkRecordIndex()
        var out: [(UUID, UInt32, UInt32)] = []
        for k in 0..<layout.records {
            let at = layout.recordOffset + k * DatabaseCache.recordEntry
            if let to = map(Int(u32(at: at + 16))) { out.append((uuid(at: at), to, u32(at: at + 20))) }
        }
        return out
    }

    func submissionEntries(_ map: (Int) -> UInt32?) -> [(UInt64, [UInt8], UInt32)] {
        var out: [(UInt64, [UInt8], UInt32)] = []
        for k in 0..<layout.submissions {
            let at = layout.submissionOffset + k * DatabaseCache.submissionEntry
            if let to = map(Int(u32(at: at + 8))) { out.append((submissionHash(at: k), Array(submissionKey(at: k).bytes), to)) }
        }
        return out
    }

    /// How many blocks were read so far.
    var decodedCount: Int { memo.withLock { $0.count } }
    /// How many records were read on their own (`record(at:)`).
    var recordsRead: Int { records.withLock { $0.count } }

    /// The recruiter's own record at `k`, without its thread and records (the block is
    /// checked whole against its hash, then only its head is decoded); remembered.
    func record(at k: Int) -> Recruiter {
        if let r = memo.withLock({ $0[k]?.recruiter }) ?? records.withLock({ $0[k] }) { return r }
        let (bytes, h) = block(k)
        var reader = DatabaseCache.Reader(raw: bytes, at: 0)
        guard DatabaseCache.hash(bytes) == h, let r = try? reader.recruiterHead(), r.id == id(at: k) else {
            damaged("the block of recruiter \(id(at: k).uuidString.lowercased()) does not match its hash")
        }
        records.withLock { $0[k] = r }
        return r
    }

    func recruiter(at k: Int) -> RecruiterRecord {
        if let r = memo.withLock({ $0[k] }) { return r }
        guard let r = read(k) else { damaged("the block of recruiter \(id(at: k).uuidString.lowercased()) does not match its hash") }
        memo.withLock { $0[k] = r }
        return r
    }

    /// A block that fails its check after the cache was opened (changed on disk since, or
    /// damaged where only its own hash covers it): the cache is removed so the next
    /// process reads the JSON, and this process stops before using anything wrong.
    private func damaged(_ why: String) -> Never {
        if let path = file.path { unlink(path) }
        let text = "rapport: \(file.path ?? DatabaseCache.fileName): \(why); the cache was removed (it is rebuilt from store.json); nothing was changed, run the command again\n"
        FileHandle.standardError.write(Data(text.utf8))
        exit(75)
    }
}
