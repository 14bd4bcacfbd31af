import Foundation
import RapportCore
import RapportText
import Testing
@testable import RapportApp
@testable import RapportTUI

@Suite("update: action → state, effects")
@MainActor
struct UpdateTests {
    func state(_ w: Int = 120, _ h: Int = 40) -> AppState { Sample.state(width: w, height: h) }

    @Test("j/k move the recruiter cursor and stop at both ends")
    func moveClamps() {
        var s = state()
        #expect(update(&s, .move(-1)).isEmpty)
        #expect(s.recruiterCursor == 0)
        _ = update(&s, .move(3))
        #expect(s.recruiterCursor == 3)
        _ = update(&s, .move(100))
        #expect(s.recruiterCursor == s.order.count - 1)
        _ = update(&s, .top)
        #expect(s.recruiterCursor == 0)
        _ = update(&s, .bottom)
        #expect(s.recruiterCursor == 9)
    }

    @Test("moving to another recruiter resets the thread to its newest message")
    func selectionResetsThread() {
        var s = state(80, 24)
        _ = update(&s, .move(2)) // Dana: a long thread
        s.focus = .messages
        _ = update(&s, .top)
        let scrolled = s.threadScroll
        #expect(scrolled > 0)
        s.focus = .recruiters
        _ = update(&s, .move(1))
        #expect(s.threadScroll == 0)
    }

    @Test("in Messages, k scrolls toward older lines, j back toward the newest, clamped")
    func threadScroll() {
        var s = state(80, 24)
        _ = update(&s, .move(2)) // Dana: a long thread
        s.focus = .messages
        let maxScroll = s.maxThreadScroll
        #expect(maxScroll > 0)
        _ = update(&s, .move(-1))
        #expect(s.threadScroll == 1)
        _ = update(&s, .move(-1000))
        #expect(s.threadScroll == maxScroll)
        _ = update(&s, .move(1))
        #expect(s.threadScroll == maxScroll - 1)
        _ = update(&s, .bottom)
        #expect(s.threadScroll == 0)
    }

    @Test("PgDn moves a screenful less one row and keeps the cursor visible")
    func paging() {
        var db = Database()
        for i in 0..<100 {
            try! db.apply(.putRecruiter(Recruiter(id: Sample.id(i), name: String(format: "R%03d", i), created: Sample.now)))
        }
        var s = Sample.state(width: 80, height: 24, db: db)
        let rows = s.layout.bodyRows(.recruiters)
        _ = update(&s, .page(1))
        #expect(s.recruiterCursor == rows - 1)
        _ = update(&s, .page(1))
        #expect(s.recruiterCursor == 2 * (rows - 1))
        #expect(s.recruiterTop <= s.recruiterCursor && s.recruiterCursor < s.recruiterTop + rows)
        _ = update(&s, .bottom)
        #expect(s.recruiterTop == 100 - rows)
        _ = update(&s, .page(-1))
        #expect(s.recruiterCursor == 99 - (rows - 1))
        #expect(s.recruiterTop <= s.recruiterCursor)
    }

    @Test("after S re-sorts, the list scrolls from the top as far as the selection needs; hidden rows are marked")
    func resortScroll() {
        var db = Database()
        for i in 0..<40 {
            let id = Sample.id(i)
            try! db.apply(.putRecruiter(Recruiter(id: id, name: String(format: "R%03d", i), created: Sample.now)))
            try! db.apply(.putMessage(Message(id: Sample.id(500 + i), recruiterID: id, direction: .inbound,
                                              at: Sample.now.addingTimeInterval(Double(-3600 * (i + 1))))))
        }
        var s = Sample.state(width: 80, height: 24, db: db)
        // The last by urgency sorts second by name.
        var last = db.recruiters[s.order.last!]!, first = db.recruiters[s.order[5]]!
        last.name = "AAB"
        first.name = "AAA"
        try! db.apply(.batch([.putRecruiter(last), .putRecruiter(first)]))
        s = Sample.state(width: 80, height: 24, db: db)
        _ = update(&s, .bottom)
        #expect(s.selectedRecruiterID == last.id && s.recruiterTop > 1)
        let top = Screen.render(s).text.components(separatedBy: "\n")[s.layout.recruiters.y]
        #expect(top.contains("↑ \(s.recruiterTop) more"))
        _ = update(&s, .cycleSort)
        #expect(s.sort == .name && s.selectedRecruiterID == last.id && s.recruiterCursor == 1)
        #expect(s.recruiterTop == 0)
        let after = Screen.render(s).text.components(separatedBy: "\n")[s.layout.recruiters.y]
        #expect(!after.contains("↑"))
        #expect(after.contains("↓ \(40 - s.layout.bodyRows(.recruiters)) more"))
    }

    @Test("Tab and Shift-Tab cycle the panes both ways")
    func panes() {
        var s = state()
        _ = update(&s, .nextPane)
        #expect(s.focus == .messages)
        _ = update(&s, .nextPane)
        #expect(s.focus == .deadlines)
        _ = update(&s, .nextPane)
        #expect(s.focus == .recruiters)
        _ = update(&s, .previousPane)
        #expect(s.focus == .deadlines)
    }

    @Test("Enter on a recruiter opens its thread")
    func openRecruiter() {
        var s = state()
        _ = update(&s, .move(2))
        _ = update(&s, .open)
        #expect(s.focus == .messages)
        #expect(s.recruiterCursor == 2)
    }

    @Test("Enter on a deadline jumps to its recruiter's thread")
    func openDeadline() {
        var s = state()
        s.focus = .deadlines
        _ = update(&s, .move(3))
        let d = s.selectedDeadline!
        _ = update(&s, .open)
        #expect(s.focus == .messages)
        #expect(s.selectedRecruiterID == d.recruiterID)
        #expect(s.threadScroll == 0)
    }

    @Test("? opens help; q closes it, then q quits")
    func helpAndQuit() {
        var s = state()
        #expect(update(&s, .toggleHelp).isEmpty)
        #expect(s.overlays == [.help(scroll: 0)])
        #expect(update(&s, .close).isEmpty)
        #expect(s.overlays.isEmpty)
        #expect(update(&s, .close) == [.quit])
    }

    @Test("Esc closes the help overlay, then clears the status message, then the notices")
    func escape() {
        var s = state()
        s.notices = ["something happened"]
        _ = update(&s, .failed("boom"))
        _ = update(&s, .toggleHelp)
        _ = update(&s, .cancel)
        #expect(s.overlays.isEmpty)
        #expect(s.statusMessage == StatusMessage("boom", isError: true))
        _ = update(&s, .cancel)
        #expect(s.statusMessage == nil)
        #expect(s.notices == ["something happened"])
        _ = update(&s, .cancel)
        #expect(s.notices.isEmpty)
    }

    @Test("keys inside help scroll the help, not the panes")
    func helpScroll() {
        var s = state(80, 24)
        _ = update(&s, .toggleHelp)
        _ = update(&s, .move(2))
        #expect(s.overlays == [.help(scroll: 2)])
        #expect(s.recruiterCursor == 0)
        _ = update(&s, .bottom)
        guard case .help(let scroll) = s.overlays.last else { Issue.record("help closed"); return }
        #expect(scroll > 2)
        _ = update(&s, .top)
        #expect(s.overlays == [.help(scroll: 0)])
        _ = update(&s, .nextPane)
        #expect(s.focus == .recruiters)
    }

    @Test("Ctrl-L, Ctrl-Z and quit become effects")
    func effects() {
        var s = state()
        #expect(update(&s, .redraw) == [.redraw])
        #expect(update(&s, .suspend) == [.suspend])
        #expect(update(&s, .quit) == [.quit])
    }

    @Test("resize adopts the new size, keeps the cursor visible and asks for a full repaint")
    func resize() {
        var s = state()
        _ = update(&s, .bottom)
        #expect(update(&s, .resize(width: 40, height: 12)) == [.redraw])
        #expect(s.width == 40 && s.height == 12)
        let rows = s.layout.bodyRows(.recruiters)
        #expect(s.recruiterTop <= s.recruiterCursor && s.recruiterCursor < s.recruiterTop + rows)
        _ = update(&s, .resize(width: 10, height: 3))
        #expect(s.layout.tooSmall)
        _ = update(&s, .move(1))
        _ = update(&s, .resize(width: 120, height: 40))
        #expect(s.recruiterCursor == 9)
    }

    @Test("reload keeps the same recruiter selected when the order changes")
    func reloadKeepsSelection() {
        var s = state()
        _ = update(&s, .move(4))
        let selected = s.selectedRecruiterID!
        var db = s.db
        // A new, very urgent recruiter sorts first and shifts everyone down.
        let newcomer = Recruiter(id: Sample.id(99), name: "Aaron Urgent", created: Sample.now)
        try! db.apply(.putRecruiter(newcomer))
        try! db.apply(.putMessage(Message(id: Sample.id(9999), recruiterID: newcomer.id, direction: .inbound,
                                          at: Sample.at("2025-12-01T00:00:00Z"))))
        _ = update(&s, .reload(db, notices: [], readOnly: false))
        #expect(s.order.first == newcomer.id)
        #expect(s.selectedRecruiterID == selected)
        #expect(s.recruiterCursor == 5)
    }

    @Test("reload adds new store notices to the start-up ones; dismissed notices stay dismissed")
    func reloadNotices() {
        var s = state()
        // Start-up: the store's notice, then a template problem the loop added.
        let store = ["journal: a torn line was set aside"]
        s.notices = store + ["templates: bad.txt has no body"]
        var feed = NoticeFeed(alreadyShown: store)
        _ = update(&s, .reload(s.db, notices: feed.new(in: store), readOnly: false))
        #expect(s.notices == store + ["templates: bad.txt has no body"])
        let grown = store + ["snapshot upgraded"]
        _ = update(&s, .reload(s.db, notices: feed.new(in: grown), readOnly: false))
        #expect(s.notices == store + ["templates: bad.txt has no body", "snapshot upgraded"])
        _ = update(&s, .cancel) // Esc dismisses the banner
        #expect(s.notices.isEmpty)
        // The next save reloads with the same (only grown) store notices: they stay away.
        _ = update(&s, .reload(s.db, notices: feed.new(in: grown), readOnly: false))
        #expect(s.notices.isEmpty)
        _ = update(&s, .reload(s.db, notices: feed.new(in: grown + ["compaction failed"]), readOnly: false))
        #expect(s.notices == ["compaction failed"])
    }

    @Test("reload clamps the cursor when the selected recruiter is gone")
    func reloadClamps() {
        var s = state()
        _ = update(&s, .bottom)
        var db = s.db
        try! db.apply(.removeRecruiter(s.selectedRecruiterID!))
        try! db.apply(.removeRecruiter(s.order[0]))
        _ = update(&s, .reload(db, notices: [], readOnly: true))
        #expect(s.recruiterCursor == 7)
        #expect(s.readOnly)
    }

    @Test("the tick re-evaluates flags and deadlines once a minute, not every second")
    func tick() {
        var s = state()
        let before = s.overdueCount
        // Dana's reply was due 2026-03-11T08:15 + … ; 佐藤's is due at 2026-03-12T01:00.
        let dueLater = Sample.at("2026-03-12T01:00:00Z")
        _ = update(&s, .tick(Sample.now.addingTimeInterval(30)))
        #expect(s.overdueCount == before)
        _ = update(&s, .tick(dueLater.addingTimeInterval(59)))
        #expect(s.overdueCount == before + 1)
        #expect(s.now == dueLater.addingTimeInterval(59))
    }

    @Test("a click selects the row under the pointer and focuses its pane; a double-click opens")
    func click() {
        var s = state()
        let l = s.layout
        _ = update(&s, .mouse(MouseEvent(.click(button: 1), x: 3, y: l.recruiters.y + 1 + 4)))
        #expect(s.focus == .recruiters)
        #expect(s.recruiterCursor == 4)
        _ = update(&s, .mouse(MouseEvent(.click(button: 1), x: 3, y: l.deadlines.y + 1 + 2)))
        #expect(s.focus == .deadlines)
        #expect(s.deadlineCursor == 2)
        let target = s.deadlines[2].recruiterID
        _ = update(&s, .mouse(MouseEvent(.doubleClick(button: 1), x: 3, y: l.deadlines.y + 1 + 2)))
        #expect(s.focus == .messages)
        #expect(s.selectedRecruiterID == target)
        // A click below the last row changes nothing but the focus.
        _ = update(&s, .mouse(MouseEvent(.click(button: 1), x: 3, y: l.recruiters.maxY - 1)))
        #expect(s.focus == .recruiters)
        #expect(s.selectedRecruiterID == target)
    }

    @Test("the wheel scrolls the pane under the pointer and leaves the focus alone")
    func wheel() {
        var s = state()
        s.focus = .messages
        let l = s.layout
        _ = update(&s, .mouse(MouseEvent(.wheelDown, x: 2, y: l.recruiters.y + 2)))
        #expect(s.recruiterCursor == 3)
        #expect(s.focus == .messages)
        _ = update(&s, .mouse(MouseEvent(.wheelUp, x: 2, y: l.recruiters.y + 2)))
        #expect(s.recruiterCursor == 0)
    }

    @Test("a failed store write is shown as an error in the status bar")
    func failure() {
        var s = state(80, 24)
        _ = update(&s, .failed("Not saved: disk full"))
        #expect(s.statusMessage?.isError == true)
        #expect(Screen.render(s).line(23).hasPrefix(" Not saved: disk full"))
    }
}

@Suite("Keymap: one table for dispatch, hints and help")
@MainActor
struct KeymapTests {
    let keymap = Keymap.standard

    @Test("vim keys and arrows map to the same actions")
    func dispatch() {
        #expect(keymap.command(for: .char("j"), mode: .panes) == .move(1))
        #expect(keymap.command(for: .down, mode: .panes) == .move(1))
        #expect(keymap.command(for: .char("k"), mode: .panes) == .move(-1))
        #expect(keymap.command(for: .up, mode: .panes) == .move(-1))
        #expect(keymap.command(for: .char("g"), mode: .panes) == .top)
        #expect(keymap.command(for: .char("G"), mode: .panes) == .bottom)
        #expect(keymap.command(for: .pageDown, mode: .panes) == .page(1))
        #expect(keymap.command(for: .pageUp, mode: .panes) == .page(-1))
        #expect(keymap.command(for: .tab, mode: .panes) == .nextPane)
        #expect(keymap.command(for: .backTab, mode: .panes) == .previousPane)
        #expect(keymap.command(for: .enter, mode: .panes) == .open)
        #expect(keymap.command(for: .char("?"), mode: .panes) == .toggleHelp)
        #expect(keymap.command(for: .char("q"), mode: .panes) == .close)
        #expect(keymap.command(for: .escape, mode: .panes) == .cancel)
        #expect(keymap.command(for: .ctrl("l"), mode: .panes) == .redraw)
        #expect(keymap.command(for: .char("X"), mode: .panes) == .dismiss)
        #expect(keymap.command(for: .char("Y"), mode: .panes) == .sync)
    }

    @Test("inside help, q, Esc and ? close it and Tab does nothing")
    func helpMode() {
        #expect(keymap.command(for: .char("q"), mode: .help) == .close)
        #expect(keymap.command(for: .escape, mode: .help) == .close)
        #expect(keymap.command(for: .char("?"), mode: .help) == .close)
        #expect(keymap.command(for: .tab, mode: .help) == nil)
    }

    @Test("every hint in the table appears in the status bar, and every help text in the overlay")
    func generated() {
        var s = Sample.state(width: 120, height: 40)
        let status = Screen.render(s).line(39)
        for (keys, label) in keymap.hints(mode: .panes) {
            #expect(status.contains(keys + " " + label))
        }
        _ = update(&s, .toggleHelp)
        _ = update(&s, .toggleHelp) // ? again closes (help mode maps ? to close)
        #expect(s.overlays.isEmpty)
        s = Sample.state(width: 120, height: 100)
        _ = update(&s, .toggleHelp)
        #expect(Screen.render(s).line(99).contains("q/Esc close"))
        // The help scrolls: gather every page.
        var screen = ""
        for _ in 0..<6 {
            screen += Screen.render(s).text
            _ = update(&s, .page(1))
        }
        for b in keymap.bindings where b.modes.contains(.panes) || b.modes.first == .form {
            #expect(screen.contains(b.help), "help is missing '\(b.help)'")
        }
    }

    @Test("App maps mouse and resize outside the table")
    @MainActor
    func appMapping() {
        let s = Sample.state(width: 80, height: 24)
        let m = MouseEvent(.click(button: 1), x: 1, y: 2)
        #expect(keymap.input(for: .mouse(m), mode: s.keyMode, size: (80, 24)) == .event(.mouse(m)))
        #expect(keymap.input(for: .resize, mode: s.keyMode, size: (90, 30)) == .event(.resize(width: 90, height: 30)))
        #expect(keymap.input(for: .char("j"), mode: s.keyMode, size: (80, 24)) == .command(.move(1)))
    }
}

@Suite("Styles in the frame")
@MainActor
struct StyleTests {
    @Test("the selected row is highlighted only in the focused pane; the marker shows either way")
    func selection() {
        var s = Sample.state(width: 120, height: 40)
        let y = s.layout.recruiters.y + 1
        var buf = Screen.render(s)
        #expect(buf[0, y].text == "›")
        #expect(buf[5, y].style.role == .selection)
        #expect(buf[5, y + 1].style.role != .selection)
        _ = update(&s, .nextPane)
        buf = Screen.render(s)
        #expect(buf[0, y].text == "›")
        #expect(buf[5, y].style.role != .selection && buf[5, y].style.bold)
    }

    @Test("overdue deadlines are drawn as danger")
    func overdue() {
        var s = Sample.state(width: 120, height: 40)
        s.focus = .messages
        let buf = Screen.render(s)
        let y = s.layout.deadlines.y + 2 // second row: overdue 12d, not selected
        #expect(buf.line(y).contains("overdue 12d"))
        let x = 2 + DeadlinesView.sectionWidth + 1  // the section column, then the time
        #expect(buf[x, y].style.role == .danger)
    }
}
