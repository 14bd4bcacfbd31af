import Foundation
import RapportCore
import RapportText
import Testing
@testable import RapportTUI

/// The smaller deadline-list items, with the real rules: the delete confirmation that
/// fits and tells two people of one name apart, the filter menu's movement keys and its
/// your-turn / blanket / declined entries, interviews, follow-ups and promised calls in the thread,
/// and the flags in words under the thread's header.
@Suite("Delete confirmation, filter menu, thread events and flags")
@MainActor
struct DeadlineDetailTests {
    /// Two Priya Nairs at different firms, a blanket mass mailer and a declined recruiter
    /// beside the sample's people.
    static var database: Database {
        var db = DeadlineViewTests.database
        try! db.apply(.putRecruiter(Recruiter(id: Sample.id(20), name: "Priya Nair", firm: "Northwind Staffing",
                                              email: "priya@northwind.example", created: Sample.at("2026-01-05T09:00:00Z"))))
        try! db.apply(.putRecruiter(Recruiter(id: Sample.id(21), name: "Priya Nair", firm: "Contoso Talent Acquisition Partners",
                                              email: "p.nair@contoso.example", created: Sample.at("2026-01-05T09:00:00Z"))))
        try! db.apply(.putRecruiter(Recruiter(id: Sample.id(22), name: "Bulk Mailer", firm: "Spam & Co", targeting: .blanket,
                                              created: Sample.at("2026-01-05T09:00:00Z"))))
        try! db.apply(.putMessage(Message(recruiterID: Sample.id(22), direction: .inbound, channel: .email,
                                          at: Sample.at("2026-03-09T09:00:00Z"), subject: "1000 roles!")))
        try! db.apply(.putRecruiter(Recruiter(id: Sample.id(23), name: "Dee Declined", status: .declined,
                                              created: Sample.at("2026-01-05T09:00:00Z"))))
        return db
    }

    static func state(_ w: Int, _ h: Int) -> AppState {
        AppState(db: database, now: Sample.now, width: w, height: h, storePath: "/home/you/.local/share/rapport")
    }

    func select(_ s: inout AppState, _ id: UUID) {
        s.recruiterCursor = s.order.firstIndex(of: id)!
        s.clampCursors()
    }

    func confirm(_ s: AppState) -> Confirm? {
        if case .confirm(let c)? = s.overlays.last { return c }
        return nil
    }

    @Test("d names the firm, e-mail and id, so two people of one name differ; the box fits at 80x24 and wraps at 44")
    func deleteConfirmation() throws {
        var s = DeadlineDetailTests.state(80, 24)
        select(&s, Sample.id(20))
        _ = update(&s, .delete)
        let first = try #require(confirm(s))
        _ = update(&s, .cancel)
        select(&s, Sample.id(21))
        _ = update(&s, .delete)
        let second = try #require(confirm(s))
        #expect(first.question == second.question)  // "Delete Priya Nair?"
        #expect(first.detail == "Northwind Staffing · priya@northwind.example · id 00000000")
        #expect(second.detail.contains("Contoso Talent Acquisition Partners · p.nair@contoso.example"))
        #expect(first.detail != second.detail)
        #expect(second.label == "Deleted Priya Nair (Contoso Talent Acquisition Partners)")
        // At 80x24 every word is on screen, nothing cut.
        let screen = Screen.render(s).text
        #expect(screen.contains("Delete Priya Nair?"))
        #expect(screen.contains("y or Enter: yes (u undoes) · n or Esc: no"))
        let words = (second.question + " " + second.detail).split(separator: " ").map(String.init)
        for w in words { #expect(screen.contains(w), "\(w) missing") }
        // At 44 columns the detail wraps onto two lines and the keys shorten; nothing is lost.
        s.setSize(width: 44, height: 14)
        let narrow = Screen.render(s).text
        for w in words { #expect(narrow.contains(w), "\(w) missing at 44 columns") }
        #expect(narrow.contains("y: yes (u undoes) · n: no"))
        for line in ConfirmView.lines(second, inner: 38).map(\.0) where !line.isEmpty {
            #expect(narrow.contains(line), "\(line) missing at 44 columns")
        }
    }

    @Test("a message's and a follow-up's confirmation say whose they are")
    func deleteMessageAndFollowUp() throws {
        var s = DeadlineDetailTests.state(120, 40)
        select(&s, Sample.id(1))
        s.focus = .messages
        _ = update(&s, .delete)
        let c = try #require(confirm(s))
        #expect(c.question.hasPrefix("Delete the message from Dana Smith of"))
        #expect(c.detail == "Acme Talent · dana@acme.example · id 00000000")
    }

    @Test("the filter menu moves with j/k, g/G, Home/End and pages; your turn, blanket and declined filter the list")
    func filterMenu() throws {
        var s = DeadlineDetailTests.state(120, 40)
        _ = update(&s, .filterMenu)
        func cursor() -> Int { if case .menu(let m)? = s.overlays.last { return m.cursor } else { return -1 } }
        func items() -> [String] { if case .menu(let m)? = s.overlays.last { return m.items } else { return [] } }
        let last = RecruiterFilter.menu.count
        #expect(items().count == last + 1)
        #expect(Keymap.standard.command(for: .char("G"), mode: .menu) == .bottom)
        #expect(Keymap.standard.command(for: .end, mode: .menu) == .bottom)
        #expect(Keymap.standard.command(for: .char("g"), mode: .menu) == .top)
        _ = update(&s, .bottom)
        #expect(cursor() == last)
        _ = update(&s, .top)
        #expect(cursor() == 0)
        _ = update(&s, .page(1))
        #expect(cursor() > 1)
        _ = update(&s, .page(-1))
        #expect(cursor() == 0)
        #expect(items().contains { $0.hasPrefix("your turn") } && items().contains { $0.hasPrefix("blanket") }
                && items().contains { $0.hasPrefix("declined") })

        func choose(_ f: RecruiterFilter) {
            if s.overlays.isEmpty { _ = update(&s, .filterMenu) }
            _ = update(&s, .top)
            _ = update(&s, .move(RecruiterFilter.menu.firstIndex(of: f)! + 1))
            _ = update(&s, .submit)
        }
        // Your turn: targeted recruiters owed a reply, the blanket one left out, as the title counts.
        choose(.yourTurn)
        #expect(s.filter == .yourTurn)
        #expect(!s.order.isEmpty && !s.order.contains(Sample.id(22)))
        #expect(s.order.allSatisfy { s.statuses[$0]?.turn == .mine })
        #expect(s.order.count == s.counts.yourTurn)
        #expect(Screen.render(s).text.contains("· your turn"))
        choose(.blanket)
        #expect(s.order == [Sample.id(22)])
        choose(.declined)
        #expect(s.order == [Sample.id(23)])
        // Esc clears the filter.
        _ = update(&s, .cancel)
        _ = update(&s, .cancel)
        #expect(s.filter == nil)
        #expect(s.order.count == s.db.recruiters.count)
    }

    @Test("interviews and promised calls sit in the thread in time order, with their time and kind")
    func threadEvents() {
        var s = DeadlineDetailTests.state(120, 40)
        select(&s, Sample.id(3))
        let texts = s.threadLines.map(\.text)
        let interview = texts.firstIndex { $0.hasPrefix("◆ upcoming interview · Thu 12 Mar 14:00 (45 min) · Staff Engineer") }
        let call = texts.firstIndex { $0.hasPrefix("☎ they promised: Dana will call about the offer · by Fri 13 Mar 13:00") }
        #expect(interview != nil && call != nil, "\(texts)")
        if let i = interview, let c = call { #expect(i < c) }
        #expect(texts.joined(separator: " ").contains("Staff Engineer at Acme · with Kim"))
        // Dana's past interview comes between her messages of before and after it.
        select(&s, Sample.id(1))
        let lines = s.threadLines
        let iv = lines.firstIndex { $0.text.hasPrefix("◆ interview · Tue 10 Mar 10:00 (60 min) · Lead") }
        #expect(iv != nil)
        if let iv {
            let before = lines[..<iv].compactMap(\.messageID).compactMap { s.db.message($0)?.at }
            let after = lines[iv...].compactMap(\.messageID).compactMap { s.db.message($0)?.at }
            #expect(before.allSatisfy { $0 < Sample.at("2026-03-10T10:00:00Z") })
            #expect(after.allSatisfy { $0 >= Sample.at("2026-03-10T10:00:00Z") })
            #expect(lines[iv].messageID == nil)
        }
        let screen = Screen.render(s).text
        #expect(screen.contains("◆ interview · Tue 10 Mar 10:00"))
    }

    @Test("follow-ups sit in the thread in time order: due, overdue, snoozed and done, each with its time")
    func followUpEvents() throws {
        var s = DeadlineDetailTests.state(120, 40)
        // Zoë's follow-up (Thu 09:00) comes before her interview (Thu 14:00) and after her messages.
        select(&s, Sample.id(3))
        var texts = s.threadLines.map(\.text)
        let fu = try #require(texts.firstIndex { $0.hasPrefix("↻ your follow-up: Check in about the CV · due Thu 12 Mar 09:00") }, "\(texts)")
        let iv = try #require(texts.firstIndex { $0.hasPrefix("◆ upcoming interview · Thu 12 Mar 14:00") })
        #expect(fu < iv)
        #expect(s.threadLines[fu].messageID == nil && s.threadLines[fu].style.role == .warning)
        #expect(s.threadLines[..<fu].contains { $0.messageID != nil })

        // On Dana: one done on Mon 9 Mar, one overdue since Tue 10 Mar 12:00, one due
        // Tue 10 Mar but snoozed to Fri 13 Mar; each where its time falls.
        var db = DeadlineDetailTests.database
        try db.apply(.putFollowUp(FollowUp(recruiterID: Sample.id(1), due: Sample.at("2026-03-08T09:00:00Z"), note: "Ask about salary",
                                           done: Sample.at("2026-03-09T08:00:00Z"))))
        try db.apply(.putFollowUp(FollowUp(recruiterID: Sample.id(1), due: Sample.at("2026-03-10T12:00:00Z"))))
        try db.apply(.putFollowUp(FollowUp(recruiterID: Sample.id(1), due: Sample.at("2026-03-10T09:00:00Z"), note: "Chase the offer",
                                           snoozedUntil: Sample.at("2026-03-13T09:00:00Z"))))
        s = AppState(db: db, now: Sample.now, width: 120, height: 40, storePath: "/home/you/.local/share/rapport")
        select(&s, Sample.id(1))
        let lines = s.threadLines
        texts = lines.map(\.text)
        let done = try #require(texts.firstIndex { $0.hasPrefix("↻ you followed up: Ask about salary · done Mon 9 Mar 08:00") }, "\(texts)")
        let overdue = try #require(texts.firstIndex { $0.hasPrefix("↻ your follow-up · overdue since Tue 10 Mar 12:00") }, "\(texts)")
        let snoozed = try #require(texts.firstIndex { $0.hasPrefix("↻ your follow-up: Chase the offer · due Fri 13 Mar 09:00") }, "\(texts)")
        #expect(texts[snoozed...].joined(separator: " ").hasPrefix(
            "↻ your follow-up: Chase the offer · due Fri 13 Mar 09:00 (snoozed from Tue 10 Mar 09:00)"))
        let interview = try #require(texts.firstIndex { $0.hasPrefix("◆ interview · Tue 10 Mar 10:00") })
        #expect(done < interview && interview < overdue && overdue < snoozed)
        #expect(lines[done].style.role == .muted && lines[overdue].style.role == .danger && lines[snoozed].style.role == .warning)
        // Messages keep their time order around the events.
        let messageTimes = lines.compactMap(\.messageID).compactMap { s.db.message($0)?.at }
        #expect(lines[..<done].compactMap(\.messageID).compactMap { s.db.message($0)?.at }.allSatisfy { $0 < Sample.at("2026-03-09T08:00:00Z") })
        #expect(lines[overdue...].compactMap(\.messageID).compactMap { s.db.message($0)?.at }.allSatisfy { $0 >= Sample.at("2026-03-10T12:00:00Z") })
        #expect(!messageTimes.isEmpty)
        // The help explains the glyph beside ◆ and ☎.
        let help = HelpView.lines(.standard).map(\.0)
        #expect(help.contains { $0.hasPrefix("  ↻  a follow-up you planned") })
        #expect(help.contains { $0.hasPrefix("  ◆  ") } && help.contains { $0.hasPrefix("  ☎  ") })
    }

    @Test("the thread header names each flag with its reason, as rapport show does")
    func flagsInTheHeader() throws {
        var s = DeadlineDetailTests.state(120, 40)
        let flagged = try #require(s.order.first { (s.statuses[$0]?.flags.count ?? 0) > 0 })
        select(&s, flagged)
        let reasons = Rules.reasons(of: flagged, in: s.db, now: s.now, policy: s.policy)
        #expect(!reasons.isEmpty)
        let screen = Screen.render(s).text
        for r in reasons.prefix(3) {
            #expect(screen.contains("\(r.flag.rawValue) — \(String(r.why.prefix(20)))"), "\(r.flag)")
        }
        #expect(s.threadFlagRows == min(3, reasons.count))
    }

    @Test("from 120 columns a deadline row shows the recruiter's wall clock when their zone differs")
    func theirTimeInTheDeadlines() throws {
        var db = DeadlineDetailTests.database
        var zoe = try #require(db.recruiters[Sample.id(3)])
        zoe.timeZone = "Asia/Tokyo"
        try db.apply(.putRecruiter(zoe))
        var s = AppState(db: db, now: Sample.now, width: 120, height: 40, storePath: "/home/you/.local/share/rapport")
        s.focus = .deadlines
        let rows = Screen.render(s).text.split(separator: "\n")
        // The follow-up due Thu 12 Mar 09:00 in the candidate's zone is 18:00 in Tokyo.
        let followUp = try #require(rows.first { $0.contains("Follow up with Zoë") })
        #expect(followUp.contains("them Thu 18:00"), "\(followUp)")
        #expect(!(rows.first { $0.contains("Reply to José Müller") }?.contains("them ") ?? true))
        // Narrower, the column is left out.
        s.setSize(width: 100, height: 30)
        #expect(!Screen.render(s).text.contains("them Thu"))
    }
}
