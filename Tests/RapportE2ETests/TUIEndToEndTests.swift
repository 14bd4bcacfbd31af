import Foundation
import RapportTestSupport
import RapportCore
import RapportStore
import Testing

/// The real `rapport` binary in a real terminal (tmux). Skipped, with a message, only
/// when tmux is not installed (`make test` installs it).
@Suite("TUI end to end in tmux", .serialized, .enabled(if: Tmux.available, "tmux is not installed; `make test` installs it"))
struct TUIEndToEndTests {
    static let now = "2026-03-11T15:00:00Z"

    /// The binary next to the test bundle (.build/<config>/rapport).
    static var binary: String { BuiltBinary.path }

    /// A store made through the Store API in a fresh temp directory.
    static func makeStore(empty: Bool = false) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-e2e-\(UUID().uuidString)").path
        let store = try Store.open(AppPaths(storeDirectory: dir))
        if empty { return dir }
        let t0 = ISO8601.parse("2026-03-02T09:00:00Z")!
        let people: [(String, String)] = [
            ("Dana Smith", "Acme Talent"), ("佐藤 花子", "東京リクルート"), ("Priya Raman 👩🏽‍💻", "Bangalore Tech"),
            ("Zoë Łukasiewicz", "Nordlicht"), ("Olu Adeyemi 🇳🇬", "Lagos Talent"), ("Evil \u{1B}[2J Corp", "Esc Inc"),
        ]
        var changes: [Change] = []
        for (i, (name, firm)) in people.enumerated() {
            let r = Recruiter(name: name, firm: firm, created: t0)
            changes.append(.putRecruiter(r))
            for k in 0..<(i == 0 ? 12 : 2) {
                changes.append(.putMessage(Message(
                    recruiterID: r.id, direction: k % 2 == 0 ? .inbound : .outbound, channel: .email,
                    at: t0.addingTimeInterval(Double(k) * 3600 * 7), subject: "Subject \(k) for \(name)",
                    body: "Message number \(k) with \(name). \u{1B}]0;title\u{07} ok")))
            }
        }
        try store.apply(.batch(changes))
        return dir
    }

    func start(_ tmux: Tmux, store: String, extra: String = "") throws {
        try tmux.type("RAPPORT_NOW=\(Self.now) \(Self.binary) --store \(store) \(extra); echo EXIT=$?")
    }

    @Test("start, navigate with keys, open a thread, help overlay, quit")
    func navigate() throws {
        let tmux = try Tmux()
        let store = try Self.makeStore()
        try start(tmux, store: store)
        try tmux.until(contains: "Recruiters 6")
        #expect(try tmux.display("#{alternate_on}") == "1")
        let first = try tmux.until(contains: "› ")
        let selected = { (s: [String]) in s.first { $0.contains("› ") && !$0.contains("overdue") && !$0.contains("due in") } }
        let before = selected(first)
        try tmux.keys("j")
        let moved = try tmux.until("selection to move") { selected($0) != before }
        #expect(selected(moved) != nil)
        try tmux.keys("G")
        try tmux.until("last recruiter selected") { selected($0).map { $0.contains("Zoë") || $0.contains("Evil") || $0.contains("Priya") || $0.contains("Olu") || $0.contains("佐藤") || $0.contains("Dana") } ?? false }
        try tmux.keys("g", "Enter")
        try tmux.until(contains: "━ Messages")
        try tmux.keys("Tab")
        try tmux.until(contains: "━ Deadlines")
        try tmux.keys("BTab")
        try tmux.until(contains: "━ Messages")
        try tmux.keys("?")
        try tmux.until(contains: "Keys — q or Esc closes")
        try tmux.keys("q")
        try tmux.until("help closed, app still running") { s in
            !s.contains { $0.contains("Keys — q") } && s.contains { $0.contains("Recruiters 6") }
        }
        try quit(tmux)
        #expect(try tmux.display("#{alternate_on}") == "0")
    }

    @Test("RAPPORT_KEY_TRACE writes one line per key that drew a frame: when it was read, when its frame was drawn")
    func keyTrace() throws {
        let tmux = try Tmux()
        let store = try Self.makeStore()
        let trace = store + "/keys.trace"
        try start(tmux, store: store)
        try tmux.until(contains: "Recruiters 6")
        try quit(tmux)
        #expect(!FileManager.default.fileExists(atPath: trace), "off without the variable")
        // Another marker than the first session's `EXIT=0`, which is still on the screen.
        try tmux.type("RAPPORT_KEY_TRACE=\(trace) RAPPORT_NOW=\(Self.now) \(Self.binary) --store \(store); echo TRACED=$?")
        try tmux.until(contains: "Recruiters 6")
        for (n, key) in ["j", "j", "Tab"].enumerated() {
            let before = try tmux.screen()
            try tmux.keys(key)
            try tmux.until("key \(n + 1) drew") { $0 != before }
        }
        try tmux.keys("q")
        try tmux.until(contains: "TRACED=0")
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        // The three keys, and `q`'s frame is never drawn.
        #expect(lines.count == 3)
        for line in lines {
            let t = line.split(separator: " ").compactMap { UInt64($0) }
            #expect(t.count == 2)
            if t.count == 2 {
                #expect(t[0] > 0 && t[0] <= t[1])
                #expect(t[1] - t[0] < 5_000_000_000, "a frame within seconds of its key")
            }
        }
    }

    @Test("a mouse click selects the row under the pointer; the wheel scrolls the pane under it")
    func mouse() throws {
        let tmux = try Tmux()
        try start(tmux, store: try Self.makeStore())
        let screen = try tmux.until(contains: "Recruiters 6")
        // Row 2 is the first recruiter (title bar, pane title); click the fourth.
        let fourth = screen[5].dropFirst(2).prefix(10)
        try tmux.click(x: 5, y: 5)
        try tmux.until("click selected '\(fourth)'") { $0[5].hasPrefix("› " + fourth) }
        // Wheel down over the Recruiters pane moves its selection by three rows.
        try tmux.mouse(button: 65, x: 5, y: 3)
        try tmux.until("wheel moved the selection") { s in s[7].hasPrefix("› ") }
        try quit(tmux)
    }

    @Test("another process's write shows up within a tick")
    func otherWriter() throws {
        let tmux = try Tmux()
        let dir = try Self.makeStore()
        try start(tmux, store: dir)
        try tmux.until(contains: "Recruiters 6")
        let store = try Store.open(AppPaths(storeDirectory: dir))
        try store.apply(.putRecruiter(Recruiter(name: "Written Elsewhere", firm: "Other Process",
                                                created: ISO8601.parse(Self.now)!)))
        try store.close()
        try tmux.until("the new recruiter") { s in
            s.contains { $0.contains("Recruiters 7") } && s.contains { $0.contains("Written Elsewhere") }
        }
        try quit(tmux)
    }

    @Test("columns stay aligned with CJK and emoji, and escape sequences in data are shown, not run")
    func textInTerminal() throws {
        let tmux = try Tmux()
        try start(tmux, store: try Self.makeStore())
        let screen = try tmux.until(contains: "Recruiters 6")
        // The firm column starts at the same display column on every recruiter row.
        let rows: [(String, String)] = [("Dana Smith", "Acme Talent"), ("佐藤 花子", "東京リクルート"),
                                        ("Priya Raman", "Bangalore Tech"), ("Olu Adeyemi", "Lagos Talent")]
        var columns: Set<Int> = []
        for (name, firm) in rows {
            guard let line = screen.first(where: { $0.contains(name) && $0.contains(firm) }),
                  let r = line.range(of: firm) else {
                Issue.record("no row for \(name)")
                continue
            }
            columns.insert(displayWidth(line[..<r.lowerBound]))
        }
        #expect(columns.count == 1, "firm columns differ: \(columns)")
        #expect(screen.contains { $0.contains("Evil ^[[2J Corp") })
        #expect(try tmux.display("#{pane_title}") != "title")
        try quit(tmux)
    }

    @Test("resizing re-lays out the panes, shows 'terminal too small', and comes back")
    func resize() throws {
        let tmux = try Tmux()
        try start(tmux, store: try Self.makeStore())
        try tmux.until("side by side at 120x40") { s in s.contains { $0.contains("Recruiters 6") && $0.contains("│─ Messages") } }
        try tmux.resize(80, 24)
        try tmux.until("stacked at 80x24") { s in s.contains { $0.hasPrefix("─ Messages") } && !s.contains { $0.contains("│") } }
        try tmux.resize(30, 8)
        try tmux.until(contains: "Terminal too small")
        try tmux.resize(120, 40)
        try tmux.until("side by side again") { s in s.contains { $0.contains("│─ Messages") } && !s.contains { $0.contains("too small") } }
        try tmux.keys("C-l")
        try tmux.until(contains: "Recruiters 6")
        try quit(tmux)
    }

    /// Presses q and waits for the shell to report exit status 0.
    func quit(_ tmux: Tmux) throws {
        try tmux.keys("q")
        try tmux.until(contains: "EXIT=0")
    }

    /// Starts rapport through `sh -c 'echo $$ > pidfile; exec rapport'` and returns its pid.
    func startWithPID(_ tmux: Tmux, store: String) throws -> pid_t {
        let pidFile = store + "/pid"
        // The Swift runtime's crash reporter is the handler ours chains to on a fatal
        // signal; non-interactive, so it reports and lets the process die.
        try tmux.type("RAPPORT_NOW=\(Self.now) SWIFT_BACKTRACE=interactive=no,output-to=stderr sh -c 'echo $$ > \(pidFile); exec \(Self.binary) --store \(store) 2>\(store)/stderr'; echo EXIT=$?")
        try tmux.until(contains: "Recruiters 6")
        let pid = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return pid_t(pid) ?? 0
    }

    /// Quit signals leave through the normal path (exit 128 + n); fatal ones restore the
    /// terminal and die by the same signal (the shell reports 128 + n as well).
    @Test("SIGTERM, SIGINT, SIGHUP and fatal signals restore the terminal",
          arguments: [SIGTERM, SIGINT, SIGHUP, SIGSEGV, SIGABRT])
    func signals(_ sig: Int32) throws {
        let tmux = try Tmux()
        let store = try Self.makeStore()
        let pid = try startWithPID(tmux, store: store)
        #expect(pid > 0)
        kill(pid, sig)
        try tmux.until(contains: "EXIT=\(128 + sig)")
        if sig == SIGSEGV || sig == SIGABRT {
            // Chained on: whatever handled the signal before us still reports the crash.
            let report = (try? String(contentsOfFile: store + "/stderr", encoding: .utf8)) ?? ""
            #expect(report.contains("Program crashed"), "the crash reporter ran: \(report.prefix(200))")
        }
        #expect(try tmux.display("#{alternate_on}") == "0")
        #expect(!(try tmux.screen()).contains { $0.contains("Recruiters 6") })
        // The terminal is usable again: the shell echoes what is typed.
        try tmux.type("echo still-here")
        try tmux.until(contains: "still-here")
    }

    @Test("closing the pane (SIGHUP) ends the process")
    func hangup() throws {
        let tmux = try Tmux()
        let store = try Self.makeStore()
        let pidFile = store + "/pid"
        try tmux.tmuxRun(["new-window", "-d", "-n", "victim", "sh", "-c",
                          "echo $$ > \(pidFile); RAPPORT_NOW=\(Self.now) exec \(Self.binary) --store \(store)"])
        var pid: pid_t = 0
        for _ in 0..<100 where pid == 0 {
            pid = pid_t((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            usleep(50_000)
        }
        #expect(pid > 0)
        usleep(300_000)
        #expect(kill(pid, 0) == 0)
        try tmux.tmuxRun(["kill-window", "-t", "victim"])
        var gone = false
        for _ in 0..<100 where !gone {
            gone = kill(pid, 0) != 0
            usleep(50_000)
        }
        #expect(gone, "rapport \(pid) still running after its pane was closed")
    }

    @Test("Ctrl-Z suspends to the shell and fg resumes with a full redraw")
    func suspend() throws {
        let tmux = try Tmux()
        try start(tmux, store: try Self.makeStore())
        try tmux.until(contains: "Recruiters 6")
        try tmux.keys("C-z")
        // The shell takes over (and runs the rest of the line: 128 + SIGTSTP).
        try tmux.until("job stopped") { s in s.contains { $0.contains("EXIT=148") } && !s.contains { $0.contains("Recruiters 6") } }
        #expect(try tmux.display("#{alternate_on}") == "0")
        try tmux.type("clear; fg")
        try tmux.until("full redraw after fg") { s in s.contains { $0.contains("Recruiters 6") } && s.contains { $0.contains("Deadlines") } }
        let selected = try tmux.screen().first { $0.hasPrefix("› ") }
        try tmux.keys("j")
        try tmux.until("the app takes keys again") { s in s.first { $0.hasPrefix("› ") } != selected }
        try tmux.keys("q")
        try tmux.until("back at the shell") { s in !s.contains { $0.contains("Recruiters 6") } }
        #expect(try tmux.display("#{alternate_on}") == "0")
    }

    @Test("a deadline due exactly now reads 'due now' in the interface and in `rapport due` alike")
    func dueNowAgrees() throws {
        let dir = try Self.makeStore(empty: true)
        let store = try Store.open(AppPaths(storeDirectory: dir))
        let r = Recruiter(name: "Nowa Due", created: ISO8601.parse("2026-03-01T09:00:00Z")!)
        try store.apply(.batch([.putRecruiter(r),
                                .putFollowUp(FollowUp(recruiterID: r.id, due: ISO8601.parse(Self.now)!, note: "Call back"))]))
        try store.close()
        let cli = try Run.run(Self.binary, ["due", "--store", dir], environment: ["RAPPORT_NOW": Self.now, "PATH": "/usr/bin:/bin"])
        let out = String(decoding: cli.stdout, as: UTF8.self)
        #expect(out.contains("due now"), "rapport due printed: \(out) \(cli.stderr)")
        #expect(!out.contains("due in"))
        let tmux = try Tmux()
        try start(tmux, store: dir)
        try tmux.until(contains: "Deadlines 1")
        try tmux.until(contains: "due now")
        try quit(tmux)
    }

    @Test("an empty store shows the welcome pane")
    func welcome() throws {
        let tmux = try Tmux()
        try start(tmux, store: try Self.makeStore(empty: true))
        try tmux.until(contains: "Welcome to Rapport")
        try tmux.until(contains: "rapport demo")
        try quit(tmux)
    }

    @Test("--color never draws without colour codes; --color always uses them")
    func colours() throws {
        let tmux = try Tmux()
        let store = try Self.makeStore()
        try start(tmux, store: store, extra: "--color never")
        try tmux.until(contains: "Recruiters 6")
        let mono = try tmux.screen(escapes: true).joined(separator: "\n")
        #expect(!sgrParameters(mono).contains { usesColour($0) }, "colour codes in --color never")
        #expect(sgrParameters(mono).contains { $0.contains(7) } && sgrParameters(mono).contains { $0.contains(1) },
                "no reverse and bold in monochrome")
        try quit(tmux)
        try tmux.type("clear")
        try start(tmux, store: store, extra: "--color always")
        try tmux.until(contains: "Recruiters 6")
        #expect(!sgrParameters(try tmux.screen(escapes: true).joined()).isEmpty)
        let colour = try tmux.screen(escapes: true).joined(separator: "\n")
        #expect(sgrParameters(colour).contains { usesColour($0) }, "no colour codes in --color always")
        try quit(tmux)
    }

    @Test("stdout piped, TERM=dumb or unknown: one line on stderr, exit 2, no escape bytes")
    func notATerminal() throws {
        let tmux = try Tmux()
        let store = try Self.makeStore()
        let out = store + "/out"
        try tmux.type("\(Self.binary) --store \(store) | cat > \(out); echo PIPE=${PIPESTATUS[0]}")
        try tmux.until(contains: "PIPE=2")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(bytes.isEmpty)
        try tmux.until(contains: "rapport: not a terminal; use `rapport list` / `rapport due` for scripts")
        try tmux.type("clear; TERM=dumb \(Self.binary) --store \(store); echo DUMB=$?")
        try tmux.until(contains: "DUMB=2")
        try tmux.type("clear; TERM=xterm-unknown \(Self.binary) --store \(store); echo UNKNOWN=$?")
        try tmux.until(contains: "UNKNOWN=2")
        // The unknown TERM is named, not reported as "not a terminal".
        #expect((try tmux.screen()).joined(separator: "").contains("TERM=xterm-unknown is not a terminal type this system knows"))
        try tmux.type("clear; env -u TERM \(Self.binary) --store \(store); echo UNSET=$?")
        try tmux.until(contains: "UNSET=2")
        #expect((try tmux.screen()).contains { $0.contains("rapport: not a terminal") })
    }

    @Test("`rapport | cat` without any terminal exits 2 with nothing on stdout")
    func noTTYAtAll() throws {
        let store = try Self.makeStore()
        for args in [["--store", store], ["tui", "--store", store], ["--store", store, "tui", "--color", "always"]] {
            let r = try Run.run(Self.binary, args, environment: ["TERM": "xterm-256color", "PATH": "/usr/bin:/bin"])
            #expect(r.status == 2)
            #expect(r.stdout.isEmpty)
            #expect(r.stderr == "rapport: not a terminal; use `rapport list` / `rapport due` for scripts\n")
        }
        let bad = try Run.run(Self.binary, ["--color", "sometimes"], environment: ["TERM": "xterm"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--color must be always, never or auto"))
    }
}

/// Display width of what tmux shows (wide CJK and emoji count two).
func displayWidth(_ s: Substring) -> Int {
    s.reduce(0) { acc, c in
        let v = c.unicodeScalars.first!.value
        let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || (0x1F000...0x1FAFF).contains(v)
        return acc + (wide ? 2 : 1)
    }
}

/// The parameter lists of the SGR sequences (ESC [ … m) in captured text.
func sgrParameters(_ text: String) -> [[Int]] {
    var out: [[Int]] = []
    var rest = Substring(text)
    while let start = rest.range(of: "\u{1B}[") {
        rest = rest[start.upperBound...]
        guard let end = rest.firstIndex(where: { !($0.isNumber || $0 == ";") }) else { break }
        if rest[end] == "m" { out.append(rest[..<end].split(separator: ";").compactMap { Int($0) }) }
        rest = rest[end...]
    }
    return out
}

/// True when an SGR parameter list sets a foreground or background colour (39/49,
/// the defaults, do not count).
func usesColour(_ params: [Int]) -> Bool {
    params.contains { (30...37).contains($0) || (40...47).contains($0) || (90...97).contains($0)
        || (100...107).contains($0) || $0 == 38 || $0 == 48 }
}
