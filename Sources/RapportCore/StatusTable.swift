import Foundation

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
    /// A deadline's id alone (what breaks a tie in the display order).
    private let deadlineID: @Sendable (DeadlineKey) -> String
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
    /// statuses are built from `detail`; `deadlineID` reads one deadline's id (nil:
    /// from `detail`).
    public init(rows: [Row], deadlineKeys: [DeadlineKey], counts: Rules.Counts, titlesNameRecruiter: Bool?,
                detail: @escaping @Sendable (Int) -> Detail, deadlineID: (@Sendable (DeadlineKey) -> String)? = nil) {
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
            for key in deadlineKeys[row.deadlines] { scored[Int(key.index)].urgency = key.urgency }
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
            var d = f.deadlines[Int(key.index)]
            d.urgency = key.urgency
            return d
        }
    }

    /// -1, 0 or 1 as `a`'s UTF-8 bytes come before, equal or after `b`'s.
    static func compareBytes(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                let n = min(pa.count, pb.count)
                if n > 0, let x = pa.baseAddress, let y = pb.baseAddress {
                    let c = memcmp(x, y, n)
                    if c != 0 { return c < 0 ? -1 : 1 }
                }
                return pa.count == pb.count ? 0 : pa.count < pb.count ? -1 : 1
            }
        }
    }

    /// The deadlines due at or before `until`, in display order (`Rules.displayOrder`:
    /// section, then urgency, then due time, then id; ids are built only to break a tie).
    public func deadlines(now: Date, policy: Policy, until: Date) -> DeadlineList {
        let sections = Rules.Sections(now: now, policy: policy)
        struct Key {
            var section: Int
            var urgency: Double
            var due: Double
            var index: Int
        }
        var keys: [Key] = []
        keys.reserveCapacity(deadlineKeys.count)
        for (i, d) in deadlineKeys.enumerated() where d.due <= until {
            keys.append(Key(section: sections.section(due: d.due).rank, urgency: d.urgency,
                            due: d.due.timeIntervalSinceReferenceDate, index: i))
        }
        keys.sort { a, b in
            if a.section != b.section { return a.section < b.section }
            if a.urgency != b.urgency { return a.urgency > b.urgency }
            return a.due < b.due
        }
        // Deadlines equal in all three (common: round due times, equal weights) by id,
        // each id read once.
        var start = 0
        while start < keys.count {
            var end = start + 1
            while end < keys.count, keys[end].section == keys[start].section, keys[end].urgency == keys[start].urgency,
                  keys[end].due == keys[start].due { end += 1 }
            if end - start > 1 {
                var run: [(key: Key, id: String, ascii: Bool)] = []
                run.reserveCapacity(end - start)
                for key in keys[start..<end] {
                    let id = deadlineID(deadlineKeys[key.index])
                    run.append((key, id, id.utf8.allSatisfy { $0 < 0x80 }))
                }
                run.sort { a, b in
                    // ASCII ids (the rules' own) compare as bytes: the same order as `<`.
                    let c = a.ascii && b.ascii ? StatusTable.compareBytes(a.id, b.id) : (a.id < b.id ? -1 : a.id == b.id ? 0 : 1)
                    return c != 0 ? c < 0 : a.key.index < b.key.index
                }
                for k in run.indices { keys[start + k] = run[k].key }
            }
            start = end
        }
        return DeadlineList(keys: keys.map { deadlineKeys[$0.index] }, table: self)
    }
}

/// The deadlines the interface lists: given whole, or as keys of a `StatusTable` whose
/// deadlines are built when read.
public struct DeadlineList: RandomAccessCollection, Sendable, Equatable {
    private enum Storage: Sendable {
        case whole([Deadline])
        case keyed([StatusTable.DeadlineKey], StatusTable)
    }
    private let storage: Storage

    public init(_ deadlines: [Deadline] = []) { storage = .whole(deadlines) }

    init(keys: [StatusTable.DeadlineKey], table: StatusTable) { storage = .keyed(keys, table) }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .whole(let a): return a.count
        case .keyed(let k, _): return k.count
        }
    }

    public subscript(i: Int) -> Deadline {
        switch storage {
        case .whole(let a): return a[i]
        case .keyed(let k, let t): return t.deadline(k[i])
        }
    }

    /// The recruiter of the deadline at `i` (nothing built).
    public func recruiterID(at i: Int) -> UUID {
        switch storage {
        case .whole(let a): return a[i].recruiterID
        case .keyed(let k, let t): return t.rows[Int(k[i].row)].id
        }
    }

    /// The kind of the deadline at `i` (nothing built).
    public func kind(at i: Int) -> DeadlineKind {
        switch storage {
        case .whole(let a): return a[i].kind
        case .keyed(let k, _): return k[i].kind
        }
    }

    /// Where the deadline `id` of recruiter `recruiter` is: only that recruiter's
    /// deadlines are built to compare ids.
    public func index(of id: String, recruiter: UUID) -> Int? {
        indices.first { recruiterID(at: $0) == recruiter && self[$0].id == id }
    }

    public static func == (a: DeadlineList, b: DeadlineList) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
    }
}
