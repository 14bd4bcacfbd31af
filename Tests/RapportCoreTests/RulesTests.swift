import Foundation
import Testing
@testable import RapportCore

// January 2026 in New York: Mon 5, Tue 6, Wed 7, Thu 8, Fri 9, Sat 10, Sun 11, Mon 12.

@Suite struct ScenarioTests {
    /// The issue's scenario at the core level: two inbound three days apart raise
    /// non-responsive-risk and an overdue reply; one outbound clears both at once.
    @Test func twoInboundThreeDaysApartThenAReply() throws {
        var w = World()
        let dana = w.recruiter("Dana Smith")
        let first = w.message(dana, .inbound, wall("2026-01-05 10:00"))
        w.message(dana, .inbound, wall("2026-01-08 10:00"))
        let now = wall("2026-01-08 10:05")

        let before = w.status(dana, at: now)
        #expect(before.flags.contains(.nonResponsiveRisk))
        #expect(before.flags.contains(.replyOverdue))
        #expect(before.turn == .mine)
        let due = Rules.deadlines(in: w.db, now: now, policy: .newYork)
        let reply = try #require(due.first)
        #expect(reply.kind == .reply && reply.messageID == first && reply.isOverdue(at: now))
        #expect(show(reply.due) == "2026-01-06 10:00")

        w.message(dana, .outbound, wall("2026-01-08 10:30"))
        let later = wall("2026-01-08 10:35")
        let after = w.status(dana, at: later)
        #expect(after.flags.isEmpty)
        #expect(after.turn == .theirs)
        #expect(Rules.deadlines(in: w.db, now: later, policy: .newYork).isEmpty)
    }
}

@Suite struct ReplyRuleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var channel: Channel = .email
        var received: String
        var now: String
        var due: String
        var flag: Flag
        var testDescription: String { "\(channel) \(received), now \(now) → due \(due), \(flag)" }
    }

    static let cases: [Case] = [
        Case(received: "2026-01-05 10:00", now: "2026-01-05 11:00", due: "2026-01-06 10:00", flag: .replyDue),
        // Exactly on the deadline is still due; one second later it is overdue.
        Case(received: "2026-01-05 10:00", now: "2026-01-06 10:00", due: "2026-01-06 10:00", flag: .replyDue),
        Case(received: "2026-01-05 10:00", now: "2026-01-06 10:00:01", due: "2026-01-06 10:00", flag: .replyOverdue),
        // Weekends: Friday afternoon is due Monday afternoon, a Saturday message Monday at closing.
        Case(received: "2026-01-09 17:00", now: "2026-01-12 16:59", due: "2026-01-12 17:00", flag: .replyDue),
        Case(received: "2026-01-09 17:00", now: "2026-01-12 17:01", due: "2026-01-12 17:00", flag: .replyOverdue),
        Case(received: "2026-01-10 12:00", now: "2026-01-12 17:59", due: "2026-01-12 18:00", flag: .replyDue),
        Case(channel: .linkedin, received: "2026-01-05 20:00", now: "2026-01-06 12:00", due: "2026-01-06 18:00", flag: .replyDue),
        Case(channel: .other, received: "2026-01-05 10:00", now: "2026-01-07 10:00", due: "2026-01-06 10:00", flag: .replyOverdue),
        // Phone and text: 4 business hours.
        Case(channel: .phone, received: "2026-01-09 16:00", now: "2026-01-12 10:59", due: "2026-01-12 11:00", flag: .replyDue),
        Case(channel: .text, received: "2026-01-09 16:00", now: "2026-01-12 11:01", due: "2026-01-12 11:00", flag: .replyOverdue),
        Case(channel: .phone, received: "2026-01-05 10:00", now: "2026-01-05 14:00", due: "2026-01-05 14:00", flag: .replyDue),
        // DST weekends in New York.
        Case(received: "2026-03-06 17:00", now: "2026-03-09 16:59", due: "2026-03-09 17:00", flag: .replyDue),
        Case(received: "2026-03-06 17:00", now: "2026-03-09 17:00:01", due: "2026-03-09 17:00", flag: .replyOverdue),
        Case(received: "2026-10-30 17:00", now: "2026-11-02 16:59", due: "2026-11-02 17:00", flag: .replyDue),
        Case(received: "2026-10-30 17:00", now: "2026-11-02 17:00:01", due: "2026-11-02 17:00", flag: .replyOverdue),
        Case(channel: .text, received: "2026-03-06 16:00", now: "2026-03-09 11:00", due: "2026-03-09 11:00", flag: .replyDue),
    ]

    @Test(arguments: cases)
    func replyDeadlines(_ c: Case) throws {
        var w = World()
        let r = w.recruiter("Kenji")
        let m = w.message(r, .inbound, wall(c.received), channel: c.channel)
        let st = w.status(r, at: wall(c.now))
        let d = try #require(st.deadlines.first { $0.kind == .reply })
        #expect(show(d.due) == c.due)
        #expect(d.messageID == m && d.id == "reply:" + m.uuidString.lowercased())
        #expect(st.flags.contains(c.flag))
        #expect(!st.flags.contains(c.flag == .replyDue ? .replyOverdue : .replyDue), "the two are exclusive")
        #expect(d.isOverdue(at: wall(c.now)) == (c.flag == .replyOverdue))
    }

    @Test func deadlinesCountInTheCandidatesZoneNotTheRecruiters() throws {
        var w = World()
        let r = w.recruiter("Aiko", timeZone: "Asia/Tokyo")
        // Saturday 10:00 in Tokyo is Friday 20:00 in New York: after hours, so Monday closing.
        w.message(r, .inbound, wall("2026-01-10 10:00", tokyo))
        let inNewYork = try #require(w.status(r, at: wall("2026-01-12 12:00")).deadlines.first)
        #expect(show(inNewYork.due) == "2026-01-12 18:00")
        // A candidate in Berlin saw it Saturday 02:00: also Monday closing, but Berlin's.
        let inBerlin = try #require(w.status(r, at: wall("2026-01-12 12:00"), policy: Policy(timeZone: "Europe/Berlin")).deadlines.first)
        #expect(show(inBerlin.due, berlin) == "2026-01-12 18:00")
        #expect(inBerlin.due < inNewYork.due)
    }

    @Test func anOutboundClosesEveryOpenMessageBeforeIt() {
        var w = World()
        let r = w.recruiter("Priya")
        w.message(r, .inbound, wall("2026-01-05 10:00"))
        w.message(r, .inbound, wall("2026-01-05 11:00"))
        w.message(r, .outbound, wall("2026-01-05 12:00"))
        let open = w.message(r, .inbound, wall("2026-01-05 13:00"))
        let st = w.status(r, at: wall("2026-01-05 14:00"))
        #expect(st.openMessageIDs == [open])
        #expect(st.deadlines.map(\.messageID) == [open])
        #expect(st.turn == .mine)
    }

    @Test func noReplyNeededClosesItAndEverythingBeforeIt() {
        var w = World()
        let r = w.recruiter("Priya")
        w.message(r, .inbound, wall("2026-01-05 10:00"))
        w.message(r, .inbound, wall("2026-01-05 11:00"))
        w.message(r, .inbound, wall("2026-01-05 12:00"), noReplyNeeded: true)
        let closed = w.status(r, at: wall("2026-01-09 12:00"))
        #expect(closed.flags.isEmpty && closed.deadlines.isEmpty && closed.openMessageIDs.isEmpty)
        #expect(closed.turn == .none)
        let later = w.message(r, .inbound, wall("2026-01-09 13:00"))
        #expect(w.status(r, at: wall("2026-01-09 14:00")).openMessageIDs == [later])
    }

    @Test func messagesDatedAfterNowDoNotCountYet() {
        var w = World()
        let r = w.recruiter("Priya")
        w.message(r, .inbound, wall("2026-01-05 10:00"))
        w.message(r, .outbound, wall("2026-01-07 10:00"))
        let st = w.status(r, at: wall("2026-01-06 12:00"))
        #expect(st.flags == [.replyOverdue])
        #expect(st.lastContact == wall("2026-01-05 10:00"))
        #expect(w.status(r, at: wall("2026-01-07 10:00")).flags.isEmpty, "a message exactly at now counts")
    }
}

@Suite struct RiskRuleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var inbound: [String]
        var now: String
        var expected: [Flag]
        var testDescription: String { "\(inbound) at \(now) → \(expected.map(\.rawValue))" }
    }

    static let cases: [Case] = [
        Case(inbound: ["2026-01-05 10:00"], now: "2026-01-06 12:00", expected: [.replyOverdue]),
        // Oldest open older than 2 business days: Mon 10:00 + 2 → Wed 10:00 (strictly after).
        Case(inbound: ["2026-01-05 10:00"], now: "2026-01-07 10:00", expected: [.replyOverdue]),
        Case(inbound: ["2026-01-05 10:00"], now: "2026-01-07 10:01", expected: [.nonResponsiveRisk, .replyOverdue]),
        // Over a weekend: Thu 15:00 + 2 business days → Mon 15:00.
        Case(inbound: ["2026-01-08 15:00"], now: "2026-01-12 14:59", expected: [.replyOverdue]),
        Case(inbound: ["2026-01-08 15:00"], now: "2026-01-12 15:01", expected: [.nonResponsiveRisk, .replyOverdue]),
        // Two consecutive open: they followed up.
        Case(inbound: ["2026-01-05 10:00", "2026-01-05 11:00"], now: "2026-01-05 12:00",
             expected: [.nonResponsiveRisk, .replyDue]),
        // Three consecutive open: non-responsive, which replaces the risk flag.
        Case(inbound: ["2026-01-05 10:00", "2026-01-05 11:00", "2026-01-05 12:00"], now: "2026-01-05 13:00",
             expected: [.nonResponsive, .replyDue]),
        // Oldest open older than 7 calendar days.
        Case(inbound: ["2026-01-05 10:00"], now: "2026-01-12 10:00", expected: [.nonResponsiveRisk, .replyOverdue]),
        Case(inbound: ["2026-01-05 10:00"], now: "2026-01-12 10:01", expected: [.nonResponsive, .replyOverdue]),
        // Seven calendar days across the March DST change are 7 × 24 − 1 hours.
        Case(inbound: ["2026-03-05 10:00"], now: "2026-03-12 10:00", expected: [.nonResponsiveRisk, .replyOverdue]),
        Case(inbound: ["2026-03-05 10:00"], now: "2026-03-12 10:01", expected: [.nonResponsive, .replyOverdue]),
    ]

    @Test(arguments: cases)
    func thresholds(_ c: Case) {
        var w = World()
        let r = w.recruiter("Sam")
        for at in c.inbound { w.message(r, .inbound, wall(at)) }
        #expect(w.status(r, at: wall(c.now)).flags == c.expected)
    }

    @Test func thresholdsAreConfigurable() {
        var w = World()
        let r = w.recruiter("Sam")
        w.message(r, .inbound, wall("2026-01-05 10:00"))
        w.message(r, .inbound, wall("2026-01-05 11:00"))
        var policy = Policy.newYork
        policy.riskOpenCount = 3
        policy.replyBusinessDays = 2
        let st = w.status(r, at: wall("2026-01-06 12:00"), policy: policy)
        #expect(st.flags == [.replyDue])
        #expect(show(st.deadlines[0].due) == "2026-01-07 10:00")
    }

    @Test func blanketRecruitersRaiseNoRiskFlagsAndSortLow() {
        var w = World()
        let spam = w.recruiter("Mass Mailer Inc", targeting: .blanket)
        let quiet = w.recruiter("Quiet One")
        for day in 5...7 { w.message(spam, .inbound, wall("2026-01-0\(day) 10:00")) }
        let f = w.followUp(spam, due: wall("2026-01-06 10:00"))
        w.followUp(quiet, due: wall("2026-01-06 10:00"))
        let now = wall("2026-01-20 10:00")
        let st = w.status(spam, at: now)
        #expect(st.flags == [.followUpOverdue], "no reply or non-responsive flags, other rules still apply")
        #expect(st.deadlines.map(\.followUpID) == [f], "no reply deadlines")
        #expect(st.turn == .mine, "the turn is still the candidate's")
        let same = w.status(quiet, at: now)
        #expect(st.urgency == same.urgency + UrgencyWeights.default.blanket)
        #expect(st.deadlines[0].urgency < same.deadlines[0].urgency)
        var bare = World()
        let lone = bare.recruiter("Lone Blanket", targeting: .blanket)
        #expect(bare.status(lone, at: now).urgency < 0)
    }
}

@Suite struct OtherRuleTests {
    @Test func thankYouAfterAnInterviewUntilAnOutboundFollows() throws {
        var w = World()
        let r = w.recruiter("Lee")
        let iv = w.interview(r, at: wall("2026-01-09 14:00"), minutes: 60)
        w.message(r, .outbound, wall("2026-01-09 14:50")) // before the end: not a thank-you
        #expect(!w.status(r, at: wall("2026-01-09 14:59")).flags.contains(.thankYouDue))
        let justEnded = w.status(r, at: wall("2026-01-09 15:00"))
        #expect(justEnded.flags == [.thankYouDue])
        let d = try #require(justEnded.deadlines.first)
        #expect(d.kind == .thankYou && d.id == "thank-you:" + iv.uuidString.lowercased())
        #expect(show(d.due) == "2026-01-12 15:00", "Fri 15:00 + 1 business day")
        #expect(!d.isOverdue(at: wall("2026-01-12 15:00")) && d.isOverdue(at: wall("2026-01-12 15:01")))
        w.message(r, .outbound, wall("2026-01-09 18:30"))
        let thanked = w.status(r, at: wall("2026-01-09 19:00"))
        #expect(thanked.flags.isEmpty && thanked.deadlines.isEmpty)
    }

    @Test func followUpsAreDueAtTheirDateOrTheirSnooze() throws {
        var w = World()
        let r = w.recruiter("Lee")
        let f = w.followUp(r, due: wall("2026-01-06 10:00"))
        let early = w.status(r, at: wall("2026-01-05 10:00"))
        #expect(early.flags.isEmpty)
        #expect(early.deadlines.map(\.followUpID) == [f], "upcoming follow-ups are deadlines too")
        #expect(w.status(r, at: wall("2026-01-06 10:00")).flags.isEmpty, "on the due time: not yet overdue")
        #expect(w.status(r, at: wall("2026-01-06 10:01")).flags == [.followUpOverdue])

        var snoozed = World()
        let s = snoozed.recruiter("Lee")
        snoozed.followUp(s, due: wall("2026-01-06 10:00"), snoozedUntil: wall("2026-01-08 10:00"))
        let st = snoozed.status(s, at: wall("2026-01-07 10:00"))
        #expect(st.flags.isEmpty)
        #expect(show(try #require(st.deadlines.first).due) == "2026-01-08 10:00")
        #expect(snoozed.status(s, at: wall("2026-01-08 11:00")).flags == [.followUpOverdue])

        var done = World()
        let d = done.recruiter("Lee")
        done.followUp(d, due: wall("2026-01-06 10:00"), done: wall("2026-01-06 09:00"))
        let finished = done.status(d, at: wall("2026-01-09 10:00"))
        #expect(finished.flags.isEmpty && finished.deadlines.isEmpty)
    }

    struct ExpectationCase: Sendable, CustomTestStringConvertible {
        var inbound: String?
        var now: String
        var noShow: Bool
        var deadline: Bool
        var testDescription: String { "inbound \(inbound ?? "none"), now \(now)" }
    }

    // "I'll call you Tuesday at 13:00" (2026-01-06 13:00).
    @Test(arguments: [
        ExpectationCase(inbound: nil, now: "2026-01-06 12:00", noShow: false, deadline: true),
        ExpectationCase(inbound: nil, now: "2026-01-06 13:00", noShow: false, deadline: true),
        ExpectationCase(inbound: nil, now: "2026-01-06 13:01", noShow: true, deadline: true),
        ExpectationCase(inbound: "2026-01-06 15:00", now: "2026-01-06 16:00", noShow: false, deadline: false),
        ExpectationCase(inbound: "2026-01-06 11:00", now: "2026-01-06 16:00", noShow: false, deadline: false),
        ExpectationCase(inbound: "2026-01-02 11:00", now: "2026-01-06 16:00", noShow: true, deadline: true),
        // A call that happens after `now` has not happened yet.
        ExpectationCase(inbound: "2026-01-06 17:00", now: "2026-01-06 16:00", noShow: true, deadline: true),
    ])
    func expectationsAndNoShows(_ c: ExpectationCase) {
        var w = World()
        let r = w.recruiter("Lee")
        let e = w.expectation(r, by: wall("2026-01-06 13:00"))
        if let at = c.inbound { w.message(r, .inbound, wall(at), noReplyNeeded: true) }
        let st = w.status(r, at: wall(c.now))
        #expect(st.flags.contains(.noShow) == c.noShow)
        #expect(st.deadlines.contains { $0.expectationID == e && $0.kind == .expectation } == c.deadline)
    }

    @Test func awaitingThemThenColdAfterTwoUnansweredCheckIns() throws {
        var w = World()
        let r = w.recruiter("Ravi")
        w.message(r, .inbound, wall("2026-01-02 10:00"))
        w.message(r, .outbound, wall("2026-01-05 10:00"))
        // Mon 10:00 + 5 business days = next Mon 10:00; "5 business days ago or more".
        #expect(w.status(r, at: wall("2026-01-12 09:59")).flags.isEmpty)
        let waiting = w.status(r, at: wall("2026-01-12 10:00"))
        #expect(waiting.flags == [.awaitingThem] && waiting.turn == .theirs)
        let checkIn = try #require(waiting.deadlines.first)
        #expect(checkIn.kind == .checkIn && show(checkIn.due) == "2026-01-12 10:00")

        w.message(r, .outbound, wall("2026-01-12 10:00")) // check-in 1
        #expect(w.status(r, at: wall("2026-01-16 10:00")).flags.isEmpty, "the check-in restarts the wait")
        #expect(w.status(r, at: wall("2026-01-19 10:00")).flags == [.awaitingThem])
        w.message(r, .outbound, wall("2026-01-19 10:00")) // check-in 2
        #expect(w.status(r, at: wall("2026-01-23 10:00")).flags.isEmpty)
        let cold = w.status(r, at: wall("2026-01-26 10:00"))
        #expect(cold.flags == [.cold])
        #expect(cold.deadlines.isEmpty, "no more check-ins once cold")

        w.message(r, .inbound, wall("2026-01-27 10:00"))
        #expect(w.status(r, at: wall("2026-01-27 11:00")).flags == [.replyDue], "an answer warms it up")
    }

    @Test(arguments: [RelationshipStatus.declined, .dormant])
    func awaitingOnlyForRelationshipsBeingKeptUp(_ status: RelationshipStatus) {
        var w = World()
        let r = w.recruiter("Ravi", status: status)
        w.message(r, .inbound, wall("2026-01-02 10:00"))
        w.message(r, .outbound, wall("2026-01-05 10:00")) // the courtesy decline
        let st = w.status(r, at: wall("2026-02-05 10:00"))
        #expect(st.flags.isEmpty && st.deadlines.isEmpty)
        #expect(st.turn == .theirs)
    }

    @Test func doNotContactSilencesEverythingElse() {
        var w = World()
        let r = w.recruiter("Spammy", status: .doNotContact)
        for day in 5...7 { w.message(r, .inbound, wall("2026-01-0\(day) 10:00")) }
        w.followUp(r, due: wall("2026-01-06 10:00"))
        let st = w.status(r, at: wall("2026-01-20 10:00"))
        #expect(st.flags == [.doNotContact])
        #expect(st.deadlines.isEmpty)
        #expect(st.urgency < 0)
    }

    @Test func duplicateSubmissionsAcrossTwoRecruiters() {
        var w = World()
        let a = w.recruiter("A")
        let b = w.recruiter("B")
        let c = w.recruiter("C")
        let d = w.recruiter("D")
        w.opportunity(a, role: "Staff Engineer", employer: "Acme")
        w.opportunity(b, role: " staff   engineer", employer: "ACME ")
        w.opportunity(c, role: "Staff Engineer", employer: nil) // unknown employer: never a duplicate
        w.opportunity(d, role: "Designer", employer: "Globex")
        w.opportunity(d, role: "Designer", employer: "Globex") // twice through the same recruiter: not
        let e = w.recruiter("E"), f = w.recruiter("F")
        w.opportunity(e, role: "Chef\tde  Cuisine", employer: "Café Müller")
        w.opportunity(f, role: "chef de cuisine ", employer: "CAFÉ MÜLLER")
        let now = wall("2026-01-05 10:00")
        let all = Rules.evaluate(w.db, now: now, policy: .newYork)
        #expect(all[a]?.flags == [.duplicateSubmission])
        #expect(all[b]?.flags == [.duplicateSubmission])
        #expect(all[c]?.flags == [])
        #expect(all[d]?.flags == [])
        #expect(all[e]?.flags == [.duplicateSubmission] && all[f]?.flags == [.duplicateSubmission])
        for id in [a, b, c, d, e, f] { #expect(w.status(id, at: now) == all[id], "status(of:) agrees with evaluate") }
    }

    struct TurnCase: Sendable, CustomTestStringConvertible {
        var thread: [Direction]
        var lastNoReply = false
        var turn: Turn
        var testDescription: String { "\(thread.map(\.rawValue)) → \(turn)" }
    }

    @Test(arguments: [
        TurnCase(thread: [], turn: .none),
        TurnCase(thread: [.inbound], turn: .mine),
        TurnCase(thread: [.inbound, .outbound], turn: .theirs),
        TurnCase(thread: [.outbound, .inbound], turn: .mine),
        TurnCase(thread: [.outbound, .inbound], lastNoReply: true, turn: .none),
    ])
    func whoseTurnAndLastContact(_ c: TurnCase) {
        var w = World()
        let r = w.recruiter("T")
        var at = wall("2026-01-05 10:00")
        for (i, dir) in c.thread.enumerated() {
            w.message(r, dir, at, noReplyNeeded: c.lastNoReply && i == c.thread.count - 1)
            at = at.addingTimeInterval(3600)
        }
        let st = w.status(r, at: wall("2026-01-05 18:00"))
        #expect(st.turn == c.turn)
        #expect(st.lastContact == (c.thread.isEmpty ? nil : at.addingTimeInterval(-3600)))
    }

    @Test func unknownRecruiterHasAnEmptyStatus() {
        let id = UUID()
        #expect(Rules.status(of: id, in: Database(), now: wall("2026-01-05 10:00"), policy: .newYork)
            == RecruiterStatus(recruiterID: id))
    }
}

@Suite struct UrgencyTests {
    /// A recruiter with everything but non-responsive, as late as the cap allows, still
    /// sorts below a freshly non-responsive one.
    @Test func nonResponsiveComesFirst() {
        var w = World()
        let worst = w.recruiter("Everything Else")
        let nr = w.recruiter("Non Responsive")
        let now = wall("2026-03-02 10:00")
        w.message(worst, .inbound, wall("2026-01-05 10:00"), noReplyNeeded: true)
        w.message(worst, .outbound, wall("2026-01-05 11:00"))
        w.interview(worst, at: wall("2026-01-06 10:00"))
        w.followUp(worst, due: wall("2026-01-06 10:00"))
        w.expectation(worst, by: wall("2026-03-01 10:00"))
        w.opportunity(nr, role: "Engineer", employer: "Acme")
        w.message(worst, .inbound, wall("2026-02-27 09:00"))
        w.message(worst, .inbound, wall("2026-02-27 09:30"))
        for m in 0..<3 { w.message(nr, .inbound, wall("2026-03-02 09:0\(m)")) }
        let all = Rules.evaluate(w.db, now: now, policy: .newYork)
        #expect(all[worst]!.flags == [.nonResponsiveRisk, .replyOverdue, .thankYouDue, .followUpOverdue, .noShow, .duplicateSubmission])
        #expect(all[nr]!.flags == [.nonResponsive, .replyDue, .duplicateSubmission])
        #expect(all[nr]!.urgency > all[worst]!.urgency)
        // Sections come first (Overdue · Today · This week · Later); within a section a
        // non-responsive recruiter's deadline outranks a sooner one of another recruiter.
        w.followUp(worst, due: wall("2026-03-02 11:00"))
        let due = Rules.deadlines(in: w.db, now: now, policy: .newYork)
        let sections = Rules.Sections(now: now, policy: .newYork)
        let today = due.filter { sections.section(of: $0) == .today }
        #expect(today.map(\.recruiterID) == [nr, worst], "their deadlines come first in their section")
        #expect(today[0].due > today[1].due)
    }

    @Test func deadlinesOverdueFirstThenByHowMuchThenSoonest() {
        var w = World()
        let r = w.recruiter("R")
        let s = w.recruiter("S")
        let now = wall("2026-01-20 10:00")
        let late = w.followUp(r, due: wall("2026-01-10 10:00"))
        let lateReply = w.message(s, .inbound, wall("2026-01-19 09:00"), noReplyNeeded: false)
        let soon = w.followUp(r, due: wall("2026-01-21 10:00"))
        let far = w.followUp(s, due: wall("2026-02-20 10:00"))
        let soonest = w.followUp(s, due: wall("2026-01-20 11:00"))
        let due = Rules.deadlines(in: w.db, now: now, policy: .newYork)
        let order = due.map { $0.followUpID ?? $0.messageID }
        #expect(order == [late, lateReply, soonest, soon, far])
        #expect(Rules.deadlines(of: Rules.evaluate(w.db, now: now, policy: .newYork), now: now, policy: .newYork) == due)
        #expect(due.map(\.urgency) == due.map(\.urgency).sorted(by: >))
    }

    /// The worked examples of docs/rules.md.
    @Test func theDocumentedExamples() throws {
        var w = World()
        let r = w.recruiter("At Risk")
        let other = w.recruiter("Other")
        let first = w.message(r, .inbound, wall("2026-01-05 10:00"))
        w.message(r, .inbound, wall("2026-01-05 10:30"))
        let now = wall("2026-01-07 22:00") // the first reply (due Tue 10:00) is 1.5 days late
        w.followUp(other, due: wall("2026-01-11 10:00")) // 3.5 days ahead
        let st = w.status(r, at: now)
        #expect(st.flags == [.nonResponsiveRisk, .replyOverdue])
        #expect(abs(st.urgency - 19.5) < 1e-9)
        let reply = try #require(st.deadlines.first)
        #expect(reply.messageID == first && abs(reply.urgency - 16.5) < 1e-9)
        let followUp = try #require(w.status(other, at: now).deadlines.first)
        #expect(abs(followUp.urgency - 3.1) < 1e-9)
    }

    @Test func theOrderIsTotalForEqualScores() {
        var w = World()
        let r = w.recruiter("R")
        let a = w.followUp(r, due: wall("2026-03-20 10:00"))
        let b = w.followUp(r, due: wall("2026-03-20 10:00"))
        let due = Rules.deadlines(in: w.db, now: wall("2026-01-05 10:00"), policy: .newYork)
        #expect(due[0].urgency == due[1].urgency)
        #expect(due.map(\.id) == ["follow-up:" + a.uuidString.lowercased(), "follow-up:" + b.uuidString.lowercased()].sorted())
    }
}

@Suite struct PersistedFlagTests {
    @Test func flagsThatStayUpKeepTheirSince() {
        let monday = wall("2026-01-05 10:00"), friday = wall("2026-01-09 10:00")
        let previous = [FlagRecord(flag: .replyOverdue, since: monday), FlagRecord(flag: .duplicateSubmission, since: monday)]
        let next = Rules.persistedFlags(previous: previous, current: [.nonResponsiveRisk, .replyOverdue], now: friday)
        #expect(next == [FlagRecord(flag: .nonResponsiveRisk, since: friday), FlagRecord(flag: .replyOverdue, since: monday)])
        #expect(Rules.persistedFlags(previous: next, current: [], now: friday).isEmpty)
        #expect(Rules.persistedFlags(previous: [], current: [.cold], now: friday) == [FlagRecord(flag: .cold, since: friday)])
    }

    @Test func theWholeDatabaseAtOnceKeepsSinceToo() throws {
        var w = World()
        let r = w.recruiter("R")
        let quiet = w.recruiter("Quiet")
        w.message(r, .inbound, wall("2026-01-05 10:00"))
        let tuesday = wall("2026-01-06 12:00"), thursday = wall("2026-01-08 12:00")
        let first = Rules.persistedFlags(in: w.db, now: tuesday, policy: .newYork)
        #expect(first[r] == [FlagRecord(flag: .replyOverdue, since: tuesday)])
        #expect(first[quiet] == [])
        var saved = try #require(w.db.recruiters[r])
        saved.flags = first[r]!
        try w.db.apply(.putRecruiter(saved))
        let second = Rules.persistedFlags(in: w.db, now: thursday, policy: .newYork)
        #expect(second[r] == [FlagRecord(flag: .nonResponsiveRisk, since: thursday), FlagRecord(flag: .replyOverdue, since: tuesday)])
    }
}

@Suite struct PolicyTests {
    @Test func aPolicyFileKeepsTheDefaultsItDoesNotMention() throws {
        let json = #"{"timeZone": "Europe/Berlin", "riskOpenCount": 4, "urgency": {"flag": {"cold": -3}, "blanket": -9}}"#
        let p = try JSONDecoder().decode(Policy.self, from: Data(json.utf8))
        #expect(p.timeZone == "Europe/Berlin" && p.riskOpenCount == 4)
        #expect(p.nonResponsiveOpenDays == 7 && p.businessDayEndHour == 18 && p.quickChannels == [.phone, .text])
        #expect(p.urgency.flag["cold"] == -3 && p.urgency.flag["non-responsive"] == 50 && p.urgency.blanket == -9)
        #expect(p.urgency.deadlineOverdue == 10)
    }

    @Test func aPolicyRoundTripsThroughJSON() throws {
        var p = Policy(timeZone: "America/New_York")
        p.awaitingBusinessDays = 3
        p.urgency.overdueMaxDays = 30
        let back = try JSONDecoder().decode(Policy.self, from: JSONEncoder().encode(p))
        #expect(back == p)
        #expect(try JSONDecoder().decode(Policy.self, from: Data("{}".utf8)) == Policy.default)
    }
}

@Suite struct InternalsTests {
    @Test func flagSetFollowsTheFlagOrder() {
        for flag in Flag.allCases { #expect(FlagSet.index(flag) == flag.rank) }
        var set = FlagSet()
        for flag in Flag.allCases.reversed() { set.insert(flag) }
        #expect(set.sorted == Flag.allCases)
        #expect(set.contains(.cold) && !FlagSet().contains(.cold))
    }

    @Test func fastLowercasedUUIDStringMatchesFoundation() {
        for _ in 0..<50 {
            let id = UUID()
            #expect(id.lowercasedUUIDString == id.uuidString.lowercased())
        }
    }

    @Test func cachedOffsetsMatchTheZone() {
        let anchor = wall("2026-06-01 12:00")
        for zone in [newYork, berlin, tokyo, utc, TimeZone(identifier: "Australia/Lord_Howe")!] {
            let cached = BusinessCalendar(timeZone: zone, anchor: anchor)
            var t = anchor.timeIntervalSince1970 - 4 * 366 * 86_400
            while t < anchor.timeIntervalSince1970 + 4 * 366 * 86_400 {
                #expect(cached.offset(at: t) == zone.secondsFromGMT(for: Date(timeIntervalSince1970: t)), "\(zone.identifier) at \(t)")
                t += 86_400 * 3 + 3_541
            }
        }
    }
}

/// Every flag goes up, then the action the candidate would take brings it down at once.
@Suite struct RaiseAndClearTests {
    enum Scenario: String, CaseIterable, Sendable {
        case nonResponsive, risk, replyOverdue, replyDue, thankYou, followUp, noShow, awaiting, cold, duplicate, doNotContact
    }

    @Test(arguments: Scenario.allCases)
    func raisedThenCleared(_ s: Scenario) throws {
        var w = World()
        let r = w.recruiter("R")
        let now = wall("2026-01-20 12:00")
        var flag: Flag
        var clear: Change
        switch s {
        case .nonResponsive, .risk, .replyOverdue, .replyDue:
            let times: [String] = switch s {
            case .nonResponsive: ["2026-01-20 09:00", "2026-01-20 10:00", "2026-01-20 11:00"]
            case .risk: ["2026-01-20 09:00", "2026-01-20 10:00"]
            case .replyOverdue: ["2026-01-19 09:00"]
            default: ["2026-01-20 11:00"]
            }
            for t in times { w.message(r, .inbound, wall(t)) }
            flag = [.nonResponsive: Flag.nonResponsive, .risk: .nonResponsiveRisk, .replyOverdue: .replyOverdue][s] ?? .replyDue
            clear = .putMessage(Message(recruiterID: r, direction: .outbound, channel: .phone, at: wall("2026-01-20 11:30")))
        case .thankYou:
            w.interview(r, at: wall("2026-01-19 10:00"))
            flag = .thankYouDue
            clear = .putMessage(Message(recruiterID: r, direction: .outbound, at: wall("2026-01-20 11:00")))
        case .followUp:
            let id = w.followUp(r, due: wall("2026-01-19 10:00"))
            flag = .followUpOverdue
            var done = try #require(w.db.followUps[id])
            done.done = wall("2026-01-20 11:00")
            clear = .putFollowUp(done)
        case .noShow:
            w.expectation(r, by: wall("2026-01-19 13:00"))
            flag = .noShow
            clear = .putMessage(Message(recruiterID: r, direction: .inbound, at: wall("2026-01-20 11:00"), noReplyNeeded: true))
        case .awaiting, .cold:
            let sent = s == .cold ? ["2026-01-02 10:00", "2026-01-05 10:00", "2026-01-12 10:00"] : ["2026-01-12 10:00"]
            for t in sent { w.message(r, .outbound, wall(t)) }
            flag = s == .cold ? .cold : .awaitingThem
            clear = .putMessage(Message(recruiterID: r, direction: .inbound, at: wall("2026-01-20 11:00"), noReplyNeeded: true))
        case .duplicate:
            let other = w.recruiter("Other")
            w.opportunity(other, role: "SRE", employer: "Initech")
            let mine = Opportunity(recruiterID: r, role: "sre", employer: "INITECH")
            try w.db.apply(.putOpportunity(mine))
            flag = .duplicateSubmission
            clear = .removeOpportunity(mine.id)
        case .doNotContact:
            var rec = try #require(w.db.recruiters[r])
            rec.status = .doNotContact
            try w.db.apply(.putRecruiter(rec))
            flag = .doNotContact
            rec.status = .active
            clear = .putRecruiter(rec)
        }
        #expect(w.status(r, at: now).flags.contains(flag), "raised")
        try w.db.apply(clear)
        let after = w.status(r, at: now)
        #expect(!after.flags.contains(flag), "cleared")
        #expect(after.flags.isEmpty, "nothing else left: \(after.flags)")
    }
}

@Suite("urgency weights by kind")
struct UrgencyKindTableTests {
    @Test("the table gives each kind the weight the settings name for it, none for a kind left out")
    func kindsByPosition() {
        var weights: [String: Double] = [:]
        for (i, k) in DeadlineKind.allCases.enumerated() where i != 2 { weights[k.rawValue] = Double(i * 10 + 3) }
        let w = UrgencyWeights(deadlineKind: weights)
        let table = UrgencyWeights.Table(w)
        for k in DeadlineKind.allCases {
            #expect(table.kind(k) == (weights[k.rawValue] ?? 0), "\(k)")
        }
        #expect(Set(DeadlineKind.allCases.map { table.kind($0) }).count == DeadlineKind.allCases.count)
    }
}
