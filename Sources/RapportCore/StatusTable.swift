import Foundation
import Synchronization

private let UUID_NULL: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

/// Every recruiter's status at one moment, as the interface keeps them. Per recruiter (a
/// row) the parts that the list, its order, its filters and the counts read: urgency,
/// whose turn, last contact, flags, blanket, whether a reply is owed. Per deadline its
/// sort keys. A whole `RecruiterStatus` or `Deadline` (titles, ids, open messages) is
/// built only when asked for: a row in view, the selected deadline. Built from stored
/// findings (`rules.cache`), nothing per recruiter is allocated.
public struct StatusTable: Sendable {
    public struct Row: Sendable, Equatable {
        public var id: UUID
        public var urgency: Double
        public var turn: Turn
        public var lastContact: Date?
        public var flagBits: UInt32
        public var blanket: Bool
        /// One of its deadlines is a reply (the candidate owes one).
        public var owesReply: Bool
        /// Its deadlines in `deadlineKeys`.
        public var deadlines: Range<Int>

        public init(id: UUID, urgency: Double, turn: Turn, lastContact: Date?, flagBits: UInt32, blanket: Bool,
                    owesReply: Bool, deadlines: Range<Int>) {
            self.id = id
            self.urgency = urgency
            self.turn = turn
            self.lastContact = lastContact
            self.flagBits = flagBits
            self.blanket = blanket
            self.owesReply = owesReply
            self.deadlines = deadlines
        }

        public func has(_ flag: Flag) -> Bool { FlagSet(bits: flagBits).contains(flag) }
    }

    /// One deadline: its recruiter's row, its position among that recruiter's findings
    /// (`RuleFindings.deadlines`), and what it is sorted by.
    public struct DeadlineKey: Sendable, Equatable {
        public var row: Int32
        public var index: Int32
        public var kind: DeadlineKind
        public var due: Date
        public var urgency: Double

        public init(row: Int, index: Int, kind: DeadlineKind, due: Date, urgency: Double) {
            self.row = Int32(row)
            self.index = Int32(index)
            self.kind = kind
            self.due = due
            self.urgency = urgency
        }
    }

    public let rows: [Row]
    public let deadlineKeys: [DeadlineKey]
    public let counts: Rules.Counts
    /// Whether every deadline's title names its recruiter (the rules' titles always do);
    /// nil when not known without building every title.
    public let titlesNameRecruiter: Bool?
    /// The findings of the recruiter at a row (urgencies 0, deadlines in the order found),
    /// or its status already whole.
    private let detail: @Sendable (Int) -> Detail
    /// A deadline's id alone (what breaks a tie in the display order), and the start of
    /// its bytes (compared first).
    private let deadlineID: @Sendable (DeadlineKey) -> String
    private let deadlineIDPrefix: @Sendable (DeadlineKey) -> IDPrefix
    /// `rows[0..<sortedPrefix]` ascend by id (`uuidLess`): found by bisection.
    private let sortedPrefix: Int
    /// The rows after the sorted ones, by id.
    private let others: [UUID: Int]
    /// The statuses were given whole (their flags in the order given).
    private var whole = false

    public enum Detail: Sendable {
        case findings(RuleFindings)
        case status(RecruiterStatus)
    }

    /// A table of `rows` (with `deadlineKeys`, each row's range in it) whose whole
    /// statuses are built from `detail`; `deadlineID` reads one deadline's id, and
    /// `deadlineIDPrefix` the start of its bytes (nil: from `detail`, from the id).
    public init(rows: [Row], deadlineKeys: [DeadlineKey], counts: Rules.Counts, titlesNameRecruiter: Bool?,
                detail: @escaping @Sendable (Int) -> Detail, deadlineID: (@Sendable (DeadlineKey) -> String)? = nil,
                deadlineIDPrefix: (@Sendable (DeadlineKey) -> IDPrefix)? = nil) {
        self.rows = rows
        self.deadlineKeys = deadlineKeys
        self.counts = counts
        self.titlesNameRecruiter = titlesNameRecruiter
        self.detail = detail
        self.deadlineID = deadlineID ?? { key in
            switch detail(Int(key.row)) {
            case .status(let s): return s.deadlines[Int(key.index)].id
            case .findings(let f): return f.deadlines[Int(key.index)].id
            }
        }
        let id = self.deadlineID
        self.deadlineIDPrefix = deadlineIDPrefix ?? { IDPrefix(id($0)) }
        var prefix = rows.isEmpty ? 0 : 1
        while prefix < rows.count, uuidLess(rows[prefix - 1].id, rows[prefix].id) { prefix += 1 }
        sortedPrefix = prefix
        var others: [UUID: Int] = [:]
        if prefix < rows.count {
            others.reserveCapacity(rows.count - prefix)
            for k in prefix..<rows.count { others[rows[k].id] = k }
        }
        self.others = others
    }

    /// Statuses already whole (the rules run over a whole database, or a test's pinned
    /// rules): `isBlanket` tells the blanket recruiters apart.
    public init(_ statuses: [UUID: RecruiterStatus], isBlanket: (UUID) -> Bool, now: Date, policy: Policy) {
        let ids = statuses.keys.sorted(by: uuidLess)
        var rows: [Row] = []
        rows.reserveCapacity(ids.count)
        var keys: [DeadlineKey] = []
        for (k, id) in ids.enumerated() {
            let s = statuses[id]!
            let first = keys.count
            for (i, d) in s.deadlines.enumerated() {
                keys.append(DeadlineKey(row: k, index: i, kind: d.kind, due: d.due, urgency: d.urgency))
            }
            var bits: UInt32 = 0
            for f in s.flags { bits |= 1 << UInt32(FlagSet.index(f)) }
            rows.append(Row(id: id, urgency: s.urgency, turn: s.turn, lastContact: s.lastContact, flagBits: bits,
                            blanket: isBlanket(id), owesReply: s.deadlines.contains { $0.kind == .reply },
                            deadlines: first..<keys.count))
        }
        self.init(rows: rows, deadlineKeys: keys, counts: Rules.counts(statuses, isBlanket: isBlanket, now: now, policy: policy),
                  titlesNameRecruiter: nil, detail: { .status(statuses[ids[$0]]!) })
        whole = true
    }

    public var count: Int { rows.count }

    /// No recruiters.
    public static let empty = StatusTable(rows: [], deadlineKeys: [], counts: Rules.Counts(), titlesNameRecruiter: nil,
                                          detail: { _ in .status(RecruiterStatus(recruiterID: UUID(uuid: UUID_NULL))) })

    /// The row of recruiter `id`.
    public func row(of id: UUID) -> Int? {
        var lo = 0, hi = sortedPrefix
        while lo < hi {
            let mid = (lo + hi) / 2
            if uuidLess(rows[mid].id, id) { lo = mid + 1 } else { hi = mid }
        }
        if lo < sortedPrefix, rows[lo].id == id { return lo }
        return others[id]
    }

    /// Recruiter `id`'s row (nothing built).
    public func summary(of id: UUID) -> Row? { row(of: id).map { rows[$0] } }

    /// Recruiter `id`'s flags, most important first (nothing built).
    public func flags(of id: UUID) -> [Flag] {
        guard let k = row(of: id) else { return [] }
        if whole, case .status(let s) = detail(k) { return s.flags }
        return FlagSet(bits: rows[k].flagBits).sorted
    }

    /// Recruiter `id`'s whole status (built now).
    public subscript(id: UUID) -> RecruiterStatus? {
        row(of: id).map { status(row: $0) }
    }

    /// The whole status of the recruiter at row `k`: its findings with the urgencies of
    /// its row and deadline keys, as `Rules.Scorer` makes it.
    public func status(row k: Int) -> RecruiterStatus {
        switch detail(k) {
        case .status(let s): return s
        case .findings(let f):
            let row = rows[k]
            var st = RecruiterStatus(recruiterID: f.recruiterID, flags: FlagSet(bits: f.flagBits).sorted, turn: f.turn,
                                     lastContact: f.lastContact, urgency: row.urgency, openMessageIDs: f.openMessageIDs)
            var scored = f.deadlines
            for key in deadlineKeys[row.deadlines] where Int(key.index) < scored.count { scored[Int(key.index)].urgency = key.urgency }
            if scored.count > 1 { scored.sort(by: Rules.moreUrgent) }
            st.deadlines = scored
            return st
        }
    }

    /// The deadline `key` whole, with its urgency.
    public func deadline(_ key: DeadlineKey) -> Deadline {
        switch detail(Int(key.row)) {
        case .status(let s): return s.deadlines[Int(key.index)]
        case .findings(let f):
            // A row's findings hold its keys' deadlines (the same entry); should they not,
            // the key alone says what it can.
            guard Int(key.index) < f.deadlines.count else {
                return Deadline(id: "", kind: key.kind, recruiterID: rows[Int(key.row)].id, due: key.due, title: "",
                                urgency: key.urgency)
            }
            var d = f.deadlines[Int(key.index)]
            d.urgency = key.urgency
            return d
        }
    }

    /// `d` as an unsigned number in the same order (0 and -0 alike; the rules' scores and
    /// times are finite).
    @inline(__always) static func orderable(_ d: Double) -> UInt64 {
        let bits = (d == 0 ? 0.0 : d).bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// The deadlines due at or before `until`, in display order (`Rules.displayOrder`:
    /// section, then urgency, then due time, then id; ids are built only to break a tie).
    public func deadlines(now: Date, policy: Policy, until: Date) -> DeadlineList {
        let sections = Rules.Sections(now: now, policy: policy)
        /// Section, urgency (descending) and due time as numbers that order as the values
        /// do (`orderable`), so the sort compares integers.
        struct Key {
            var section: UInt64
            var urgency: UInt64
            var due: UInt64
            var index: Int
            func same(_ o: Key) -> Bool { section == o.section && urgency == o.urgency && due == o.due }
        }
        var keys: [Key] = []
        keys.reserveCapacity(deadlineKeys.count)
        for (i, d) in deadlineKeys.enumerated() where d.due <= until {
            keys.append(Key(section: UInt64(sections.section(due: d.due).rank), urgency: ~StatusTable.orderable(d.urgency),
                            due: StatusTable.orderable(d.due.timeIntervalSinceReferenceDate), index: i))
        }
        keys.sort { a, b in
            if a.section != b.section { return a.section < b.section }
            if a.urgency != b.urgency { return a.urgency < b.urgency }
            return a.due < b.due
        }
        // Deadlines equal in all three (common: round due times, equal weights) are
        // ordered by id when one of them is first read (`DeadlineList`), not here.
        var runs: [Range<Int>] = []
        var start = 0
        while start < keys.count {
            var end = start + 1
            while end < keys.count, keys[end].same(keys[start]) { end += 1 }
            if end - start > 1 { runs.append(start..<end) }
            start = end
        }
        return DeadlineList(keys: keys.map(\.index), ties: runs, table: self)
    }

    /// The order by id of the deadlines at `positions` of `deadlineKeys` (deadlines that
    /// tie on everything else): ids compared by their first bytes, built whole only when
    /// those do not decide.
    func idOrder(_ positions: [Int]) -> [Int] {
        let prefixes = positions.map { deadlineIDPrefix(deadlineKeys[$0]) }
        return positions.indices.sorted { a, b in
            var c = IDPrefix.compare(prefixes[a], prefixes[b])
            if c == nil {
                let x = deadlineID(deadlineKeys[positions[a]]), y = deadlineID(deadlineKeys[positions[b]])
                c = x < y ? -1 : x == y ? 0 : 1
            }
            return c! != 0 ? c! < 0 : positions[a] < positions[b]
        }.map { positions[$0] }
    }
}

/// The first 32 bytes of a deadline's id as four big-endian words (zero-padded): two ASCII
/// ids (the rules' own always are) compare as their words, then, when both fit, as their
/// lengths — exactly as `String`'s `<` orders them — without building either string.
public struct IDPrefix: Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var count = 0
    var ascii = true

    /// From an id's UTF-8 bytes.
    public init(_ bytes: UnsafeRawBufferPointer) {
        count = bytes.count
        var high: UInt64 = 0
        var k = 0
        while k + 8 <= bytes.count {
            high |= bytes.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            k += 8
        }
        while k < bytes.count {
            high |= UInt64(bytes[k])
            k += 1
        }
        ascii = high & 0x8080_8080_8080_8080 == 0
        func word(_ k: Int) -> UInt64 {
            if 8 * k + 8 <= bytes.count { return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)) }
            var w: UInt64 = 0
            for i in 0..<8 {
                let at = 8 * k + i
                w = w << 8 | (at < bytes.count ? UInt64(bytes[at]) : 0)
            }
            return w
        }
        words = (word(0), word(1), word(2), word(3))
    }

    public init(_ id: String) {
        var id = id
        self = id.withUTF8 { IDPrefix(UnsafeRawBufferPointer($0)) }
    }

    /// -1, 0 or 1 as `a` orders before, as or after `b`; nil when the prefixes do not
    /// decide (a non-ASCII id, or equal first 32 bytes of a longer one).
    static func compare(_ a: IDPrefix, _ b: IDPrefix) -> Int? {
        guard a.ascii && b.ascii else { return nil }
        if a.words.0 != b.words.0 { return a.words.0 < b.words.0 ? -1 : 1 }
        if a.words.1 != b.words.1 { return a.words.1 < b.words.1 ? -1 : 1 }
        if a.words.2 != b.words.2 { return a.words.2 < b.words.2 ? -1 : 1 }
        if a.words.3 != b.words.3 { return a.words.3 < b.words.3 ? -1 : 1 }
        guard a.count <= 32 && b.count <= 32 else { return nil }
        return a.count == b.count ? 0 : a.count < b.count ? -1 : 1
    }
}

/// The deadlines the interface lists: given whole, or as keys of a `StatusTable` whose
/// deadlines are built when read.
public struct DeadlineList: RandomAccessCollection, Sendable, Equatable {
    private enum Storage: Sendable {
        case whole([Deadline])
        case keyed(Keyed)
    }
    private let storage: Storage

    /// A table's deadlines in display order but for runs that tie on section, urgency and
    /// due time: each run is put in id order when a deadline in it is first read (and
    /// kept), so a first screen orders only the runs it shows.
    final class Keyed: Sendable {
        /// Positions in `table.deadlineKeys`, in display order but within the runs.
        let order: [Int]
        /// The runs (positions in `order`), ascending.
        let ties: [Range<Int>]
        let table: StatusTable
        /// Each run already ordered: its first position → the table positions in id order.
        private let resolved = Mutex<[Int: [Int]]>([:])

        init(order: [Int], ties: [Range<Int>], table: StatusTable) {
            self.order = order
            self.ties = ties
            self.table = table
        }

        /// The position in `table.deadlineKeys` of the deadline shown at `i`.
        func position(_ i: Int) -> Int {
            var lo = 0, hi = ties.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if ties[mid].upperBound <= i { lo = mid + 1 } else { hi = mid }
            }
            guard lo < ties.count, ties[lo].contains(i) else { return order[i] }
            let run = ties[lo]
            let ordered = resolved.withLock { done -> [Int] in
                if let known = done[run.lowerBound] { return known }
                let sorted = table.idOrder(Array(order[run]))
                done[run.lowerBound] = sorted
                return sorted
            }
            return ordered[i - run.lowerBound]
        }

        func key(_ i: Int) -> StatusTable.DeadlineKey { table.deadlineKeys[position(i)] }

        /// The deadlines built so far, by display index: a frame draws the same rows again.
        private let built = Mutex<[Int: Deadline]>([:])

        /// The deadline shown at `i`, built once.
        func deadline(_ i: Int) -> Deadline {
            if let d = built.withLock({ $0[i] }) { return d }
            let d = table.deadline(key(i))
            built.withLock { $0[i] = d }
            return d
        }

        /// The first display index whose deadline passes `test` (given its table
        /// position): runs are ordered only where one holds a match.
        func first(where test: (Int) -> Bool) -> Int? {
            var k = 0
            var i = 0
            while i < order.count {
                if k < ties.count, ties[k].lowerBound == i {
                    let run = ties[k]
                    k += 1
                    if order[run].contains(where: test) {
                        return run.first { test(position($0)) }
                    }
                    i = run.upperBound
                    continue
                }
                if test(order[i]) { return i }
                i += 1
            }
            return nil
        }
    }

    public init(_ deadlines: [Deadline] = []) { storage = .whole(deadlines) }

    init(keys: [Int], ties: [Range<Int>], table: StatusTable) {
        storage = .keyed(Keyed(order: keys, ties: ties, table: table))
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .whole(let a): return a.count
        case .keyed(let k): return k.order.count
        }
    }

    public subscript(i: Int) -> Deadline {
        switch storage {
        case .whole(let a): return a[i]
        case .keyed(let k): return k.deadline(i)
        }
    }

    /// The recruiter of the deadline at `i` (nothing built).
    public func recruiterID(at i: Int) -> UUID {
        switch storage {
        case .whole(let a): return a[i].recruiterID
        case .keyed(let k): return k.table.rows[Int(k.key(i).row)].id
        }
    }

    /// The kind of the deadline at `i` (nothing built).
    public func kind(at i: Int) -> DeadlineKind {
        switch storage {
        case .whole(let a): return a[i].kind
        case .keyed(let k): return k.key(i).kind
        }
    }

    /// Where the deadline `id` of recruiter `recruiter` is: only that recruiter's
    /// deadlines are built to compare ids.
    public func index(of id: String, recruiter: UUID) -> Int? {
        switch storage {
        case .whole(let a): return a.firstIndex { $0.recruiterID == recruiter && $0.id == id }
        case .keyed(let k):
            return k.first { p in
                let key = k.table.deadlineKeys[p]
                return k.table.rows[Int(key.row)].id == recruiter && k.table.deadline(key).id == id
            }
        }
    }

    /// The first deadline of recruiter `recruiter`.
    public func firstIndex(ofRecruiter recruiter: UUID) -> Int? {
        switch storage {
        case .whole(let a): return a.firstIndex { $0.recruiterID == recruiter }
        case .keyed(let k): return k.first { k.table.rows[Int(k.table.deadlineKeys[$0].row)].id == recruiter }
        }
    }

    public static func == (a: DeadlineList, b: DeadlineList) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
    }
}
