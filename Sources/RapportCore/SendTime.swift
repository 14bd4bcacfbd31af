import Foundation

/// Whether now is a good moment to write to someone: inside their business hours (the
/// policy's hours and weekdays, on the wall clock of *their* zone). Pure; DST-correct
/// because `BusinessCalendar` counts on the local wall clock.
public struct SendTimeCheck: Sendable, Equatable {
    /// The recipient's zone.
    public var timeZone: TimeZone
    public var now: Date
    /// True inside their business hours.
    public var isBusinessTime: Bool
    /// The next opening of their business hours; equal to `now` when `isBusinessTime`.
    public var nextGoodTime: Date

    /// Nil inside business hours; otherwise one line such as
    /// "It's 03:12 Tue for Dana (Asia/Tokyo); send after 09:00 Tue their time, 01:00 Tue yours (Europe/London)".
    public func warning(name: String, yourZone: TimeZone) -> String? {
        guard !isBusinessTime else { return nil }
        let theirs = SendTime.clock(now, timeZone)
        let next = SendTime.clock(nextGoodTime, timeZone)
        let yours = SendTime.clock(nextGoodTime, yourZone)
        return "It's \(theirs) for \(name) (\(timeZone.identifier)); send after \(next) their time, "
            + "\(yours) yours (\(yourZone.identifier))"
    }
}

public enum SendTime {
    /// The check at `now` for someone in `timeZone`, with the business hours of `policy`.
    public static func check(timeZone: TimeZone, now: Date, policy: Policy) -> SendTimeCheck {
        let cal = BusinessCalendar(timeZone: timeZone, startHour: policy.businessDayStartHour,
                                   endHour: policy.businessDayEndHour, weekdays: policy.businessWeekdays)
        let inside = cal.isBusinessTime(now)
        // Zero business seconds after `now` is the next opening (or `now` itself inside hours).
        let next = inside || !cal.isUsable ? now : cal.adding(businessSeconds: 0, to: now)
        return SendTimeCheck(timeZone: timeZone, now: now, isBusinessTime: inside || !cal.isUsable, nextGoodTime: next)
    }

    /// The check for a recruiter, or nil when they have no (known) time zone.
    public static func check(_ recruiter: Recruiter, now: Date, policy: Policy) -> SendTimeCheck? {
        guard let name = recruiter.timeZone, let zone = TimeZone(identifier: name) else { return nil }
        return check(timeZone: zone, now: now, policy: policy)
    }

    /// "03:12 Tue" on the wall clock of `zone`.
    static func clock(_ date: Date, _ zone: TimeZone) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.hour, .minute, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        return String(format: "%02d:%02d ", c.hour ?? 0, c.minute ?? 0) + days[((c.weekday ?? 1) - 1) % 7]
    }
}
