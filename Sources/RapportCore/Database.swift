import Foundation

/// Everything Rapport knows, in memory. Mutated only by `apply(_:)` with a `Change`.
///
/// Messages are kept per recruiter, sorted by time (then id), so a thread is a slice
/// and the rules never sort on the hot path.
public struct Database: Sendable, Equatable {
    public private(set) var recruiters: [UUID: Recruiter] = [:]
    /// Per recruiter, sorted by `at` then `id`.
    public private(set) var threads: [UUID: [Message]] = [:]
    public private(set) var opportunities: [UUID: Opportunity] = [:]
    public private(set) var followUps: [UUID: FollowUp] = [:]
    public private(set) var expectations: [UUID: Expectation] = [:]
    /// Message id -> recruiter id, to find a message without scanning.
    public private(set) var messageOwner: [UUID: UUID] = [:]
    /// Recruiter id -> ids of what it owns, so per-recruiter lookups never scan everything.
    private var opportunityIndex: [UUID: Set<UUID>] = [:]
    private var followUpIndex: [UUID: Set<UUID>] = [:]
    private var expectationIndex: [UUID: Set<UUID>] = [:]
    /// Top-level fields of the snapshot this build does not know; kept verbatim.
    public var extra: [String: JSONValue] = [:]
    /// Per recruiter, a digest of everything stored for it (the record, its flag records,
    /// thread, opportunities, follow-ups and expectations) as the store's cache had it when
    /// this database was loaded; dropped for a recruiter as soon as anything of it changes.
    /// Derived data beside the store (the rules' results) is keyed by it. Empty when the
    /// database was not loaded from a cache. Not part of equality.
    public private(set) var storedDigests: [UUID: UInt64] = [:]

    public init() {}

    /// The digest of `recruiterID`'s stored data when nothing of it changed since loading.
    public func storedDigest(of recruiterID: UUID) -> UInt64? { storedDigests[recruiterID] }

    /// Set by the store's loader: the digests of the data just loaded.
    public mutating func adoptStoredDigests(_ digests: [UUID: UInt64]) { storedDigests = digests }

    @inline(__always) private mutating func touch(_ recruiterID: UUID) {
        if !storedDigests.isEmpty { storedDigests[recruiterID] = nil }
    }

    /// Equal when the data is equal (the private indexes follow from it).
    public static func == (a: Database, b: Database) -> Bool {
        a.recruiters == b.recruiters && a.threads == b.threads && a.opportunities == b.opportunities
            && a.followUps == b.followUps && a.expectations == b.expectations && a.extra == b.extra
    }

    public var messageCount: Int { messageOwner.count }

    public func thread(_ recruiterID: UUID) -> [Message] { threads[recruiterID] ?? [] }

    public func message(_ id: UUID) -> Message? {
        guard let owner = messageOwner[id], let thread = threads[owner] else { return nil }
        return thread.first { $0.id == id }
    }

    public func opportunities(of recruiterID: UUID) -> [Opportunity] {
        (opportunityIndex[recruiterID] ?? []).compactMap { opportunities[$0] }.sorted { uuidLess($0.id, $1.id) }
    }

    public func followUps(of recruiterID: UUID) -> [FollowUp] {
        (followUpIndex[recruiterID] ?? []).compactMap { followUps[$0] }
            .sorted { $0.due != $1.due ? $0.due < $1.due : uuidLess($0.id, $1.id) }
    }

    public func expectations(of recruiterID: UUID) -> [Expectation] {
        (expectationIndex[recruiterID] ?? []).compactMap { expectations[$0] }
            .sorted { $0.by != $1.by ? $0.by < $1.by : uuidLess($0.id, $1.id) }
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
        db.recruiters.reserveCapacity(recruiters.count)
        for (k, r) in recruiters.enumerated() {
            guard db.recruiters.updateValue(r, forKey: r.id) == nil else {
                throw BulkFailure(collection: "recruiters", index: k, reason: "the id \(r.id.uuidString) appears twice")
            }
        }
        func unknown(_ what: String, _ k: Int, _ id: UUID) -> BulkFailure {
            BulkFailure(collection: what, index: k, reason: ChangeError.unknownRecruiter(id).description)
        }
        db.messageOwner.reserveCapacity(messages.count)
        var repeated = false
        for (k, m) in messages.enumerated() {
            guard db.recruiters[m.recruiterID] != nil else { throw unknown("messages", k, m.recruiterID) }
            if db.messageOwner.updateValue(m.recruiterID, forKey: m.id) != nil { repeated = true }
        }
        if repeated {
            // A message id given twice: the later record replaces the earlier one, as
            // `putMessage` does. Rare (hand-edited files), so the per-insert path does it.
            db.messageOwner = [:]
            for m in messages { db.putMessage(m) }
        } else {
            for m in messages { db.threads[m.recruiterID, default: []].append(m) }
            for id in Array(db.threads.keys) {
                db.threads[id]!.sort(by: Message.threadOrder)
            }
        }
        for (k, o) in opportunities.enumerated() {
            guard db.recruiters[o.recruiterID] != nil else { throw unknown("opportunities", k, o.recruiterID) }
            db.putOpportunity(o)
        }
        for (k, f) in followUps.enumerated() {
            guard db.recruiters[f.recruiterID] != nil else { throw unknown("followUps", k, f.recruiterID) }
            db.putFollowUp(f)
        }
        for (k, e) in expectations.enumerated() {
            guard db.recruiters[e.recruiterID] != nil else { throw unknown("expectations", k, e.recruiterID) }
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
        db.recruiters.reserveCapacity(recruiters.count)
        db.threads.reserveCapacity(recruiters.count)
        db.messageOwner.reserveCapacity(threads.reduce(0) { $0 + $1.count })
        for (k, r) in recruiters.enumerated() {
            guard db.recruiters.updateValue(r, forKey: r.id) == nil else { return try general() }
            let thread = threads[k]
            if thread.isEmpty { continue }
            for (i, m) in thread.enumerated() {
                guard m.recruiterID == r.id, i == 0 || Message.threadOrder(thread[i - 1], m),
                      db.messageOwner.updateValue(r.id, forKey: m.id) == nil else { return try general() }
            }
            db.threads[r.id] = thread
        }
        func unknown(_ what: String, _ k: Int, _ id: UUID) -> BulkFailure {
            BulkFailure(collection: what, index: k, reason: ChangeError.unknownRecruiter(id).description)
        }
        for (k, o) in opportunities.enumerated() {
            guard db.recruiters[o.recruiterID] != nil else { throw unknown("opportunities", k, o.recruiterID) }
            db.putOpportunity(o)
        }
        for (k, f) in followUps.enumerated() {
            guard db.recruiters[f.recruiterID] != nil else { throw unknown("followUps", k, f.recruiterID) }
            db.putFollowUp(f)
        }
        for (k, e) in expectations.enumerated() {
            guard db.recruiters[e.recruiterID] != nil else { throw unknown("expectations", k, e.recruiterID) }
            db.putExpectation(e)
        }
        return db
    }

    // MARK: - Raw mutators, used only by `apply`.

    mutating func putRecruiter(_ r: Recruiter) {
        touch(r.id)
        recruiters[r.id] = r
    }

    mutating func dropRecruiter(_ id: UUID) {
        touch(id)
        recruiters[id] = nil
        for m in threads[id] ?? [] { messageOwner[m.id] = nil }
        threads[id] = nil
        for o in opportunityIndex.removeValue(forKey: id) ?? [] { opportunities[o] = nil }
        for f in followUpIndex.removeValue(forKey: id) ?? [] { followUps[f] = nil }
        for e in expectationIndex.removeValue(forKey: id) ?? [] { expectations[e] = nil }
    }

    mutating func putMessage(_ m: Message) {
        touch(m.recruiterID)
        if let owner = messageOwner[m.id] { removeMessage(m.id, owner: owner) }
        // Mutated in place (no copy of the thread per insert); a binary search for the
        // insertion point keeps it sorted.
        threads[m.recruiterID, default: []].insertSorted(m)
        messageOwner[m.id] = m.recruiterID
    }

    mutating func dropMessage(_ id: UUID) {
        guard let owner = messageOwner[id] else { return }
        removeMessage(id, owner: owner)
    }

    private mutating func removeMessage(_ id: UUID, owner: UUID) {
        touch(owner)
        threads[owner]?.removeAll { $0.id == id }
        if threads[owner]?.isEmpty == true { threads[owner] = nil }
        messageOwner[id] = nil
    }

    mutating func putOpportunity(_ o: Opportunity) {
        touch(o.recruiterID)
        if let old = opportunities[o.id] {
            touch(old.recruiterID)
            opportunityIndex[old.recruiterID]?.remove(o.id)
        }
        opportunities[o.id] = o
        opportunityIndex[o.recruiterID, default: []].insert(o.id)
    }

    mutating func dropOpportunity(_ id: UUID) {
        if let old = opportunities.removeValue(forKey: id) {
            touch(old.recruiterID)
            opportunityIndex[old.recruiterID]?.remove(id)
        }
    }

    mutating func putFollowUp(_ f: FollowUp) {
        touch(f.recruiterID)
        if let old = followUps[f.id] {
            touch(old.recruiterID)
            followUpIndex[old.recruiterID]?.remove(f.id)
        }
        followUps[f.id] = f
        followUpIndex[f.recruiterID, default: []].insert(f.id)
    }

    mutating func dropFollowUp(_ id: UUID) {
        if let old = followUps.removeValue(forKey: id) {
            touch(old.recruiterID)
            followUpIndex[old.recruiterID]?.remove(id)
        }
    }

    mutating func putExpectation(_ e: Expectation) {
        touch(e.recruiterID)
        if let old = expectations[e.id] {
            touch(old.recruiterID)
            expectationIndex[old.recruiterID]?.remove(e.id)
        }
        expectations[e.id] = e
        expectationIndex[e.recruiterID, default: []].insert(e.id)
    }

    mutating func dropExpectation(_ id: UUID) {
        if let old = expectations.removeValue(forKey: id) {
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
