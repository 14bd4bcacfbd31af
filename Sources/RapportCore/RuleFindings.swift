import Foundation

/// What the rules find for one recruiter at one moment, before the urgency scores: whose
/// turn, the last contact, the open messages, the flags and the deadlines (each with
/// urgency 0). The scores are the only parts of a status that vary continuously with
/// `now`; `Rules.Scorer` computes them, so a status scored from stored findings is exactly
/// the status `Rules.evaluate` returns at that moment while the findings hold
/// (`Rules.findings` says until when).
public struct RuleFindings: Sendable, Equatable {
    public var recruiterID: UUID
    public var turn: Turn = .none
    public var lastContact: Date?
    public var openMessageIDs: [UUID] = []
    /// The flags that are up, as bits in `Flag.allCases` order.
    public var flagBits: UInt32 = 0
    /// The deadlines as the rules found them (urgency 0, in the order found).
    public var deadlines: [Deadline] = []
    /// A blanket (mass-mailing) recruiter: its scores carry the blanket weight.
    public var blanket: Bool

    public init(recruiterID: UUID, turn: Turn = .none, lastContact: Date? = nil, openMessageIDs: [UUID] = [],
                flagBits: UInt32 = 0, deadlines: [Deadline] = [], blanket: Bool) {
        self.recruiterID = recruiterID
        self.turn = turn
        self.lastContact = lastContact
        self.openMessageIDs = openMessageIDs
        self.flagBits = flagBits
        self.deadlines = deadlines
        self.blanket = blanket
    }

    /// The flags that are up, most important first.
    public var flags: [Flag] { FlagSet(bits: flagBits).sorted }
}

extension Rules {
    /// Recruiters that share a submission with another one (`duplicate-submission`): the
    /// one input of a recruiter's status that depends on other recruiters' data.
    public static func duplicateSubmissions(in db: Database) -> Set<UUID> {
        db.duplicateSubmitters
    }

    /// The findings of the recruiters `ids` at `now` (ids not in the database are left
    /// out), each with the moment until which it holds while that recruiter's data, the
    /// duplicate set and the policy stay the same: the earliest moment after `now` that a
    /// rule compared `now` with for that recruiter (a due time, an onset, a future
    /// message, a lapse, a call entering the `unprepared` window). A moment equal to `now`
    /// gives `now` itself: the findings hold at `now` only. `.distantFuture` when nothing
    /// of it depends on time.
    public static func findings(of ids: [UUID], in db: Database, now: Date, policy: Policy,
                                duplicates: Set<UUID>) -> [UUID: (findings: RuleFindings, validUntil: Date)] {
        let horizon = Horizon(now: now, until: .distantFuture)
        horizon.coversPreparation = true
        let engine = RuleEngine(policy: policy, now: now, horizon: horizon)
        var out: [UUID: (findings: RuleFindings, validUntil: Date)] = [:]
        out.reserveCapacity(ids.count)
        // Many recruiters: group everything once, as `evaluate` does; few: the per-recruiter indexes.
        let grouped = ids.count > 64 && ids.count * 8 > db.recruiterCount
        let opportunities = grouped ? Dictionary(grouping: db.opportunities.values, by: \.recruiterID) : [:]
        let followUps = grouped ? Dictionary(grouping: db.followUps.values, by: \.recruiterID) : [:]
        let expectations = grouped ? Dictionary(grouping: db.expectations.values, by: \.recruiterID) : [:]
        for id in ids {
            guard let r = db.recruiter(id) else { continue }
            horizon.reset()
            let f = engine.findings(
                of: r, thread: db.thread(id),
                opportunities: grouped ? opportunities[id] ?? [] : db.opportunities(of: id),
                followUps: grouped ? followUps[id] ?? [] : db.followUps(of: id),
                expectations: grouped ? expectations[id] ?? [] : db.expectations(of: id),
                duplicate: duplicates.contains(id))
            out[id] = (f, horizon.next)
        }
        return out
    }

    /// Scores one recruiter's findings at one moment.
    public struct Scorer {
        private let engine: RuleEngine

        public init(now: Date, policy: Policy) { engine = RuleEngine(policy: policy, now: now) }

        /// The status at `now` from findings that hold at `now`.
        public func callAsFunction(_ found: RuleFindings) -> RecruiterStatus { engine.score(found) }

        /// The scores alone, from the parts of findings that they read (a stored entry
        /// need not be built): the recruiter's urgency, and each deadline's (`deadline(i,
        /// urgency)` for i in 0..<count, `kind(i)` and `due(i)` its kind and due time),
        /// exactly as `callAsFunction` computes them.
        public func scores(flagBits: UInt32, blanket: Bool, deadlines count: Int, kind: (Int) -> DeadlineKind,
                           due: (Int) -> Date, deadline: (Int, Double) -> Void) -> Double {
            let flags = FlagSet(bits: flagBits)
            let terms = engine.scoreTerms(flags: flags, blanket: blanket)
            var worst = 0.0
            for i in 0..<count {
                deadline(i, engine.deadlineUrgency(kind: kind(i), due: due(i), terms, worstLateness: &worst))
            }
            return engine.recruiterUrgency(flags: flags, terms, worstLateness: worst)
        }
    }
}
