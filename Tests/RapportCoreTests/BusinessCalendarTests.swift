import Foundation
import Testing
@testable import RapportCore

@Suite struct BusinessCalendarTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var start: String
        var days: Double? = nil
        var hours: Double? = nil
        var expected: String
        var zone: TimeZone = newYork
        var testDescription: String {
            "\(start) + \(days.map { "\($0) business days" } ?? "\(hours ?? 0) business hours") = \(expected)"
        }
    }

    static let cases: [Case] = [
        // January 2026: Mon 5 … Fri 9, Sat 10, Sun 11, Mon 12.
        Case(start: "2026-01-05 10:00", days: 1, expected: "2026-01-06 10:00"),      // Mon → Tue
        Case(start: "2026-01-09 17:00", days: 1, expected: "2026-01-12 17:00"),      // Fri → Mon (weekend)
        Case(start: "2026-01-10 12:00", days: 1, expected: "2026-01-12 18:00"),      // Sat: counts from Mon 09:00
        Case(start: "2026-01-11 23:00", days: 1, expected: "2026-01-12 18:00"),      // Sun night
        Case(start: "2026-01-05 20:00", days: 1, expected: "2026-01-06 18:00"),      // after hours: from Tue 09:00
        Case(start: "2026-01-05 07:00", days: 1, expected: "2026-01-05 18:00"),      // before hours
        Case(start: "2026-01-05 09:00", days: 1, expected: "2026-01-05 18:00"),      // a full day fits exactly
        Case(start: "2026-01-05 18:00", days: 1, expected: "2026-01-06 18:00"),      // closing time = after hours
        Case(start: "2026-01-07 10:00", days: 2, expected: "2026-01-09 10:00"),      // Wed → Fri
        Case(start: "2026-01-08 10:00", days: 5, expected: "2026-01-15 10:00"),      // a week
        Case(start: "2026-01-08 10:00", days: 0.5, expected: "2026-01-08 14:30"),
        Case(start: "2026-01-09 16:00", hours: 4, expected: "2026-01-12 11:00"),     // Fri 2h + Mon 2h
        Case(start: "2026-01-05 14:00", hours: 4, expected: "2026-01-05 18:00"),
        Case(start: "2026-01-05 07:00", hours: 4, expected: "2026-01-05 13:00"),
        Case(start: "2026-01-10 12:00", hours: 0, expected: "2026-01-12 09:00"),     // zero rolls to opening
        // DST starts Sun 2026-03-08 02:00 in New York (EST → EDT).
        Case(start: "2026-03-06 17:00", days: 1, expected: "2026-03-09 17:00"),
        Case(start: "2026-03-07 12:00", days: 1, expected: "2026-03-09 18:00"),
        Case(start: "2026-03-06 16:00", hours: 4, expected: "2026-03-09 11:00"),
        Case(start: "2026-03-06 10:00", days: 5, expected: "2026-03-13 10:00"),
        // DST ends Sun 2026-11-01 02:00 in New York (EDT → EST).
        Case(start: "2026-10-30 17:00", days: 1, expected: "2026-11-02 17:00"),
        Case(start: "2026-10-31 01:30", days: 1, expected: "2026-11-02 18:00"),
        Case(start: "2026-10-30 16:00", hours: 4, expected: "2026-11-02 11:00"),
        Case(start: "2026-10-30 10:00", days: 5, expected: "2026-11-06 10:00"),
        // Berlin changes on the last Sunday of March (2026-03-29).
        Case(start: "2026-03-27 17:00", days: 1, expected: "2026-03-30 17:00", zone: berlin),
        Case(start: "2026-01-09 17:00", days: 1, expected: "2026-01-12 17:00", zone: utc),
    ]

    @Test(arguments: cases)
    func addsBusinessTimeOnTheWallClock(_ c: Case) {
        let cal = BusinessCalendar(timeZone: c.zone)
        let start = wall(c.start, c.zone)
        let result = c.days.map { cal.adding(businessDays: $0, to: start) }
            ?? cal.adding(businessHours: c.hours!, to: start)
        #expect(show(result, c.zone) == c.expected)
        let cached = BusinessCalendar(timeZone: c.zone, anchor: wall("2026-06-01 12:00", c.zone))
        let again = c.days.map { cached.adding(businessDays: $0, to: start) }
            ?? cached.adding(businessHours: c.hours!, to: start)
        #expect(again == result, "the offset table gives the same answer as the zone")
    }

    @Test func aDSTWeekendIsAnHourShorterInMarchAndLongerInNovember() {
        let cal = BusinessCalendar(timeZone: newYork)
        let march = wall("2026-03-06 17:00")
        #expect(cal.adding(businessDays: 1, to: march).timeIntervalSince(march) == 3 * 86_400 - 3600)
        let november = wall("2026-10-30 17:00")
        #expect(cal.adding(businessDays: 1, to: november).timeIntervalSince(november) == 3 * 86_400 + 3600)
    }

    @Test func calendarDaysKeepTheWallClockAcrossDST() {
        let cal = BusinessCalendar(timeZone: newYork)
        #expect(show(cal.adding(calendarDays: 7, to: wall("2026-03-05 10:00"))) == "2026-03-12 10:00")
        #expect(show(cal.adding(calendarDays: 7, to: wall("2026-10-29 10:00"))) == "2026-11-05 10:00")
        #expect(show(cal.adding(calendarDays: -1, to: wall("2026-03-09 00:30"))) == "2026-03-08 00:30")
        #expect(show(cal.startOfDay(wall("2026-11-01 15:00"))) == "2026-11-01 00:00")
    }

    struct Moment: Sendable {
        var at: String
        var business: Bool
        var isoWeekday: Int
    }

    @Test(arguments: [
        Moment(at: "2026-01-05 09:00", business: true, isoWeekday: 1),
        Moment(at: "2026-01-05 08:59", business: false, isoWeekday: 1),
        Moment(at: "2026-01-05 17:59", business: true, isoWeekday: 1),
        Moment(at: "2026-01-05 18:00", business: false, isoWeekday: 1),
        Moment(at: "2026-01-10 12:00", business: false, isoWeekday: 6),
        Moment(at: "2026-01-11 12:00", business: false, isoWeekday: 7),
        Moment(at: "2026-03-09 09:30", business: true, isoWeekday: 1),
        Moment(at: "2026-11-02 09:30", business: true, isoWeekday: 1),
    ])
    func knowsBusinessHours(_ m: Moment) {
        let cal = BusinessCalendar(timeZone: newYork)
        #expect(cal.isBusinessTime(wall(m.at)) == m.business)
        #expect(cal.isoWeekday(of: wall(m.at)) == m.isoWeekday)
    }

    @Test func businessHoursAndWeekdaysAreConfigurable() {
        var policy = Policy(timeZone: "Asia/Jerusalem")
        policy.businessWeekdays = [7, 1, 2, 3, 4] // Sunday to Thursday
        policy.businessDayStartHour = 8
        policy.businessDayEndHour = 17
        let zone = TimeZone(identifier: "Asia/Jerusalem")!
        let cal = BusinessCalendar(policy: policy)
        // Thu 2026-01-08 16:00 + 1 business day (9 h) → Sun 2026-01-11 16:00.
        #expect(show(cal.adding(businessDays: 1, to: wall("2026-01-08 16:00", zone)), zone) == "2026-01-11 16:00")
        #expect(cal.businessDayLength == 9 * 3600)
    }

    @Test func aNonsensicalConfigurationDegradesToElapsedTime() {
        let none = BusinessCalendar(timeZone: utc, weekdays: [])
        let backwards = BusinessCalendar(timeZone: utc, startHour: 18, endHour: 9)
        let t = wall("2026-01-05 10:00", utc)
        #expect(!none.isUsable && !backwards.isUsable)
        #expect(none.adding(businessHours: 5, to: t) == t.addingTimeInterval(5 * 3600))
        #expect(backwards.adding(businessHours: 5, to: t) == t.addingTimeInterval(5 * 3600))
    }

    @Test func anUnknownZoneNameFallsBackToUTC() {
        let cal = BusinessCalendar(policy: Policy(timeZone: "Mars/Olympus_Mons"))
        #expect(cal.timeZone.secondsFromGMT(for: Date()) == 0)
    }
}
