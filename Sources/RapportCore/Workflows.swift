import Foundation

/// The old name of `Workflows`.
public typealias Actions = Workflows

/// One builder per workflow a candidate runs (add, edit, log, reply, decline, interview,
/// done, snooze, status, checklist tick, referral, follow-up, expectation): pure functions
/// from the data and the user's input to one `Change`. The CLI commands and the TUI only
/// parse input and call these, inside `Store.apply(origin:label:_:)`, so the change is
/// decided against the store's fresh data under its lock and both front ends record
/// exactly the same thing. Edits of an existing recruiter are field-level changes, so two
/// writers editing different fields both keep their edit.
public enum Workflows {
    /// The recruiter's last inbound message, whose channel and subject a reply follows.
    public static func lastInbound(_ recruiterID: UUID, in db: Database) -> Message? {
        db.thread(recruiterID).last { $0.direction == .inbound }
    }

    /// "Re: subject" for a reply to `message` (no double "Re:").
    public static func replySubject(_ message: Message?) -> String? {
        message?.subject.map { $0.hasPrefix("Re:") ? $0 : "Re: \($0)" }
    }

    /// The outbound message that marks a reply sent: on `channel`, else the channel of
    /// their last message, else email. Logging it closes the open inbound messages.
    public static func replyMessage(recruiter: Recruiter, in db: Database, at: Date, channel: Channel? = nil,
                                    subject: String? = nil, body: String? = nil) -> Message {
        let lastIn = lastInbound(recruiter.id, in: db)
        return Message(recruiterID: recruiter.id, direction: .outbound, channel: channel ?? lastIn?.channel ?? .email,
                       at: at, subject: subject ?? replySubject(lastIn), body: body)
    }

    /// Mark a reply sent (see `replyMessage`).
    public static func reply(recruiter: Recruiter, in db: Database, now: Date, channel: Channel? = nil,
                             subject: String? = nil, body: String? = nil) -> Change {
        .putMessage(replyMessage(recruiter: recruiter, in: db, at: now, channel: channel, subject: subject, body: body))
    }

    /// The default courtesy decline text, when no template is used.
    public static func declineBody(recruiter: Recruiter, reason: String?, reengage: Bool) -> String {
        let first = recruiter.name.split(separator: " ").first.map(String.init) ?? recruiter.name
        var body = "Hi \(first), thank you for thinking of me. I'm not interested in this role"
        // "too low." or "too low!" would read "too low., but": drop the closing punctuation.
        if let r = reason?.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ".!;,"))), !r.isEmpty {
            body += " because \(r)"
        }
        body += reengage ? ", but I'd be glad to hear from you again later." : ", but I'd be glad to stay in touch."
        return body
    }

    public static let declineSubject = "Thank you — not for me this time"

    /// A courtesy decline as one step: the outbound message, status `declined` (a
    /// field-level change: the rest of the recruiter is not written), and a re-engage
    /// follow-up when a date is given.
    public static func decline(recruiter: Recruiter, in db: Database, now: Date, reason: String?, reengage: Date?,
                               subject: String? = nil, body: String? = nil) -> Change {
        let r = recruiter
        let lastIn = lastInbound(r.id, in: db)
        let m = Message(recruiterID: r.id, direction: .outbound, channel: lastIn?.channel ?? .email, at: now,
                        subject: subject ?? declineSubject,
                        body: body ?? declineBody(recruiter: r, reason: reason, reengage: reengage != nil))
        var changes: [Change] = [.putMessage(m), .setStatus(recruiter: r.id, status: .declined, until: nil)]
        if let d = reengage {
            changes.append(.putFollowUp(FollowUp(recruiterID: r.id, due: d, note: "Re-engage with \(r.name)")))
        }
        return .batch(changes)
    }

    /// An interview added to the recruiter's opportunity for `role` (and employer), or to
    /// a new one; the stage moves up to `interview`. The thank-you falls due after it.
    public static func interviewOpportunity(recruiter: Recruiter, in db: Database, at: Date, minutes: Int = 60,
                                            role: String?, employer: String?, interviewers: [String]) -> Opportunity {
        let roleName = role?.trimmingCharacters(in: .whitespaces).nonEmpty ?? "Interview"
        let employerName = employer?.trimmingCharacters(in: .whitespaces).nonEmpty
        let event = InterviewEvent(at: at, durationMinutes: minutes, interviewers: interviewers)
        var opp = db.opportunities(of: recruiter.id).first {
            $0.role.caseInsensitiveCompare(roleName) == .orderedSame
                && ($0.employer ?? "").caseInsensitiveCompare(employerName ?? $0.employer ?? "") == .orderedSame
        } ?? Opportunity(recruiterID: recruiter.id, role: roleName, employer: employerName, stage: .interview)
        opp.interviews.append(event)
        if let e = employerName { opp.employer = e }
        if [.sourced, .screen].contains(opp.stage) { opp.stage = .interview }
        return opp
    }

    /// "Alex, Sam" → ["Alex", "Sam"].
    public static func names(_ commaSeparated: String) -> [String] {
        commaSeparated.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Targeted ↔ blanket (field-level).
    public static func toggleTargeting(_ r: Recruiter) -> Change {
        .setTargeting(recruiter: r.id, targeting: r.targeting == .targeted ? .blanket : .targeted)
    }

    /// Do-not-contact on, or back to active (field-level; see `status`).
    public static func toggleDoNotContact(_ r: Recruiter, in db: Database? = nil) -> Change {
        status(r.id, r.status == .doNotContact ? .active : .doNotContact, in: db)
    }

    /// Sets the relationship status; `until` lapses a dormant or declined status by itself.
    /// Given the data, dormant, declined and do-not-contact also settle the messages still
    /// open (the newest is marked "no reply needed", which closes it and every one before
    /// it), so the status change counts as their answer: when the recruiter writes again,
    /// only the new message is open.
    public static func status(_ recruiter: UUID, _ status: RelationshipStatus, until: Date? = nil,
                              in db: Database? = nil, now: Date? = nil) -> Change {
        var changes: [Change] = [.setStatus(recruiter: recruiter, status: status, until: until)]
        if let db, [.dormant, .declined, .doNotContact].contains(status) {
            let thread = db.thread(recruiter).filter { m in now.map { m.at <= $0 } ?? true }
            if let last = thread.last, last.direction == .inbound, !last.noReplyNeeded {
                var m = last
                m.noReplyNeeded = true
                changes.append(.putMessage(m))
            }
        }
        return changes.count == 1 ? changes[0] : .batch(changes)
    }

    /// Why `until` cannot go with `status`, or nil when it can: only dormant and declined
    /// lapse by themselves, and the lapse must be in the future.
    public static func statusUntilProblem(_ status: RelationshipStatus, until: Date, now: Date) -> String? {
        guard status == .dormant || status == .declined else {
            return "only dormant and declined lapse by themselves; \(status.rawValue) stays until you change it"
        }
        return until <= now ? "must be in the future" : nil
    }

    /// The deadlines whose id matches `query`: the full id (`reply:1a2b…`), the short id
    /// `rapport due` shows (`reply:1a2b3c4d`, any prefix of the id after the kind), or the
    /// hex prefix alone (at least 4 digits). Case-insensitive.
    public static func deadlines(matching query: String, in deadlines: [Deadline]) -> [Deadline] {
        let q = query.lowercased().trimmingCharacters(in: .whitespaces)
        if let exact = deadlines.first(where: { $0.id == q }) { return [exact] }
        if q.contains(":") {
            let parts = q.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[1].count >= 4 else { return [] }
            return deadlines.filter { $0.id.hasPrefix(q) }
        }
        guard q.count >= 4 else { return [] }
        return deadlines.filter { d in
            guard let colon = d.id.firstIndex(of: ":") else { return false }
            return d.id[d.id.index(after: colon)...].hasPrefix(q)
        }
    }

    /// The one current deadline `query` names (see `deadlines(matching:in:)`), in the
    /// user's words when none or several do.
    public static func deadline(_ query: String, in db: Database, now: Date, policy: Policy) throws -> Deadline {
        let q = query.trimmingCharacters(in: .whitespaces)
        let hex = q.split(separator: ":").last.map(String.init) ?? q
        guard hex.count >= 4 else {
            throw RapportError.usage("ID '\(query)' is too short: give at least 4 characters of the id shown by `rapport due`")
        }
        let found = deadlines(matching: q, in: deadlines(naming: hex, in: db, now: now, policy: policy))
        switch found.count {
        case 1: return found[0]
        case 0: throw RapportError.failure("no deadline has the id '\(query)' (see `rapport due`)")
        default:
            let ids = found.prefix(6).map(\.shortID).joined(separator: ", ")
            throw RapportError.usage("'\(query)' matches \(found.count) deadlines (\(ids)); give more of the id")
        }
    }

    /// The deadlines of the recruiters that own something whose id starts with `hex` (a
    /// message, an interview, a follow-up or an expectation: what every deadline's id is
    /// made of), in display order: every deadline `hex` can name, without evaluating the
    /// other recruiters.
    static func deadlines(naming hex: String, in db: Database, now: Date, policy: Policy) -> [Deadline] {
        guard UUIDPrefixRange(hex) != nil else { return [] }
        let records = db.records(withIDPrefix: hex)
        var owners = records.interviewOwners
        for m in db.messages(withIDPrefix: hex) { owners.insert(m.recruiterID) }
        for f in records.followUps { owners.insert(f.recruiterID) }
        for e in records.expectations { owners.insert(e.recruiterID) }
        var statuses: [UUID: RecruiterStatus] = [:]
        for id in owners where db.recruiter(id) != nil {
            statuses[id] = Rules.status(of: id, in: db, now: now, policy: policy)
        }
        return Rules.deadlines(of: statuses, now: now, policy: policy)
    }

    /// Marks a deadline done: a follow-up gets `done = now`, an expectation is closed, a
    /// reply's newest open message needs no reply (closing the thread's deadline); a
    /// thank-you or check-in logs the outbound message it asked for; an interview is
    /// ended by a dismissal ("done"). Nil when there is nothing to mark.
    public static func done(_ deadline: Deadline, in db: Database, now: Date) -> Change? {
        if let id = deadline.followUpID, var f = db.followUp(id), f.done == nil {
            f.done = now
            return .putFollowUp(f)
        }
        if let id = deadline.expectationID, db.expectation(id) != nil {
            return .removeExpectation(id)
        }
        switch deadline.kind {
        case .reply:
            guard let id = deadline.lastMessageID ?? deadline.messageID, var m = db.message(id), m.direction == .inbound else { return nil }
            m.noReplyNeeded = true
            return .putMessage(m)
        case .thankYou, .checkIn:
            guard let r = db.recruiter(deadline.recruiterID) else { return nil }
            let subject = deadline.kind == .thankYou ? "Thank you" : "Checking in"
            return .putMessage(replyMessage(recruiter: r, in: db, at: now, subject: subject))
        case .interview:
            return .dismissDeadline(recruiter: deadline.recruiterID,
                                    dismissal: Dismissal(deadline: deadline.id, at: now, reason: "done"))
        case .followUp, .expectation:
            return nil
        }
    }

    /// Ends a deadline without doing it, keeping the reason: a dismissal record on the
    /// recruiter; a reply's open messages are also settled ("no reply needed") and a
    /// follow-up is marked done, so nothing else brings them back.
    public static func dismiss(_ deadline: Deadline, in db: Database, now: Date, reason: String?) -> Change {
        let record = Change.dismissDeadline(
            recruiter: deadline.recruiterID,
            dismissal: Dismissal(deadline: deadline.id, at: now, reason: reason?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty))
        var changes: [Change] = []
        if deadline.kind == .reply, let id = deadline.lastMessageID ?? deadline.messageID, var m = db.message(id) {
            m.noReplyNeeded = true
            changes.append(.putMessage(m))
        }
        if let id = deadline.followUpID, var f = db.followUp(id), f.done == nil {
            f.done = now
            changes.append(.putFollowUp(f))
        }
        changes.append(record)
        return changes.count == 1 ? record : .batch(changes)
    }

    /// Why `until` is not a snooze of `deadline` (later than now and than its due time),
    /// or nil when it is.
    public static func snoozeProblem(_ deadline: Deadline, until: Date, now: Date) -> String? {
        if until <= now { return "must be in the future" }
        if until <= deadline.due { return "is not later than the deadline's due time; snoozing puts it off" }
        return nil
    }

    /// Puts a deadline off until `until`: a follow-up's own `snoozedUntil`, any other
    /// deadline a dismissal record with `until` (it comes back due then).
    public static func snooze(_ deadline: Deadline, in db: Database, until: Date, now: Date) -> Change? {
        if let id = deadline.followUpID {
            return db.followUp(id).map { snooze($0, until: until) }
        }
        return .dismissDeadline(recruiter: deadline.recruiterID,
                                dismissal: Dismissal(deadline: deadline.id, at: now, until: until))
    }

    /// Why `date` is not a re-engage date for a decline, or nil when it is. Under a day
    /// away is taken for a slip: `m` is minutes, so `+3m` meant to be three months.
    public static func reengageProblem(_ date: Date, now: Date) -> String? {
        if date <= now { return "must be in the future" }
        if date < now.addingTimeInterval(86_400) {
            return "is less than a day away (m means minutes); use days or weeks like +90d or +12w, or a date"
        }
        return nil
    }

    /// Why `until` is not a snooze of `followUp` (it must put it off: later than now and
    /// than its current due time), or nil when it is.
    public static func snoozeProblem(_ followUp: FollowUp, until: Date, now: Date) -> String? {
        if until <= now { return "must be in the future" }
        if until <= max(followUp.due, followUp.snoozedUntil ?? followUp.due) {
            return "is not later than the follow-up's due time; snoozing puts it off"
        }
        return nil
    }

    /// Puts a follow-up off until `until`.
    public static func snooze(_ followUp: FollowUp, until: Date) -> Change {
        var f = followUp
        f.snoozedUntil = until
        return .putFollowUp(f)
    }
}

extension String {
    /// Nil when empty.
    var nonEmpty: String? { isEmpty ? nil : self }
}

// MARK: - Builders taking the user's input

extension Workflows {
    /// What `add` creates: the fields a person types for a new recruiter.
    public struct NewRecruiter: Sendable, Equatable {
        public var name: String
        public var firm: String?
        public var kind: RecruiterKind
        public var targeting: Targeting
        public var emails: [String]
        public var phone: String?
        public var linkedin: String?
        public var timeZone: String?
        public var tags: [String]

        public init(name: String, firm: String? = nil, kind: RecruiterKind = .agency, targeting: Targeting = .targeted,
                    emails: [String] = [], phone: String? = nil, linkedin: String? = nil, timeZone: String? = nil,
                    tags: [String] = []) {
            self.name = name
            self.firm = firm
            self.kind = kind
            self.targeting = targeting
            self.emails = emails
            self.phone = phone
            self.linkedin = linkedin
            self.timeZone = timeZone
            self.tags = tags
        }
    }

    /// A blank value as nil, surrounding white space trimmed.
    static func clean(_ s: String?) -> String? {
        guard let t = s?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }

    /// Why `name` is not an IANA time zone, or nil when it is (or is blank).
    public static func timeZoneProblem(_ name: String?) -> String? {
        guard let n = clean(name), TimeZone(identifier: n) == nil else { return nil }
        return "unknown time zone '\(n)' (use an IANA name like Europe/Berlin)"
    }

    /// Add a recruiter (the one workflow that writes a whole recruiter).
    public static func add(_ new: NewRecruiter, now: Date, id: UUID = UUID()) throws -> Change {
        guard let name = clean(new.name) else { throw RapportError.usage("the name is empty") }
        if let p = timeZoneProblem(new.timeZone) { throw RapportError.usage("time zone: \(p)") }
        let r = Recruiter(id: id, name: name, firm: clean(new.firm), kind: new.kind, targeting: new.targeting,
                          emails: new.emails.compactMap { clean($0) }, phone: clean(new.phone),
                          linkedin: clean(new.linkedin), timeZone: clean(new.timeZone),
                          tags: new.tags.compactMap { clean($0) }, created: now)
        return .putRecruiter(r)
    }

    /// An edit of an existing recruiter: only what differs, each as a field-level change.
    /// `fields` maps a field to its new value (nil or blank clears it); tags and e-mail
    /// addresses are added and removed one by one.
    public struct Edit: Sendable, Equatable {
        public var fields: [RecruiterField: String?]
        public var targeting: Targeting?
        public var addTags: [String]
        public var removeTags: [String]
        public var addEmails: [String]
        public var removeEmails: [String]

        public init(fields: [RecruiterField: String?] = [:], targeting: Targeting? = nil, addTags: [String] = [],
                    removeTags: [String] = [], addEmails: [String] = [], removeEmails: [String] = []) {
            self.fields = fields
            self.targeting = targeting
            self.addTags = addTags
            self.removeTags = removeTags
            self.addEmails = addEmails
            self.removeEmails = removeEmails
        }

        /// The edit that turns `old` into `new` (a form's result), field by field.
        public static func between(_ old: Recruiter, _ new: Recruiter) -> Edit {
            var e = Edit()
            let pairs: [(RecruiterField, String?, String?)] = [
                (.name, old.name, new.name), (.firm, old.firm, new.firm), (.kind, old.kind.rawValue, new.kind.rawValue),
                (.phone, old.phone, new.phone), (.linkedin, old.linkedin, new.linkedin),
                (.timeZone, old.timeZone, new.timeZone), (.notes, old.notes, new.notes),
            ]
            for (f, a, b) in pairs where a != b { e.fields[f] = b }
            if old.targeting != new.targeting { e.targeting = new.targeting }
            e.addTags = new.tags.filter { !old.tags.contains($0) }
            e.removeTags = old.tags.filter { !new.tags.contains($0) }
            e.addEmails = new.emails.filter { !old.hasEmail($0) }
            e.removeEmails = old.emails.filter { !new.hasEmail($0) }
            return e
        }
    }

    public static func edit(_ id: UUID, _ edit: Edit, in db: Database) throws -> Change {
        guard let r = db.recruiter(id) else { throw RapportError.failure("that recruiter is gone (deleted elsewhere)") }
        if let v = edit.fields[.name], clean(v ?? nil) == nil { throw RapportError.usage("the name cannot be empty") }
        if let v = edit.fields[.kind], RecruiterKind(rawValue: v ?? "") == nil {
            throw RapportError.usage("kind '\(v ?? "")' is not agency, in-house or independent")
        }
        if let v = edit.fields[.timeZone], let p = timeZoneProblem(v) { throw RapportError.usage("time zone: \(p)") }
        var changes: [Change] = []
        for field in RecruiterField.allCases {
            guard let value = edit.fields[field] else { continue }
            let new = clean(value)
            let old = r.value(of: field)
            // Notes keep their inner line breaks; only a blank value clears them.
            let stored = field == .notes ? (new == nil ? nil : value) : new
            if stored != old { changes.append(.setField(recruiter: id, field: field, value: stored)) }
        }
        if let t = edit.targeting, t != r.targeting { changes.append(.setTargeting(recruiter: id, targeting: t)) }
        for t in edit.addTags.compactMap({ clean($0) }) where !r.tags.contains(t) { changes.append(.addTag(recruiter: id, tag: t)) }
        for t in edit.removeTags.compactMap({ clean($0) }) where r.tags.contains(t) { changes.append(.removeTag(recruiter: id, tag: t)) }
        for e in edit.addEmails.compactMap({ clean($0) }) where !r.hasEmail(e) { changes.append(.addEmail(recruiter: id, email: e)) }
        for e in edit.removeEmails.compactMap({ clean($0) }) where r.hasEmail(e) { changes.append(.removeEmail(recruiter: id, email: e)) }
        return changes.count == 1 ? changes[0] : .batch(changes)
    }

    /// A message logged to or from a recruiter.
    public static func log(_ recruiter: UUID, in db: Database, direction: Direction, channel: Channel, at: Date,
                           subject: String?, body: String?, noReplyNeeded: Bool = false) throws -> Change {
        guard db.recruiter(recruiter) != nil else { throw RapportError.failure("that recruiter is gone (deleted elsewhere)") }
        if noReplyNeeded && direction == .outbound { throw RapportError.usage("no-reply-needed goes with an inbound message") }
        return .putMessage(Message(recruiterID: recruiter, direction: direction, channel: channel, at: at,
                                   subject: clean(subject), body: clean(body), noReplyNeeded: noReplyNeeded))
    }

    /// An interview (see `interviewOpportunity`).
    public static func interview(recruiter: Recruiter, in db: Database, at: Date, minutes: Int = 60,
                                 role: String?, employer: String?, interviewers: [String]) throws -> Change {
        guard (1...24 * 60).contains(minutes) else { throw RapportError.usage("minutes must be between 1 and 1440") }
        return .putOpportunity(interviewOpportunity(recruiter: recruiter, in: db, at: at, minutes: minutes, role: role,
                                                    employer: employer, interviewers: interviewers))
    }

    /// Something the candidate owes the recruiter.
    public static func followUp(_ recruiter: UUID, due: Date, note: String?) -> Change {
        .putFollowUp(FollowUp(recruiterID: recruiter, due: due, note: clean(note)))
    }

    /// Something the recruiter promised.
    public static func expect(_ recruiter: UUID, by: Date, note: String?) -> Change {
        .putExpectation(Expectation(recruiterID: recruiter, by: by, note: clean(note)))
    }

    /// Marks the follow-up, inbound message or expectation with `id` done, in the user's
    /// words when there is nothing to mark.
    public static func done(id: UUID, in db: Database, now: Date) throws -> Change {
        if let f = db.followUp(id) {
            if f.done != nil { throw RapportError.failure("follow-up \(short(id)) is already done") }
            var f = f
            f.done = now
            return .putFollowUp(f)
        }
        if db.expectation(id) != nil { return .removeExpectation(id) }
        if let m = db.message(id) {
            guard m.direction == .inbound else { throw RapportError.usage("\(short(id)) is a message you sent; nothing to mark done") }
            var m = m
            m.noReplyNeeded = true
            return .putMessage(m)
        }
        throw RapportError.failure("nothing has the id \(short(id)) any more (done or deleted elsewhere)")
    }

    /// Puts follow-up `id` off until `until`, refusing a date that does not put it off.
    public static func snooze(id: UUID, in db: Database, until: Date, now: Date) throws -> Change {
        guard let f = db.followUp(id) else { throw RapportError.failure("follow-up \(short(id)) is gone (deleted elsewhere)") }
        if let problem = snoozeProblem(f, until: until, now: now) { throw RapportError.usage("until \(problem)") }
        return snooze(f, until: until)
    }

    /// Ticks (`done` true, keeping the time of an earlier tick) or unticks one research
    /// checklist item: field-level on the recruiter, or on the opportunity for the
    /// opportunity's items.
    public static func tick(_ item: ChecklistItem, done: Bool, recruiter: UUID, opportunity: UUID?,
                            in db: Database, now: Date) throws -> Change {
        guard let r = db.recruiter(recruiter) else { throw RapportError.failure("that recruiter is gone (deleted elsewhere)") }
        switch item.scope {
        case .recruiter:
            return .setChecklistItem(recruiter: r.id, item: item.rawValue, done: done ? (r.checklist.done[item.rawValue] ?? now) : nil)
        case .opportunity:
            guard let oid = opportunity, var o = db.opportunity(oid) else {
                throw RapportError.usage("\(r.name) has no opportunity for \(item.rawValue); add one (an interview) first")
            }
            o.checklist.done[item.rawValue] = done ? (o.checklist.done[item.rawValue] ?? now) : nil
            return .putOpportunity(o)
        }
    }

    /// Several ticks and unticks, and the agenda (of the recruiter, or of the opportunity
    /// when `agendaOnOpportunity`), as one step; only what changes.
    public static func checklist(recruiter: UUID, opportunity: UUID?, tick: [ChecklistItem], untick: [ChecklistItem],
                                 agenda: String?? = .none, agendaOnOpportunity: Bool = false,
                                 in db: Database, now: Date) throws -> Change {
        var d = db
        var changes: [Change] = []
        func add(_ c: Change) throws {
            let before = d
            try d.apply(c)
            if d != before { changes.append(c) }
        }
        for item in tick { try add(try Workflows.tick(item, done: true, recruiter: recruiter, opportunity: opportunity, in: d, now: now)) }
        for item in untick { try add(try Workflows.tick(item, done: false, recruiter: recruiter, opportunity: opportunity, in: d, now: now)) }
        if case .some(let text) = agenda {
            if agendaOnOpportunity {
                guard let oid = opportunity, var o = d.opportunity(oid) else { throw RapportError.usage("no opportunity for the agenda") }
                o.checklist.agenda = clean(text)
                try add(.putOpportunity(o))
            } else {
                try add(.setAgenda(recruiter: recruiter, agenda: clean(text)))
            }
        }
        // One opportunity edited several times: only its last value is needed.
        var seen: Set<UUID> = []
        var out: [Change] = []
        for c in changes.reversed() {
            if case .putOpportunity(let o) = c { if !seen.insert(o.id).inserted { continue } }
            out.insert(c, at: 0)
        }
        return out.count == 1 ? out[0] : .batch(out)
    }

    /// A referral the candidate gave the recruiter.
    public static func referral(_ recruiter: UUID, name: String, at: Date, note: String?, in db: Database, id: UUID = UUID()) throws -> Change {
        guard db.recruiter(recruiter) != nil else { throw RapportError.failure("that recruiter is gone (deleted elsewhere)") }
        guard let who = clean(name) else { throw RapportError.usage("the referral's name is empty") }
        return .addReferral(recruiter: recruiter, referral: Referral(id: id, name: who, at: at, note: clean(note)))
    }

    static func short(_ id: UUID) -> String { String(id.uuidString.lowercased().prefix(8)) }
}
