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

/// A single-valued field of a recruiter that `setField` edits. Values are strings as a
/// user types them; `kind` takes `agency`, `in-house` or `independent`; nil (or empty)
/// clears an optional field. `name` cannot be cleared.
public enum RecruiterField: String, Codable, Sendable, CaseIterable {
    case name, firm, kind, phone, linkedin, timeZone, notes
}

extension Recruiter {
    /// The current value of a single-valued field, as `setField` takes it.
    public func value(of field: RecruiterField) -> String? {
        switch field {
        case .name: return name
        case .firm: return firm
        case .kind: return kind.rawValue
        case .phone: return phone
        case .linkedin: return linkedin
        case .timeZone: return timeZone
        case .notes: return notes
        }
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

    // Field-level changes: where two writers may edit one recruiter at once, each touches
    // only its field, so both edits survive. A whole-record `putRecruiter` is only for
    // creating a recruiter and for putting one back.

    /// Set one single-valued field (see `RecruiterField`).
    case setField(recruiter: UUID, field: RecruiterField, value: String?)
    /// Set the relationship status; `until` lapses a dormant or declined status by itself.
    case setStatus(recruiter: UUID, status: RelationshipStatus, until: Date?)
    case setTargeting(recruiter: UUID, targeting: Targeting)
    /// Add a tag (nothing happens when the recruiter already has it).
    case addTag(recruiter: UUID, tag: String)
    case removeTag(recruiter: UUID, tag: String)
    /// Add an e-mail address (case-insensitive: nothing happens when it is known).
    case addEmail(recruiter: UUID, email: String)
    case removeEmail(recruiter: UUID, email: String)
    /// Tick (`done` = when) or untick (nil) one research checklist item.
    case setChecklistItem(recruiter: UUID, item: String, done: Date?)
    /// Set or clear the agenda (what the candidate plans to say).
    case setAgenda(recruiter: UUID, agenda: String?)
    case addReferral(recruiter: UUID, referral: Referral)
    case removeReferral(recruiter: UUID, referral: UUID)
    /// End or snooze one deadline by hand (replaces an earlier record for the same deadline).
    case dismissDeadline(recruiter: UUID, dismissal: Dismissal)
    /// Forget the dismissal of a deadline (it comes back if it is still owed).
    case undismissDeadline(recruiter: UUID, deadline: String)
}

extension Change {
    /// The recruiter a field-level change edits (nil for the other kinds).
    public var fieldTarget: UUID? {
        switch self {
        case .setField(let r, _, _), .setStatus(let r, _, _), .setTargeting(let r, _), .addTag(let r, _),
             .removeTag(let r, _), .addEmail(let r, _), .removeEmail(let r, _), .setChecklistItem(let r, _, _),
             .setAgenda(let r, _), .addReferral(let r, _), .removeReferral(let r, _),
             .dismissDeadline(let r, _), .undismissDeadline(let r, _):
            return r
        default:
            return nil
        }
    }
}

public enum ChangeError: Error, Equatable, CustomStringConvertible {
    case unknownRecruiter(UUID)
    case unknownMessage(UUID)
    case unknownOpportunity(UUID)
    case unknownFollowUp(UUID)
    case unknownExpectation(UUID)
    /// A field-level change with a value the field cannot hold.
    case invalidValue(field: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .unknownRecruiter(let id): return "no recruiter with id \(id.uuidString.lowercased())"
        case .unknownMessage(let id): return "no message with id \(id.uuidString.lowercased())"
        case .unknownOpportunity(let id): return "no opportunity with id \(id.uuidString.lowercased())"
        case .unknownFollowUp(let id): return "no follow-up with id \(id.uuidString.lowercased())"
        case .unknownExpectation(let id): return "no expectation with id \(id.uuidString.lowercased())"
        case .invalidValue(let field, let value, let expected): return "\(field) '\(value)' is not \(expected)"
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
            guard recruiter(id) != nil else { throw ChangeError.unknownRecruiter(id) }
            dropRecruiter(id)
        case .restoreRecruiter(let rec):
            dropRecruiter(rec.recruiter.id)
            putRecruiter(rec.recruiter)
            for m in rec.messages { putMessage(m) }
            for o in rec.opportunities { putOpportunity(o) }
            for f in rec.followUps { putFollowUp(f) }
            for e in rec.expectations { putExpectation(e) }
        case .putMessage(let m):
            guard recruiter(m.recruiterID) != nil else { throw ChangeError.unknownRecruiter(m.recruiterID) }
            putMessage(m)
        case .removeMessage(let id):
            guard owner(ofMessage: id) != nil else { throw ChangeError.unknownMessage(id) }
            dropMessage(id)
        case .putOpportunity(let o):
            guard recruiter(o.recruiterID) != nil else { throw ChangeError.unknownRecruiter(o.recruiterID) }
            putOpportunity(o)
        case .removeOpportunity(let id):
            guard opportunity(id) != nil else { throw ChangeError.unknownOpportunity(id) }
            dropOpportunity(id)
        case .putFollowUp(let f):
            guard recruiter(f.recruiterID) != nil else { throw ChangeError.unknownRecruiter(f.recruiterID) }
            putFollowUp(f)
        case .removeFollowUp(let id):
            guard followUp(id) != nil else { throw ChangeError.unknownFollowUp(id) }
            dropFollowUp(id)
        case .putExpectation(let e):
            guard recruiter(e.recruiterID) != nil else { throw ChangeError.unknownRecruiter(e.recruiterID) }
            putExpectation(e)
        case .removeExpectation(let id):
            guard expectation(id) != nil else { throw ChangeError.unknownExpectation(id) }
            dropExpectation(id)
        case .batch:
            try apply(change)
        case .setField, .setStatus, .setTargeting, .addTag, .removeTag, .addEmail, .removeEmail,
             .setChecklistItem, .setAgenda, .addReferral, .removeReferral, .dismissDeadline, .undismissDeadline:
            guard let id = change.fieldTarget, var r = recruiter(id) else {
                throw ChangeError.unknownRecruiter(change.fieldTarget ?? UUID())
            }
            try Self.edit(&r, change)
            putRecruiter(r)
        }
    }

    /// Applies a field-level change to one recruiter value.
    static func edit(_ r: inout Recruiter, _ change: Change) throws {
        func clean(_ v: String?) -> String? {
            guard let v, !v.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            return v
        }
        switch change {
        case .setField(_, let field, let value):
            switch field {
            case .name:
                guard let v = clean(value) else { throw ChangeError.invalidValue(field: "name", value: value ?? "", expected: "a name (it cannot be empty)") }
                r.name = v
            case .firm: r.firm = clean(value)
            case .kind:
                guard let k = RecruiterKind(rawValue: value ?? "") else {
                    throw ChangeError.invalidValue(field: "kind", value: value ?? "", expected: "agency, in-house or independent")
                }
                r.kind = k
            case .phone: r.phone = clean(value)
            case .linkedin: r.linkedin = clean(value)
            case .timeZone: r.timeZone = clean(value)
            case .notes: r.notes = clean(value)
            }
        case .setStatus(_, let status, let until):
            r.status = status
            r.statusUntil = until
        case .setTargeting(_, let t):
            r.targeting = t
        case .addTag(_, let tag):
            if !r.tags.contains(tag) { r.tags.append(tag) }
        case .removeTag(_, let tag):
            r.tags.removeAll { $0 == tag }
        case .addEmail(_, let e):
            if !r.hasEmail(e) { r.emails.append(e) }
        case .removeEmail(_, let e):
            r.emails.removeAll { $0.caseInsensitiveCompare(e) == .orderedSame }
        case .setChecklistItem(_, let item, let done):
            r.checklist.done[item] = done
        case .setAgenda(_, let agenda):
            r.checklist.agenda = clean(agenda)
        case .addReferral(_, let ref):
            if !r.referrals.contains(where: { $0.id == ref.id }) {
                r.referrals.append(ref)
                r.referrals.sort { $0.at < $1.at }
            }
        case .removeReferral(_, let id):
            r.referrals.removeAll { $0.id == id }
        case .dismissDeadline(_, let d):
            r.dismissals.removeAll { $0.deadline == d.deadline }
            r.dismissals.append(d)
        case .undismissDeadline(_, let deadline):
            r.dismissals.removeAll { $0.deadline == deadline }
        default:
            break
        }
    }

    /// The field-level change that puts `r`'s current value back, for the inverse of `change`.
    static func fieldInverse(of change: Change, current r: Recruiter) -> Change {
        let id = r.id
        switch change {
        case .setField(_, let field, _):
            return .setField(recruiter: id, field: field, value: r.value(of: field))
        case .setStatus:
            return .setStatus(recruiter: id, status: r.status, until: r.statusUntil)
        case .setTargeting:
            return .setTargeting(recruiter: id, targeting: r.targeting)
        case .addTag(_, let tag):
            return r.tags.contains(tag) ? .batch([]) : .removeTag(recruiter: id, tag: tag)
        case .removeTag(_, let tag):
            return r.tags.contains(tag) ? .addTag(recruiter: id, tag: tag) : .batch([])
        case .addEmail(_, let e):
            return r.hasEmail(e) ? .batch([]) : .removeEmail(recruiter: id, email: e)
        case .removeEmail(_, let e):
            if let existing = r.emails.first(where: { $0.caseInsensitiveCompare(e) == .orderedSame }) {
                return .addEmail(recruiter: id, email: existing)
            }
            return .batch([])
        case .setChecklistItem(_, let item, _):
            return .setChecklistItem(recruiter: id, item: item, done: r.checklist.done[item])
        case .setAgenda:
            return .setAgenda(recruiter: id, agenda: r.checklist.agenda)
        case .addReferral(_, let ref):
            return r.referrals.contains(where: { $0.id == ref.id }) ? .batch([]) : .removeReferral(recruiter: id, referral: ref.id)
        case .removeReferral(_, let refID):
            return r.referrals.first(where: { $0.id == refID }).map { .addReferral(recruiter: id, referral: $0) } ?? .batch([])
        case .dismissDeadline(_, let d):
            return r.dismissal(of: d.deadline).map { .dismissDeadline(recruiter: id, dismissal: $0) }
                ?? .undismissDeadline(recruiter: id, deadline: d.deadline)
        case .undismissDeadline(_, let deadline):
            return r.dismissal(of: deadline).map { .dismissDeadline(recruiter: id, dismissal: $0) } ?? .batch([])
        default:
            return .batch([])
        }
    }

    /// The change that undoes `change`, computed against the state *before* it is applied.
    /// Throws, like `apply`, when `change` names something that does not exist, so
    /// computing the inverse also checks the change.
    public func inverse(of change: Change) throws -> Change {
        var scratch = self
        return try scratch.inverseApplying(change)
    }

    /// Applies `change` and returns its inverse computed against the state before it,
    /// in one pass (what the store does under its lock). Throws, leaving `self`
    /// unchanged, like `apply`.
    public mutating func applyReturningInverse(_ change: Change) throws -> Change {
        var copy = self
        let inv = try copy.inverseApplying(change)
        self = copy
        return inv
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
            inv = recruiter(r.id).map(Change.putRecruiter) ?? .removeRecruiter(r.id)
        case .removeRecruiter(let id):
            inv = record(of: id).map(Change.restoreRecruiter) ?? .removeRecruiter(id)
        case .restoreRecruiter(let rec):
            inv = record(of: rec.recruiter.id).map(Change.restoreRecruiter) ?? .removeRecruiter(rec.recruiter.id)
        case .putMessage(let m):
            inv = message(m.id).map(Change.putMessage) ?? .removeMessage(m.id)
        case .removeMessage(let id):
            inv = message(id).map(Change.putMessage) ?? .batch([])
        case .putOpportunity(let o):
            inv = opportunity(o.id).map(Change.putOpportunity) ?? .removeOpportunity(o.id)
        case .removeOpportunity(let id):
            inv = opportunity(id).map(Change.putOpportunity) ?? .batch([])
        case .putFollowUp(let f):
            inv = followUp(f.id).map(Change.putFollowUp) ?? .removeFollowUp(f.id)
        case .removeFollowUp(let id):
            inv = followUp(id).map(Change.putFollowUp) ?? .batch([])
        case .putExpectation(let e):
            inv = expectation(e.id).map(Change.putExpectation) ?? .removeExpectation(e.id)
        case .removeExpectation(let id):
            inv = expectation(id).map(Change.putExpectation) ?? .batch([])
        case .setField, .setStatus, .setTargeting, .addTag, .removeTag, .addEmail, .removeEmail,
             .setChecklistItem, .setAgenda, .addReferral, .removeReferral, .dismissDeadline, .undismissDeadline:
            guard let id = change.fieldTarget, let r = recruiter(id) else {
                throw ChangeError.unknownRecruiter(change.fieldTarget ?? UUID())
            }
            inv = Self.fieldInverse(of: change, current: r)
        }
        try applyOne(change)
        return inv
    }

    /// A recruiter with everything it owns.
    public func record(of id: UUID) -> RecruiterRecord? {
        guard let r = recruiter(id) else { return nil }
        return RecruiterRecord(
            recruiter: r, messages: thread(id), opportunities: opportunities(of: id),
            followUps: followUps(of: id), expectations: expectations(of: id))
    }
}
