import Foundation

/// Every number the rules use. Defaults are documented in docs/rules.md, with the field
/// names; config.toml sets them (RapportConfig). Decoding JSON keeps the default of every key it does not mention.
public struct Policy: Codable, Sendable, Equatable {
    /// The candidate's IANA time zone (business hours are counted in it). Unknown → UTC.
    public var timeZone: String
    public var businessDayStartHour: Int = 9
    public var businessDayEndHour: Int = 18
    /// ISO weekdays that are business days: 1 = Monday … 7 = Sunday.
    public var businessWeekdays: [Int] = [1, 2, 3, 4, 5]

    /// Reply window for email, LinkedIn and other channels, in business days.
    public var replyBusinessDays: Double = 1
    /// Reply window for the quick channels (`quickChannels`), in business hours.
    public var quickReplyBusinessHours: Double = 4
    public var quickChannels: [Channel] = [.phone, .text]

    /// `non-responsive-risk`: this many consecutive open inbound messages …
    public var riskOpenCount: Int = 2
    /// … or the oldest open one older than this many business days.
    public var riskOpenBusinessDays: Double = 2
    /// `non-responsive`: this many consecutive open inbound messages …
    public var nonResponsiveOpenCount: Int = 3
    /// … or the oldest open one older than this many calendar days.
    public var nonResponsiveOpenDays: Int = 7

    /// `thank-you-due`: a thank-you is owed within this many business days of an interview's end.
    public var thankYouBusinessDays: Double = 1
    /// `awaiting-them`: the candidate wrote last at least this many business days ago.
    public var awaitingBusinessDays: Double = 5
    /// `cold`: this many unanswered check-ins (outbound after the first unanswered one).
    public var coldAfterCheckIns: Int = 2
    /// An expectation is kept by any inbound message from this many hours before its time on.
    public var expectationEarlyHours: Double = 24
    /// An `ally`'s gentle cadence: a keep-in-touch check-in falls due this many calendar
    /// days after the last message either way (when no reply is owed); allies never go `cold`.
    public var allyCheckInDays: Int = 30

    public var urgency: UrgencyWeights = .default

    public init(timeZone: String = "UTC") { self.timeZone = timeZone }

    public static let `default` = Policy()

    /// The zone named by `timeZone`, or UTC when the name is unknown.
    public var resolvedTimeZone: TimeZone {
        TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0)!
    }

    private enum CodingKeys: String, CodingKey {
        case timeZone, businessDayStartHour, businessDayEndHour, businessWeekdays
        case replyBusinessDays, quickReplyBusinessHours, quickChannels
        case riskOpenCount, riskOpenBusinessDays, nonResponsiveOpenCount, nonResponsiveOpenDays
        case thankYouBusinessDays, awaitingBusinessDays, coldAfterCheckIns, expectationEarlyHours
        case allyCheckInDays, urgency
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var p = Policy(timeZone: try c.decodeIfPresent(String.self, forKey: .timeZone) ?? "UTC")
        func v<T: Decodable>(_ key: CodingKeys, _ slot: inout T) throws {
            if let value = try c.decodeIfPresent(T.self, forKey: key) { slot = value }
        }
        try v(.businessDayStartHour, &p.businessDayStartHour)
        try v(.businessDayEndHour, &p.businessDayEndHour)
        try v(.businessWeekdays, &p.businessWeekdays)
        try v(.replyBusinessDays, &p.replyBusinessDays)
        try v(.quickReplyBusinessHours, &p.quickReplyBusinessHours)
        try v(.quickChannels, &p.quickChannels)
        try v(.riskOpenCount, &p.riskOpenCount)
        try v(.riskOpenBusinessDays, &p.riskOpenBusinessDays)
        try v(.nonResponsiveOpenCount, &p.nonResponsiveOpenCount)
        try v(.nonResponsiveOpenDays, &p.nonResponsiveOpenDays)
        try v(.thankYouBusinessDays, &p.thankYouBusinessDays)
        try v(.awaitingBusinessDays, &p.awaitingBusinessDays)
        try v(.coldAfterCheckIns, &p.coldAfterCheckIns)
        try v(.expectationEarlyHours, &p.expectationEarlyHours)
        try v(.allyCheckInDays, &p.allyCheckInDays)
        try v(.urgency, &p.urgency)
        self = p
    }
}

/// The rules: whose turn it is, what is due, which flags are up. Pure; `now` is a parameter.
/// Every rule, its default and its policy field are described in docs/rules.md.
public enum Rules {
    /// The status of one recruiter at `now`. Messages dated after `now` are ignored.
    /// `duplicate` says whether another recruiter shares a submission with this one (the
    /// `duplicate-submission` flag) when the caller knows it from an evaluation of
    /// everyone; nil asks the database (its submission index, no scan of everyone).
    public static func status(of recruiterID: UUID, in db: Database, now: Date, policy: Policy,
                              duplicate: Bool? = nil) -> RecruiterStatus {
        guard let recruiter = db.recruiter(recruiterID) else { return RecruiterStatus(recruiterID: recruiterID) }
        let engine = RuleEngine(policy: policy, now: now)
        return engine.status(
            of: recruiter, thread: db.thread(recruiterID), opportunities: db.opportunities(of: recruiterID),
            followUps: db.followUps(of: recruiterID), expectations: db.expectations(of: recruiterID),
            duplicate: duplicate ?? db.hasDuplicateSubmission(recruiterID)
        )
    }

    /// Status of every recruiter. Groups opportunities, follow-ups and expectations and
    /// builds the duplicate-submission index once, then costs O(thread tail) per recruiter.
    public static func evaluate(_ db: Database, now: Date, policy: Policy) -> [UUID: RecruiterStatus] {
        evaluate(db, engine: RuleEngine(policy: policy, now: now))
    }

    static func evaluate(_ db: Database, engine: RuleEngine) -> [UUID: RecruiterStatus] {
        let opportunities = Dictionary(grouping: db.opportunities.values, by: \.recruiterID)
        let followUps = Dictionary(grouping: db.followUps.values, by: \.recruiterID)
        let expectations = Dictionary(grouping: db.expectations.values, by: \.recruiterID)
        let duplicates = duplicateSubmissions(in: db.opportunities.values, among: nil)
        var out: [UUID: RecruiterStatus] = [:]
        out.reserveCapacity(db.recruiters.count)
        for (id, recruiter) in db.recruiters {
            out[id] = engine.status(
                of: recruiter, thread: db.thread(id), opportunities: opportunities[id] ?? [],
                followUps: followUps[id] ?? [], expectations: expectations[id] ?? [],
                duplicate: duplicates.contains(id)
            )
        }
        return out
    }

    /// Every deadline across all recruiters in display order: by section (overdue, today,
    /// this week, later), most urgent first within a section (see `displayOrder`).
    public static func deadlines(in db: Database, now: Date, policy: Policy) -> [Deadline] {
        deadlines(of: evaluate(db, now: now, policy: policy), now: now, policy: policy)
    }

    /// The deadlines of statuses already evaluated, in display order: a caller that needs
    /// both the statuses and the deadlines (the status line) evaluates once.
    public static func deadlines(of statuses: [UUID: RecruiterStatus], now: Date, policy: Policy) -> [Deadline] {
        var all: [Deadline] = []
        all.reserveCapacity(statuses.values.reduce(0) { $0 + $1.deadlines.count })
        for s in statuses.values { all.append(contentsOf: s.deadlines) }
        return displayOrder(all, sections: Sections(now: now, policy: policy))
    }

    /// `deadlines` by section, then `moreUrgent`. The keys (section, urgency, due) are
    /// computed once per deadline and positions are sorted, not the deadlines themselves;
    /// the ids are compared only when all three are equal.
    public static func displayOrder(_ deadlines: [Deadline], sections: Sections) -> [Deadline] {
        struct Key {
            var section: Int
            var urgency: Double
            var due: Double
            var index: Int
        }
        var keys: [Key] = []
        keys.reserveCapacity(deadlines.count)
        for (i, d) in deadlines.enumerated() {
            keys.append(Key(section: sections.section(of: d).rank, urgency: d.urgency,
                            due: d.due.timeIntervalSinceReferenceDate, index: i))
        }
        deadlines.withUnsafeBufferPointer { all in
            keys.sort { a, b in
                if a.section != b.section { return a.section < b.section }
                if a.urgency != b.urgency { return a.urgency > b.urgency }
                if a.due != b.due { return a.due < b.due }
                return all[a.index].id < all[b.index].id
            }
        }
        return keys.map { deadlines[$0.index] }
    }

    /// Which section a deadline falls in, from `now` in the policy's zone: `overdue` when
    /// now is strictly after its due time, `today` before the next midnight, `thisWeek`
    /// before the midnight that starts the seventh day, `later` after that.
    public struct Sections: Sendable {
        public let now: Date
        public let endOfToday: Date
        public let endOfWeek: Date

        public init(now: Date, policy: Policy) {
            let calendar = BusinessCalendar(policy: policy, anchor: now)
            let start = calendar.startOfDay(now)
            self.now = now
            endOfToday = calendar.adding(calendarDays: 1, to: start)
            endOfWeek = calendar.adding(calendarDays: 7, to: start)
        }

        public func section(of d: Deadline) -> DeadlineSection { section(due: d.due) }

        public func section(due: Date) -> DeadlineSection {
            if due < now { return .overdue }
            if due < endOfToday { return .today }
            if due < endOfWeek { return .thisWeek }
            return .later
        }
    }

    /// The counts every front end shows (title bar, status line, `due`, stats), from one
    /// evaluation, with one definition: overdue is strictly after the due time; blanket
    /// (mass-mailing) recruiters are counted apart from "your turn".
    public struct Counts: Sendable, Equatable {
        /// Deadlines past their due time.
        public var overdue = 0
        /// Deadlines due from now until midnight.
        public var today = 0
        /// Recruiters with `non-responsive` or `non-responsive-risk` up.
        public var atRisk = 0
        /// Targeted recruiters who wait for the candidate (a reply is owed).
        public var yourTurn = 0
        /// Blanket recruiters with unanswered messages (no deadline; counted apart).
        public var blanketWaiting = 0

        public init() {}
    }

    public static func counts(_ statuses: [UUID: RecruiterStatus], in db: Database, now: Date, policy: Policy) -> Counts {
        counts(statuses, isBlanket: { db.recruiter($0)?.targeting == .blanket }, now: now, policy: policy)
    }

    /// `counts` with the blanket recruiters told apart by `isBlanket` (from the findings,
    /// without reading the records).
    public static func counts(_ statuses: [UUID: RecruiterStatus], isBlanket: (UUID) -> Bool, now: Date, policy: Policy) -> Counts {
        let sections = Sections(now: now, policy: policy)
        var c = Counts()
        for (id, s) in statuses {
            if s.flags.contains(.nonResponsive) || s.flags.contains(.nonResponsiveRisk) { c.atRisk += 1 }
            if s.turn == .mine {
                if isBlanket(id) { c.blanketWaiting += 1 }
                else if s.deadlines.contains(where: { $0.kind == .reply }) { c.yourTurn += 1 }
            }
            for d in s.deadlines {
                switch sections.section(of: d) {
                case .overdue: c.overdue += 1
                case .today: c.today += 1
                default: break
                }
            }
        }
        return c
    }

    /// `counts` from findings, without scoring them: the counts need whose turn, the flags,
    /// the blanket bit and the deadlines' kinds and due times, none of which the scores
    /// change. Exactly `counts(score(findings), isBlanket: { findings[$0]!.blanket }, …)`.
    public static func counts(findings: [UUID: RuleFindings], now: Date, policy: Policy) -> Counts {
        var tally = CountTally(now: now, policy: policy)
        for f in findings.values {
            tally.recruiter(turn: f.turn, flagBits: f.flagBits, blanket: f.blanket,
                            owesReply: f.deadlines.contains { $0.kind == .reply })
            for d in f.deadlines { tally.deadline(due: d.due) }
        }
        return tally.counts
    }

    /// `counts` one recruiter at a time, from what the counts read of its findings (a reader
    /// of stored findings need not build them).
    public struct CountTally: Sendable {
        public let sections: Sections
        public private(set) var counts = Counts()

        public init(now: Date, policy: Policy) { sections = Sections(now: now, policy: policy) }

        /// One recruiter: whose turn, its flags (`RuleFindings.flagBits`), blanket, and
        /// whether one of its deadlines is a reply.
        public mutating func recruiter(turn: Turn, flagBits: UInt32, blanket: Bool, owesReply: Bool) {
            let flags = FlagSet(bits: flagBits)
            if flags.contains(.nonResponsive) || flags.contains(.nonResponsiveRisk) { counts.atRisk += 1 }
            if turn == .mine {
                if blanket { counts.blanketWaiting += 1 } else if owesReply { counts.yourTurn += 1 }
            }
        }

        /// One of its deadlines, by due time.
        public mutating func deadline(due: Date) {
            switch sections.section(due: due) {
            case .overdue: counts.overdue += 1
            case .today: counts.today += 1
            default: break
            }
        }
    }

    /// The order of `deadlines`: higher urgency first; then the earlier due date (the more
    /// overdue); then the id, so the order is total and stable.
    public static func moreUrgent(_ a: Deadline, _ b: Deadline) -> Bool {
        if a.urgency != b.urgency { return a.urgency > b.urgency }
        if a.due != b.due { return a.due < b.due }
        return a.id < b.id
    }

    /// The earliest moment after `now` at which the deadlines (which exist, and which are
    /// overdue), the at-risk flags (`non-responsive-risk`, `non-responsive`) or the
    /// calendar day in the policy's zone can change while the data stays the same: the
    /// next future message, reply and other deadline due time, thank-you and check-in
    /// appearance, risk and non-responsive onset, or the next midnight. Counts derived from
    /// those (the status line) stay valid from `now` until (not including) this moment; a
    /// candidate moment equal to `now` gives `now` itself (valid at no later instant).
    ///
    /// The moments are not listed here: the rules are evaluated with a `Horizon`, and
    /// every comparison of `now` with a threshold (a due time, an onset, a future
    /// message's time) reports that threshold as it is made, so a rule cannot be timed
    /// apart from how it is checked.
    public static func nextChange(in db: Database, now: Date, policy: Policy) -> Date {
        let calendar = BusinessCalendar(policy: policy, anchor: now)
        let horizon = Horizon(now: now, until: calendar.adding(calendarDays: 1, to: calendar.startOfDay(now)))
        _ = evaluate(db, engine: RuleEngine(policy: policy, now: now, horizon: horizon))
        return horizon.next
    }

    /// The flag records to persist on a recruiter: flags that stay up keep their `since`,
    /// new ones start at `now`, flags that went down are dropped. Order follows `current`.
    public static func persistedFlags(previous: [FlagRecord], current: [Flag], now: Date) -> [FlagRecord] {
        current.map { flag in
            FlagRecord(flag: flag, since: previous.first { $0.flag == flag }?.since ?? now)
        }
    }

    /// Every recruiter's flag records at `now` from one evaluation, keyed by recruiter:
    /// what the store saves. Much cheaper than `status(of:)` per recruiter, which has to
    /// scan every opportunity, follow-up and expectation for each one.
    public static func persistedFlags(in db: Database, now: Date, policy: Policy) -> [UUID: [FlagRecord]] {
        var out: [UUID: [FlagRecord]] = [:]
        out.reserveCapacity(db.recruiters.count)
        for (id, status) in evaluate(db, now: now, policy: policy) {
            out[id] = persistedFlags(previous: db.recruiters[id]?.flags ?? [], current: status.flags, now: now)
        }
        return out
    }

    /// The normalized key two opportunities share when they are the same submission:
    /// employer and role, case-insensitive, surrounding and repeated whitespace ignored.
    /// Nil when the employer is unknown (agency roles): those are never duplicates.
    public static func submissionKey(of o: Opportunity) -> String? {
        func norm(_ s: String) -> String {
            let lower = s.lowercased()
            // Fast path: ASCII without leading, trailing or repeated white space.
            var clean = true, previousSpace = true
            for b in lower.utf8 {
                let space = b == 32 || (9...13).contains(b)
                if b >= 0x80 || (space && previousSpace) { clean = false; break }
                previousSpace = space
            }
            if clean, !previousSpace { return lower }
            var out = String.UnicodeScalarView()
            var pendingSpace = false
            for u in lower.unicodeScalars {
                if u.properties.isWhitespace {
                    pendingSpace = !out.isEmpty
                } else {
                    if pendingSpace { out.append(" ") }
                    pendingSpace = false
                    out.append(u)
                }
            }
            return String(out)
        }
        guard let employer = o.employer.map(norm), !employer.isEmpty else { return nil }
        let role = norm(o.role)
        guard !role.isEmpty else { return nil }
        return employer + "\u{1F}" + role
    }

    /// Recruiters that share a submission key with another recruiter. With `among` set,
    /// only keys of that recruiter's opportunities are considered (one-recruiter lookups).
    static func duplicateSubmissions<C: Collection<Opportunity>>(in opportunities: C, among: UUID?) -> Set<UUID> {
        var wanted: Set<String>?
        if let among {
            wanted = Set(opportunities.lazy.filter { $0.recruiterID == among }.compactMap(submissionKey))
            if wanted!.isEmpty { return [] }
        }
        var byKey: [String: Set<UUID>] = [:]
        for o in opportunities {
            guard let key = submissionKey(of: o), wanted?.contains(key) ?? true else { continue }
            byKey[key, default: []].insert(o.recruiterID)
        }
        var out: Set<UUID> = []
        for (_, recruiters) in byKey where recruiters.count > 1 { out.formUnion(recruiters) }
        return out
    }
}

/// The earliest moment at or after `now` (and before `next`, midnight at first) that a
/// rule compared `now` with: where an evaluation's answer may change by time alone.
final class Horizon {
    let now: Date
    let until: Date
    private(set) var next: Date
    /// Also report when `unprepared` can change (per-recruiter validity of findings).
    var coversPreparation = false

    init(now: Date, until: Date) {
        self.now = now
        self.until = until
        next = until
    }

    func report(_ t: Date) { if t >= now && t < next { next = t } }

    /// Starts over (one recruiter after another).
    func reset() { next = until }
}

/// One evaluation: the policy, `now`, the business calendar and the weight table, built
/// once and shared by every recruiter.
struct RuleEngine {
    let policy: Policy
    let now: Date
    let calendar: BusinessCalendar
    let weights: UrgencyWeights
    let table: UrgencyWeights.Table
    let quick: Set<Channel>
    /// Collects every threshold compared with `now` (for `Rules.nextChange`); nil otherwise.
    let horizon: Horizon?

    init(policy: Policy, now: Date, horizon: Horizon? = nil) {
        self.policy = policy
        self.now = now
        self.horizon = horizon
        calendar = BusinessCalendar(policy: policy, anchor: now)
        weights = policy.urgency
        table = UrgencyWeights.Table(policy.urgency)
        quick = Set(policy.quickChannels)
    }

    /// `now` is later than `t` (reports `t`: the answer changes there).
    func isPast(_ t: Date) -> Bool {
        horizon?.report(t)
        return now > t
    }

    /// `now` is `t` or later (reports `t`).
    func hasReached(_ t: Date) -> Bool {
        horizon?.report(t)
        return now >= t
    }

    /// When the reply to inbound `m` is due.
    func replyDue(_ m: Message) -> Date {
        quick.contains(m.channel)
            ? calendar.adding(businessHours: policy.quickReplyBusinessHours, to: m.at)
            : calendar.adding(businessDays: policy.replyBusinessDays, to: m.at)
    }

    /// What the thread says, from one backward scan of its tail (messages up to `now`).
    struct ThreadFacts {
        /// Open inbound messages, oldest first: inbound after the last outbound and after
        /// the last inbound marked "no reply needed".
        var open: [Message] = []
        var last: Message?
        var lastInbound: Date?
        var lastOutbound: Date?
        var lastOutboundMessage: Message?
        /// Outbound messages at the end of the thread with no inbound after them.
        var trailingOutbound = 0
    }

    func facts(of thread: [Message]) -> ThreadFacts {
        // Messages dated after `now` do not exist yet: binary search the cut (thread is sorted).
        var lo = 0, hi = thread.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if thread[mid].at <= now { lo = mid + 1 } else { hi = mid }
        }
        // The first message still in the future appears at its time.
        if lo < thread.count { horizon?.report(thread[lo].at) }
        var f = ThreadFacts()
        guard lo > 0 else { return f }
        f.last = thread[lo - 1]
        var closed = false, trailingDone = false
        var i = lo - 1
        while i >= 0 {
            let m = thread[i]
            if m.direction == .inbound {
                if f.lastInbound == nil { f.lastInbound = m.at }
                trailingDone = true
                if !closed {
                    if m.noReplyNeeded { closed = true } else { f.open.append(m) }
                }
            } else {
                if f.lastOutbound == nil { f.lastOutbound = m.at; f.lastOutboundMessage = m }
                if !trailingDone { f.trailingOutbound += 1 }
                closed = true
            }
            if closed, f.lastInbound != nil, f.lastOutbound != nil { break }
            i -= 1
        }
        f.open.reverse()
        return f
    }

    /// Whether a `dormant` or `declined` status is in force: set, not lapsed (`statusUntil`
    /// passed) and not broken by the recruiter writing again (a message of theirs open).
    func isQuiet(_ r: Recruiter, open: [Message]) -> Bool {
        guard r.status == .dormant || r.status == .declined else { return false }
        if let until = r.statusUntil, hasReached(until) { return false }
        return open.isEmpty
    }

    /// The relationship status the rules act on: a lapsed dormant or declined status, or
    /// one the recruiter broke by writing again, acts as `active`.
    func effectiveStatus(_ r: Recruiter, open: [Message]) -> RelationshipStatus {
        switch r.status {
        case .dormant, .declined: return isQuiet(r, open: open) ? r.status : .active
        default: return r.status
        }
    }

    /// The check-in deadline of a recruiter the candidate keeps up with, if one is due by
    /// now: for `active`, `awaitingBusinessDays` after the candidate's last message while
    /// it is their turn (none once `cold`); for `ally`, `allyCheckInDays` after the last
    /// message either way. A status that lapsed pushes it to the lapse at the earliest.
    /// Returns the due time, the message it runs from and whether the recruiter is cold.
    func checkIn(_ r: Recruiter, facts f: ThreadFacts, turn: Turn) -> (due: Date, from: Message, cold: Bool)? {
        let status = effectiveStatus(r, open: f.open)
        guard let last = f.last else { return nil }
        var due: Date
        var from: Message
        var cold = false
        switch status {
        case .active:
            guard turn == .theirs, let out = f.lastOutboundMessage else { return nil }
            due = calendar.adding(businessDays: policy.awaitingBusinessDays, to: out.at)
            from = out
            cold = f.trailingOutbound >= 1 + policy.coldAfterCheckIns
        case .ally:
            guard turn != .mine else { return nil }
            due = calendar.adding(calendarDays: policy.allyCheckInDays, to: last.at)
            from = last
        default:
            return nil
        }
        if r.status != status, let until = r.statusUntil, until > due { due = until }
        return (due, from, cold)
    }

    func status(of r: Recruiter, thread: [Message], opportunities: [Opportunity], followUps: [FollowUp],
                expectations: [Expectation], duplicate: Bool) -> RecruiterStatus {
        score(findings(of: r, thread: thread, opportunities: opportunities, followUps: followUps,
                       expectations: expectations, duplicate: duplicate))
    }

    /// Everything of a recruiter's status but the urgency scores (see `RuleFindings`).
    func findings(of r: Recruiter, thread: [Message], opportunities: [Opportunity], followUps: [FollowUp],
                  expectations: [Expectation], duplicate: Bool) -> RuleFindings {
        let f = facts(of: thread)
        var st = RuleFindings(recruiterID: r.id, blanket: r.targeting == .blanket)
        st.lastContact = f.last?.at
        st.openMessageIDs = f.open.map(\.id)
        if !f.open.isEmpty {
            st.turn = .mine
        } else if f.last?.direction == .outbound {
            st.turn = .theirs
        }

        var flags = FlagSet()
        if duplicate { flags.insert(.duplicateSubmission) }
        if r.status == .doNotContact {
            // The user ended it: no reminders, no deadlines, only the facts.
            flags.insert(.doNotContact)
            st.flagBits = flags.bits
            return st
        }

        var out = Found(flags: flags, quiet: isQuiet(r, open: f.open))
        replyRule(r, f, &out)
        interviewRule(r, f, opportunities, &out)
        followUpRule(r, followUps, &out)
        expectationRule(r, f, expectations, &out)
        checkInRule(r, f, turn: st.turn, &out)
        if Preparation.isUnprepared(r, opportunities: opportunities, expectations: expectations, now: now) { out.flags.insert(.unprepared) }
        if let horizon { reportPreparation(opportunities, expectations, to: horizon) }
        st.flagBits = out.flags.bits
        st.deadlines = out.deadlines
        return st
    }

    /// The moments `unprepared` can change at while the data stays the same: a call or
    /// interview enters the window (`Preparation.window` before it) or starts. Reported
    /// only for per-recruiter validity (`Rules.findings`); `nextChange` keeps to the
    /// deadlines, the at-risk flags and the day.
    func reportPreparation(_ opportunities: [Opportunity], _ expectations: [Expectation], to horizon: Horizon) {
        guard horizon.coversPreparation else { return }
        for o in opportunities {
            for iv in o.interviews {
                horizon.report(iv.at.addingTimeInterval(-Preparation.window))
                horizon.report(iv.at)
            }
        }
        for e in expectations where e.by >= now && Preparation.isCall(e) {
            horizon.report(e.by.addingTimeInterval(-Preparation.window))
            horizon.report(e.by)
        }
    }

    /// What the rules found for one recruiter so far.
    struct Found {
        var flags: FlagSet
        /// A `dormant` or `declined` status is in force (see `isQuiet`).
        let quiet: Bool
        var deadlines: [Deadline] = []

        init(flags: FlagSet, quiet: Bool) {
            self.flags = flags
            self.quiet = quiet
        }
    }

    /// Adds `d` unless the candidate dismissed it; a snoozed one is due at the snooze time
    /// (never earlier than it was). Returns the deadline as added, nil when dismissed.
    @discardableResult
    func add(_ d: Deadline, of r: Recruiter, to out: inout Found) -> Deadline? {
        var d = d
        if !r.dismissals.isEmpty, let dismissal = r.dismissal(of: d.id) {
            guard let until = dismissal.until else { return nil }
            if until > d.due { d.due = until; d.snoozed = true }
        }
        out.deadlines.append(d)
        return d
    }

    /// Replies and non-responsive risk: one deadline per thread, from the oldest open
    /// message. Blanket recruiters (mass mailers) and quiet ones raise none of these.
    func replyRule(_ r: Recruiter, _ f: ThreadFacts, _ out: inout Found) {
        guard r.targeting == .targeted, !out.quiet, let oldest = f.open.first, let newest = f.open.last else { return }
        let about = oldest.subject.map { ": \($0)" } ?? ""
        let waiting = f.open.count > 1 ? " — \(f.open.count) unanswered" : ""
        if let d = add(Deadline(
            id: "reply:" + oldest.id.lowercasedUUIDString, kind: .reply, recruiterID: r.id, due: replyDue(oldest),
            messageID: oldest.id, title: "Reply to \(r.name) (\(oldest.channel.rawValue))\(about)\(waiting)", urgency: 0,
            count: f.open.count, lastMessageID: newest.id), of: r, to: &out) {
            out.flags.insert(isPast(d.due) ? .replyOverdue : .replyDue)
        }
        let nonResponsive = f.open.count >= policy.nonResponsiveOpenCount
            || isPast(calendar.adding(calendarDays: policy.nonResponsiveOpenDays, to: oldest.at))
        let risk = f.open.count >= policy.riskOpenCount
            || isPast(calendar.adding(businessDays: policy.riskOpenBusinessDays, to: oldest.at))
        if nonResponsive { out.flags.insert(.nonResponsive) } else if risk { out.flags.insert(.nonResponsiveRisk) }
    }

    /// Interviews still to come, and thank-you notes: an ended interview with no outbound
    /// message at or after its end (none while the relationship is quiet).
    func interviewRule(_ r: Recruiter, _ f: ThreadFacts, _ opportunities: [Opportunity], _ out: inout Found) {
        for o in opportunities {
            let at = o.employer.map { " at \($0)" } ?? ""
            for iv in o.interviews {
                if !isPast(iv.at) {
                    let with = iv.interviewers.isEmpty ? "" : " with \(iv.interviewers.joined(separator: ", "))"
                    add(Deadline(
                        id: "interview:" + iv.id.lowercasedUUIDString, kind: .interview, recruiterID: r.id, due: iv.at,
                        interviewID: iv.id, title: "Interview: \(o.role)\(at)\(with) (via \(r.name))", urgency: 0),
                        of: r, to: &out)
                    continue
                }
                let end = iv.at.addingTimeInterval(TimeInterval(iv.durationMinutes) * 60)
                guard hasReached(end), !out.quiet else { continue }
                if let sent = f.lastOutbound, sent >= end { continue }
                if add(Deadline(
                    id: "thank-you:" + iv.id.lowercasedUUIDString, kind: .thankYou, recruiterID: r.id,
                    due: calendar.adding(businessDays: policy.thankYouBusinessDays, to: end),
                    interviewID: iv.id, title: "Thank \(r.name) for the \(o.role) interview\(at)", urgency: 0),
                    of: r, to: &out) != nil {
                    out.flags.insert(.thankYouDue)
                }
            }
        }
    }

    /// Follow-ups the candidate scheduled: due at the snooze time when snoozed.
    func followUpRule(_ r: Recruiter, _ followUps: [FollowUp], _ out: inout Found) {
        for fu in followUps where fu.done == nil {
            let due = fu.snoozedUntil ?? fu.due
            let note = fu.note.map { ": \($0)" } ?? ""
            if let d = add(Deadline(
                id: "follow-up:" + fu.id.lowercasedUUIDString, kind: .followUp, recruiterID: r.id, due: due,
                followUpID: fu.id, title: "Follow up with \(r.name)\(note)", urgency: 0, snoozed: fu.snoozedUntil != nil),
                of: r, to: &out), isPast(d.due) {
                out.flags.insert(.followUpOverdue)
            }
        }
    }

    /// Expectations: kept by any inbound from `expectationEarlyHours` before `by` on.
    func expectationRule(_ r: Recruiter, _ f: ThreadFacts, _ expectations: [Expectation], _ out: inout Found) {
        for e in expectations {
            let keptFrom = e.by.addingTimeInterval(-policy.expectationEarlyHours * 3600)
            if let inbound = f.lastInbound, inbound >= keptFrom { continue }
            let note = e.note.map { ": \($0)" } ?? ""
            let title = Preparation.isCall(e) ? "Call promised by \(r.name)\(note)" : "\(r.name) owes you\(note)"
            if let d = add(Deadline(
                id: "expectation:" + e.id.lowercasedUUIDString, kind: .expectation, recruiterID: r.id,
                due: e.by, expectationID: e.id, title: title, urgency: 0), of: r, to: &out), isPast(d.due) {
                out.flags.insert(.noShow)
            }
        }
    }

    /// Check-ins: awaiting them / cold for active recruiters, the gentle cadence for allies
    /// (see `checkIn`); quiet statuses raise none.
    func checkInRule(_ r: Recruiter, _ f: ThreadFacts, turn: Turn, _ out: inout Found) {
        guard let c = checkIn(r, facts: f, turn: turn), hasReached(c.due) else { return }
        if c.cold {
            out.flags.insert(.cold)
            return
        }
        let why = effectiveStatus(r, open: f.open) == .ally ? "keep in touch" : "no answer to your last message"
        if add(Deadline(
            id: "check-in:" + c.from.id.lowercasedUUIDString, kind: .checkIn, recruiterID: r.id,
            due: c.due, messageID: c.from.id, title: "Check in with \(r.name): \(why)", urgency: 0),
            of: r, to: &out) != nil, turn == .theirs {
            out.flags.insert(.awaitingThem)
        }
    }

    /// The status at `now` from findings: sorts the flags, scores the deadlines and the
    /// recruiter (the only parts that vary with `now` between the moments a horizon reports).
    func score(_ found: RuleFindings) -> RecruiterStatus {
        let flags = FlagSet(bits: found.flagBits)
        var st = RecruiterStatus(recruiterID: found.recruiterID, turn: found.turn, lastContact: found.lastContact,
                                 openMessageIDs: found.openMessageIDs)
        st.flags = flags.sorted
        let terms = scoreTerms(flags: flags, blanket: found.blanket)
        var worstLateness = 0.0
        var scored = found.deadlines
        for i in scored.indices {
            scored[i].urgency = deadlineUrgency(kind: scored[i].kind, due: scored[i].due, terms, worstLateness: &worstLateness)
        }
        if scored.count > 1 { scored.sort(by: Rules.moreUrgent) }
        st.deadlines = scored
        st.urgency = recruiterUrgency(flags: flags, terms, worstLateness: worstLateness)
        return st
    }

    /// What every deadline of one recruiter adds: the blanket weight, and the boost a
    /// non-responsive (or at-risk) recruiter gives its deadlines.
    struct ScoreTerms {
        var blanket: Double
        var boost: Double
    }

    func scoreTerms(flags: FlagSet, blanket isBlanket: Bool) -> ScoreTerms {
        let w = weights
        return ScoreTerms(blanket: isBlanket ? w.blanket : 0,
                          boost: flags.contains(.nonResponsive) ? w.deadlineNonResponsive
                              : flags.contains(.nonResponsiveRisk) ? w.deadlineNonResponsiveRisk : 0)
    }

    /// One deadline's urgency; `worstLateness` keeps the largest lateness seen.
    @inline(__always)
    func deadlineUrgency(kind: DeadlineKind, due: Date, _ t: ScoreTerms, worstLateness: inout Double) -> Double {
        let w = weights
        let late = w.lateness(due: due, now: now)
        worstLateness = max(worstLateness, late)
        let timing = isPast(due) ? w.deadlineOverdue + late : w.approach(due: due, now: now)
        return table.kind(kind) + timing + t.boost + t.blanket
    }

    /// The recruiter's urgency: its flags' weights over the blanket weight and the worst lateness.
    @inline(__always)
    func recruiterUrgency(flags: FlagSet, _ t: ScoreTerms, worstLateness: Double) -> Double {
        var u = t.blanket + worstLateness
        guard flags.bits != 0 else { return u }
        for i in 0..<FlagSet.cases.count where flags.bits & (1 << UInt32(i)) != 0 { u += table.flag[i] }
        return u
    }
}

/// A set of flags as bits in `Flag.allCases` order: the rules' hot path neither hashes
/// nor sorts.
struct FlagSet: Equatable {
    private(set) var bits: UInt32 = 0

    init() {}

    /// From `bits` as stored; bits past the last flag are dropped.
    init(bits: UInt32) { self.bits = bits & ((1 << UInt32(Flag.allCases.count)) - 1) }

    /// The position of `flag` in `Flag.allCases` (its `rank`), without scanning the cases.
    static func index(_ flag: Flag) -> Int {
        switch flag {
        case .nonResponsive: return 0
        case .nonResponsiveRisk: return 1
        case .replyOverdue: return 2
        case .replyDue: return 3
        case .thankYouDue: return 4
        case .followUpOverdue: return 5
        case .noShow: return 6
        case .unprepared: return 7
        case .awaitingThem: return 8
        case .cold: return 9
        case .duplicateSubmission: return 10
        case .doNotContact: return 11
        }
    }

    mutating func insert(_ flag: Flag) { bits |= 1 << UInt32(FlagSet.index(flag)) }
    func contains(_ flag: Flag) -> Bool { bits & (1 << UInt32(FlagSet.index(flag))) != 0 }

    /// `Flag.allCases`, built once (not an array per call).
    static let cases = Flag.allCases

    /// Most important first (`Flag` order).
    var sorted: [Flag] {
        guard bits != 0 else { return [] }
        var out: [Flag] = []
        for (i, flag) in FlagSet.cases.enumerated() where bits & (1 << UInt32(i)) != 0 { out.append(flag) }
        return out
    }
}

extension UUID {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `uuidString.lowercased()` without a formatter: deadline ids are built for every
    /// open item on every evaluation.
    var lowercasedUUIDString: String {
        withUnsafeBytes(of: uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { out in
                var j = 0
                for (i, byte) in raw.enumerated() {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out[j] = UInt8(ascii: "-"); j += 1 }
                    out[j] = UUID.hexDigits[Int(byte >> 4)]
                    out[j + 1] = UUID.hexDigits[Int(byte & 0x0F)]
                    j += 2
                }
                return j
            }
        }
    }
}

extension Rules {
    /// Each flag that is up on one recruiter, in words, with when it came up and why:
    /// "non-responsive — 3 of their messages unanswered, the oldest 16 days". `since` is
    /// computed from the data where the rule gives an onset, else taken from the flag
    /// records the store persisted. Flags most important first, as `status.flags`.
    /// `duplicate` as in `status(of:)`: a caller that evaluated everyone passes it, and the
    /// reasons then cost what this recruiter's data costs, not the whole store's.
    public static func reasons(of recruiterID: UUID, in db: Database, now: Date, policy: Policy,
                               duplicate: Bool? = nil) -> [FlagReason] {
        guard let r = db.recruiter(recruiterID) else { return [] }
        let status = Rules.status(of: recruiterID, in: db, now: now, policy: policy, duplicate: duplicate)
        let engine = RuleEngine(policy: policy, now: now)
        let f = engine.facts(of: db.thread(recruiterID))
        let opportunities = db.opportunities(of: recruiterID)
        func persisted(_ flag: Flag) -> Date? { r.flags.first { $0.flag == flag }?.since }
        func ago(_ d: Date) -> String { Rules.span(now.timeIntervalSince(d)) }
        let reply = status.deadlines.first { $0.kind == .reply }
        var out: [FlagReason] = []
        for flag in status.flags {
            switch flag {
            case .nonResponsive, .nonResponsiveRisk:
                guard let oldest = f.open.first else { continue }
                let n = f.open.count
                let count = flag == .nonResponsive ? policy.nonResponsiveOpenCount : policy.riskOpenCount
                let byAge = flag == .nonResponsive
                    ? engine.calendar.adding(calendarDays: policy.nonResponsiveOpenDays, to: oldest.at)
                    : engine.calendar.adding(businessDays: policy.riskOpenBusinessDays, to: oldest.at)
                let byCount = n >= count ? f.open[count - 1].at : nil
                let since = [byAge < now ? byAge : nil, byCount].compactMap { $0 }.min()
                let what = n == 1 ? "1 of their messages unanswered" : "\(n) of their messages unanswered"
                let age = n == 1 ? " for \(ago(oldest.at))" : ", the oldest \(ago(oldest.at))"
                out.append(FlagReason(flag: flag, since: since, why: what + age))
            case .replyOverdue:
                guard let d = reply else { continue }
                let n = d.count == 1 ? "their message" : "\(d.count) messages"
                out.append(FlagReason(flag: flag, since: d.due, why: "reply to \(n) was due \(ago(d.due)) ago"))
            case .replyDue:
                guard let d = reply else { continue }
                let n = d.count == 1 ? "their message" : "\(d.count) messages"
                out.append(FlagReason(flag: flag, since: f.open.first?.at, why: "reply to \(n) due in \(Rules.span(d.due.timeIntervalSince(now)))"))
            case .thankYouDue:
                guard let d = status.deadlines.first(where: { $0.kind == .thankYou }) else { continue }
                let interview = opportunities.flatMap(\.interviews).first { $0.id == d.interviewID }
                let end = interview.map { $0.at.addingTimeInterval(TimeInterval($0.durationMinutes) * 60) }
                out.append(FlagReason(flag: flag, since: end, why: "no message to them since the interview \(end.map { ago($0) + " ago" } ?? "")"))
            case .followUpOverdue:
                let late = status.deadlines.filter { $0.kind == .followUp && $0.due < now }
                guard let first = late.map(\.due).min() else { continue }
                let n = late.count == 1 ? "a follow-up you set" : "\(late.count) follow-ups you set"
                out.append(FlagReason(flag: flag, since: first, why: "\(n) passed \(ago(first)) ago"))
            case .noShow:
                let missed = status.deadlines.filter { $0.kind == .expectation && $0.due < now }
                guard let first = missed.map(\.due).min() else { continue }
                out.append(FlagReason(flag: flag, since: first, why: "they promised something by \(ago(first)) ago and have not been in touch since"))
            case .unprepared:
                let call = Preparation.upcomingCalls(recruiterID: recruiterID, opportunities: opportunities,
                                                     expectations: db.expectations(of: recruiterID), now: now).first
                let missing = call.map { Preparation.missing(for: $0, recruiter: r, opportunities: opportunities) } ?? []
                let when = call.map { " in \(Rules.span($0.at.timeIntervalSince(now)))" } ?? ""
                out.append(FlagReason(flag: flag, since: call.map { $0.at.addingTimeInterval(-Preparation.window) },
                                      why: "a call\(when), research missing: \(missing.map(\.label).joined(separator: ", "))"))
            case .awaitingThem:
                guard let sent = f.lastOutbound else { continue }
                let since = status.deadlines.first { $0.kind == .checkIn }?.due
                out.append(FlagReason(flag: flag, since: since, why: "you wrote last, \(ago(sent)) ago, and they have not answered"))
            case .cold:
                let n = max(0, f.trailingOutbound - 1)
                out.append(FlagReason(flag: flag, since: persisted(flag),
                                      why: "no answer to your message and \(n) check-in\(n == 1 ? "" : "s")"))
            case .duplicateSubmission:
                out.append(FlagReason(flag: flag, since: persisted(flag),
                                      why: "another recruiter has put you forward for the same role at the same employer"))
            case .doNotContact:
                out.append(FlagReason(flag: flag, since: persisted(flag), why: "you asked not to be contacted by them"))
            }
        }
        return out
    }

    /// "16 days", "3 hours", "5 minutes": a span for a sentence (whole units, rounded down).
    public static func span(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        func unit(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        if s < 3600 { return unit(max(1, s / 60), "minute") }
        if s < 86_400 { return unit(s / 3600, "hour") }
        if s < 86_400 * 60 { return unit(s / 86_400, "day") }
        return unit(s / (86_400 * 7), "week")
    }
}
