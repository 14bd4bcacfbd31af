import Foundation
import Synchronization

/// Everything Rapport knows, in memory. Mutated only by `apply(_:)` with a `Change`.
///
/// Messages are kept per recruiter, sorted by time (then id), so a thread is a slice
/// and the rules never sort on the hot path.
public struct Database: Sendable, Equatable {
    // Everything, when the database was built in memory (`bulk`, `apply`); when it was
    // opened over stored records (`init(stored:…)`), only the recruiters changed since
    // (`promoted`) and those added; the others are read from `base` when first asked for.
    private var recruiterMap: [UUID: Recruiter] = [:]
    /// Per recruiter, sorted by `at` then `id`.
    private var threadMap: [UUID: [Message]] = [:]
    /// Message id -> recruiter id, to find a message without scanning.
    private var ownerMap: [UUID: UUID] = [:]
    private var opportunityMap: [UUID: Opportunity] = [:]
    private var followUpMap: [UUID: FollowUp] = [:]
    private var expectationMap: [UUID: Expectation] = [:]
    /// Recruiter id -> ids of what it owns, so per-recruiter lookups never scan everything.
    private var opportunityIndex: [UUID: Set<UUID>] = [:]
    private var followUpIndex: [UUID: Set<UUID>] = [:]
    private var expectationIndex: [UUID: Set<UUID>] = [:]
    /// Top-level fields of the snapshot this build does not know; kept verbatim.
    public var extra: [String: JSONValue] = [:]
    /// The stored recruiters (record and thread) read on demand, or nil.
    public private(set) var base: (any StoredRecruiters)?
    /// Recruiters of `base` whose record and thread were copied into the maps above (to
    /// be changed, or dropped): `base` is not asked about them any more.
    private var promoted: Set<UUID> = []
    /// How many messages the promoted recruiters had in `base`.
    private var promotedBaseMessages = 0
    /// The whole collections built from `base` and the maps, once asked for.
    private var memo = Memo()
    // Per recruiter, a digest of everything stored for it (see `storedDigests`).
    private var digestMap: [UUID: UInt64] = [:]
    private var digestsFromBase = false
    private var droppedDigests: Set<UUID> = []

    public init() {}

    /// A database over stored recruiters: each recruiter with everything it owns is read
    /// from `base` when first needed. The digests of `base` are the stored digests.
    public init(stored base: any StoredRecruiters, extra: [String: JSONValue]) {
        self.extra = extra
        self.base = base
        digestsFromBase = true
    }

    /// Per recruiter, a digest of everything stored for it (the record, its flag records,
    /// thread, opportunities, follow-ups and expectations) as the store's cache had it when
    /// this database was loaded; dropped for a recruiter as soon as anything of it changes.
    /// Derived data beside the store (the rules' results) is keyed by it. Empty when the
    /// database was not loaded from a cache. Not part of equality.
    public var storedDigests: [UUID: UInt64] {
        guard digestsFromBase, let base else { return digestMap }
        var out: [UUID: UInt64] = [:]
        out.reserveCapacity(base.count)
        for k in 0..<base.count {
            let id = base.id(at: k)
            if !droppedDigests.contains(id) { out[id] = base.digest(at: k) }
        }
        return out
    }

    /// The digest of `recruiterID`'s stored data when nothing of it changed since loading.
    public func storedDigest(of recruiterID: UUID) -> UInt64? {
        guard digestsFromBase, let base else { return digestMap[recruiterID] }
        guard !droppedDigests.contains(recruiterID), let k = base.position(of: recruiterID) else { return nil }
        return base.digest(at: k)
    }

    /// Set by the store's loader: the digests of the data just loaded.
    public mutating func adoptStoredDigests(_ digests: [UUID: UInt64]) {
        digestMap = digests
        digestsFromBase = false
        droppedDigests = []
    }

    @inline(__always) private mutating func touch(_ recruiterID: UUID) {
        if digestsFromBase {
            droppedDigests.insert(recruiterID)
        } else if !digestMap.isEmpty {
            digestMap[recruiterID] = nil
        }
        if base != nil { memo = Memo() }
    }

    /// Copies a stored recruiter's record and thread into the maps before it changes.
    private mutating func promote(_ id: UUID) {
        guard let base, !promoted.contains(id), let k = base.position(of: id) else { return }
        let rec = base.recruiter(at: k)
        promoted.insert(id)
        recruiterMap[id] = rec.recruiter
        let thread = rec.messages
        if !thread.isEmpty { threadMap[id] = thread }
        for m in thread { ownerMap[m.id] = id }
        promotedBaseMessages += thread.count
        for o in rec.opportunities {
            opportunityMap[o.id] = o
            opportunityIndex[id, default: []].insert(o.id)
        }
        for f in rec.followUps {
            followUpMap[f.id] = f
            followUpIndex[id, default: []].insert(f.id)
        }
        for e in rec.expectations {
            expectationMap[e.id] = e
            expectationIndex[id, default: []].insert(e.id)
        }
    }

    /// The stored record of the recruiter owning `id` (a `kind` record), when that
    /// recruiter was not promoted.
    private func storedOwner(of id: UUID, _ kind: StoredRecordKind) -> (Int, RecruiterRecord)? {
        guard let base, let k = base.recordOwner(id, kind) else { return nil }
        if promoted.contains(base.id(at: k)) { return nil }
        return (k, base.recruiter(at: k))
    }

    /// The same data, all in memory (nothing read on demand any more).
    public func materialized() -> Database {
        guard base != nil else { return self }
        var db = self
        db.recruiterMap = recruiters
        db.threadMap = threads
        db.ownerMap = messageOwner
        db.opportunityMap = opportunities
        db.followUpMap = followUps
        db.expectationMap = expectations
        db.opportunityIndex = [:]
        db.followUpIndex = [:]
        db.expectationIndex = [:]
        for o in db.opportunityMap.values { db.opportunityIndex[o.recruiterID, default: []].insert(o.id) }
        for f in db.followUpMap.values { db.followUpIndex[f.recruiterID, default: []].insert(f.id) }
        for e in db.expectationMap.values { db.expectationIndex[e.recruiterID, default: []].insert(e.id) }
        db.digestMap = storedDigests
        db.digestsFromBase = false
        db.droppedDigests = []
        db.base = nil
        db.promoted = []
        db.promotedBaseMessages = 0
        db.memo = Memo()
        return db
    }

    /// Equal when the data is equal (the private indexes follow from it).
    public static func == (a: Database, b: Database) -> Bool {
        a.recruiterCount == b.recruiterCount && a.messageCount == b.messageCount
            && a.opportunities == b.opportunities && a.followUps == b.followUps && a.expectations == b.expectations
            && a.extra == b.extra && a.recruiters == b.recruiters && a.threads == b.threads
    }

    // MARK: - Reading

    /// Every recruiter by id (with stored recruiters: all of them read, once).
    public var recruiters: [UUID: Recruiter] {
        guard let base else { return recruiterMap }
        return memo.recruiters.withLock { m in
            if let m { return m }
            var out = recruiterMap
            out.reserveCapacity(base.count + recruiterMap.count)
            for k in 0..<base.count {
                let id = base.id(at: k)
                if !promoted.contains(id) { out[id] = base.recruiter(at: k).recruiter }
            }
            m = out
            return out
        }
    }

    /// Every non-empty thread by recruiter id, each sorted by `at` then `id` (with stored
    /// recruiters: all of them read, once).
    public var threads: [UUID: [Message]] {
        guard let base else { return threadMap }
        return memo.threads.withLock { m in
            if let m { return m }
            var out = threadMap
            for k in 0..<base.count {
                let id = base.id(at: k)
                if promoted.contains(id) { continue }
                let t = base.recruiter(at: k).messages
                if !t.isEmpty { out[id] = t }
            }
            m = out
            return out
        }
    }

    /// Every opportunity, follow-up and expectation by id (with stored recruiters: all of
    /// them read, once).
    public var opportunities: [UUID: Opportunity] {
        guard base != nil else { return opportunityMap }
        return allStored(\.opportunities, opportunityMap)
    }

    public var followUps: [UUID: FollowUp] {
        guard base != nil else { return followUpMap }
        return allStored(\.followUps, followUpMap)
    }

    public var expectations: [UUID: Expectation] {
        guard base != nil else { return expectationMap }
        return allStored(\.expectations, expectationMap)
    }

    private func allStored<T: Identifiable>(_ path: KeyPath<RecruiterRecord, [T]>, _ map: [UUID: T]) -> [UUID: T] where T.ID == UUID {
        guard let base else { return map }
        var out = map
        for k in 0..<base.count where !promoted.contains(base.id(at: k)) {
            for x in base.recruiter(at: k)[keyPath: path] { out[x.id] = x }
        }
        return out
    }

    /// Message id -> recruiter id for every message.
    public var messageOwner: [UUID: UUID] {
        guard base != nil else { return ownerMap }
        var out: [UUID: UUID] = [:]
        out.reserveCapacity(messageCount)
        for (id, t) in threads {
            for m in t { out[m.id] = id }
        }
        return out
    }

    /// Every recruiter's id, without reading any record.
    public var recruiterIDs: [UUID] {
        guard let base else { return Array(recruiterMap.keys) }
        var out: [UUID] = []
        out.reserveCapacity(base.count + recruiterMap.count)
        for k in 0..<base.count {
            let id = base.id(at: k)
            if !promoted.contains(id) { out.append(id) }
        }
        out.append(contentsOf: recruiterMap.keys)
        return out
    }

    /// Every recruiter's id and name, without reading any other field.
    public var recruiterNames: [(id: UUID, name: String)] {
        guard let base else { return recruiterMap.values.map { ($0.id, $0.name) } }
        let names = base.names()
        var out: [(id: UUID, name: String)] = []
        out.reserveCapacity(base.count + recruiterMap.count)
        for k in 0..<base.count {
            let id = base.id(at: k)
            if !promoted.contains(id) { out.append((id, names[k])) }
        }
        for r in recruiterMap.values { out.append((r.id, r.name)) }
        return out
    }

    /// Every recruiter's id and name with its sort key (`NameKeys`), without reading any
    /// other field: a stored recruiter's key as its store kept it (`nameTable()`), the key
    /// of one changed or added since made now.
    public var recruiterNameTable: NameTable {
        guard let base else { return NameTable(recruiterMap.values.map { ($0.id, $0.name) }) }
        var table = base.nameTable()
        if !promoted.isEmpty { table.filter { !promoted.contains($0) } }
        for r in recruiterMap.values { table.append(id: r.id, name: r.name) }
        return table
    }

    public var recruiterCount: Int {
        guard let base else { return recruiterMap.count }
        var n = base.count - promoted.count
        for id in recruiterMap.keys where !promoted.contains(id) && base.position(of: id) == nil { n += 1 }
        for id in promoted where recruiterMap[id] != nil { n += 1 }
        return n
    }

    public var messageCount: Int { ownerMap.count + (base?.messageCount ?? 0) - promotedBaseMessages }

    /// The recruiter with `id`, read alone.
    public func recruiter(_ id: UUID) -> Recruiter? {
        if let r = recruiterMap[id] { return r }
        guard let base, !promoted.contains(id), let k = base.position(of: id) else { return nil }
        return base.record(at: k)
    }

    public func thread(_ recruiterID: UUID) -> [Message] {
        if let base, !promoted.contains(recruiterID), let k = base.position(of: recruiterID) {
            return base.recruiter(at: k).messages
        }
        return threadMap[recruiterID] ?? []
    }

    /// The recruiter whose thread holds message `id`.
    public func owner(ofMessage id: UUID) -> UUID? {
        if let o = ownerMap[id] { return o }
        guard let base, let k = base.messageOwner(id) else { return nil }
        let o = base.id(at: k)
        return promoted.contains(o) ? nil : o
    }

    public func message(_ id: UUID) -> Message? {
        guard let owner = owner(ofMessage: id) else { return nil }
        return thread(owner).first { $0.id == id }
    }

    /// The recruiters whose id (as `uuidString`, any case) starts with `prefix`, in id order.
    public func recruiters(withIDPrefix prefix: String) -> [Recruiter] {
        guard let range = UUIDPrefixRange(prefix) else { return [] }
        var out: [Recruiter] = []
        if let base {
            for k in base.positions(in: range) {
                let id = base.id(at: k)
                if !promoted.contains(id) { out.append(base.recruiter(at: k).recruiter) }
            }
        }
        for r in recruiterMap.values where range.contains(r.id) { out.append(r) }
        return out.sorted { uuidLess($0.id, $1.id) }
    }

    /// The messages whose id (as `uuidString`, any case) starts with `prefix`, in id order.
    public func messages(withIDPrefix prefix: String) -> [Message] {
        guard let range = UUIDPrefixRange(prefix) else { return [] }
        var ids: [UUID] = []
        if let base { ids = base.messageIDs(in: range) }
        for id in ownerMap.keys where range.contains(id) { ids.append(id) }
        var seen = Set<UUID>()
        return ids.filter { seen.insert($0).inserted }.compactMap(message).sorted { uuidLess($0.id, $1.id) }
    }

    /// The stored record of `recruiterID` when it is read from `base`.
    private func stored(_ recruiterID: UUID) -> RecruiterRecord? {
        guard let base, !promoted.contains(recruiterID), let k = base.position(of: recruiterID) else { return nil }
        return base.recruiter(at: k)
    }

    public func opportunities(of recruiterID: UUID) -> [Opportunity] {
        let all = stored(recruiterID)?.opportunities ?? (opportunityIndex[recruiterID] ?? []).compactMap { opportunityMap[$0] }
        return all.sorted { uuidLess($0.id, $1.id) }
    }

    public func followUps(of recruiterID: UUID) -> [FollowUp] {
        let all = stored(recruiterID)?.followUps ?? (followUpIndex[recruiterID] ?? []).compactMap { followUpMap[$0] }
        return all.sorted { $0.due != $1.due ? $0.due < $1.due : uuidLess($0.id, $1.id) }
    }

    public func expectations(of recruiterID: UUID) -> [Expectation] {
        let all = stored(recruiterID)?.expectations ?? (expectationIndex[recruiterID] ?? []).compactMap { expectationMap[$0] }
        return all.sorted { $0.by != $1.by ? $0.by < $1.by : uuidLess($0.id, $1.id) }
    }

    /// The opportunity, follow-up or expectation with `id`, read alone.
    public func opportunity(_ id: UUID) -> Opportunity? {
        if let o = opportunityMap[id] { return o }
        return storedOwner(of: id, .opportunity)?.1.opportunities.first { $0.id == id }
    }

    public func followUp(_ id: UUID) -> FollowUp? {
        if let f = followUpMap[id] { return f }
        return storedOwner(of: id, .followUp)?.1.followUps.first { $0.id == id }
    }

    public func expectation(_ id: UUID) -> Expectation? {
        if let e = expectationMap[id] { return e }
        return storedOwner(of: id, .expectation)?.1.expectations.first { $0.id == id }
    }

    /// The recruiters owning an opportunity, follow-up, expectation or interview whose id
    /// (as `uuidString`, any case) starts with `prefix`, with those records.
    public func records(withIDPrefix prefix: String) -> (followUps: [FollowUp], expectations: [Expectation], interviewOwners: Set<UUID>) {
        guard let range = UUIDPrefixRange(prefix) else { return ([], [], []) }
        var fs = followUpMap.values.filter { range.contains($0.id) }
        var es = expectationMap.values.filter { range.contains($0.id) }
        var owners = Set(opportunityMap.values.filter { $0.interviews.contains { range.contains($0.id) } }.map(\.recruiterID))
        if let base {
            for (id, kind, k) in base.records(in: range) where !promoted.contains(base.id(at: k)) {
                let rec = base.recruiter(at: k)
                switch kind {
                case .followUp: fs += rec.followUps.filter { $0.id == id }
                case .expectation: es += rec.expectations.filter { $0.id == id }
                case .interview: owners.insert(rec.recruiter.id)
                case .opportunity: break
                }
            }
        }
        return (fs.sorted { uuidLess($0.id, $1.id) }, es.sorted { uuidLess($0.id, $1.id) }, owners)
    }

    /// Whether another recruiter has an opportunity for the same role at the same employer
    /// as one of `recruiterID`'s (`Rules.submissionKey`), without reading every opportunity
    /// of a stored database (its cache indexes the keys): only `recruiterID`'s own record is read.
    public func hasDuplicateSubmission(_ recruiterID: UUID) -> Bool {
        guard let base else {
            return Rules.duplicateSubmissions(in: opportunityMap.values, among: recruiterID).contains(recruiterID)
        }
        let keys = Set(opportunities(of: recruiterID).compactMap(Rules.submissionKey))
        if keys.isEmpty { return false }
        for o in opportunityMap.values where o.recruiterID != recruiterID {
            if let key = Rules.submissionKey(of: o), keys.contains(key) { return true }
        }
        for key in keys {
            for k in base.submitters(ofKey: key) {
                let id = base.id(at: k)
                if id != recruiterID && !promoted.contains(id) { return true }
            }
        }
        return false
    }

    /// The recruiters with a duplicate submission (`Rules.duplicateSubmissions` over every
    /// opportunity), from the stored submission index (which compares the keys themselves)
    /// and the opportunities in memory, without reading any stored recruiter.
    public var duplicateSubmitters: Set<UUID> {
        guard let base else { return Rules.duplicateSubmissions(in: opportunityMap.values, among: nil) }
        var (stored, out) = duplicates(base, promoted: Self.positions(of: promoted, in: base))
        for k in 0..<base.count where stored[k] { out.insert(base.id(at: k)) }
        return out
    }

    /// The duplicate submitters of a stored database: by position for the stored
    /// recruiters not changed since (`stored`), by id for those in memory (`other`).
    private func duplicates(_ base: any StoredRecruiters, promoted isPromoted: [Bool]) -> (stored: [Bool], other: Set<UUID>) {
        var stored = [Bool](repeating: false, count: base.count)
        var other = Set<UUID>()
        // Keys only stored recruiters hold: a group counts those not changed since.
        for group in base.sharedSubmissions() {
            var kept = group
            if !promoted.isEmpty { kept.removeAll { isPromoted[$0] } }
            if kept.count > 1 { for k in kept { stored[k] = true } }
        }
        // Keys held in memory (changed or added recruiters), with the stored holders.
        var byKey: [String: Set<UUID>] = [:]
        for o in opportunityMap.values {
            if let key = Rules.submissionKey(of: o) { byKey[key, default: []].insert(o.recruiterID) }
        }
        for (key, owners) in byKey {
            var holders = base.submitters(ofKey: key)
            holders.removeAll { isPromoted[$0] }
            if owners.count + holders.count > 1 {
                other.formUnion(owners)
                for k in holders { stored[k] = true }
            }
        }
        return (stored, other)
    }

    /// Which positions of `base` hold an id of `ids` (each looked up by a binary search,
    /// not every position's id hashed).
    private static func positions(of ids: Set<UUID>, in base: any StoredRecruiters) -> [Bool] {
        var out = [Bool](repeating: false, count: base.count)
        for id in ids { if let k = base.position(of: id) { out[k] = true } }
        return out
    }

    /// Every recruiter once (as `recruiterIDs`: the stored ones in id order first) with its
    /// stored digest (`storedDigest(of:)`) and whether it has a duplicate submission
    /// (`duplicateSubmitters`), in one pass that reads no record.
    public func recruiterDigests() -> [(id: UUID, digest: UInt64?, duplicate: Bool)] {
        var out: [(id: UUID, digest: UInt64?, duplicate: Bool)] = []
        guard let base else {
            let dup = duplicateSubmitters
            out.reserveCapacity(recruiterMap.count)
            for id in recruiterMap.keys { out.append((id, storedDigest(of: id), dup.contains(id))) }
            return out
        }
        let isPromoted = Self.positions(of: promoted, in: base)
        let dropped = Self.positions(of: droppedDigests, in: base)
        let (stored, other) = duplicates(base, promoted: isPromoted)
        out.reserveCapacity(base.count + recruiterMap.count)
        for k in 0..<base.count where !isPromoted[k] {
            let id = base.id(at: k)
            let digest = !digestsFromBase ? digestMap[id] : dropped[k] ? nil : base.digest(at: k)
            out.append((id, digest, stored[k] || (!other.isEmpty && other.contains(id))))
        }
        for id in recruiterMap.keys { out.append((id, storedDigest(of: id), other.contains(id))) }
        return out
    }

    /// Whether `id`'s record and thread are still the stored ones, unchanged since loading
    /// (what a cache writer may copy as they were).
    public func isStoredUnchanged(_ id: UUID) -> Bool {
        guard let base, !promoted.contains(id) else { return false }
        return base.position(of: id) != nil
    }

    /// Recruiters sorted by name (case-insensitive), then id: a stable base order.
    public var recruitersByName: [Recruiter] {
        // Each name lowered once, not once per comparison.
        recruiters.values.map { (key: $0.name.lowercased(), r: $0) }
            .sorted { $0.key != $1.key ? $0.key < $1.key : uuidLess($0.r.id, $1.r.id) }
            .map(\.r)
    }

    /// Where `bulk` stopped: the collection ("recruiters", "messages", …), the record's
    /// index in it, and why.
    public struct BulkFailure: Error, Sendable {
        public var collection: String
        public var index: Int
        public var reason: String
    }

    /// Builds a database from whole collections (a snapshot) in one go: exactly what
    /// applying `.putRecruiter` for each recruiter, then `.putMessage`, `.putOpportunity`,
    /// `.putFollowUp` and `.putExpectation` for each record in order would build, but each
    /// thread is sorted once instead of kept sorted per insert. A record pointing at an
    /// unknown recruiter, or a recruiter id given twice, throws naming the record.
    public static func bulk(
        recruiters: [Recruiter], messages: [Message], opportunities: [Opportunity] = [],
        followUps: [FollowUp] = [], expectations: [Expectation] = [], extra: [String: JSONValue] = [:]
    ) throws(BulkFailure) -> Database {
        var db = Database()
        db.extra = extra
        db.recruiterMap.reserveCapacity(recruiters.count)
        for (k, r) in recruiters.enumerated() {
            guard db.recruiterMap.updateValue(r, forKey: r.id) == nil else {
                throw BulkFailure(collection: "recruiters", index: k, reason: "the id \(r.id.uuidString) appears twice")
            }
        }
        func unknown(_ what: String, _ k: Int, _ id: UUID) -> BulkFailure {
            BulkFailure(collection: what, index: k, reason: ChangeError.unknownRecruiter(id).description)
        }
        db.ownerMap.reserveCapacity(messages.count)
        var repeated = false
        for (k, m) in messages.enumerated() {
            guard db.recruiterMap[m.recruiterID] != nil else { throw unknown("messages", k, m.recruiterID) }
            if db.ownerMap.updateValue(m.recruiterID, forKey: m.id) != nil { repeated = true }
        }
        if repeated {
            // A message id given twice: the later record replaces the earlier one, as
            // `putMessage` does. Rare (hand-edited files), so the per-insert path does it.
            db.ownerMap = [:]
            for m in messages { db.putMessage(m) }
        } else {
            for m in messages { db.threadMap[m.recruiterID, default: []].append(m) }
            for id in Array(db.threadMap.keys) {
                db.threadMap[id]!.sort(by: Message.threadOrder)
            }
        }
        for (k, o) in opportunities.enumerated() {
            guard db.recruiterMap[o.recruiterID] != nil else { throw unknown("opportunities", k, o.recruiterID) }
            db.putOpportunity(o)
        }
        for (k, f) in followUps.enumerated() {
            guard db.recruiterMap[f.recruiterID] != nil else { throw unknown("followUps", k, f.recruiterID) }
            db.putFollowUp(f)
        }
        for (k, e) in expectations.enumerated() {
            guard db.recruiterMap[e.recruiterID] != nil else { throw unknown("expectations", k, e.recruiterID) }
            db.putExpectation(e)
        }
        return db
    }

    /// `bulk` for data already grouped by recruiter: `threads[k]` holds the messages of
    /// `recruiters[k]` (their `recruiterID` is that recruiter's). A thread that is not in
    /// thread order, or a message id given twice, goes through `bulk` instead, so the
    /// result is always what `bulk` builds; this only skips the grouping and the sorting
    /// (what a binary cache of a database already has).
    public static func bulk(
        recruiters: [Recruiter], threads: [[Message]], opportunities: [Opportunity] = [],
        followUps: [FollowUp] = [], expectations: [Expectation] = [], extra: [String: JSONValue] = [:]
    ) throws(BulkFailure) -> Database {
        func general() throws(BulkFailure) -> Database {
            try bulk(recruiters: recruiters, messages: threads.flatMap { $0 }, opportunities: opportunities,
                     followUps: followUps, expectations: expectations, extra: extra)
        }
        guard threads.count == recruiters.count else { return try general() }
        var db = Database()
        db.extra = extra
        db.recruiterMap.reserveCapacity(recruiters.count)
        db.threadMap.reserveCapacity(recruiters.count)
        db.ownerMap.reserveCapacity(threads.reduce(0) { $0 + $1.count })
        for (k, r) in recruiters.enumerated() {
            guard db.recruiterMap.updateValue(r, forKey: r.id) == nil else { return try general() }
            let thread = threads[k]
            if thread.isEmpty { continue }
            for (i, m) in thread.enumerated() {
                guard m.recruiterID == r.id, i == 0 || Message.threadOrder(thread[i - 1], m),
                      db.ownerMap.updateValue(r.id, forKey: m.id) == nil else { return try general() }
            }
            db.threadMap[r.id] = thread
        }
        func unknown(_ what: String, _ k: Int, _ id: UUID) -> BulkFailure {
            BulkFailure(collection: what, index: k, reason: ChangeError.unknownRecruiter(id).description)
        }
        for (k, o) in opportunities.enumerated() {
            guard db.recruiterMap[o.recruiterID] != nil else { throw unknown("opportunities", k, o.recruiterID) }
            db.putOpportunity(o)
        }
        for (k, f) in followUps.enumerated() {
            guard db.recruiterMap[f.recruiterID] != nil else { throw unknown("followUps", k, f.recruiterID) }
            db.putFollowUp(f)
        }
        for (k, e) in expectations.enumerated() {
            guard db.recruiterMap[e.recruiterID] != nil else { throw unknown("expectations", k, e.recruiterID) }
            db.putExpectation(e)
        }
        return db
    }

    // MARK: - Raw mutators, used only by `apply`.

    mutating func putRecruiter(_ r: Recruiter) {
        touch(r.id)
        promote(r.id)
        recruiterMap[r.id] = r
    }

    mutating func dropRecruiter(_ id: UUID) {
        touch(id)
        promote(id)
        recruiterMap[id] = nil
        for m in threadMap[id] ?? [] { ownerMap[m.id] = nil }
        threadMap[id] = nil
        for o in opportunityIndex.removeValue(forKey: id) ?? [] { opportunityMap[o] = nil }
        for f in followUpIndex.removeValue(forKey: id) ?? [] { followUpMap[f] = nil }
        for e in expectationIndex.removeValue(forKey: id) ?? [] { expectationMap[e] = nil }
    }

    mutating func putMessage(_ m: Message) {
        touch(m.recruiterID)
        promote(m.recruiterID)
        if let owner = owner(ofMessage: m.id) { removeMessage(m.id, owner: owner) }
        // Mutated in place (no copy of the thread per insert); a binary search for the
        // insertion point keeps it sorted.
        threadMap[m.recruiterID, default: []].insertSorted(m)
        ownerMap[m.id] = m.recruiterID
    }

    mutating func dropMessage(_ id: UUID) {
        guard let owner = owner(ofMessage: id) else { return }
        removeMessage(id, owner: owner)
    }

    private mutating func removeMessage(_ id: UUID, owner: UUID) {
        touch(owner)
        promote(owner)
        threadMap[owner]?.removeAll { $0.id == id }
        if threadMap[owner]?.isEmpty == true { threadMap[owner] = nil }
        ownerMap[id] = nil
    }

    mutating func putOpportunity(_ o: Opportunity) {
        touch(o.recruiterID)
        promote(o.recruiterID)
        if let owner = storedOwner(of: o.id, .opportunity)?.1.recruiter.id { promote(owner) }
        if let old = opportunityMap[o.id] {
            touch(old.recruiterID)
            opportunityIndex[old.recruiterID]?.remove(o.id)
        }
        opportunityMap[o.id] = o
        opportunityIndex[o.recruiterID, default: []].insert(o.id)
    }

    mutating func dropOpportunity(_ id: UUID) {
        if let owner = storedOwner(of: id, .opportunity)?.1.recruiter.id { promote(owner) }
        if let old = opportunityMap.removeValue(forKey: id) {
            touch(old.recruiterID)
            opportunityIndex[old.recruiterID]?.remove(id)
        }
    }

    mutating func putFollowUp(_ f: FollowUp) {
        touch(f.recruiterID)
        promote(f.recruiterID)
        if let owner = storedOwner(of: f.id, .followUp)?.1.recruiter.id { promote(owner) }
        if let old = followUpMap[f.id] {
            touch(old.recruiterID)
            followUpIndex[old.recruiterID]?.remove(f.id)
        }
        followUpMap[f.id] = f
        followUpIndex[f.recruiterID, default: []].insert(f.id)
    }

    mutating func dropFollowUp(_ id: UUID) {
        if let owner = storedOwner(of: id, .followUp)?.1.recruiter.id { promote(owner) }
        if let old = followUpMap.removeValue(forKey: id) {
            touch(old.recruiterID)
            followUpIndex[old.recruiterID]?.remove(id)
        }
    }

    mutating func putExpectation(_ e: Expectation) {
        touch(e.recruiterID)
        promote(e.recruiterID)
        if let owner = storedOwner(of: e.id, .expectation)?.1.recruiter.id { promote(owner) }
        if let old = expectationMap[e.id] {
            touch(old.recruiterID)
            expectationIndex[old.recruiterID]?.remove(e.id)
        }
        expectationMap[e.id] = e
        expectationIndex[e.recruiterID, default: []].insert(e.id)
    }

    mutating func dropExpectation(_ id: UUID) {
        if let owner = storedOwner(of: id, .expectation)?.1.recruiter.id { promote(owner) }
        if let old = expectationMap.removeValue(forKey: id) {
            touch(old.recruiterID)
            expectationIndex[old.recruiterID]?.remove(id)
        }
    }
}

extension Message {
    /// The order of a thread: by time; within the same second an inbound message comes
    /// before an outbound one (a reply logged in the same second answers it, it does not
    /// precede it); then by id, so the order is total and the same everywhere.
    public static func threadOrder(_ a: Message, _ b: Message) -> Bool {
        if a.at != b.at { return a.at < b.at }
        if a.direction != b.direction { return a.direction == .inbound }
        return uuidLess(a.id, b.id)
    }
}

extension Array where Element == Message {
    /// Inserts `m` at its place in a thread (`Message.threadOrder`).
    mutating func insertSorted(_ m: Message) {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            let t = self[mid]
            if Message.threadOrder(t, m) { lo = mid + 1 } else { hi = mid }
        }
        insert(m, at: lo)
    }
}

/// Byte order of two UUIDs (the same order as their uppercase strings), without formatting.
@inline(__always)
public func uuidLess(_ a: UUID, _ b: UUID) -> Bool {
    withUnsafeBytes(of: a.uuid) { pa in
        withUnsafeBytes(of: b.uuid) { pb in
            for i in 0..<16 where pa[i] != pb[i] { return pa[i] < pb[i] }
            return false
        }
    }
}

/// Recruiters kept outside a database's maps (the store's cache), each record and thread
/// read when first asked for. Positions 0..<count are in id byte order (`uuidLess`).
public protocol StoredRecruiters: AnyObject, Sendable {
    var count: Int { get }
    var messageCount: Int { get }
    func id(at k: Int) -> UUID
    func position(of id: UUID) -> Int?
    /// The recruiter at `k` with everything it owns (its thread in thread order), read
    /// once and then remembered.
    func recruiter(at k: Int) -> RecruiterRecord
    /// The recruiter's own record at `k` (not its thread or records), read once and then
    /// remembered; `recruiter(at:).recruiter` unless the store can read less.
    func record(at k: Int) -> Recruiter
    /// Every recruiter's name, by position.
    func names() -> [String]
    /// Every recruiter's id, name and sort key, by position (`NameKeys`: the keys exactly
    /// as `NameKeys.append` makes them now); the keys made from `names()` unless the store
    /// kept them.
    func nameTable() -> NameTable
    /// A digest of everything stored for the recruiter at `k` (see `Database.storedDigests`).
    func digest(at k: Int) -> UInt64
    /// The position of the recruiter whose thread holds message `id`.
    func messageOwner(_ id: UUID) -> Int?
    /// The positions of the recruiters whose id is in `range`.
    func positions(in range: UUIDPrefixRange) -> Range<Int>
    /// The ids of the stored messages in `range`.
    func messageIDs(in range: UUIDPrefixRange) -> [UUID]
    /// The position of the recruiter owning the `kind` record `id`.
    func recordOwner(_ id: UUID, _ kind: StoredRecordKind) -> Int?
    /// The opportunities, follow-ups, expectations and interviews whose id is in `range`:
    /// id, kind and owner's position.
    func records(in range: UUIDPrefixRange) -> [(UUID, StoredRecordKind, Int)]
    /// The positions of the recruiters that have an opportunity with submission key `key`
    /// (`Rules.submissionKey`), each once: exactly those.
    func submitters(ofKey key: String) -> [Int]
    /// For each submission key that more than one stored recruiter has, those recruiters'
    /// positions (each once): exactly the groups `Rules.duplicateSubmissions` finds among
    /// the stored opportunities.
    func sharedSubmissions() -> [[Int]]
}

extension StoredRecruiters {
    public func record(at k: Int) -> Recruiter { recruiter(at: k).recruiter }

    public func nameTable() -> NameTable {
        let names = names()
        var table = NameTable(capacity: names.count)
        for (k, name) in names.enumerated() { table.append(id: id(at: k), name: name) }
        return table
    }
}

/// What a stored record's id names (`StoredRecruiters.recordOwner`).
public enum StoredRecordKind: UInt32, Sendable {
    case opportunity = 0, followUp, expectation, interview
}

/// The whole collections of a database over stored recruiters, built once when asked for.
private final class Memo: Sendable {
    let recruiters = Mutex<[UUID: Recruiter]?>(nil)
    let threads = Mutex<[UUID: [Message]]?>(nil)
}

/// The ids whose `uuidString` starts with a given text (any case): one range in byte
/// order, `lo...hi`. Nil when no id can start so (not hex, or a dash out of place).
public struct UUIDPrefixRange: Sendable, Equatable {
    public let lo: UUID
    public let hi: UUID

    public init?(_ text: String) {
        var lo = [UInt8](repeating: 0, count: 16), hi = [UInt8](repeating: 0xFF, count: 16)
        var nibble = 0
        for (i, c) in text.utf8.enumerated() {
            guard i < 36 else { return nil }
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == UInt8(ascii: "-") else { return nil }
                continue
            }
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            let byte = nibble / 2
            if nibble % 2 == 0 {
                lo[byte] = v << 4
                hi[byte] = (v << 4) | 0x0F
            } else {
                lo[byte] |= v
                hi[byte] = (hi[byte] & 0xF0) | v
            }
            nibble += 1
        }
        func uuid(_ b: [UInt8]) -> UUID {
            UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        }
        self.lo = uuid(lo)
        self.hi = uuid(hi)
    }

    public func contains(_ id: UUID) -> Bool { !uuidLess(id, lo) && !uuidLess(hi, id) }
}
