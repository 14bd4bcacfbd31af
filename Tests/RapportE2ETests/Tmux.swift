import Foundation
import Testing

/// Runs a program and collects its output (stdin from /dev/null: not a terminal).
///
/// posix_spawn with a clean signal mask and default handlers, and files rather than
/// pipes: the tmux server that `new-session` forks inherits both, and must be killable
/// and must not hold a pipe open.
struct Run {
    var status: Int32
    var stdout: Data
    var stderr: String

    static func run(_ path: String, _ args: [String], environment: [String: String]? = nil) throws -> Run {
        let dir = FileManager.default.temporaryDirectory
        let outPath = dir.appendingPathComponent("run-\(UUID().uuidString).out").path
        let errPath = dir.appendingPathComponent("run-\(UUID().uuidString).err").path
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([path] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, envp)
        guard rc == 0 else { throw E2EError("cannot run \(path): error \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let o = FileManager.default.contents(atPath: outPath) ?? Data()
        let e = FileManager.default.contents(atPath: errPath) ?? Data()
        return Run(status: code, stdout: o, stderr: String(decoding: e, as: UTF8.self))
    }
}

/// A tmux server of its own (unique socket) with one window running a plain shell,
/// in the style of fzf's test/lib/common.rb: send keys, poll `capture-pane` until a
/// line appears, print the last screen when it does not.
final class Tmux {
    static var available: Bool { which("tmux") != nil }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    let socket = "rapport-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
    let tmux: String

    init(width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        tmux = Tmux.which("tmux")!
        var args = ["-f", "/dev/null", "new-session", "-d", "-x", "\(width)", "-y", "\(height)"]
        let env = ["LANG": "C.UTF-8", "PS1": "$ ", "HOME": NSTemporaryDirectory()].merging(environment) { $1 }
        for (k, v) in env.sorted(by: { $0.key < $1.key }) { args += ["-e", "\(k)=\(v)"] }
        args += ["env", "-u", "NO_COLOR", "bash", "--norc", "--noprofile"]
        try tmuxRun(args)
        try tmuxRun(["set-option", "-g", "remain-on-exit", "on"])
        _ = try until("shell prompt") { $0.contains { $0.hasPrefix("$") } }
    }

    deinit { _ = try? tmuxRun(["kill-server"]) }

    @discardableResult
    func tmuxRun(_ args: [String]) throws -> String {
        let r = try Run.run(tmux, ["-L", socket] + args)
        if r.status != 0 { throw E2EError("tmux \(args.joined(separator: " ")) failed: \(r.stderr)") }
        return String(decoding: r.stdout, as: UTF8.self)
    }

    /// Types a shell command line and presses Enter.
    func type(_ line: String) throws {
        try tmuxRun(["send-keys", "-l", line])
        try tmuxRun(["send-keys", "Enter"])
    }

    /// Sends tmux key names ("j", "Tab", "BTab", "C-l", "Escape").
    func keys(_ names: String...) throws { try tmuxRun(["send-keys"] + names) }

    /// A mouse event typed into the pane in the X10 encoding ncurses asked tmux for
    /// (ESC [ M, then 32 + button, 33 + column, 33 + row).
    func mouse(button: Int, x: Int, y: Int) throws {
        let bytes = [0x1B, 0x5B, 0x4D, 32 + button, 33 + x, 33 + y].map { Character(Unicode.Scalar(UInt8($0))) }
        try tmuxRun(["send-keys", "-l", String(bytes)])
    }

    /// Press and release of the left button: a click.
    func click(x: Int, y: Int) throws {
        try mouse(button: 0, x: x, y: y)
        try mouse(button: 3, x: x, y: y)
    }

    func screen(escapes: Bool = false) throws -> [String] {
        try tmuxRun(["capture-pane", "-p"] + (escapes ? ["-e"] : [])).components(separatedBy: "\n")
    }

    func display(_ format: String) throws -> String {
        try tmuxRun(["display-message", "-p", format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func resize(_ w: Int, _ h: Int) throws { try tmuxRun(["resize-window", "-x", "\(w)", "-y", "\(h)"]) }

    /// Polls the screen until `condition` holds (timeout 10 s). On timeout the test
    /// fails with the last screen printed.
    @discardableResult
    func until(_ what: String, timeout: TimeInterval = 10, sourceLocation: SourceLocation = #_sourceLocation,
               _ condition: ([String]) -> Bool) throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [String] = []
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            usleep(50_000)
        }
        let shown = last.enumerated().map { String(format: "%2d|", $0.offset) + $0.element }.joined(separator: "\n")
        Issue.record(Comment(rawValue: "timed out waiting for \(what); last screen:\n\(shown)"), sourceLocation: sourceLocation)
        throw E2EError("timed out waiting for \(what)")
    }

    /// Waits until some line contains `text`.
    @discardableResult
    func until(contains text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        try until("'\(text)'", sourceLocation: sourceLocation) { $0.contains { $0.contains(text) } }
    }
}

struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
