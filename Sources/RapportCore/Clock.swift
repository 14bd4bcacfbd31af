import Foundation

/// Where "now" comes from. Injected everywhere so tests and demos can fix it.
public struct Clock: Sendable {
    private let source: @Sendable () -> Date

    public init(_ source: @escaping @Sendable () -> Date) { self.source = source }

    /// Now, truncated to whole seconds (the store keeps seconds).
    public func now() -> Date { source().rounded }

    public static let system = Clock { Date() }

    public static func fixed(_ date: Date) -> Clock { Clock { date } }

    /// `RAPPORT_NOW` (ISO 8601) fixes the clock; otherwise the system clock.
    /// Throws a readable error when the variable is set but does not parse.
    public static func from(environment: [String: String]) throws -> Clock {
        guard let raw = environment["RAPPORT_NOW"], !raw.isEmpty else { return .system }
        guard let date = ISO8601.parse(raw) else {
            throw RapportError.usage("RAPPORT_NOW=\(raw) is not an ISO 8601 date-time (e.g. 2026-03-09T10:00:00Z)")
        }
        return .fixed(date)
    }
}

/// ISO 8601 helpers shared by the CLI and the store.
public enum ISO8601 {
    /// The dates Rapport stores: years 1 to 9999 (what a four-digit ISO 8601 year holds).
    public static let supported: ClosedRange<Date> =
        Date(timeIntervalSince1970: -62_135_596_800)...Date(timeIntervalSince1970: 253_402_300_799)

    /// Parses `2026-03-09T10:00:00Z`, with offset, with fractional seconds, or a bare date
    /// `2026-03-09` (midnight UTC): the date words' ISO reader, in UTC, no formatter.
    public static func parse(_ s: String) -> Date? {
        let t = s.trimmingCharacters(in: .whitespaces)
        // A date-time must say its zone (Z or an offset); only a bare date means UTC.
        guard When.wallTime(in: t) == nil else { return nil }
        return When.isoDate(t, cal: utcCalendar)
    }

    private static let utcCalendar = BusinessCalendar(timeZone: TimeZone(identifier: "UTC")!)

    /// `2026-03-09T10:00:00Z`, whole seconds (rounded down), without a formatter. Dates are
    /// checked at the edges (When.parse, the importers); clamping to `supported` here keeps
    /// a save from ever trapping or writing a date ISO 8601 cannot hold.
    public static func format(_ d: Date) -> String {
        let t = d.timeIntervalSince1970.isNaN ? 0 : d.timeIntervalSince1970
        let bounded = min(max(t, supported.lowerBound.timeIntervalSince1970), supported.upperBound.timeIntervalSince1970)
        let secs = Int(bounded.rounded(.down))
        var days = secs / 86400
        var rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let (y, m, dd) = CivilDate.date(fromDays: days)
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(repeating: "0", count: 4 - String(y).count) + String(y)
        return "\(year)-\(p2(m))-\(p2(dd))T\(p2(rem / 3600)):\(p2(rem % 3600 / 60)):\(p2(rem % 60))Z"
    }
}

/// Errors every front end reports the same way: one line, an exit code.
public enum RapportError: Error, Equatable, CustomStringConvertible {
    /// Bad invocation or input: exit 2.
    case usage(String)
    /// Anything else that failed: exit 1.
    case failure(String)

    public var description: String {
        switch self {
        case .usage(let m), .failure(let m): return m
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .usage: return 2
        case .failure: return 1
        }
    }
}

extension Date {
    /// Truncated to whole seconds, as the store keeps them.
    public var rounded: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
