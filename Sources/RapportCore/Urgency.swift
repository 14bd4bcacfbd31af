import Foundation

/// The coefficients of the urgency score, in the way taskwarrior documents `urgency`:
/// a score is the sum of coefficient × factor over the terms that apply. The table with
/// the defaults is in docs/rules.md; every number can be overridden in config.toml
/// (missing keys keep their default).
public struct UrgencyWeights: Codable, Sendable, Equatable {
    /// Recruiter score: one coefficient per flag that is up, keyed by the flag's name.
    public var flag: [String: Double]
    /// Added to a blanket (mass-mailing) recruiter and to each of its deadlines.
    public var blanket: Double
    /// Per calendar day the most overdue deadline is late (recruiter and deadline scores).
    public var overduePerDay: Double
    /// Days after which lateness stops adding to the score.
    public var overdueMaxDays: Double
    /// Deadline score: added once when a deadline has passed.
    public var deadlineOverdue: Double
    /// Deadline score: up to this much as a deadline approaches (linear over `dueSoonDays`).
    public var deadlineDueSoon: Double
    public var dueSoonDays: Double
    /// Deadline score: a small tie-breaker per kind, keyed by the kind's name.
    public var deadlineKind: [String: Double]
    /// Deadline score: added to every deadline of a non-responsive recruiter (so they come first).
    public var deadlineNonResponsive: Double
    /// Deadline score: added to every deadline of a recruiter at non-responsive risk.
    public var deadlineNonResponsiveRisk: Double

    public static let defaultFlagWeights: [String: Double] = [
        Flag.nonResponsive.rawValue: 50,
        Flag.nonResponsiveRisk.rawValue: 12,
        Flag.replyOverdue.rawValue: 6,
        Flag.replyDue.rawValue: 3,
        Flag.thankYouDue.rawValue: 4,
        Flag.followUpOverdue.rawValue: 4,
        Flag.noShow.rawValue: 2,
        Flag.unprepared.rawValue: 3,
        Flag.awaitingThem.rawValue: 1,
        Flag.cold.rawValue: -1,
        Flag.duplicateSubmission.rawValue: 1,
        Flag.doNotContact.rawValue: -20,
    ]

    public static let defaultKindWeights: [String: Double] = [
        DeadlineKind.reply.rawValue: 1.0,
        DeadlineKind.interview.rawValue: 0.9,
        DeadlineKind.thankYou.rawValue: 0.8,
        DeadlineKind.followUp.rawValue: 0.6,
        DeadlineKind.expectation.rawValue: 0.4,
        DeadlineKind.checkIn.rawValue: 0.2,
    ]

    public init(
        flag: [String: Double] = UrgencyWeights.defaultFlagWeights, blanket: Double = -5,
        overduePerDay: Double = 1, overdueMaxDays: Double = 14, deadlineOverdue: Double = 10,
        deadlineDueSoon: Double = 5, dueSoonDays: Double = 7,
        deadlineKind: [String: Double] = UrgencyWeights.defaultKindWeights,
        deadlineNonResponsive: Double = 30, deadlineNonResponsiveRisk: Double = 4
    ) {
        self.flag = flag
        self.blanket = blanket
        self.overduePerDay = overduePerDay
        self.overdueMaxDays = overdueMaxDays
        self.deadlineOverdue = deadlineOverdue
        self.deadlineDueSoon = deadlineDueSoon
        self.dueSoonDays = dueSoonDays
        self.deadlineKind = deadlineKind
        self.deadlineNonResponsive = deadlineNonResponsive
        self.deadlineNonResponsiveRisk = deadlineNonResponsiveRisk
    }

    public static let `default` = UrgencyWeights()

    private enum CodingKeys: String, CodingKey {
        case flag, blanket, overduePerDay, overdueMaxDays, deadlineOverdue, deadlineDueSoon, dueSoonDays
        case deadlineKind, deadlineNonResponsive, deadlineNonResponsiveRisk
    }

    /// Missing keys keep their defaults; `flag` and `deadlineKind` entries override one by one.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = UrgencyWeights.default
        func v(_ key: CodingKeys, _ fallback: Double) throws -> Double {
            try c.decodeIfPresent(Double.self, forKey: key) ?? fallback
        }
        flag = d.flag.merging(try c.decodeIfPresent([String: Double].self, forKey: .flag) ?? [:]) { $1 }
        deadlineKind = d.deadlineKind.merging(try c.decodeIfPresent([String: Double].self, forKey: .deadlineKind) ?? [:]) { $1 }
        blanket = try v(.blanket, d.blanket)
        overduePerDay = try v(.overduePerDay, d.overduePerDay)
        overdueMaxDays = try v(.overdueMaxDays, d.overdueMaxDays)
        deadlineOverdue = try v(.deadlineOverdue, d.deadlineOverdue)
        deadlineDueSoon = try v(.deadlineDueSoon, d.deadlineDueSoon)
        dueSoonDays = try v(.dueSoonDays, d.dueSoonDays)
        deadlineNonResponsive = try v(.deadlineNonResponsive, d.deadlineNonResponsive)
        deadlineNonResponsiveRisk = try v(.deadlineNonResponsiveRisk, d.deadlineNonResponsiveRisk)
    }

    /// The weights as flat arrays indexed by `Flag.rank` / kind, for the hot path.
    struct Table {
        let flag: [Double]
        /// By `DeadlineKind.allCases` position (`kind(_:)`): no hashing per deadline.
        let kinds: [Double]
        init(_ w: UrgencyWeights) {
            flag = Flag.allCases.map { w.flag[$0.rawValue] ?? 0 }
            kinds = DeadlineKind.allCases.map { w.deadlineKind[$0.rawValue] ?? 0 }
        }

        /// The weight of a deadline of `kind`.
        func kind(_ kind: DeadlineKind) -> Double {
            let i: Int = switch kind {
            case .reply: 0
            case .thankYou: 1
            case .followUp: 2
            case .checkIn: 3
            case .expectation: 4
            case .interview: 5
            }
            return kinds[i]
        }
    }

    /// The lateness term: `overduePerDay` per calendar day past `due`, capped.
    func lateness(due: Date, now: Date) -> Double {
        guard now > due else { return 0 }
        return overduePerDay * min(now.timeIntervalSince(due) / 86_400, overdueMaxDays)
    }

    /// The approach term: grows linearly from 0 (`dueSoonDays` away) to `deadlineDueSoon` (now).
    func approach(due: Date, now: Date) -> Double {
        guard due >= now, dueSoonDays > 0 else { return 0 }
        let days = due.timeIntervalSince(now) / 86_400
        return deadlineDueSoon * max(0, 1 - days / dueSoonDays)
    }
}
