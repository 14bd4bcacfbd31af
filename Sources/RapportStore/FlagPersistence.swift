import Foundation
import RapportCore

// Flags are persisted on each recruiter when the snapshot is written, so other tools
// reading store.json see them. `Rules.persistedFlags(previous:current:now:)` is being
// written in RapportCore in parallel; until it lands this file carries a private minimal
// version with the same contract. When it lands, delete `persistedFlagsFallback` and call
// `Rules.persistedFlags` below.

/// Flags still up keep the moment they were first seen; new ones start at `now`;
/// flags no longer up are dropped. Sorted most important first.
private func persistedFlagsFallback(previous: [FlagRecord], current: [Flag], now: Date) -> [FlagRecord] {
    var since: [Flag: Date] = [:]
    for r in previous { since[r.flag] = min(since[r.flag] ?? r.since, r.since) }
    return Set(current).sorted().map { FlagRecord(flag: $0, since: since[$0] ?? now) }
}

extension Database {
    /// The database with every recruiter's `flags` set from the rules at `now`.
    func withPersistedFlags(now: Date, policy: Policy) -> Database {
        var changes: [Change] = []
        for (id, r) in recruiters {
            let current = Rules.status(of: id, in: self, now: now, policy: policy).flags
            let flags = persistedFlagsFallback(previous: r.flags, current: current, now: now)
            if flags != r.flags {
                var copy = r
                copy.flags = flags
                changes.append(.putRecruiter(copy))
            }
        }
        guard !changes.isEmpty else { return self }
        var db = self
        for c in changes { try? db.apply(c) }
        return db
    }
}
