import Foundation
import Synchronization
import RapportCore
import RapportStore
import RapportTUI

/// A sync running on its own thread: the loop polls `outcome` every turn, so the screen
/// stays responsive while git fetches and pushes.
final class SyncJob: Sendable {
    let outcome = Mutex<SyncOutcome?>(nil)
}

extension LivePorts {
    /// Runs what `rapport sync` runs, on a thread of its own with a store of its own (the
    /// store's lock orders it with this process's writes, as with another process).
    mutating func startSync() -> String? {
        if syncJob != nil { return "a sync is already running" }
        guard SyncPaths(store.paths).enabled else {
            return "sync is not set up: run rapport sync init REMOTE (see docs/sync.md)"
        }
        let job = SyncJob()
        syncJob = job
        let paths = store.paths, policy = store.policy, clock = store.clock
        let environment = environment, settings = syncSettings
        let thread = Thread {
            let outcome: SyncOutcome
            do {
                let own = try Store.open(paths, policy: policy, clock: clock)
                defer { try? own.close() }
                let report = try SyncEngine(store: own, environment: environment, settings: settings).sync()
                if let e = report.publishError {
                    outcome = .failed(report.summary + "; merged, but not published (\(e)): Y tries again")
                } else {
                    outcome = .done(report.summary)
                }
            } catch {
                outcome = .failed("\(error)")
            }
            job.outcome.withLock { $0 = outcome }
        }
        thread.name = "rapport sync"
        thread.start()
        return nil
    }

    mutating func finishedSync() -> SyncOutcome? {
        guard let job = syncJob, let outcome = job.outcome.withLock({ $0 }) else { return nil }
        syncJob = nil
        return outcome
    }

    func syncSummary() -> SyncSummary? { SyncEngine.summary(store.paths) }

    func acknowledgeConflicts(of recruiter: UUID) throws {
        try SyncEngine.acknowledge(store.paths, recruiter: recruiter)
    }
}
