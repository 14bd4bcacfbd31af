import Foundation
import Testing
@testable import RapportCore

/// The deadline list: sections, one reply deadline per thread, statuses, dismissals,
/// flag reasons, counts and the week view.
struct DeadlineRulesTests {
    // 2026-01-20 is a Tuesday.
    let now = wall("2026-01-20 10:00")

    @Test func sectionsComeInDocumentedOrderAndUrgencyOrdersWithinOne() {
        var w = World()
        let a = w.recruiter("A"), b = w.recruiter("B"), c = w.recruiter("C")
        // A check-in long overdue (awaiting since December) and a reply a day overdue.
        w.message(a, .outbound, wall("2025-12-01 10:00"))
        w.message(b, .inbound, wall("2026-01-16 10:00"))
        let later = w.followUp(c, due: wall("2026-02-20 10:00"))
        let thisWeek = w.followUp(c, due: wall("2026-01-23 10:00"))
        let today = w.followUp(c, due: wall("2026-01-20 17:00"))
        let due = Rules.deadlines(in: w.db, now: now, policy: .newYork)
        let sections = Rules.Sections(now: now, policy: .newYork)
        #expect(due.map { sections.section(of: $0) } == [.overdue, .overdue, .today, .thisWeek, .later])
        // Within a section urgency decides (here the lateness of the old check-in).
        let overdue = due.prefix(2)
        #expect(overdue.map(\.urgency) == overdue.map(\.urgency).sorted(by: >))
        #expect(Array(due.dropFirst(2).map(\.followUpID)) == [today, thisWeek, later])
    }

    @Test func sectionBoundariesFollowTheCandidatesMidnightAndOverdueIsStrict() {
        let sections = Rules.Sections(now: now, policy: .newYork)
        #expect(sections.section(due: now) == .today)                          // at the instant: still due
        #expect(sections.section(due: now.addingTimeInterval(-1)) == .overdue)
        #expect(sections.section(due: wall("2026-01-20 23:59")) == .today)
        #expect(sections.section(due: wall("2026-01-21 00:00")) == .thisWeek)
        #expect(sections.section(due: wall("2026-01-26 23:59")) == .thisWeek)
        #expect(sections.section(due: wall("2026-01-27 00:00")) == .later)
    }

    @Test func oneReplyDeadlinePerThreadFromTheOldestOpenMessage() {
        var w = World()
        let r = w.recruiter("Dana")
        let first = w.message(r, .inbound, wall("2026-01-15 10:00"))
        w.message(r, .inbound, wall("2026-01-16 10:00"))
        let last = w.message(r, .inbound, wall("2026-01-19 10:00"))
        let s = w.status(r, at: now)
        let replies = s.deadlines.filter { $0.kind == .reply }
        #expect(replies.count == 1)
        #expect(replies[0].messageID == first)
        #expect(replies[0].lastMessageID == last)
        #expect(replies[0].count == 3)
        #expect(replies[0].due == wall("2026-01-16 10:00"))
        #expect(replies[0].title.contains("3 unanswered"))
        #expect(replies[0].id == "reply:" + first.uuidString.lowercased())

        // A reply closes it; done (no reply needed on the newest) closes it too.
        var replied = w
        replied.message(r, .outbound, wall("2026-01-20 09:00"))
        #expect(replied.status(r, at: now).deadlines.isEmpty)
        var settled = w
        try! settled.db.apply(Workflows.done(replies[0], in: settled.db, now: now)!)
        #expect(settled.status(r, at: now).deadlines.isEmpty)
    }

    @Test func settledMessagesStayAnsweredWhenTheRecruiterWritesAgainYearsLater() {
        var w = World()
        let r = w.recruiter("Old")
        w.message(r, .inbound, wall("2022-03-01 10:00"))
        w.message(r, .inbound, wall("2022-03-02 10:00"), noReplyNeeded: true)  // settled history
        let fresh = w.message(r, .inbound, wall("2026-01-19 15:00"))
        let s = w.status(r, at: now)
        #expect(s.deadlines.map(\.messageID) == [fresh])
        #expect(s.deadlines[0].count == 1)
        #expect(!s.flags.contains(.nonResponsive))
    }

    @Test func dormantUntilADateRaisesNothingThenComesBack() throws {
        var w = World()
        let r = w.recruiter("Sleepy")
        w.message(r, .inbound, wall("2026-01-10 10:00"))
        let f = w.followUp(r, due: wall("2026-01-22 10:00"))  // a re-engage date: still shows
        let iv = w.interview(r, at: wall("2026-01-21 14:00"))
        let recruiter = w.db.recruiters[r]!
        try w.db.apply(Workflows.status(recruiter.id, .dormant, until: wall("2026-02-01 00:00"), in: w.db, now: now))
        let quiet = w.status(r, at: now)
        #expect(quiet.deadlines.map(\.kind).sorted(by: { $0.rawValue < $1.rawValue }) == [.followUp, .interview])
        #expect(quiet.deadlines.contains { $0.followUpID == f })
        #expect(quiet.deadlines.contains { $0.interviewID == iv })
        #expect(!quiet.flags.contains(.nonResponsive) && !quiet.flags.contains(.replyOverdue))
        // After the interview: no thank-you while dormant.
        let afterInterview = wall("2026-01-23 10:00")
        #expect(!w.status(r, at: afterInterview).deadlines.contains { $0.kind == .thankYou })
        // The status covered the open message: after the lapse it is still answered.
        let lapsed = w.status(r, at: wall("2026-02-02 10:00"))
        #expect(!lapsed.deadlines.contains { $0.kind == .reply })
        #expect(lapsed.deadlines.contains { $0.kind == .thankYou })  // acts as active again
        // Writing again breaks the quiet at once.
        w.message(r, .inbound, wall("2026-01-20 09:00"))
        let woke = w.status(r, at: now)
        #expect(woke.deadlines.filter { $0.kind == .reply }.map(\.count) == [1])
    }

    @Test func declinedWithoutLapseStaysQuietAndDoNotContactHasNoDeadlines() throws {
        var w = World()
        let r = w.recruiter("No")
        w.message(r, .outbound, wall("2025-12-01 10:00"))
        try w.db.apply(Workflows.status(r, .declined, in: w.db, now: now))
        #expect(w.status(r, at: wall("2027-01-01 10:00")).deadlines.isEmpty)
        try w.db.apply(Workflows.status(r, .doNotContact, in: w.db, now: now))
        w.followUp(r, due: wall("2026-01-19 10:00"))
        #expect(w.status(r, at: now).deadlines.isEmpty)
    }

    @Test func anAllyGetsAGentleCheckInAndNeverGoesCold() {
        var w = World()
        let r = w.recruiter("Friend", status: .ally)
        let last = w.message(r, .outbound, wall("2026-01-02 10:00"))
        // Five business days later an active recruiter would be owed a check-in; an ally is not.
        #expect(w.status(r, at: wall("2026-01-12 10:00")).deadlines.isEmpty)
        let due = wall("2026-02-01 10:00")  // 30 calendar days
        #expect(w.status(r, at: due.addingTimeInterval(-1)).deadlines.isEmpty)
        let s = w.status(r, at: due)
        #expect(s.deadlines.map(\.kind) == [.checkIn])
        #expect(s.deadlines[0].id == "check-in:" + last.uuidString.lowercased())
        #expect(s.deadlines[0].title.contains("keep in touch"))
        // Checking in three times never makes an ally cold.
        w.message(r, .outbound, wall("2026-02-02 10:00"))
        w.message(r, .outbound, wall("2026-03-05 10:00"))
        let later = w.status(r, at: wall("2026-04-10 10:00"))
        #expect(!later.flags.contains(.cold))
        #expect(later.deadlines.map(\.kind) == [.checkIn])
        // An ally who wrote last gets the check-in too (keeping in touch), 30 days on.
        var w2 = World()
        let a = w2.recruiter("Ally2", status: .ally)
        w2.message(a, .inbound, wall("2026-01-02 10:00"), noReplyNeeded: true)
        #expect(w2.status(a, at: wall("2026-02-01 10:00")).deadlines.map(\.kind) == [.checkIn])
    }

    @Test func everyKindCanBeDismissedAndSnoozed() throws {
        var w = World()
        let a = w.recruiter("A"), b = w.recruiter("B"), c = w.recruiter("C")
        w.message(a, .inbound, wall("2026-01-19 09:00"))
        w.message(b, .outbound, wall("2026-01-05 10:00"))            // check-in due
        w.interview(c, at: wall("2026-01-19 09:00"))                  // thank-you due
        w.interview(c, at: wall("2026-01-22 09:00"), role: "Lead")    // upcoming interview
        w.followUp(c, due: wall("2026-01-19 10:00"))
        w.expectation(c, by: wall("2026-01-19 10:00"))
        let all = Rules.deadlines(in: w.db, now: now, policy: .newYork)
        #expect(Set(all.map(\.kind)) == Set(DeadlineKind.allCases))
        for d in all {
            var dismissed = w.db
            try dismissed.apply(Workflows.dismiss(d, in: dismissed, now: now, reason: "not relevant"))
            #expect(!Rules.deadlines(in: dismissed, now: now, policy: .newYork).contains { $0.id == d.id }, "\(d.id)")

            var snoozed = w.db
            let until = max(now, d.due).addingTimeInterval(3 * 86_400)
            #expect(Workflows.snoozeProblem(d, until: until, now: now) == nil)
            try snoozed.apply(Workflows.snooze(d, in: snoozed, until: until, now: now)!)
            let back = Rules.deadlines(in: snoozed, now: now, policy: .newYork).first { $0.id == d.id }
            #expect(back?.due == until, "\(d.id)")
            #expect(back?.snoozed == true)

            var done = w.db
            if let change = Workflows.done(d, in: done, now: now) {
                try done.apply(change)
                #expect(!Rules.deadlines(in: done, now: now.addingTimeInterval(1), policy: .newYork).contains { $0.id == d.id }, "\(d.id)")
            } else {
                Issue.record("no done for \(d.id)")
            }
        }
    }

    @Test func aDismissalIsAChangeWithAnInverse() throws {
        var w = World()
        let a = w.recruiter("A")
        w.message(a, .outbound, wall("2026-01-05 10:00"))
        let d = Rules.deadlines(in: w.db, now: now, policy: .newYork)[0]
        let change = Workflows.dismiss(d, in: w.db, now: now, reason: "they moved on")
        let inverse = try w.db.inverse(of: change)
        let before = w.db
        try w.db.apply(change)
        #expect(w.db.recruiters[a]!.dismissals.map(\.reason) == ["they moved on"])
        try w.db.apply(inverse)
        #expect(w.db == before)
        // It survives a JSON round trip (the store writes recruiters as JSON).
        try w.db.apply(change)
        let data = try JSONEncoder().encode(w.db.recruiters[a]!)
        #expect(try JSONDecoder().decode(Recruiter.self, from: data) == w.db.recruiters[a]!)
    }

    @Test func flagReasonsSayWhyInWords() {
        var w = World()
        let r = w.recruiter("Dana")
        w.message(r, .inbound, wall("2026-01-04 10:00"))
        w.message(r, .inbound, wall("2026-01-08 10:00"))
        w.message(r, .inbound, wall("2026-01-12 10:00"))
        let reasons = Rules.reasons(of: r, in: w.db, now: now, policy: .newYork)
        let nr = reasons.first { $0.flag == .nonResponsive }
        #expect(nr?.why == "3 of their messages unanswered, the oldest 16 days")
        #expect(nr?.since == wall("2026-01-11 10:00"))  // 7 calendar days after the oldest, before the third came
        #expect(reasons.map(\.flag) == w.status(r, at: now).flags)
        #expect(reasons.first { $0.flag == .replyOverdue }?.why.hasPrefix("reply to 3 messages was due") == true)
    }

    @Test func countsAgreeAndBlanketRecruitersAreCountedApart() {
        var w = World()
        let a = w.recruiter("A"), bl = w.recruiter("Mass", targeting: .blanket)
        w.message(a, .inbound, wall("2026-01-19 09:00"))
        w.message(bl, .inbound, wall("2026-01-19 09:00"))
        w.followUp(a, due: now)                              // due at this instant: today, not overdue
        w.followUp(a, due: now.addingTimeInterval(-1))       // one second late: overdue
        let statuses = Rules.evaluate(w.db, now: now, policy: .newYork)
        let c = Rules.counts(statuses, in: w.db, now: now, policy: .newYork)
        let due = Rules.deadlines(of: statuses, now: now, policy: .newYork)
        #expect(c.overdue == due.filter { $0.isOverdue(at: now) }.count)
        #expect(c.overdue == 2)  // the reply (due Mon 18:00) and the late follow-up
        #expect(c.today == 1)
        #expect(c.yourTurn == 1)
        #expect(c.blanketWaiting == 1)
    }

    @Test func theWeekListsInterviewsPromisedCallsAndDeadlinesWithResearchState() {
        var w = World()
        let r = w.recruiter("Dana", timeZone: "Europe/Berlin")
        w.interview(r, at: wall("2026-01-21 14:00"))
        let e = Expectation(recruiterID: r, by: wall("2026-01-22 13:00"), note: "Dana will call about the role")
        try! w.db.apply(.putExpectation(e))
        try! w.db.apply(.setAgenda(recruiter: r, agenda: "ask about the team"))
        w.message(r, .inbound, wall("2026-01-19 09:00"))
        let items = Week.items(in: w.db, now: now, policy: .newYork, within: 7 * 86_400)
        #expect(items.map(\.kind) == [.deadline, .interview, .promised])
        #expect(items[0].section == .overdue)
        #expect(items[1].missing == [.profileReviewed, .firmVetted, .companySiteRead])
        #expect(items[1].agendaWritten == true)
        #expect(items[2].title.hasPrefix("Call promised by Dana"))
        // Outside the window: nothing.
        #expect(Week.items(in: w.db, now: now, policy: .newYork, within: 3600).map(\.kind) == [.deadline])
    }
}

