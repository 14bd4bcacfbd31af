import Glibc
import Foundation

/// A test hook: `RAPPORT_FAULT_INJECT=OP:N:ERRNO` makes the N-th call (1-based) of OP
/// (`open`, `write`, `fsync`, `rename` or `truncate`) through the store's syscall layer
/// fail with ERRNO (`ENOSPC` or `EIO`), so tests can fail the real binary at every
/// step of a command. Unset (the normal case), the store uses the plain system calls.
public final class FaultPlan: @unchecked Sendable {
    public enum Op: String, CaseIterable, Sendable { case open, write, fsync, rename, truncate }

    public static let environmentKey = "RAPPORT_FAULT_INJECT"

    let op: Op
    let nth: Int
    let code: Int32
    private let lock = NSLock()
    private var calls = 0

    init(op: Op, nth: Int, code: Int32) {
        self.op = op
        self.nth = nth
        self.code = code
    }

    /// Parses `OP:N:ERRNO`; nil when malformed.
    public static func parse(_ text: String) -> FaultPlan? {
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 3, let op = Op(rawValue: parts[0]), let n = Int(parts[1]), n >= 1 else { return nil }
        let code: Int32
        switch parts[2].uppercased() {
        case "ENOSPC": code = ENOSPC
        case "EIO": code = EIO
        case "EDQUOT": code = EDQUOT
        default: return nil
        }
        return FaultPlan(op: op, nth: n, code: code)
    }

    /// True (with errno set) when this call is the one to fail.
    func fails(_ o: Op) -> Bool {
        guard o == op else { return false }
        let hit: Bool = lock.withLock {
            calls += 1
            return calls == nth
        }
        if hit { errno = code }
        return hit
    }

    public var fileSystem: FileSystem {
        let sys = FileSystem.system
        return FileSystem(
            open: { path, flags, mode in self.fails(.open) ? -1 : sys.open(path, flags, mode) },
            write: { fd, bytes in self.fails(.write) ? -1 : sys.write(fd, bytes) },
            fsync: { fd in self.fails(.fsync) ? -1 : sys.fsync(fd) },
            rename: { from, to in self.fails(.rename) ? -1 : sys.rename(from, to) },
            ftruncate: { fd, length in self.fails(.truncate) ? -1 : sys.ftruncate(fd, length) })
    }
}

extension FileSystem {
    /// The system calls, or the fault plan `RAPPORT_FAULT_INJECT` describes (tests only).
    public static func from(environment: [String: String]) -> FileSystem {
        guard let text = environment[FaultPlan.environmentKey], let plan = FaultPlan.parse(text) else { return .system }
        return plan.fileSystem
    }
}
