import Glibc

/// The scheduling of a thread that works beside an interface (the TUI's background
/// compaction): it gives way to the interface's thread whenever that one wakes.
///
/// Measured (docs/benchmarks.md, eighth pass): on two cores, the interface's thread,
/// woken by the lock's release or its own fsync, waited 2 – 4 ms for the core the
/// compaction ran on while the other core stood idle. As `SCHED_BATCH` the compaction is
/// treated as the CPU-bound work it is: it keeps its full share of the CPU (nothing is
/// starved, a quit that waits for it is not slowed), but a waking thread is not kept
/// waiting behind it.
public enum BackgroundThread {
    /// Linux's SCHED_BATCH (<sched.h> with _GNU_SOURCE; not in Swift's Glibc module).
    static let schedBatch: Int32 = 3

    /// Runs `work` with the calling thread as `SCHED_BATCH`, then puts its policy back.
    /// Best effort: where the policy cannot be set, `work` runs as it is.
    public static func run<T>(_ work: () throws -> T) rethrows -> T {
        let before = sched_getscheduler(0)
        var param = sched_param()
        _ = sched_getparam(0, &param)
        var batch = sched_param()
        let changed = before >= 0 && before != schedBatch && sched_setscheduler(0, schedBatch, &batch) == 0
        defer { if changed { _ = sched_setscheduler(0, before, &param) } }
        return try work()
    }
}
