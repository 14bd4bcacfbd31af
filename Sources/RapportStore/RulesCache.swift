import Glibc
import Foundation
import Synchronization
import RapportCore

/// `rules.cache` in the store directory: what the rules found for each recruiter
/// (`RuleFindings`), so a process that needs every status (the status line, the
/// interface's first screen, `due`, `list`) runs the rules only for the recruiters whose
/// data changed or whose findings ran out of time (see docs/store-format.md, "rules.cache").
///
/// Derived data only: safe to delete, rebuilt on demand, never trusted blindly. The file
/// is ignored whole unless the magic, the format version, a checksum over everything
/// after it, the layout of the enumerations it stores by number, the build that wrote it
/// (the executable's identity: another build may have other rules) and the policy key all
/// match. An entry is then used for a recruiter only when all of these hold:
/// - the recruiter's stored digest now (`Database.storedDigest(of:)`, a digest of
///   everything stored for it as loaded from `store.cache`, dropped by any change) is
///   not nil and equals the entry's;
/// - the duplicate-submission bit (the one input that depends on other recruiters) is
///   the same as now;
/// - now lies in the entry's window: `evaluatedAt` ≤ now < `validUntil` (from a
///   per-recruiter `Horizon`: the earliest moment the findings can change by time
///   alone), or now is `evaluatedAt` itself.
/// The scores, which vary with `now` continuously, are always computed at read
/// (`Rules.Scorer`), so a status from the cache is exactly what `Rules.evaluate` returns.
public enum RulesCache {
    public static let fileName = "rules.cache"
    static let magic: [UInt8] = Array("RAPRULE\u{1}".utf8)
    /// Bump on any change to the layout below.
    static let formatVersion: UInt32 = 1
    /// The file is never read past this size (a damaged or foreign file).
    static let maxSize = 1 << 30

    /// One recruiter's findings and when they hold.
    public struct Entry: Sendable, Equatable {
        public var digest: UInt64
        public var duplicate: Bool
        public var evaluatedAt: Date
        public var validUntil: Date
        public var findings: RuleFindings

        public init(digest: UInt64, duplicate: Bool, evaluatedAt: Date, validUntil: Date, findings: RuleFindings) {
            self.digest = digest
            self.duplicate = duplicate
            self.evaluatedAt = evaluatedAt
            self.validUntil = validUntil
            self.findings = findings
        }

        /// True when the entry holds for data with `digest` (nil: changed since loading),
        /// that duplicate bit, at `now`.
        public func holds(digest current: UInt64?, duplicate: Bool, now: Date) -> Bool {
            guard let current, current == digest, duplicate == self.duplicate else { return false }
            return now == evaluatedAt || (evaluatedAt < now && now < validUntil)
        }
    }

    /// The entries of one policy.
    public struct Entries: Sendable, Equatable {
        public var policyKey: String
        public var byRecruiter: [UUID: Entry]

        public init(policyKey: String, byRecruiter: [UUID: Entry] = [:]) {
            self.policyKey = policyKey
            self.byRecruiter = byRecruiter
        }
    }

    /// Every status at one moment, and the entries to keep for next time.
    public struct Evaluation: Sendable {
        public var statuses: [UUID: RecruiterStatus]
        /// The blanket (mass-mailing) recruiters among them, from their findings.
        public var blanket: Set<UUID>
        /// Entries for the recruiters that have a digest (reused or computed now).
        public var entries: Entries
        /// Recruiters whose findings came from the entries, and those evaluated.
        public var reused: Int
        public var computed: Int
        /// True when entries were computed for recruiters with a digest (worth writing).
        public var changed: Bool
        /// The earliest moment after now at which a status (other than its scores) or a
        /// deadline's section can change while the data stays the same: the findings'
        /// windows and every deadline's due time; `now` itself when one falls on now.
        /// Midnight (the day's sections) is the caller's, as with `Rules.nextChange`.
        public var nextChange: Date
    }

    /// The key of `policy` the entries are kept under (the same as the status line's).
    public static func policyKey(_ policy: Policy) -> String { StatusCache.policyKey(policy) }

    /// Every recruiter's status at `now`: from `cached` where an entry holds, from the
    /// rules otherwise. Pure; exactly `Rules.evaluate(db, now:, policy:)`.
    public static func evaluate(_ db: Database, now: Date, policy: Policy, policyKey: String,
                                cached: Entries?) -> Evaluation {
        let old = cached?.policyKey == policyKey ? cached!.byRecruiter : [:]
        let score = Rules.Scorer(now: now, policy: policy)
        // Ids, digests and duplicate bits in one pass by position: a recruiter whose entry
        // holds is never read (a lazily opened store); its status is scored straight from
        // the entry, and the entry kept as it is (the entries are changed in place, not
        // copied into new dictionaries).
        let rows = db.recruiterDigests()
        var statuses: [UUID: RecruiterStatus] = [:]
        statuses.reserveCapacity(rows.count)
        var kept = old
        var blanket = Set<UUID>()
        var next = Date.distantFuture
        var missing: [UUID] = []
        var missingDigests: [UUID: UInt64] = [:]
        var missingDuplicates = Set<UUID>()
        /// Earliest moment a deadline of `f` falls due from now on.
        func noteDeadlines(_ f: RuleFindings) {
            for d in f.deadlines where d.due >= now && d.due < next { next = d.due }
        }
        for row in rows {
            if let e = old[row.id], e.holds(digest: row.digest, duplicate: row.duplicate, now: now) {
                statuses[row.id] = score(e.findings)
                if e.findings.blanket { blanket.insert(row.id) }
                next = min(next, max(e.validUntil, now))
                noteDeadlines(e.findings)
            } else {
                missing.append(row.id)
                if let digest = row.digest { missingDigests[row.id] = digest }
                if row.duplicate { missingDuplicates.insert(row.id) }
                if old[row.id] != nil { kept[row.id] = nil }
            }
        }
        let reused = statuses.count
        var added = 0
        if !missing.isEmpty {
            for (id, found) in Rules.findings(of: missing, in: db, now: now, policy: policy, duplicates: missingDuplicates) {
                statuses[id] = score(found.findings)
                if found.findings.blanket { blanket.insert(id) }
                next = min(next, found.validUntil)
                noteDeadlines(found.findings)
                if let digest = missingDigests[id] {
                    kept[id] = Entry(digest: digest, duplicate: missingDuplicates.contains(id), evaluatedAt: now,
                                     validUntil: found.validUntil, findings: found.findings)
                    added += 1
                }
            }
        }
        let changed = added > 0
        // Only the recruiters there now keep an entry (those reused, those just computed).
        if kept.count != reused + added { kept = kept.filter { statuses[$0.key] != nil } }
        return Evaluation(statuses: statuses, blanket: blanket,
                          entries: Entries(policyKey: policyKey, byRecruiter: kept), reused: reused,
                          computed: statuses.count - reused, changed: changed, nextChange: next)
    }

    // MARK: - File

    /// The build that runs: another build may have other rules, so it never reads this
    /// one's file. The executable's path, device, inode, size and modification time; when
    /// they cannot be read (the file was replaced while running), a number no other
    /// process has, so this process's file is never read by another.
    static let buildIdentity: UInt64 = {
        var link = [CChar](repeating: 0, count: 4097)
        let n = readlink("/proc/self/exe", &link, 4096)
        var st = stat()
        guard n > 0, stat(link, &st) == 0 else { return UInt64.random(in: 1...UInt64.max) }
        var w = DatabaseCache.Writer()
        w.string(String(decoding: link[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        w.u64(UInt64(st.st_dev)); w.u64(UInt64(st.st_ino)); w.u64(UInt64(st.st_size))
        w.i64(Int64(st.st_mtim.tv_sec)); w.i64(Int64(st.st_mtim.tv_nsec))
        return DatabaseCache.hash(w.out)
    }()

    /// Every enumeration stored by position, in order (as in `store.cache`).
    static let layoutHash: UInt64 = {
        var s = ""
        func add<T: CaseIterable & RawRepresentable>(_: T.Type) where T.RawValue == String {
            s += T.allCases.map(\.rawValue).joined(separator: ",") + ";"
        }
        add(Flag.self); add(DeadlineKind.self); add(Turn.self)
        return DatabaseCache.hash(Array(s.utf8))
    }()

    static let turns = Turn.allCases, kinds = DeadlineKind.allCases

    // magic (8) | format version u32 | reserved u32 | checksum u64 of everything after it |
    // layout hash u64 | build u64 | policy key (string) | entry count | entries, by id:
    // id | digest u64 | duplicate u8 | evaluatedAt | validUntil | turn u8 | lastContact? |
    // open message ids | flag bits u32 | blanket u8 | deadlines (each: id string, kind u8,
    // due, message / follow-up / expectation / interview id?, title, count, last message id?,
    // snoozed u8). Dates as the bits of their reference-date interval (exact).
    static let checksumOffset = 16

    static func encode(_ entries: Entries, build: UInt64 = buildIdentity) -> [UInt8] {
        var w = head(policyKey: entries.policyKey, count: entries.byRecruiter.count, build: build,
                     capacity: 64 + entries.byRecruiter.count * 256)
        for id in entries.byRecruiter.keys.sorted(by: uuidLess) { encodeEntry(&w, id: id, entries.byRecruiter[id]!) }
        return sealed(w.out)
    }

    /// The file's head up to the entry count (`count` entries follow).
    static func head(policyKey: String, count: Int, build: UInt64, capacity: Int) -> DatabaseCache.Writer {
        var w = DatabaseCache.Writer()
        w.out.reserveCapacity(capacity)
        w.out.append(contentsOf: magic)
        w.u32(formatVersion)
        w.u32(0)
        w.u64(0)  // the checksum, filled in last
        w.u64(layoutHash)
        w.u64(build)
        w.string(policyKey)
        w.count(count)
        return w
    }

    /// `bytes` with the checksum filled in.
    static func sealed(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        let sum = out.withUnsafeBytes { DatabaseCache.hash(UnsafeRawBufferPointer(rebasing: $0[(checksumOffset + 8)...])) }
        withUnsafeBytes(of: sum.littleEndian) { s in
            for k in 0..<8 { out[checksumOffset + k] = s[k] }
        }
        return out
    }

    static func encodeEntry(_ w: inout DatabaseCache.Writer, id: UUID, _ e: Entry) {
        func optionalID(_ id: UUID?) {
            if let id { w.u8(1); w.uuid(id) } else { w.u8(0) }
        }
        let f = e.findings
        w.uuid(id); w.u64(e.digest); w.bool(e.duplicate); w.date(e.evaluatedAt); w.date(e.validUntil)
        w.index(f.turn, in: turns); w.date(f.lastContact)
        w.count(f.openMessageIDs.count)
        for m in f.openMessageIDs { w.uuid(m) }
        w.u32(f.flagBits); w.bool(f.blanket)
        w.count(f.deadlines.count)
        for d in f.deadlines {
            w.string(d.id); w.index(d.kind, in: kinds); w.date(d.due)
            optionalID(d.messageID); optionalID(d.followUpID); optionalID(d.expectationID); optionalID(d.interviewID)
            w.string(d.title); w.int(d.count); optionalID(d.lastMessageID); w.bool(d.snoozed)
        }
    }

    /// The entries in `bytes` when every check of the file passes and they were kept
    /// under `policyKey`; nil otherwise.
    static func decode(_ bytes: [UInt8], policyKey: String, build: UInt64 = buildIdentity) -> Entries? {
        bytes.withUnsafeBytes { raw -> Entries? in
            guard var r = afterHeader(raw, policyKey: policyKey, build: build),
                  let entries = try? readEntries(&r), r.at == raw.count else { return nil }
            return Entries(policyKey: policyKey, byRecruiter: entries)
        }
    }

    /// A reader at the entry count of `raw`, when its magic, format version, checksum,
    /// layout, build and policy key all match; nil otherwise.
    static func afterHeader(_ raw: UnsafeRawBufferPointer, policyKey: String, build: UInt64) -> DatabaseCache.Reader? {
        var r = DatabaseCache.Reader(raw: raw, at: 0)
        guard raw.count >= checksumOffset + 8, let m = try? r.bytes(8), m.elementsEqual(magic),
              (try? r.u32()) == formatVersion, (try? r.u32()) == 0,
              let sum = try? r.u64(),
              sum == DatabaseCache.hash(UnsafeRawBufferPointer(rebasing: raw[(checksumOffset + 8)...])),
              (try? r.u64()) == layoutHash, (try? r.u64()) == build,
              (try? r.string()) == policyKey else { return nil }
        return r
    }

    private static func readEntries(_ r: inout DatabaseCache.Reader) throws -> [UUID: Entry] {
        let n = try r.count()
        var out: [UUID: Entry] = [:]
        out.reserveCapacity(n)
        for _ in 0..<n {
            let (id, entry) = try readEntry(&r)
            guard out.updateValue(entry, forKey: id) == nil else { throw DatabaseCache.Bad() }
        }
        return out
    }

    /// One entry, read whole.
    static func readEntry(_ r: inout DatabaseCache.Reader) throws -> (UUID, Entry) {
        func optionalID() throws -> UUID? {
            switch try r.u8() {
            case 0: return nil
            case 1: return try r.uuid()
            default: throw DatabaseCache.Bad()
            }
        }
        let id = try r.uuid(), digest = try r.u64(), duplicate = try r.bool()
        let evaluatedAt = try r.date(), validUntil = try r.date()
        let turn = try r.pick(turns), lastContact = try r.optionalDate()
        let no = try r.count()
        var open: [UUID] = []
        open.reserveCapacity(no)
        for _ in 0..<no { open.append(try r.uuid()) }
        let bits = try r.u32(), blanket = try r.bool()
        guard bits >> UInt32(Flag.allCases.count) == 0 else { throw DatabaseCache.Bad() }
        let nd = try r.count()
        var deadlines: [Deadline] = []
        deadlines.reserveCapacity(nd)
        for _ in 0..<nd {
            let did = try r.string(), kind = try r.pick(kinds), due = try r.date()
            let message = try optionalID(), followUp = try optionalID(), expectation = try optionalID()
            let interview = try optionalID(), title = try r.string(), count = try r.int()
            let last = try optionalID(), snoozed = try r.bool()
            deadlines.append(Deadline(id: did, kind: kind, recruiterID: id, due: due, messageID: message,
                                      followUpID: followUp, expectationID: expectation, interviewID: interview,
                                      title: title, urgency: 0, count: count, lastMessageID: last, snoozed: snoozed))
        }
        let f = RuleFindings(recruiterID: id, turn: turn, lastContact: lastContact, openMessageIDs: open,
                             flagBits: bits, deadlines: deadlines, blanket: blanket)
        return (id, Entry(digest: digest, duplicate: duplicate, evaluatedAt: evaluatedAt, validUntil: validUntil, findings: f))
    }

    /// The entries kept in the store directory for `policyKey`; nil when there is no
    /// file or it fails any check (then everything is evaluated and the file rewritten).
    public static func read(_ paths: AppPaths, policyKey: String) -> Entries? {
        readBytes(paths).flatMap { decode($0, policyKey: policyKey) }
    }

    /// The file's bytes (nil: none, not a regular file, or too large).
    static func readBytes(_ paths: AppPaths) -> [UInt8]? {
        let fd = Glibc.open(paths.path(fileName), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size > 0, st.st_size < maxSize else { return nil }
        let size = Int(st.st_size)
        var got = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { b, count in
            while got < size {
                let n = Glibc.read(fd, b.baseAddress! + got, size - got)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                got += n
            }
            count = got
        }
        guard got == size else { return nil }
        return bytes
    }

    /// A test hook: with this variable set to a path, the writer writes half the file to
    /// its temp file, creates that path and waits, so a test can kill it mid-write.
    static let stallKey = "RAPPORT_TEST_RULES_CACHE_STALL"

    /// Writes `rules.cache` atomically (temp file `.rules.cache.tmp-<pid>-<n>`, 0600, then
    /// rename; not fsync'd: a file cut short in a crash fails its checksum and is
    /// rebuilt). Best effort: a failure leaves the old file or none, both safe. Needs no
    /// lock: every entry is keyed by the data it was computed from, so any complete file
    /// from any process is as good as another.
    public static func write(_ entries: Entries, paths: AppPaths, fs: FileSystem = .system) {
        DatabaseCache.writeDerived(encode(entries), named: fileName, paths: paths, fs: fs, stallKey: stallKey)
    }
}

extension RulesCache {
    /// Every recruiter's status at `now` as a `StatusTable`: from the entries of `file`
    /// (the bytes of `rules.cache`, `walked` its walk) that hold, from the rules otherwise.
    /// An entry that holds is scored from its walk and never built: its findings are read
    /// from `file` only when its whole status or a deadline of it is asked for. Pure; the
    /// statuses are exactly `evaluate`'s.
    static func table(_ db: Database, now: Date, policy: Policy, policyKey: String, file: [UInt8], walked: Walked,
                      build: UInt64 = buildIdentity) -> (table: StatusTable, merged: Merged) {
        let score = Rules.Scorer(now: now, policy: policy)
        let recruiters = db.recruiterDigests()
        let ids = recruiters.map(\.id)
        let placeholder = StatusTable.Row(id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), urgency: 0,
                                          turn: .none, lastContact: nil, flagBits: 0, blanket: false, owesReply: false,
                                          deadlines: 0..<0)
        var rows = [StatusTable.Row](repeating: placeholder, count: ids.count)
        var keys: [StatusTable.DeadlineKey] = []
        keys.reserveCapacity(walked.dues.count)
        /// Per row: the entry of `walked` it was read from (>= 0), or -1 - its place in `fresh`.
        var source = [Int32](repeating: 0, count: ids.count)
        var fresh: [RuleFindings] = []
        var tally = Rules.CountTally(now: now, policy: policy)
        let entries = walked.entries
        let merged = file.withUnsafeBytes { raw in
            merge(db, recruiters: recruiters, now: now, policy: policy, policyKey: policyKey, walked: walked, raw: raw, build: build,
                  held: { position, k in
                      let e = entries[k]
                      let first = keys.count, base = e.dues.lowerBound
                      let urgency = score.scores(flagBits: e.flagBits, blanket: e.blanket, deadlines: e.dues.count,
                                                 kind: { walked.kinds[base + $0] }, due: { walked.dues[base + $0] },
                                                 deadline: { i, u in
                                                     keys.append(StatusTable.DeadlineKey(row: position, index: i, kind: walked.kinds[base + i],
                                                                                         due: walked.dues[base + i], urgency: u))
                                                 })
                      rows[position] = StatusTable.Row(id: ids[position], urgency: urgency, turn: e.turn, lastContact: e.lastContact,
                                                       flagBits: e.flagBits, blanket: e.blanket, owesReply: e.owesReply,
                                                       deadlines: first..<keys.count)
                      source[position] = Int32(k)
                      tally.recruiter(turn: e.turn, flagBits: e.flagBits, blanket: e.blanket, owesReply: e.owesReply)
                      for due in walked.dues[e.dues] { tally.deadline(due: due) }
                  },
                  computed: { position, f in
                      let first = keys.count
                      let ds = f.deadlines
                      let urgency = score.scores(flagBits: f.flagBits, blanket: f.blanket, deadlines: ds.count,
                                                 kind: { ds[$0].kind }, due: { ds[$0].due },
                                                 deadline: { i, u in
                                                     keys.append(StatusTable.DeadlineKey(row: position, index: i, kind: ds[i].kind,
                                                                                         due: ds[i].due, urgency: u))
                                                 })
                      let owesReply = ds.contains { $0.kind == .reply }
                      rows[position] = StatusTable.Row(id: f.recruiterID, urgency: urgency, turn: f.turn, lastContact: f.lastContact,
                                                       flagBits: f.flagBits, blanket: f.blanket, owesReply: owesReply,
                                                       deadlines: first..<keys.count)
                      source[position] = -1 - Int32(fresh.count)
                      fresh.append(f)
                      tally.recruiter(turn: f.turn, flagBits: f.flagBits, blanket: f.blanket, owesReply: owesReply)
                      for d in ds { tally.deadline(due: d.due) }
                  })
        }
        let finalRows = rows, finalSource = source, computedFindings = fresh
        /// Where a deadline's id is: a string of a computed recruiter's findings, or the
        /// offset of its string in `file`.
        enum IDSource { case computed(String), stored(Int) }
        @Sendable func idSource(_ key: StatusTable.DeadlineKey) -> IDSource {
            let s = finalSource[Int(key.row)]
            if s < 0 { return .computed(computedFindings[Int(-1 - s)].deadlines[Int(key.index)].id) }
            return .stored(walked.idAt[entries[Int(s)].dues.lowerBound + Int(key.index)])
        }
        let table = StatusTable(rows: finalRows, deadlineKeys: keys, counts: tally.counts, titlesNameRecruiter: true,
                                detail: { k in
            let s = finalSource[k]
            if s < 0 { return .findings(computedFindings[Int(-1 - s)]) }
            let e = entries[Int(s)]
            let found = file.withUnsafeBytes { raw -> RuleFindings? in
                var r = DatabaseCache.Reader(raw: raw, at: e.bytes.lowerBound)
                return try? readEntry(&r).1.findings
            }
            if let found { return .findings(found) }
            // The walk checked every field, so this is not reached; the rules decide if it is.
            let id = finalRows[k].id
            let again = Rules.findings(of: [id], in: db, now: now, policy: policy, duplicates: e.duplicate ? [id] : [])
            return .findings(again[id]?.findings ?? RuleFindings(recruiterID: id, blanket: false))
        }, deadlineID: { key in
            switch idSource(key) {
            case .computed(let id): return id
            case .stored(let at):
                return file.withUnsafeBytes { raw in
                    var r = DatabaseCache.Reader(raw: raw, at: at)
                    return (try? r.string()) ?? ""
                }
            }
        }, deadlineIDPrefix: { key in
            switch idSource(key) {
            case .computed(let id): return IDPrefix(id)
            case .stored(let at):
                return file.withUnsafeBytes { raw in
                    // The walk checked that the string lies in the file.
                    let n = Int(raw.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian)
                    return IDPrefix(UnsafeRawBufferPointer(rebasing: raw[(at + 4)..<(at + 4 + n)]))
                }
            }
        })
        return (table, merged)
    }
}

extension Store {
    /// Every recruiter's status at `now` through `rules.cache`: entries that hold are
    /// used, the other recruiters evaluated, and the file rewritten when anything new was
    /// computed (not for a read-only store, nor when nothing has a digest). `policyKey`:
    /// `RulesCache.policyKey(policy)` when the caller has it already.
    public func evaluateThroughRulesCache(now: Date, policyKey: String? = nil) -> RulesCache.Evaluation {
        let key = policyKey ?? RulesCache.policyKey(policy)
        let cached = RulesCache.read(paths, policyKey: key)
        let e = RulesCache.evaluate(database, now: now, policy: policy, policyKey: key, cached: cached)
        if e.changed, !readOnly { RulesCache.write(e.entries, paths: paths, fs: fs) }
        return e
    }
}

/// The interface's evaluations through `rules.cache`: the first reads and walks the file,
/// later ones (after a change, or as the minute moves) reuse it in memory, so only
/// recruiters whose data changed or whose findings ran out of time are evaluated. The file
/// is rewritten when entries were computed for recruiters with a digest.
public final class RulesCacheSession: Sendable {
    let paths: AppPaths
    let fs: FileSystem
    let writable: Bool

    private struct State: Sendable {
        /// The file's bytes and their walk (empty: none, or it failed a check).
        var file: [UInt8] = []
        var walked = RulesCache.Walked()
        var read = false
        var policy: Policy?
        var key = ""
    }
    private let state = Mutex(State())

    public init(paths: AppPaths, fs: FileSystem = .system, writable: Bool = true) {
        self.paths = paths
        self.fs = fs
        self.writable = writable
    }

    /// Every status at `now` (exactly `Rules.evaluate`'s), as a `StatusTable`.
    public func table(_ db: Database, now: Date, policy: Policy) -> StatusTable {
        var s = state.withLock { $0 }
        if s.policy != policy {
            s.policy = policy
            s.key = RulesCache.policyKey(policy)
            s.read = false
        }
        if !s.read {
            s.read = true
            let bytes = RulesCache.readBytes(paths) ?? []
            let walked = bytes.withUnsafeBytes { RulesCache.summaries($0, policyKey: s.key) }
            (s.file, s.walked) = walked.map { (bytes, $0) } ?? ([], RulesCache.Walked())
        }
        let (table, merged) = RulesCache.table(db, now: now, policy: policy, policyKey: s.key, file: s.file, walked: s.walked)
        if let bytes = merged.rewrite, let walked = bytes.withUnsafeBytes({ RulesCache.summaries($0, policyKey: s.key) }) {
            (s.file, s.walked) = (bytes, walked)
            if writable { DatabaseCache.writeDerived(bytes, named: RulesCache.fileName, paths: paths, fs: fs, stallKey: RulesCache.stallKey) }
        }
        state.withLock { $0 = s }
        return table
    }
}
