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
        var r = recruiter
        let lastIn = lastInbound(r.id, in: db)
        let m = Message(recruiterID: r.id, direction: .outbound, channel: lastIn?.channel ?? .email, at: now,
                        subject: subject ?? declineSubject,
                        body: body ?? declineBody(recruiter: r, reason: reason, reengage: reengage != nil))
        r.status = .declined
        var changes: [Change] = [.putMessage(m), .putRecruiter(r)]
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
    public static func toggleDoNotContact(_ r: Recruiter) -> Change {
        var r = r
        r.status = r.status == .doNotContact ? .active : .doNotContact
        return .putRecruiter(r)
    }

    /// Marks a deadline done: a follow-up gets `done = now`, an open inbound message
    /// needs no reply, an expectation is closed. Nil when there is nothing to mark.
    public static func done(_ deadline: Deadline, in db: Database, now: Date) -> Change? {
        if let id = deadline.followUpID, var f = db.followUps[id], f.done == nil {
            f.done = now
            return .putFollowUp(f)
        }
        if let id = deadline.expectationID, db.expectations[id] != nil {
            return .removeExpectation(id)
        }
        if let id = deadline.messageID, var m = db.message(id), m.direction == .inbound {
            m.noReplyNeeded = true
            return .putMessage(m)
        }
        return nil
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
