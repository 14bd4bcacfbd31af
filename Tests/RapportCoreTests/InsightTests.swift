import Foundation
import Testing
@testable import RapportCore

@Suite struct TemplateTests {
    func world() -> (Database, Recruiter) {
        var db = Database()
        let r = Recruiter(name: "Dana Smith", firm: "Hays", created: wall("2026-01-01 09:00"))
        try! db.apply(.putRecruiter(r))
        return (db, r)
    }

    @Test func declineIsFilledFromTheDataAndTheReason() throws {
        var (db, r) = world()
        try db.apply(.putOpportunity(Opportunity(recruiterID: r.id, role: "Platform Engineer", employer: "Acme")))
        let values = Templates.values(for: r, in: db, now: wall("2026-01-05 10:00"), myName: "Sam Lee",
                                      extra: ["reason": "the role is fully on-site"])
        let t = try #require(Templates.shipped.first { $0.name == "decline" })
        let filled = Templates.fill(t, values: values)
        #expect(filled.isComplete && filled.problems.isEmpty)
        #expect(filled.subject == "Re: Platform Engineer")
        #expect(filled.body.hasPrefix("Hi Dana,\n\nThank you for thinking of me for the Platform Engineer role. I'm not interested because the role is fully on-site,"))
        #expect(filled.body.hasSuffix("Best regards,\nSam Lee"))
        #expect(!filled.body.contains("{"))
    }

    @Test func missingDataIsReportedAndLeftVisible() throws {
        let (db, r) = world()
        let t = try #require(Templates.shipped.first { $0.name == "thank-you" })
        let filled = Templates.fill(t, values: Templates.values(for: r, in: db, now: wall("2026-01-05 10:00"), myName: nil))
        #expect(!filled.isComplete)
        #expect(filled.unknown.isEmpty)
        #expect(filled.missing == ["role", "employer", "interviewers", "my_name"], "in order of first use, subject first")
        #expect(filled.subject == "Thank you: {role} interview")
        #expect(filled.body.contains("Hi Dana,") && filled.body.contains("{interviewers}"))
        #expect(filled.problems.first == "no data for {role}: the recruiter has no opportunity (rapport interview … --role)")
        // A blank value is no data either.
        let blank = Templates.fill(t, values: ["first_name": "Dana", "role": "  ", "employer": "Acme", "interviewers": "Alex", "my_name": "Sam"])
        #expect(blank.missing == ["role"])
    }

    @Test func unknownPlaceholdersAreReportedNotSent() {
        let t = MessageTemplate(name: "mine", subject: nil, body: "Hi {frist_name}, about {role} {{literal}} and {not a placeholder}.")
        let filled = Templates.fill(t, values: ["first_name": "Dana", "role": "SRE"])
        #expect(filled.unknown == ["frist_name"])
        #expect(filled.missing.isEmpty)
        #expect(filled.body == "Hi {frist_name}, about SRE {literal} and {not a placeholder}.")
        #expect(!filled.isComplete)
        #expect(filled.problems == ["unknown placeholder {frist_name}"])
        #expect(Templates.placeholderNames(in: t.body) == ["frist_name", "role"])
        // A value supplied for a custom name fills it.
        #expect(Templates.fill(t, values: ["frist_name": "D", "role": "SRE"]).isComplete)
    }

    @Test func interviewersAndRoleComeFromTheLatestInterview() throws {
        var (db, r) = world()
        let old = Opportunity(recruiterID: r.id, role: "Old Role", employer: "Old Co", stage: .closedLost,
                              interviews: [InterviewEvent(at: wall("2026-01-02 10:00"), interviewers: ["Zed"])])
        let new = Opportunity(recruiterID: r.id, role: "Staff Engineer", employer: "Acme", stage: .interview, interviews: [
            InterviewEvent(at: wall("2026-01-06 10:00"), interviewers: ["Alex Morgan"]),
            InterviewEvent(at: wall("2026-01-08 10:00"), interviewers: ["Kim Lee", "Ravi Patel", "Jo Wu"]),
            InterviewEvent(at: wall("2026-01-20 10:00"), interviewers: ["Future Person"]),
        ])
        try db.apply(.batch([.putOpportunity(old), .putOpportunity(new)]))
        let v = Templates.values(for: r, in: db, now: wall("2026-01-09 10:00"), myName: "Sam")
        #expect(v["role"] == "Staff Engineer" && v["employer"] == "Acme")
        #expect(v["interviewers"] == "Kim Lee, Ravi Patel and Jo Wu", "the latest interview that has started")
        #expect(v["first_name"] == "Dana" && v["firm"] == "Hays" && v["my_name"] == "Sam")
        let t = try #require(Templates.shipped.first { $0.name == "thank-you" })
        #expect(Templates.fill(t, values: v).isComplete)
    }

    @Test func userTemplatesParseASubjectAndOverrideShippedOnes() {
        let mine = MessageTemplate.parse(name: "decline", text: "Subject: No thanks\n\nHi {first_name}, no.\n", source: .user("/x/decline.txt"))
        #expect(mine.subject == "No thanks" && mine.body == "Hi {first_name}, no.")
        let noSubject = MessageTemplate.parse(name: "x", text: "Just a body\r\nline two", source: .user("/x/x.txt"))
        #expect(noSubject.subject == nil && noSubject.body == "Just a body\nline two")
        let all = Templates.merged(user: [mine, noSubject])
        #expect(all.map(\.name) == ["accept-call", "check-in", "decline", "follow-up", "not-now", "referral", "thank-you", "x"])
        #expect(all.first { $0.name == "decline" }?.source == .user("/x/decline.txt"))
        #expect(Set(Templates.shipped.map(\.name)) == ["decline", "not-now", "referral", "thank-you", "check-in", "accept-call", "follow-up"])
    }
}

@Suite struct SendTimeTests {
    @Test func threeInTheMorningInTokyoSuggestsTheirNineOClock() throws {
        let r = Recruiter(name: "Dana", timeZone: "Asia/Tokyo", created: wall("2026-01-01 09:00"))
        let now = wall("2026-03-09 18:12", utc) // Tue 03:12 in Tokyo
        let c = try #require(SendTime.check(r, now: now, policy: .newYork))
        #expect(!c.isBusinessTime)
        #expect(show(c.nextGoodTime, tokyo) == "2026-03-10 09:00")
        let london = TimeZone(identifier: "Europe/London")!
        #expect(c.warning(name: "Dana", yourZone: london)
            == "It's 03:12 Tue for Dana (Asia/Tokyo); send after 09:00 Tue their time, 00:00 Tue yours (Europe/London)")
    }

    @Test func insideTheirHoursNoWarning() throws {
        let c = SendTime.check(timeZone: berlin, now: wall("2026-03-09 10:00", berlin), policy: .newYork)
        #expect(c.isBusinessTime && c.nextGoodTime == wall("2026-03-09 10:00", berlin))
        #expect(c.warning(name: "Kai", yourZone: newYork) == nil)
        // Their hours, not the candidate's: 10:00 in New York is 16:00 in Berlin (inside), 13:00 NY is 19:00 there.
        #expect(SendTime.check(timeZone: berlin, now: wall("2026-03-09 13:00"), policy: .newYork).isBusinessTime == false)
        let noZone = Recruiter(name: "Nobody", created: wall("2026-01-01 09:00"))
        #expect(SendTime.check(noZone, now: wall("2026-03-09 10:00"), policy: .newYork) == nil)
    }

    /// US clocks spring forward on Sun 2026-03-08, Europe's on Mar 29: for those three
    /// weeks New York is 5 hours behind Berlin, not 6.
    @Test func acrossTheSpringForwardWeekend() {
        let c = SendTime.check(timeZone: newYork, now: wall("2026-03-06 19:00"), policy: .newYork) // Fri evening EST
        #expect(!c.isBusinessTime)
        #expect(show(c.nextGoodTime) == "2026-03-09 09:00", "Monday 09:00 on their wall clock")
        #expect(c.nextGoodTime == wall("2026-03-09 13:00", utc), "EDT: UTC-4")
        #expect(c.warning(name: "Lee", yourZone: berlin)
            == "It's 19:00 Fri for Lee (America/New_York); send after 09:00 Mon their time, 14:00 Mon yours (Europe/Berlin)")
    }

    @Test func acrossTheFallBackWeekendAndOnASaturday() {
        let c = SendTime.check(timeZone: newYork, now: wall("2026-10-31 12:00"), policy: .newYork) // Sat, EDT
        #expect(!c.isBusinessTime)
        #expect(c.nextGoodTime == wall("2026-11-02 14:00", utc), "Mon 09:00 EST is 14:00 UTC")
        // Early morning on a weekday: later the same day.
        let early = SendTime.check(timeZone: tokyo, now: wall("2026-11-02 07:30", tokyo), policy: .newYork)
        #expect(show(early.nextGoodTime, tokyo) == "2026-11-02 09:00")
        // At closing time it is already too late: the next morning.
        let closing = SendTime.check(timeZone: tokyo, now: wall("2026-11-02 18:00", tokyo), policy: .newYork)
        #expect(!closing.isBusinessTime && show(closing.nextGoodTime, tokyo) == "2026-11-03 09:00")
    }
}

@Suite struct PreparationTests {
    let call = wall("2026-01-09 14:00")

    func world(note: String? = nil) -> (World, UUID) {
        var w = World()
        let r = w.recruiter("Lee")
        if let note {
            try! w.db.apply(.putExpectation(Expectation(recruiterID: r, by: call, note: note)))
        } else {
            w.interview(r, at: call)
        }
        return (w, r)
    }

    func tick(_ w: inout World, _ r: UUID, _ items: [ChecklistItem]) {
        var rec = w.db.recruiters[r]!
        for i in items where i.scope == .recruiter { rec.checklist.done[i.rawValue] = wall("2026-01-08 10:00") }
        try! w.db.apply(.putRecruiter(rec))
        for var o in w.db.opportunities(of: r) {
            for i in items where i.scope == .opportunity { o.checklist.done[i.rawValue] = wall("2026-01-08 10:00") }
            try! w.db.apply(.putOpportunity(o))
        }
    }

    @Test func unpreparedFromTwentyFourHoursBeforeTheCallUntilItStarts() {
        let (w, r) = world()
        #expect(!w.status(r, at: call.addingTimeInterval(-(24 * 3600 + 60))).flags.contains(.unprepared), "24h01 before")
        #expect(w.status(r, at: call.addingTimeInterval(-24 * 3600)).flags.contains(.unprepared), "exactly 24h before")
        #expect(w.status(r, at: call.addingTimeInterval(-(23 * 3600 + 59 * 60))).flags.contains(.unprepared), "23h59 before")
        #expect(w.status(r, at: call).flags.contains(.unprepared), "at the start")
        #expect(!w.status(r, at: call.addingTimeInterval(60)).flags.contains(.unprepared), "once it has begun")
    }

    @Test func aCompleteChecklistClearsIt() {
        var (w, r) = world()
        let now = call.addingTimeInterval(-3600)
        tick(&w, r, [.profileReviewed, .firmVetted])
        #expect(w.status(r, at: now).flags.contains(.unprepared), "the company site is still unread")
        tick(&w, r, [.companySiteRead])
        #expect(!w.status(r, at: now).flags.contains(.unprepared))
        let st = w.status(r, at: now)
        #expect(st.flags.isEmpty, "nothing else is up: \(st.flags)")
    }

    @Test func aPromisedCallCountsButOtherPromisesDoNot() {
        var (w, r) = world(note: "Will call Tuesday about the role")
        let now = call.addingTimeInterval(-3600)
        #expect(w.status(r, at: now).flags.contains(.unprepared))
        tick(&w, r, [.profileReviewed, .firmVetted])
        #expect(!w.status(r, at: now).flags.contains(.unprepared), "a call with no opportunity needs the recruiter items only")
        let (other, o) = world(note: "send the job description")
        #expect(!other.status(o, at: now).flags.contains(.unprepared))
    }

    @Test func doNotContactRaisesNoPrepFlag() {
        var w = World()
        let r = w.recruiter("Gone", status: .doNotContact)
        w.interview(r, at: call)
        #expect(w.status(r, at: call.addingTimeInterval(-3600)).flags == [.doNotContact])
    }

    @Test func checklistAndReferralsGoThroughChangesAndUndo() throws {
        var (w, r) = world()
        let before = w.db
        var rec = w.db.recruiters[r]!
        rec.checklist.done[ChecklistItem.profileReviewed.rawValue] = wall("2026-01-08 10:00")
        rec.checklist.agenda = "Led the migration that cut costs 40%"
        rec.referrals.append(Referral(name: "Jo Wu", at: wall("2026-01-08 11:00"), note: "SRE role"))
        let change = Change.putRecruiter(rec)
        let undo = try w.db.inverse(of: change)
        try w.db.apply(change)
        #expect(w.db.recruiters[r]?.referrals.map(\.name) == ["Jo Wu"])
        try w.db.apply(undo)
        #expect(w.db == before)
        var o = try #require(w.db.opportunities(of: r).first)
        o.checklist.done[ChecklistItem.companySiteRead.rawValue] = wall("2026-01-08 10:00")
        let undoOpp = try w.db.inverse(of: .putOpportunity(o))
        try w.db.apply(.putOpportunity(o))
        try w.db.apply(undoOpp)
        #expect(w.db == before)
    }
}

@Suite struct ModelCodingInsightTests {
    func roundTrip<T: Codable & Equatable>(_ value: T) throws -> (T, String) {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        e.dateEncodingStrategy = .iso8601
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        let data = try e.encode(value)
        return (try d.decode(T.self, from: data), String(decoding: data, as: UTF8.self))
    }

    @Test func checklistAndReferralsRoundTripAndAreOmittedWhenEmpty() throws {
        let created = Date(timeIntervalSince1970: 1_767_261_600)
        var r = Recruiter(name: "Dana", created: created)
        let (plain, plainJSON) = try roundTrip(r)
        #expect(plain == r)
        #expect(!plainJSON.contains("checklist") && !plainJSON.contains("referrals"), "old stores read the same")
        r.checklist = Checklist(done: ["profile-reviewed": created, "future-item": created], agenda: "Talk about X",
                                extra: ["colour": .string("blue")])
        r.referrals = [Referral(name: "Jo", at: created, note: "SRE", extra: ["via": .string("email")])]
        let (back, json) = try roundTrip(r)
        #expect(back == r)
        #expect(json.contains("\"future-item\"") && json.contains("\"colour\":\"blue\"") && json.contains("\"via\":\"email\""))
        var o = Opportunity(recruiterID: r.id, role: "SRE")
        o.checklist.done["company-site-read"] = created
        #expect(try roundTrip(o).0 == o)
        #expect(try !roundTrip(Opportunity(recruiterID: r.id, role: "SRE")).1.contains("checklist"))
    }

    @Test func aRecordWithoutTheNewKeysDecodesEmpty() throws {
        let json = #"{"id":"6F1C4C0E-0000-4000-8000-000000000001","name":"Dana","created":"2026-01-01T09:00:00Z"}"#
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        let r = try d.decode(Recruiter.self, from: Data(json.utf8))
        #expect(r.checklist.isEmpty && r.referrals.isEmpty && r.extra.isEmpty)
    }
}

@Suite struct StatsTests {
    let now = wall("2026-02-27 12:00") // Friday, New York

    /// The fixed dataset; the expected figures below are worked out by hand in the comments.
    func dataset() -> (Database, ada: UUID, bob: UUID) {
        var w = World()
        let ada = w.recruiter("Ada")
        let bob = w.recruiter("Bob", targeting: .blanket)
        w.message(ada, .inbound, wall("2026-01-05 09:00"))
        w.message(ada, .outbound, wall("2026-01-05 15:00"))  // you: 6h (Jan)
        w.message(ada, .inbound, wall("2026-01-06 10:00"))   // them: 19h
        w.message(ada, .inbound, wall("2026-01-07 10:00"))
        w.message(ada, .outbound, wall("2026-01-08 10:00"))  // you: 48h from 01-06 10:00 (Jan); silent
        w.message(ada, .inbound, wall("2026-02-02 10:00"))   // them: 600h
        w.message(ada, .outbound, wall("2026-02-03 10:00"))  // you: 24h (Feb); silent (window ended 02-10)
        w.message(ada, .inbound, wall("2026-03-01 10:00"))   // after now: ignored
        w.message(bob, .inbound, wall("2026-02-16 09:00"), noReplyNeeded: true) // starts no run
        w.message(bob, .inbound, wall("2026-02-17 09:00"))
        w.message(bob, .outbound, wall("2026-02-17 11:00"))  // you: 2h (Feb)
        w.message(bob, .inbound, wall("2026-02-17 13:00"))   // them: 2h
        w.message(bob, .outbound, wall("2026-02-26 10:00"))  // you: 213h from 02-17 13:00 (Feb); window open until 03-05: not judged
        var a = w.db.recruiters[ada]!
        a.referrals = [Referral(name: "Jo", at: wall("2026-02-01 10:00"))]
        try! w.db.apply(.putRecruiter(a))
        try! w.db.apply(.batch([
            .putOpportunity(Opportunity(recruiterID: ada, role: "A1", stage: .final)),
            .putOpportunity(Opportunity(recruiterID: ada, role: "A2", stage: .closedLost,
                                        interviews: [InterviewEvent(at: wall("2026-01-12 10:00"))])),
            .putOpportunity(Opportunity(recruiterID: bob, role: "B1", stage: .sourced)),
            .putOpportunity(Opportunity(recruiterID: bob, role: "B2", stage: .withdrawn)),
        ]))
        return (w.db, ada, bob)
    }

    @Test func candidateReplyTimesOverallAndPerMonth() {
        let (db, _, _) = dataset()
        let s = Stats.compute(db, now: now, policy: .newYork)
        // Samples 6, 48, 24, 2, 213 h → sorted 2, 6, 24, 48, 213 → median 24.
        #expect(s.you == ReplyTimes(replies: 5, medianHours: 24))
        #expect(s.normHours == [24, 48])
        #expect(s.monthly.count == 12)
        #expect(s.monthly.suffix(3) == [
            MonthlyReplies(month: "2025-12", replies: 0, medianHours: nil),
            MonthlyReplies(month: "2026-01", replies: 2, medianHours: 27),  // 6, 48
            MonthlyReplies(month: "2026-02", replies: 3, medianHours: 24),  // 24, 2, 213
        ])
        #expect(s.monthly.first?.month == "2025-03")
    }

    @Test func perRecruiterFiguresAndTheAllyScore() throws {
        let (db, ada, bob) = dataset()
        let s = Stats.compute(db, now: now, policy: .newYork)
        #expect(s.recruiters.map(\.id) == [ada, bob], "highest ally score first")
        let a = s.recruiters[0], b = s.recruiters[1]
        #expect(a.them == ReplyTimes(replies: 2, medianHours: 309.5)) // 19, 600
        #expect(a.you == ReplyTimes(replies: 3, medianHours: 24))     // 6, 48, 24
        #expect(a.outboundJudged == 3 && a.silences == 2 && a.silenceRate == 0.67)
        #expect(a.lastContact == wall("2026-02-03 10:00"))
        #expect(a.referrals == 1 && a.stageReached == .final)
        // targeted 15 + their replies 0 (309.5h) + reliability round(15 × 0.33) = 5
        // + your replies 15 (24h) + referrals 10 + final 15 = 60
        #expect(a.allyParts == AllyScoreParts(targeted: 15, theirReplies: 0, reliability: 5, yourReplies: 15, referrals: 10, stage: 15))
        #expect(a.allyScore == 60)
        #expect(b.them == ReplyTimes(replies: 1, medianHours: 2))
        #expect(b.you == ReplyTimes(replies: 2, medianHours: 107.5)) // 2, 213
        #expect(b.outboundJudged == 1 && b.silences == 0 && b.silenceRate == 0)
        #expect(b.stageReached == .sourced && b.lastContact == wall("2026-02-26 10:00"))
        // blanket 0 + their replies 15 (2h) + reliability 15 + your replies 8 (107.5h) + 0 + sourced 0 = 38
        #expect(b.allyParts == AllyScoreParts(targeted: 0, theirReplies: 15, reliability: 15, yourReplies: 8, referrals: 0, stage: 0))
        #expect(b.allyScore == 38)
    }

    @Test func weeklyActivityAndFunnel() throws {
        let (db, _, _) = dataset()
        let s = Stats.compute(db, now: now, policy: .newYork)
        #expect(s.weekly.count == 26)
        #expect(show(try #require(s.weekly.last).start) == "2026-02-23 00:00")
        #expect(show(s.weekly[18].start) == "2026-01-05 00:00")
        #expect(show(s.weekly[0].start) == "2025-09-01 00:00")
        let counts = s.weekly.map { [$0.inbound, $0.outbound] }
        var expected = Array(repeating: [0, 0], count: 26)
        expected[18] = [3, 2] // Ada, week of Jan 5
        expected[22] = [1, 1] // Ada, week of Feb 2
        expected[24] = [3, 1] // Bob, week of Feb 16 (the no-reply-needed one counts as activity)
        expected[25] = [0, 1] // Bob, Feb 26; Ada's Mar 1 is after now
        #expect(counts == expected)
        #expect(s.funnel.map(\.count) == [1, 0, 0, 1, 0, 0, 1, 1])
        #expect(s.funnel.map(\.stage) == Stage.allCases)
    }

    @Test func medianOfOddEvenAndEmpty() {
        #expect(Stats.median([]) == nil)
        #expect(Stats.median([5]) == 5)
        #expect(Stats.median([9, 1, 5]) == 5)
        #expect(Stats.median([4, 1, 3, 2]) == 2.5)
    }

    @Test func sparklines() {
        #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█")
        #expect(Sparkline.render([nil, 2, 4], lower: 0) == " ▅█")
        #expect(Sparkline.render([3, 3, 3]) == "▄▄▄")
        #expect(Sparkline.render([0, 0], lower: 0) == "▁▁")
        #expect(Sparkline.render(counts: [0, 7, 14]) == "▁▅█")
        #expect(Sparkline.render([1, 50], lower: 0, upper: 10) == "▂█", "clamped at the top")
        #expect(Sparkline.render([Double?]([nil, nil])) == "  ")
        #expect(Sparkline.render([Double?]()) == "")
    }
}

@Suite struct CallPrepTests {
    @Test func prepShowsTheNextCallWhatIsMissingAndTheAgenda() throws {
        var w = World()
        let r = w.recruiter("Lee")
        w.message(r, .inbound, wall("2026-01-05 09:00"))
        w.message(r, .outbound, wall("2026-01-05 10:00"))
        w.message(r, .inbound, wall("2026-01-12 10:00")) // after now: not in the summary
        w.interview(r, at: wall("2026-01-09 14:00"), role: "SRE", employer: "Acme")
        var rec = w.db.recruiters[r]!
        rec.checklist.done["profile-reviewed"] = wall("2026-01-05 11:00")
        rec.checklist.agenda = "Cut p99 latency by half"
        try w.db.apply(.putRecruiter(rec))
        let now = wall("2026-01-08 15:00")
        let prep = try #require(Preparation.prep(for: r, in: w.db, now: now, recentCount: 5))
        #expect(prep.call?.at == wall("2026-01-09 14:00") && prep.call?.title == "SRE interview at Acme")
        #expect(prep.opportunity?.role == "SRE")
        #expect(prep.missing == [.firmVetted, .companySiteRead])
        #expect(prep.agenda == ["Cut p99 latency by half"])
        #expect(prep.recent.map(\.at) == [wall("2026-01-05 09:00"), wall("2026-01-05 10:00")])
        #expect(prep.unprepared)
        #expect(Preparation.prep(for: r, in: w.db, now: wall("2026-01-07 15:00"))?.unprepared == false, "47 hours before")
        #expect(Preparation.prep(for: UUID(), in: w.db, now: now) == nil)
        let scores = Stats.compute(w.db, now: now, policy: .newYork).allyScores
        // targeted 15 + their replies 0 (their answer is after now) + reliability 0 (the
        // outbound's window is still open) + your reply in 1h 15 + interview stage 10
        #expect(scores[r] == 40)
    }
}
