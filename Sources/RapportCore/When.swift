import Foundation

/// Parses the date words the CLI and the forms accept (see docs/rules.md, "Date words").
///
/// Case-insensitive, surrounding and repeated spaces ignored. Times without a zone are on
/// the wall clock of `timeZone` (the candidate's zone):
/// - ISO 8601: `2026-03-09` (local midnight), `2026-03-09T13:00`, `2026-03-09 13:00:30`,
///   `2026-03-09T13:00Z`, `2026-03-09T13:00:00.250+01:00`, `…+0100`, `…+01`
/// - `now`; `today`, `tomorrow`, `yesterday` (local midnight), optionally with a time:
///   `tomorrow 10:00`
/// - a weekday, full or short (`tuesday`, `tue`, `tues`, `next tuesday`), optionally with a
///   time: the next such day, never today (on a Tuesday, `tuesday` is in a week)
/// - a time alone, `13:00` or `9:30:15`: today at that time
/// - relative: `+3d`, `-2h`, `+90m`, `+2w`, `+1d12h` (units w, d, h, m, s; days and weeks
///   keep the wall-clock time across DST, hours and shorter are exact)
/// - spelled out: `in 3 days`, `in 2 weeks`, `in 3 months`, `in a year`, `in 2 hours`,
///   `next week`, `next month`, `next year`, optionally with a time (`in 3 days 10:00`);
///   days, weeks, months and years keep the wall-clock time, a month later is the same day
///   of the month (or the month's last day: Jan 31 + 1 month is Feb 28)
public enum When {
    static let formsHint = "use ISO 8601 (2026-03-09, 2026-03-09T13:00, 2026-03-09T13:00Z), now, today, tomorrow [10:00], +3d, -2h, +90m, in 3 days, in 2 weeks, in 3 months, next week, next month, a weekday (tue, tuesday 13:00) or a time (13:00)"

    public static func parse(_ text: String, now: Date, timeZone: TimeZone) throws -> Date {
        let words = text.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        let cal = BusinessCalendar(timeZone: timeZone)
        if let date = parseWords(words, raw: text, now: now, cal: cal) {
            guard ISO8601.supported.contains(date) else {
                throw RapportError.usage("the date '\(visible(text))' is out of range (years 1 to 9999)")
            }
            if let asked = wallTime(in: text) {
                let l = cal.local(date)
                let got = (l - (l / 86_400).rounded(.down) * 86_400).rounded(.down)
                if got != asked {
                    let minutes = Int(got / 60)
                    throw RapportError.usage("'\(visible(text))' does not exist in \(timeZone.identifier): the clocks skip that hour (daylight saving); the nearest time is \(String(format: "%02d:%02d", minutes / 60, minutes % 60))")
                }
            }
            return date
        }
        throw RapportError.usage("cannot read the date '\(visible(text))': \(formsHint)")
    }

    /// The wall-clock time (seconds after midnight) written in `text` as `HH:MM[:SS]`, when
    /// no zone or offset follows it; nil otherwise. Used to notice a time that a
    /// daylight-saving change skips (it would silently become another hour).
    static func wallTime(in text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard let colon = t.firstIndex(of: ":") else { return nil }
        var start = colon
        while start > t.startIndex, t[t.index(before: start)].isNumber { start = t.index(before: start) }
        var end = colon
        while end < t.endIndex, t[end].isNumber || t[end] == ":" { end = t.index(after: end) }
        let rest = t[end...]
        // A fraction is fine; a zone (Z, +hh:mm, -hh:mm) means the time is not wall-clock.
        if rest.contains("Z") || rest.contains("+") || rest.contains("-") { return nil }
        return timeOfDay(String(t[start..<end]))
    }

    /// `text` with control characters escaped, so an error stays on one line.
    static func visible(_ text: String) -> String {
        var out = ""
        for u in text.unicodeScalars {
            if u.properties.generalCategory == .control {
                out += u.escaped(asASCII: true)
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// A date for something that has already happened (a logged message). A time more
    /// than a minute ahead is refused rather than stored as a message from the future
    /// (weekday words mean the next such day, which is rarely what a log means).
    public static func parsePast(_ text: String, now: Date, timeZone: TimeZone) throws -> Date {
        let date = try parse(text, now: now, timeZone: timeZone)
        guard date <= now.addingTimeInterval(60) else {
            throw RapportError.usage("'\(visible(text))' is in the future; a logged message has already happened (try -2d, -3h or a date like 2026-03-09T13:00)")
        }
        return date
    }

    /// `7d`, `36h`, `90m`, `2w`, `45s`, or several at once: `1d12h`, `1.5d`.
    public static func parseDuration(_ text: String) throws -> TimeInterval {
        guard let parts = durationParts(text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw RapportError.usage("cannot read the duration '\(visible(text))': use a number and a unit (w, d, h, m, s), like 7d, 36h, 90m, 2w or 1d12h")
        }
        return parts.reduce(0) { $0 + $1.value * $1.unit.seconds }
    }

    // MARK: - Pieces

    enum Unit: Character {
        case week = "w", day = "d", hour = "h", minute = "m", second = "s"
        var seconds: Double {
            switch self {
            case .week: return 7 * 86_400
            case .day: return 86_400
            case .hour: return 3600
            case .minute: return 60
            case .second: return 1
            }
        }
    }

    /// `1d12h` → [(1, d), (12, h)]. Nil unless the whole text is number-unit pairs.
    static func durationParts(_ t: String) -> [(value: Double, unit: Unit)]? {
        var out: [(value: Double, unit: Unit)] = []
        var number = ""
        for ch in t {
            if ch.isASCII, ch.isNumber || ch == "." {
                number.append(ch)
            } else if let unit = Unit(rawValue: ch), let n = Double(number), n.isFinite, n >= 0 {
                out.append((n, unit))
                number = ""
            } else {
                return nil
            }
        }
        return number.isEmpty && !out.isEmpty ? out : nil
    }

    static let weekdays: [String: Int] = [
        "monday": 1, "mon": 1,
        "tuesday": 2, "tue": 2, "tues": 2,
        "wednesday": 3, "wed": 3,
        "thursday": 4, "thu": 4, "thur": 4, "thurs": 4,
        "friday": 5, "fri": 5,
        "saturday": 6, "sat": 6,
        "sunday": 7, "sun": 7,
    ]

    static func parseWords(_ words: [String], raw: String, now: Date, cal: BusinessCalendar) -> Date? {
        guard !words.isEmpty else { return nil }
        var words = words
        if words.count == 1 {
            let w = words[0]
            if w == "now" { return now }
            if let sign = w.first, sign == "+" || sign == "-" {
                return relative(String(w.dropFirst()), negative: sign == "-", now: now, cal: cal)
            }
            if let secs = timeOfDay(w) { return at(day: today(now, cal), seconds: secs, cal: cal) }
            if let iso = isoDate(raw.trimmingCharacters(in: .whitespaces), cal: cal) { return iso }
        }
        if words.count == 2, let iso = isoDate(words.joined(separator: "T").uppercased(), cal: cal) {
            return iso // "2026-03-09 13:00"
        }
        if words.first == "in" || (words.first == "next" && words.count >= 2 && weekdays[words[1]] == nil) {
            return spelled(words, now: now, cal: cal)
        }
        // A day word, then an optional time.
        var seconds = 0.0
        if words.count >= 2 {
            guard let s = timeOfDay(words.removeLast()) else { return nil }
            seconds = s
        }
        if words.count == 2, words[0] == "next", weekdays[words[1]] != nil { words.removeFirst() }
        guard words.count == 1 else { return nil }
        let todayIndex = today(now, cal)
        switch words[0] {
        case "today": return at(day: todayIndex, seconds: seconds, cal: cal)
        case "tomorrow": return at(day: todayIndex + 1, seconds: seconds, cal: cal)
        case "yesterday": return at(day: todayIndex - 1, seconds: seconds, cal: cal)
        default:
            guard let target = weekdays[words[0]] else { return nil }
            let current = BusinessCalendar.isoWeekday(day: todayIndex)
            let ahead = (target - current + 7) % 7
            return at(day: todayIndex + (ahead == 0 ? 7 : ahead), seconds: seconds, cal: cal)
        }
    }

    /// Units of the spelled-out forms, singular and plural.
    enum SpelledUnit {
        case second, minute, hour, day, week, month, year

        init?(_ word: String) {
            switch word {
            case "second", "seconds", "sec", "secs": self = .second
            case "minute", "minutes", "min", "mins": self = .minute
            case "hour", "hours", "hr", "hrs": self = .hour
            case "day", "days": self = .day
            case "week", "weeks", "wk", "wks": self = .week
            case "month", "months": self = .month
            case "year", "years", "yr", "yrs": self = .year
            default: return nil
            }
        }
    }

    /// `in 3 months`, `in a week`, `next month`, each optionally followed by a time of day
    /// (`in 3 days 10:00`), which then replaces the time of the day reached.
    static func spelled(_ words: [String], now: Date, cal: BusinessCalendar) -> Date? {
        var words = words
        var time: Double?
        if words.count >= 3, let t = timeOfDay(words[words.count - 1]) {
            time = t
            words.removeLast()
            if words.last == "at" { words.removeLast() }
        }
        let count: Int
        let unit: SpelledUnit
        if words.count == 2, words[0] == "next", let u = SpelledUnit(words[1]) {
            count = 1
            unit = u
        } else if words.count == 3, words[0] == "in", let u = SpelledUnit(words[2]) {
            if words[1] == "a" || words[1] == "an" || words[1] == "one" {
                count = 1
            } else if words[1].count <= 6, words[1].allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(words[1]) {
                count = n
            } else {
                return nil
            }
            unit = u
        } else {
            return nil
        }
        let shifted: Date
        switch unit {
        case .second: shifted = now.addingTimeInterval(Double(count))
        case .minute: shifted = now.addingTimeInterval(Double(count) * 60)
        case .hour: shifted = now.addingTimeInterval(Double(count) * 3600)
        case .day: shifted = cal.adding(calendarDays: count, to: now)
        case .week: shifted = cal.adding(calendarDays: 7 * count, to: now)
        case .month: shifted = addingMonths(count, to: now, cal: cal)
        case .year: shifted = addingMonths(12 * count, to: now, cal: cal)
        }
        guard let time else { return shifted }
        return at(day: today(shifted, cal), seconds: time, cal: cal)
    }

    /// The same wall-clock time `months` calendar months later; the day of the month is
    /// kept, or clamped to the last day of a shorter month.
    static func addingMonths(_ months: Int, to date: Date, cal: BusinessCalendar) -> Date {
        let local = cal.local(date)
        let day = BusinessCalendar.dayIndex(local: local)
        let secondsIntoDay = local - Double(day) * 86_400
        let civil = CivilDate.date(fromDays: day)
        let index = civil.year * 12 + (civil.month - 1) + months
        let year = Int((Double(index) / 12).rounded(.down))
        let month = index - year * 12 + 1
        let d = min(civil.day, daysIn(month: month, year: year))
        return cal.absolute(local: Double(CivilDate.days(year: year, month: month, day: d)) * 86_400 + secondsIntoDay)
    }

    /// Today's day index (days since 1970-01-01) on the local wall clock.
    static func today(_ now: Date, _ cal: BusinessCalendar) -> Int { BusinessCalendar.dayIndex(local: cal.local(now)) }

    static func at(day: Int, seconds: Double, cal: BusinessCalendar) -> Date {
        cal.absolute(local: Double(day) * 86_400 + seconds)
    }

    /// `+3d`, `1d12h`: days and weeks on the wall clock, the rest exact.
    static func relative(_ t: String, negative: Bool, now: Date, cal: BusinessCalendar) -> Date? {
        guard let parts = durationParts(t) else { return nil }
        let sign: Double = negative ? -1 : 1
        var days = 0.0, exact = 0.0
        for p in parts {
            switch p.unit {
            case .week, .day: days += p.value * p.unit.seconds / 86_400
            default: exact += p.value * p.unit.seconds
            }
        }
        let whole = days.rounded(.towardZero)
        guard abs(whole) < 1_000_000 else { return nil }
        let shifted = cal.adding(calendarDays: Int(sign * whole), to: now)
        return shifted.addingTimeInterval(sign * ((days - whole) * 86_400 + exact))
    }

    /// `13:00`, `9:30`, `13:00:15` → seconds after midnight.
    static func timeOfDay(_ t: String) -> Double? {
        let parts = t.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts[1].count == 2, parts.count == 2 || parts[2].count == 2
        else { return nil }
        let h = Int(parts[0])!, m = Int(parts[1])!, s = parts.count == 3 ? Int(parts[2])! : 0
        guard h < 24, m < 60, s < 60 else { return nil }
        return Double(h * 3600 + m * 60 + s)
    }

    /// ISO 8601 date or date-time (`T` separator), with an optional zone; no zone means
    /// the wall clock of `cal`. Nil for anything else, including impossible dates.
    static func isoDate(_ t: String, cal: BusinessCalendar) -> Date? {
        let s = Array(t.uppercased().utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= s.count else { return nil }
            var v = 0
            for i in from..<from + count {
                guard s[i] >= 48, s[i] <= 57 else { return nil }
                v = v * 10 + Int(s[i] - 48)
            }
            return v
        }
        guard s.count >= 10, let y = digits(0, 4), s[4] == 45, let mo = digits(5, 2), s[7] == 45,
              let d = digits(8, 2), (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y)
        else { return nil }
        let day = CivilDate.days(year: y, month: mo, day: d)
        if s.count == 10 { return at(day: day, seconds: 0, cal: cal) }
        guard s[10] == 84, let h = digits(11, 2), s.count > 13, s[13] == 58, let mi = digits(14, 2),
              h < 24, mi < 60 else { return nil }
        var i = 16, sec = 0.0
        if i < s.count, s[i] == 58 {
            guard let ss = digits(i + 1, 2), ss < 60 else { return nil }
            sec = Double(ss)
            i += 3
            if i < s.count, s[i] == 46 || s[i] == 44 { // fraction
                var j = i + 1, scale = 0.1
                while j < s.count, s[j] >= 48, s[j] <= 57 { sec += Double(s[j] - 48) * scale; scale /= 10; j += 1 }
                guard j > i + 1 else { return nil }
                i = j
            }
        }
        let local = Double(day) * 86_400 + Double(h * 3600 + mi * 60) + sec
        if i == s.count { return cal.absolute(local: local) }
        if s[i] == 90 { // Z
            return i + 1 == s.count ? Date(timeIntervalSince1970: local) : nil
        }
        guard s[i] == 43 || s[i] == 45, let oh = digits(i + 1, 2), oh <= 18 else { return nil }
        var om = 0
        switch s.count - (i + 3) {
        case 0: break
        case 2: guard let m = digits(i + 3, 2) else { return nil }; om = m
        case 3: guard s[i + 3] == 58, let m = digits(i + 4, 2) else { return nil }; om = m
        default: return nil
        }
        guard om < 60 else { return nil }
        let offset = Double(oh * 3600 + om * 60) * (s[i] == 45 ? -1 : 1)
        return Date(timeIntervalSince1970: local - offset)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
