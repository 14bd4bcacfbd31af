import Foundation
import Testing
@testable import RapportCore
import RapportDemo

/// `Rules.nextChange`: until when counts derived from the deadlines and the at-risk flags
/// (the status line, and its cache) stay valid.
struct NextChangeTests {
    /// What the status line counts, at `now`: the deadlines that exist and are overdue,
    /// those due before the next midnight, and the recruiters at risk.
    func counts(_ db: Database, at now: Date, policy: Policy) -> [String] {
        let statuses = Rules.evaluate(db, now: now, policy: policy)
        let cal = BusinessCalendar(policy: policy, anchor: now)
        let midnight = cal.adding(calendarDays: 1, to: cal.startOfDay(now))
        var out: [String] = []
        for d in Rules.deadlines(of: statuses, now: now, policy: policy) {
            out.append("\(d.id) \(d.due < now ? "overdue" : d.due < midnight ? "today" : "later")")
        }
        for s in statuses.values where s.flags.contains(.nonResponsive) || s.flags.contains(.nonResponsiveRisk) {
            out.append("risk \(s.recruiterID)")
        }
        return out.sorted()
    }

    @Test func anEmptyStoreChangesAtMidnightInThePolicyZone() {
        let now = wall("2026-03-10 15:00")
        #expect(Rules.nextChange(in: Database(), now: now, policy: .newYork) == wall("2026-03-11 00:00"))
        let tokyoPolicy = Policy(timeZone: "Asia/Tokyo")
        #expect(Rules.nextChange(in: Database(), now: now, policy: tokyoPolicy) == wall("2026-03-12 00:00", tokyo))  // 15:00 in New York is already 05:00 on the 11th in Tokyo
    }

    @Test func theReplyDueTimeIsTheNextChange() {
        var w = World()
        let ana = w.recruiter("Ana")
        w.message(ana, .inbound, wall("2026-03-10 10:00"))
        let now = wall("2026-03-11 00:30")
        let due = w.status(ana, at: now).deadlines.first!.due
        #expect(due == wall("2026-03-11 10:00"))
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == due)
    }

    @Test func aFutureMessageAFollowUpAndAnInterviewEndAreMoments() {
        var w = World()
        let ana = w.recruiter("Ana")
        let now = wall("2026-03-10 08:00")
        w.message(ana, .outbound, wall("2026-03-10 07:00"))
        w.followUp(ana, due: wall("2026-03-10 16:00"))
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == wall("2026-03-10 16:00"))
        w.interview(ana, at: wall("2026-03-10 11:00"), minutes: 45)
        // Its start (the interview row goes), then its end (the thank-you comes).
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == wall("2026-03-10 11:00"))
        #expect(Rules.nextChange(in: w.db, now: wall("2026-03-10 11:00:01"), policy: .newYork) == wall("2026-03-10 11:45"))
        w.message(ana, .inbound, wall("2026-03-10 09:30"))
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == wall("2026-03-10 09:30"))
        // A done follow-up no longer counts; a snoozed one counts at its snooze time.
        var v = World()
        let bo = v.recruiter("Bo")
        v.followUp(bo, due: wall("2026-03-10 09:00"), done: wall("2026-03-09 09:00"))
        v.followUp(bo, due: wall("2026-03-10 07:00"), snoozedUntil: wall("2026-03-10 13:00"))
        #expect(Rules.nextChange(in: v.db, now: now, policy: .newYork) == wall("2026-03-10 13:00"))
    }

    @Test func aMomentEqualToNowGivesNow() {
        var w = World()
        let ana = w.recruiter("Ana")
        let now = wall("2026-03-10 08:00")
        w.followUp(ana, due: now)
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == now)
    }

    /// Over demo data at many moments: nothing the status line counts changes between
    /// `now` and the moment given, at any instant sampled in between.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func countsHoldUntilTheNextChange(seed: UInt64) throws {
        let start = wall("2026-03-02 09:00")
        var db = Database()
        for c in Demo.changes(recruiters: 30, messages: 300, seed: seed, now: start) { try db.apply(c) }
        var now = start.addingTimeInterval(-3 * 86_400)
        var rng = SeededGenerator(seed: seed)
        var steps = 0
        while now < start.addingTimeInterval(10 * 86_400), steps < 40 {
            let next = Rules.nextChange(in: db, now: now, policy: .newYork)
            #expect(next >= now)
            #expect(next <= now.addingTimeInterval(25 * 3600))  // midnight at the latest
            let before = counts(db, at: now, policy: .newYork)
            if next > now {
                for _ in 0..<3 {
                    let t = now.addingTimeInterval(Double.random(in: 0..<next.timeIntervalSince(now), using: &rng))
                    #expect(counts(db, at: t, policy: .newYork) == before, "changed at \(t) before \(next)")
                }
                let last = next.addingTimeInterval(-0.5)
                if last > now { #expect(counts(db, at: last, policy: .newYork) == before) }
            }
            now = max(next, now).addingTimeInterval(1)
            steps += 1
        }
        #expect(steps > 5)
    }
}
