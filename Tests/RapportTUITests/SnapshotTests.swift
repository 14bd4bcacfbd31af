import Foundation
import RapportCore
import RapportSpell
import RapportText
import Testing
@testable import RapportApp
@testable import RapportTUI

@Suite("Render snapshots")
@MainActor
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
        for a: Command in [.move(1), .move(1), .nextPane, .nextPane] { _ = update(&s, a) }
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

@Suite("Render snapshots: forms and overlays")
@MainActor
struct OverlaySnapshotTests {
    func session(_ w: Int = 80, _ h: Int = 24) -> Session {
        var s = Session(width: w, height: h)
        s.select(1)
        return s
    }

    @Test("add-recruiter form with CJK and emoji, and errors next to the fields")
    func addForm() {
        var s = session()
        s.send(.addRecruiter)
        expectSnapshot(Screen.render(s.state), "form-add-80x24")
        for _ in 0..<5 { s.send(.nextField) }
        s.type("Mars/Olympus")
        s.send(.submit)
        s.type("佐藤 👩🏽‍💻 ")
        expectSnapshot(Screen.render(s.state), "form-add-errors-80x24")
    }

    @Test("each workflow form at 80x24")
    func forms() {
        for (action, name) in [(Command.editRecruiter, "edit"), (.logMessage, "log"), (.decline, "decline"),
                               (.logInterview, "interview"), (.followUp, "follow-up")] {
            var s = session()
            s.send(action)
            expectSnapshot(Screen.render(s.state), "form-\(name)-80x24")
        }
    }

    @Test("snooze form on a follow-up in the Deadlines pane")
    func snoozeForm() {
        var s = session()
        s.state.focus = .deadlines
        s.state.deadlineCursor = s.state.deadlines.firstIndex { $0.followUpID != nil }!
        s.send(.snooze)
        expectSnapshot(Screen.render(s.state), "form-snooze-80x24")
    }

    @Test("time-zone completions under the form")
    func completions() {
        var s = session()
        s.send(.addRecruiter)
        for _ in 0..<5 { s.send(.nextField) }
        s.type("Europe/B")
        s.send(.nextField)
        expectSnapshot(Screen.render(s.state), "form-zone-completions-80x24")
    }

    @Test("delete confirmation, template menu, filter menu, search prompt")
    func overlays() {
        var s = session()
        s.send(.delete)
        expectSnapshot(Screen.render(s.state), "confirm-delete-80x24")
        s = session()
        s.send(.writeReply)
        expectSnapshot(Screen.render(s.state), "menu-template-80x24")
        s = session()
        s.send(.filterMenu)
        expectSnapshot(Screen.render(s.state), "menu-filter-80x24")
        s = session()
        s.send(.search)
        s.type("zzz")
        expectSnapshot(Screen.render(s.state), "search-miss-80x24")
    }

    @Test("the inline editor wraps long lines at spaces; the cursor row follows the cursor")
    func editorWraps() {
        var s = Sample.state(width: 80, height: 24)
        let long = (1...40).map { "word\($0)" }.joined(separator: " ")
        var t = TextField("Subject: Re: hello\n\n" + long + "\nBest,", multiline: true)
        t.vertical(-1) // the cursor to the long line (at its column 5, limited to its length)
        s.overlays = [.editor(t)]
        let text = Screen.render(s).text
        // Every word is on screen, none cut in two.
        for n in 1...40 { #expect(text.contains("word\(n) ") || text.contains("word\(n)│") || text.contains("word\(n)  ")) }
        #expect(text.contains("Best,"))
        let rows = EditorView.wrapped([Array(long)], width: 30)
        #expect(rows.count > 1 && rows.allSatisfy { DisplayWidth.of(String(Array(long)[$0.start..<$0.end])) <= 30 })
        #expect(rows.map { String(Array(long)[$0.start..<$0.end]) }.joined() == long)
        #expect(rows.dropLast().allSatisfy { Array(long)[$0.end - 1] == " " })
        #expect(EditorView.wrapped([[]], width: 10).count == 1)
    }

    @Test("every form shows each label whole, with a gap before its value")
    func formLabelsWhole() {
        let dana = Sample.database.recruiters[Sample.id(1)]!
        let fu = FollowUp(recruiterID: dana.id, due: Sample.now, note: "x")
        for form in [Forms.recruiter(dana), Forms.logMessage(dana, in: Sample.database), Forms.decline(dana),
                     Forms.interview(dana, in: Sample.database), Forms.followUp(dana), Forms.snooze(fu, name: dana.name)] {
            var s = Sample.state(width: 80, height: 24)
            s.overlays = [.form(form)]
            let lines = Screen.render(s).text.components(separatedBy: "\n")
            for field in form.fields {
                #expect(lines.contains { $0.contains(field.label + "  ") || $0.contains(field.label + " ‹") },
                        "\(form.title): \(field.label) is cut or touches its value")
            }
        }
    }

    @Test("inline editor and draft review with misspellings, a send-time warning and a missing placeholder")
    func draft() {
        var s = session(120, 40)
        s.send(.writeReply)
        s.send(.move(2))
        s.send(.submit)
        expectSnapshot(Screen.render(s.state), "editor-120x40")
        s.spelling = .checked(engine: "hunspell", misspellings: [
            Misspelling(word: "Thnaks", line: 7, column: 0, suggestions: ["Thanks", "Thanes"]),
        ])
        s.send(.input(.enter))
        s.type("Thnaks")
        s.send(.submit)
        expectSnapshot(Screen.render(s.state), "review-120x40")
    }

    @Test("status confirmation after a change, and the filtered, sorted list title")
    func statusAndTitle() {
        var s = session()
        s.send(.markReplied)
        s.send(.cycleSort)
        s.send(.markReplied)
        expectSnapshot(Screen.render(s.state), "after-reply-80x24")
    }
}
