import Foundation
import RapportCore
import RapportStore
import Testing

/// Bracketed paste in the real binary in tmux: `paste-buffer -p` brackets the text only
/// when the program asked for it (`ESC [?2004h`), so a paste that lands as text proves it
/// is on, and `cat -v` after the interface is gone shows `^[[200~` if it was left on.
@Suite("Bracketed paste end to end in tmux", .serialized, .enabled(if: Tmux.available, "tmux is not installed; `make test` installs it"))
struct PasteEndToEndTests {
    static let now = TUIEndToEndTests.now
    /// Three lines with pane keys in them: t toggles, d…y deletes, r logs a reply, f opens a form.
    static let threeLines = "Hello Zoë,\nt d y r f\nBest, Sam\n"

    var binary: String { TUIEndToEndTests.binary }

    /// Pastes `text` into the pane as a terminal would: bracketed when the program asked.
    func paste(_ tmux: Tmux, _ text: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("paste-\(UUID().uuidString)").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        try tmux.tmuxRun(["load-buffer", "-b", "p", file])
        try tmux.tmuxRun(["paste-buffer", "-p", "-b", "p"])
    }

    func database(_ dir: String) throws -> Database {
        let store = try Store.open(AppPaths(storeDirectory: dir))
        defer { try? store.close() }
        return store.database
    }

    @Test("three pasted lines with t d y r f: ignored on the panes, one line in a one-line field, kept in the log body")
    func pasteIntoFields() throws {
        let tmux = try Tmux()
        let dir = try WorkflowEndToEndTests.makeStore()
        let before = try database(dir)
        let zoe = try #require(before.recruiters.values.first { $0.name.hasPrefix("Zoë") })
        try tmux.type("RAPPORT_NOW=\(Self.now) \(binary) --store \(dir); echo EXIT=$?")
        try tmux.until(contains: "Recruiters 7")
        try WorkflowEndToEndTests().find(tmux, "Zoë")
        // On the panes: a notice, and nothing else.
        try paste(tmux, Self.threeLines)
        try tmux.until(contains: "Paste ignored: no text field is open")
        let panes = try tmux.screen()
        #expect(!panes.contains { $0.contains("Delete ") || $0.contains("Schedule a follow-up") || $0.contains("logged") })
        #expect(panes.contains { $0.hasPrefix("› Zoë") })
        // The log form: a one-line field (Subject), then the body.
        try tmux.keys("l")
        try tmux.until(contains: "Log a message · Zoë")
        try tmux.keys("Tab", "Tab", "Tab")
        try paste(tmux, Self.threeLines)
        try tmux.until(contains: "Hello Zoë, t d y r f Best, Sam")
        try tmux.keys("Tab")
        try tmux.until(contains: "Ctrl-S save")
        try paste(tmux, Self.threeLines)
        let form = try tmux.until("the body's three lines") { s in
            s.contains { $0.contains("Body") && $0.contains("Hello Zoë,") } && s.contains { $0.contains("t d y r f") && !$0.contains("Hello") }
                && s.contains { $0.contains("Best, Sam") && !$0.contains("Hello") }
        }
        #expect(form.contains { $0.contains("Log a message · Zoë") })
        // Enter is a new line in the body; Ctrl-S saves.
        try tmux.tmuxRun(["send-keys", "-l", "PS"])
        try tmux.keys("C-s")
        try tmux.until(contains: "Message from Zoë Łukasiewicz logged")
        try TUIEndToEndTests().quit(tmux)
        let after = try database(dir)
        #expect(after.recruiters.count == before.recruiters.count)
        #expect(after.recruiters[zoe.id]?.targeting == zoe.targeting)
        #expect(after.followUps.count == before.followUps.count)
        #expect(after.thread(zoe.id).count == before.thread(zoe.id).count + 1)
        let m = try #require(after.thread(zoe.id).last)
        #expect(m.direction == .inbound)
        #expect(m.subject == "Hello Zoë, t d y r f Best, Sam")
        #expect(m.body == "Hello Zoë,\nt d y r f\nBest, Sam\nPS")
    }

    @Test("the search prompt takes a paste as one line")
    func pasteIntoSearch() throws {
        let tmux = try Tmux()
        let dir = try WorkflowEndToEndTests.makeStore()
        try tmux.type("RAPPORT_NOW=\(Self.now) \(binary) --store \(dir); echo EXIT=$?")
        try tmux.until(contains: "Recruiters 7")
        try tmux.keys("/")
        try paste(tmux, "Kim\n")
        try tmux.until(contains: "/Kim")
        try tmux.keys("Enter")
        try tmux.until("Kim selected") { $0.contains { $0.hasPrefix("› Kim Inbound") } }
        try TUIEndToEndTests().quit(tmux)
    }

    /// `sh -c 'rapport …; echo EXIT=$?; cat -v'`: no interactive shell in between that
    /// would set the mode itself (bash's readline turns bracketed paste on and off).
    func startThenCat(_ tmux: Tmux, store: String) throws {
        try tmux.type("RAPPORT_NOW=\(Self.now) sh -c '\(binary) --store \(store); echo EXIT=$?; cat -v'")
        try tmux.until(contains: "Recruiters 6")
    }

    /// After the interface is gone, a paste into `cat -v` shows no bracket markers.
    func expectPasteOff(_ tmux: Tmux, _ what: String) throws {
        try paste(tmux, "AFTER-\(what)\n")
        let screen = try tmux.until("the pasted line echoed by cat") { s in s.filter { $0.contains("AFTER-\(what)") }.count >= 2 }
        #expect(!screen.contains { $0.contains("^[[200~") || $0.contains("^[[201~") }, "\(what): bracketed paste left on")
        try tmux.keys("C-d")
    }

    @Test("cat -v shows the markers when bracketed paste is on (the check below can fail)")
    func markersVisibleWhenOn() throws {
        let tmux = try Tmux()
        try tmux.type("sh -c 'printf \"\\033[?2004h\"; cat -v; printf \"\\033[?2004l\"'")
        usleep(300_000)
        try paste(tmux, "ON-CHECK\n")
        try tmux.until(contains: "^[[200~ON-CHECK")
        try tmux.keys("C-d")
    }

    @Test("bracketed paste is off after q and after SIGTERM")
    func offAfterExit() throws {
        let tmux = try Tmux()
        try startThenCat(tmux, store: try TUIEndToEndTests.makeStore())
        try tmux.keys("q")
        try tmux.until(contains: "EXIT=0")
        try expectPasteOff(tmux, "QUIT")

        let store = try TUIEndToEndTests.makeStore()
        try startThenCat(tmux, store: store)
        kill(try SignalEndToEndTests.pid(of: store), SIGTERM)
        try tmux.until(contains: "EXIT=\(128 + SIGTERM)")
        try expectPasteOff(tmux, "SIGTERM")
    }

    @Test("bracketed paste is off while suspended with Ctrl-Z and on again after fg")
    func suspendAndResume() throws {
        let tmux = try Tmux()
        // bash's readline would turn the mode on and off itself around each command line.
        try tmux.type("bind 'set enable-bracketed-paste off'")
        let store = try TUIEndToEndTests.makeStore()
        try tmux.type("RAPPORT_NOW=\(Self.now) \(binary) --store \(store); echo EXIT=$?")
        try tmux.until(contains: "Recruiters 6")
        try tmux.keys("C-z")
        try tmux.until(contains: "Stopped")
        try tmux.type("cat -v")
        usleep(300_000)
        try expectPasteOff(tmux, "SUSPEND")
        try tmux.type("fg")
        try tmux.until(contains: "Recruiters 6")
        // On again: a paste on the panes is a paste, not the keys q (quit) and d (delete).
        try paste(tmux, "qd\n")
        try tmux.until(contains: "Paste ignored: no text field is open")
        #expect(try tmux.display("#{alternate_on}") == "1")
        // (The shell printed EXIT= when the job stopped.)
        try tmux.keys("q")
        let deadline = Date().addingTimeInterval(10)
        while try tmux.display("#{alternate_on}") == "1", Date() < deadline { usleep(50_000) }
        #expect(try tmux.display("#{alternate_on}") == "0")
    }

    @Test("bracketed paste is off while $EDITOR runs and on again after it")
    func offForEditor() throws {
        let tmux = try Tmux()
        let dir = try WorkflowEndToEndTests.makeStore()
        // The editor reads one line from the terminal and keeps what it saw, made visible.
        let editor = try WorkflowEndToEndTests().editorScript(dir, "IFS= read -r line; printf '%s\\n' \"$line\" | cat -v > \(dir)/editor-saw\n")
        try tmux.type("EDITOR=\(editor) RAPPORT_NOW=\(Self.now) \(binary) --store \(dir); echo EXIT=$?")
        try tmux.until(contains: "Recruiters 7")
        try WorkflowEndToEndTests().find(tmux, "Kim")
        try tmux.keys("R")
        try tmux.until(contains: "start from")
        try tmux.keys("Enter")
        usleep(500_000)
        try paste(tmux, "IN-EDITOR\n")
        try tmux.until(contains: "Enter copies and logs it")
        let saw = try String(contentsOfFile: dir + "/editor-saw", encoding: .utf8)
        #expect(saw == "IN-EDITOR\n", "the editor saw \(saw.debugDescription)")
        // Back in the draft review: q would close it; pasted, it is only a notice.
        try paste(tmux, "q")
        try tmux.until(contains: "Paste ignored: no text field is open")
        #expect(try tmux.screen().contains { $0.contains("Enter copies and logs it") })
        try tmux.keys("Escape")
        try TUIEndToEndTests().quit(tmux)
    }
}
