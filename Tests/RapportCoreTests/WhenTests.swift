import Foundation
import Testing
@testable import RapportCore

@Suite struct WhenTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var now = "2026-01-07 15:30" // a Wednesday in New York
        var expected: String
        var testDescription: String { "'\(text)' at \(now) → \(expected)" }
    }

    static let cases: [Case] = [
        Case(text: "now", expected: "2026-01-07 15:30"),
        Case(text: " Now ", expected: "2026-01-07 15:30"),
        Case(text: "today", expected: "2026-01-07 00:00"),
        Case(text: "TODAY 10:00", expected: "2026-01-07 10:00"),
        Case(text: "tomorrow", expected: "2026-01-08 00:00"),
        Case(text: "tomorrow 10:00", expected: "2026-01-08 10:00"),
        Case(text: "tomorrow   9:05", expected: "2026-01-08 09:05"),
        Case(text: "yesterday 9:30", expected: "2026-01-06 09:30"),
        Case(text: "13:00", expected: "2026-01-07 13:00"),
        Case(text: "9:05:30", expected: "2026-01-07 09:05:30"),
        // Weekdays: the next such day, never today.
        Case(text: "tuesday 13:00", expected: "2026-01-13 13:00"),
        Case(text: "tue", expected: "2026-01-13 00:00"),
        Case(text: "Tues 8:00", expected: "2026-01-13 08:00"),
        Case(text: "wednesday", expected: "2026-01-14 00:00"),
        Case(text: "thursday", expected: "2026-01-08 00:00"),
        Case(text: "thu 17:45", expected: "2026-01-08 17:45"),
        Case(text: "next fri 9:00", expected: "2026-01-09 09:00"),
        Case(text: "Sat", expected: "2026-01-10 00:00"),
        Case(text: "sunday", expected: "2026-01-11 00:00"),
        Case(text: "mon", expected: "2026-01-12 00:00"),
        // Relative.
        Case(text: "+3d", expected: "2026-01-10 15:30"),
        Case(text: "-2h", expected: "2026-01-07 13:30"),
        Case(text: "+90m", expected: "2026-01-07 17:00"),
        Case(text: "+2w", expected: "2026-01-21 15:30"),
        Case(text: "+1d12h", expected: "2026-01-09 03:30"),
        Case(text: "-1.5d", expected: "2026-01-06 03:30"),
        Case(text: "+30s", expected: "2026-01-07 15:30:30"),
        // ISO 8601 without a zone: the candidate's wall clock.
        Case(text: "2026-03-09", expected: "2026-03-09 00:00"),
        Case(text: "2026-03-09T13:00", expected: "2026-03-09 13:00"),
        Case(text: "2026-03-09t13:00", expected: "2026-03-09 13:00"),
        Case(text: "2026-03-09 13:00", expected: "2026-03-09 13:00"),
        Case(text: "2026-03-09T13:00:30", expected: "2026-03-09 13:00:30"),
        Case(text: "2024-02-29", expected: "2024-02-29 00:00"),
        // … with a zone.
        Case(text: "2026-03-09T13:00Z", expected: "2026-03-09 09:00"),   // EDT
        Case(text: "2026-01-09T13:00:00Z", expected: "2026-01-09 08:00"), // EST
        Case(text: "2026-01-07T10:00-0800", expected: "2026-01-07 13:00"),
        Case(text: "2026-01-07T10:00+05", expected: "2026-01-07 00:00"),
        Case(text: "2026-01-07T16:00:00+01:00", expected: "2026-01-07 10:00"),
        // DST: days keep the wall clock, hours are exact.
        Case(text: "+1d", now: "2026-03-07 12:00", expected: "2026-03-08 12:00"),
        Case(text: "+24h", now: "2026-03-07 12:00", expected: "2026-03-08 13:00"),
        Case(text: "tomorrow 10:00", now: "2026-03-07 12:00", expected: "2026-03-08 10:00"),
        Case(text: "+1d", now: "2026-10-31 12:00", expected: "2026-11-01 12:00"),
        Case(text: "+24h", now: "2026-10-31 12:00", expected: "2026-11-01 11:00"),
        Case(text: "sunday 9:00", now: "2026-10-31 12:00", expected: "2026-11-01 09:00"),
        // Spelled out: days, weeks, months and years keep the wall-clock time.
        Case(text: "in 3 days", expected: "2026-01-10 15:30"),
        Case(text: "in 1 day", expected: "2026-01-08 15:30"),
        Case(text: "in 2 weeks", expected: "2026-01-21 15:30"),
        Case(text: "in a week", expected: "2026-01-14 15:30"),
        Case(text: "next week", expected: "2026-01-14 15:30"),
        Case(text: "In  3  Months", expected: "2026-04-07 15:30"),
        Case(text: "next month", expected: "2026-02-07 15:30"),
        Case(text: "in 12 months", expected: "2027-01-07 15:30"),
        Case(text: "next year", expected: "2027-01-07 15:30"),
        Case(text: "in 2 hours", expected: "2026-01-07 17:30"),
        Case(text: "in 90 minutes", expected: "2026-01-07 17:00"),
        Case(text: "in an hour", expected: "2026-01-07 16:30"),
        Case(text: "in 3 days 10:00", expected: "2026-01-10 10:00"),
        Case(text: "next week at 9:00", expected: "2026-01-14 09:00"),
        Case(text: "next month 8:15", expected: "2026-02-07 08:15"),
        // A month later is the same day, or the last day of a shorter month.
        Case(text: "next month", now: "2026-01-31 10:00", expected: "2026-02-28 10:00"),
        Case(text: "in 1 month", now: "2024-01-31 10:00", expected: "2024-02-29 10:00"),
        Case(text: "in 3 months", now: "2026-11-30 10:00", expected: "2027-02-28 10:00"),
        Case(text: "in 14 months", now: "2026-12-15 10:00", expected: "2028-02-15 10:00"),
        // Across a DST change: the wall clock stays (EST in January, EDT in April).
        Case(text: "in 3 months", now: "2026-01-15 09:00", expected: "2026-04-15 09:00"),
        Case(text: "in 1 day", now: "2026-03-07 12:00", expected: "2026-03-08 12:00"),
    ]

    @Test func spelledMonthsAcrossDaylightSavingKeepTheWallClockNotTheElapsedHours() throws {
        let now = wall("2026-01-15 09:00")
        let later = try When.parse("in 3 months", now: now, timeZone: newYork)
        // 90 calendar days, one of them 23 hours long.
        #expect(later.timeIntervalSince(now) == 90 * 86_400 - 3600)
    }

    @Test(arguments: cases)
    func parsesEveryForm(_ c: Case) throws {
        let date = try When.parse(c.text, now: wall(c.now), timeZone: newYork)
        #expect(show(date) == c.expected)
    }

    @Test func fractionsAndTheCandidatesZoneAreExact() throws {
        let now = wall("2026-01-07 15:30")
        let frac = try When.parse("2026-03-09T13:00:00.5+01:00", now: now, timeZone: newYork)
        #expect(frac.timeIntervalSince1970 == wall("2026-03-09 12:00", utc).timeIntervalSince1970 + 0.5)
        let inTokyo = try When.parse("tomorrow 10:00", now: now, timeZone: tokyo)
        #expect(show(inTokyo, tokyo) == "2026-01-09 10:00", "Wed 15:30 in New York is already Thursday in Tokyo")
    }

    @Test(arguments: [
        "", "   ", "soon", "2026-02-30", "2026-13-01", "2025-02-29", "2026-3-9", "2026-03-09T13",
        "2026-03-09T24:00", "2026-03-09T13:00+25:00", "2026-03-09T13:00Zulu", "2026-03-09T13:00:00.",
        "25:00", "12:60", "12:5", "tuesday 25:00", "tomorrow tomorrow", "next", "next today",
        "+3x", "+", "3d", "+-3d", "+infd", "+nand", "tue 13:00 extra",
        "in", "in 3", "in three days", "in 3 fortnights", "in -3 days", "in 3.5 days", "next weeks later",
        "in 3 days 25:00", "3 days", "next week 10:00 extra", "in 1234567 days",
    ])
    func rejectsBadInputWithOneLineNamingItAndTheForms(_ text: String) {
        #expect {
            try When.parse(text, now: wall("2026-01-07 15:30"), timeZone: newYork)
        } throws: { error in
            guard case .usage(let message) = error as? RapportError else { return false }
            return message.hasPrefix("cannot read the date '\(text)': ")
                && message.contains("ISO 8601") && message.contains("tuesday 13:00") && message.contains("+3d")
                && !message.contains("\n")
        }
    }

    @Test func controlCharactersInBadInputStayOnOneLine() {
        #expect(throws: RapportError.usage("cannot read the date 'tue\\n13:00\\u{1B}[2J': \(When.formsHint)")) {
            try When.parse("tue\n13:00\u{1B}[2J", now: wall("2026-01-07 15:30"), timeZone: newYork)
        }
        #expect(throws: RapportError.usage(
            "cannot read the duration '7\\td': use a number and a unit (w, d, h, m, s), like 7d, 36h, 90m, 2w or 1d12h"
        )) {
            try When.parseDuration("7\td")
        }
    }

    static let durationCases: [(String, Double)] = [
        ("7d", 604_800), ("36h", 129_600), ("90m", 5400), ("2w", 1_209_600),
        ("45s", 45), ("1d12h", 129_600), ("1.5d", 129_600), (" 7D ", 604_800), ("0h", 0),
    ]

    @Test(arguments: durationCases)
    func durations(_ text: String, _ seconds: Double) throws {
        #expect(try When.parseDuration(text) == seconds)
    }

    @Test(arguments: ["", "7", "d", "7x", "-7d", "+7d", "7d3", "1..5d", "infd", "7 d"])
    func badDurations(_ text: String) {
        #expect(throws: RapportError.usage(
            "cannot read the duration '\(text)': use a number and a unit (w, d, h, m, s), like 7d, 36h, 90m, 2w or 1d12h"
        )) {
            try When.parseDuration(text)
        }
    }
}

@Suite struct WhenRangeTests {
    @Test func datesBeyondWhatISO8601HoldsAreRefusedNotTrapped() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for text in ["+99999999999999999999s", "+9999999999999h", "-99999999999999m", "+100000000000d"] {
            #expect(throws: RapportError.self, "\(text)") { try When.parse(text, now: now, timeZone: TimeZone(identifier: "UTC")!) }
        }
        #expect((try? When.parse("+3d", now: now, timeZone: TimeZone(identifier: "UTC")!)) != nil)
    }
}

@Suite struct CivilDateTests {
    @Test func dayNumbersRoundTripAndMatchFoundation() {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (1900, 3, 1), (2026, 11, 21), (1, 1, 1), (9999, 12, 31), (1969, 12, 31)] {
            let n = CivilDate.days(year: y, month: m, day: d)
            let back = CivilDate.date(fromDays: n)
            #expect(back.year == y && back.month == m && back.day == d)
            // Foundation's Gregorian calendar is Julian before 1582; compare after that only.
            guard y > 1582 else { continue }
            let date = cal.date(from: DateComponents(year: y, month: m, day: d))!
            #expect(Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) == n, "\(y)-\(m)-\(d)")
        }
    }
}

@Suite struct WhenDSTGapTests {
    let ny = TimeZone(identifier: "America/New_York")!
    let now = Date(timeIntervalSince1970: 1_772_000_000)  // 2026-02-25

    @Test func aWallTimeTheClocksSkipIsRefused() {
        for text in ["2026-03-08T02:30", "2026-03-08 02:30"] {
            #expect(throws: RapportError.self, "\(text)") { try When.parse(text, now: now, timeZone: ny) }
        }
        // Either side of the gap, the fall-back hour, an explicit offset, and other days are fine.
        for text in ["2026-03-08T01:59", "2026-03-08T03:00", "2026-11-01T01:30", "2026-03-08T02:30-05:00",
                     "2026-03-08T07:30Z", "2026-03-09T02:30", "tomorrow 10:00", "+3d", "2026-03-08"] {
            #expect((try? When.parse(text, now: now, timeZone: ny)) != nil, "\(text)")
        }
        #expect(When.wallTime(in: "tue 13:05") == Double(13 * 3600 + 5 * 60))
        #expect(When.wallTime(in: "2026-03-08T02:30:00Z") == nil)
    }
}

@Suite struct ISO8601ParseTests {
    @Test func zonedDateTimesAndBareDatesOnly() {
        #expect(ISO8601.parse("2026-03-09T10:00:00Z") == Date(timeIntervalSince1970: 1_773_050_400))
        #expect(ISO8601.parse("2026-03-09T11:00:00+01:00") == Date(timeIntervalSince1970: 1_773_050_400))
        #expect(ISO8601.parse("2026-03-09T10:00:00.5Z") == Date(timeIntervalSince1970: 1_773_050_400.5))
        #expect(ISO8601.parse("2026-03-09") == Date(timeIntervalSince1970: 1_773_014_400))
        #expect(ISO8601.format(Date(timeIntervalSince1970: 1_773_050_400.9)) == "2026-03-09T10:00:00Z")
        #expect(ISO8601.format(Date(timeIntervalSince1970: -86_401)) == "1969-12-30T23:59:59Z")
        #expect(ISO8601.format(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59Z", "clamped, never trapped")
        #expect(ISO8601.format(Date(timeIntervalSince1970: -62_135_596_800)) == "0001-01-01T00:00:00Z")
        for bad in ["2026-03-09T10:00:00", "2026-02-30", "yesterday", "", "2026-03-09T25:00:00Z"] {
            #expect(ISO8601.parse(bad) == nil, "\(bad)")
        }
    }
}
