import Foundation

/// One item of the research checklist. Raw values are the stable names the CLI and the
/// store use (`rapport checklist dana --done profile-reviewed`).
public enum ChecklistItem: String, Codable, Sendable, CaseIterable {
    /// The recruiter's profile (LinkedIn, firm page) has been read.
    case profileReviewed = "profile-reviewed"
    /// The recruiter's firm is known to be reputable and the approach targeted.
    case firmVetted = "firm-vetted"
    /// The hiring company's site has been read (per opportunity).
    case companySiteRead = "company-site-read"

    public enum Scope: String, Sendable { case recruiter, opportunity }

    public var scope: Scope { self == .companySiteRead ? .opportunity : .recruiter }

    public var label: String {
        switch self {
        case .profileReviewed: return "profile reviewed"
        case .firmVetted: return "firm reputable / targeted"
        case .companySiteRead: return "company site read"
        }
    }

    public static func items(for scope: Scope) -> [ChecklistItem] { allCases.filter { $0.scope == scope } }
}

/// Research done before a call and the agenda (what the candidate means to get across).
/// Stored on a recruiter and on an opportunity; `done` maps an item's raw name to the moment
/// it was ticked, so items a newer build adds survive a round trip.
public struct Checklist: Codable, Sendable, Equatable {
    public var done: [String: Date]
    public var agenda: String?
    public var extra: [String: JSONValue]

    public init(done: [String: Date] = [:], agenda: String? = nil, extra: [String: JSONValue] = [:]) {
        self.done = done
        self.agenda = agenda
        self.extra = extra
    }

    public var isEmpty: Bool { done.isEmpty && (agenda ?? "").isEmpty && extra.isEmpty }

    public func isDone(_ item: ChecklistItem) -> Bool { done[item.rawValue] != nil }

    /// The items of `scope` not yet ticked, in checklist order.
    public func missing(_ scope: ChecklistItem.Scope) -> [ChecklistItem] {
        ChecklistItem.items(for: scope).filter { !isDone($0) }
    }

    static let codingKeys: Set<String> = ["done", "agenda"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ModelKey.self)
        self.init(done: try c.decodeOr([:], "done"), agenda: try c.decodeIfPresent(String.self, forKey: "agenda"),
                  extra: try c.extras(known: Self.codingKeys))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ModelKey.self)
        try c.encode(done, forKey: "done")
        try c.encodeIfPresent(agenda, forKey: "agenda")
        try c.encodeExtras(extra, known: Self.codingKeys)
    }
}

/// A referral the candidate gave a recruiter: a colleague put forward for a role.
public struct Referral: Codable, Sendable, Equatable, Identifiable {
    public var id: UUID
    /// Who was referred.
    public var name: String
    public var at: Date
    public var note: String?
    public var extra: [String: JSONValue]

    public init(id: UUID = UUID(), name: String, at: Date, note: String? = nil, extra: [String: JSONValue] = [:]) {
        self.id = id
        self.name = name
        self.at = at
        self.note = note
        self.extra = extra
    }

    static let codingKeys: Set<String> = ["id", "name", "at", "note"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ModelKey.self)
        self.init(id: try c.decode(UUID.self, forKey: "id"), name: try c.decode(String.self, forKey: "name"),
                  at: try c.decode(Date.self, forKey: "at"), note: try c.decodeIfPresent(String.self, forKey: "note"),
                  extra: try c.extras(known: Self.codingKeys))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ModelKey.self)
        try c.encode(id, forKey: "id")
        try c.encode(name, forKey: "name")
        try c.encode(at, forKey: "at")
        try c.encodeIfPresent(note, forKey: "note")
        try c.encodeExtras(extra, known: Self.codingKeys)
    }
}

/// Call preparation: which calls are coming up and whether the research for them is done.
/// Pure; `now` is a parameter. The rule is described in docs/rules.md ("unprepared").
public enum Preparation {
    /// A call counts as "coming up" from `now` until this long before it starts.
    public static let window: TimeInterval = 24 * 3600

    /// Words that make an expectation ("Dana will call Tue 13:00") a call.
    static let callWords: Set<String> = ["call", "calls", "phone", "interview", "meeting", "meet", "chat", "zoom", "teams"]

    /// A call or interview, from an interview event or an expectation that mentions a call.
    public struct Call: Sendable, Equatable {
        public var at: Date
        public var recruiterID: UUID
        /// The opportunity of an interview; nil for a call the recruiter promised.
        public var opportunityID: UUID?
        public var interviewID: UUID?
        public var expectationID: UUID?
        public var title: String
    }

    /// True when an expectation's note says it is a call ("will call", "phone screen", "zoom").
    public static func isCall(_ e: Expectation) -> Bool {
        guard let note = e.note?.lowercased() else { return false }
        return note.split(whereSeparator: { !$0.isLetter }).contains { callWords.contains(String($0)) }
    }

    /// Every interview and promised call of one recruiter starting at or after `now`, soonest first.
    public static func upcomingCalls(recruiterID: UUID, opportunities: [Opportunity], expectations: [Expectation],
                                     now: Date) -> [Call] {
        var out: [Call] = []
        for o in opportunities {
            for iv in o.interviews where iv.at >= now {
                let at = o.employer.map { " at \($0)" } ?? ""
                out.append(Call(at: iv.at, recruiterID: recruiterID, opportunityID: o.id, interviewID: iv.id,
                                title: "\(o.role) interview\(at)"))
            }
        }
        for e in expectations where e.by >= now && isCall(e) {
            out.append(Call(at: e.by, recruiterID: recruiterID, expectationID: e.id, title: e.note ?? "call"))
        }
        return out.sorted { ($0.at, $0.title) < ($1.at, $1.title) }
    }

    /// The research still missing for `call`: the recruiter's items, then the opportunity's.
    public static func missing(for call: Call, recruiter: Recruiter, opportunities: [Opportunity]) -> [ChecklistItem] {
        var out = recruiter.checklist.missing(.recruiter)
        if let oid = call.opportunityID, let o = opportunities.first(where: { $0.id == oid }) {
            out += o.checklist.missing(.opportunity)
        }
        return out
    }

    /// `unprepared`: a call or interview starts within the next 24 hours (inclusive) and its
    /// checklist is incomplete.
    public static func isUnprepared(_ r: Recruiter, opportunities: [Opportunity], expectations: [Expectation],
                                    now: Date) -> Bool {
        let horizon = now.addingTimeInterval(window)
        return upcomingCalls(recruiterID: r.id, opportunities: opportunities, expectations: expectations, now: now)
            .contains { $0.at <= horizon && !missing(for: $0, recruiter: r, opportunities: opportunities).isEmpty }
    }
}

/// What the call-prep view shows for a recruiter's next call or interview: who, when (the
/// view shows it in both zones), the research still missing, the agenda notes and the
/// end of the thread.
public struct CallPrep: Sendable, Equatable {
    public var recruiter: Recruiter
    /// The next call or interview from `now` on (any distance); nil when none is planned.
    public var call: Preparation.Call?
    /// The interview's opportunity, else the recruiter's latest one.
    public var opportunity: Opportunity?
    /// Research missing for the call (for the recruiter and that opportunity when there is no call).
    public var missing: [ChecklistItem]
    /// The recruiter's agenda, then the opportunity's, when set.
    public var agenda: [String]
    /// The last messages up to `now`, oldest first.
    public var recent: [Message]
    /// True when the `unprepared` flag is up.
    public var unprepared: Bool
}

extension Preparation {
    public static func prep(for recruiterID: UUID, in db: Database, now: Date, recentCount: Int = 5) -> CallPrep? {
        guard let r = db.recruiter(recruiterID) else { return nil }
        let opportunities = db.opportunities(of: recruiterID), expectations = db.expectations(of: recruiterID)
        let call = upcomingCalls(recruiterID: recruiterID, opportunities: opportunities, expectations: expectations, now: now).first
        let opportunity = call?.opportunityID.flatMap { id in opportunities.first { $0.id == id } }
            ?? Templates.latestOpportunity(opportunities)
        let missing = call.map { self.missing(for: $0, recruiter: r, opportunities: opportunities) }
            ?? r.checklist.missing(.recruiter) + (opportunity?.checklist.missing(.opportunity) ?? [])
        let agenda = [r.checklist.agenda, opportunity?.checklist.agenda].compactMap { $0 }.filter { !$0.isEmpty }
        let recent = Array(db.thread(recruiterID).filter { $0.at <= now }.suffix(max(recentCount, 0)))
        return CallPrep(recruiter: r, call: call, opportunity: opportunity, missing: missing, agenda: agenda, recent: recent,
                        unprepared: isUnprepared(r, opportunities: opportunities, expectations: expectations, now: now))
    }
}
