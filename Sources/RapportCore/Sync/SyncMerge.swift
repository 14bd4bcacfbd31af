import Foundation

/// The merged state of every device's operations: the database, and what a later
/// operation needs to be merged correctly (who last wrote each field, what was deleted
/// by whom), the conflicts found so far, and which operations it includes.
///
/// `SyncMerge.merge` folds operations into it in one total order (clock stamp, then
/// device and number), so the same set of operations gives the same state whatever order
/// they arrived in.
public struct MergeState: Sendable, Equatable {
    public var database = Database()
    /// Per record id (recruiter, message, …), per register, the last write.
    public var writers: [UUID: [String: WriteID]] = [:]
    /// Recruiters deleted, with everything they owned and the delete's write.
    public var graveyard: [UUID: Grave] = [:]
    /// Owned records (messages, follow-ups, …) deleted, and the delete's write.
    public var childGraves: [UUID: ChildGrave] = [:]
    public var conflicts: [SyncConflict] = []
    /// Operations with a stamp at or before this are already in the state.
    public var cut: HLC?
    /// Per device, how many of its operations the state includes.
    public var included: [String: Int] = [:]

    public struct Grave: Codable, Sendable, Equatable {
        public var record: RecruiterRecord
        public var remover: WriteID
    }

    public struct ChildGrave: Codable, Sendable, Equatable {
        public var recruiter: UUID
        public var kind: String
        public var remover: WriteID
    }

    public init(database: Database = Database()) {
        self.database = database
    }
}

extension MergeState: Codable {
    enum CodingKeys: String, CodingKey {
        case records, writers, graveyard, childGraves, conflicts, cut, included
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let records = try c.decode([RecruiterRecord].self, forKey: .records)
        var db = Database()
        for r in records { try db.apply(.restoreRecruiter(r)) }
        database = db
        writers = try c.decode([UUID: [String: WriteID]].self, forKey: .writers)
        graveyard = try c.decode([UUID: Grave].self, forKey: .graveyard)
        childGraves = try c.decode([UUID: ChildGrave].self, forKey: .childGraves)
        conflicts = try c.decode([SyncConflict].self, forKey: .conflicts)
        cut = try c.decodeIfPresent(HLC.self, forKey: .cut)
        included = try c.decode([String: Int].self, forKey: .included)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let ids = database.recruiters.keys.sorted(by: uuidLess)
        try c.encode(ids.compactMap { database.record(of: $0) }, forKey: .records)
        try c.encode(writers, forKey: .writers)
        try c.encode(graveyard, forKey: .graveyard)
        try c.encode(childGraves, forKey: .childGraves)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encodeIfPresent(cut, forKey: .cut)
        try c.encode(included, forKey: .included)
    }
}

public enum SyncMerge {
    /// The one order operations are folded in: clock stamp (which includes the device),
    /// then number. Ties beyond that only come from a log holding one number twice.
    public static func precedes(_ a: SyncOperation, _ b: SyncOperation) -> Bool {
        if a.clock != b.clock { return a.clock < b.clock }
        return a.number < b.number
    }

    /// Folds `operations` into `base`. Operations already included (by number, or at or
    /// before the base's cut) are skipped; a number given twice by one device counts once.
    public static func merge(_ operations: [SyncOperation], onto base: MergeState = MergeState()) -> MergeState {
        var state = base
        var seenIDs = Set<String>()
        var todo: [SyncOperation] = []
        for op in operations.sorted(by: precedes) {
            if let cut = base.cut, op.clock <= cut { continue }
            if op.number <= base.included[op.device, default: 0] { continue }
            guard seenIDs.insert("\(op.number)@\(op.device)").inserted else { continue }
            todo.append(op)
        }
        for op in todo {
            var sub = 0
            state.fold(op.change, op: op, sub: &sub)
            state.included[op.device] = max(state.included[op.device, default: 0], op.number)
        }
        return state
    }

    /// Drops the derived, per-device data (flags) from a change before it is shared.
    public static func shareable(_ change: Change) -> Change {
        switch change {
        case .putRecruiter(var r):
            r.flags = []
            return .putRecruiter(r)
        case .restoreRecruiter(var rec):
            rec.recruiter.flags = []
            return .restoreRecruiter(rec)
        case .batch(let cs):
            return .batch(cs.map(shareable))
        default:
            return change
        }
    }
}

// MARK: - Registers

/// The name of what a field-level change writes ("firm", "tag remote", …).
func register(of change: Change) -> String? {
    switch change {
    case .setField(_, let f, _): return f.rawValue
    case .setStatus: return "status"
    case .setTargeting: return "targeting"
    case .setAgenda: return "agenda"
    case .addTag(_, let t), .removeTag(_, let t): return "tag \(t)"
    case .addEmail(_, let e), .removeEmail(_, let e): return "e-mail \(e.lowercased())"
    case .setChecklistItem(_, let i, _): return "checklist \(i)"
    case .addReferral(_, let r): return "referral \(r.id.uuidString.lowercased())"
    case .removeReferral(_, let id): return "referral \(id.uuidString.lowercased())"
    case .dismissDeadline(_, let d): return "dismissal \(d.deadline)"
    case .undismissDeadline(_, let deadline): return "dismissal \(deadline)"
    default: return nil
    }
}

/// Every register of a recruiter with its value as text (absent entries of sets are nil).
func registers(of r: Recruiter) -> [String: String] {
    let iso = { (d: Date) in ISO8601.format(d) }
    var out: [String: String] = [:]
    out["name"] = r.name
    out["firm"] = r.firm
    out["kind"] = r.kind.rawValue
    out["phone"] = r.phone
    out["linkedin"] = r.linkedin
    out["timeZone"] = r.timeZone
    out["notes"] = r.notes
    out["status"] = r.status.rawValue + (r.statusUntil.map { " until \(iso($0))" } ?? "")
    out["targeting"] = r.targeting.rawValue
    out["agenda"] = r.checklist.agenda
    for t in r.tags { out["tag \(t)"] = "present" }
    for e in r.emails { out["e-mail \(e.lowercased())"] = e }
    for (k, v) in r.checklist.done { out["checklist \(k)"] = iso(v) }
    for ref in r.referrals { out["referral \(ref.id.uuidString.lowercased())"] = ref.name }
    for d in r.dismissals {
        out["dismissal \(d.deadline)"] = iso(d.at) + (d.until.map { " until \(iso($0))" } ?? "") + (d.reason.map { " (\($0))" } ?? "")
    }
    return out
}

private func kindName(_ c: Change) -> String {
    switch c {
    case .putMessage, .removeMessage: return "message"
    case .putOpportunity, .removeOpportunity: return "opportunity"
    case .putFollowUp, .removeFollowUp: return "follow-up"
    case .putExpectation, .removeExpectation: return "expectation"
    default: return "record"
    }
}

extension MergeState {
    mutating func fold(_ change: Change, op: SyncOperation, sub: inout Int) {
        if case .batch(let cs) = change {
            for c in cs { fold(c, op: op, sub: &sub) }
            return
        }
        let w = WriteID(device: op.device, number: op.number, sub: sub, clock: op.clock)
        sub += 1
        step(SyncMerge.shareable(change), w, op.seen)
    }

    private func name(_ id: UUID) -> String {
        database.recruiter(id)?.name ?? graveyard[id]?.record.recruiter.name ?? id.uuidString.lowercased()
    }

    private mutating func conflict(_ kind: SyncConflict.Kind, _ rid: UUID, _ what: String,
                                   winner: WriteID, loser: WriteID, value: String?, winning: String? = nil) {
        conflicts.append(SyncConflict(kind: kind, recruiter: rid, name: name(rid), what: what,
                                      winner: winner, loser: loser, loserValue: value, winnerValue: winning))
    }

    /// Makes sure recruiter `rid` exists for a write `w`: when a delete `w` had not seen
    /// took it away, the delete loses (the record comes back) and that is recorded.
    private mutating func alive(_ rid: UUID, _ w: WriteID, _ seen: [String: Int]) -> Bool {
        if database.recruiter(rid) != nil { return true }
        guard let g = graveyard[rid], !w.saw(g.remover, seen: seen) else { return false }
        try? database.apply(.restoreRecruiter(g.record))
        graveyard[rid] = nil
        conflict(.deleteKept, rid, "record", winner: w, loser: g.remover, value: nil)
        return true
    }

    private mutating func step(_ c: Change, _ w: WriteID, _ seen: [String: Int]) {
        switch c {
        case .batch:
            return
        case .putRecruiter(let r):
            putWhole(r.id, new: r, w, seen)
            try? database.apply(c)
        case .restoreRecruiter(let rec):
            putWhole(rec.recruiter.id, new: rec.recruiter, w, seen)
            try? database.apply(c)
            for id in rec.messages.map(\.id) + rec.opportunities.map(\.id) + rec.followUps.map(\.id) + rec.expectations.map(\.id) {
                writers[id, default: [:]]["record"] = w
                childGraves[id] = nil
            }
        case .removeRecruiter(let rid):
            guard let rec = database.record(of: rid) else { return }
            for (reg, x) in (writers[rid] ?? [:]).sorted(by: { $0.key < $1.key }) where !w.saw(x, seen: seen) {
                conflict(.editLost, rid, reg, winner: w, loser: x, value: registers(of: rec.recruiter)[reg])
            }
            graveyard[rid] = Grave(record: rec, remover: w)
            writers[rid] = nil
            try? database.apply(c)
        case .putMessage(let m): putChild(m.id, owner: m.recruiterID, c, w, seen, old: database.message(m.id).map { Change.putMessage($0) })
        case .putOpportunity(let o): putChild(o.id, owner: o.recruiterID, c, w, seen, old: database.opportunities[o.id].map { Change.putOpportunity($0) })
        case .putFollowUp(let f): putChild(f.id, owner: f.recruiterID, c, w, seen, old: database.followUps[f.id].map { Change.putFollowUp($0) })
        case .putExpectation(let e): putChild(e.id, owner: e.recruiterID, c, w, seen, old: database.expectations[e.id].map { Change.putExpectation($0) })
        case .removeMessage(let id): removeChild(id, owner: database.owner(ofMessage: id), c, w, seen)
        case .removeOpportunity(let id): removeChild(id, owner: database.opportunities[id]?.recruiterID, c, w, seen)
        case .removeFollowUp(let id): removeChild(id, owner: database.followUps[id]?.recruiterID, c, w, seen)
        case .removeExpectation(let id): removeChild(id, owner: database.expectations[id]?.recruiterID, c, w, seen)
        case .setField, .setStatus, .setTargeting, .addTag, .removeTag, .addEmail, .removeEmail,
             .setChecklistItem, .setAgenda, .addReferral, .removeReferral, .dismissDeadline, .undismissDeadline:
            guard let rid = c.fieldTarget, let reg = register(of: c), alive(rid, w, seen),
                  let before = database.recruiter(rid) else { return }
            guard (try? database.apply(c)) != nil, let after = database.recruiter(rid) else { return }
            let old = registers(of: before)[reg], new = registers(of: after)[reg]
            if let x = writers[rid]?[reg], !w.saw(x, seen: seen), old != new {
                conflict(.field, rid, reg, winner: w, loser: x, value: old, winning: new)
            }
            writers[rid, default: [:]][reg] = w
        }
    }

    /// A whole-record put or restore of a recruiter: every register it changes is written.
    private mutating func putWhole(_ rid: UUID, new: Recruiter, _ w: WriteID, _ seen: [String: Int]) {
        if database.recruiter(rid) == nil, let g = graveyard[rid] {
            if !w.saw(g.remover, seen: seen) {
                conflict(.deleteKept, rid, "record", winner: w, loser: g.remover, value: nil)
            }
            graveyard[rid] = nil
        }
        let old = database.recruiter(rid).map(registers(of:)) ?? [:]
        let now = registers(of: new)
        for reg in Set(old.keys).union(now.keys).sorted() {
            if old[reg] != now[reg], let x = writers[rid]?[reg], !w.saw(x, seen: seen) {
                conflict(.field, rid, reg, winner: w, loser: x, value: old[reg], winning: now[reg])
            }
            writers[rid, default: [:]][reg] = w
        }
    }

    private mutating func putChild(_ id: UUID, owner: UUID, _ c: Change, _ w: WriteID, _ seen: [String: Int], old: Change?) {
        guard alive(owner, w, seen) else { return }
        let what = kindName(c)
        if let g = childGraves[id], old == nil, !w.saw(g.remover, seen: seen) {
            conflict(.deleteKept, owner, what, winner: w, loser: g.remover, value: nil)
        }
        if let old, old != c, let x = writers[id]?["record"], !w.saw(x, seen: seen) {
            conflict(.field, owner, what, winner: w, loser: x, value: describe(old), winning: describe(c))
        }
        guard (try? database.apply(c)) != nil else { return }
        childGraves[id] = nil
        writers[id, default: [:]]["record"] = w
    }

    private mutating func removeChild(_ id: UUID, owner: UUID?, _ c: Change, _ w: WriteID, _ seen: [String: Int]) {
        guard let owner else { return }
        if let x = writers[id]?["record"], !w.saw(x, seen: seen) {
            let old: Change? = switch c {
            case .removeMessage: database.message(id).map { .putMessage($0) }
            case .removeOpportunity: database.opportunities[id].map { .putOpportunity($0) }
            case .removeFollowUp: database.followUps[id].map { .putFollowUp($0) }
            default: database.expectations[id].map { .putExpectation($0) }
            }
            conflict(.editLost, owner, kindName(c), winner: w, loser: x, value: old.map(describe))
        }
        guard (try? database.apply(c)) != nil else { return }
        childGraves[id] = ChildGrave(recruiter: owner, kind: kindName(c), remover: w)
        writers[id] = nil
    }

    private func describe(_ c: Change) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return (try? e.encode(c)).map { String(decoding: $0, as: UTF8.self) } ?? "\(c)"
    }
}
