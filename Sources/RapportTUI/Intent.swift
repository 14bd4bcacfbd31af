import Foundation
import RapportCore

/// What the user asked the store to do, as opposed to the `Change` that does it. `update`
/// emits intents (`Effect.persist`); the effect runner turns each into a `Change` with the
/// shared workflow builders (`Workflows`, RapportCore) against the store's data under the
/// store's lock, never against the copy on screen, which may be a second old. So a write
/// another process made meanwhile is built upon, not overwritten.
public enum Intent: Equatable, Sendable {
    /// A change fixed when it was asked for: a new record, or a delete the user confirmed
    /// (its inverse is still taken on the store's data).
    case change(Change)
    /// `r`, or a reply draft sent: an outbound message now.
    case reply(recruiter: UUID, subject: String?, body: String?)
    /// A courtesy decline draft sent.
    case decline(recruiter: UUID, reason: String?, reengage: Date?, subject: String?, body: String?)
    case toggleTargeting(UUID)
    case toggleDoNotContact(UUID)
    /// `x`: the deadline marked done.
    case done(Deadline)
    case snooze(followUp: UUID, until: Date)
    /// `s` on any deadline: a follow-up's own snooze, any other a dismissal until `until`.
    case snoozeDeadline(Deadline, until: Date)
    /// `X`: the deadline dismissed with a reason.
    case dismiss(Deadline, reason: String?)
    /// `m`: the relationship status (dormant and declined may lapse at `until`).
    case status(UUID, RelationshipStatus, until: Date?)
    /// The edit form: only the fields that differ from what the form started with.
    case edit(UUID, Workflows.Edit)
    case interview(recruiter: UUID, at: Date, minutes: Int, role: String?, employer: String?, interviewers: [String])
    /// Space in call prep: the item flipped from what it is in the store now.
    case toggleChecklist(ChecklistItem, recruiter: UUID, opportunity: UUID?)
    /// The mail review committed: keep `keep` (their `from-mail` tag goes), remove `reject`
    /// with everything they own.
    case reviewMail(keep: [UUID], reject: [UUID])

    /// The change on `db` (the store's data, under its lock). Throws, in the user's words,
    /// when it no longer applies.
    public func change(in db: Database, now: Date) throws -> Change {
        func recruiter(_ id: UUID) throws -> Recruiter {
            guard let r = db.recruiter(id) else { throw RapportError.failure("that recruiter is gone (deleted elsewhere)") }
            return r
        }
        switch self {
        case .change(let c):
            return c
        case .reply(let id, let subject, let body):
            return Workflows.reply(recruiter: try recruiter(id), in: db, now: now, subject: subject, body: body)
        case .decline(let id, let reason, let reengage, let subject, let body):
            return Workflows.decline(recruiter: try recruiter(id), in: db, now: now, reason: reason, reengage: reengage,
                                     subject: subject, body: body)
        case .toggleTargeting(let id):
            return Workflows.toggleTargeting(try recruiter(id))
        case .toggleDoNotContact(let id):
            return Workflows.toggleDoNotContact(try recruiter(id))
        case .done(let d):
            guard let c = Workflows.done(d, in: db, now: now) else {
                throw RapportError.failure("\"\(d.title)\" is already done (elsewhere)")
            }
            return c
        case .snooze(let id, let until):
            return try Workflows.snooze(id: id, in: db, until: until, now: now)
        case .snoozeDeadline(let d, let until):
            guard let c = Workflows.snooze(d, in: db, until: until, now: now) else {
                throw RapportError.failure("\"\(d.title)\" is gone (done elsewhere)")
            }
            return c
        case .dismiss(let d, let reason):
            _ = try recruiter(d.recruiterID)
            return Workflows.dismiss(d, in: db, now: now, reason: reason)
        case .status(let id, let status, let until):
            _ = try recruiter(id)
            return Workflows.status(id, status, until: until, in: db, now: now)
        case .edit(let id, let edit):
            return try Workflows.edit(id, edit, in: db)
        case .interview(let id, let at, let minutes, let role, let employer, let interviewers):
            return try Workflows.interview(recruiter: try recruiter(id), in: db, at: at, minutes: minutes, role: role,
                                           employer: employer, interviewers: interviewers)
        case .toggleChecklist(let item, let id, let opportunity):
            let r = try recruiter(id)
            let done: Bool
            switch item.scope {
            case .recruiter: done = !r.checklist.isDone(item)
            case .opportunity: done = !(opportunity.flatMap { db.opportunities[$0] }?.checklist.isDone(item) ?? false)
            }
            return try Workflows.tick(item, done: done, recruiter: id, opportunity: opportunity, in: db, now: now)
        case .reviewMail(let keep, let reject):
            return MailReview.change(keep: keep, reject: reject, in: db)
        }
    }
}
