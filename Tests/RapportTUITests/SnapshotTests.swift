import Foundation
import RapportCore
import RapportTerminal
import Testing
@testable import RapportTUI

@Suite("Render snapshots")
struct SnapshotTests {
    @Test("three panes stacked at 80x24")
    func panes80x24() {
        expectSnapshot(Screen.render(Sample.state(width: 80, height: 24)), "panes-80x24")
    }

    @Test("three panes side by side at 120x40")
    func panes120x40() {
        expectSnapshot(Screen.render(Sample.state(width: 120, height: 40)), "panes-120x40")
    }

    @Test("three panes at the 40x12 minimum-ish size")
    func panes40x12() {
        expectSnapshot(Screen.render(Sample.state(width: 40, height: 12)), "panes-40x12")
    }

    @Test("deadlines focused, a later recruiter selected, at 120x40")
    func navigated120x40() {
        var s = Sample.state(width: 120, height: 40)
        for a: Action in [.move(1), .move(1), .nextPane, .nextPane] { _ = update(&s, a) }
        expectSnapshot(Screen.render(s), "navigated-120x40")
    }

    @Test("help overlay at 80x24 and 120x40")
    func help() {
        for (w, h) in [(80, 24), (120, 40)] {
            var s = Sample.state(width: w, height: h)
            _ = update(&s, .toggleHelp)
            expectSnapshot(Screen.render(s), "help-\(w)x\(h)")
        }
    }

    @Test("welcome pane on an empty store at 80x24")
    func welcome() {
        expectSnapshot(Screen.render(Sample.state(width: 80, height: 24, db: Database())), "welcome-80x24")
    }

    @Test("terminal too small")
    func tooSmall() {
        expectSnapshot(Screen.render(Sample.state(width: 30, height: 8)), "too-small-30x8")
    }

    @Test("banner for read-only and store notices at 80x24")
    func banner() {
        var s = Sample.state(width: 80, height: 24)
        s.readOnly = true
        s.notices = ["journal.jsonl: a torn last line was set aside in journal.jsonl.torn"]
        expectSnapshot(Screen.render(s), "banner-80x24")
    }

    @Test("an error in the status bar at 80x24")
    func statusError() {
        var s = Sample.state(width: 80, height: 24)
        _ = update(&s, .failed("Not saved: the store is read-only"))
        expectSnapshot(Screen.render(s), "status-error-80x24")
    }
}
