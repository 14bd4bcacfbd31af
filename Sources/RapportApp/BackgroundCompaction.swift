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
    private enum Phase { case idle, running(DispatchSemaphore), done(String?, Store.FileState?) }
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
            case .running, .done(.some, _): return false  // a failure is reported (takeProblem) first
            case .idle, .done(.none, _): p = .running(signal)
            }
            return true
        }
        guard start else { return false }
        let paths = store.paths, policy = store.policy, clock = store.clock
        let threshold = store.compactionThreshold
        let thread = Thread { [self] in
            var problem: String?
            var state: Store.FileState?
            do {
                let own = try Store.open(paths, policy: policy, clock: clock, compactionThreshold: threshold)
                try own.compact()
                state = own.fileState
                try own.close(compact: false)
            } catch {
                problem = "automatic compaction failed (\(error)); nothing is lost: the changes stay in \(paths.journal)"
            }
            phase.withLock { $0 = .done(problem, state) }
            signal.signal()
        }
        thread.name = "rapport compaction"
        thread.start()
        return true
    }

    /// The problem of a compaction that ended since the last call (nil: none ended, or it
    /// went well). Never waits.
    public func takeProblem() -> String? { take().problem }

    /// What a compaction that ended since the last call reported: its failure, or the
    /// files as it left them (for the interface's store to adopt). Never waits.
    public func take() -> (problem: String?, state: Store.FileState?) {
        phase.withLock { p -> (String?, Store.FileState?) in
            guard case .done(let problem, let state) = p else { return (nil, nil) }
            p = .idle
            return (problem, state)
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
        self.store = store
        self.origin = origin
        self.compaction = compaction
    }

    public var notices: [String] { store.notices + compactionNotices }

    /// Picks up other processes' changes. After this session's own background compaction
    /// the store adopts the files it left (same data), so nothing is reloaded on this thread.
    public mutating func refresh() throws -> Bool {
        let (problem, state) = compaction.take()
        if let problem { compactionNotices.append(problem) }
        if let state { try store.adopt(state) }
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
