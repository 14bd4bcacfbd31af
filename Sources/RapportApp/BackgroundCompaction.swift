import Foundation
import Synchronization
import RapportCore
import RapportStore

/// Compaction off the interface's thread: once the TUI's store passes its threshold, a
/// thread of its own opens a store of its own and compacts it. The store lock orders it
/// with this process's writes as with another process's; `Store.compact` holds it only
/// for its brief steps (not while the JSON is encoded and written), so a change made
/// meanwhile is appended at once and kept in the journal after the compaction; the TUI's
/// store picks the new snapshot up at its next `refresh`.
public final class BackgroundCompaction: Sendable {
    private enum Phase { case idle, running(DispatchSemaphore), done(String?) }
    /// What the last compaction left, for the interface's store to adopt (`Store.adoptable`).
    private let handoff = Mutex<Store.FileState?>(nil)
    private let phase = Mutex<Phase>(.idle)

    public init() {}

    /// True while a compaction runs.
    public var isRunning: Bool { phase.withLock { if case .running = $0 { true } else { false } } }

    /// Starts a compaction when `store` needs one and none runs. Returns whether it started.
    @discardableResult
    public func startIfNeeded(_ store: Store) -> Bool {
        guard store.needsCompaction else { return false }
        let signal = DispatchSemaphore(value: 0)
        let start = phase.withLock { p -> Bool in
            switch p {
            case .running, .done(.some): return false  // a failure is reported (takeProblem) first
            case .idle, .done(.none): p = .running(signal)
            }
            return true
        }
        guard start else { return false }
        let paths = store.paths
        // A fork of the interface's store (its data as it is now, nothing read again) goes
        // to the thread, which alone uses it from then on.
        let own: Handover
        do { own = Handover(store: try store.forked()) } catch {
            phase.withLock { $0 = .done("automatic compaction failed (\(error)); nothing is lost: the changes stay in \(paths.journal)") }
            signal.signal()
            return false
        }
        let thread = Thread { [self] in
            var problem: String?
            do {
                // Handed over while the lock is still held, so the interface's store finds
                // it whenever it next sees the new snapshot.
                own.store.onCompacted = { state in self.handoff.withLock { $0 = state } }
                try own.store.compactInBackground()
                try own.store.close(compact: false, updateCache: false)
            } catch {
                problem = "automatic compaction failed (\(error)); nothing is lost: the changes stay in \(paths.journal)"
            }
            phase.withLock { $0 = .done(problem) }
            signal.signal()
        }
        thread.name = "rapport compaction"
        thread.start()
        return true
    }

    /// The problem of a compaction that ended since the last call (nil: none ended, or it
    /// went well). Never waits.
    public func takeProblem() -> String? {
        phase.withLock { p -> String? in
            guard case .done(let problem) = p else { return nil }
            p = .idle
            return problem
        }
    }

    /// The files the last compaction left (once): what the interface's store adopts
    /// instead of reloading the data it already has.
    public func takeHandoff() -> Store.FileState? {
        handoff.withLock { h in
            defer { h = nil }
            return h
        }
    }

    /// Waits for a running compaction to end (the TUI's quit, tests).
    public func wait() {
        guard let signal = phase.withLock({ p -> DispatchSemaphore? in
            if case .running(let s) = p { return s } else { return nil }
        }) else { return }
        signal.wait()
        signal.signal()  // for any other waiter
    }
}

/// A store passed to the compaction's thread at its start and never used by the thread
/// that made it again (`Store.forked`): one owner at a time.
private struct Handover: @unchecked Sendable {
    let store: Store
}

/// The interface's side of the store: its changes (with this session's origin), undo and
/// redo, refresh and notices, with compaction past the threshold on a thread of its own.
/// `LivePorts` is this plus the terminal.
@MainActor
public struct StoreSession {
    public let store: Store
    public let origin: Origin
    public let compaction: BackgroundCompaction
    /// What the background compaction reported (a failure), shown with the store's notices.
    public private(set) var compactionNotices: [String] = []

    public init(store: Store, origin: Origin, compaction: BackgroundCompaction = BackgroundCompaction()) {
        store.compactsInline = false
        store.adoptable = { [compaction] in compaction.takeHandoff() }
        self.store = store
        self.origin = origin
        self.compaction = compaction
    }

    public var notices: [String] { store.notices + compactionNotices }

    /// Picks up other processes' changes. After this session's own background compaction
    /// the store adopts the files it left (`Store.adoptable`), so nothing is reloaded on
    /// this thread.
    public mutating func refresh() throws -> Bool {
        let problem = compaction.takeProblem()
        if let problem { compactionNotices.append(problem) }
        return try store.refresh() || problem != nil
    }

    @discardableResult
    public func apply(label: String, _ build: (Database) throws -> Change) throws -> Applied {
        defer { compaction.startIfNeeded(store) }
        return try store.apply(origin: origin, label: label, build)
    }

    public func undo() throws -> String? {
        defer { compaction.startIfNeeded(store) }
        return try store.undoLatest(of: origin)?.label
    }

    public func redo() throws -> String? {
        defer { compaction.startIfNeeded(store) }
        return try store.redoLatest(of: origin)?.label
    }
}
