import Glibc
import Foundation
import Synchronization
import RapportCore

/// Reading a store: snapshot + journal replay. Pure reads; nothing here writes except
/// `setAsideTorn`, which the callers use only when allowed to.
enum StoreLoader {
    struct Loaded {
        var db: Database
        var flags: [UUID: [FlagRecord]]
        var history: UndoHistory
        var version: Int
        var snapshotSeq: Int
        var seq: Int
        var journalConsumed: Int
        var journalLines: Int
        var torn: [UInt8]?
        var snapshotID: Sys.FileID?
        var journalID: Sys.FileID?
        /// Read from `store.cache` (not from the JSON).
        var fromCache = false
        /// Set when `store.cache` should be written for what was loaded: its source.
        var cacheToWrite: DatabaseCache.Source?
        /// The hash of the snapshot's bytes (when loaded for the cache), and how much of
        /// the journal a valid `store.cache` covers (nil: none found).
        var snapshotHash: UInt64?
        var cacheCovers: Int?
        /// With a lazy read of the cache: where `flags` is read from when asked for.
        var storedFlags: StoredBlocks?
    }

    struct Replay {
        var consumed = 0
        var lines = 0
        /// The bytes after the last newline (an interrupted append), if any.
        var torn: [UInt8]?
    }

    /// Reads the store. With `useCache`, a valid `store.cache` stands in for decoding
    /// `store.json` and the journal lines it covers (only the rest of the journal is
    /// replayed); without it (`rapport check`), everything is read from the JSON.
    ///
    /// With `lazy` (and a valid cache), each recruiter's record and thread is read from the
    /// cache when first asked for (`Database.init(stored:…)`), so a process that changes
    /// one recruiter never reads the others.
    static func load(_ paths: AppPaths, useCache: Bool = false, lazy: Bool = false) throws -> Loaded {
        let snapshotID = try Sys.status(paths.snapshot)
        if useCache, snapshotID != nil, let l = try loadFromCache(paths, snapshotID: snapshotID, lazy: lazy) { return l }
        var db = Database()
        var version = Snapshot.currentVersion
        var snapSeq = 0
        var flags: [UUID: [FlagRecord]] = [:]
        var snapshotHash: UInt64?
        let cacheIdentity = useCache ? DatabaseCache.SnapshotIdentity.of(paths.snapshot) : nil
        if let bytes = try Sys.readFile(paths.snapshot) {
            (db, version, snapSeq, flags) = try decodeSnapshot(bytes, file: paths.snapshot, backup: paths.backup)
            if useCache { snapshotHash = DatabaseCache.hash(bytes) }
        } else if Sys.lstatIsSymlink(paths.snapshot) {
            throw RapportError.failure("\(paths.snapshot): a symlink whose target \(Sys.writeTarget(paths.snapshot)) is missing; restore it or remove the link")
        } else if try Sys.status(paths.backup) != nil {
            throw RapportError.failure("\(paths.snapshot): missing, but \(paths.backup) exists; run `rapport check --repair` to rebuild from it and the journal")
        }
        let journalID = try Sys.status(paths.journal)
        let journal = try Sys.readFile(paths.journal) ?? []
        var seq = snapSeq
        var history = loadHistory(paths, upTo: snapSeq)
        let r = try replay(journal, into: &db, seq: &seq, history: &history, snapshotSeq: snapSeq, lineBase: 0, file: paths.journal)
        var l = Loaded(db: db, flags: flags, history: history, version: version, snapshotSeq: snapSeq, seq: seq, journalConsumed: r.consumed,
                       journalLines: r.lines, torn: r.torn, snapshotID: snapshotID, journalID: journalID)
        l.snapshotHash = snapshotHash
        // Decoded from JSON: the next process should not have to. The identity is the one
        // taken before reading (a snapshot replaced since then makes the cache stale, never wrong).
        if let cacheIdentity, let snapshotHash, version == Snapshot.currentVersion, cacheIdentity.size == UInt64(snapshotID?.size ?? -1) {
            l.cacheToWrite = DatabaseCache.Source(snapshot: cacheIdentity, snapshotHash: snapshotHash,
                                                  journalHash: journal.withUnsafeBytes { DatabaseCache.hash(UnsafeRawBufferPointer(rebasing: $0[0..<r.consumed])) })
        }
        return l
    }

    /// The store from a valid `store.cache` plus the journal after what it covers; nil
    /// when there is no valid cache.
    private static func loadFromCache(_ paths: AppPaths, snapshotID: Sys.FileID?, lazy: Bool) throws -> Loaded? {
        let journalID = try Sys.status(paths.journal)
        let journal = try Sys.readFile(paths.journal) ?? []
        guard let c = DatabaseCache.load(paths, journal: journal, lazy: lazy) else { return nil }
        var db = c.db
        var seq = c.seq
        var history = UndoHistory(file: paths.undo, upTo: c.snapshotSeq,
                                  journal: c.journalCovered > 0 ? (paths.journal, c.journalCovered) : nil)
        let tail = Array(journal[c.journalCovered...])
        let r = try replay(tail, into: &db, seq: &seq, history: &history, snapshotSeq: c.snapshotSeq,
                           lineBase: c.journalLines, file: paths.journal)
        var l = Loaded(db: db, flags: c.flags, history: history, version: c.schemaVersion, snapshotSeq: c.snapshotSeq, seq: seq,
                       journalConsumed: c.journalCovered + r.consumed, journalLines: c.journalLines + r.lines, torn: r.torn,
                       snapshotID: snapshotID, journalID: journalID)
        l.fromCache = true
        l.storedFlags = c.storedFlags
        l.snapshotHash = c.snapshotHash
        l.cacheCovers = c.journalCovered
        // A long tail replayed on top: fold it into the cache for the next process.
        if r.consumed > DatabaseCache.rewriteAfterJournalBytes, let id = c.snapshot {
            l.cacheToWrite = DatabaseCache.Source(snapshot: id, snapshotHash: c.snapshotHash,
                                                  journalHash: journal.withUnsafeBytes { DatabaseCache.hash(UnsafeRawBufferPointer(rebasing: $0[0..<l.journalConsumed])) })
        }
        return l
    }

    /// The undo history kept beside the snapshot (its groups up to the snapshot's `seq`;
    /// later ones are read from the journal), read when first asked for.
    static func loadHistory(_ paths: AppPaths, upTo seq: Int) -> UndoHistory {
        UndoHistory(file: paths.undo, upTo: seq)
    }

    /// Checks and decodes snapshot bytes. Every failure names the file, where, and the backup.
    static func decodeSnapshot(_ bytes: [UInt8], file: String, backup: String) throws -> (Database, Int, Int, [UUID: [FlagRecord]]) {
        let hint = FileManager.default.fileExists(atPath: backup)
            ? "the previous snapshot is \(backup) (see docs/store-format.md, Recovery)"
            : "there is no backup yet (\(backup) is written at the first compaction); run `rapport check` and see docs/store-format.md, Recovery"
        // The check, the messages (fast path) and the rest (JSONDecoder) are independent
        // reads of the same bytes: done side by side. The check still decides first.
        let fast = parallelDecode(bytes)
        if let f = fast.failure {
            if bytes.isEmpty { throw RapportError.failure("\(file): the file is empty (0 bytes); \(hint)") }
            let (line, col) = JSONCheck.position(of: f.offset, in: bytes)
            throw RapportError.failure("\(file): line \(line), column \(col) (byte \(f.offset)): \(f.message); \(hint)")
        }
        var snap: Snapshot
        // A copy of the bytes for JSONDecoder only off the fast path (at stress it is the
        // size of the whole file, 89 MB of peak memory for nothing).
        lazy var data = Data(bytes)
        do {
            if let s = fast.snapshot {
                snap = s
            } else {
                snap = try StoreCoding.decoder.decode(Snapshot.self, from: data)
            }
        } catch {
            // Only now look at the version alone, for the better message.
            guard let version = try? StoreCoding.decoder.decode(SnapshotVersion.self, from: data).schemaVersion else {
                throw RapportError.failure("\(file): \(DecodingText.describe(error, in: data)) (not a Rapport store?); \(hint)")
            }
            if version > Snapshot.currentVersion {
                throw RapportError.failure("\(file): written by a newer Rapport (schema \(version)) in a shape this build cannot read: \(DecodingText.describe(error, in: data))")
            }
            throw RapportError.failure("\(file): \(DecodingText.describe(error, in: data)); \(hint)")
        }
        let version = snap.schemaVersion
        do { return (try snap.database(file: file), version, snap.seq, snap.flags) } catch {
            throw RapportError.failure("\(error); \(hint)")
        }
    }

    /// The document checked and decoded in two halves side by side: the messages value
    /// (`JSONCheck` on it, then `FastMessages`) and the rest with `[]` in its place
    /// (`JSONCheck`, then `JSONDecoder`). Both halves valid means the whole is valid (a
    /// valid value put where a valid value was). When either half fails or the fast path
    /// does not apply, the whole document is checked as before (for the exact error and
    /// position) and `snapshot` is nil: the caller decodes everything with `JSONDecoder`.
    static func parallelDecode(_ bytes: [UInt8]) -> (failure: JSONCheck.Failure?, snapshot: Snapshot?) {
        guard let range = FastMessages.locate(bytes) else { return (JSONCheck.check(bytes), nil) }
        let messages = Mutex<[Message]?>(nil)
        let rest = Mutex<Snapshot?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { job in
            if job == 0 {
                let checked = bytes.withUnsafeBufferPointer { JSONCheck.check(UnsafeBufferPointer(rebasing: $0[range])) == nil }
                let m = checked ? FastMessages.decode(bytes, range) : nil
                messages.withLock { $0 = m }
            } else {
                let doc = FastMessages.rest(bytes, without: range)
                let s = JSONCheck.check(doc) == nil ? try? StoreCoding.decoder.decode(Snapshot.self, from: Data(doc)) : nil
                rest.withLock { $0 = s }
            }
        }
        guard var snap = rest.withLock({ $0 }), let m = messages.withLock({ $0 }) else {
            return (JSONCheck.check(bytes), nil)
        }
        snap.messages = m
        return (nil, snap)
    }

    /// Applies the complete lines of `bytes` (journal text starting at a line boundary).
    /// Lines already folded into the snapshot (seq ≤ snapshotSeq) are skipped. A broken
    /// complete line throws, naming its line number; bytes after the last newline are
    /// returned as `torn`.
    static func replay(_ bytes: [UInt8], into db: inout Database, seq: inout Int, history: inout UndoHistory,
                       snapshotSeq: Int, lineBase: Int, file: String) throws -> Replay {
        var r = Replay()
        var pos = 0
        var lineNo = lineBase
        let n = bytes.count
        while pos < n {
            guard let nl = bytes[pos...].firstIndex(of: 0x0A) else {
                r.torn = Array(bytes[pos...])
                break
            }
            lineNo += 1
            let line = Array(bytes[pos..<nl])
            let refuse = "; nothing was loaded: `rapport check --repair` keeps the lines that can be applied and sets that one aside (docs/store-format.md, Recovery)"
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                if let f = JSONCheck.check(line) {
                    throw RapportError.failure("\(file): line \(lineNo), column \(f.offset + 1): \(f.message)\(refuse)")
                }
                let jl: JournalLine
                do { jl = try StoreCoding.decodeLine(line) } catch {
                    throw RapportError.failure("\(file): line \(lineNo): \(DecodingText.describe(error, in: Data(line)))\(refuse)")
                }
                if jl.seq > snapshotSeq {
                    guard jl.seq == seq + 1 else {
                        let what = jl.seq <= seq ? "repeats an earlier seq" : "skips over missing changes"
                        throw RapportError.failure("\(file): line \(lineNo): seq \(jl.seq) follows seq \(seq) (\(what))\(refuse)")
                    }
                    do { try db.apply(jl.change) } catch {
                        throw RapportError.failure("\(file): line \(lineNo): the change cannot be applied: \(error)\(refuse)")
                    }
                    seq = jl.seq
                    history.record(jl)
                } else {
                    // Already in the snapshot: its undo group may still be needed (`UndoHistory.covered`).
                    history.recordCovered(jl)
                }
            }
            r.lines += 1
            pos = nl + 1
            r.consumed = pos
        }
        return r
    }

    /// Moves an incomplete last journal line to journal.jsonl.torn-<time> (0600) and cuts
    /// the journal back to `offset`. Returns the new file's path.
    static func setAsideTorn(_ torn: [UInt8], at offset: Int, paths: AppPaths, fs: FileSystem, now: Date) throws -> String {
        let name = Sys.freshName("\(paths.journal).torn-\(Sys.stamp(now))")
        try Sys.createFile(fs, name, torn)
        try Sys.fsyncDirectory(fs, paths.storeDirectory)
        let fd = fs.open(paths.journal, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0)
        guard fd >= 0 else { throw Sys.fail("open", paths.journal) }
        defer { close(fd) }
        guard fs.ftruncate(fd, off_t(offset)) == 0 else {
            throw Sys.fail("cut off the incomplete last line (a copy is in \(name))", paths.journal)
        }
        guard fs.fsync(fd) == 0 else {
            // Put the bytes back: a failed repair leaves the journal as it was.
            let e = errno
            _ = torn.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
            throw Sys.fail("cut off the incomplete last line (a copy is in \(name))", paths.journal, e)
        }
        return name
    }
}
