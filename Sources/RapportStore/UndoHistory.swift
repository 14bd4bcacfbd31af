import Foundation
import RapportCore

/// What `Store.apply` did: the journal line's sequence number, its undo group, and the
/// change as stored with the inverse computed under the lock.
public struct Applied: Sendable, Equatable {
    /// The sequence number of the line written (unchanged when the change was empty).
    public var seq: Int
    public var group: UUID
    public var change: Change
    public var inverse: Change
    /// False when the change was an empty batch: nothing was written.
    public var written: Bool
}

/// One undo step: every journal line written with one group id (usually one line: one
/// command, one import, one TUI action), with the inverse of each computed under the lock.
public struct UndoGroup: Sendable, Equatable, Codable {
    public var id: UUID
    public var origin: Origin
    public var label: String
    public var at: Date
    public var firstSeq: Int
    public var lastSeq: Int
    /// The changes in the order they were applied, and the inverse of each.
    public var changes: [Change]
    public var inverses: [Change]
    /// Set on a group that takes back (`undoes`) or puts back (`redoes`) another group.
    public var undoes: UUID?
    public var redoes: UUID?

    /// The group's changes as one change.
    public var change: Change { changes.count == 1 ? changes[0] : .batch(changes) }
    /// What takes the whole group back: the inverses, last first.
    public var inverse: Change { inverses.count == 1 ? inverses[0] : .batch(inverses.reversed()) }
    /// True for an undo or a redo (as opposed to a change someone made).
    public var isReplay: Bool { undoes != nil || redoes != nil }

    /// The recruiter's name as this group's changes knew it (for one that is gone since).
    func name(of recruiter: UUID) -> String? {
        func find(_ c: Change) -> String? {
            switch c {
            case .putRecruiter(let r) where r.id == recruiter: return r.name
            case .restoreRecruiter(let rec) where rec.recruiter.id == recruiter: return rec.recruiter.name
            case .batch(let cs): return cs.lazy.compactMap(find).first
            default: return nil
            }
        }
        return (changes + inverses).lazy.compactMap(find).first
    }

    public var touches: Set<Touch> {
        var out: Set<Touch> = []
        for (c, i) in zip(changes, inverses) { out.formUnion(c.touches(inverse: i)) }
        return out
    }
}

/// One line of `rapport undo --list`: a group without its changes.
public struct UndoStep: Sendable, Equatable {
    public var id: UUID
    public var origin: Origin
    public var label: String
    public var at: Date
    /// An undo or a redo (as opposed to a change someone made).
    public var isReplay: Bool
    /// Taken back now (undone and not redone).
    public var undone: Bool
}

/// The undo history: the last `limit` groups, oldest first, rebuilt from `undo.jsonl`
/// (written at each compaction) plus the journal lines after the snapshot.
///
/// `undo.jsonl` is read only when the history is asked for (an undo, a list): opening the
/// store for anything else costs nothing more, however large an import in it was, and a
/// compaction that nobody asked about copies its lines without decoding them.
struct UndoHistory: Sendable {
    static let limit = 100
    /// The groups known (after `materialize`, all of them; before, those from the journal).
    private(set) var groups: [UndoGroup] = []
    /// `undo.jsonl`, not read yet, and the snapshot `seq` its groups must not go beyond.
    private var pendingFile: (path: String, upTo: Int)?

    /// Journal lines already folded into the database (from `store.cache`) whose groups
    /// are not read yet: the journal's path and how many bytes from its start.
    private var pendingJournal: (path: String, length: Int, after: Int)?

    /// Groups of journal lines the snapshot already holds (seq up to its `seq`), which a
    /// journal keeps only when a compaction was cut short: read in case `undo.jsonl` is
    /// older than the snapshot (a crash after the compaction's one flush of the directory
    /// was due, where the file system kept the snapshot's rename and not the undo file's).
    /// Empty otherwise.
    private var covered: [UndoGroup] = []

    init() {}

    /// A history whose older groups are in `path`, read when first needed; with `journal`,
    /// also the groups of the journal's first bytes (lines already in the database).
    init(file path: String, upTo seq: Int, journal: (path: String, length: Int)? = nil) {
        pendingFile = (path, seq)
        if let journal { pendingJournal = (journal.path, journal.length, seq) }
    }

    /// Puts the groups of the pending journal bytes before the ones recorded since (the
    /// lines after them). An unreadable prefix leaves those groups out.
    private mutating func loadPendingJournal() {
        guard let p = pendingJournal else { return }
        pendingJournal = nil
        guard let bytes = try? Sys.readFile(p.path), bytes.count >= p.length else { return }
        var early = UndoHistory()
        for line in bytes[0..<p.length].split(separator: 0x0A) where !line.isEmpty {
            guard let jl = try? StoreCoding.decoder.decode(JournalLine.self, from: Data(line)) else { continue }
            if jl.seq > p.after { early.record(jl) } else { early.recordCovered(jl) }
        }
        for g in groups { early.append(g) }
        groups = early.groups
        covered = Array((early.covered + covered).suffix(Self.limit))
    }

    /// Records a journal line the snapshot already holds (see `covered`).
    mutating func recordCovered(_ line: JournalLine) {
        Self.record(line, into: &covered)
    }

    /// The covered groups past `seq` (what `undo.jsonl` written at `seq` does not hold),
    /// a group that straddles it cut to its lines after it.
    private func coveredGroups(after seq: Int) -> [UndoGroup] {
        covered.compactMap { g in
            if g.firstSeq > seq { return g }
            // A group's lines are consecutive in the journal; one without its lines one per seq is left out.
            guard g.lastSeq > seq, g.changes.count == g.lastSeq - g.firstSeq + 1, g.inverses.count == g.changes.count else { return nil }
            var cut = g
            let k = g.lastSeq - seq
            cut.changes = Array(g.changes.suffix(k))
            cut.inverses = Array(g.inverses.suffix(k))
            cut.firstSeq = seq + 1
            return cut
        }
    }

    /// The first line of `undo.jsonl`: the snapshot `seq` it was written with.
    private struct Header: Codable { var undoHistoryOfSeq: Int }

    /// Reads `undo.jsonl` (once) and puts its groups before the journal's. An unreadable
    /// file only empties the older history.
    mutating func materialize() {
        loadPendingJournal()
        guard let p = pendingFile else { return }
        pendingFile = nil
        let fromJournal = groups
        groups = []
        var fileSeq = 0
        for line in ((try? Sys.readFile(p.path)) ?? nil)?.split(separator: 0x0A) ?? [] where !line.isEmpty {
            if let h = try? StoreCoding.decoder.decode(Header.self, from: Data(line)) {
                fileSeq = max(fileSeq, h.undoHistoryOfSeq)
                continue
            }
            guard let g = try? StoreCoding.decoder.decode(UndoGroup.self, from: Data(line)) else {
                groups = []
                break
            }
            fileSeq = max(fileSeq, g.lastSeq)
            if g.lastSeq <= p.upTo { append(g) }
        }
        for g in coveredGroups(after: fileSeq) where g.lastSeq <= p.upTo { append(g) }
        covered = []
        for g in fromJournal { append(g) }
    }

    /// The groups without their changes, newest last, with whether each is undone.
    /// A history whose `undo.jsonl` is not read yet reads only each line's small fields:
    /// the `changes` and `inverses` values (megabytes for a large import) are skipped
    /// byte by byte, never decoded.
    func steps() -> [UndoStep] {
        var h = self
        h.loadPendingJournal()
        if let p = pendingFile {
            h.pendingFile = nil
            let fromJournal = h.groups
            h.groups = []
            var fileSeq = 0
            if let bytes = try? Sys.readFile(p.path) {
                for line in bytes.split(separator: 0x0A) where !line.isEmpty {
                    let line = [UInt8](line)
                    // The header is one short line; a group line is never decoded whole.
                    if line.count < 200, let header = try? StoreCoding.decoder.decode(Header.self, from: Data(line)) {
                        fileSeq = max(fileSeq, header.undoHistoryOfSeq)
                        continue
                    }
                    guard let g = Self.summary(line) else {
                        h.groups = []
                        break
                    }
                    fileSeq = max(fileSeq, g.lastSeq)
                    if g.lastSeq <= p.upTo { h.append(g) }
                }
            }
            for g in h.coveredGroups(after: fileSeq) where g.lastSeq <= p.upTo { h.append(g) }
            for g in fromJournal { h.append(g) }
        }
        return h.groups.map { g in
            UndoStep(id: g.id, origin: g.origin, label: g.label, at: g.at, isReplay: g.isReplay,
                     undone: !g.isReplay && h.state(of: g).undone)
        }
    }

    /// One `undo.jsonl` group line decoded with `changes` and `inverses` left empty; nil
    /// when the line is not a group.
    static func summary(_ line: [UInt8]) -> UndoGroup? {
        var doc = line
        for name in ["changes", "inverses"] {
            guard let range = FastMessages.topLevelValue(named: name, in: doc) else { return nil }
            doc = FastMessages.rest(doc, without: range)
        }
        guard JSONCheck.check(doc) == nil else { return nil }
        return try? StoreCoding.decoder.decode(UndoGroup.self, from: Data(doc))
    }

    /// Records one journal line. Lines written before schema 2 carry no group: they are
    /// not undoable.
    mutating func record(_ line: JournalLine) {
        Self.record(line, into: &groups)
    }

    /// `record` into a list of groups (the history's, or the covered ones).
    private static func record(_ line: JournalLine, into groups: inout [UndoGroup]) {
        guard let gid = line.group, let origin = line.origin, let inverse = line.inverse else { return }
        if var last = groups.last, last.id == gid {
            last.changes.append(line.change)
            last.inverses.append(inverse)
            last.lastSeq = line.seq
            groups[groups.count - 1] = last
            return
        }
        groups.append(UndoGroup(id: gid, origin: origin, label: line.label ?? "", at: line.at ?? Date(timeIntervalSince1970: 0),
                                firstSeq: line.seq, lastSeq: line.seq, changes: [line.change], inverses: [inverse],
                                undoes: line.undoes, redoes: line.redoes))
        if groups.count > Self.limit { groups.removeFirst(groups.count - Self.limit) }
    }

    mutating func append(_ g: UndoGroup) {
        // One group's lines on both sides of a compaction.
        if var last = groups.last, last.id == g.id {
            last.changes += g.changes
            last.inverses += g.inverses
            last.lastSeq = g.lastSeq
            groups[groups.count - 1] = last
            return
        }
        groups.append(g)
        if groups.count > Self.limit { groups.removeFirst(groups.count - Self.limit) }
    }

    func group(_ id: UUID) -> UndoGroup? { groups.last { $0.id == id } }

    /// Whether `g` (a change someone made, not an undo or redo) is taken back now, and
    /// the sequence number when it was last made, undone or redone.
    func state(of g: UndoGroup) -> (undone: Bool, seq: Int) {
        for later in groups.reversed() where later.lastSeq > g.lastSeq {
            if later.undoes == g.id { return (true, later.lastSeq) }
            if later.redoes == g.id { return (false, later.lastSeq) }
        }
        return (false, g.lastSeq)
    }

    /// The group `undo` without an id takes back: the one done (or redone) last among
    /// those `matching` their origin.
    func latestUndoable(matching: (Origin) -> Bool) -> UndoGroup? {
        var best: (UndoGroup, Int)?
        for g in groups where !g.isReplay && matching(g.origin) {
            let s = state(of: g)
            if !s.undone, s.seq > (best?.1 ?? -1) { best = (g, s.seq) }
        }
        return best?.0
    }

    /// The group `redo` without an id puts back: the one undone last among those
    /// `matching`, unless a new change (matching) was made since that undo.
    func latestRedoable(matching: (Origin) -> Bool) -> UndoGroup? {
        var best: (UndoGroup, Int)?
        var newestChange = -1
        for g in groups where !g.isReplay && matching(g.origin) {
            newestChange = max(newestChange, g.firstSeq)
            let s = state(of: g)
            if s.undone, s.seq > (best?.1 ?? -1) { best = (g, s.seq) }
        }
        guard let best, newestChange < best.1 else { return nil }
        return best.0
    }

    /// The newest group after `seq` (other than undoing or redoing `except`) that touches
    /// what `touches` names, with the touch it overlaps on: what an undo depends on.
    func laterConflict(after seq: Int, touching touches: Set<Touch>, except: UUID) -> (UndoGroup, Touch)? {
        for later in groups.reversed() where later.lastSeq > seq && later.id != except
            && later.undoes != except && later.redoes != except {
            for t in later.touches where touches.contains(where: { $0.overlaps(t) }) {
                return (later, t)
            }
        }
        return nil
    }

    // MARK: - undo.jsonl

    /// The file's bytes for a snapshot at `seq`: a header line, then one group per line,
    /// the last `limit`. Lines of a file never read are copied as they are when it was
    /// written for the snapshot now loaded (its header says so).
    mutating func encodeFile(seq: Int) throws -> [UInt8] {
        loadPendingJournal()
        var raw: [ArraySlice<UInt8>] = []
        var gap: [UndoGroup] = []
        if let p = pendingFile {
            let bytes = (try? Sys.readFile(p.path)) ?? nil
            let lines = bytes.map { Sys.lines($0) } ?? []
            if let first = lines.first, let h = try? StoreCoding.decoder.decode(Header.self, from: Data(first)),
               h.undoHistoryOfSeq <= p.upTo {
                raw = Array(lines.dropFirst())
                // Groups the file does not hold that the journal still had (see `covered`).
                gap = coveredGroups(after: h.undoHistoryOfSeq).filter { $0.lastSeq <= p.upTo }
            } else {
                materialize()
            }
        }
        var out = [UInt8](try StoreCoding.lineEncoder.encode(Header(undoHistoryOfSeq: seq)))
        out.append(0x0A)
        for line in raw.suffix(max(0, Self.limit - gap.count - groups.count)) {
            out.append(contentsOf: line)
            out.append(0x0A)
        }
        for g in (gap + groups).suffix(Self.limit) {
            out.append(contentsOf: try StoreCoding.lineEncoder.encode(g))
            out.append(0x0A)
        }
        return out
    }
}

// MARK: - A TUI session's undo

extension Store {
    /// `u` in a TUI session: takes back the latest group that session (`origin`) made and
    /// has not undone, with the same check and refusal as `rapport undo` ("Not undone:
    /// Dana Smith's status changed since by rapport edit"), decided under the lock on the
    /// fresh history. Returns the group taken back; nil when the session has none left.
    /// Other sessions', commands' and imports' groups are never taken.
    public func undoLatest(of origin: Origin) throws -> UndoGroup? {
        try replayLatest(of: origin, back: true)
    }

    /// Ctrl-R in a TUI session: puts back the group that session undid last, unless it
    /// made a new change since. Returns the group put back; nil when there is none.
    public func redoLatest(of origin: Origin) throws -> UndoGroup? {
        try replayLatest(of: origin, back: false)
    }

    private func replayLatest(of origin: Origin, back: Bool) throws -> UndoGroup? {
        var picked: UndoGroup?
        do {
            try replay(origin: origin, back: back) { h in
                let mine: (Origin) -> Bool = { $0 == origin }
                guard let g = back ? h.latestUndoable(matching: mine) : h.latestRedoable(matching: mine) else {
                    throw back ? Store.nothingToUndo : Store.nothingToRedo
                }
                picked = g
                return g
            }
        } catch let e as RapportError where picked == nil && (e == Store.nothingToUndo || e == Store.nothingToRedo) {
            return nil
        }
        return picked
    }
}
