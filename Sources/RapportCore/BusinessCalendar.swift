import Foundation

/// Business time in one time zone: which moments fall inside business hours, and what
/// "N business days / hours after" a moment is. Counted on the wall clock of `timeZone`,
/// so a business day is 09:00–18:00 local time on both sides of a DST change.
///
/// Built once per evaluation and reused: no `Calendar` or formatter is created per call.
/// The arithmetic works on "local seconds" (UTC seconds plus the zone's offset at that
/// moment), so one day is 86 400 local seconds whatever the DST state.
public struct BusinessCalendar: Sendable, Equatable {
    public let timeZone: TimeZone
    public let startHour: Int
    public let endHour: Int
    /// ISO weekdays that are business days: 1 = Monday … 7 = Sunday.
    public let weekdays: Set<Int>
    private let mask: UInt8
    /// The zone's UTC offsets in a window around an anchor date, so the hot path does not
    /// ask ICU (a lock and a calendar computation per call) for every offset.
    private let offsets: OffsetTable?

    /// With `anchor`, offsets within three years of it are looked up in a table built once
    /// from the zone's transitions; without, every offset is asked of `timeZone`.
    public init(timeZone: TimeZone, startHour: Int = 9, endHour: Int = 18, weekdays: [Int] = [1, 2, 3, 4, 5],
                anchor: Date? = nil) {
        self.timeZone = timeZone
        self.startHour = startHour
        self.endHour = endHour
        let valid = weekdays.filter { (1...7).contains($0) }
        self.weekdays = Set(valid)
        self.mask = valid.reduce(0) { $0 | (1 << UInt8($1 - 1)) }
        self.offsets = anchor.map { OffsetTable(timeZone: timeZone, around: $0) }
    }

    /// The candidate's business calendar from a policy (an unknown zone name falls back to
    /// UTC), with offsets cached around `anchor` (the evaluation's "now").
    public init(policy: Policy, anchor: Date? = nil) {
        self.init(timeZone: policy.resolvedTimeZone, startHour: policy.businessDayStartHour,
                  endHour: policy.businessDayEndHour, weekdays: policy.businessWeekdays, anchor: anchor)
    }

    /// UTC offsets of one zone between `start` and `end`, as segments starting at each
    /// transition (two a year with DST, one segment without).
    struct OffsetTable: Sendable, Equatable {
        var start: Double
        var end: Double
        var from: [Double] = []
        var offset: [Int] = []

        init(timeZone: TimeZone, around anchor: Date) {
            let span = 3.0 * 366 * 86_400
            start = anchor.timeIntervalSince1970 - span
            end = anchor.timeIntervalSince1970 + span
            var t = Date(timeIntervalSince1970: start)
            from.append(start)
            offset.append(timeZone.secondsFromGMT(for: t))
            while from.count < 64, let next = timeZone.nextDaylightSavingTimeTransition(after: t),
                  next.timeIntervalSince1970 < end, next > t {
                from.append(next.timeIntervalSince1970)
                offset.append(timeZone.secondsFromGMT(for: next))
                t = next
            }
            if from.count >= 64 { end = from[from.count - 1] } // a zone gone wild: cache less
        }

        @inline(__always)
        func lookup(_ t: Double) -> Int? {
            guard t >= start, t < end else { return nil }
            var i = from.count - 1
            while i > 0, from[i] > t { i -= 1 }
            return offset[i]
        }
    }

    /// The zone's offset from UTC at `t` (seconds since 1970), from the table when possible.
    @inline(__always)
    func offset(at t: Double) -> Int {
        offsets?.lookup(t) ?? timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: t))
    }

    /// Length of one business day (09–18 → 9 hours).
    public var businessDayLength: TimeInterval { TimeInterval(endHour - startHour) * 3600 }

    /// False for a nonsensical configuration (no business weekday, end before start): then
    /// business time degrades to plain elapsed time instead of looping forever.
    public var isUsable: Bool { mask != 0 && startHour >= 0 && endHour <= 24 && endHour > startHour }

    // MARK: - Local-time arithmetic

    /// Seconds since 1970 on the local wall clock.
    @inline(__always)
    func local(_ d: Date) -> Double { d.timeIntervalSince1970 + Double(offset(at: d.timeIntervalSince1970)) }

    /// The moment whose local wall-clock reading is `l`. In a spring-forward gap this gives
    /// the moment an hour earlier on the old offset; business hours never sit in one here.
    @inline(__always)
    func absolute(local l: Double) -> Date {
        let guess = l - Double(offset(at: l))
        return Date(timeIntervalSince1970: l - Double(offset(at: guess)))
    }

    @inline(__always)
    static func dayIndex(local l: Double) -> Int { Int((l / 86_400).rounded(.down)) }

    /// ISO weekday (1 = Monday) of a day index (days since 1970-01-01, a Thursday).
    @inline(__always)
    static func isoWeekday(day: Int) -> Int { ((day + 3) % 7 + 7) % 7 + 1 }

    @inline(__always)
    func isBusinessDay(_ day: Int) -> Bool { mask & (1 << UInt8(Self.isoWeekday(day: day) - 1)) != 0 }

    // MARK: - Queries

    /// ISO weekday (1 = Monday … 7 = Sunday) of `date` in this zone.
    public func isoWeekday(of date: Date) -> Int { Self.isoWeekday(day: Self.dayIndex(local: local(date))) }

    /// True on a business day between opening (inclusive) and closing (exclusive).
    public func isBusinessTime(_ date: Date) -> Bool {
        let l = local(date)
        let day = Self.dayIndex(local: l)
        guard isUsable, isBusinessDay(day) else { return false }
        let secondOfDay = l - Double(day) * 86_400
        return secondOfDay >= Double(startHour * 3600) && secondOfDay < Double(endHour * 3600)
    }

    /// Local midnight of the day `date` falls on.
    public func startOfDay(_ date: Date) -> Date {
        absolute(local: Double(Self.dayIndex(local: local(date))) * 86_400)
    }

    /// Same wall-clock time `days` calendar days later (23 or 25 hours across a DST change).
    public func adding(calendarDays days: Int, to date: Date) -> Date {
        absolute(local: local(date) + Double(days) * 86_400)
    }

    /// `seconds` of business time after `date`. A start outside business hours first moves
    /// to the next opening; a result that fills a day exactly is that day's closing time, so
    /// "Sat 12:00 + 1 business day" is Mon 18:00 and "Mon 09:00 + 1 business day" Mon 18:00.
    public func adding(businessSeconds seconds: TimeInterval, to date: Date) -> Date {
        guard isUsable, seconds.isFinite, seconds >= 0 else {
            return date.addingTimeInterval(seconds.isFinite ? seconds : 0)
        }
        var remaining = seconds
        var day = Self.dayIndex(local: local(date))
        var from = date
        let open = Double(startHour * 3600), close = Double(endHour * 3600)
        // Bounded: a business weekday exists (isUsable), so each week consumes business time.
        let maxDays = 8 + Int(seconds / businessDayLength * 7.0 / Double(weekdays.count)) + 7
        for _ in 0..<maxDays {
            if isBusinessDay(day) {
                let base = Double(day) * 86_400
                let start = absolute(local: base + open)
                let end = absolute(local: base + close)
                let begin = max(from, start)
                if begin < end {
                    let available = end.timeIntervalSince(begin)
                    if remaining <= available { return begin.addingTimeInterval(remaining) }
                    remaining -= available
                }
            }
            day += 1
            from = .distantPast
        }
        return date.addingTimeInterval(seconds)
    }

    /// `days` business days after `date`: the same time on the `days`-th next business day
    /// when `date` is inside business hours (Fri 17:00 + 1 → Mon 17:00).
    public func adding(businessDays days: Double, to date: Date) -> Date {
        adding(businessSeconds: days * businessDayLength, to: date)
    }

    /// `hours` business hours after `date` (Fri 16:00 + 4 → Mon 11:00).
    public func adding(businessHours hours: Double, to date: Date) -> Date {
        adding(businessSeconds: hours * 3600, to: date)
    }
}
