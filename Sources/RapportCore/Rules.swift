import Foundation

/// Every number the rules use. Defaults are documented in docs/rules.md.
public struct Policy: Codable, Sendable, Equatable {
    /// The candidate's IANA time zone (business hours are counted in it).
    public var timeZone: String
    public var businessDayStartHour: Int = 9
    public var businessDayEndHour: Int = 18
    /// ISO weekdays that are business days: 1 = Monday … 7 = Sunday.
    public var businessWeekdays: [Int] = [1, 2, 3, 4, 5]

    public init(timeZone: String = "UTC") { self.timeZone = timeZone }

    public static let `default` = Policy()
}

/// The rules: whose turn it is, what is due, which flags are up. Pure; `now` is a parameter.
public enum Rules {
    /// The status of one recruiter at `now`.
    public static func status(of recruiterID: UUID, in db: Database, now: Date, policy: Policy) -> RecruiterStatus {
        // Placeholder until the full rules land: whose turn from the last message only.
        let thread = db.thread(recruiterID)
        var status = RecruiterStatus(recruiterID: recruiterID)
        status.lastContact = thread.last?.at
        if let last = thread.last {
            status.turn = last.direction == .inbound && !last.noReplyNeeded ? .mine : .theirs
        }
        if db.recruiters[recruiterID]?.status == .doNotContact { status.flags = [.doNotContact] }
        return status
    }

    /// Status of every recruiter.
    public static func evaluate(_ db: Database, now: Date, policy: Policy) -> [UUID: RecruiterStatus] {
        var out: [UUID: RecruiterStatus] = [:]
        for id in db.recruiters.keys { out[id] = status(of: id, in: db, now: now, policy: policy) }
        return out
    }

    /// Every deadline across all recruiters, most urgent first.
    public static func deadlines(in db: Database, now: Date, policy: Policy) -> [Deadline] {
        evaluate(db, now: now, policy: policy).values.flatMap(\.deadlines).sorted { $0.urgency > $1.urgency }
    }
}
