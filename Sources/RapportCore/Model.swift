import Foundation

/// What kind of recruiter this is.
public enum RecruiterKind: String, Codable, Sendable, CaseIterable {
    case agency
    case inHouse = "in-house"
    case independent
}

/// Whether the recruiter writes to the candidate personally or mass-mails.
public enum Targeting: String, Codable, Sendable, CaseIterable {
    case targeted
    case blanket
}

/// The state of the relationship as the candidate sees it.
public enum RelationshipStatus: String, Codable, Sendable, CaseIterable {
    case active
    case ally
    case dormant
    case declined
    case doNotContact = "do-not-contact"
}

public enum Direction: String, Codable, Sendable, CaseIterable {
    case inbound = "in"
    case outbound = "out"
}

public enum Channel: String, Codable, Sendable, CaseIterable {
    case email
    case linkedin
    case phone
    case text
    case other
}

public enum Stage: String, Codable, Sendable, CaseIterable {
    case sourced
    case screen
    case interview
    case final
    case offer
    case closedWon = "closed-won"
    case closedLost = "closed-lost"
    case withdrawn
}

/// A flag as persisted on a recruiter in the store, with the moment it was first seen.
public struct FlagRecord: Codable, Sendable, Equatable, Hashable {
    public var flag: Flag
    public var since: Date
    public init(flag: Flag, since: Date) {
        self.flag = flag
        self.since = since
    }
}

public struct Recruiter: Codable, Sendable, Equatable, Identifiable {
    public var id: UUID
    public var name: String
    public var firm: String?
    public var kind: RecruiterKind
    public var targeting: Targeting
    /// Every e-mail address known for this recruiter, the primary one first (importers and
    /// mail add to it; `addEmail` / `removeEmail` changes edit it one address at a time).
    public var emails: [String]
    public var phone: String?
    public var linkedin: String?
    /// IANA time zone name, e.g. "Europe/Berlin".
    public var timeZone: String?
    public var tags: [String]
    public var notes: String?
    public var status: RelationshipStatus
    /// When a `dormant` or `declined` status lapses by itself (nil: until changed).
    public var statusUntil: Date?
    public var created: Date
    /// Flags computed at the last save, persisted so other tools reading the JSON see them.
    public var flags: [FlagRecord]
    /// Research done before a call (profile reviewed, firm vetted) and the agenda. Empty by default.
    public var checklist: Checklist
    /// Referrals the candidate gave this recruiter, oldest first.
    public var referrals: [Referral]
    /// Deadlines the candidate ended by hand (dismissed with a reason, or snoozed), keyed
    /// by the deadline's id; at most one per deadline, oldest first.
    public var dismissals: [Dismissal]
    /// Fields this build does not know (from a newer version or a hand edit); kept verbatim.
    public var extra: [String: JSONValue]

    public init(
        id: UUID = UUID(), name: String, firm: String? = nil, kind: RecruiterKind = .agency,
        targeting: Targeting = .targeted, email: String? = nil, emails: [String] = [], phone: String? = nil,
        linkedin: String? = nil, timeZone: String? = nil, tags: [String] = [], notes: String? = nil,
        status: RelationshipStatus = .active, statusUntil: Date? = nil, created: Date, flags: [FlagRecord] = [],
        checklist: Checklist = Checklist(), referrals: [Referral] = [], dismissals: [Dismissal] = [],
        extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.name = name
        self.firm = firm
        self.kind = kind
        self.targeting = targeting
        var all = emails
        if let email, !all.contains(where: { $0.caseInsensitiveCompare(email) == .orderedSame }) { all.insert(email, at: 0) }
        self.emails = all
        self.phone = phone
        self.linkedin = linkedin
        self.timeZone = timeZone
        self.tags = tags
        self.notes = notes
        self.status = status
        self.statusUntil = statusUntil
        self.created = created
        self.flags = flags
        self.checklist = checklist
        self.referrals = referrals
        self.dismissals = dismissals
        self.extra = extra
    }
}

/// A deadline the candidate ended or put off by hand. `until` nil: ended for good (a
/// dismissal, with its reason); `until` set: snoozed, the deadline comes back due at
/// `until`. Reply, check-in, thank-you, interview and expectation deadlines are ended
/// this way; follow-ups also by their own `done` / `snoozedUntil`.
public struct Dismissal: Codable, Sendable, Equatable, Hashable {
    /// The id of the deadline (`check-in:<message>`, `reply:<message>`, …).
    public var deadline: String
    /// When it was dismissed or snoozed.
    public var at: Date
    public var until: Date?
    public var reason: String?
    public var extra: [String: JSONValue]

    public init(deadline: String, at: Date, until: Date? = nil, reason: String? = nil, extra: [String: JSONValue] = [:]) {
        self.deadline = deadline
        self.at = at
        self.until = until
        self.reason = reason
        self.extra = extra
    }

    static let codingKeys: Set<String> = ["deadline", "at", "until", "reason"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ModelKey.self)
        self.init(deadline: try c.decode(String.self, forKey: "deadline"), at: try c.decode(Date.self, forKey: "at"),
                  until: try c.decodeIfPresent(Date.self, forKey: "until"),
                  reason: try c.decodeIfPresent(String.self, forKey: "reason"),
                  extra: try c.extras(known: Self.codingKeys))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ModelKey.self)
        try c.encode(deadline, forKey: "deadline")
        try c.encode(at, forKey: "at")
        try c.encodeIfPresent(until, forKey: "until")
        try c.encodeIfPresent(reason, forKey: "reason")
        try c.encodeExtras(extra, known: Self.codingKeys)
    }
}

extension Recruiter {
    /// The dismissal recorded for `deadlineID`, if any.
    public func dismissal(of deadlineID: String) -> Dismissal? {
        dismissals.first { $0.deadline == deadlineID }
    }

    /// The primary e-mail address (the first of `emails`). Setting it replaces the primary
    /// address; setting nil removes it.
    public var email: String? {
        get { emails.first }
        set {
            if let v = newValue {
                if emails.isEmpty { emails = [v] } else { emails[0] = v }
            } else if !emails.isEmpty {
                emails.removeFirst()
            }
        }
    }

    /// True when `address` is one of this recruiter's addresses (case-insensitive).
    public func hasEmail(_ address: String) -> Bool {
        emails.contains { $0.caseInsensitiveCompare(address) == .orderedSame }
    }
}

public struct Message: Codable, Sendable, Equatable, Identifiable {
    public var id: UUID
    public var recruiterID: UUID
    public var direction: Direction
    public var channel: Channel
    public var at: Date
    public var subject: String?
    public var body: String?
    /// An inbound message that needs no reply (a newsletter, an FYI) never becomes "open".
    public var noReplyNeeded: Bool
    public var extra: [String: JSONValue]

    public init(
        id: UUID = UUID(), recruiterID: UUID, direction: Direction, channel: Channel = .email,
        at: Date, subject: String? = nil, body: String? = nil, noReplyNeeded: Bool = false,
        extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.recruiterID = recruiterID
        self.direction = direction
        self.channel = channel
        self.at = at
        self.subject = subject
        self.body = body
        self.noReplyNeeded = noReplyNeeded
        self.extra = extra
    }
}

public struct InterviewEvent: Codable, Sendable, Equatable, Identifiable {
    public var id: UUID
    public var at: Date
    /// Length in minutes; the interview "ends" at `at + durationMinutes`.
    public var durationMinutes: Int
    public var interviewers: [String]

    public init(id: UUID = UUID(), at: Date, durationMinutes: Int = 60, interviewers: [String] = []) {
        self.id = id
        self.at = at
        self.durationMinutes = durationMinutes
        self.interviewers = interviewers
    }
}

public struct Opportunity: Codable, Sendable, Equatable, Identifiable {
    public var id: UUID
    public var recruiterID: UUID
    public var role: String
    /// Unknown for many agency roles.
    public var employer: String?
    public var stage: Stage
    public var interviews: [InterviewEvent]
    public var nextStep: String?
    /// Research done for this opportunity (company site read) and the agenda. Empty by default.
    public var checklist: Checklist
    public var extra: [String: JSONValue]

    public init(
        id: UUID = UUID(), recruiterID: UUID, role: String, employer: String? = nil,
        stage: Stage = .sourced, interviews: [InterviewEvent] = [], nextStep: String? = nil,
        checklist: Checklist = Checklist(), extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.recruiterID = recruiterID
        self.role = role
        self.employer = employer
        self.stage = stage
        self.interviews = interviews
        self.nextStep = nextStep
        self.checklist = checklist
        self.extra = extra
    }
}

/// Something the candidate owes: a check-in, a promised CV, a call back.
public struct FollowUp: Codable, Sendable, Equatable, Identifiable {
    public var id: UUID
    public var recruiterID: UUID
    public var due: Date
    public var note: String?
    public var done: Date?
    public var snoozedUntil: Date?
    public var extra: [String: JSONValue]

    public init(
        id: UUID = UUID(), recruiterID: UUID, due: Date, note: String? = nil, done: Date? = nil,
        snoozedUntil: Date? = nil, extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.recruiterID = recruiterID
        self.due = due
        self.note = note
        self.done = done
        self.snoozedUntil = snoozedUntil
        self.extra = extra
    }
}

/// Something the recruiter owes: "I'll call you Tuesday at 1pm".
public struct Expectation: Codable, Sendable, Equatable, Identifiable {
    public var id: UUID
    public var recruiterID: UUID
    public var by: Date
    public var note: String?
    public var extra: [String: JSONValue]

    public init(id: UUID = UUID(), recruiterID: UUID, by: Date, note: String? = nil, extra: [String: JSONValue] = [:]) {
        self.id = id
        self.recruiterID = recruiterID
        self.by = by
        self.note = note
        self.extra = extra
    }
}
