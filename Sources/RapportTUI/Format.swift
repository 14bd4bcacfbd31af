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

    /// "Mon 9 Mar 10:05", with the year when it differs from `now`'s.
    public static func stamp(_ date: Date, now: Date, timeZone: TimeZone) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let c = cal.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        let nowYear = cal.component(.year, from: now)
        var s = "\(weekdays[(c.weekday ?? 1) - 1]) \(c.day ?? 1) \(months[(c.month ?? 1) - 1])"
        if c.year != nowYear { s += " \(c.year ?? 0)" }
        return s + " " + clock(c.hour ?? 0, c.minute ?? 0)
    }

    /// A due time for the Deadlines pane: "Tue 10:00", or with the date "Tue 3 Mar 10:00"
    /// (the year when it is not this one: then only the date, "3 Mar 2025", or without
    /// the date the month, "Mar 2025").
    static func dueTime(_ date: Date, now: Date, timeZone: TimeZone, withDate: Bool) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let c = cal.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        if c.year != cal.component(.year, from: now) {
            // Another year: the date, or in the narrow column the month and year ("Aug 2025").
            return withDate ? "\(c.day ?? 1) \(months[(c.month ?? 1) - 1]) \(c.year ?? 0)" : "\(months[(c.month ?? 1) - 1]) \(c.year ?? 0)"
        }
        let day = weekdays[(c.weekday ?? 1) - 1]
        let time = clock(c.hour ?? 0, c.minute ?? 0)
        return withDate ? "\(day) \(c.day ?? 1) \(months[(c.month ?? 1) - 1]) \(time)" : "\(day) \(time)"
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
