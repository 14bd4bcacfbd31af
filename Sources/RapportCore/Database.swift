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

    public init() {}

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
        recruiters.values.sorted {
            let a = $0.name.lowercased(), b = $1.name.lowercased()
            return a != b ? a < b : uuidLess($0.id, $1.id)
        }
    }

    // MARK: - Raw mutators, used only by `apply`.

    mutating func putRecruiter(_ r: Recruiter) { recruiters[r.id] = r }

    mutating func dropRecruiter(_ id: UUID) {
        recruiters[id] = nil
        for m in threads[id] ?? [] { messageOwner[m.id] = nil }
        threads[id] = nil
        for o in opportunityIndex.removeValue(forKey: id) ?? [] { opportunities[o] = nil }
        for f in followUpIndex.removeValue(forKey: id) ?? [] { followUps[f] = nil }
        for e in expectationIndex.removeValue(forKey: id) ?? [] { expectations[e] = nil }
    }

    mutating func putMessage(_ m: Message) {
        if let owner = messageOwner[m.id] { removeMessage(m.id, owner: owner) }
        var thread = threads[m.recruiterID] ?? []
        // Binary search for the insertion point keeps the thread sorted.
        var lo = 0, hi = thread.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let t = thread[mid]
            if Message.threadOrder(t, m) { lo = mid + 1 } else { hi = mid }
        }
        thread.insert(m, at: lo)
        threads[m.recruiterID] = thread
        messageOwner[m.id] = m.recruiterID
    }

    mutating func dropMessage(_ id: UUID) {
        guard let owner = messageOwner[id] else { return }
        removeMessage(id, owner: owner)
    }

    private mutating func removeMessage(_ id: UUID, owner: UUID) {
        threads[owner]?.removeAll { $0.id == id }
        if threads[owner]?.isEmpty == true { threads[owner] = nil }
        messageOwner[id] = nil
    }

    mutating func putOpportunity(_ o: Opportunity) {
        if let old = opportunities[o.id] { opportunityIndex[old.recruiterID]?.remove(o.id) }
        opportunities[o.id] = o
        opportunityIndex[o.recruiterID, default: []].insert(o.id)
    }

    mutating func dropOpportunity(_ id: UUID) {
        if let old = opportunities.removeValue(forKey: id) { opportunityIndex[old.recruiterID]?.remove(id) }
    }

    mutating func putFollowUp(_ f: FollowUp) {
        if let old = followUps[f.id] { followUpIndex[old.recruiterID]?.remove(f.id) }
        followUps[f.id] = f
        followUpIndex[f.recruiterID, default: []].insert(f.id)
    }

    mutating func dropFollowUp(_ id: UUID) {
        if let old = followUps.removeValue(forKey: id) { followUpIndex[old.recruiterID]?.remove(id) }
    }

    mutating func putExpectation(_ e: Expectation) {
        if let old = expectations[e.id] { expectationIndex[old.recruiterID]?.remove(e.id) }
        expectations[e.id] = e
        expectationIndex[e.recruiterID, default: []].insert(e.id)
    }

    mutating func dropExpectation(_ id: UUID) {
        if let old = expectations.removeValue(forKey: id) { expectationIndex[old.recruiterID]?.remove(id) }
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
