import Foundation
import Synchronization
import RapportCore
import RapportText

/// Where the screen's statuses (flags, whose turn) and deadlines come from: a function
/// pair, not the rules themselves. The app uses `.standard` (the rules in RapportCore,
/// the same ones the CLI uses) through rules.cache (`table`); tests may pin the output.
public struct StatusSource: Sendable {
    public var evaluate: @Sendable (Database, Date, Policy) -> [UUID: RecruiterStatus]
    /// Every deadline in display order (sections, then urgency), from statuses already evaluated.
    public var deadlines: @Sendable ([UUID: RecruiterStatus], Date, Policy) -> [Deadline]
    /// The statuses as a `StatusTable`, when the source makes one without building every
    /// status (rules.cache's findings); nil: `evaluate`, then `deadlines`, and the records
    /// say which recruiters are blanket.
    public var table: (@Sendable (Database, Date, Policy) -> StatusTable)?

    public init(evaluate: @escaping @Sendable (Database, Date, Policy) -> [UUID: RecruiterStatus],
                deadlines: @escaping @Sendable ([UUID: RecruiterStatus], Date, Policy) -> [Deadline]) {
        self.evaluate = evaluate
        self.deadlines = deadlines
    }

    /// The rules' statuses as a table (the deadlines in the rules' display order).
    public init(table: @escaping @Sendable (Database, Date, Policy) -> StatusTable) {
        self.table = table
        evaluate = { db, now, policy in
            let t = table(db, now, policy)
            var out: [UUID: RecruiterStatus] = [:]
            for k in t.rows.indices { out[t.rows[k].id] = t.status(row: k) }
            return out
        }
        deadlines = { Rules.deadlines(of: $0, now: $1, policy: $2) }
    }

    public static let standard = StatusSource(
        evaluate: { Rules.evaluate($0, now: $1, policy: $2) },
        deadlines: { Rules.deadlines(of: $0, now: $1, policy: $2) })
}

/// Something drawn over the panes. The top overlay takes the keys.
public enum Overlay: Equatable, Sendable {
    case help(scroll: Int)
    case form(Form)
    case confirm(Confirm)
    case menu(Menu)
    case search(Search)
    /// The inline multi-line editor (when `$EDITOR` is unset or fails).
    case editor(TextField)
    /// A draft reply: spell check, send-time warning, then copy and log.
    case review(Draft)
    /// A question about a draft, answered with one of its keys (Drafts.swift).
    case ask(Question)
}

/// "Delete Dana Smith and 12 messages?" — y applies the change. `detail` says which
/// record it is (firm, e-mail, short id), so two people of one name are told apart.
public struct Confirm: Equatable, Sendable {
    public var question: String
    public var change: Change
    public var label: String
    public var detail: String = ""
}

/// A list to pick from: the flag filter, or the reply template.
public struct Menu: Equatable, Sendable {
    public enum Purpose: Equatable, Sendable {
        case filter
        case template(UUID)
    }

    public var title: String
    public var items: [String]
    public var cursor: Int = 0
    public var purpose: Purpose
}

/// Which recruiters the list shows (`F`): those with a flag, those whose turn it is to
/// hear from the candidate (targeted, a reply owed: the title's "your turn"), the
/// blanket ones (mass mailers), or the declined ones.
public enum RecruiterFilter: Equatable, Sendable {
    case flag(Flag)
    case yourTurn
    case blanket
    case declined

    /// The menu's entries after "all recruiters", in order.
    public static let menu: [RecruiterFilter] = Flag.allCases.map { .flag($0) } + [.yourTurn, .blanket, .declined]

    public func admits(_ r: Recruiter, _ s: RecruiterStatus?) -> Bool {
        admits(s, isBlanket: r.targeting == .blanket, record: { r })
    }

    /// `admits` without the record when the filter does not need it: only `.declined`
    /// reads it (`record`); whether the recruiter is blanket is `isBlanket`.
    func admits(_ s: RecruiterStatus?, isBlanket: Bool, record: () -> Recruiter?) -> Bool {
        switch self {
        case .flag(let f): return s?.flags.contains(f) ?? false
        case .yourTurn:
            return !isBlanket && s?.turn == .mine && (s?.deadlines.contains { $0.kind == .reply } ?? false)
        case .blanket: return isBlanket
        case .declined: return record()?.status == .declined
        }
    }

    /// `admits` from a status's row (`StatusTable.Row`: nothing built).
    func admits(_ row: StatusTable.Row, record: () -> Recruiter?) -> Bool {
        switch self {
        case .flag(let f): return row.has(f)
        case .yourTurn: return !row.blanket && row.turn == .mine && row.owesReply
        case .blanket: return row.blanket
        case .declined: return record()?.status == .declined
        }
    }

    /// "flagged reply-overdue", "your turn", "blanket", "declined": the pane title's words.
    public var name: String {
        switch self {
        case .flag(let f): return "flagged \(f.rawValue)"
        case .yourTurn: return "your turn"
        case .blanket: return "blanket"
        case .declined: return "declined"
        }
    }

    /// The menu entry, without its count.
    var menuLabel: String {
        switch self {
        case .flag(let f): return "\(FlagGlyph.glyph(f)) \(f.rawValue)"
        case .yourTurn: return "your turn (a reply owed)"
        case .blanket: return "blanket (mass mailers)"
        case .declined: return "declined"
        }
    }
}

/// The `/` prompt: the query and where the selection was when it opened.
public struct Search: Equatable, Sendable {
    public var field = TextField()
    public var origin: Int
    public var miss = false
    /// The last query searched, folded (`SearchText`), where it matched in `order` (nil:
    /// nowhere) and the reindex it was searched in: a query that only adds to it cannot
    /// match a recruiter it skipped, so the next search starts at that match.
    var searched: [UInt8] = []
    var found: Int?
    var generation = -1

    public init(field: TextField = TextField(), origin: Int, miss: Bool = false) {
        self.field = field
        self.origin = origin
        self.miss = miss
    }
}

/// A reply being written: its text ("Subject: …", blank line, body), and what the
/// checks said about it.
public struct Draft: Equatable, Sendable {
    public enum Purpose: Equatable, Sendable {
        case reply
        case decline(reason: String?, reengage: Date?)
    }

    public var recruiterID: UUID
    public var purpose: Purpose
    public var text: String
    /// Nil until the spell check has run.
    public var spelling: SpellResult?
    /// The send-time warning for the recruiter's zone, if outside their hours.
    public var sendWarning: String?
    /// The text the draft started from (the filled template, or the draft resumed): a
    /// draft still equal to it has nothing to lose.
    public var original: String
    /// The text last asked to be saved beside the store, nil when none was.
    public var lastSaved: String?
    /// The misspelling selected in the review (`a` adds its word to the dictionary).
    public var spellCursor = 0

    public init(recruiterID: UUID, purpose: Purpose, text: String, spelling: SpellResult? = nil,
                sendWarning: String? = nil, original: String? = nil, lastSaved: String? = nil) {
        self.recruiterID = recruiterID
        self.purpose = purpose
        self.text = text
        self.spelling = spelling
        self.sendWarning = sendWarning
        self.original = original ?? text
        self.lastSaved = lastSaved
    }

    /// The words the spell check flagged, in order.
    public var misspellings: [Misspelling] { spelling?.misspellings ?? [] }

    /// Subject and body parsed from the text.
    public var parts: (subject: String?, body: String) {
        let t = MessageTemplate.parse(name: "draft", text: text, source: .shipped)
        return (t.subject?.isEmpty == true ? nil : t.subject, t.body)
    }

    /// Placeholders still in the text: a draft with any is not sent.
    public var problems: [String] {
        let f = Templates.fill(MessageTemplate(name: "draft", subject: parts.subject, body: parts.body), values: [:])
        return (f.unknown + f.missing).map { "{\($0)} is not filled in" }
    }
}


/// How the recruiter list is sorted (`S` cycles).
public enum SortMode: String, CaseIterable, Sendable {
    case urgency
    case name
    case lastContact = "last contact"
}

/// A one-line message in the status bar (a confirmation or an error).
public struct StatusMessage: Equatable, Sendable {
    public var text: String
    public var isError: Bool
    public init(_ text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}

/// Everything the screen shows, as a value. Changed only by `update`.
public struct AppState: Sendable {
    public private(set) var db: Database
    public var policy: Policy
    public private(set) var now: Date
    public private(set) var width: Int
    public private(set) var height: Int
    public var storePath: String
    public var notices: [String]
    public var readOnly: Bool
    public var rules: StatusSource

    public var focus: Pane = .recruiters
    public var overlays: [Overlay] = []
    public var statusMessage: StatusMessage?

    /// The last `/` query, for n / N.
    public var lastSearch: String?
    /// "Now" is fixed (`RAPPORT_NOW`): the title bar says so, with the year, so a
    /// screen is never read as today's by mistake.
    public var clockIsFixed = false
    /// Only these recruiters are listed (`F`).
    public var filter: RecruiterFilter?
    public var sort: SortMode = .urgency
    /// Reply templates (shipped plus the user's) and `{my_name}`, loaded at start.
    public var templates: [MessageTemplate] = Templates.shipped
    public var myName: String?
    /// The last reply drafted, for `y`.
    public var lastDraft: String?
    /// Drafts in progress kept beside the store, by recruiter (loaded at start, then kept
    /// in step with the saves and removals this session asks for).
    public var savedDrafts: [UUID: SavedDraft] = [:]
    /// The recruiter whose draft was just sent: its saved copy is removed once the store
    /// has the message.
    var sentDraft: UUID?
    /// A recruiter just added: selected when the store's data comes back.
    public var pendingSelection: UUID?

    public var recruiterCursor = 0
    public var recruiterTop = 0
    public var deadlineCursor = 0
    public var deadlineTop = 0
    /// Lines scrolled up from the newest message (0: the newest is at the bottom).
    public var threadScroll = 0
    /// The insight and call-prep views, and the ally-score order (FullViews.swift).
    public internal(set) var full = FullViewState()
    /// The review list of an import, drawn in place of the panes while it is open.
    public var review: ImportReview?
    /// Sync as last read (nil: not set up); `syncRunning` while a sync started here runs
    /// (Sync.swift).
    public var sync: SyncSummary?
    public var syncRunning = false
    public var lastSyncAttempt: Date?
    /// `[sync] autoSyncMinutes`: sync on its own this often (0: only on `Y`).
    public var autoSyncMinutes = 0

    // Indexes, recomputed when the data changes or a minute passes; never per frame.
    /// Every recruiter's status (`StatusTable`: a whole status is built when read).
    public private(set) var statuses = StatusTable.empty
    /// Recruiter ids, most urgent first.
    public private(set) var order: [UUID] = []
    /// Deadlines that are overdue or due within a week, most urgent first (each built when read).
    public private(set) var deadlines = DeadlineList()
    /// True when every deadline's title contains its recruiter's name (the Deadlines
    /// pane then needs no name column).
    public private(set) var deadlineTitlesNameRecruiter = false
    public private(set) var yourTurnCount = 0
    public private(set) var overdueCount = 0
    /// The counts the title bar shows (the same as `rapport due --statusline`).
    public private(set) var counts = Rules.Counts()
    /// How many recruiters there are (listed or not).
    public private(set) var recruiterTotal = 0
    /// Counts the reindexes: what was found in one order is not reused in another.
    public private(set) var generation = 0
    /// The folded text `/` searches, built per recruiter as searches reach it.
    public private(set) var searchIndex = SearchIndex()
    /// The selected recruiter's thread as lines, as last wrapped.
    private var threadLinesCache = ThreadLinesCache()
    private var evaluatedAt: Date

    /// How far ahead the Deadlines pane looks.
    public static let deadlineHorizon: TimeInterval = 7 * 86400

    public init(db: Database, policy: Policy = .default, now: Date, width: Int, height: Int,
                storePath: String = "", notices: [String] = [], readOnly: Bool = false,
                rules: StatusSource = .standard, sort: SortMode = .urgency) {
        self.db = db
        self.policy = policy
        self.now = now
        self.width = width
        self.height = height
        self.storePath = storePath
        self.notices = notices
        self.readOnly = readOnly
        self.rules = rules
        self.sort = sort
        evaluatedAt = now
        reindex()
    }

    public var layout: Layout {
        Layout(width: width, height: height, bannerLines: bannerLines.count)
    }

    /// Lines for the banner: read-only first, then the store's notices.
    public var bannerLines: [String] {
        (readOnly ? ["Read-only: this store cannot be written by this version of Rapport; changes are disabled."] : [])
            + notices
    }

    public var timeZone: TimeZone { policy.resolvedTimeZone }

    public var selectedRecruiterID: UUID? {
        order.indices.contains(recruiterCursor) ? order[recruiterCursor] : nil
    }

    public var selectedDeadline: Deadline? {
        deadlines.indices.contains(deadlineCursor) ? deadlines[deadlineCursor] : nil
    }

    public var isEmpty: Bool { recruiterTotal == 0 }

    /// Whether recruiter `id` is a blanket (mass-mailing) one (from its status's row).
    public func isBlanket(_ id: UUID) -> Bool { statuses.row(of: id).map { statuses.rows[$0].blanket } ?? false }

    /// How many recruiters `filter` admits (counting stops at `atMost`). Reads records
    /// only for a filter that needs them (`declined`).
    func admittedCount(_ filter: RecruiterFilter, atMost: Int = .max) -> Int {
        var n = 0
        for row in statuses.rows where filter.admits(row, record: { db.recruiter(row.id) }) {
            n += 1
            if n >= atMost { break }
        }
        return n
    }

    // MARK: - Changes (called by update)

    mutating func setSize(width w: Int, height h: Int) {
        width = max(0, w)
        height = max(0, h)
    }

    /// New data (after a change or another process's write): indexes are rebuilt and
    /// the selection follows the same recruiter and deadline when they still exist.
    mutating func replaceData(_ newDB: Database) {
        let keepRecruiter = selectedRecruiterID
        let keepDeadline = selectedDeadline.map { (id: $0.id, recruiter: $0.recruiterID) }
        db = newDB
        reindex()
        if let id = keepRecruiter, let i = order.firstIndex(of: id) { recruiterCursor = i }
        if let id = pendingSelection, let i = order.firstIndex(of: id) {
            recruiterCursor = i
            pendingSelection = nil
        }
        if let d = keepDeadline, let i = deadlines.index(of: d.id, recruiter: d.recruiter) { deadlineCursor = i }
        clampCursors()
    }

    /// The clock moved on. Flags and deadlines are re-evaluated once a minute.
    mutating func setNow(_ date: Date) {
        now = date
        if Int(date.timeIntervalSince1970 / 60) != Int(evaluatedAt.timeIntervalSince1970 / 60) {
            replaceData(db)
        }
    }

    /// Re-sorts and re-filters after `F` or `S`, keeping the selection when it is still listed.
    mutating func reorder() {
        let keep = selectedRecruiterID
        reindex()
        if let id = keep, let i = order.firstIndex(of: id) { recruiterCursor = i }
        // A new order: scroll from the top, as far as the selection needs.
        recruiterTop = 0
        clampCursors()
    }

    /// Rebuilds the statuses and the indexes from `db`. Reads no recruiter's record or
    /// thread that the first screen does not show: the names and their sort keys come from
    /// the database's name table (a stored database's names and keys), the statuses from the
    /// `StatusSource` (a `StatusTable`, whose statuses and deadlines are built when read), so
    /// a store opened lazily stays lazy.
    private mutating func reindex() {
        evaluatedAt = now
        generation += 1
        searchIndex = SearchIndex()
        threadLinesCache = ThreadLinesCache()
        // Two threads: the statuses on one, the names and their sort keys (which need no
        // status) on the other; then the list's order on one and the deadlines' on the other.
        let database = db, source = rules, now = self.now, policy = self.policy
        let horizon = now.addingTimeInterval(AppState.deadlineHorizon)
        let (evaluated, names) = inParallel({ () -> (table: StatusTable, whole: [Deadline]?) in
            if let table = source.table { return (table(database, now, policy), nil) }
            let st = source.evaluate(database, now, policy)
            let table = StatusTable(st, isBlanket: { database.recruiter($0)?.targeting == .blanket }, now: now, policy: policy)
            return (table, source.deadlines(st, now, policy).filter { $0.due <= horizon })
        }, { database.recruiterNameTable })
        statuses = evaluated.table
        refreshFullViews()
        recruiterTotal = names.count
        let table = statuses
        let filter = self.filter, sort = self.sort, ally = full.allyOrder ? full.insight?.allyScores : nil
        (order, deadlines) = inParallel({
            AppState.recruiterOrder(names, statuses: table, filter: filter, sort: sort, ally: ally,
                                    isBlanket: { database.recruiter($0)?.targeting == .blanket },
                                    record: { database.recruiter($0) })
        }, { evaluated.whole.map { DeadlineList($0) } ?? table.deadlines(now: now, policy: policy, until: horizon) })
        if let known = table.titlesNameRecruiter {
            deadlineTitlesNameRecruiter = known
        } else if deadlines.isEmpty {
            // Byte for byte: the rules build each title from the name itself.
            deadlineTitlesNameRecruiter = true
        } else {
            var nameOf: [UUID: Int] = [:]
            nameOf.reserveCapacity(names.count)
            for (k, id) in names.ids.enumerated() { nameOf[id] = k }
            deadlineTitlesNameRecruiter = deadlines.allSatisfy { d in
                guard let k = nameOf[d.recruiterID] else { return true }
                return SearchText.containsBytes(d.title, names.names[k])
            }
        }
        counts = table.counts
        yourTurnCount = counts.yourTurn
        overdueCount = counts.overdue
    }

    /// The recruiters listed, in the list's order: those `filter` admits, by ally score
    /// (when given) or by `sort` (urgency: the most urgent first, those whose turn it is
    /// first among equals), then by name (case-insensitive), then by id. The keys are
    /// computed once per recruiter, not per comparison.
    static func recruiterOrder(_ recruiters: [UUID: Recruiter], statuses st: [UUID: RecruiterStatus],
                               filter: RecruiterFilter?, sort: SortMode, ally: [UUID: Int]?) -> [UUID] {
        let isBlanket: (UUID) -> Bool = { recruiters[$0]?.targeting == .blanket }
        return recruiterOrder(NameTable(recruiters.values.map { (id: $0.id, name: $0.name) }),
                              statuses: StatusTable(st, isBlanket: isBlanket, now: Date(timeIntervalSince1970: 0), policy: .default),
                              filter: filter, sort: sort, ally: ally, isBlanket: isBlanket, record: { recruiters[$0] })
    }

    /// `recruiterOrder` over names already lowered (`NameTable`): names compare as bytes,
    /// in the order `String` gives them. Each recruiter's status is its row in
    /// `statuses`; `isBlanket` and `record` serve a recruiter without one (a record is
    /// read only when the filter needs it).
    static func recruiterOrder(_ names: NameTable, statuses st: StatusTable,
                               filter: RecruiterFilter?, sort: SortMode, ally: [UUID: Int]?,
                               isBlanket: (UUID) -> Bool, record: (UUID) -> Recruiter?) -> [UUID] {
        struct Key {
            var id: UUID
            var primary: Double
            var turn: Int
            /// The lowered name's bytes in the table's buffer.
            var start: Int
            var count: Int
        }
        var keyed: [Key] = []
        keyed.reserveCapacity(names.count)
        let rows = st.rows
        // The statuses' rows and the names come in one order when both are from one
        // database (`recruiterDigests`, `recruiterNames`): the row is then found by position.
        let aligned = rows.count == names.count
        for (k, id) in names.ids.enumerated() {
            let r: Int? = aligned && rows[k].id == id ? k : st.row(of: id)
            if let f = filter {
                if let r {
                    if !f.admits(rows[r], record: { record(id) }) { continue }
                } else if !f.admits(nil, isBlanket: isBlanket(id), record: { record(id) }) {
                    continue
                }
            }
            let span = names.spans[k]
            var key = Key(id: id, primary: 0, turn: 0, start: span.start, count: span.count)
            let mine = r.map { rows[$0].turn == .mine } ?? false
            if let ally {
                key.primary = Double(ally[id] ?? 0)
                key.turn = mine ? 0 : 1
            } else {
                switch sort {
                case .urgency:
                    key.primary = r.map { rows[$0].urgency } ?? 0
                    key.turn = mine ? 0 : 1
                case .name: break
                case .lastContact:
                    key.primary = r.flatMap { rows[$0].lastContact }?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
                }
            }
            keyed.append(key)
        }
        names.keys.bytes.withUnsafeBufferPointer { buf in
            let base = buf.baseAddress
            keyed.sort { a, b in
                if a.primary != b.primary { return a.primary > b.primary }
                if a.turn != b.turn { return a.turn < b.turn }
                let n = min(a.count, b.count)
                let c = n == 0 ? 0 : memcmp(base! + a.start, base! + b.start, n)
                if c != 0 { return c < 0 }
                if a.count != b.count { return a.count < b.count }
                return uuidLess(a.id, b.id)  // same order as the strings, without formatting
            }
        }
        return keyed.map(\.id)
    }

    /// `name.lowercased()` as `recruiterOrder` compares it: its bytes (NFC).
    static func lowercasedName(_ name: String) -> [UInt8] {
        NameKeys.key(name)
    }

    /// Recruiter `id`'s flags in words, with why (`Rules.reasons`), from the evaluation
    /// already made: whether another recruiter shares a submission is read from the
    /// statuses, not searched for through every opportunity again.
    public func flagReasons(of id: UUID) -> [FlagReason] {
        Rules.reasons(of: id, in: db, now: now, policy: policy,
                      duplicate: statuses.summary(of: id)?.has(.duplicateSubmission) ?? false)
    }

    mutating func clampCursors() {
        let l = layout
        recruiterCursor = AppState.clamp(recruiterCursor, count: order.count)
        recruiterTop = AppState.scrolled(top: recruiterTop, cursor: recruiterCursor, rows: l.bodyRows(.recruiters), count: order.count)
        deadlineCursor = AppState.clamp(deadlineCursor, count: deadlines.count)
        deadlineTop = AppState.scrolled(top: deadlineTop, cursor: deadlineCursor, rows: l.bodyRows(.deadlines), count: deadlines.count)
        threadScroll = min(max(0, threadScroll), maxThreadScroll)
    }

    static func clamp(_ i: Int, count: Int) -> Int { count == 0 ? 0 : min(max(0, i), count - 1) }

    /// The first visible row so that `cursor` is on screen, moving the view as little
    /// as possible.
    static func scrolled(top: Int, cursor: Int, rows: Int, count: Int) -> Int {
        guard rows > 0, count > 0 else { return 0 }
        var t = top
        if cursor < t { t = cursor }
        if cursor >= t + rows { t = cursor - rows + 1 }
        return max(0, min(t, max(0, count - rows)))
    }

    /// The selected recruiter's thread as display lines at the current width.
    /// Kept for the data, width, recruiter and moment they were made for
    /// (`ThreadLinesCache`): a key that does not change any of those (a pane switch, a
    /// character typed into a search that stays on the recruiter) does not wrap the thread again.
    public var threadLines: [ThreadLine] {
        guard let id = selectedRecruiterID else { return [] }
        let key = ThreadLinesCache.Key(recruiter: id, width: layout.messages.width, now: now, timeZone: timeZone.identifier)
        if let lines = threadLinesCache.lines(for: key) { return lines }
        let lines = ThreadLine.lines(for: db.thread(id), events: ThreadEvent.of(id, in: db, now: now, timeZone: timeZone),
                                     width: layout.messages.width, now: now, timeZone: timeZone)
        threadLinesCache.keep(lines, for: key)
        return lines
    }

    /// Rows under the thread's header naming the selected recruiter's flags (one per
    /// flag, as many as the pane spares: up to 3 from 10 rows, else 1 from 5).
    public var threadFlagRows: Int {
        guard let id = selectedRecruiterID, case let n = statuses.flags(of: id).count, n > 0 else { return 0 }
        let body = layout.bodyRows(.messages)
        return min(n, body >= 10 ? 3 : body >= 5 ? 1 : 0)
    }

    /// Rows under the flag rows for the selected recruiter's open sync conflicts
    /// (Sync.swift), leaving at least one row of the thread.
    public var threadConflictRows: Int {
        min(conflictLines().count, max(0, layout.bodyRows(.messages) - threadFlagRows - 1))
    }

    /// Rows of thread lines in the Messages pane, under the header, the flag rows and
    /// the conflict rows.
    public var threadRows: Int { max(0, layout.bodyRows(.messages) - threadFlagRows - threadConflictRows) }

    /// The message the Messages pane points at: the newest one at least partly in view.
    public var selectedMessageID: UUID? { selectedMessageID(in: threadLines) }

    /// `selectedMessageID` from the thread's lines already built (a frame builds them once).
    func selectedMessageID(in lines: [ThreadLine]) -> UUID? {
        let rows = threadRows
        let scroll = min(threadScroll, max(0, lines.count - rows))
        var i = lines.count - scroll - 1
        while i >= 0 {
            if let id = lines[i].messageID { return id }
            i -= 1
        }
        return nil
    }

    /// Which keys apply now: the top overlay's, else the open view's, else the panes'.
    public var keyMode: KeyMode {
        switch overlays.last {
        case nil:
            if review != nil { return .review }
            switch full.view {
            case .insight: return .insight
            case .callPrep: return .callPrep
            case .week: return .week
            case nil: return .panes
            }
        case .help: return .help
        case .form(let f): return f.focusedKind == .lines ? .formLines : .form
        case .confirm: return .confirm
        case .menu: return .menu
        case .search: return .search
        case .editor: return .editor
        case .review: return .draft
        case .ask: return .ask
        }
    }

    var maxThreadScroll: Int {
        max(0, threadLines.count - threadRows)
    }
}

/// `a()` and `b()` at the same time, `b` on another thread; both results.
func inParallel<A: Sendable, B: Sendable>(_ a: @Sendable () -> A, _ b: @Sendable () -> B) -> (A, B) {
    let ra = ParallelSlot<A>(), rb = ParallelSlot<B>()
    DispatchQueue.concurrentPerform(iterations: 2) { i in
        if i == 0 { ra.put(a()) } else { rb.put(b()) }
    }
    return (ra.take(), rb.take())
}

/// One result of `inParallel`.
private final class ParallelSlot<T: Sendable>: Sendable {
    private let value = Mutex<T?>(nil)
    func put(_ v: T) { value.withLock { $0 = v } }
    func take() -> T { value.withLock { $0! } }
}
