import Glibc
import Foundation
import RapportCore

/// The JSON store in one directory (see docs/store-format.md): `store.json` (snapshot),
/// `journal.jsonl` (one `Change` per line, fsync'd before it is acknowledged), `store.lock`
/// (`flock`, held around every append and compaction) and `store.json.bak`.
///
/// Several processes may use one store at once: `apply` first picks up what others
/// appended, and `refresh` lets a long-running process (the TUI) see their changes.
public final class Store {
    public let paths: AppPaths
    public private(set) var database: Database
    public let policy: Policy
    public let clock: Clock
    /// True when the store must not be written (written by a newer Rapport).
    public private(set) var readOnly = false
    /// Things the user should be told (a torn journal tail set aside, a migration, …).
    public private(set) var notices: [String] = []
    /// The sequence number of the last change applied (0 for a new store).
    public private(set) var seq = 0
    /// Persisted flags by recruiter id, as of the last compaction: kept beside the
    /// records (the snapshot's `flags` table) so rewriting them never touches a recruiter.
    public private(set) var persistedFlags: [UUID: [FlagRecord]] {
        get {
            if let stored = storedFlags {
                flagTable = stored.flagTable()
                storedFlags = nil
            }
            return flagTable
        }
        set {
            flagTable = newValue
            storedFlags = nil
        }
    }
    private var flagTable: [UUID: [FlagRecord]] = [:]
    /// Opened lazily from `store.cache`: the persisted flags are read from it when first needed.
    private var storedFlags: StoredBlocks?
    private var history = UndoHistory()
    /// Compact automatically once the journal is larger than this many bytes.
    public var compactionThreshold: Int
    /// Whether a change that takes the journal past `compactionThreshold` compacts in the
    /// same call (a command-line process). False leaves it to the owner, who sees
    /// `needsCompaction` and compacts elsewhere (the TUI: with a store of its own on a
    /// thread of its own, so the screen never waits for the JSON to be rewritten).
    public var compactsInline = true
    /// True when the journal has passed `compactionThreshold` (as far as this store knows).
    public var needsCompaction: Bool { !closed && !readOnly && journalOffset >= compactionThreshold }
    /// Bumped whenever `database` changes; cheap for views to compare.
    public private(set) var generation = 0

    let fs: FileSystem
    /// Read each recruiter from `store.cache` when first needed (see `open(…lazy:)`).
    private let lazy: Bool
    private var lockFD: Int32
    private var snapshotSeq = 0
    private var snapshotVersion = Snapshot.currentVersion
    /// Bytes of complete journal lines already applied.
    private var journalOffset = 0
    private var journalLines = 0
    /// Journal size when last looked at (includes a torn tail that was left alone).
    private var journalSeenSize = 0
    private var snapshotID: Sys.FileID?
    private var journalID: Sys.FileID?
    /// The hash of `store.json`'s bytes as loaded or written (nil when not known), and how
    /// much of the journal `store.cache` covers as far as this process knows.
    private var snapshotHash: UInt64?
    private var cacheCovers: Int?
    private var closed = false
    /// With sync set up, every change is also appended to this device's log.
    private var recorderCache: SyncRecorder?
    var recorder: SyncRecorder? {
        if recorderCache == nil { recorderCache = SyncRecorder.load(paths) }
        return recorderCache
    }

    private init(paths: AppPaths, policy: Policy, clock: Clock, fs: FileSystem, lockFD: Int32, threshold: Int, lazy: Bool) {
        self.paths = paths
        self.lazy = lazy
        self.database = Database()
        self.policy = policy
        self.clock = clock
        self.fs = fs
        self.lockFD = lockFD
        self.compactionThreshold = threshold
    }

    deinit {
        if lockFD >= 0 { Glibc.close(lockFD) }
    }

    /// A second store on the same files, knowing what this one knows (its data, seq, files
    /// and history), with a lock descriptor of its own: what a compaction on another thread
    /// works with, without reading the store again (the TUI's background compaction).
    /// Nothing is shared: after this, each is used on one thread only.
    public func forked() throws -> Store {
        guard !closed else { throw RapportError.failure("\(paths.storeDirectory): the store is closed") }
        let fork = Store(paths: paths, policy: policy, clock: clock, fs: fs, lockFD: try Self.openLock(paths, fs),
                         threshold: compactionThreshold, lazy: lazy)
        fork.database = database
        fork.readOnly = readOnly
        fork.seq = seq
        fork.persistedFlags = persistedFlags
        fork.history = history
        fork.compactsInline = compactsInline
        fork.snapshotSeq = snapshotSeq
        fork.snapshotVersion = snapshotVersion
        fork.journalOffset = journalOffset
        fork.journalLines = journalLines
        fork.journalSeenSize = journalSeenSize
        fork.snapshotID = snapshotID
        fork.journalID = journalID
        fork.snapshotHash = snapshotHash
        fork.cacheCovers = cacheCovers
        return fork
    }

    public static let defaultCompactionThreshold = 8 << 20

    /// Opens the store, creating the directory (0700) if needed. A missing store opens as
    /// an empty database; a damaged one throws (naming the file and where), never opens
    /// as empty. A torn last journal line is set aside and reported in `notices`.
    ///
    /// With `lazy`, a database opened from a valid `store.cache` reads each recruiter's
    /// record and thread from it when first asked for (a command that changes one
    /// recruiter costs the same in a store of ten thousand); whole-collection reads
    /// (`Database.recruiters`, `threads`) still work, reading everything once.
    public static func open(
        _ paths: AppPaths, policy: Policy = .default, clock: Clock = .system,
        fileSystem: FileSystem = .system, compactionThreshold: Int = Store.defaultCompactionThreshold,
        lazy: Bool = false
    ) throws -> Store {
        try ensureDirectory(paths.storeDirectory)
        let fd = try openLock(paths, fileSystem)
        let store = Store(paths: paths, policy: policy, clock: clock, fs: fileSystem, lockFD: fd, threshold: compactionThreshold,
                          lazy: lazy)
        try store.locked(LOCK_EX) {
            try store.reload(canRepair: true)
            if store.snapshotVersion < Snapshot.currentVersion { try store.migrateLocked() }
        }
        return store
    }

    /// Decides a change under the store's exclusive lock and applies it durably.
    ///
    /// `build` runs while the lock is held, against the store's database caught up with
    /// every other process's acknowledged writes (never a copy that may be a second old),
    /// and returns the change to make; its inverse is computed there too. When this
    /// returns, the journal line (with `origin`, the undo `group`, `label` and the
    /// inverse) is on disk. On failure (including `build` throwing) nothing is written and
    /// memory and files stay as they were. An empty batch writes nothing.
    ///
    /// `group` joins an existing undo group (several lines, one undo step); by default
    /// each call is a group of its own.
    @discardableResult
    public func apply(origin: Origin, label: String, group: UUID? = nil,
                      _ build: (Database) throws -> Change) throws -> Applied {
        try checkWritable()
        let applied = try locked(LOCK_EX) { () throws -> Applied in
            try catchUp(canRepair: true)
            // Another process may have written a newer schema since we last looked:
            // catching up then makes this store read-only, and nothing may be written.
            try checkWritable()
            let change = try build(database)
            return try appendLocked(change, origin: origin, label: label, group: group ?? UUID())
        }
        compactIfLarge()
        return applied
    }

    /// Applies a change decided by the caller (an importer, a test, a tool). Prefer
    /// `apply(origin:label:_:)` when the change depends on the data. Without an origin
    /// the change is a `tool`'s: `rapport undo` and `u` never take it back (only its id does).
    @discardableResult
    public func apply(_ change: Change, origin: Origin = .tool, label: String = "") throws -> Applied {
        try apply(origin: origin, label: label) { _ in change }
    }

    /// Writes one line for `change` (under the lock, caught up): checks that it reads back,
    /// computes its inverse on the current database, appends, then applies in memory.
    private func appendLocked(_ change: Change, origin: Origin, label: String, group: UUID,
                              undoes: UUID? = nil, redoes: UUID? = nil) throws -> Applied {
        if case .batch(let cs) = change, cs.isEmpty {
            return Applied(seq: seq, group: group, change: change, inverse: change, written: false)
        }
        let at = clock.now()
        // Apply what other processes will read back (whole-second times, …), and
        // never write a line that cannot be read.
        let body: [UInt8]
        do { body = [UInt8](try StoreCoding.lineEncoder.encode(change)) } catch {
            throw RapportError.failure("cannot encode the change: \(StoreCoding.describe(error)); it was not saved")
        }
        let stored: Change
        do { stored = try StoreCoding.decoder.decode(Change.self, from: Data(body)) } catch {
            throw RapportError.failure("the change cannot be stored (\(StoreCoding.describe(error))); it was not saved")
        }
        var next = database
        let inverse: Change
        do { inverse = try next.applyReturningInverse(stored) } catch let e as ChangeError {
            throw RapportError.failure("the change was not saved: \(e.description)")
        }
        let jl = JournalLine(seq: seq + 1, change: stored, group: group, origin: origin, label: label, at: at,
                             inverse: inverse, undoes: undoes, redoes: redoes)
        let line = try StoreCoding.encodeLine(jl, changeBytes: body)
        // With sync on, the change goes to this device's sync log first (what a sync merged
        // came from the logs and is not recorded again).
        var rollback: () -> Void = {}
        if origin != .sync, let recorder {
            do { rollback = try recorder.record(stored, now: at, group: group.uuidString.lowercased()) } catch {
                throw RapportError.failure("the change was not saved: the sync log could not be written (\((error as? RapportError)?.description ?? "\(error)"))")
            }
            for n in recorder.notices where !notices.contains(n) { notices.append(n) }
        }
        do { try appendLine(line) } catch {
            rollback()
            throw error
        }
        database = next
        seq += 1
        journalOffset += line.count
        journalSeenSize = journalOffset
        journalLines += 1
        generation += 1
        history.record(jl)
        return Applied(seq: seq, group: group, change: stored, inverse: inverse, written: true)
    }

    /// Applies what a sync merged, built from the current data under the lock (nil: nothing
    /// to change), with origin `sync`: not recorded in this device's sync log, and never
    /// taken back by `rapport undo`. `then` runs under the same lock once it is saved.
    @discardableResult
    public func applyMerged(_ build: (Database) throws -> Change?, then: () throws -> Void = {}) throws -> Change? {
        try checkWritable()
        return try locked(LOCK_EX) {
            try catchUp(canRepair: true)
            try checkWritable()
            let change = try build(database)
            if let change { _ = try appendLocked(change, origin: .sync, label: "sync", group: UUID()) }
            try then()
            return change
        }
    }

    /// Records every recruiter (with what it owns) in this device's sync log, as the data
    /// that existed before sync was set up. Returns how many.
    public func recordExistingForSync() throws -> Int {
        try checkWritable()
        return try locked(LOCK_EX) {
            try catchUp(canRepair: true)
            guard let recorder else { return 0 }
            // The log exists (with its header) even when there is nothing to record, so the
            // other devices know this one from its first sync.
            try recorder.prepare()
            var n = 0
            for id in database.recruiters.keys.sorted(by: uuidLess) {
                guard let rec = database.record(of: id) else { continue }
                _ = try recorder.record(.restoreRecruiter(rec), now: clock.now(), group: "before-sync", force: true)
                n += 1
            }
            return n
        }
    }

    private func compactIfLarge() {
        if compactsInline, journalOffset >= compactionThreshold {
            do { try compact() } catch {
                notices.append("automatic compaction failed (\(error)); the change itself is saved in \(paths.journal)")
            }
        }
    }

    // MARK: - Undo

    /// The undo history, oldest first: the last 100 groups of every origin.
    public var undoHistory: [UndoGroup] {
        history.materialize()
        return history.groups
    }

    /// The undo history for a list (`rapport undo --list`), oldest first: each group's id,
    /// origin, label, time and whether it is undone, without reading any group's changes.
    public var undoSteps: [UndoStep] { history.steps() }

    /// Whether `group` is taken back now (undone and not redone).
    public func isUndone(_ group: UndoGroup) -> Bool {
        history.materialize()
        return history.state(of: group).undone
    }

    /// The latest group made by `origin` that is not undone (what `u` in that TUI session takes back).
    public func latestGroup(origin: Origin) -> UndoGroup? {
        history.materialize()
        return history.latestUndoable { $0 == origin }
    }

    /// What `undoLatest` throws when no group matching is left to take back.
    public static let nothingToUndo = RapportError.failure("Nothing to undo")
    /// What `redoLatest` throws when no group matching is left to put back.
    public static let nothingToRedo = RapportError.failure("Nothing to redo")

    /// Takes back the group `undo` without an id means: the latest one not undone among
    /// those whose origin `matching` accepts (for `rapport undo`: `\.isUndoableFromCLI`).
    /// Chosen under the lock, on the fresh history.
    @discardableResult
    public func undoLatest(matching: (Origin) -> Bool, origin: Origin) throws -> Applied {
        try replay(origin: origin, back: true) { h in
            guard let g = h.latestUndoable(matching: matching) else { throw Store.nothingToUndo }
            return g
        }
    }

    /// Puts back the group undone last among those `matching`, unless a new change was made since.
    @discardableResult
    public func redoLatest(matching: (Origin) -> Bool, origin: Origin) throws -> Applied {
        try replay(origin: origin, back: false) { h in
            guard let g = h.latestRedoable(matching: matching) else { throw Store.nothingToRedo }
            return g
        }
    }

    /// Takes back one group (any origin) by appending its inverse as a new group that
    /// `undoes` it. Refused, with what changed and by whom, when a later change depends
    /// on what it would take back; changes to other fields do not block it.
    @discardableResult
    public func undo(group id: UUID, origin: Origin) throws -> Applied {
        try replay(origin: origin, back: true) { try Self.find(id, in: $0) }
    }

    /// Puts back an undone group by appending its changes again as a group that `redoes` it.
    @discardableResult
    public func redo(group id: UUID, origin: Origin) throws -> Applied {
        try replay(origin: origin, back: false) { try Self.find(id, in: $0) }
    }

    private static func find(_ id: UUID, in h: UndoHistory) throws -> UndoGroup {
        guard let g = h.group(id) else {
            throw RapportError.failure("no undo step \(id.uuidString.lowercased().prefix(8)) in the last \(UndoHistory.limit) (see rapport undo --list)")
        }
        return g
    }

    @discardableResult
    func replay(origin: Origin, back: Bool, _ pick: (UndoHistory) throws -> UndoGroup) throws -> Applied {
        try checkWritable()
        let applied = try locked(LOCK_EX) { () throws -> Applied in
            try catchUp(canRepair: true)
            try checkWritable()
            history.materialize()
            let g = try pick(history)
            if g.isReplay { throw RapportError.failure("\(g.label.isEmpty ? "that step" : g.label) is itself an undo or redo; undo or redo the step it took back") }
            let state = history.state(of: g)
            if back && state.undone { throw RapportError.failure("Already undone: \(g.label)") }
            if !back && !state.undone { throw RapportError.failure("Not undone, nothing to redo: \(g.label)") }
            let change = back ? g.inverse : g.change
            let mirror = back ? g.change : g.inverse
            if let why = conflict(g, change: change, mirror: mirror, since: state.seq) {
                throw RapportError.failure("\(back ? "Not undone" : "Not redone"): \(why)")
            }
            let label = (back ? "Undo: " : "Redo: ") + g.label
            return try appendLocked(change, origin: origin, label: label, group: UUID(),
                                    undoes: back ? g.id : nil, redoes: back ? nil : g.id)
        }
        compactIfLarge()
        return applied
    }

    /// Why taking `change` now would lose something a later change made (nil when it
    /// would not): it must be lossless, applying `mirror` after it gives the data now.
    private func conflict(_ g: UndoGroup, change: Change, mirror: Change, since: Int) -> String? {
        var d = database
        let lossless: Bool
        do {
            try d.apply(change)
            try d.apply(mirror)
            lossless = d == database
        } catch {
            lossless = false
        }
        if lossless { return nil }
        if let (later, touch) = history.laterConflict(after: since, touching: g.touches, except: g.id) {
            let name = database.recruiters[touch.recruiter]?.name ?? g.name(of: touch.recruiter) ?? "a recruiter"
            return "\(touch.describe(name: name)) changed since by \(later.origin)"
        }
        return "what it changed has changed since"
    }

    /// Picks up changes other processes made (appends and compactions). Cheap when
    /// nothing changed: two `stat`s. Returns true when `database` changed.
    @discardableResult
    public func refresh() throws -> Bool {
        guard !closed else { return false }
        let sid = try Sys.status(paths.snapshot)
        let jid = try Sys.status(paths.journal)
        if sid == snapshotID, jid?.ino == journalID?.ino, jid?.dev == journalID?.dev,
           (jid?.size ?? 0) == journalSeenSize {
            return false
        }
        let before = generation
        try locked(LOCK_SH) { try catchUp(canRepair: false) }
        return generation != before
    }

    /// What a compaction left, for another store of this process that holds the data it
    /// compacted, or more (the TUI's, after its background compaction): adopting it spares
    /// that store reloading the database it already has (`adopt`).
    public struct FileState: Sendable {
        fileprivate var snapshotSeq: Int, snapshotVersion: Int
        fileprivate var snapshotID: Sys.FileID?, journalID: Sys.FileID?
        fileprivate var snapshotHash: UInt64?, cacheCovers: Int?
        fileprivate var persistedFlags: [UUID: [FlagRecord]]
        /// The snapshot the compaction replaced, and where it cut which journal: the bytes
        /// (and lines) before `cutAt` went into the snapshot, the rest begin the new journal.
        fileprivate var replaced: Sys.FileID?, cutJournal: Sys.FileID?, cutAt: Int, cutLines: Int
    }

    /// Set by the last `compact` that put its snapshot in place.
    public private(set) var compacted: FileState?

    /// Called, still under the lock, when a `compact` of this store has put its snapshot in
    /// place (the TUI's background compaction hands it to the interface's store).
    public var onCompacted: ((FileState) -> Void)?

    /// Asked, under the lock, when this store finds the snapshot replaced: a compaction of
    /// this process that it may adopt instead of reloading (the interface's store asks its
    /// background compaction).
    public var adoptable: (() -> FileState?)?

    /// Takes what `state` (another store's compaction) left, when this store had read the
    /// old journal at least up to where the compaction cut it and the files are still the
    /// ones it left: the database is kept as it is (nothing is read); the offsets move to
    /// the new journal. Returns false (and changes nothing) otherwise; the next `refresh`
    /// then reads what changed as usual.
    @discardableResult
    public func adopt(_ state: FileState) throws -> Bool {
        guard !closed else { return false }
        return try locked(LOCK_SH) { try adoptLocked(state) }
    }

    private func adoptLocked(_ state: FileState) throws -> Bool {
        guard !closed, !readOnly, snapshotID == state.replaced, let cut = state.cutJournal, let known = journalID,
              known.ino == cut.ino, known.dev == cut.dev, journalOffset >= state.cutAt, journalLines >= state.cutLines else { return false }
        guard try Sys.status(paths.snapshot) == state.snapshotID, let jid = try Sys.status(paths.journal),
              jid.ino == state.journalID?.ino, jid.dev == state.journalID?.dev, jid.size >= journalOffset - state.cutAt else { return false }
        snapshotSeq = state.snapshotSeq
        snapshotVersion = state.snapshotVersion
        journalOffset -= state.cutAt
        journalLines -= state.cutLines
        journalSeenSize = max(journalOffset, journalSeenSize - state.cutAt)
        snapshotID = state.snapshotID
        journalID = jid
        snapshotHash = state.snapshotHash
        cacheCovers = state.cacheCovers
        persistedFlags = state.persistedFlags
        // The groups up to the snapshot are in undo.jsonl now; the rest are the new
        // journal's first lines, read from there when asked for.
        history = UndoHistory(file: paths.undo, upTo: snapshotSeq,
                              journal: journalOffset > 0 ? (paths.journal, journalOffset) : nil)
        return true
    }

    /// Folds the journal into a new snapshot (temp file, fsync, rename, fsync directory,
    /// then the journal keeps only what came after). The previous snapshot stays as
    /// `store.json.bak`.
    ///
    /// The lock is held twice, briefly: to take the data at one sequence number, and to
    /// put the snapshot written meanwhile in place. Computing the flags, encoding the JSON
    /// and writing and flushing it (seconds for a large store) happen with the lock
    /// released, so other processes, and the interface whose thread this is not, keep
    /// writing. Lines appended meanwhile stay in the journal (in a new journal file when
    /// there are any). When another compaction got there first, this one is dropped.
    public func compact() throws { try compact(parallel: true) }

    /// `compact`; with `parallel` false the snapshot is encoded on the calling thread alone.
    private func compact(parallel: Bool) throws {
        try checkWritable()
        let plan = try locked(LOCK_EX) { () throws -> CompactionPlan in
            try catchUp(canRepair: true)
            try checkWritable()
            try checkCompactable()
            return currentPlan()
        }
        let w = try writeCompaction(plan, parallel: parallel)
        var placed = false
        defer { if !placed { w.discard() } }
        compactionPause?()
        defer { releaseKeptFiles() }  // runs after the lock below is released
        try locked(LOCK_EX) {
            // Nothing is read or replayed here: what was appended since the plan moves to
            // the new journal as bytes, so the lock is held as briefly with many lines as
            // with none. Compacted (or repaired) by someone else meanwhile: theirs holds at
            // least what ours does, ours is dropped.
            guard try Sys.status(paths.snapshot) == plan.snapshotID else { return }
            let jid = try Sys.status(paths.journal)
            if let p = plan.journalID {
                guard let jid, jid.ino == p.ino, jid.dev == p.dev, jid.size >= plan.journalEnd else { return }
            }
            // Once renamed, `tmp` names nothing; before that, a failure removes it (defer).
            try placeSnapshot(w, plan: plan, journalSize: jid?.size ?? 0)
            placed = true
            afterPlacement?()
        }
        // The binary cache of the new snapshot, written with the lock released (derived
        // data: its identity was taken under the lock).
        writePendingCache()
    }

    /// `compact`, as a thread beside an interface runs it (`BackgroundCompaction`): the
    /// JSON is encoded on this thread alone, not fanned out to a second core that the
    /// interface's thread may need, and the thread runs as `SCHED_BATCH`, so a thread
    /// that wakes (the interface's, after the lock or its fsync) is not kept waiting
    /// behind it (`BackgroundThread`).
    public func compactInBackground() throws {
        try BackgroundThread.run { try compact(parallel: false) }
    }

    /// What the store holds now, as a compaction folds it.
    private func currentPlan() -> CompactionPlan {
        CompactionPlan(db: database, seq: seq, journalEnd: journalOffset, snapshotID: snapshotID,
                       journalID: journalID, previousFlags: persistedFlags, journalLines: journalLines)
    }

    /// A compaction's files, written and flushed, not yet in place.
    private struct WrittenCompaction {
        var target: String, tmp: String, undoTmp: String
        var bytes: [UInt8]
        /// `DatabaseCache.hash(bytes)`, taken before the lock (tens of milliseconds at 90 MB).
        var hash: UInt64
        var flags: [UUID: [FlagRecord]]
        func discard() {
            unlink(tmp)
            unlink(undoTmp)
        }
    }

    /// The slow part of a compaction (no lock needed): the flags, the JSON, and the
    /// snapshot and the undo history up to the plan (the last 100 groups: an import's may be
    /// as large as the store) written to temp files and flushed.
    private func writeCompaction(_ plan: CompactionPlan, parallel: Bool = true) throws -> WrittenCompaction {
        let flags = plan.db.persistedFlags(previous: plan.previousFlags, now: clock.now(), policy: policy)
        let bytes = try StoreCoding.encodeSnapshot(Snapshot(plan.db, seq: plan.seq, flags: flags), check: true, parallel: parallel)
        let target = Sys.writeTarget(paths.snapshot)
        let w = WrittenCompaction(target: target, tmp: Sys.tempName(for: target), undoTmp: Sys.tempName(for: paths.undo),
                                  bytes: bytes, hash: DatabaseCache.hash(bytes), flags: flags)
        do {
            try Sys.createFile(fs, w.tmp, bytes)
            try Sys.createFile(fs, w.undoTmp, try history.encodeFile(seq: plan.seq))
        } catch {
            w.discard()
            throw error
        }
        return w
    }

    private func writePendingCache() {
        if let id = cacheToWrite {
            cacheToWrite = nil
            writeCacheAfterCompaction(id)
        }
    }

    /// Set under the lock by `placeSnapshot`: the cache to write once it is released.
    private var cacheToWrite: DatabaseCache.SnapshotIdentity?

    /// What a compaction folds: the data at one sequence number, the journal bytes that
    /// held it, and the files as they were then.
    private struct CompactionPlan {
        var db: Database
        var seq: Int
        var journalEnd: Int
        var snapshotID: Sys.FileID?
        var journalID: Sys.FileID?
        var previousFlags: [UUID: [FlagRecord]]
        var journalLines: Int
    }

    /// Tests: runs between writing the new snapshot and taking the lock to put it in place.
    var compactionPause: (() -> Void)?
    /// Tests: runs under the lock once the new snapshot and journal are in place.
    var afterPlacement: (() -> Void)?
    /// Second names of files replaced under the lock, unlinked once it is released (`keepUntilUnlocked`).
    private var keptUntilUnlocked: [String] = []
    /// Set when a compaction emptied the journal: flushed once the lock is released.
    private var flushJournalAfterUnlock = false

    private func checkCompactable() throws {
        // Never write an older schema over a newer one (the newer build's fields would go).
        guard snapshotVersion <= Snapshot.currentVersion else {
            throw RapportError.failure("\(paths.snapshot): written by a newer Rapport (schema \(snapshotVersion)); not compacting over it")
        }
    }

    /// Under the lock, this store still at `plan` (its data is the snapshot's): the undo
    /// history, the backup and the new snapshot (`tmp`, already flushed) renamed into place
    /// and made durable by one flush of the directory, then the journal: emptied, or, when
    /// lines were appended since the plan, replaced by a journal of just those bytes, which
    /// this store reads next.
    ///
    /// Every flush here is one a write made meanwhile waits for, so there are as few as the
    /// order of a crash allows: one for the three renames (if the file system keeps the
    /// snapshot's rename and not the undo file's, the groups between are still in the
    /// uncut journal and `UndoHistory` takes them from there), then, only when lines were
    /// appended, the new journal's bytes (written before the renames, flushed with them)
    /// and its rename. An emptied journal is flushed once the lock is released: until it
    /// is, a crash leaves lines the new snapshot holds, which are skipped by `seq`, and the
    /// next append's own flush makes the cut durable with it.
    private func placeSnapshot(_ w: WrittenCompaction, plan: CompactionPlan, journalSize: Int) throws {
        let target = w.target, bytes = w.bytes, flags = w.flags
        removeLeftoverTempFiles(besides: target, keeping: [w.tmp, w.undoTmp])
        var tail = journalSize > plan.journalEnd ? writeJournalTail(from: plan.journalEnd, to: journalSize) : nil
        defer { if let tail { unlink(tail) } }
        // Groups undo.jsonl holds beyond the snapshot's seq are ignored on load (the journal
        // has them), so the undo file may land before the snapshot.
        keepUntilUnlocked(paths.undo)
        guard fs.rename(w.undoTmp, paths.undo) == 0 else { throw Sys.fail("replace", paths.undo) }
        if try Sys.status(target) != nil { try makeBackup(of: target) }
        guard fs.rename(w.tmp, target) == 0 else { throw Sys.fail("replace", target) }
        if let t = tail {
            do { try Sys.flushFile(fs, t) } catch {
                journalNotShortened(error)
                unlink(t)
                tail = nil
            }
        }
        try Sys.fsyncDirectory(fs, Sys.dirname(target))
        if Sys.dirname(target) != paths.storeDirectory { try Sys.fsyncDirectory(fs, paths.storeDirectory) }
        persistedFlags = flags
        // Every group is in undo.jsonl now, read again when asked for.
        history = UndoHistory(file: paths.undo, upTo: seq)
        snapshotSeq = plan.seq
        snapshotVersion = Snapshot.currentVersion
        snapshotID = try Sys.status(paths.snapshot)
        snapshotHash = w.hash
        cacheCovers = nil
        generation += 1
        // The cache is exactly the snapshot (it covers none of the journal), written once
        // the lock is released; its identity is taken now.
        if let id = DatabaseCache.SnapshotIdentity.of(paths.snapshot), id.size == UInt64(bytes.count) { cacheToWrite = id }
        var state = FileState(snapshotSeq: snapshotSeq, snapshotVersion: snapshotVersion, snapshotID: snapshotID, journalID: nil,
                              snapshotHash: snapshotHash, cacheCovers: 0, persistedFlags: flags, replaced: plan.snapshotID,
                              cutJournal: journalID, cutAt: plan.journalEnd, cutLines: plan.journalLines)
        defer {
            compacted = state
            onCompacted?(state)
        }
        // The snapshot is durable; lines up to its seq are now skipped on load, so a
        // failure to cut the journal below loses nothing.
        guard try Sys.status(paths.journal) != nil else { return }
        if journalSize > plan.journalEnd {
            guard let t = tail else { return }
            tail = nil
            guard placeJournalTail(t) else { return }
        } else {
            let fd = fs.open(paths.journal, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0)
            guard fd >= 0 else { return }
            defer { Glibc.close(fd) }
            guard fs.ftruncate(fd, 0) == 0 else {
                notices.append("\(paths.journal): could not be truncated after compaction (\(Sys.errorText())); its lines are already in the snapshot and will be skipped")
                return
            }
            flushJournalAfterUnlock = true
        }
        journalOffset = 0
        journalSeenSize = 0
        journalLines = 0
        journalID = try? Sys.status(paths.journal)
        state.journalID = journalID
    }

    /// Writes the journal's bytes from `start` to `end` (the lines appended since the plan)
    /// to a temp file, not flushed yet (that is done with the renames); returns its path.
    /// Only the tail is read (the journal may be megabytes long: this runs under the lock).
    /// Nil, with a notice, when that fails: the old journal then stays (its lines up to the
    /// snapshot's seq are skipped on load).
    private func writeJournalTail(from start: Int, to end: Int) -> String? {
        let path = Sys.tempName(for: paths.journal)
        do {
            guard let bytes = try Sys.readTail(paths.journal, from: start), bytes.count >= end - start else { return nil }
            try Sys.createFile(fs, path, Array(bytes[0..<(end - start)]), flush: false)
            return path
        } catch {
            journalNotShortened(error)
            return nil
        }
    }

    /// Renames the flushed journal tail at `path` over the journal and flushes the
    /// directory. On failure the old journal stays and this returns false.
    private func placeJournalTail(_ path: String) -> Bool {
        keepUntilUnlocked(paths.journal)
        guard fs.rename(path, paths.journal) == 0 else {
            journalNotShortened(Sys.fail("replace", paths.journal))
            unlink(path)
            return false
        }
        do { try Sys.fsyncDirectory(fs, paths.storeDirectory) } catch {
            // Renamed: this store reads the new journal. Not durable yet, a crash leaves the
            // old one, whose lines past the snapshot are these.
            notices.append("\(paths.journal): \(error)")
        }
        return true
    }

    private func journalNotShortened(_ error: any Error) {
        notices.append("\(paths.journal): could not be shortened after compaction (\(error)); its lines are already in the snapshot and will be skipped")
    }

    /// Clean exit: compacts when the journal holds anything, then releases the lock file.
    public func close() throws { try close(compact: true) }

    /// Releases the lock file. With `compact`, first folds the journal into a new
    /// snapshot (as `close()`); without, leaves the journal as it is and only brings
    /// `store.cache` up to it (a binary write, much cheaper than a compaction: what a TUI
    /// does on quit, so quitting never waits for the JSON to be rewritten). The journal is
    /// still compacted once it passes `compactionThreshold`.
    public func close(compact: Bool) throws { try close(compact: compact, updateCache: true) }

    /// `close(compact:)`; without `updateCache`, nothing is read or written (a store that
    /// just compacted, whose cache is the new snapshot's).
    public func close(compact: Bool, updateCache: Bool) throws {
        guard !closed else { return }
        defer {
            closed = true
            if lockFD >= 0 { Glibc.close(lockFD) }
            lockFD = -1
        }
        if compact {
            if !readOnly, journalSeenSize > 0 || journalOffset > 0 { try self.compact() }
        } else if updateCache {
            try? locked(LOCK_SH) {
                try catchUp(canRepair: false)
                bringCacheUpToDate()
            }
        }
    }

    /// Writes `store.cache` for the data in memory when the one on disk (as far as this
    /// process knows) covers less of the journal. Under the lock, caught up.
    private func bringCacheUpToDate() {
        guard !readOnly, snapshotVersion == Snapshot.currentVersion, journalOffset > (cacheCovers ?? -1), let snapshotHash,
              let sid = snapshotID, let id = DatabaseCache.SnapshotIdentity.of(paths.snapshot),
              id.dev == sid.dev, id.ino == sid.ino, id.size == UInt64(sid.size),
              id.mtimeSec == Int64(sid.mtimeSec), id.mtimeNsec == Int64(sid.mtimeNsec),
              let journal = try? Sys.readFile(paths.journal), journal.count >= journalOffset else { return }
        writeCache(DatabaseCache.Source(snapshot: id, snapshotHash: snapshotHash,
                                        journalHash: journal.withUnsafeBytes { DatabaseCache.hash(UnsafeRawBufferPointer(rebasing: $0[0..<journalOffset])) }))
    }

    /// True when `store.json` and `journal.jsonl` are still what this store last loaded
    /// or wrote (nothing appended or compacted by anyone since). Call under the lock.
    func isUnchangedSinceLoad() -> Bool {
        let sid: Sys.FileID?, jid: Sys.FileID?
        do {
            sid = try Sys.status(paths.snapshot)
            jid = try Sys.status(paths.journal)
        } catch { return false }
        guard sid == snapshotID else { return false }
        guard let jid else { return journalSeenSize == 0 }
        if let known = journalID, known.ino != jid.ino || known.dev != jid.dev { return false }
        return jid.size == journalSeenSize
    }

    // MARK: - Internals

    private func checkWritable() throws {
        if closed { throw RapportError.failure("\(paths.storeDirectory): the store is closed") }
        if readOnly {
            throw RapportError.failure("\(paths.snapshot): read-only (written by a newer Rapport, schema \(snapshotVersion)); the change was not saved")
        }
    }

    static func ensureDirectory(_ dir: String) throws {
        if let st = try Sys.status(dir) {
            guard st.mode & UInt32(S_IFMT) == UInt32(S_IFDIR) else {
                throw RapportError.failure("\(dir): not a directory")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw RapportError.failure("\(dir): cannot create the store directory: \((error as NSError).localizedDescription)")
        }
        chmod(dir, 0o700)
    }

    static func openLock(_ paths: AppPaths, _ fs: FileSystem) throws -> Int32 {
        let fd = fs.open(paths.lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Sys.fail("open the lock file", paths.lock) }
        var st = stat()
        if fstat(fd, &st) == 0, st.st_mode & 0o077 != 0, st.st_size == 0 { fchmod(fd, 0o600) }
        return fd
    }

    func locked<T>(_ op: Int32, _ body: () throws -> T) throws -> T {
        guard lockFD >= 0 else { throw RapportError.failure("\(paths.storeDirectory): the store is closed") }
        while flock(lockFD, op) != 0 {
            if errno == EINTR { continue }
            throw Sys.fail("lock", paths.lock)
        }
        defer { flock(lockFD, LOCK_UN) }
        return try body()
    }

    /// Reads snapshot + journal from scratch (under the lock).
    private func reload(canRepair: Bool) throws {
        let l = try StoreLoader.load(paths, useCache: true, lazy: lazy)
        readOnly = l.version > Snapshot.currentVersion
        if readOnly {
            let banner = "store.json was written by a newer Rapport (schema \(l.version); this build knows \(Snapshot.currentVersion)): opened read-only, changes are refused"
            if !notices.contains(banner) { notices.append(banner) }
        }
        database = l.db
        persistedFlags = l.flags
        storedFlags = l.storedFlags
        history = l.history
        seq = l.seq
        snapshotSeq = l.snapshotSeq
        snapshotVersion = l.version
        journalOffset = l.journalConsumed
        journalSeenSize = l.journalConsumed + (l.torn?.count ?? 0)
        journalLines = l.journalLines
        snapshotID = l.snapshotID
        journalID = l.journalID
        snapshotHash = l.snapshotHash
        cacheCovers = l.cacheCovers
        generation += 1
        // Decoded from JSON (or a long journal replayed): the next process reads the cache.
        if let source = l.cacheToWrite, !readOnly { writeCache(source) }
        if let torn = l.torn { try handleTorn(torn, canRepair: canRepair) }
    }

    /// Writes `store.cache` for the database as it is now, which must be exactly the
    /// snapshot `source` names plus the first `journalOffset` bytes of the journal.
    private func writeCache(_ source: DatabaseCache.Source) {
        cacheCovers = journalOffset
        DatabaseCache.write(.init(db: database, flags: persistedFlags, schemaVersion: snapshotVersion, snapshotSeq: snapshotSeq,
                                  seq: seq, journalCovered: journalOffset, journalLines: journalLines),
                            source: source, paths: paths, fs: fs)
    }

    /// Picks up what other processes did since we last looked (under the lock).
    private func catchUp(canRepair: Bool) throws {
        let sid = try Sys.status(paths.snapshot)
        guard sid == snapshotID else {
            // A compaction of this process holding what this store has: take its files and
            // read on from the new journal, instead of reloading everything.
            if let state = adoptable?(), try adoptLocked(state) { return try catchUp(canRepair: canRepair) }
            return try reload(canRepair: canRepair)
        }
        guard let jid = try Sys.status(paths.journal) else {
            if journalOffset > 0 { try reload(canRepair: canRepair) }
            return
        }
        if let known = journalID, known.ino != jid.ino || known.dev != jid.dev { return try reload(canRepair: canRepair) }
        if jid.size < journalOffset { return try reload(canRepair: canRepair) }
        journalID = jid
        guard jid.size > journalOffset else { return }
        if jid.size == journalSeenSize && !canRepair { return }
        let tail = try Sys.readTail(paths.journal, from: journalOffset) ?? []
        var db = database
        var newSeq = seq
        var h = history
        let r = try StoreLoader.replay(tail, into: &db, seq: &newSeq, history: &h, snapshotSeq: snapshotSeq,
                                       lineBase: journalLines, file: paths.journal)
        if r.lines > 0 {
            database = db
            history = h
            seq = newSeq
            journalOffset += r.consumed
            journalLines += r.lines
            generation += 1
        }
        journalSeenSize = journalOffset + (r.torn?.count ?? 0)
        if let torn = r.torn { try handleTorn(torn, canRepair: canRepair) }
    }

    private func handleTorn(_ torn: [UInt8], canRepair: Bool) throws {
        guard canRepair && !readOnly else {
            let n = "\(paths.journal): the last line is incomplete (\(torn.count) bytes); it was ignored (rapport check --repair sets it aside)"
            if !notices.contains(n) { notices.append(n) }
            return
        }
        let name = try StoreLoader.setAsideTorn(torn, at: journalOffset, paths: paths, fs: fs, now: clock.now())
        journalSeenSize = journalOffset
        journalID = try Sys.status(paths.journal)
        notices.append("\(paths.journal): the last line was incomplete (\(torn.count) bytes, from an interrupted write); it was set aside to \(name) and everything before it loaded")
    }

    private func appendLine(_ line: [UInt8]) throws {
        let path = paths.journal
        let fd = fs.open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RapportError.failure("\(path): cannot open for appending: \(Sys.errorText()); the change was not saved") }
        defer { Glibc.close(fd) }
        let st = try Sys.fstat(fd, path)
        let created = journalID == nil || journalID?.ino != st.ino
        if created && st.size == 0 { fchmod(fd, 0o600) }
        guard st.size == journalOffset else {
            throw RapportError.failure("\(path): changed size unexpectedly (\(st.size) bytes, expected \(journalOffset)); the change was not saved, try again")
        }
        do {
            try Sys.writeAll(fs, fd, line, path)
            guard fs.fsync(fd) == 0 else { throw Sys.fail("flush to disk", path) }
            if created { try Sys.fsyncDirectory(fs, paths.storeDirectory) }
        } catch {
            // Under the exclusive lock no other process has read the line yet, so it may
            // still be taken back. A journal this append created goes again, so a failed
            // command leaves the directory as it found it.
            let rolledBack = fs.ftruncate(fd, off_t(journalOffset)) == 0
            if rolledBack { _ = fs.fsync(fd) }
            if rolledBack && created && journalOffset == 0 { unlink(path) }
            let msg = (error as? RapportError)?.description ?? "\(path): \(error)"
            throw RapportError.failure(msg + (rolledBack ? "; the change was not saved"
                                                          : "; the change was not saved and the journal could not be rolled back (run rapport check)"))
        }
        // The line is durable, hence acknowledged: nothing after this point may fail the change.
        journalID = try? Sys.fstat(fd, path)
    }

    /// A compaction entirely under the lock (a schema migration, at open): the same steps
    /// as `compact`, without releasing it.
    private func compactLocked() throws {
        try checkCompactable()
        let plan = currentPlan()
        let w = try writeCompaction(plan)
        var placed = false
        defer { if !placed { w.discard() } }
        defer { releaseKeptFiles() }
        try placeSnapshot(w, plan: plan, journalSize: (try Sys.status(paths.journal))?.size ?? 0)
        placed = true
        writePendingCache()
    }

    /// Writes the cache of the data in memory (exactly the snapshot `id` names, with an empty
    /// journal). Safe without the lock: a snapshot replaced since has another identity, so
    /// this cache is never used for it, and lines appended since are replayed on top.
    private func writeCacheAfterCompaction(_ id: DatabaseCache.SnapshotIdentity) {
        var c = DatabaseCache.Contents(db: database, flags: persistedFlags, schemaVersion: snapshotVersion, snapshotSeq: snapshotSeq,
                                       seq: seq, journalCovered: 0, journalLines: 0)
        // As the snapshot has them: flags only in the table.
        c.recruiterFlagsCleared = true
        cacheCovers = 0
        DatabaseCache.write(c, source: DatabaseCache.Source(snapshot: id, snapshotHash: snapshotHash!, journalHash: DatabaseCache.hash([])),
                            paths: paths, fs: fs)
    }

    /// Temp files of a compaction that was killed. Every compaction holds the lock while
    /// its temp file exists, so under the lock any that remain are leftovers.
    private func removeLeftoverTempFiles(besides target: String, keeping own: [String] = []) {
        let prefixes = [".\((target as NSString).lastPathComponent).tmp-", "store.json.bak.tmp-", ".\(StatusCache.fileName).tmp-", ".undo.jsonl.tmp-",
                        ".\(DatabaseCache.fileName).tmp-", ".journal.jsonl.tmp-", ".\(RulesCache.fileName).tmp-"]
        for dir in Set([Sys.dirname(target), paths.storeDirectory]) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            where prefixes.contains(where: { name.hasPrefix($0) }) && !own.contains((dir as NSString).appendingPathComponent(name)) {
                unlink((dir as NSString).appendingPathComponent(name))
            }
        }
    }

    /// `store.json.bak` := the current snapshot (a hard link, or a copy across devices).
    private func makeBackup(of target: String) throws {
        let tmp = "\(paths.backup).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if link(target, tmp) != 0 {
            guard let bytes = try Sys.readFile(target) else { return }
            try Sys.createFile(fs, tmp, bytes)
        }
        keepUntilUnlocked(paths.backup)
        guard fs.rename(tmp, paths.backup) == 0 else {
            let e = errno
            unlink(tmp)
            throw Sys.fail("replace", paths.backup, e)
        }
        // rename(2) does nothing when both names are links to one file (a compaction was
        // interrupted after this step last time), leaving the temp name behind.
        unlink(tmp)
    }

    /// Before a file is replaced under the lock: a second name for it (a hard link, under a
    /// temp prefix that `removeLeftoverTempFiles` clears after a crash), so the rename does
    /// not free its blocks (tens of milliseconds for an old snapshot of 90 MB); the file goes
    /// when `releaseKeptFiles` unlinks that name, with the lock released. Best effort: no
    /// link (a file system without them, no such file) only means the rename frees it.
    private func keepUntilUnlocked(_ path: String) {
        let name = (path as NSString).lastPathComponent
        let prefix = name == (paths.backup as NSString).lastPathComponent ? "\(name).tmp-" : ".\(name).tmp-"
        let kept = (Sys.dirname(path) as NSString).appendingPathComponent("\(prefix)old-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        if link(path, kept) == 0 { keptUntilUnlocked.append(kept) }
    }

    /// With the lock released: unlinks the names `keepUntilUnlocked` made, and flushes
    /// the journal a compaction emptied.
    private func releaseKeptFiles() {
        for name in keptUntilUnlocked { unlink(name) }
        keptUntilUnlocked = []
        if flushJournalAfterUnlock {
            flushJournalAfterUnlock = false
            try? Sys.flushFile(fs, paths.journal)
        }
    }

    /// Older schema: keep the old file as store.json.v<N>.bak (0600), then rewrite.
    private func migrateLocked() throws {
        guard !readOnly, let bytes = try Sys.readFile(paths.snapshot) else { return }
        let from = snapshotVersion
        let name = paths.path("store.json.v\(from).bak")
        if try Sys.status(name) == nil {
            try Sys.createFile(fs, name, bytes)
            try Sys.fsyncDirectory(fs, paths.storeDirectory)
        }
        try compactLocked()
        notices.append("\(paths.snapshot): upgraded from schema \(from) to \(Snapshot.currentVersion); the old file is kept as \(name)")
    }
}
