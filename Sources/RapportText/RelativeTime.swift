import Foundation

/// Relative times as people read them, the same in the interface and the CLI
/// (`rapport due`, `rapport show`): "overdue 2d", "due in 3h", "due now", "3w".
public enum RelativeTime {
    /// "overdue 2d", "overdue 3h", "due in 45m", "due in 3h", "due in 2d", "due now" (at
    /// the due time or within the minute before it), "overdue <1m" (past it by less than a
    /// minute: overdue is strictly after the due time, everywhere).
    public static func due(_ due: Date, now: Date) -> String {
        let seconds = due.timeIntervalSince(now)
        if seconds >= 0 && seconds < 60 { return "due now" }
        if seconds < 0 && seconds > -60 { return "overdue <1m" }
        let span = span(abs(seconds))
        return seconds < 0 ? "overdue \(span)" : "due in \(span)"
    }

    /// "5m", "3h", "2d", "3w" (whole units, rounded down; at least 1m).
    public static func span(_ seconds: TimeInterval) -> String {
        let s = Int(seconds)
        if s < 3600 { return "\(max(1, s / 60))m" }
        if s < 86400 { return "\(s / 3600)h" }
        if s < 86400 * 14 { return "\(s / 86400)d" }
        return "\(s / (86400 * 7))w"
    }
}
