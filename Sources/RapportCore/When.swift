import Foundation

/// Parses the date words the CLI and the forms accept (see docs/rules.md).
/// FIRST CUT: ISO 8601, now, today, tomorrow, +Nd/-Nh. Weekday names come with the rules.
public enum When {
    public static func parse(_ text: String, now: Date, timeZone: TimeZone) throws -> Date {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        switch t {
        case "now": return now
        case "today": return cal.startOfDay(for: now)
        case "tomorrow": return cal.date(byAdding: .day, value: 1, to: cal.startOfDay(for: now))!
        default: break
        }
        if let first = t.first, first == "+" || first == "-" {
            return now.addingTimeInterval((first == "-" ? -1 : 1) * (try parseDuration(String(t.dropFirst()))))
        }
        if let d = ISO8601.parse(text.trimmingCharacters(in: .whitespaces)) { return d }
        throw RapportError.usage("cannot read the date '\(text)': use ISO 8601 (2026-03-09 or 2026-03-09T13:00), now, today, tomorrow, +3d, -2h or a weekday (tuesday 13:00)")
    }

    /// `7d`, `36h`, `90m`, `2w`.
    public static func parseDuration(_ text: String) throws -> TimeInterval {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = t.last, let n = Double(t.dropLast()), n >= 0 else {
            throw RapportError.usage("cannot read the duration '\(text)': use a number and a unit, like 7d, 36h, 90m or 2w")
        }
        switch unit {
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86400
        case "w": return n * 7 * 86400
        default:
            throw RapportError.usage("cannot read the duration '\(text)': use a number and a unit, like 7d, 36h, 90m or 2w")
        }
    }
}
