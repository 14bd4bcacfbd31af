import Foundation
import RapportTUI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `$VISUAL` / `$EDITOR` on a draft: the text goes into a new temp file (0600,
/// O_EXCL|O_NOFOLLOW, in $TMPDIR) ending in a newline, the editor runs through `/bin/sh -c`
/// (so `EDITOR="code -w"` works) with the terminal handed over, and the file is read back
/// without the whitespace and newlines at its end. When no editor is set the answer is
/// `.noEditor`; when it cannot start, exits non-zero or the file cannot be read back, it is
/// `.failed` with one line saying which variable, what it named and why (the caller keeps
/// the draft as it was).
enum ExternalEditor {
    /// The variable that names the editor and its value: `VISUAL`, else `EDITOR`.
    static func variable(environment: [String: String]) -> (name: String, command: String)? {
        for key in ["VISUAL", "EDITOR"] {
            if let v = environment[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty { return (key, v) }
        }
        return nil
    }

    static func command(environment: [String: String]) -> String? { variable(environment: environment)?.command }

    static func edit(_ text: String, environment: [String: String], run: (() -> EditorResult) -> EditorResult) -> EditorResult {
        guard let named = variable(environment: environment) else { return .noEditor }
        let (name, editor) = named
        // A long command is shortened from the left, so the line still fits the status bar.
        let shown = editor.count > 40 ? "…" + editor.suffix(39) : editor
        func failed(_ why: String) -> EditorResult { .failed("$\(name) (\(shown)) \(why)") }
        // A program named by a path that is not there fails before the screen is handed over.
        if let program = editor.split(separator: " ").first.map(String.init), program.contains("/"),
           !program.hasPrefix("~"), !program.contains(where: { "\"'\\$`".contains($0) }),
           !FileManager.default.isExecutableFile(atPath: program) {
            return failed(FileManager.default.fileExists(atPath: program) ? "is not executable" : "was not found")
        }
        let dir = environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        let path = (dir as NSString).appendingPathComponent("rapport-draft-\(UUID().uuidString).txt")
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .failed("cannot create a file for $\(name) in \(dir): \(String(cString: strerror(errno)))") }
        defer { unlink(path) }
        let bytes = Array(fileText(text).utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { return .failed("cannot write a file for $\(name) in \(dir)") }
        return run {
            let status = spawnAndWait(["/bin/sh", "-c", editor + " \"$1\"", "sh", path], environment: environment)
            switch status {
            case 0: break
            case 127: return failed("was not found (exit 127)")
            case 126: return failed("could not run (exit 126)")
            case -1: return failed("was interrupted or could not start")
            default: return failed("exited with status \(status)")
            }
            guard let data = FileManager.default.contents(atPath: path) else { return failed("left no file to read back") }
            return .edited(readBack(String(decoding: data, as: UTF8.self)))
        }
    }

    /// The file handed to the editor: the text with a final newline, as editors expect.
    static func fileText(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }

    /// The edited file as a draft: without the spaces, tabs and newlines at its end (the
    /// editor's final newline, blank lines left below the text).
    static func readBack(_ s: String) -> String {
        var s = Substring(s)
        while let last = s.last, last == "\n" || last == "\r\n" || last == " " || last == "\t" || last == "\r" { s.removeLast() }
        return String(s)
    }

    /// posix_spawn with default signal handling and an empty mask; returns the exit
    /// status, or -1 when it could not start, was killed, or could not be waited for.
    /// The caller (`Terminal.suspended`) ignores SIGINT/SIGQUIT meanwhile.
    static func spawnAndWait(_ argv: [String], environment: [String: String]) -> Int32 {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let args = argv.map { strdup($0) } + [nil]
        let env = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            args.forEach { free($0) }
            env.forEach { free($0) }
        }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], nil, &attr, args, env) == 0 else { return -1 }
        var status: Int32 = -1
        while waitpid(pid, &status, 0) == -1 {
            // Only an interrupted wait is retried; any other failure is a failure.
            guard errno == EINTR else { return -1 }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}
