import Foundation
import RapportCore
import RapportText
import Testing
@testable import RapportApp
@testable import RapportTUI

/// The Deadlines pane in sections and the week view, with the real rules: an interview,
/// a promised call, replies, a follow-up and a thank-you.
@Suite("Deadline sections and the week view")
@MainActor
struct DeadlineViewTests {
    static var database: Database {
        var db = Sample.database
        let zoe = Sample.id(3)
        let interview = InterviewEvent(id: Sample.id(5001), at: ISO8601.parse("2026-03-12T14:00:00Z")!, durationMinutes: 45,
                                       interviewers: ["Kim"])
        try! db.apply(.putOpportunity(Opportunity(id: Sample.id(5000), recruiterID: zoe, role: "Staff Engineer",
                                                  employer: "Acme", stage: .interview, interviews: [interview])))
        let past = InterviewEvent(id: Sample.id(5003), at: ISO8601.parse("2026-03-10T10:00:00Z")!)
        try! db.apply(.putOpportunity(Opportunity(id: Sample.id(5002), recruiterID: Sample.id(1), role: "Lead",
                                                  employer: "Iberia", stage: .interview, interviews: [past])))
        try! db.apply(.putExpectation(Expectation(id: Sample.id(5004), recruiterID: zoe, by: ISO8601.parse("2026-03-13T13:00:00Z")!,
                                                  note: "Dana will call about the offer")))
        try! db.apply(.setAgenda(recruiter: zoe, agenda: "ask about the team"))
        return db
    }

    static func state(_ w: Int, _ h: Int) -> AppState {
        AppState(db: database, now: Sample.now, width: w, height: h, storePath: "/home/you/.local/share/rapport")
    }

    @Test("sections with absolute times at 80x24, 120x40 and 200x50")
    func sections() {
        for (w, h) in [(80, 24), (120, 40), (200, 50)] {
            var s = DeadlineViewTests.state(w, h)
            _ = update(&s, .focus(.deadlines))
            let screen = Screen.render(s)
            expectSnapshot(screen, "deadline-sections-\(w)x\(h)")
            #expect(screen.text.contains("Overdue"))
            #expect(screen.text.contains("This week") || h < 30)
        }
        // The rows come in section order.
        let s = DeadlineViewTests.state(120, 40)
        let sections = Rules.Sections(now: s.now, policy: s.policy)
        let order = s.deadlines.map { sections.section(of: $0) }
        #expect(order == order.sorted())
    }

    @Test("the week view at 80x24, 120x40 and 200x50")
    func week() {
        for (w, h) in [(80, 24), (120, 40), (200, 50)] {
            var s = DeadlineViewTests.state(w, h)
            _ = update(&s, .toggleWeek)
            #expect(s.keyMode == .week)
            let screen = Screen.render(s)
            expectSnapshot(screen, "week-\(w)x\(h)")
            #expect(screen.text.contains("Staff Engineer interview at Acme"))
        }
        var s = DeadlineViewTests.state(120, 40)
        _ = update(&s, .toggleWeek)
        // Every line in full (the screen cuts the long ones at its width).
        let text = WeekView.lines(s).map(\.text).joined(separator: "\n")
        #expect(text.contains("agenda written"))
        #expect(text.contains("research missing"))
        #expect(text.contains("Call promised by Zoë Łukasiewicz"))
        _ = update(&s, .close)
        #expect(s.keyMode == .panes)
    }

    @Test("an overdue row in the week view says how late, the candidate's date and time, and theirs with the weekday when it differs")
    func weekOverdueTimes() throws {
        var db = DeadlineViewTests.database
        var dana = try #require(db.recruiters[Sample.id(1)])
        dana.timeZone = "Asia/Tokyo"
        try db.apply(.putRecruiter(dana))
        var s = AppState(db: db, now: Sample.now, width: 120, height: 40, storePath: "/home/you/.local/share/rapport")
        _ = update(&s, .toggleWeek)
        let lines = WeekView.lines(s).map(\.text)
        // Thu 5 Mar 18:00 UTC is Fri 03:00 in Tokyo; Wed 11 Mar 11:00 UTC is 20:00 there, the same day.
        #expect(lines.contains("  overdue 5d  Thu 5 Mar 18:00  (Fri 03:00 theirs) [reply] Reply to Dana Smith (phone) — 2 unanswered"),
                "\(lines)")
        #expect(lines.contains { $0.hasPrefix("  overdue 4h  Wed 11 Mar 11:00 (20:00 theirs) [thank-you] Thank Dana Smith") }, "\(lines)")
        // Rows of later days keep the clock only.
        #expect(lines.contains { $0.hasPrefix("  18:00       [reply] Reply to 김민준") })
    }

    @Test("X dismisses the selected deadline with a reason; m sets a status with until; both undo")
    func dismissAndStatus() {
        var s = DeadlineViewTests.state(120, 40)
        _ = update(&s, .focus(.deadlines))
        let first = s.deadlines[0]
        _ = update(&s, .dismiss)
        guard case .form(var f)? = s.overlays.last else { Issue.record("no dismiss form"); return }
        f.fields[0].field = TextField("moved on")
        s.overlays[s.overlays.count - 1] = .form(f)
        let effects = update(&s, .submit)
        guard case .persist(let intent, _)? = effects.first else { Issue.record("nothing persisted"); return }
        #expect(intent == .dismiss(first, reason: "moved on"))
        var db = s.db
        try! db.apply(intent.change(in: db, now: s.now))
        #expect(db.recruiters[first.recruiterID]!.dismissals.first?.reason == "moved on")
        #expect(!Rules.deadlines(in: db, now: s.now, policy: s.policy).contains { $0.id == first.id })

        var t = DeadlineViewTests.state(120, 40)
        _ = update(&t, .statusMenu)
        guard case .form(var g)? = t.overlays.last, case .status(let id) = g.purpose else { Issue.record("no status form"); return }
        g.fields[0].choice = 2  // dormant
        g.fields[1].field = TextField("+3w")
        t.overlays[t.overlays.count - 1] = .form(g)
        guard case .persist(let i, _)? = update(&t, .submit).first else { Issue.record("nothing persisted"); return }
        var d = t.db
        try! d.apply(i.change(in: d, now: t.now))
        #expect(d.recruiters[id]!.status == .dormant)
        #expect(d.recruiters[id]!.statusUntil == Sample.now.addingTimeInterval(21 * 86_400))
        #expect(!Rules.deadlines(in: d, now: t.now, policy: t.policy).contains { $0.recruiterID == id && $0.kind == .reply })
    }
}
