import Foundation
import RapportCore
import RapportStore
import Testing

/// Drafts in the real binary in tmux: Esc on a changed draft asks, a draft survives
/// SIGKILL and is offered again, a broken `$EDITOR` is said and the draft kept, and the
/// template picker opens on the thank-you that is due.
@Suite("Drafts end to end in tmux", .serialized, .enabled(if: Tmux.available, "tmux is not installed; `make test` installs it"))
struct DraftEndToEndTests {
    let flows = WorkflowEndToEndTests()

    /// The drafts directory's files (names and text), or none.
    func drafts(_ store: String) -> [String: String] {
        let dir = store + "/drafts"
        var out: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            out[name] = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)
        }
        return out
    }

    func kim(_ db: Database) throws -> Recruiter {
        try #require(db.recruiters.values.first { $0.name == "Kim Inbound" })
    }

    /// R on Kim, the blank template, no editor: the inline editor.
    func writeBlank(_ tmux: Tmux) throws {
        try tmux.keys("R")
        try tmux.until(contains: "Reply to Kim Inbound: start from")
        try tmux.keys("Enter")
        try tmux.until(contains: "Edit the draft — Ctrl-S done")
    }

    @Test("Esc on a changed draft asks: k keeps editing, d discards; an unchanged draft closes at once; nothing logged")
    func escapeAsks() throws {
        let tmux = try Tmux()
        let dir = try WorkflowEndToEndTests.makeStore()
        try flows.startAtKim(tmux, store: dir, env: "EDITOR= VISUAL=")
        try writeBlank(tmux)
        try tmux.keys("Escape")
        try tmux.until(contains: "Draft closed; nothing logged")
        try writeBlank(tmux)
        try tmux.tmuxRun(["send-keys", "-l", "Typed words"])
        try tmux.until(contains: "Typed words")
        try tmux.keys("Escape")
        try tmux.until(contains: "Your draft to Kim Inbound has changes. Close it?")
        try tmux.until(contains: "k keep editing · d discard it · l keep it for later · Esc keep editing")
        try tmux.keys("k")
        try tmux.tmuxRun(["send-keys", "-l", " and more"])
        try tmux.until(contains: "Typed words and more")
        try tmux.keys("Escape")
        try tmux.until(contains: "has changes. Close it?")
        try tmux.keys("d")
        try tmux.until(contains: "Draft to Kim Inbound discarded; nothing logged")
        // Discarded: R starts afresh, with no draft to resume.
        try tmux.keys("R")
        try tmux.until(contains: "Reply to Kim Inbound: start from")
        try tmux.keys("Escape")
        try flows.quit(tmux)
        #expect(drafts(dir).isEmpty)
        let db = try flows.database(dir)
        #expect(db.thread(try kim(db).id).last?.direction == .inbound, "nothing was logged")
    }

    @Test("A draft survives SIGKILL: R on the same recruiter offers it again with its text, and sending removes it")
    func survivesSigkill() throws {
        let tmux = try Tmux()
        let dir = try WorkflowEndToEndTests.makeStore()
        try flows.startAtKim(tmux, store: dir, env: "EDITOR= VISUAL=")
        try writeBlank(tmux)
        try tmux.tmuxRun(["send-keys", "-l", "Words that must survive"])
        try tmux.until(contains: "Words that must survive")
        // Saved within about a second of typing, without a key or a quit.
        let deadline = Date().addingTimeInterval(5)
        func written(_ files: [String: String]) -> Bool {
            files.count == 1 && files.contains { !$0.key.hasPrefix(".") && $0.value.contains("Words that must survive") }
        }
        while Date() < deadline, !written(drafts(dir)) { usleep(50_000) }
        let saved = drafts(dir)
        let id = try kim(try flows.database(dir)).id
        #expect(saved == [id.uuidString.lowercased() + ".txt": "Subject: Re: A role for you\n\nWords that must survive\n"])
        kill(try SignalEndToEndTests.pid(of: dir), SIGKILL)
        try tmux.until(contains: "EXIT=137")
        try tmux.type("stty sane; tput rmcup; clear")
        try flows.startAtKim(tmux, store: dir, env: "EDITOR= VISUAL=")
        try tmux.keys("R")
        try tmux.until(contains: "Resume the draft to Kim Inbound from")
        try tmux.until(contains: "y resume it · n start over · Esc cancel")
        try tmux.keys("y")
        try tmux.until(contains: "Edit the draft — Ctrl-S done")
        try tmux.until(contains: "Words that must survive")
        try tmux.keys("C-s")
        try tmux.until(contains: "Enter copies and logs it")
        try tmux.keys("Enter")
        try tmux.until(contains: "Reply to Kim Inbound copied and logged")
        try flows.quit(tmux)
        #expect(drafts(dir).isEmpty, "sent: the saved draft is gone")
        let db = try flows.database(dir)
        #expect(db.thread(id).last?.body == "Words that must survive")
    }

    @Test("SIGHUP right after typing (the terminal closed): the last keys are saved on the way out")
    func savedOnHangup() throws {
        let tmux = try Tmux()
        let dir = try WorkflowEndToEndTests.makeStore()
        try flows.startAtKim(tmux, store: dir, env: "EDITOR= VISUAL=")
        try writeBlank(tmux)
        try tmux.tmuxRun(["send-keys", "-l", "Last words"])
        try tmux.until(contains: "Last words")
        kill(try SignalEndToEndTests.pid(of: dir), SIGHUP)
        try tmux.until(contains: "EXIT=129")
        #expect(drafts(dir).values.first == "Subject: Re: A role for you\n\nLast words\n")
    }

    @Test("EDITOR=/nonexistent/vim is said in one line and the draft is kept in the inline editor")
    func brokenEditor() throws {
        let tmux = try Tmux()
        let dir = try WorkflowEndToEndTests.makeStore()
        try flows.startAtKim(tmux, store: dir, env: "EDITOR=/nonexistent/vim VISUAL=")
        try writeBlank(tmux)
        let screen = try tmux.until(contains: "$EDITOR (/nonexistent/vim) was not found · the draft is kept: editing it here")
        #expect(screen.contains { $0.contains("Subject: Re: A role for you") })
        try tmux.keys("Escape")
        try tmux.until(contains: "Draft closed; nothing logged")
        try flows.quit(tmux)
    }

    @Test("An editor that exits non-zero is said; the draft stays as it was before it ran")
    func failingEditor() throws {
        let tmux = try Tmux()
        let dir = try WorkflowEndToEndTests.makeStore()
        let editor = try flows.editorScript(dir, "printf 'half-written' >> \"$1\"\nexit 3\n")
        try flows.startAtKim(tmux, store: dir, env: "EDITOR=\(editor) VISUAL=")
        try writeBlank(tmux)
        let screen = try tmux.until(contains: "exited with status 3 · the draft is kept: editing it here")
        #expect(!screen.contains { $0.contains("half-written") })
        try tmux.keys("Escape")
        try flows.quit(tmux)
    }

    @Test("The template picker opens on thank-you when an interview just ended")
    func pickerPreselectsThankYou() throws {
        let tmux = try Tmux()
        let dir = try WorkflowEndToEndTests.makeStore()
        let store = try Store.open(AppPaths(storeDirectory: dir))
        let ines = Recruiter(name: "Ines Interview", firm: "Hire Co", created: ISO8601.parse("2026-03-01T09:00:00Z")!)
        var o = Opportunity(recruiterID: ines.id, role: "Staff Engineer", employer: "Hire Co", stage: .interview)
        o.interviews = [InterviewEvent(at: ISO8601.parse("2026-03-11T10:00:00Z")!, interviewers: ["Alex"])]
        try store.apply(.batch([
            .putRecruiter(ines),
            .putMessage(Message(recruiterID: ines.id, direction: .outbound, channel: .email,
                                at: ISO8601.parse("2026-03-10T09:00:00Z")!, subject: "Re: Staff Engineer")),
            .putOpportunity(o),
        ]))
        try store.close()
        try flows.start(tmux, store: dir, env: "EDITOR= VISUAL=")
        try tmux.until(contains: "Recruiters 8")
        try flows.find(tmux, "Ines")
        try tmux.keys("R")
        try tmux.until(contains: "Reply to Ines Interview: start from")
        try tmux.until(contains: "› thank-you (due)")
        try tmux.keys("Enter")
        try tmux.until(contains: "Subject: Thank you: Staff Engineer interview")
        try tmux.keys("Escape")
        try flows.quit(tmux)
    }
}
