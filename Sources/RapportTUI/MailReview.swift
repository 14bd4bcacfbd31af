import Foundation
import RapportCore

/// The review of recruiters `rapport ingest` created from mail (tagged `from-mail`, their
/// evidence in `extra["mail.evidence"]`): `M` in the panes opens them in the import
/// review list. Accepting keeps a recruiter (the `from-mail` tag goes, the evidence stays
/// in their notes); rejecting removes them with everything mail gave them, and
/// remembers them so the next ingest does not create them again. One store change,
/// one undo step.
public enum MailReview {
    /// The tag ingest puts on the recruiters it creates.
    public static let tag = "from-mail"
    /// Where ingest keeps the evidence (a list of strings) on a recruiter it created.
    public static let evidenceKey = "mail.evidence"
    /// The review list's heading.
    public static let source = "Recruiters from mail"

    /// Everyone waiting for review, oldest first.
    public static func entries(_ db: Database) -> [ReviewEntry] {
        db.recruiters.values.filter { $0.tags.contains(tag) }
            .sorted { ($0.created, $0.name, $0.id.uuidString) < ($1.created, $1.name, $1.id.uuidString) }
            .map { entry($0, thread: db.thread($0.id)) }
    }

    static func entry(_ r: Recruiter, thread: [Message]) -> ReviewEntry {
        var evidence: [String] = []
        if case .array(let a)? = r.extra[evidenceKey] {
            evidence = a.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
        }
        var against: [String] = []
        let inbound = thread.filter { $0.direction == .inbound }
        if thread.count == 1 { against.append("one message only") }
        if !inbound.isEmpty && inbound.allSatisfy(\.noReplyNeeded) { against.append("only bulk or automatic mail") }
        if !thread.contains(where: { $0.direction == .outbound }) { against.append("you never wrote to them") }
        if r.emails.isEmpty { against.append("no address of their own (only a no-reply sender)") }
        if !evidence.isEmpty && evidence.allSatisfy({ $0.hasPrefix("outreach") }) {
            against.append("outreach wording is the only evidence")
        }
        if let free = r.emails.first(where: isFreeMail) { against.append("a free-mail address (\(free))") }
        let title = evidence.first { $0.hasPrefix("signature: ") }.map { String($0.dropFirst("signature: ".count)) }
        return ReviewEntry(id: r.id.uuidString, name: r.name, firm: r.firm, title: title, messageCount: thread.count,
                           lastContact: thread.last?.at, evidence: evidence, against: against, proposed: true)
    }

    static let freeMailDomains: Set<String> = [
        "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com",
        "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "web.de", "mail.ru", "fastmail.com",
    ]

    static func isFreeMail(_ address: String) -> Bool {
        freeMailDomains.contains(address.split(separator: "@").last.map { $0.lowercased() } ?? "")
    }

    /// The change that commits a review: the kept lose the tag, the rejected are removed.
    /// Built on the store's data: someone removed meanwhile is skipped, someone already
    /// reviewed elsewhere (no tag) is left alone.
    public static func change(keep: [UUID], reject: [UUID], in db: Database) -> Change {
        var out: [Change] = []
        for id in keep where db.recruiter(id)?.tags.contains(tag) == true {
            out.append(.removeTag(recruiter: id, tag: tag))
        }
        for id in reject where db.recruiter(id)?.tags.contains(tag) == true {
            out.append(.removeRecruiter(id))
        }
        return .batch(out)
    }
}

extension AppState {
    /// `M`: the review list of the recruiters from mail, everyone accepted to start with.
    mutating func openMailReview() {
        let entries = MailReview.entries(db)
        guard !entries.isEmpty else {
            statusMessage = StatusMessage("No recruiters from mail to review (rapport ingest creates them, tagged from-mail)")
            return
        }
        var r = ImportReview(source: MailReview.source, entries: entries)
        r.purpose = .mail
        review = r
    }

    /// Enter in the mail review: one store change, and the rejected remembered.
    mutating func commitMailReview(_ r: ImportReview) -> [Effect] {
        review = nil
        let ids = r.entries.compactMap { UUID(uuidString: $0.id) }
        let keep = ids.filter { r.accepted.contains($0.uuidString) }
        let reject = ids.filter { !r.accepted.contains($0.uuidString) }
        let rejected = reject.compactMap { db.recruiter($0) }
        let label = "Review recruiters from mail: kept \(keep.count), rejected \(reject.count)"
        var effects = commit(&self, .reviewMail(keep: keep, reject: reject), label: label)
        if !effects.isEmpty && !rejected.isEmpty { effects.append(.rejectMailSenders(rejected)) }
        return effects
    }
}
