import Foundation
import Testing
@testable import RapportCore

/// `Rules.nextChange` at the thresholds the deadline rules added: a status that lapses,
/// an interview that starts, a dismissal that runs out, an ally's check-in. Each test
/// asks for the moment, then checks that the status is the same just before it and
/// different just after it, so the moment is the real edge and not merely a bound.
struct NextChangeThresholdTests {
    // 2026-03-10 is a Tuesday; midnight in New York (the policy's zone) is the fallback.
    let now = wall("2026-03-10 08:00")
    let midnight = wall("2026-03-11 00:00")

    func kinds(_ w: World, _ who: UUID, at t: Date, policy: Policy = .newYork) -> [String] {
        w.status(who, at: t, policy: policy).deadlines.map { "\($0.kind.rawValue)\($0.isOverdue(at: t) ? " overdue" : "")" }.sorted()
    }

    @Test func aDormantStatusLapsingIsTheNextChange() throws {
        var w = World()
        let r = w.recruiter("Dora")
        // Their turn since last week: an active recruiter would be owed a check-in already.
        w.message(r, .outbound, wall("2026-03-02 10:00"))
        let until = wall("2026-03-10 15:00")
        try w.db.apply(Workflows.status(r, .dormant, until: until, in: w.db, now: now))
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == until)
        #expect(kinds(w, r, at: until.addingTimeInterval(-1)) == [])
        // From the lapse on the recruiter acts as active: the check-in, due at the lapse.
        #expect(kinds(w, r, at: until) == ["check-in"])
        #expect(kinds(w, r, at: until.addingTimeInterval(1)) == ["check-in overdue"])
        #expect(w.status(r, at: until.addingTimeInterval(1)).deadlines.first?.due == until)
        // Without a lapse nothing changes before midnight.
        try w.db.apply(Workflows.status(r, .dormant, in: w.db, now: now))
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == midnight)
    }

    @Test func anInterviewStartingIsTheNextChange() {
        var w = World()
        let r = w.recruiter("Ines")
        w.message(r, .outbound, wall("2026-03-09 16:00"))
        let start = wall("2026-03-10 11:30")
        w.interview(r, at: start, minutes: 45)
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == start)
        // The upcoming-interview row is there until the start, and at the start itself.
        #expect(kinds(w, r, at: start.addingTimeInterval(-1)) == ["interview"])
        #expect(kinds(w, r, at: start) == ["interview"])
        #expect(kinds(w, r, at: start.addingTimeInterval(1)) == [])
        // Then its end brings the thank-you.
        let end = start.addingTimeInterval(45 * 60)
        #expect(Rules.nextChange(in: w.db, now: start.addingTimeInterval(1), policy: .newYork) == end)
        #expect(kinds(w, r, at: end) == ["thank-you"])
    }

    @Test func aDismissalRunningOutIsTheNextChange() throws {
        var w = World()
        let r = w.recruiter("Dev")
        // A reply overdue since last week, snoozed (a dismissal with `until`) to 14:00.
        w.message(r, .inbound, wall("2026-03-02 10:00"))
        let reply = try #require(Rules.deadlines(in: w.db, now: now, policy: .newYork).first { $0.kind == .reply })
        #expect(reply.isOverdue(at: now))
        let until = wall("2026-03-10 14:00")
        try w.db.apply(try #require(Workflows.snooze(reply, in: w.db, until: until, now: now)))
        #expect(w.db.recruiters[r]!.dismissals.map(\.until) == [until])
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == until)
        #expect(kinds(w, r, at: until.addingTimeInterval(-1)) == ["reply"])
        #expect(!w.status(r, at: until.addingTimeInterval(-1)).flags.contains(.replyOverdue))
        #expect(kinds(w, r, at: until.addingTimeInterval(1)) == ["reply overdue"])
        #expect(w.status(r, at: until.addingTimeInterval(1)).flags.contains(.replyOverdue))
        // A dismissal without `until` ends it for good: no moment at 14:00.
        var v = World()
        let s = v.recruiter("Sam")
        v.message(s, .inbound, wall("2026-03-02 10:00"))
        let d = try #require(Rules.deadlines(in: v.db, now: now, policy: .newYork).first)
        try v.db.apply(Workflows.dismiss(d, in: v.db, now: now, reason: "moved on"))
        #expect(kinds(v, s, at: wall("2026-03-10 23:00")) == [])
    }

    @Test func anAllysCheckInIsTheNextChangeAtTheConfiguredCadence() {
        var w = World()
        let r = w.recruiter("Alba", status: .ally)
        w.message(r, .outbound, wall("2026-02-08 10:00"))
        // The default cadence, 30 calendar days: 10 March 10:00.
        let due = wall("2026-03-10 10:00")
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == due)
        #expect(kinds(w, r, at: due.addingTimeInterval(-1)) == [])
        #expect(kinds(w, r, at: due) == ["check-in"])
        #expect(kinds(w, r, at: due.addingTimeInterval(1)) == ["check-in overdue"])
        // allyCheckInDays = 25 moves the moment five days earlier: from 5 March 10:00 on it
        // is due, so the next change from that morning is that instant.
        var policy = Policy.newYork
        policy.allyCheckInDays = 25
        let early = wall("2026-03-05 10:00")
        let before = wall("2026-03-05 08:00")
        #expect(Rules.nextChange(in: w.db, now: before, policy: policy) == early)
        #expect(kinds(w, r, at: early.addingTimeInterval(-1), policy: policy) == [])
        #expect(kinds(w, r, at: early.addingTimeInterval(1), policy: policy) == ["check-in overdue"])
    }
}
