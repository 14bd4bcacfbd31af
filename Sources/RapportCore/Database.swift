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
    /// Top-level fields of the snapshot this build does not know; kept verbatim.
    public var extra: [String: JSONValue] = [:]

    public init() {}

    public var messageCount: Int { messageOwner.count }

    public func thread(_ recruiterID: UUID) -> [Message] { threads[recruiterID] ?? [] }

    public func message(_ id: UUID) -> Message? {
        guard let owner = messageOwner[id], let thread = threads[owner] else { return nil }
        return thread.first { $0.id == id }
    }

    public func opportunities(of recruiterID: UUID) -> [Opportunity] {
        opportunities.values.filter { $0.recruiterID == recruiterID }.sorted { $0.id.uuidString < $1.id.uuidString }
    }

    public func followUps(of recruiterID: UUID) -> [FollowUp] {
        followUps.values.filter { $0.recruiterID == recruiterID }.sorted { ($0.due, $0.id.uuidString) < ($1.due, $1.id.uuidString) }
    }

    public func expectations(of recruiterID: UUID) -> [Expectation] {
        expectations.values.filter { $0.recruiterID == recruiterID }.sorted { ($0.by, $0.id.uuidString) < ($1.by, $1.id.uuidString) }
    }

    /// Recruiters sorted by name (case-insensitive), then id: a stable base order.
    public var recruitersByName: [Recruiter] {
        recruiters.values.sorted {
            let a = $0.name.lowercased(), b = $1.name.lowercased()
            return a != b ? a < b : $0.id.uuidString < $1.id.uuidString
        }
    }

    // MARK: - Raw mutators, used only by `apply`.

    mutating func putRecruiter(_ r: Recruiter) { recruiters[r.id] = r }

    mutating func dropRecruiter(_ id: UUID) {
        recruiters[id] = nil
        for m in threads[id] ?? [] { messageOwner[m.id] = nil }
        threads[id] = nil
        opportunities = opportunities.filter { $0.value.recruiterID != id }
        followUps = followUps.filter { $0.value.recruiterID != id }
        expectations = expectations.filter { $0.value.recruiterID != id }
    }

    mutating func putMessage(_ m: Message) {
        if let owner = messageOwner[m.id] { removeMessage(m.id, owner: owner) }
        var thread = threads[m.recruiterID] ?? []
        // Binary search for the insertion point keeps the thread sorted.
        var lo = 0, hi = thread.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let t = thread[mid]
            if (t.at, t.id.uuidString) < (m.at, m.id.uuidString) { lo = mid + 1 } else { hi = mid }
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

    mutating func putOpportunity(_ o: Opportunity) { opportunities[o.id] = o }
    mutating func dropOpportunity(_ id: UUID) { opportunities[id] = nil }
    mutating func putFollowUp(_ f: FollowUp) { followUps[f.id] = f }
    mutating func dropFollowUp(_ id: UUID) { followUps[id] = nil }
    mutating func putExpectation(_ e: Expectation) { expectations[e.id] = e }
    mutating func dropExpectation(_ id: UUID) { expectations[id] = nil }
}
