import Foundation

extension SyncMerge {
    /// The change that turns `current` into `target`, keeping `current`'s derived data
    /// (each recruiter's flags, computed on this device). Nil when they already agree.
    public static func diff(from current: Database, to target: Database) -> Change? {
        var removes: [Change] = [], puts: [Change] = [], childPuts: [Change] = []
        for id in current.recruiters.keys.sorted(by: uuidLess) where target.recruiters[id] == nil {
            removes.append(.removeRecruiter(id))
        }
        for id in target.recruiters.keys.sorted(by: uuidLess) {
            guard var r = target.recruiters[id] else { continue }
            guard let old = current.recruiters[id] else {
                if let rec = target.record(of: id) { puts.append(.restoreRecruiter(rec)) }
                continue
            }
            r.flags = old.flags
            if r != old { puts.append(.putRecruiter(r)) }
            let oldThread = Dictionary(uniqueKeysWithValues: current.thread(id).map { ($0.id, $0) })
            let newThread = target.thread(id)
            let newIDs = Set(newThread.map(\.id))
            for m in current.thread(id) where !newIDs.contains(m.id) { removes.insert(.removeMessage(m.id), at: 0) }
            for m in newThread where oldThread[m.id] != m { childPuts.append(.putMessage(m)) }
            func owned<T: Equatable & Identifiable>(_ old: [T], _ new: [T], remove: (UUID) -> Change, put: (T) -> Change) where T.ID == UUID {
                let o = Dictionary(uniqueKeysWithValues: old.map { ($0.id, $0) })
                let ids = Set(new.map(\.id))
                for x in old where !ids.contains(x.id) { removes.insert(remove(x.id), at: 0) }
                for x in new where o[x.id] != x { childPuts.append(put(x)) }
            }
            owned(current.opportunities(of: id), target.opportunities(of: id), remove: Change.removeOpportunity, put: Change.putOpportunity)
            owned(current.followUps(of: id), target.followUps(of: id), remove: Change.removeFollowUp, put: Change.putFollowUp)
            owned(current.expectations(of: id), target.expectations(of: id), remove: Change.removeExpectation, put: Change.putExpectation)
        }
        let all = removes + puts + childPuts
        return all.isEmpty ? nil : .batch(all)
    }
}
