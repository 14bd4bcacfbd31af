import Foundation

/// How quickly replies come, as hours: the number of replies and their median.
public struct ReplyTimes: Codable, Sendable, Equatable {
    public var replies: Int
    /// Median hours from the first unanswered message to the reply; nil without replies.
    public var medianHours: Double?

    public init(replies: Int, medianHours: Double?) {
        self.replies = replies
        self.medianHours = medianHours
    }
}

/// The candidate's replies in one calendar month (their zone), by the month of the reply.
public struct MonthlyReplies: Codable, Sendable, Equatable {
    /// "2026-03".
    public var month: String
    public var replies: Int
    public var medianHours: Double?
}

/// The parts of the ally score (see `Stats.allyScore` and docs/insight.md).
public struct AllyScoreParts: Codable, Sendable, Equatable {
    public var targeted: Int
    public var theirReplies: Int
    public var reliability: Int
    public var yourReplies: Int
    public var referrals: Int
    public var stage: Int
    public var total: Int { targeted + theirReplies + reliability + yourReplies + referrals + stage }
}

/// What the figures say about one recruiter.
public struct RecruiterInsight: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// How quickly they answer the candidate.
    public var them: ReplyTimes
    /// How quickly the candidate answers them.
    public var you: ReplyTimes
    /// Outbound messages old enough to judge (their awaiting window has passed or they answered).
    public var outboundJudged: Int
    /// Of those, how many got no inbound within the awaiting window.
    public var silences: Int
    /// `silences / outboundJudged`; nil when nothing can be judged yet.
    public var silenceRate: Double?
    public var lastContact: Date?
    public var referrals: Int
    /// The furthest stage any of their opportunities reached; nil without opportunities.
    public var stageReached: Stage?
    public var allyScore: Int
    public var allyParts: AllyScoreParts
}

/// Messages in one week (Monday 00:00 to Monday 00:00, the candidate's zone).
public struct WeekActivity: Codable, Sendable, Equatable {
    public var start: Date
    public var inbound: Int
    public var outbound: Int
}

public struct FunnelStep: Codable, Sendable, Equatable {
    public var stage: Stage
    public var count: Int
}

/// Everything `rapport stats` and the insight view show.
public struct Insight: Codable, Sendable, Equatable {
    public var now: Date
    /// The reply-time norm recruiters expect, in hours (24–48).
    public var normHours: [Double]
    /// The candidate's replies overall.
    public var you: ReplyTimes
    /// The candidate's replies per month, oldest first, ending with the current month.
    public var monthly: [MonthlyReplies]
    /// Highest ally score first, then by name.
    public var recruiters: [RecruiterInsight]
    /// Oldest first, ending with the current week.
    public var weekly: [WeekActivity]
    /// Opportunities by their current stage, in stage order.
    public var funnel: [FunnelStep]

    /// The median reply time against the norm: "faster than the norm" under 24 h,
    /// "within the norm" from 24 to 48 h (both ends included), "slower than the norm"
    /// above; "no replies yet" without one. The CLI and the insight view both say this.
    public static func normVerdict(_ medianHours: Double?) -> String {
        guard let h = medianHours else { return "no replies yet" }
        return h < Stats.normHours[0] ? "faster than the norm" : h <= Stats.normHours[1] ? "within the norm" : "slower than the norm"
    }

    /// Ally score per recruiter, for sorting the recruiter list.
    public var allyScores: [UUID: Int] {
        Dictionary(recruiters.map { ($0.id, $0.allyScore) }, uniquingKeysWith: { a, _ in a })
    }
}

/// Statistics over the data. Pure: `now` and the policy are parameters; messages after
/// `now` are ignored. Reply times are plain elapsed time (not business hours).
public enum Stats {
    public static let normHours: [Double] = [24, 48]

    /// Reply samples in a thread (sorted by time): each message in direction `answering`
    /// closes the run of messages from the other side since the last one, and the sample is
    /// the time from the first message of that run. Inbound messages marked "no reply
    /// needed" do not start a run.
    public static func replySamples(_ thread: [Message], answering: Direction, now: Date) -> [(at: Date, seconds: TimeInterval)] {
        var out: [(at: Date, seconds: TimeInterval)] = []
        var waitingSince: Date?
        for m in thread where m.at <= now {
            if m.direction == answering {
                if let w = waitingSince { out.append((m.at, m.at.timeIntervalSince(w))) }
                waitingSince = nil
            } else if waitingSince == nil, !(m.direction == .inbound && m.noReplyNeeded) {
                waitingSince = m.at
            }
        }
        return out
    }

    /// The median (mean of the middle two for an even count); nil when empty.
    public static func median(_ xs: [Double]) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }

    static func times(_ samples: [(at: Date, seconds: TimeInterval)]) -> ReplyTimes {
        ReplyTimes(replies: samples.count, medianHours: median(samples.map(\.seconds)).map { round2($0 / 3600) })
    }

    static func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }

    /// Outbound messages judged, and how many of them got no inbound within the awaiting
    /// window (`policy.awaitingBusinessDays` business days, the candidate's calendar).
    public static func silences(_ thread: [Message], now: Date, calendar: BusinessCalendar, policy: Policy) -> (judged: Int, silent: Int) {
        let visible = thread.filter { $0.at <= now }
        var judged = 0, silent = 0
        var nextInbound: Date?
        // Backwards: the next inbound after each outbound is the last one seen.
        for m in visible.reversed() {
            if m.direction == .inbound { nextInbound = m.at; continue }
            let windowEnd = calendar.adding(businessDays: policy.awaitingBusinessDays, to: m.at)
            if let answer = nextInbound, answer > m.at, answer <= windowEnd {
                judged += 1
            } else if windowEnd <= now {
                judged += 1
                silent += 1
            }
        }
        return (judged, silent)
    }

    /// How far an opportunity got: closed-lost and withdrawn ones count as "interview" when
    /// they had interviews, else "sourced".
    static func reachRank(_ o: Opportunity) -> Int {
        switch o.stage {
        case .sourced: return 0
        case .screen: return 1
        case .interview: return 2
        case .final: return 3
        case .offer: return 4
        case .closedWon: return 5
        case .closedLost, .withdrawn: return o.interviews.isEmpty ? 0 : 2
        }
    }

    static let reachStages: [Stage] = [.sourced, .screen, .interview, .final, .offer, .closedWon]

    public static func stageReached(_ opportunities: [Opportunity]) -> Stage? {
        opportunities.map(reachRank).max().map { reachStages[$0] }
    }

    /// The ally score, 0–100 (docs/insight.md):
    /// - targeted (writes to you personally): 15
    /// - their median reply ≤ 48 h: 15, ≤ 120 h: 8
    /// - reliability: 15 × (1 − silence rate), rounded; 0 when nothing can be judged
    /// - your median reply to them ≤ 48 h: 15, ≤ 120 h: 8
    /// - referrals you gave them: 10 each, at most 20
    /// - stage reached: screen 5, interview 10, final 15, offer or won 20
    public static func allyScore(targeted: Bool, them: ReplyTimes, you: ReplyTimes, silenceRate: Double?,
                                 referrals: Int, stageReached: Stage?) -> AllyScoreParts {
        func speed(_ t: ReplyTimes) -> Int {
            guard let h = t.medianHours else { return 0 }
            return h <= 48 ? 15 : h <= 120 ? 8 : 0
        }
        let stagePoints: [Stage: Int] = [.screen: 5, .interview: 10, .final: 15, .offer: 20, .closedWon: 20]
        return AllyScoreParts(
            targeted: targeted ? 15 : 0, theirReplies: speed(them),
            reliability: silenceRate.map { Int((15 * (1 - $0)).rounded()) } ?? 0,
            yourReplies: speed(you), referrals: min(referrals * 10, 20),
            stage: stageReached.flatMap { stagePoints[$0] } ?? 0)
    }

    /// Every figure, at `now`. `weeks` weeks of activity and `months` months of reply times.
    public static func compute(_ db: Database, now: Date, policy: Policy, weeks: Int = 26, months: Int = 12) -> Insight {
        let cal = BusinessCalendar(policy: policy, anchor: now)  // offsets from a table, as the rules do
        var allYours: [(at: Date, seconds: TimeInterval)] = []
        var recruiters: [RecruiterInsight] = []
        let opportunities = Dictionary(grouping: db.opportunities.values, by: \.recruiterID)
        for r in db.recruiters.values {
            let thread = db.thread(r.id)
            let yours = replySamples(thread, answering: .outbound, now: now)
            allYours += yours
            let them = times(replySamples(thread, answering: .inbound, now: now))
            let you = times(yours)
            let s = silences(thread, now: now, calendar: cal, policy: policy)
            let rate = s.judged > 0 ? round2(Double(s.silent) / Double(s.judged)) : nil
            let reached = stageReached(opportunities[r.id] ?? [])
            let parts = allyScore(targeted: r.targeting == .targeted, them: them, you: you, silenceRate: rate,
                                  referrals: r.referrals.count, stageReached: reached)
            recruiters.append(RecruiterInsight(
                id: r.id, name: r.name, them: them, you: you, outboundJudged: s.judged, silences: s.silent,
                silenceRate: rate, lastContact: thread.last { $0.at <= now }?.at, referrals: r.referrals.count,
                stageReached: reached, allyScore: parts.total, allyParts: parts))
        }
        recruiters.sort {
            if $0.allyScore != $1.allyScore { return $0.allyScore > $1.allyScore }
            let a = $0.name.lowercased(), b = $1.name.lowercased()
            return a != b ? a < b : $0.id.uuidString < $1.id.uuidString
        }
        let funnel = Stage.allCases.map { stage in
            FunnelStep(stage: stage, count: db.opportunities.values.filter { $0.stage == stage }.count)
        }
        return Insight(
            now: now, normHours: normHours, you: times(allYours),
            monthly: monthly(allYours, now: now, zone: cal.timeZone, months: months),
            recruiters: recruiters, weekly: weekly(db, now: now, calendar: cal, weeks: weeks), funnel: funnel)
    }

    /// The candidate's replies per calendar month of the reply, the last `months` months.
    static func monthly(_ samples: [(at: Date, seconds: TimeInterval)], now: Date, zone: TimeZone, months: Int) -> [MonthlyReplies] {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        func key(_ d: Date) -> (Int, Int) {
            let c = cal.dateComponents([.year, .month], from: d)
            return (c.year ?? 0, c.month ?? 0)
        }
        var byMonth: [String: [Double]] = [:]
        func label(_ ym: (Int, Int)) -> String { String(format: "%04d-%02d", ym.0, ym.1) }
        for s in samples { byMonth[label(key(s.at)), default: []].append(s.seconds) }
        let (y, m) = key(now)
        return (0..<max(months, 0)).reversed().map { back in
            let total = y * 12 + (m - 1) - back
            let name = label((total / 12, total % 12 + 1))
            let xs = byMonth[name] ?? []
            return MonthlyReplies(month: name, replies: xs.count, medianHours: median(xs).map { round2($0 / 3600) })
        }
    }

    /// Inbound and outbound messages per week, Monday to Monday in the candidate's zone.
    static func weekly(_ db: Database, now: Date, calendar cal: BusinessCalendar, weeks: Int) -> [WeekActivity] {
        guard weeks > 0 else { return [] }
        let today = cal.startOfDay(now)
        let thisWeek = cal.adding(calendarDays: -(cal.isoWeekday(of: now) - 1), to: today)
        let starts = (0..<weeks).map { cal.adding(calendarDays: -7 * (weeks - 1 - $0), to: thisWeek) }
        var out = starts.map { WeekActivity(start: $0, inbound: 0, outbound: 0) }
        for thread in db.threads.values {
            for m in thread where m.at >= starts[0] && m.at <= now {
                // The last start at or before the message.
                var lo = 0, hi = starts.count - 1
                while lo < hi {
                    let mid = (lo + hi + 1) / 2
                    if starts[mid] <= m.at { lo = mid } else { hi = mid - 1 }
                }
                if m.direction == .inbound { out[lo].inbound += 1 } else { out[lo].outbound += 1 }
            }
        }
        return out
    }
}

/// Sparklines with block characters: ▁▂▃▄▅▆▇█.
public enum Sparkline {
    public static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// One character per value, scaled between `lower` (default: the smallest value) and
    /// `upper` (default: the largest). A nil value is a space (no data); values outside the
    /// range are clamped; when every value is the same, the line sits at ▄ (or ▁ at `lower`).
    public static func render(_ values: [Double?], lower: Double? = nil, upper: Double? = nil) -> String {
        let present = values.compactMap { $0 }.filter(\.isFinite)
        guard let lowest = lower ?? present.min(), let highest = upper ?? present.max() else {
            return String(repeating: " ", count: values.count)
        }
        let span = highest - lowest
        return String(values.map { v -> Character in
            guard let v, v.isFinite else { return " " }
            if span <= 0 { return v <= lowest && lower != nil ? blocks[0] : blocks[3] }
            let t = min(max((v - lowest) / span, 0), 1)
            return blocks[Int((t * Double(blocks.count - 1)).rounded())]
        })
    }

    /// Counts, scaled from 0 to the largest.
    public static func render(counts: [Int]) -> String {
        render(counts.map { Optional(Double($0)) }, lower: 0)
    }
}
