import Foundation
import RapportCore

// Flags are persisted on each recruiter when the snapshot is written, so other tools
// reading store.json see them (docs/store-format.md).

extension Database {
    /// The database with every recruiter's `flags` set from the rules at `now`; flags
    /// that stay up keep the moment they were first seen (`Rules.persistedFlags`).
    func withPersistedFlags(now: Date, policy: Policy) -> Database {
        var changes: [Change] = []
        for (id, flags) in Rules.persistedFlags(in: self, now: now, policy: policy) {
            guard var r = recruiters[id], r.flags != flags else { continue }
            r.flags = flags
            changes.append(.putRecruiter(r))
        }
        guard !changes.isEmpty else { return self }
        var db = self
        for c in changes { try? db.apply(c) }
        return db
    }
}
