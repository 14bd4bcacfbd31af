import Foundation
import RapportCore
import RapportSpell
import RapportText
import Testing
@testable import RapportApp
@testable import RapportTUI

/// Drafts are never lost: Esc asks on a changed draft, the draft in progress is saved
/// beside the store and offered again, a failing editor is said, an empty body asks,
/// the picker opens on what is due, and the spell review adds words to the dictionary.
@Suite("Drafts: closing, saving, resuming, editor failures, templates, dictionary")
@MainActor
struct DraftTests {
    let dana = Sample.id(1)

    /// `R` on Dana, the blank template, no `$EDITOR`: the inline editor is on top.
    func startBlankReply(_ s: inout Session) {
        s.select(1)
        s.send(.writeReply)
        s.send(.submit)
    }

    func question(_ s: Session) -> Question? {
        if case .ask(let q)? = s.state.overlays.last { return q }
        return nil
    }

    func editorText(_ s: Session) -> String? {
        if case .editor(let t)? = s.state.overlays.last { return t.text }
        return nil
    }

    @Test("Esc on an unchanged draft closes at once; on a changed one it asks: k keeps editing, d discards it and its saved copy")
    func escapeAsks() {
        var s = Session()
        startBlankReply(&s)
        #expect(editorText(s) == "Subject: Re: Take-home exercise\n\n")
        s.send(.cancel)
        #expect(s.state.overlays.isEmpty, "nothing typed: closed at once")
        #expect(s.state.statusMessage?.text == "Draft closed; nothing logged")

        startBlankReply(&s)
        s.type("Thursday works.")
        s.send(.cancel)
        let q = try! #require(question(s))
        #expect(q.purpose == .closeDraft(dana))
        #expect(q.text == "Your draft to Dana Smith has changes. Close it?")
        #expect(q.keysLine == "k keep editing · d discard it · l keep it for later · Esc keep editing")
        #expect(Screen.render(s.state).text.contains("k keep editing · d discard it"))
        s.send(.answer("k"))
        #expect(editorText(s)?.hasSuffix("Thursday works.") == true, "back in the editor with the text")
        s.send(.cancel)
        s.send(.cancel) // Esc on the question: keep editing too
        #expect(editorText(s)?.hasSuffix("Thursday works.") == true)
        s.send(.tick(Sample.now))
        #expect(s.runner.ports.drafts[dana] == "Subject: Re: Take-home exercise\n\nThursday works.")
        s.send(.cancel)
        s.send(.answer("y")) // not one of this question's keys: nothing happens
        #expect(question(s) != nil)
        s.send(.answer("d"))
        #expect(s.state.overlays.isEmpty)
        #expect(s.state.statusMessage?.text == "Draft to Dana Smith discarded; nothing logged")
        #expect(s.runner.ports.drafts[dana] == nil && s.state.savedDrafts[dana] == nil)
        #expect(s.runner.ports.draftWrites == ["save", "remove"])
        #expect(s.persisted.isEmpty)
    }

    @Test("A draft $EDITOR gives back unchanged (without the blank line at its end) is unchanged: Esc closes it, nothing is saved")
    func editorRoundTripIsNoChange() {
        var s = Session()
        s.editorResult = { ExternalEditor.readBack(ExternalEditor.fileText($0)) }
        s.select(1)
        s.send(.writeReply)
        s.send(.submit)
        guard case .review(let d)? = s.state.overlays.last else { Issue.record("no review"); return }
        #expect(d.text == "Subject: Re: Take-home exercise" && d.original == "Subject: Re: Take-home exercise\n\n")
        s.send(.tick(Sample.now))
        #expect(s.runner.ports.draftWrites.isEmpty)
        s.send(.cancel)
        #expect(s.state.overlays.isEmpty)
        #expect(sameDraft("a\n\n", "a") && !sameDraft("a", "b") && !sameDraft(" a", "a"))
    }

    @Test("The draft is saved on the tick only when it changed; finishing saves the last keys; R offers it again")
    func savedAndResumed() {
        var s = Session()
        startBlankReply(&s)
        s.send(.tick(Sample.now))
        #expect(s.runner.ports.draftWrites.isEmpty, "an untouched template is not saved")
        s.type("Hello")
        s.send(.tick(Sample.now))
        s.send(.tick(Sample.now))
        #expect(s.runner.ports.draftWrites == ["save"], "saved once, not on every tick")
        s.type(" Dana")
        #expect(s.runner.ports.drafts[dana]?.hasSuffix("Hello") == true, "between ticks the disk lags")
        s.runner.finishDrafts() // quit or a signal
        #expect(s.runner.ports.drafts[dana] == "Subject: Re: Take-home exercise\n\nHello Dana")
        // l: close, keep it for later.
        s.send(.cancel)
        s.send(.answer("l"))
        #expect(s.state.overlays.isEmpty)
        #expect(s.state.statusMessage?.text == "Draft to Dana Smith kept; R or c offers it again (nothing logged)")
        #expect(s.state.savedDrafts[dana]?.text == "Subject: Re: Take-home exercise\n\nHello Dana")

        s.send(.writeReply)
        let q = try! #require(question(s))
        #expect(q.purpose == .resumeDraft(dana, .reply))
        #expect(q.text.hasPrefix("Resume the draft to Dana Smith from ") && q.text.contains(" 11 Mar "))
        #expect(q.text.hasSuffix("“Hello Dana”"))
        s.send(.answer("y"))
        #expect(editorText(s) == "Subject: Re: Take-home exercise\n\nHello Dana")
        // Resumed and untouched: Esc closes at once and the saved draft stays.
        s.send(.cancel)
        #expect(s.state.overlays.isEmpty)
        #expect(s.state.statusMessage?.text == "Draft closed; nothing logged · R offers the saved draft again")
        #expect(s.runner.ports.drafts[dana] != nil)
        // n starts over from the menu; Esc on the question cancels.
        s.send(.writeReply)
        s.send(.answer("n"))
        guard case .menu? = s.state.overlays.last else { Issue.record("no template menu"); return }
        s.send(.cancel)
        s.send(.writeReply)
        s.send(.cancel)
        #expect(s.state.overlays.isEmpty)
        #expect(s.state.statusMessage?.text == "Cancelled: the saved draft is still there")
    }

    @Test("Sending removes the saved draft once the store has the message; a refused write keeps it")
    func sentDraftRemoved() {
        var s = Session()
        startBlankReply(&s)
        s.type("See you Thursday.")
        s.send(.tick(Sample.now))
        s.send(.submit) // Ctrl-S: the review
        s.runner.ports.failNextWrite = "disk full"
        s.send(.submit) // Enter: copy and log
        #expect(s.state.statusMessage == StatusMessage("Not saved: disk full", isError: true))
        #expect(s.runner.ports.drafts[dana] != nil && s.state.savedDrafts[dana] != nil, "the draft is kept")
        s.send(.writeReply)
        s.send(.answer("y"))
        s.send(.submit)
        s.send(.submit)
        #expect(s.store.thread(dana).last?.body == "See you Thursday.")
        #expect(s.runner.ports.drafts[dana] == nil && s.state.savedDrafts[dana] == nil)
        #expect(s.runner.ports.draftWrites.last == "remove")
        s.send(.writeReply)
        guard case .menu? = s.state.overlays.last else { Issue.record("a resume question after sending"); return }
    }

    @Test("An empty body asks before logging: n goes back to the draft, y logs it")
    func emptyBodyAsks() {
        var s = Session()
        startBlankReply(&s)
        s.send(.submit) // Ctrl-S on the blank draft
        s.send(.submit) // Enter
        let q = try! #require(question(s))
        #expect(q.purpose == .sendEmpty && q.text == "The draft to Dana Smith has no text. Log it as sent anyway?")
        #expect(s.persisted.isEmpty)
        s.send(.answer("n"))
        guard case .review? = s.state.overlays.last else { Issue.record("not back at the draft"); return }
        #expect(s.state.statusMessage?.text == "Not logged: the draft has no text · e edits it")
        s.send(.submit)
        s.send(.answer("y"))
        #expect(s.state.overlays.isEmpty)
        #expect(s.store.thread(dana).last?.direction == .outbound)
        #expect(s.store.thread(dana).last?.subject == "Re: Take-home exercise")
    }

    @Test("A failing $EDITOR is said in one line and the draft, as it was, opens in the inline editor")
    func editorFailureSaid() {
        var s = Session()
        s.runner.ports.editorFailure = "$EDITOR (/nonexistent/vim) was not found"
        startBlankReply(&s)
        #expect(s.state.statusMessage == StatusMessage(
            "$EDITOR (/nonexistent/vim) was not found · the draft is kept: editing it here", isError: true))
        #expect(editorText(s) == "Subject: Re: Take-home exercise\n\n")
        #expect(Screen.render(s.state).text.contains("was not found · the draft is kept"))
    }

    @Test("The template picker opens on what is due: a follow-up due within a day; blank when only a reply is owed")
    func pickerFollowUp() {
        var s = Session()
        s.select(3) // Zoë: a follow-up due tomorrow morning
        s.send(.writeReply)
        guard case .menu(let m)? = s.state.overlays.last else { Issue.record("no menu"); return }
        #expect(m.items[m.cursor] == "follow-up (due)")
        #expect(m.items.first == "blank")
        s.send(.submit)
        guard case .review(let d)? = s.state.overlays.first(where: { if case .review = $0 { true } else { false } }) else {
            Issue.record("no draft"); return
        }
        #expect(d.text.hasPrefix("Subject: Following up: "))
        var t = Session()
        t.select(1) // Dana: only a reply is owed
        t.send(.writeReply)
        guard case .menu(let m2)? = t.state.overlays.last else { Issue.record("no menu"); return }
        #expect(m2.cursor == 0 && m2.items[0] == "blank")
    }

    @Test("The template picker opens on thank-you after an interview (the real rules)")
    func pickerThankYou() throws {
        var db = Database()
        let r = Recruiter(name: "Ines Interview", firm: "Hire Co", created: Sample.at("2026-03-01T09:00:00Z"))
        try db.apply(.putRecruiter(r))
        try db.apply(.putMessage(Message(recruiterID: r.id, direction: .outbound, at: Sample.at("2026-03-10T09:00:00Z"),
                                         subject: "Re: Staff Engineer role at Hire Co")))
        var o = Opportunity(recruiterID: r.id, role: "Staff Engineer", employer: "Hire Co", stage: .interview)
        o.interviews = [InterviewEvent(at: Sample.at("2026-03-11T10:00:00Z"), interviewers: ["Alex"])]
        try db.apply(.putOpportunity(o))
        let state = AppState(db: db, now: Sample.now, width: 120, height: 40)
        var runner = EffectRunner(state: state, ports: FakePorts(db: db, width: 120, height: 40))
        #expect(runner.state.statuses[r.id]?.deadlines.contains { $0.kind == .thankYou } == true)
        runner.send(.writeReply)
        guard case .menu(let m)? = runner.state.overlays.last else { Issue.record("no menu"); return }
        #expect(m.items[m.cursor] == "thank-you (due)")
    }

    @Test("The decline draft from the shipped template names the re-engage date")
    func declineNamesReengage() {
        var s = Session()
        s.select(1)
        s.send(.decline)
        s.type("I just started a new job")
        s.send(.nextField)
        s.type("+90d")
        s.send(.submit)
        let date = Templates.longDate(Sample.now.addingTimeInterval(90 * 86400), timeZone: s.state.timeZone)
        #expect(editorText(s)?.contains("Could we pick this up again after \(date)?") == true)
        #expect(editorText(s)?.contains("because I just started a new job") == true)
    }

    @Test("c on a recruiter with a saved draft: after the form, resume it (logged as the decline) or start over")
    func declineResumes() {
        var s = Session()
        s.state.savedDrafts[dana] = SavedDraft(text: "Subject: No thanks\n\nNot for me, sorry.", saved: Sample.now)
        s.select(1)
        s.send(.decline)
        s.type("timing")
        s.send(.submit)
        let q = try! #require(question(s))
        #expect(q.purpose == .resumeDraft(dana, .decline(reason: "timing", reengage: nil)))
        s.send(.answer("y"))
        #expect(editorText(s) == "Subject: No thanks\n\nNot for me, sorry.")
        s.send(.submit)
        s.send(.submit)
        #expect(s.store.recruiters[dana]?.status == .declined)
        #expect(s.store.thread(dana).last?.body == "Not for me, sorry.")
        #expect(s.state.savedDrafts[dana] == nil)
    }

    @Test("a in the spell review adds the selected word to the dictionary; it is no longer flagged")
    func addWordToDictionary() {
        var s = Session()
        s.select(1)
        s.editorResult = { $0 + "Thnaks, the Kubernetes role sounds good." }
        s.spelling = .checked(engine: "test", misspellings: [
            Misspelling(word: "Thnaks", line: 1, column: 0, suggestions: ["Thanks"]),
            Misspelling(word: "Kubernetes", line: 1, column: 12, suggestions: []),
        ])
        s.send(.writeReply)
        s.send(.submit)
        guard case .review(let d)? = s.state.overlays.last else { Issue.record("no review"); return }
        #expect(d.misspellings.count == 2 && d.spellCursor == 0)
        #expect(Screen.render(s.state).text.contains("› 3:1 Thnaks → Thanks"))
        s.send(.move(1))
        let effects = s.send(.addWord)
        #expect(effects == [.addToDictionary("Kubernetes")])
        #expect(s.runner.ports.dictionary == ["Kubernetes"])
        guard case .review(let after)? = s.state.overlays.last else { Issue.record("no review"); return }
        #expect(after.misspellings.map(\.word) == ["Thnaks"] && after.spellCursor == 0)
        #expect(s.state.statusMessage?.text == "Added “Kubernetes” to your dictionary")
        s.send(.addWord)
        s.send(.addWord)
        #expect(s.state.statusMessage?.text == "No misspelt word to add")
        #expect(Screen.render(s.state).text.contains("Spelling: no misspellings"))
    }
}

/// `$VISUAL` / `$EDITOR` run for real (a shell script stands in for the editor).
@Suite("External editor: the file, its final newline, failures in one line")
struct ExternalEditorTests {
    func script(_ body: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("editor-\(UUID().uuidString).sh").path
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    @Test func theFileEndsInANewlineAndTrailingBlanksAreDroppedOnReadBack() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("copy-\(UUID().uuidString)").path
        let editor = try script("cp \"$1\" \(copy)\nprintf 'Second line  \\n\\n \\t\\n' >> \"$1\"\n")
        // Through sh, not exec: a script just written may be busy (ETXTBSY) while another
        // test's thread spawns a process.
        let result = ExternalEditor.edit("Subject: Hi\n\nFirst line", environment: ["EDITOR": "sh " + editor, "PATH": "/usr/bin:/bin"]) { $0() }
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == "Subject: Hi\n\nFirst line\n")
        #expect(result == .edited("Subject: Hi\n\nFirst line\nSecond line"))
    }

    @Test func failuresNameTheVariableTheEditorAndWhy() throws {
        #expect(ExternalEditor.edit("x", environment: [:]) { $0() } == .noEditor)
        #expect(ExternalEditor.edit("x", environment: ["EDITOR": "/nonexistent/vim"]) { _ in .edited("never run") }
            == .failed("$EDITOR (/nonexistent/vim) was not found"))
        #expect(ExternalEditor.edit("x", environment: ["VISUAL": "false", "EDITOR": "vi", "PATH": "/usr/bin:/bin"]) { $0() }
            == .failed("$VISUAL (false) exited with status 1"))
        #expect(ExternalEditor.edit("x", environment: ["EDITOR": "no-such-editor-here", "PATH": "/usr/bin:/bin"]) { $0() }
            == .failed("$EDITOR (no-such-editor-here) was not found (exit 127)"))
        #expect(ExternalEditor.readBack("a  \nb \r\n\n") == "a  \nb")
    }
}
