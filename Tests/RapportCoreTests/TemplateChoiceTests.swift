import Foundation
import Testing
@testable import RapportCore

@Suite struct TemplateChoiceTests {
    let now = wall("2026-03-11 10:00") // a Wednesday
    let all = Templates.shipped.map(\.name)
    let rid = UUID()

    func deadline(_ kind: DeadlineKind, due: String, urgency: Double) -> Deadline {
        Deadline(id: "\(kind.rawValue):x", kind: kind, recruiterID: rid, due: wall(due), title: kind.rawValue, urgency: urgency)
    }

    @Test func decliningAlwaysPicksDecline() {
        let d = [deadline(.thankYou, due: "2026-03-11 18:00", urgency: 9)]
        #expect(Templates.preselected(purpose: .decline, deadlines: d, now: now, available: all) == "decline")
        #expect(Templates.preselected(purpose: .decline, deadlines: [], now: now, available: ["blank"]) == nil,
                "only a template that exists")
    }

    @Test func aThankYouOwedAfterAnInterviewIsPreselected() {
        // Due on Friday: further than the window, but a thank-you is owed from the interview's end.
        let d = [deadline(.thankYou, due: "2026-03-13 17:00", urgency: 4.8)]
        #expect(Templates.preselected(purpose: .reply, deadlines: d, now: now, available: all) == "thank-you")
    }

    @Test func theMostUrgentPressingDeadlineDecides() {
        let followUp = deadline(.followUp, due: "2026-03-10 09:00", urgency: 12)
        let checkIn = deadline(.checkIn, due: "2026-03-09 09:00", urgency: 3)
        let thankYou = deadline(.thankYou, due: "2026-03-12 09:00", urgency: 4)
        #expect(Templates.preselected(purpose: .reply, deadlines: [checkIn, followUp, thankYou], now: now, available: all) == "follow-up")
        #expect(Templates.preselected(purpose: .reply, deadlines: [checkIn, thankYou], now: now, available: all) == "thank-you")
        #expect(Templates.preselected(purpose: .reply, deadlines: [checkIn], now: now, available: all) == "check-in")
    }

    @Test func aFollowUpWeeksAwayOrAReplyTheyAwaitStartsBlank() {
        let later = deadline(.followUp, due: "2026-03-30 09:00", urgency: 0.6)
        #expect(Templates.preselected(purpose: .reply, deadlines: [later], now: now, available: all) == nil)
        let soon = deadline(.followUp, due: "2026-03-12 09:00", urgency: 2)
        #expect(Templates.preselected(purpose: .reply, deadlines: [soon], now: now, available: all) == "follow-up",
                "due within a day")
        let reply = deadline(.reply, due: "2026-03-11 12:00", urgency: 20)
        #expect(Templates.preselected(purpose: .reply, deadlines: [reply, soon], now: now, available: all) == nil,
                "answering their message: no canned text")
        #expect(Templates.preselected(purpose: .reply, deadlines: [], now: now, available: all) == nil)
        #expect(Templates.preselected(purpose: .reply, deadlines: [soon], now: now, available: ["decline"]) == nil)
    }

    @Test func theRulesDeadlinesOfARecruiterAfterAnInterviewPickThankYou() throws {
        var db = Database()
        let r = Recruiter(name: "Dana Smith", firm: "Hays", created: wall("2026-03-01 09:00"))
        let o = Opportunity(recruiterID: r.id, role: "Staff Engineer", employer: "Acme", stage: .interview,
                            interviews: [InterviewEvent(at: wall("2026-03-10 14:00"), interviewers: ["Kim"])])
        try db.apply(.batch([.putRecruiter(r), .putOpportunity(o)]))
        let status = Rules.status(of: r.id, in: db, now: now, policy: .newYork)
        #expect(status.flags.contains(.thankYouDue))
        #expect(Templates.preselected(purpose: .reply, deadlines: status.deadlines, now: now, available: all) == "thank-you")
    }

    @Test func roleComesFromTheOpportunityElseTheThreadsLatestSubject() throws {
        var db = Database()
        let r = Recruiter(name: "Dana Smith", created: wall("2026-03-01 09:00"))
        try db.apply(.putRecruiter(r))
        try db.apply(.putMessage(Message(recruiterID: r.id, direction: .inbound, at: wall("2026-03-02 09:00"), subject: "Old role")))
        try db.apply(.putMessage(Message(recruiterID: r.id, direction: .inbound, at: wall("2026-03-09 09:00"),
                                         subject: "RE: Fwd: [External] Senior Backend Engineer (remote)")))
        try db.apply(.putMessage(Message(recruiterID: r.id, direction: .outbound, at: wall("2026-03-10 09:00"))))
        try db.apply(.putMessage(Message(recruiterID: r.id, direction: .inbound, at: wall("2026-03-20 09:00"), subject: "Future")))
        var v = Templates.values(for: r, in: db, now: now, myName: nil)
        #expect(v["role"] == "Senior Backend Engineer (remote)", "latest subject up to now, prefixes removed")
        try db.apply(.putOpportunity(Opportunity(recruiterID: r.id, role: "Platform Engineer")))
        v = Templates.values(for: r, in: db, now: now, myName: nil)
        #expect(v["role"] == "Platform Engineer", "an opportunity's role wins")
        #expect(Templates.stripReplyPrefixes("Re: re:AW: Data Engineer") == "Data Engineer")
        #expect(Templates.stripReplyPrefixes("Rebuild: the platform") == "Rebuild: the platform")
        #expect(Templates.roleFromSubject([], now: now) == nil)
    }

    @Test func aSubjectThatNamesNoJobIsNoRole() throws {
        // The thread's latest subject is about something else: the one before names the role.
        var db = Database()
        let r = Recruiter(name: "Dana Smith", created: wall("2026-03-01 09:00"))
        try db.apply(.putRecruiter(r))
        try db.apply(.putMessage(Message(recruiterID: r.id, direction: .inbound, at: wall("2026-03-02 09:00"),
                                         subject: "Senior iOS role at a fintech")))
        try db.apply(.putMessage(Message(recruiterID: r.id, direction: .inbound, at: wall("2026-03-09 09:00"),
                                         subject: "Re: Take-home exercise")))
        #expect(Templates.values(for: r, in: db, now: now, myName: nil)["role"] == "Senior iOS")
        let cases: [(String, String?)] = [
            ("Take-home exercise", nil),
            ("Quick question about a role", nil),
            ("A role for you", nil),
            ("CV as promised", nil),
            ("Staff Engineer", "Staff Engineer"),
            ("Exciting opportunity: Staff Engineer role at Acme", "Staff Engineer"),
            ("New Backend Developer position with Globex", "Backend Developer"),
            ("Senior Backend Engineer (remote)", "Senior Backend Engineer (remote)"),
            ("Platform team lead - Berlin", "Platform team lead"),
            ("Head of Data | Series B", "Head of Data"),
            ("Senior iOS role at a fintech", "Senior iOS"),
        ]
        for (subject, role) in cases {
            #expect(Templates.roleTitle(in: subject) == role, "\(subject)")
        }
        let only = [Message(recruiterID: r.id, direction: .inbound, at: wall("2026-03-09 09:00"), subject: "Take-home exercise")]
        #expect(Templates.roleFromSubject(only, now: now) == nil, "no role rather than a wrong one")
    }

    @Test func theDeclineTemplateNamesTheReengageDateAndDropsTheLineWithout() throws {
        var db = Database()
        let r = Recruiter(name: "Dana Smith", created: wall("2026-03-01 09:00"))
        try db.apply(.putRecruiter(r))
        try db.apply(.putOpportunity(Opportunity(recruiterID: r.id, role: "Platform Engineer")))
        let t = try #require(Templates.shipped.first { $0.name == "decline" })
        // 23:30 on June 10 in New York is already June 11 in UTC: the candidate's zone decides.
        let with = Templates.fill(t, values: Templates.values(
            for: r, in: db, now: now, myName: "Sam", reengage: wall("2026-06-10 23:30"), timeZone: newYork,
            extra: ["reason": "it is on-site"]))
        #expect(with.isComplete)
        #expect(with.body.contains("Could we pick this up again after June 10, 2026?"))
        let without = Templates.fill(t, values: Templates.values(for: r, in: db, now: now, myName: "Sam",
                                                                 extra: ["reason": "it is on-site"]))
        #expect(without.isComplete, "an optional placeholder is never missing")
        #expect(!without.body.contains("pick this up") && !without.body.contains("{"))
        #expect(without.body.contains("future roles.\n\nBest regards,\nSam"))
        #expect(Templates.placeholderNames(in: t.body).contains("reengage"))
    }

    @Test func optionalPlaceholdersDropTheirLineAndADoubledBlankLine() {
        let t = MessageTemplate(name: "x", body: "Hi,\n\nAfter {when?}.\n\nBye {who}")
        #expect(Templates.fill(t, values: ["who": "Sam"]).body == "Hi,\n\nBye Sam")
        #expect(Templates.fill(t, values: ["who": "Sam", "when": "May"]).body == "Hi,\n\nAfter May.\n\nBye Sam")
        #expect(Templates.longDate(wall("2027-02-28 12:00"), timeZone: newYork) == "February 28, 2027")
    }
}
