import Foundation
import RapportCore
import RapportTerminal

/// Where flags, whose turn and deadlines come from. The app uses `.standard` (the
/// rules in RapportCore, the same ones the CLI uses); tests may pin the output.
public struct RulesEngine: Sendable {
    public var evaluate: @Sendable (Database, Date, Policy) -> [UUID: RecruiterStatus]
    /// Every deadline, most urgent first, from statuses already evaluated.
    public var deadlines: @Sendable ([UUID: RecruiterStatus]) -> [Deadline]

    public init(evaluate: @escaping @Sendable (Database, Date, Policy) -> [UUID: RecruiterStatus],
                deadlines: @escaping @Sendable ([UUID: RecruiterStatus]) -> [Deadline]) {
        self.evaluate = evaluate
        self.deadlines = deadlines
    }

    public static let standard = RulesEngine(
        evaluate: { Rules.evaluate($0, now: $1, policy: $2) },
        deadlines: { Rules.deadlines(of: $0) })
}

/// Something drawn over the panes. The top overlay takes the keys. (Forms and
/// confirmations join this stack later.)
public enum Overlay: Equatable, Sendable {
    case help(scroll: Int)
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
    public var rules: RulesEngine

    public var focus: Pane = .recruiters
    public var overlays: [Overlay] = []
    public var statusMessage: StatusMessage?

    public var recruiterCursor = 0
    public var recruiterTop = 0
    public var deadlineCursor = 0
    public var deadlineTop = 0
    /// Lines scrolled up from the newest message (0: the newest is at the bottom).
    public var threadScroll = 0
    /// The insight and call-prep views, and the ally-score order (FullViews.swift).
    public internal(set) var full = FullViewState()

    // Indexes, recomputed when the data changes or a minute passes; never per frame.
    public private(set) var statuses: [UUID: RecruiterStatus] = [:]
    /// Recruiter ids, most urgent first.
    public private(set) var order: [UUID] = []
    /// Deadlines that are overdue or due within a week, most urgent first.
    public private(set) var deadlines: [Deadline] = []
    /// True when every deadline's title contains its recruiter's name (the Deadlines
    /// pane then needs no name column).
    public private(set) var deadlineTitlesNameRecruiter = false
    public private(set) var yourTurnCount = 0
    public private(set) var overdueCount = 0
    private var evaluatedAt: Date

    /// How far ahead the Deadlines pane looks.
    public static let deadlineHorizon: TimeInterval = 7 * 86400

    public init(db: Database, policy: Policy = .default, now: Date, width: Int, height: Int,
                storePath: String = "", notices: [String] = [], readOnly: Bool = false,
                rules: RulesEngine = .standard) {
        self.db = db
        self.policy = policy
        self.now = now
        self.width = width
        self.height = height
        self.storePath = storePath
        self.notices = notices
        self.readOnly = readOnly
        self.rules = rules
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

    public var timeZone: TimeZone { TimeZone(identifier: policy.timeZone) ?? TimeZone(identifier: "UTC")! }

    public var selectedRecruiterID: UUID? {
        order.indices.contains(recruiterCursor) ? order[recruiterCursor] : nil
    }

    public var selectedDeadline: Deadline? {
        deadlines.indices.contains(deadlineCursor) ? deadlines[deadlineCursor] : nil
    }

    public var isEmpty: Bool { db.recruiters.isEmpty }

    // MARK: - Changes (called by update)

    mutating func setSize(width w: Int, height h: Int) {
        width = max(0, w)
        height = max(0, h)
    }

    /// New data (after a change or another process's write): indexes are rebuilt and
    /// the selection follows the same recruiter and deadline when they still exist.
    mutating func replaceData(_ newDB: Database) {
        let keepRecruiter = selectedRecruiterID
        let keepDeadline = selectedDeadline?.id
        db = newDB
        reindex()
        if let id = keepRecruiter, let i = order.firstIndex(of: id) { recruiterCursor = i }
        if let id = keepDeadline, let i = deadlines.firstIndex(where: { $0.id == id }) { deadlineCursor = i }
        clampCursors()
    }

    /// The clock moved on. Flags and deadlines are re-evaluated once a minute.
    mutating func setNow(_ date: Date) {
        now = date
        if Int(date.timeIntervalSince1970 / 60) != Int(evaluatedAt.timeIntervalSince1970 / 60) {
            replaceData(db)
        }
    }

    private mutating func reindex() {
        evaluatedAt = now
        statuses = rules.evaluate(db, now, policy)
        refreshFullViews()
        let recruiters = db.recruiters
        let st = statuses
        let ally = full.allyOrder ? full.insight?.allyScores : nil
        // Sort keys computed once per recruiter, not per comparison.
        let keyed: [(UUID, Double, Int, String)] = recruiters.values.map { r in
            let s = st[r.id]
            return (r.id, ally.map { Double($0[r.id] ?? 0) } ?? s?.urgency ?? 0, s?.turn == .mine ? 0 : 1, r.name.lowercased())
        }
        order = keyed.sorted { a, b in
            if a.1 != b.1 { return a.1 > b.1 }
            if a.2 != b.2 { return a.2 < b.2 }
            if a.3 != b.3 { return a.3 < b.3 }
            return a.0.uuidString < b.0.uuidString
        }.map(\.0)
        let horizon = now.addingTimeInterval(AppState.deadlineHorizon)
        deadlines = rules.deadlines(st).filter { $0.due <= horizon }
        deadlineTitlesNameRecruiter = deadlines.allSatisfy { d in
            recruiters[d.recruiterID].map { d.title.contains($0.name) } ?? true
        }
        yourTurnCount = st.values.reduce(0) { $0 + ($1.turn == .mine ? 1 : 0) }
        overdueCount = deadlines.reduce(0) { $0 + ($1.due < now ? 1 : 0) }
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
    public var threadLines: [ThreadLine] {
        guard let id = selectedRecruiterID else { return [] }
        return ThreadLine.lines(for: db.thread(id), width: layout.messages.width, now: now, timeZone: timeZone)
    }

    var maxThreadScroll: Int {
        max(0, threadLines.count - layout.bodyRows(.messages))
    }
}
