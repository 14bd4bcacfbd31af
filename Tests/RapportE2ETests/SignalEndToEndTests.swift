import Foundation
import Testing

/// Every signal whose default action ends the process, sent to the interface in tmux:
/// the pane comes back usable (alternate screen left, `stty -a` shows icrnl and echo,
/// cursor on), and the process died by that signal; SIGQUIT quits cleanly like SIGTERM.
@Suite(.enabled(if: Tmux.available), .serialized)
struct SignalEndToEndTests {
    static let terminating: [Int32] = [SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGPOLL, SIGPWR, __libc_current_sigrtmin() + 2]

    /// The stty query: which of icrnl, echo, icanon are on, between markers the shell
    /// computes (so the typed line itself never matches).
    static let modesQuery = "echo MODES: $(stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icrnl|echo|icanon)$' | tr '\\n' ' ') END-$((6*7))"

    /// Starts rapport as a child of a non-interactive `sh`, which prints its exit status
    /// and the terminal modes as rapport left them: an interactive shell would restore
    /// its own modes after a job killed by a signal and hide what rapport did.
    func start(_ tmux: Tmux) throws -> (pid: pid_t, store: String) {
        let store = try TUIEndToEndTests.makeStore()
        try tmux.type("RAPPORT_NOW=\(TUIEndToEndTests.now) sh -c '\(TUIEndToEndTests.binary) --store \(store) 2>\(store)/stderr; echo EXIT=$?; \(Self.modesQuery.replacingOccurrences(of: "'", with: "'\\''"))'")
        try tmux.until(contains: "Recruiters 6")
        return (try Self.pid(of: store), store)
    }

    /// The pid of the rapport process whose command line names `store`.
    static func pid(of store: String) throws -> pid_t {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry),
                  let cmd = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let args = cmd.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if args.first?.hasSuffix("/rapport") == true, args.contains(store) { return pid }
        }
        throw E2EError("no rapport process for \(store)")
    }

    /// The pane is the shell again and the tty is back in cooked mode.
    func expectRestored(_ tmux: Tmux, after sig: Int32) throws {
        let screen = try tmux.until("stty's answer") { $0.contains { $0.hasPrefix("MODES:") && $0.contains("END-42") } }
        #expect(try tmux.display("#{alternate_on}") == "0", "signal \(sig): still in the alternate screen")
        #expect(try tmux.display("#{cursor_flag}") == "1", "signal \(sig): cursor hidden")
        #expect(try tmux.display("#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}") == "000", "signal \(sig): mouse still on")
        let line = (screen.last { $0.hasPrefix("MODES:") } ?? "") + " "
        #expect(line.contains(" icrnl ") && !line.contains("-icrnl"), "signal \(sig): \(line)")
        #expect(line.contains(" echo ") && !line.contains("-echo "), "signal \(sig): \(line)")
        #expect(line.contains(" icanon ") && !line.contains("-icanon"), "signal \(sig): \(line)")
    }

    @Test("each terminating signal restores the terminal, then kills by that signal", arguments: terminating)
    func terminatingSignal(_ sig: Int32) throws {
        let tmux = try Tmux()
        let (pid, _) = try start(tmux)
        kill(pid, sig)
        try tmux.until(contains: "EXIT=\(128 + sig)")
        try expectRestored(tmux, after: sig)
    }

    @Test("SIGQUIT quits like SIGTERM: clean exit, no backtrace over the interface")
    func quitSignal() throws {
        let tmux = try Tmux()
        let (pid, store) = try start(tmux)
        kill(pid, SIGQUIT)
        try tmux.until(contains: "EXIT=\(128 + SIGQUIT)")
        try expectRestored(tmux, after: SIGQUIT)
        let stderr = (try? String(contentsOfFile: store + "/stderr", encoding: .utf8)) ?? ""
        #expect(!stderr.contains("Backtrace") && !stderr.contains("crashed"), "\(stderr.prefix(300))")
    }

    @Test("SIGPIPE is ignored by the interface")
    func pipeSignal() throws {
        let tmux = try Tmux()
        let (pid, _) = try start(tmux)
        kill(pid, SIGPIPE)
        usleep(300_000)
        #expect(kill(pid, 0) == 0, "still running after SIGPIPE")
        try tmux.keys("q")
        try tmux.until(contains: "EXIT=0")
        try expectRestored(tmux, after: SIGPIPE)
    }
}
