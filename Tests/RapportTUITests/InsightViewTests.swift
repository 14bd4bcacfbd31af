import Foundation
import RapportCore
import RapportText
import Testing
@testable import RapportTUI

@Suite("Insight and call-prep views")
struct InsightViewTests {
    func state(_ w: Int = 120, _ h: Int = 40) -> AppState { InsightSample.state(width: w, height: h) }

    /// The state after pressing `keys` (through the real keymap, in the mode of the moment).
    func press(_ s: inout AppState, _ keys: Key...) -> [Effect] {
        var effects: [Effect] = []
        for k in keys {
            guard let a = Keymap.standard.command(for: k, mode: s.keyMode) else {
                Issue.record("no action for \(k) in \(s.keyMode)")
                continue
            }
            effects += update(&s, a)
        }
        return effects
    }

    // MARK: - Snapshots

    @Test("insight view at 80x24")
    func insight80x24() {
        var s = state(80, 24)
        _ = press(&s, .char("4"))
        expectSnapshot(Screen.render(s), "insight-80x24")
    }

    @Test("insight view at 120x40")
    func insight120x40() {
        var s = state(120, 40)
        _ = press(&s, .char("4"))
        expectSnapshot(Screen.render(s), "insight-120x40")
    }

    @Test("insight view below its minimum says so")
    func insightTooSmall() {
        var s = state(56, 16)
        _ = press(&s, .char("4"))
        let text = Screen.render(s).text
        #expect(text.contains("Too small for insight: it needs 60×18, this is 56×16."))
        #expect(!text.contains("Your reply time"))
    }

    @Test("call prep for Dana's interview tomorrow at 120x40")
    func callPrep120x40() {
        expectSnapshot(Screen.render(danaPrep()), "callprep-120x40")
    }

    @Test("call prep at 80x24: their time goes below yours when both do not fit")
    func callPrep80x24() {
        var s = danaPrep()
        _ = update(&s, .resize(width: 80, height: 24))
        expectSnapshot(Screen.render(s), "callprep-80x24")
    }

    @Test("call prep below its minimum says so")
    func callPrepTooSmall() {
        var s = danaPrep()
        _ = update(&s, .resize(width: 48, height: 12))
        let text = Screen.render(s).text
        #expect(text.contains("Too small for call prep"))
        #expect(!text.contains("Research"))
    }

    // MARK: - Insight

    @Test("4 opens the insight view with figures computed once; 4, q and Esc return to the panes")
    func openClose() {
        var s = state()
        #expect(s.full.insight == nil)
        #expect(press(&s, .char("4")).isEmpty)
        #expect(s.full.view == .insight)
        #expect(s.keyMode == .insight)
        let expected = Stats.compute(s.db, now: s.now, policy: s.policy)
        #expect(s.full.insight == expected)
        #expect(s.full.insightRows.map(\.id) == expected.recruiters.map(\.id))
        #expect(press(&s, .char("4")).isEmpty)
        #expect(s.full.view == nil)
        #expect(s.full.insight == nil)
        #expect(s.keyMode == .panes)
        for key: Key in [.char("q"), .escape] {
            _ = press(&s, .char("4"))
            // q closes the view rather than quitting.
            #expect(press(&s, key).isEmpty)
            #expect(s.full.view == nil)
        }
    }

    @Test("the figures follow the data and the minute, not the frame")
    func recomputedOnChange() {
        var s = state()
        _ = press(&s, .char("4"))
        let before = s.full.insight
        _ = Screen.render(s)
        _ = update(&s, .tick(Sample.now.addingTimeInterval(20)))
        #expect(s.full.insight == before, "same minute: not recomputed")
        _ = update(&s, .tick(Sample.now.addingTimeInterval(90)))
        #expect(s.full.insight?.now == Sample.now.addingTimeInterval(90))
        var db = s.db
        try! db.apply(.putRecruiter(Recruiter(id: Sample.id(99), name: "New Person", created: Sample.now)))
        _ = update(&s, .reload(db, notices: [], readOnly: false))
        #expect(s.full.insightRows.contains { $0.name == "New Person" })
        #expect(s.full.view == .insight)
    }

    @Test("s cycles the table's sort; each order puts the best first")
    func sortCycle() {
        var s = state()
        _ = press(&s, .char("4"))
        #expect(s.full.insightSort == .ally)
        let scores = s.full.insightRows.map(\.allyScore)
        #expect(scores == scores.sorted(by: >))
        _ = press(&s, .char("s"))
        #expect(s.full.insightSort == .name)
        let names = s.full.insightRows.map { $0.name.lowercased() }
        #expect(names == names.sorted())
        _ = press(&s, .char("s"))
        #expect(s.full.insightSort == .theirReply)
        let replies = s.full.insightRows.compactMap(\.them.medianHours)
        #expect(!replies.isEmpty && replies == replies.sorted())
        #expect(s.full.insightRows.last?.them.medianHours == nil, "no data sorts last")
        _ = press(&s, .char("s"), .char("s"))
        #expect(s.full.insightSort == .lastContact)
        let contacts = s.full.insightRows.compactMap(\.lastContact)
        #expect(contacts == contacts.sorted(by: >))
        _ = press(&s, .char("s"))
        #expect(s.full.insightSort == .ally)
        #expect(Screen.render(s).line(1).contains("Insight · sorted by ally score"))
    }

    @Test("j/k and the wheel move the table selection; pane keys do nothing in the view")
    func tableMoves() {
        var s = state(80, 24)
        _ = press(&s, .char("4"))
        let rows = InsightLayout(content: s.layout.content).tableRows
        #expect(rows == 7)
        _ = press(&s, .char("j"), .char("j"))
        #expect(s.full.insightCursor == 2)
        _ = press(&s, .char("G"))
        #expect(s.full.insightCursor == s.full.insightRows.count - 1)
        #expect(s.full.insightTop == s.full.insightRows.count - rows)
        _ = update(&s, .mouse(MouseEvent(.wheelUp, x: 3, y: 20)))
        #expect(s.full.insightCursor == s.full.insightRows.count - 4)
        // A taller screen shows more rows: the selection stays, the table scrolls back.
        #expect(update(&s, .resize(width: 120, height: 40)) == [.redraw])
        #expect(s.full.insightCursor == s.full.insightRows.count - 4)
        #expect(s.full.insightTop == 0)
        let focus = s.focus, cursor = s.recruiterCursor
        _ = update(&s, .nextPane)
        #expect(s.focus == focus && s.recruiterCursor == cursor)
        #expect(s.full.view == .insight)
    }

    // MARK: - Call prep

    @Test("p opens call prep for the selected recruiter, the selected deadline's, or the table row's")
    func openCallPrep() {
        var s = state()
        let selected = s.selectedRecruiterID!
        _ = press(&s, .char("p"))
        #expect(s.full.view == .callPrep(selected))
        #expect(s.full.callPrep == Preparation.prep(for: selected, in: s.db, now: s.now))
        #expect(s.keyMode == .callPrep)
        _ = press(&s, .escape)
        #expect(s.full.view == nil && s.full.callPrep == nil)

        s.focus = .deadlines
        let deadline = s.selectedDeadline!
        _ = press(&s, .char("p"))
        #expect(s.full.view == .callPrep(deadline.recruiterID))
        _ = press(&s, .char("p"))
        #expect(s.full.view == nil)

        _ = press(&s, .char("4"), .char("j"))
        let row = s.full.insightRows[1].id
        _ = press(&s, .enter)
        #expect(s.full.view == .callPrep(row))
        _ = press(&s, .char("q"))
        #expect(s.full.view == .insight, "closing call prep returns to the insight view")
    }

    func danaPrep() -> AppState {
        var s = state()
        let i = s.order.firstIndex(of: InsightSample.dana)!
        _ = update(&s, .move(i))
        _ = press(&s, .char("p"))
        return s
    }

    @Test("call prep shows who, when in both zones, unprepared, the checklist, agenda and thread")
    func callPrepContent() {
        let s = danaPrep()
        let prep = s.full.callPrep!
        #expect(prep.call?.at == InsightSample.interviewAt)
        #expect(prep.unprepared)
        #expect(prep.missing == [.firmVetted, .companySiteRead])
        let text = Screen.render(s).text
        // 10:00 UTC is 10:00 in London and 11:00 in Berlin.
        #expect(text.contains("Thu 12 Mar 10:00 yours (Europe/London) · Thu 12 Mar 11:00 theirs (Europe/Berlin)"))
        #expect(text.contains(" ?      unprepared: call within 24 h, 2 research items missing"))
        #expect(text.contains("[x] profile reviewed"))
        #expect(text.contains("[ ] company site read"))
        #expect(text.contains("Shipped the payments SDK"))
        #expect(text.contains("read-only here"))
        #expect(CallPrepView.items(prep).map(\.item) == [.profileReviewed, .firmVetted, .companySiteRead])
    }

    /// The data after the store applies what `effects` ask for (one intent) on `db`.
    func stored(_ effects: [Effect], on db: Database) -> Database? {
        guard effects.count == 1, case .persist(let intent, _) = effects[0] else { return nil }
        var d = db
        guard let change = try? intent.change(in: db, now: Sample.now), (try? d.apply(change)) != nil else { return nil }
        return d
    }

    @Test("Space ticks the selected item on the recruiter, the rest of the record unchanged; x unticks")
    func tickRecruiterItem() {
        var s = danaPrep()
        _ = press(&s, .char("j"))
        let effects = press(&s, .char(" "))
        var expected = s.db.recruiters[InsightSample.dana]!
        expected.checklist.done["firm-vetted"] = Sample.now
        #expect(stored(effects, on: s.db)?.recruiters[InsightSample.dana] == expected)
        // Nothing changes until the store has it (the loop sends .reload).
        #expect(s.db.recruiters[InsightSample.dana]!.checklist.isDone(.firmVetted) == false)
        var db = s.db
        try! db.apply(.putRecruiter(expected))
        _ = update(&s, .reload(db, notices: [], readOnly: false))
        #expect(CallPrepView.items(s.full.callPrep)[1].done == Sample.now)
        #expect(s.full.checklistCursor == 1)
        // Untick: the item's entry goes, the rest of the record stays.
        guard let r = stored(press(&s, .char("x")), on: s.db)?.recruiters[InsightSample.dana] else {
            Issue.record("expected an untick")
            return
        }
        #expect(r.checklist.done.keys.sorted() == ["profile-reviewed"])
        #expect(r.checklist.agenda == expected.checklist.agenda)
        #expect(r.referrals == expected.referrals)
    }

    @Test("call prep counts as missing exactly the unticked boxes it shows (a promised call, with an opportunity)")
    func callPrepCountMatchesBoxes() {
        var s = danaPrep()
        var prep = s.full.callPrep!
        // A call the recruiter promised: not tied to the opportunity, whose box is still shown.
        prep.call?.opportunityID = nil
        prep.missing = [.firmVetted]
        s.full.callPrep = prep
        let text = Screen.render(s).text
        let boxes = text.components(separatedBy: "[ ] ").count - 1
        #expect(boxes == 2)
        #expect(text.contains("unprepared: call within 24 h, 2 research items missing"))
    }

    @Test("the company-site item is ticked on the interview's opportunity")
    func tickOpportunityItem() {
        var s = danaPrep()
        _ = press(&s, .char("G"))
        let effects = press(&s, .char("x"))
        var expected = s.db.opportunities[InsightSample.danaOpportunity]!
        expected.checklist.done["company-site-read"] = Sample.now
        #expect(stored(effects, on: s.db)?.opportunities[InsightSample.danaOpportunity] == expected)
    }

    @Test("a read-only store ticks nothing and says why")
    func tickReadOnly() {
        var s = danaPrep()
        s.readOnly = true
        #expect(press(&s, .char(" ")).isEmpty)
        #expect(s.statusMessage?.isError == true)
    }

    // MARK: - Ally order, help

    @Test("A orders the recruiter list by ally score and back by urgency")
    func allyOrder() {
        var s = state()
        let urgency = s.order
        _ = press(&s, .char("A"))
        let scores = Stats.compute(s.db, now: s.now, policy: s.policy).allyScores
        #expect(s.order.map { scores[$0]! } == s.order.map { scores[$0]! }.sorted(by: >))
        #expect(s.order != urgency)
        #expect(Screen.render(s).text.contains("Recruiters 10 · by ally score"))
        _ = press(&s, .char("A"))
        #expect(s.order == urgency)
        #expect(s.full.insight == nil)
    }

    @Test("help lists the view keys and the unprepared glyph")
    func help() {
        let lines = HelpView.lines(.standard).map(\.0)
        #expect(lines.contains("  " + FlagGlyph.glyph(.unprepared) + "  unprepared"))
        #expect(lines.contains { $0.hasPrefix("  4 ") && $0.contains("insight") })
        #expect(lines.contains { $0.hasPrefix("  A ") && $0.contains("ally score") })
        #expect(lines.contains { $0.hasPrefix("  Space x ") && $0.contains("tick") })
        #expect(lines.filter { $0.contains("redraw the screen") }.count == 1)
        var s = state()
        _ = press(&s, .char("4"))
        let status = Screen.render(s).line(39)
        #expect(status.contains("s sort") && status.contains("4/q back"))
    }

    @Test("the reply-time verdict: 24 h and 48 h are within the 24–48 h norm, and the colour agrees")
    func normVerdict() {
        #expect(Insight.normVerdict(23.9) == "faster than the norm")
        #expect(Insight.normVerdict(24) == "within the norm")
        #expect(Insight.normVerdict(48) == "within the norm")
        #expect(Insight.normVerdict(48.1) == "slower than the norm")
        #expect(Insight.normVerdict(nil) == "no replies yet")
        #expect(InsightView.normRole(23.9) == .good)
        #expect(InsightView.normRole(24) == .normal)
        #expect(InsightView.normRole(48) == .normal)
        #expect(InsightView.normRole(49) == .danger)
    }

    @Test("bars: zero is blank, any activity shows, the top fills every row")
    func bars() {
        #expect(Bars.vertical([0, 1, 8, 16], top: 16, rows: 1) == [" ▁▄█"])
        #expect(Bars.vertical([0, 1, 8, 16], top: 16, rows: 2) == ["   █", " ▁██"])
        #expect(Bars.horizontal(3, top: 6, width: 4) == "██")
        #expect(Bars.horizontal(1, top: 100, width: 4) == "▏")
        #expect(Bars.horizontal(0, top: 5, width: 4) == "")
    }
}
