import Foundation
import RapportCore
import RapportText
import Testing
@testable import RapportTUI

@Suite("Relative and absolute times")
struct FormatTests {
    let now = Sample.now

    @Test("relative due times read as 'overdue 2d' and 'due in 3h'")
    func relative() {
        #expect(RelativeTime.due(now.addingTimeInterval(-2 * 86400 - 60), now: now) == "overdue 2d")
        #expect(RelativeTime.due(now.addingTimeInterval(-3 * 3600), now: now) == "overdue 3h")
        #expect(RelativeTime.due(now.addingTimeInterval(-5 * 60), now: now) == "overdue 5m")
        #expect(RelativeTime.due(now.addingTimeInterval(3 * 3600 + 59), now: now) == "due in 3h")
        #expect(RelativeTime.due(now.addingTimeInterval(45 * 60), now: now) == "due in 45m")
        #expect(RelativeTime.due(now.addingTimeInterval(30), now: now) == "due now")
        #expect(RelativeTime.due(now, now: now) == "due now")
        #expect(RelativeTime.due(now.addingTimeInterval(-1), now: now) == "overdue <1m")  // counted overdue: it says so
        #expect(RelativeTime.due(now.addingTimeInterval(-21 * 86400), now: now) == "overdue 3w")
        #expect(Format.ago(now.addingTimeInterval(-7200), now: now) == "2h ago")
    }

    @Test("message stamps are in the policy's time zone, with the year only when it differs")
    func stamps() {
        let utc = TimeZone(identifier: "UTC")!
        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        let t = ISO8601.parse("2026-03-09T23:05:00Z")!
        #expect(Format.stamp(t, now: now, timeZone: utc) == "Mon 9 Mar 23:05")
        #expect(Format.stamp(t, now: now, timeZone: tokyo) == "Tue 10 Mar 08:05")
        #expect(Format.stamp(ISO8601.parse("2025-12-31T09:00:00Z")!, now: now, timeZone: utc) == "Wed 31 Dec 2025 09:00")
    }

    @Test("the Deadlines pane drops its name column only when every title names the recruiter")
    func deadlineNameColumn() {
        let s = Sample.state(width: 80, height: 24)
        #expect(!s.deadlineTitlesNameRecruiter) // follow-up notes do not name anyone
        var db = Sample.database
        try! db.apply(.removeFollowUp(Sample.id(2001)))
        try! db.apply(.removeFollowUp(Sample.id(2002)))
        let t = Sample.state(width: 80, height: 24, db: db)
        #expect(t.deadlineTitlesNameRecruiter)
        let row = Screen.render(t).line(t.layout.deadlines.y + 1)
        #expect(row.hasPrefix("› Overdue   overdue 3w  Thu 09:00 Reply to José Müller"))
        #expect(row.components(separatedBy: "José Müller").count == 2) // once, in the title
    }

    @Test("the wall clock computed from the zone's offset equals Calendar's, across zones, DST changes and years")
    func civilEqualsCalendar() throws {
        let zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Kiritimati",
                     "America/St_Johns", "Asia/Tokyo", "America/Sao_Paulo"].compactMap(TimeZone.init(identifier:))
        #expect(zones.count == 9)
        var seconds: [Double] = [0, -1, -86_400, -86_401, 951_782_400, 1_773_000_000, 1_774_746_000, 1_792_886_399.5,
                                 -2_208_988_800, 4_102_444_800]
        var x: UInt64 = 7
        for _ in 0..<400 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            seconds.append(Double(Int64(bitPattern: x >> 1) % 4_000_000_000) + Double(x & 0xFF) / 256)
        }
        for z in zones {
            for t in seconds {
                let d = Date(timeIntervalSince1970: t)
                #expect(Format.civil(d, timeZone: z) == Format.calendarCivil(d, timeZone: z), "\(t) \(z.identifier)")
            }
        }
    }
}
