import Foundation
import RapportCore

// Persisted flags live in the snapshot's `flags` table, keyed by recruiter id, beside the
// records (docs/store-format.md): each compaction rewrites the table from the rules at
// that moment without touching a recruiter, so an undo that compares records never sees
// a compaction as a change made elsewhere.

extension Database {
    /// Every recruiter's flags at `now`; flags that stay up keep the moment they were first
    /// seen in `previous` (`Rules.persistedFlags`). Recruiters without flags are left out.
    func persistedFlags(previous: [UUID: [FlagRecord]], now: Date, policy: Policy) -> [UUID: [FlagRecord]] {
        var out: [UUID: [FlagRecord]] = [:]
        for (id, status) in Rules.evaluate(self, now: now, policy: policy) where !status.flags.isEmpty {
            out[id] = Rules.persistedFlags(previous: previous[id] ?? [], current: status.flags, now: now)
        }
        return out
    }
}
