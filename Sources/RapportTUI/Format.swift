import Foundation
import RapportCore
import RapportText

/// Times as people read them: relative for deadlines, short absolute for messages.
/// Pure: `now` and the time zone are parameters.
public enum Format {
    // Deadlines ("overdue 2d", "due now") and spans ("3w") are `RelativeTime`
    // (RapportTerminal), shared with the CLI.

    /// "2h ago", "3d ago".
    public static func ago(_ date: Date, now: Date) -> String {
        let s = now.timeIntervalSince(date)
        return s < 60 ? "just now" : "\(RelativeTime.span(s)) ago"
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// A moment on the wall clock of a zone, in the Gregorian calendar: what
    /// `Calendar(identifier: .gregorian)` in that zone gives, without making a Calendar
    /// per call (a thread's every message has a time): the zone's offset at that moment,
    /// then days to a civil date (the days-from-civil inverse, proleptic Gregorian).
    struct Civil: Equatable {
        var year: Int, month: Int, day: Int
        /// 1 = Sunday … 7 = Saturday, as `Calendar`.
        var weekday: Int
        var hour: Int, minute: Int
    }

    static func civil(_ date: Date, timeZone: TimeZone) -> Civil {
        let t = date.timeIntervalSince1970
        // Before the Gregorian reform, Calendar switches to the Julian calendar; far
        // outside any date a person types, let it do so.
        guard t > -12_219_292_800, t < 253_402_300_800 else { return calendarCivil(date, timeZone: timeZone) }
        let local = Int((t + Double(timeZone.secondsFromGMT(for: date))).rounded(.down))
        let days = local >= 0 ? local / 86_400 : -((-local + 86_399) / 86_400)
        let second = local - days * 86_400
        let (year, month, day) = CivilDate.date(fromDays: days)
        let weekday = ((days + 4) % 7 + 7) % 7 + 1  // 1 January 1970 was a Thursday (5)
        return Civil(year: year, month: month, day: day, weekday: weekday, hour: second / 3600, minute: second % 3600 / 60)
    }

    /// The same from `Calendar` (the reference `civil` is tested against).
    static func calendarCivil(_ date: Date, timeZone: TimeZone) -> Civil {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let c = cal.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        return Civil(year: c.year ?? 0, month: c.month ?? 1, day: c.day ?? 1, weekday: c.weekday ?? 1,
                     hour: c.hour ?? 0, minute: c.minute ?? 0)
    }

    /// "Mon 9 Mar 10:05", with the year when it differs from `now`'s.
    public static func stamp(_ date: Date, now: Date, timeZone: TimeZone) -> String {
        let c = civil(date, timeZone: timeZone)
        let nowYear = civil(now, timeZone: timeZone).year
        var s = "\(weekdays[c.weekday - 1]) \(c.day) \(months[c.month - 1])"
        if c.year != nowYear { s += " \(c.year)" }
        return s + " " + clock(c.hour, c.minute)
    }

    /// A due time for the Deadlines pane: "Tue 10:00", or with the date "Tue 3 Mar 10:00"
    /// (the year when it is not this one: then only the date, "3 Mar 2025", or without
    /// the date the month, "Mar 2025").
    static func dueTime(_ date: Date, now: Date, timeZone: TimeZone, withDate: Bool) -> String {
        let c = civil(date, timeZone: timeZone)
        if c.year != civil(now, timeZone: timeZone).year {
            // Another year: the date, or in the narrow column the month and year ("Aug 2025").
            return withDate ? "\(c.day) \(months[c.month - 1]) \(c.year)" : "\(months[c.month - 1]) \(c.year)"
        }
        let day = weekdays[c.weekday - 1]
        let time = clock(c.hour, c.minute)
        return withDate ? "\(day) \(c.day) \(months[c.month - 1]) \(time)" : "\(day) \(time)"
    }

    /// What tells a recruiter apart from another of the same name: "Acme Talent ·
    /// priya@acme.example · id 1a2b3c4d" (the id as the CLI prints and accepts it).
    static func identity(_ r: Recruiter) -> String {
        let parts = [r.firm, r.email].compactMap { $0?.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return (parts + ["id " + String(r.id.uuidString.lowercased().prefix(8))]).joined(separator: " · ")
    }

    static func clock(_ h: Int, _ m: Int) -> String {
        (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}
