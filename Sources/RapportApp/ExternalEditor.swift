import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `$VISUAL` / `$EDITOR` on a draft: the text goes into a new temp file (0600,
/// O_EXCL|O_NOFOLLOW, in $TMPDIR), the editor runs through `/bin/sh -c` (so
/// `EDITOR="code -w"` works) with the terminal handed over, and the file is read back.
/// Nil when no editor is set, it cannot start, exits non-zero, or the file is unreadable:
/// the caller falls back to the inline editor.
enum ExternalEditor {
    static func command(environment: [String: String]) -> String? {
        for key in ["VISUAL", "EDITOR"] {
            if let v = environment[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty { return v }
        }
        return nil
    }

    static func edit(_ text: String, environment: [String: String], run: (() -> String?) -> String?) -> String? {
        guard let editor = command(environment: environment) else { return nil }
        let dir = environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        let path = (dir as NSString).appendingPathComponent("rapport-draft-\(UUID().uuidString).txt")
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        defer { unlink(path) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { return nil }
        return run {
            guard spawnAndWait(["/bin/sh", "-c", editor + " \"$1\"", "sh", path], environment: environment) == 0,
                  let data = FileManager.default.contents(atPath: path) else { return nil }
            var s = String(decoding: data, as: UTF8.self)
            while s.hasSuffix("\n") { s.removeLast() }
            return s
        }
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
