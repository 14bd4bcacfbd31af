import Foundation
import RapportCore
import RapportStore
import Testing

/// The workflows of issue 5 in the real binary in tmux: forms, r and undo, search,
/// a decline written through $EDITOR from a user template, and that every change is
/// still there after quitting and reopening.
@Suite("TUI workflows end to end in tmux", .serialized, .enabled(if: Tmux.available, "tmux is not installed; `make test` installs it"))
struct WorkflowEndToEndTests {
    static let now = TUIEndToEndTests.now

    /// A store with the usual six recruiters plus Kim, who wrote five days ago and is
    /// waiting for a reply (reply overdue).
    static func makeStore() throws -> String {
        let dir = try TUIEndToEndTests.makeStore()
        let store = try Store.open(AppPaths(storeDirectory: dir))
        let kim = Recruiter(name: "Kim Inbound", firm: "Waiting Ltd", created: ISO8601.parse("2026-03-01T09:00:00Z")!)
        try store.apply(.batch([
            .putRecruiter(kim),
            .putMessage(Message(recruiterID: kim.id, direction: .inbound, channel: .linkedin,
                                at: ISO8601.parse("2026-03-06T10:00:00Z")!, subject: "A role for you",
                                body: "Are you open to a platform role?")),
        ]))
        try store.close()
        return dir
    }

    func start(_ tmux: Tmux, store: String, env: String = "") throws {
        try tmux.type("\(env) RAPPORT_NOW=\(Self.now) \(TUIEndToEndTests.binary) --store \(store); echo EXIT=$?")
    }

    func quit(_ tmux: Tmux) throws { try TUIEndToEndTests().quit(tmux) }

    /// Starts the interface and selects Kim, who waits for a reply.
    func startAtKim(_ tmux: Tmux, store: String, env: String) throws {
        try start(tmux, store: store, env: env)
        try tmux.until(contains: "Recruiters 7")
        try find(tmux, "Kim")
    }

    /// An executable `$EDITOR` shell script in `dir`; returns its path.
    func editorScript(_ dir: String, _ body: String) throws -> String {
        let path = dir + "/editor.sh"
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    func database(_ dir: String) throws -> Database {
        let store = try Store.open(AppPaths(storeDirectory: dir))
        defer { try? store.close() }
        return store.database
    }

    /// Selects a recruiter through the search prompt.
    func find(_ tmux: Tmux, _ name: String) throws {
        try tmux.keys("/")
        try tmux.tmuxRun(["send-keys", "-l", name])
        try tmux.keys("Enter")
        try tmux.until("'\(name)' selected") { $0.contains { $0.hasPrefix("› " + name) } }
    }

    @Test("a adds a recruiter through the form with CJK and emoji; it survives quit and reopen")
    func addThroughForm() throws {
        let tmux = try Tmux()
        let dir = try TUIEndToEndTests.makeStore(empty: true)
        try start(tmux, store: dir)
        try tmux.until(contains: "Press a to add a recruiter")
        try tmux.keys("a")
        try tmux.until(contains: "Add a recruiter")
        try tmux.tmuxRun(["send-keys", "-l", "佐藤 花子 👩🏽‍💻"])
        try tmux.keys("Tab")
        try tmux.tmuxRun(["send-keys", "-l", "東京リクルート"])
        for _ in 0..<4 { try tmux.keys("Tab") }
        try tmux.tmuxRun(["send-keys", "-l", "Asia/Tok"])
        try tmux.keys("Tab")
        try tmux.until(contains: "Asia/Tokyo")
        try tmux.keys("Enter")
        // (tmux draws the emoji sequence as its base; the store keeps all of it.)
        try tmux.until(contains: "added · u undo")
        try tmux.until(contains: "Recruiters 1")
        try quit(tmux)
        let db = try database(dir)
        let r = try #require(db.recruiters.values.first)
        #expect(r.name == "佐藤 花子 👩🏽‍💻" && r.firm == "東京リクルート" && r.timeZone == "Asia/Tokyo")
        try start(tmux, store: dir)
        try tmux.until("the recruiter after reopening") { s in
            s.contains { $0.contains("Recruiters 1") } && s.contains { $0.contains("東京リクルート") }
        }
        try quit(tmux)
    }

    @Test("l logs a message through the form; Esc on a form changes nothing")
    func logMessage() throws {
        let tmux = try Tmux()
        let dir = try Self.makeStore()
        try start(tmux, store: dir)
        try tmux.until(contains: "Recruiters 7")
        try find(tmux, "Zoë")
        try tmux.keys("l")
        try tmux.until(contains: "Log a message · Zoë")
        try tmux.tmuxRun(["send-keys", "-l", "x"]) // a choice ignores letters it has no option for
        try tmux.keys("Escape")
        try tmux.until(contains: "Cancelled: nothing changed")
        try tmux.keys("l")
        try tmux.until(contains: "Log a message · Zoë")
        try tmux.keys("Tab", "Tab", "Tab")
        try tmux.tmuxRun(["send-keys", "-l", "Hello from the form"])
        try tmux.keys("Tab")
        try tmux.tmuxRun(["send-keys", "-l", "Typed body, Ctrl-W removes this"])
        try tmux.keys("C-w", "C-w")
        // Enter is a new line in the body; Ctrl-S saves.
        try tmux.keys("C-s")
        try tmux.until(contains: "Message from Zoë Łukasiewicz logged")
        try tmux.until(contains: "Hello from the form")
        try quit(tmux)
        let db = try database(dir)
        let zoe = try #require(db.recruiters.values.first { $0.name.hasPrefix("Zoë") })
        let m = try #require(db.thread(zoe.id).last)
        #expect(m.direction == .inbound && m.subject == "Hello from the form" && m.body == "Typed body, Ctrl-W")
    }

    @Test("r marks the reply sent and the deadline clears; u brings it back; both survive reopening")
    func replyAndUndo() throws {
        let tmux = try Tmux()
        let dir = try Self.makeStore()
        try start(tmux, store: dir)
        try tmux.until(contains: "Reply to Kim Inbound")
        try find(tmux, "Kim")
        // The reply flag (↩) in Kim's row of the Recruiters pane.
        let flagged = { (s: [String]) in s.contains { $0.hasPrefix("› Kim Inbound") && $0.prefix(48).contains("↩") } }
        #expect(flagged(try tmux.screen()))
        try tmux.keys("r")
        try tmux.until(contains: "Reply to Kim Inbound logged · u undo")
        try tmux.until("the reply deadline to clear") { !$0.contains { $0.contains("Reply to Kim Inbound (") } }
        try tmux.until("the flag to clear") { s in !flagged(s) && s.contains { $0.contains("Kim Inbound") } }
        try tmux.keys("u")
        try tmux.until(contains: "Undone: Reply to Kim Inbound logged · Ctrl-R redo")
        try tmux.until(contains: "Reply to Kim Inbound (")
        try tmux.until("the flag to return", flagged)
        try tmux.keys("C-r")
        try tmux.until(contains: "Redone: Reply to Kim Inbound logged")
        try tmux.until("the reply deadline to clear again") { !$0.contains { $0.contains("Reply to Kim Inbound (") } }
        try quit(tmux)
        var db = try database(dir)
        let kim = try #require(db.recruiters.values.first { $0.name == "Kim Inbound" })
        #expect(db.thread(kim.id).last?.direction == .outbound)
        #expect(db.thread(kim.id).last?.channel == .linkedin)
        try start(tmux, store: dir)
        try tmux.until(contains: "Recruiters 7")
        // Undo is per session; the reply is there after reopening, then removed by hand.
        try find(tmux, "Kim")
        try tmux.keys("2")
        try tmux.until(contains: "━ Messages")
        try tmux.keys("d")
        try tmux.until(contains: "Delete the message to Kim Inbound")
        try tmux.keys("y")
        try tmux.until(contains: "Reply to Kim Inbound (")
        try tmux.keys("u")
        try tmux.until(contains: "Undone: Deleted the message to Kim Inbound")
        try tmux.until("the deadline gone again") { !$0.contains { $0.contains("Reply to Kim Inbound (") } }
        try tmux.keys("C-r")
        try tmux.until(contains: "Reply to Kim Inbound (")
        try quit(tmux)
        db = try database(dir)
        #expect(db.thread(kim.id).last?.direction == .inbound)
    }

    @Test("u takes back through the store: the data byte for byte as before, an undo line of the TUI, one history with rapport undo --list; u over a newer rapport edit is refused in the store's words")
    func undoThroughTheStore() throws {
        let tmux = try Tmux()
        let dir = try Self.makeStore()
        let env = ["RAPPORT_NOW": Self.now, "TZ": "UTC", "PATH": "/usr/bin:/bin"]
        func rapport(_ args: String...) throws -> Run {
            try Run.run(TUIEndToEndTests.binary, ["--store", dir] + args, environment: env)
        }
        func journalLast() -> String {
            let text = String(decoding: FileManager.default.contents(atPath: dir + "/journal.jsonl") ?? Data(), as: UTF8.self)
            return text.split(separator: "\n").last.map(String.init) ?? ""
        }
        let exported = try rapport("export", "json").stdout
        #expect(!exported.isEmpty)
        try start(tmux, store: dir)
        try tmux.until(contains: "Recruiters 7")
        try find(tmux, "Kim")
        try tmux.keys("r")
        try tmux.until(contains: "Reply to Kim Inbound logged · u undo")
        #expect(try rapport("export", "json").stdout != exported)
        try tmux.keys("u")
        try tmux.until(contains: "Undone: Reply to Kim Inbound logged · Ctrl-R redo")
        // The store, read by another process while the TUI runs.
        #expect(try rapport("export", "json").stdout == exported, "the data byte for byte as before the reply")
        let last = journalLast()
        #expect(last.contains("\"origin\":\"tui:") && last.contains("\"undoes\":") && last.contains("Undo: Reply to Kim Inbound logged"))
        let list = String(decoding: try rapport("undo", "--list").stdout, as: UTF8.self)
        #expect(list.split(separator: "\n").contains {
            $0.contains("the TUI") && $0.contains(" Reply to Kim Inbound logged") && $0.contains("undone")
        })
        // `rapport redo` alone leaves the TUI's steps alone (it takes back commands' and imports').
        #expect(try rapport("redo").status == 1)
        #expect(try rapport("export", "json").stdout == exported)
        // A new firm through the form, then `rapport edit` writes the firm again: u is refused.
        try tmux.keys("e")
        try tmux.until(contains: "Edit Kim Inbound")
        try tmux.keys("Tab")
        try tmux.keys("C-u")
        try tmux.tmuxRun(["send-keys", "-l", "Globex"])
        try tmux.keys("Enter")
        try tmux.until(contains: "· u undo")
        #expect(try database(dir).recruiters.values.first { $0.name == "Kim Inbound" }?.firm == "Globex")
        #expect(try rapport("edit", "Kim Inbound", "--firm", "Initech").status == 0)
        let before = try rapport("export", "json").stdout
        try tmux.keys("u")
        try tmux.until(contains: "Not undone: Kim Inbound's firm changed since by rapport edit")
        #expect(try rapport("export", "json").stdout == before, "nothing written")
        try quit(tmux)
        #expect(try database(dir).recruiters.values.first { $0.name == "Kim Inbound" }?.firm == "Initech")
    }

    @Test("/ searches incrementally, says when nothing matches, and keeps the selection")
    func search() throws {
        let tmux = try Tmux()
        try start(tmux, store: try Self.makeStore())
        let first = try tmux.until(contains: "Recruiters 7")[2]
        #expect(first.hasPrefix("› "))
        try tmux.keys("/")
        try tmux.tmuxRun(["send-keys", "-l", "nordlicht"])
        try tmux.until("Zoë selected") { $0.contains { $0.hasPrefix("› Zoë") } }
        // No match: the selection goes back to where it was when / was pressed, and the
        // prompt says so.
        try tmux.tmuxRun(["send-keys", "-l", "zzz"])
        try tmux.until(contains: "no match · Esc goes back")
        #expect(try tmux.screen()[2] == first)
        try tmux.keys("Escape")
        try tmux.keys("/")
        try tmux.tmuxRun(["send-keys", "-l", "platform role"]) // message text
        try tmux.keys("Enter")
        try tmux.until("Kim selected by message text") { $0.contains { $0.hasPrefix("› Kim Inbound") } }
        try quit(tmux)
    }

    @Test("c declines with the user's template through $EDITOR: spell-checked, on the clipboard (OSC 52), logged")
    func declineWithTemplate() throws {
        let tmux = try Tmux()
        try tmux.tmuxRun(["set-option", "-g", "set-clipboard", "on"])
        let dir = try Self.makeStore()
        let config = dir + "/config"
        try FileManager.default.createDirectory(atPath: config + "/rapport/templates", withIntermediateDirectories: true)
        try "Subject: Re: your message\n\nHi {first_name}, thank you. Not for me because {reason}.\n"
            .write(toFile: config + "/rapport/templates/decline.txt", atomically: true, encoding: .utf8)
        // The file ends in a newline, as editors expect: the script appends a line.
        let editor = try editorScript(dir, "printf 'All the best.\\n' >> \"$1\"\n")
        try startAtKim(tmux, store: dir, env: "EDITOR=\(editor) XDG_CONFIG_HOME=\(config)")
        try tmux.keys("c")
        try tmux.until(contains: "Courtesy decline · Kim Inbound")
        try tmux.tmuxRun(["send-keys", "-l", "I just started a new job"])
        try tmux.keys("Enter")
        try tmux.until(contains: "Courtesy decline to Kim Inbound")
        try tmux.until(contains: "All the best.")
        try tmux.until("the spell check result") { $0.contains { $0.contains("Spelling: no misspellings") || $0.contains("spell check unavailable") } }
        try tmux.keys("Enter")
        try tmux.until(contains: "Courtesy decline to Kim Inbound copied and logged · status declined")
        let body = "Hi Kim, thank you. Not for me because I just started a new job.\nAll the best."
        let buffer = try tmux.tmuxRun(["show-buffer"])
        #expect(buffer == body)
        try quit(tmux)
        let db = try database(dir)
        let kim = try #require(db.recruiters.values.first { $0.name == "Kim Inbound" })
        #expect(kim.status == .declined)
        #expect(db.thread(kim.id).last?.body == body)
        #expect(db.thread(kim.id).last?.subject == "Re: your message")
    }

    @Test("R with an editor that fails falls back to the inline editor; the reply is logged with what was typed there")
    func inlineEditorFallback() throws {
        let tmux = try Tmux()
        let dir = try Self.makeStore()
        try startAtKim(tmux, store: dir, env: "EDITOR=false VISUAL=")
        try tmux.keys("R")
        try tmux.until(contains: "Reply to Kim Inbound: start from")
        try tmux.keys("Enter") // blank
        try tmux.until(contains: "Edit the draft — Ctrl-S done")
        try tmux.tmuxRun(["send-keys", "-l", "Yes, 東京 works 👍"])
        try tmux.keys("Enter")
        try tmux.tmuxRun(["send-keys", "-l", "Kim"])
        try tmux.keys("C-s")
        try tmux.until(contains: "Enter copies and logs it")
        try tmux.keys("Enter")
        try tmux.until(contains: "Reply to Kim Inbound copied and logged")
        try quit(tmux)
        let db = try database(dir)
        let kim = try #require(db.recruiters.values.first { $0.name == "Kim Inbound" })
        let m = try #require(db.thread(kim.id).last)
        #expect(m.direction == .outbound && m.subject == "Re: A role for you")
        #expect(m.body == "Yes, 東京 works 👍\nKim")
    }

    @Test("Ctrl-C inside $EDITOR is the editor's: the interface stays, with the draft, in the inline editor")
    func interruptInEditor() throws {
        let tmux = try Tmux()
        let dir = try Self.makeStore()
        // What Ctrl-C in the terminal does: SIGINT to the whole foreground process group.
        let editor = try editorScript(dir, "kill -INT 0\nsleep 1\n")
        try startAtKim(tmux, store: dir, env: "EDITOR=\(editor) VISUAL=")
        try tmux.keys("R")
        try tmux.until(contains: "Reply to Kim Inbound: start from")
        try tmux.keys("Enter") // blank
        // The editor was interrupted (a failure): the draft opens in the inline editor.
        let screen = try tmux.until(contains: "Edit the draft — Ctrl-S done")
        #expect(!screen.contains { $0.contains("EXIT=1") })
        #expect(screen.contains { $0.contains("Subject: Re: A role for you") })
        try tmux.keys("Escape")
        try tmux.keys("Escape")
        try tmux.until(contains: "Recruiters 7")
        let later = try tmux.screen()
        #expect(!later.contains { $0.contains("EXIT=1") })
        try quit(tmux)
    }
}
