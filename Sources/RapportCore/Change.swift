import Foundation

/// Everything a recruiter owns, for deleting a recruiter and undoing that.
public struct RecruiterRecord: Codable, Sendable, Equatable {
    public var recruiter: Recruiter
    public var messages: [Message]
    public var opportunities: [Opportunity]
    public var followUps: [FollowUp]
    public var expectations: [Expectation]

    public init(recruiter: Recruiter, messages: [Message] = [], opportunities: [Opportunity] = [],
                followUps: [FollowUp] = [], expectations: [Expectation] = []) {
        self.recruiter = recruiter
        self.messages = messages
        self.opportunities = opportunities
        self.followUps = followUps
        self.expectations = expectations
    }
}

/// The one mutation type. Every change to the data, from the TUI, the CLI or an
/// importer, is a `Change` applied by `Database.apply(_:)`. The store journals exactly
/// these values; undo applies `inverse(in:)` computed before the change.
public enum Change: Codable, Sendable, Equatable {
    /// Add a recruiter or replace it (same id) with this value.
    case putRecruiter(Recruiter)
    /// Remove a recruiter and everything it owns.
    case removeRecruiter(UUID)
    /// Put back a recruiter with everything it owned (the inverse of `removeRecruiter`).
    case restoreRecruiter(RecruiterRecord)
    case putMessage(Message)
    case removeMessage(UUID)
    case putOpportunity(Opportunity)
    case removeOpportunity(UUID)
    case putFollowUp(FollowUp)
    case removeFollowUp(UUID)
    case putExpectation(Expectation)
    case removeExpectation(UUID)
    /// Several changes applied in order as one step (one journal line, one undo).
    case batch([Change])
}

public enum ChangeError: Error, Equatable, CustomStringConvertible {
    case unknownRecruiter(UUID)
    case unknownMessage(UUID)
    case unknownOpportunity(UUID)
    case unknownFollowUp(UUID)
    case unknownExpectation(UUID)

    public var description: String {
        switch self {
        case .unknownRecruiter(let id): return "no recruiter with id \(id.uuidString.lowercased())"
        case .unknownMessage(let id): return "no message with id \(id.uuidString.lowercased())"
        case .unknownOpportunity(let id): return "no opportunity with id \(id.uuidString.lowercased())"
        case .unknownFollowUp(let id): return "no follow-up with id \(id.uuidString.lowercased())"
        case .unknownExpectation(let id): return "no expectation with id \(id.uuidString.lowercased())"
        }
    }
}

extension Database {
    /// The one function that mutates the model. Throws, leaving `self` unchanged, when
    /// the change names something that does not exist.
    public mutating func apply(_ change: Change) throws {
        switch change {
        case .batch(let changes):
            var copy = self
            for c in changes { try copy.apply(c) }
            self = copy
        default:
            try applyOne(change)
        }
    }

    private mutating func applyOne(_ change: Change) throws {
        switch change {
        case .putRecruiter(let r):
            putRecruiter(r)
        case .removeRecruiter(let id):
            guard recruiters[id] != nil else { throw ChangeError.unknownRecruiter(id) }
            dropRecruiter(id)
        case .restoreRecruiter(let rec):
            dropRecruiter(rec.recruiter.id)
            putRecruiter(rec.recruiter)
            for m in rec.messages { putMessage(m) }
            for o in rec.opportunities { putOpportunity(o) }
            for f in rec.followUps { putFollowUp(f) }
            for e in rec.expectations { putExpectation(e) }
        case .putMessage(let m):
            guard recruiters[m.recruiterID] != nil else { throw ChangeError.unknownRecruiter(m.recruiterID) }
            putMessage(m)
        case .removeMessage(let id):
            guard messageOwner[id] != nil else { throw ChangeError.unknownMessage(id) }
            dropMessage(id)
        case .putOpportunity(let o):
            guard recruiters[o.recruiterID] != nil else { throw ChangeError.unknownRecruiter(o.recruiterID) }
            putOpportunity(o)
        case .removeOpportunity(let id):
            guard opportunities[id] != nil else { throw ChangeError.unknownOpportunity(id) }
            dropOpportunity(id)
        case .putFollowUp(let f):
            guard recruiters[f.recruiterID] != nil else { throw ChangeError.unknownRecruiter(f.recruiterID) }
            putFollowUp(f)
        case .removeFollowUp(let id):
            guard followUps[id] != nil else { throw ChangeError.unknownFollowUp(id) }
            dropFollowUp(id)
        case .putExpectation(let e):
            guard recruiters[e.recruiterID] != nil else { throw ChangeError.unknownRecruiter(e.recruiterID) }
            putExpectation(e)
        case .removeExpectation(let id):
            guard expectations[id] != nil else { throw ChangeError.unknownExpectation(id) }
            dropExpectation(id)
        case .batch:
            try apply(change)
        }
    }

    /// The change that undoes `change`, computed against the state *before* it is applied.
    /// Throws, like `apply`, when `change` names something that does not exist, so
    /// computing the inverse also checks the change.
    public func inverse(of change: Change) throws -> Change {
        var scratch = self
        return try scratch.inverseApplying(change)
    }

    /// Inverse of `change` given the current state, then applies `change` to `self`
    /// (so batches see the state each element sees).
    private mutating func inverseApplying(_ change: Change) throws -> Change {
        let inv: Change
        switch change {
        case .batch(let changes):
            var parts: [Change] = []
            for c in changes { parts.append(try inverseApplying(c)) }
            return .batch(parts.reversed())
        case .putRecruiter(let r):
            inv = recruiters[r.id].map(Change.putRecruiter) ?? .removeRecruiter(r.id)
        case .removeRecruiter(let id):
            inv = record(of: id).map(Change.restoreRecruiter) ?? .removeRecruiter(id)
        case .restoreRecruiter(let rec):
            inv = record(of: rec.recruiter.id).map(Change.restoreRecruiter) ?? .removeRecruiter(rec.recruiter.id)
        case .putMessage(let m):
            inv = message(m.id).map(Change.putMessage) ?? .removeMessage(m.id)
        case .removeMessage(let id):
            inv = message(id).map(Change.putMessage) ?? .batch([])
        case .putOpportunity(let o):
            inv = opportunities[o.id].map(Change.putOpportunity) ?? .removeOpportunity(o.id)
        case .removeOpportunity(let id):
            inv = opportunities[id].map(Change.putOpportunity) ?? .batch([])
        case .putFollowUp(let f):
            inv = followUps[f.id].map(Change.putFollowUp) ?? .removeFollowUp(f.id)
        case .removeFollowUp(let id):
            inv = followUps[id].map(Change.putFollowUp) ?? .batch([])
        case .putExpectation(let e):
            inv = expectations[e.id].map(Change.putExpectation) ?? .removeExpectation(e.id)
        case .removeExpectation(let id):
            inv = expectations[id].map(Change.putExpectation) ?? .batch([])
        }
        try applyOne(change)
        return inv
    }

    /// A recruiter with everything it owns.
    public func record(of id: UUID) -> RecruiterRecord? {
        guard let r = recruiters[id] else { return nil }
        return RecruiterRecord(
            recruiter: r, messages: thread(id), opportunities: opportunities(of: id),
            followUps: followUps(of: id), expectations: expectations(of: id))
    }
}
