import Foundation

/// The workflows a candidate runs, as pure functions from the data to one `Change`.
/// The CLI (`rapport reply`, `decline`, `interview`, `done`, `snooze`) and the TUI
/// (`r`, `c`, `i`, `x`, `s`, `t`, `D`) build their changes here, so both record exactly
/// the same thing.
public enum Actions {
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

    /// A courtesy decline as one step: the outbound message, status `declined`, and a
    /// re-engage follow-up when a date is given.
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

    /// Targeted ↔ blanket.
    public static func toggleTargeting(_ r: Recruiter) -> Change {
        var r = r
        r.targeting = r.targeting == .targeted ? .blanket : .targeted
        return .putRecruiter(r)
    }

    /// Do-not-contact on, or back to active.
    public static func toggleDoNotContact(_ r: Recruiter, in db: Database) -> Change {
        setStatus(r, r.status == .doNotContact ? .active : .doNotContact, until: nil, in: db)
    }

    /// The relationship status as one step. Dormant, declined and do-not-contact also
    /// settle the messages still open (the newest is marked "no reply needed", which closes
    /// it and every one before it), so the status change counts as their answer: when the
    /// recruiter writes again, only the new message is open.
    public static func setStatus(_ r: Recruiter, _ status: RelationshipStatus, until: Date?, in db: Database, now: Date? = nil) -> Change {
        var changes: [Change] = [.setStatus(recruiter: r.id, status: status, until: until)]
        if [.dormant, .declined, .doNotContact].contains(status) {
            let thread = db.thread(r.id).filter { now == nil || $0.at <= now! }
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

    /// Marks a deadline done: a follow-up gets `done = now`, an expectation is closed, a
    /// reply's newest open message needs no reply (closing the thread's deadline); a
    /// thank-you or check-in logs the outbound message it asked for; an interview is
    /// ended by a dismissal ("done"). Nil when there is nothing to mark.
    public static func done(_ deadline: Deadline, in db: Database, now: Date) -> Change? {
        if let id = deadline.followUpID, var f = db.followUps[id], f.done == nil {
            f.done = now
            return .putFollowUp(f)
        }
        if let id = deadline.expectationID, db.expectations[id] != nil {
            return .removeExpectation(id)
        }
        switch deadline.kind {
        case .reply:
            guard let id = deadline.lastMessageID ?? deadline.messageID, var m = db.message(id), m.direction == .inbound else { return nil }
            m.noReplyNeeded = true
            return .putMessage(m)
        case .thankYou, .checkIn:
            guard let r = db.recruiters[deadline.recruiterID] else { return nil }
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
        if let id = deadline.followUpID, var f = db.followUps[id], f.done == nil {
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
            return db.followUps[id].map { snooze($0, until: until) }
        }
        return .dismissDeadline(recruiter: deadline.recruiterID,
                                dismissal: Dismissal(deadline: deadline.id, at: now, until: until))
    }

    /// Puts a follow-up off until `until`.
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
