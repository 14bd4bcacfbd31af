import Foundation
import RapportCore

/// A person the LinkedIn import could add (or add messages to), with the evidence for and
/// against their being a recruiter.
public struct LinkedInContact: Sendable, Equatable, Identifiable {
    /// Stable key: the normalised profile URL, `email:<address>`, `hidden:<conversation>`
    /// for a hidden `LinkedIn Member`, else `name:<lower-cased name>` (only when nothing
    /// else identifies the person).
    public var id: String
    public var name: String
    public var url: String?
    public var email: String?
    public var company: String?
    public var position: String?
    public var connectedOn: Date?
    /// Why this looks like a recruiter ("position: Technical Recruiter (recruiter)",
    /// "first message reads like outreach (my client, a role)", "already in Rapport").
    public var evidence: [String]
    /// Why this does not ("in the SPAM folder", "sponsored message", "small talk (congrats)").
    public var against: [String] = []
    /// SPAM or sponsored: never proposed, and not taken by `--all`.
    public var blocked = false
    /// The recruiter already in the store, if any.
    public var existingID: UUID?
    /// Messages the import would add for this person.
    public var newMessages: Int
    /// The newest message with this person, in the export or already in the store.
    public var lastContact: Date?

    public var isProposed: Bool { existingID != nil || (!evidence.isEmpty && !blocked) }

    /// Evidence for and against, as recorded on the recruiter (`extra.importEvidence`).
    public var reasons: [String] { evidence + against.map { "against: " + $0 } }
}

/// Who to take: everyone (but SPAM and sponsored senders), only the proposed recruiters,
/// or a hand-picked set of contact ids.
public enum LinkedInSelection: Sendable, Equatable {
    case all
    case onlyRecruiters
    case chosen(Set<String>)
}

/// Who you are could not be settled from the export: `--me NAME` says it.
public struct LinkedInMeUnknown: Error, Equatable, CustomStringConvertible {
    public var candidates: [String]
    public var file: String
    public var description: String {
        let names = candidates.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
        return "\(file): cannot tell which participant is you (candidates: \(names.isEmpty ? "none" : names)); "
            + "add Profile.csv from the export or say --me NAME"
    }
}

/// One line of the import review: a person the import proposes or could take. A pure
/// value: `--dry-run` prints it and the TUI's review list shows it.
public struct ImportReviewItem: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var firm: String?
    public var title: String?
    /// Messages the import adds for this person.
    public var messageCount: Int
    public var lastContact: Date?
    public var evidence: [String]
    public var against: [String]
    /// Checked at the start of the review (proposed as a recruiter).
    public var proposed: Bool
    /// The thread's last message is older than the cutoff: it comes in settled.
    public var settled: Bool
    public var alreadyInRapport: Bool
    /// A SPAM or sponsored sender: not taken by `--all`.
    public var blocked: Bool

    /// Whether `selection` takes this person.
    public func isTaken(by selection: LinkedInSelection) -> Bool {
        switch selection {
        case .all: return !blocked || alreadyInRapport
        case .onlyRecruiters: return proposed
        case .chosen(let ids): return ids.contains(id)
        }
    }

    /// One line of text: `[x] Rita Recruiter — Hays — Senior Recruiter — 3 messages, last
    /// 2026-11-02 — position: … — against: …`. Control characters are the caller's to
    /// make visible.
    public func line(checked: Bool) -> String {
        var parts = ["[\(checked ? "x" : " ")] \(name)"]
        if let firm { parts.append(firm) }
        if let title { parts.append(title) }
        var count = "\(messageCount) message\(messageCount == 1 ? "" : "s")"
        if let lastContact { count += ", last " + ISO8601.format(lastContact).prefix(10) }
        if settled { count += " (settled)" }
        parts.append(count)
        if !evidence.isEmpty { parts.append(evidence.joined(separator: "; ")) }
        if !against.isEmpty { parts.append("against: " + against.joined(separator: "; ")) }
        return parts.joined(separator: " — ")
    }
}

/// What a LinkedIn import would do, before anyone is chosen.
public struct LinkedInPlan: Sendable {
    /// The candidate's name as it appears in the export.
    public var me: String
    /// Most recruiter-like first.
    public var contacts: [LinkedInContact]
    /// Rows that could not be used, and notes for the report.
    public var skipped: [SkippedRow]
    public var notes: [String]
    /// Messages already in the store.
    public var alreadyPresent: Int

    /// Messages to add per contact id.
    var messages: [String: [Message]]
    /// Notification snippets (from mail) each contact's export messages replace.
    var replacedSnippets: [String: [UUID]] = [:]

    /// How far back a thread still counts as active by default.
    public static let defaultActiveDays = 30

    /// The cutoff: `activeSince`, else 30 days before `now`.
    public static func cutoff(now: Date, activeSince: Date?) -> Date {
        activeSince ?? now.addingTimeInterval(-TimeInterval(defaultActiveDays) * 86_400)
    }

    /// The review list: every contact, with what the import would do for them.
    public func review(now: Date, activeSince: Date? = nil) -> [ImportReviewItem] {
        let cutoff = Self.cutoff(now: now, activeSince: activeSince)
        return contacts.map { c in
            ImportReviewItem(
                id: c.id, name: c.name, firm: c.company, title: c.position, messageCount: c.newMessages,
                lastContact: c.lastContact, evidence: c.evidence, against: c.against, proposed: c.isProposed,
                settled: c.lastContact.map { $0 < cutoff } ?? false, alreadyInRapport: c.existingID != nil, blocked: c.blocked)
        }
    }

    /// The changes for `selection` (recruiters first, then their messages, one batch).
    /// History settles: inbound messages older than the cutoff (`activeSince`, default 30
    /// days before `now`) come in with `noReplyNeeded`, so they raise no reply deadline
    /// and no risk flag, and a new recruiter whose thread ended before it is `dormant`.
    public func result(selecting selection: LinkedInSelection, in db: Database, now: Date, activeSince: Date? = nil) -> ImportResult {
        let cutoff = Self.cutoff(now: now, activeSince: activeSince)
        var report = ImportReport()
        report.skipped = skipped
        report.notes = notes
        report.alreadyPresent = alreadyPresent
        var recruiterChanges: [Change] = []
        var messageChanges: [Change] = []
        var leftOut = 0, blockedOut = 0, settled = 0, needAnswer = 0, replaced = 0
        for c in contacts {
            let take: Bool
            switch selection {
            case .all: take = !c.blocked || c.existingID != nil
            case .onlyRecruiters: take = c.isProposed
            case .chosen(let ids): take = ids.contains(c.id)
            }
            guard take else {
                if c.blocked { blockedOut += 1 } else if c.newMessages > 0 { leftOut += 1 }
                continue
            }
            var msgs = messages[c.id] ?? []
            let stored = c.existingID.map { db.thread($0) } ?? []
            let threadSettled = c.lastContact.map { $0 < cutoff } ?? false
            for i in msgs.indices where msgs[i].direction == .inbound && msgs[i].at < cutoff && !msgs[i].noReplyNeeded {
                msgs[i].noReplyNeeded = true
                msgs[i].extra[LinkedInImporter.settledField] = .bool(true)
            }
            if !msgs.isEmpty || !stored.isEmpty {
                if threadSettled {
                    settled += 1
                } else {
                    let last = (stored + msgs).max { ($0.at, $0.direction == .inbound ? 1 : 0) < ($1.at, $1.direction == .inbound ? 1 : 0) }
                    if let last, last.direction == .inbound, !last.noReplyNeeded, last.at <= now { needAnswer += 1 }
                }
            }
            let rid: UUID
            if let existing = c.existingID, let r = db.recruiters[existing] {
                rid = existing
                var changed = false
                if r.linkedin == nil, let u = c.url {
                    recruiterChanges.append(.setField(recruiter: rid, field: .linkedin, value: u)); changed = true
                }
                if r.firm == nil, let f = c.company {
                    recruiterChanges.append(.setField(recruiter: rid, field: .firm, value: f)); changed = true
                }
                if let e = c.email, !r.hasEmail(e) {
                    recruiterChanges.append(.addEmail(recruiter: rid, email: e)); changed = true
                }
                if changed { report.updatedRecruiters.append(r.name) }
            } else {
                if msgs.isEmpty && !c.isProposed { continue }
                let created = msgs.map(\.at).min() ?? c.connectedOn ?? now
                var r = Recruiter(id: LinkedInImporter.recruiterID(c.id), name: c.name, firm: c.company,
                                  kind: RecruiterEvidence.inHouse(title: c.position) ? .inHouse : .agency,
                                  email: c.email, linkedin: c.url, tags: ["linkedin"],
                                  status: threadSettled ? .dormant : .active, created: created)
                if let p = c.position { r.extra["linkedinPosition"] = .string(p) }
                if let on = c.connectedOn { r.extra["linkedinConnectedOn"] = .string(ISO8601.format(on)) }
                if !c.reasons.isEmpty { r.extra[LinkedInImporter.evidenceField] = .array(c.reasons.map { .string($0) }) }
                if c.id.hasPrefix("hidden:") { r.notes = "Hidden LinkedIn member (conversation \(c.id.dropFirst(7)))" }
                rid = r.id
                recruiterChanges.append(.putRecruiter(r))
                report.newRecruiters.append(c.name)
            }
            for id in replacedSnippets[c.id] ?? [] {
                messageChanges.append(.removeMessage(id))
                replaced += 1
            }
            for var m in msgs {
                m.recruiterID = rid
                messageChanges.append(.putMessage(m))
            }
            report.newMessages += msgs.count
        }
        if leftOut > 0 {
            report.notes.append("\(leftOut) \(leftOut == 1 ? "person" : "people") with new messages left out (no recruiter evidence); --all takes everyone")
        }
        if replaced > 0 {
            report.notes.append("\(replaced) LinkedIn notification snippet\(replaced == 1 ? "" : "s") from mail replaced by the full message")
        }
        if blockedOut > 0 {
            report.notes.append("\(blockedOut) SPAM or sponsored sender\(blockedOut == 1 ? "" : "s") left out")
        }
        report.settledThreads = settled
        report.threadsNeedingAnswer = needAnswer
        if settled > 0 {
            report.notes.append("\(settled) thread\(settled == 1 ? "" : "s") ended before \(ISO8601.format(cutoff).prefix(10)) and came in settled (no deadlines; --active-since DATE moves the cutoff)")
        }
        return ImportResult(changes: recruiterChanges + messageChanges, report: report)
    }
}

/// Turns a LinkedIn export into recruiters and message threads.
public enum LinkedInImporter {
    public static let hiddenMember = "LinkedIn Member"

    /// Key of a LinkedIn message in `Message.extra`: conversation id, direction, time and
    /// a hash of the text (never a display name, which people change).
    public static let keyField = "linkedinKey"
    public static let conversationField = "linkedinConversation"
    /// `true` on an inbound message the import marked `noReplyNeeded` because it is older
    /// than the cutoff.
    public static let settledField = "linkedinSettled"
    /// On a new recruiter: the evidence for and against, as the review showed it.
    public static let evidenceField = "importEvidence"
    /// Attachment links of a message.
    public static let attachmentsField = "linkedinAttachments"
    /// The `folder` of a row made from an Invitations.csv note (a name LinkedIn's own
    /// folders never have).
    static let invitationFolder = "Invitations.csv"
    /// `true` on a message `rapport ingest` made from a LinkedIn notification mail: its
    /// body is only the snippet (the mail module's `MailKeys.linkedinSnippet`).
    public static let snippetField = "linkedin.snippet"

    /// Whether an export message is the full text of a notification snippet: inbound,
    /// within a day of it, and its text starts with the snippet's first line.
    static func completes(_ snippet: Message, at: Date, content: String?) -> Bool {
        guard abs(snippet.at.timeIntervalSince(at)) <= 86_400, let body = snippet.body, let content else { return false }
        var first = String(body.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
            .trimmingCharacters(in: .whitespaces)
        for tail in ["…", "..."] where first.hasSuffix(tail) { first = String(first.dropLast(tail.count)).trimmingCharacters(in: .whitespaces) }
        func squeeze(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        return !first.isEmpty && squeeze(content).hasPrefix(squeeze(first))
    }

    static func dedupeKey(conversation: String, date: Date, direction: Direction, subject: String?, content: String?) -> String {
        "\(conversation)|\(direction.rawValue)|\(ISO8601.format(date))|\(fnv1a([subject ?? "", content ?? ""].joined(separator: "\n")))"
    }

    /// The key older versions wrote (with the sender's display name), so their imports
    /// are still recognised.
    static func legacyKey(conversation: String, date: Date, sender: String) -> String {
        "\(conversation)|\(ISO8601.format(date))|\(sender.lowercased())"
    }

    /// 64-bit FNV-1a, hex: a stable hash (Swift's `hashValue` changes between runs).
    static func fnv1a(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return String(h, radix: 16)
    }

    /// The id of the recruiter an import creates for a contact key.
    public static func recruiterID(_ contactKey: String) -> UUID {
        if contactKey.hasPrefix("email:") { return StableID.make(.recruiter, contactKey) }
        if contactKey.hasPrefix("name:") || contactKey.hasPrefix("hidden:") { return StableID.make(.recruiter, "linkedin-" + contactKey) }
        return StableID.make(.recruiter, "linkedin:" + contactKey)
    }

    /// Reads the files and works out who is who. You are, in order: `me` (`--me`), the
    /// name in Profile.csv, the one participant present in every conversation. Throws
    /// `LinkedInMeUnknown` when none of these settles it, `InterchangeError` when nothing
    /// is readable or `me` is nobody.
    public static func plan(
        _ files: LinkedInFiles, into db: Database, me requestedMe: String? = nil, progress: CSVTable.Progress? = nil
    ) throws -> LinkedInPlan {
        var skipped: [SkippedRow] = []
        var notes: [String] = []
        var rows: [LinkedInMessageRow] = []
        if let text = files.messages {
            let r = try LinkedInReader.messages(text, file: files.messagesName, progress: progress)
            rows = r.rows
            skipped += r.skipped
            notes += r.notes
            let drafts = r.skipped.filter { $0.reason == LinkedInReader.draftReason }.count
            if drafts > 0 { notes.append("\(drafts) draft\(drafts == 1 ? "" : "s") (never sent) skipped") }
        }
        var connections: [LinkedInConnection] = []
        if let text = files.connections {
            let r = try LinkedInReader.connections(text, file: files.connectionsName)
            connections = r.rows
            skipped += r.skipped
            notes += r.notes
        }
        var invitations: [LinkedInInvitation] = []
        if let text = files.invitations {
            let r = try LinkedInReader.invitations(text, file: files.invitationsName)
            invitations = r.rows
            skipped += r.skipped
            notes += r.notes
        }

        // Profile URLs normalised once each (the same few appear on thousands of rows).
        var normalized: [String: String?] = [:]
        func norm(_ url: String?) -> String? {
            guard let url else { return nil }
            if let hit = normalized[url] { return hit }
            let n = LinkedInURL.normalize(url)
            normalized[url] = n
            return n
        }

        // Who am I?
        let me = try whoAmI(requested: requestedMe, profile: files.profile.flatMap(LinkedInReader.profileName),
                            rows: rows, invitations: invitations, file: files.messagesName, notes: &notes)
        let meKey = me.lowercased()
        // Your profile URL, from your own rows and invitations; any name written with it is you too.
        var myURLs: Set<String> = []
        for r in rows where r.from.lowercased() == meKey { if let u = norm(r.senderURL) { myURLs.insert(u) } }
        for i in invitations {
            if i.incoming == false || i.from.lowercased() == meKey, let u = i.inviterURL.flatMap(LinkedInURL.normalize) { myURLs.insert(u) }
            if i.incoming == true || i.to.lowercased() == meKey, let u = i.inviteeURL.flatMap(LinkedInURL.normalize) { myURLs.insert(u) }
        }
        var myNames: Set<String> = [meKey]
        if !myURLs.isEmpty {
            for r in rows { if let u = norm(r.senderURL), myURLs.contains(u) { myNames.insert(r.from.lowercased()) } }
        }
        if myNames.count > 1 {
            notes.append("you also appear as \(myNames.subtracting([meKey]).sorted().joined(separator: ", ")) (same profile URL)")
        }
        let isMe: (String) -> Bool = { myNames.contains($0.lowercased()) }

        // Invitations with a note become messages: theirs the first message of their
        // thread, yours an outbound one.
        let firstName = me.split(separator: " ").first.map(String.init)
        for i in invitations {
            guard let note = i.message, let at = i.sentAt else { continue }
            let outgoing = i.incoming.map { !$0 } ?? isMe(i.from)
            let other = outgoing ? (i.to, i.inviteeURL) : (i.from, i.inviterURL)
            let conv = "invitation:" + (other.1.flatMap(LinkedInURL.normalize) ?? other.0.lowercased())
            rows.append(LinkedInMessageRow(
                line: i.line, conversationID: conv, conversationTitle: nil, from: outgoing ? me : i.from,
                senderURL: i.inviterURL, to: [outgoing ? i.to : me],
                recipientURLs: [i.inviteeURL].compactMap { $0 }, date: at, subject: "Invitation", content: note,
                folder: invitationFolder))
        }

        // Profile URLs by name, where a name has exactly one.
        var urlsByName: [String: Set<String>] = [:]
        var spellingOfURL: [String: String] = [:]
        func learn(_ name: String, _ url: String?) {
            guard name != hiddenMember, !isMe(name), let u = norm(url) else { return }
            urlsByName[name.lowercased(), default: []].insert(u)
            spellingOfURL[u] = spellingOfURL[u] ?? url
        }
        for r in rows where !isMe(r.from) { learn(r.from, r.senderURL) }
        for r in rows where isMe(r.from) && r.to.count == 1 && r.recipientURLs.count == 1 { learn(r.to[0], r.recipientURLs[0]) }
        for i in invitations { learn(i.from, i.inviterURL); learn(i.to, i.inviteeURL) }
        var connectionByURL: [String: LinkedInConnection] = [:]
        var connectionsByName: [String: [LinkedInConnection]] = [:]
        for c in connections {
            if let u = c.url.flatMap(LinkedInURL.normalize) { connectionByURL[u] = c }
            connectionsByName[RecruiterIndex.key(c.fullName), default: []].append(c)
        }
        func uniqueURL(_ name: String) -> String? {
            if let set = urlsByName[name.lowercased()], set.count == 1 { return set.first }
            if let cs = connectionsByName[RecruiterIndex.key(name)], cs.count == 1 { return cs[0].url.flatMap(LinkedInURL.normalize) }
            return nil
        }

        // What the store already has.
        var knownKeys: Set<String> = []
        var ownerOfConversation: [String: UUID] = [:]
        var lastStored: [UUID: Date] = [:]
        var snippets: [UUID: [Message]] = [:]
        for (owner, thread) in db.threads {
            for m in thread {
                if case .string(let k)? = m.extra[keyField] { knownKeys.insert(k) }
                if case .string(let c)? = m.extra[conversationField] { ownerOfConversation[c] = owner }
                if m.direction == .inbound, m.extra[snippetField] == .bool(true) { snippets[owner, default: []].append(m) }
            }
            if let last = thread.last?.at { lastStored[owner] = last }
        }
        let index = RecruiterIndex(db)

        // Group by conversation, in file order.
        var order: [String] = []
        var byConversation: [String: [LinkedInMessageRow]] = [:]
        for r in rows {
            if byConversation[r.conversationID] == nil { order.append(r.conversationID) }
            byConversation[r.conversationID, default: []].append(r)
        }

        var contacts: [String: LinkedInContact] = [:]
        var contactOrder: [String] = []
        var messages: [String: [Message]] = [:]
        var theirRows: [String: [LinkedInMessageRow]] = [:]
        var firstRow: [String: LinkedInMessageRow] = [:]
        var seenInFile: [String: Int] = [:]
        var alreadyPresent = 0
        var replacedSnippets: [String: [UUID]] = [:]
        var usedSnippets: Set<UUID> = []

        for conv in order {
            let convRows = byConversation[conv]!.sorted { ($0.date, $0.line) < ($1.date, $1.line) }
            // The other participant: whoever but me sent most; else whom I wrote to.
            var sent: [String: Int] = [:]
            for r in convRows where !isMe(r.from) { sent[r.from, default: 0] += 1 }
            var others = Set(convRows.flatMap { [$0.from] + $0.to }.filter { !isMe($0) })
            let other = sent.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
                ?? convRows.lazy.flatMap(\.to).first { !isMe($0) }
            guard let other else {
                for r in convRows { skipped.append(SkippedRow(file: files.messagesName, line: r.line, reason: "no other participant in conversation \(conv)")) }
                continue
            }
            others.remove(other)
            if !others.isEmpty {
                notes.append("group conversation \"\(convRows[0].conversationTitle ?? conv)\" filed under \(other)")
            }
            // Identity: this conversation's profile URL for them, else the one URL their
            // name has, else their connection's e-mail, else (only then) the name.
            let convURL = convRows.lazy.filter { $0.from == other }.compactMap(\.senderURL).first
                ?? convRows.lazy.filter { isMe($0.from) && $0.to == [other] && $0.recipientURLs.count == 1 }.map { $0.recipientURLs[0] }.first
            let url = other == hiddenMember ? nil : (norm(convURL) ?? uniqueURL(other))
            let conn = url.flatMap { connectionByURL[$0] }
                ?? (other == hiddenMember ? nil : connectionsByName[RecruiterIndex.key(other)].flatMap { $0.count == 1 && (url == nil || $0[0].url == nil) ? $0[0] : nil })
            let ck: String
            if other == hiddenMember { ck = "hidden:" + conv } else if let url { ck = url } else if let e = conn?.email?.lowercased() {
                ck = "email:" + e
            } else { ck = "name:" + RecruiterIndex.key(other) }
            if contacts[ck] == nil {
                let shownURL = url.map { spellingOfURL[$0] ?? conn?.url ?? "https://www.linkedin.com/" + $0.replacingOccurrences(of: "linkedin.com/", with: "") }
                let existing = ownerOfConversation[conv]
                    ?? (other == hiddenMember ? nil : index.find(emails: conn?.email.map { [$0] } ?? [], linkedin: url, name: other))
                    ?? (db.recruiters[recruiterID(ck)] != nil ? recruiterID(ck) : nil)
                contacts[ck] = LinkedInContact(
                    id: ck, name: other, url: shownURL, email: conn?.email, company: conn?.company, position: conn?.position,
                    connectedOn: conn?.connectedOn, evidence: [], existingID: existing, newMessages: 0,
                    lastContact: existing.flatMap { lastStored[$0] })
                contactOrder.append(ck)
            }
            for r in convRows {
                // Their first contact: the earliest row, an invitation note first on a tie.
                func rank(_ x: LinkedInMessageRow) -> (Date, Int) { (x.date, x.folder == invitationFolder ? 0 : 1) }
                if firstRow[ck].map({ rank(r) < rank($0) }) ?? true { firstRow[ck] = r }
                if !isMe(r.from) { theirRows[ck, default: []].append(r) }
                contacts[ck]!.lastContact = max(contacts[ck]!.lastContact ?? r.date, r.date)
                let direction: Direction = isMe(r.from) ? .outbound : .inbound
                let k = dedupeKey(conversation: conv, date: r.date, direction: direction, subject: r.subject, content: r.content)
                if !knownKeys.isEmpty, knownKeys.contains(k) || knownKeys.contains(legacyKey(conversation: conv, date: r.date, sender: r.from)) {
                    alreadyPresent += 1; continue
                }
                if let line = seenInFile[k] {
                    skipped.append(SkippedRow(file: r.folder == invitationFolder ? files.invitationsName : files.messagesName,
                                              line: r.line, reason: "duplicate of line \(line)"))
                    continue
                }
                seenInFile[k] = r.line
                var extra: [String: JSONValue] = [conversationField: .string(conv), keyField: .string(k)]
                if !others.isEmpty { extra["linkedinFrom"] = .string(r.from) }
                var body = r.sponsored ? RecruiterEvidence.cleanSponsored(r.content, firstName: firstName) : r.content
                if !r.attachments.isEmpty {
                    extra[attachmentsField] = .array(r.attachments.map { .string($0) })
                    body = ([body].compactMap { $0 } + r.attachments.map { "Attachment: " + $0 }).joined(separator: "\n")
                }
                if r.folder == invitationFolder { extra["linkedinInvitation"] = .bool(true) }
                if direction == .inbound, let owner = contacts[ck]!.existingID,
                   let s = snippets[owner]?.first(where: { !usedSnippets.contains($0.id) && completes($0, at: r.date, content: r.content) }) {
                    usedSnippets.insert(s.id)
                    replacedSnippets[ck, default: []].append(s.id)
                }
                messages[ck, default: []].append(Message(
                    id: StableID.make(.message, "linkedin:" + k), recruiterID: UUID(), direction: direction, channel: .linkedin,
                    at: r.date, subject: r.subject, body: body, extra: extra))
                contacts[ck]!.newMessages += 1
            }
        }

        // Connections with a recruiter title but no messages are worth proposing too.
        for c in connections where !RecruiterEvidence.titleHits(c.position).isEmpty && !c.fullName.isEmpty {
            let u = c.url.flatMap(LinkedInURL.normalize)
            let ck = u ?? c.email.map { "email:" + $0.lowercased() } ?? "name:" + RecruiterIndex.key(c.fullName)
            guard contacts[ck] == nil else { continue }
            if u == nil, contacts["name:" + RecruiterIndex.key(c.fullName)] != nil { continue }
            if index.find(email: c.email, linkedin: c.url, name: c.fullName) != nil || db.recruiters[recruiterID(ck)] != nil { continue }
            contacts[ck] = LinkedInContact(id: ck, name: c.fullName, url: c.url, email: c.email, company: c.company,
                                           position: c.position, connectedOn: c.connectedOn, evidence: [],
                                           existingID: nil, newMessages: 0)
            contactOrder.append(ck)
        }

        // Evidence for and against.
        for id in contactOrder {
            var c = contacts[id]!
            if c.existingID != nil { c.evidence.append("already in Rapport") }
            let hits = RecruiterEvidence.titleHits(c.position)
            if !hits.isEmpty, let p = c.position { c.evidence.append("position: \(p) (\(hits.joined(separator: ", ")))") }
            let companyHits = RecruiterEvidence.titleHits(c.company)
            if hits.isEmpty, !companyHits.isEmpty, let f = c.company { c.evidence.append("company: \(f) (\(companyHits.joined(separator: ", ")))") }
            let theirs = theirRows[id] ?? []
            if !theirs.isEmpty, theirs.allSatisfy({ RecruiterEvidence.isSpam(folder: $0.folder) }) { c.against.append("in the SPAM folder"); c.blocked = true }
            if theirs.contains(where: \.sponsored) { c.against.append("sponsored message (marketing, no sender profile)"); c.blocked = true }
            if let first = firstRow[id], !isMe(first.from), !first.sponsored, !RecruiterEvidence.isSpam(folder: first.folder) {
                let text = [first.conversationTitle, first.subject == "Invitation" ? nil : first.subject, first.content]
                    .compactMap { $0 }.joined(separator: "\n")
                let what = first.folder == invitationFolder ? "invitation note" : "first message"
                if RecruiterEvidence.readsLikeOutreach(text) {
                    let found = RecruiterEvidence.outreachHits(text) + RecruiterEvidence.titleHits(text)
                    c.evidence.append("\(what) reads like outreach (\(found.prefix(4).joined(separator: ", ")))")
                }
            }
            // Small talk in their first few messages (where a thread shows what it is).
            let talk = Array(Set(theirs.sorted { $0.date < $1.date }.prefix(3).flatMap { RecruiterEvidence.smallTalkHits($0.content) })).sorted()
            if !talk.isEmpty, !c.evidence.contains(where: { $0.contains("reads like outreach") }) {
                c.against.append("small talk (\(talk.prefix(3).joined(separator: ", ")))")
            }
            contacts[id] = c
        }
        // Drop contacts with nothing to add and nothing to fill in.
        let list = contactOrder.compactMap { contacts[$0] }
            .filter { $0.newMessages > 0 || ($0.existingID == nil && $0.isProposed) }
            .sorted {
                if $0.isProposed != $1.isProposed { return $0.isProposed }
                if $0.newMessages != $1.newMessages { return $0.newMessages > $1.newMessages }
                return $0.name.lowercased() < $1.name.lowercased()
            }
        return LinkedInPlan(me: me, contacts: list, skipped: skipped, notes: notes, alreadyPresent: alreadyPresent, messages: messages,
                            replacedSnippets: replacedSnippets)
    }

    /// You: `--me`, else Profile.csv, else the one participant in every conversation.
    static func whoAmI(
        requested: String?, profile: String?, rows: [LinkedInMessageRow], invitations: [LinkedInInvitation], file: String,
        notes: inout [String]
    ) throws -> String {
        func spelled(_ key: String) -> String? {
            rows.lazy.flatMap { [$0.from] + $0.to }.first { $0.lowercased() == key }
        }
        if let requested = requested?.trimmingCharacters(in: .whitespaces), !requested.isEmpty {
            let key = requested.lowercased()
            let known = rows.contains { $0.from.lowercased() == key || $0.to.contains { $0.lowercased() == key } }
                || invitations.contains { $0.from.lowercased() == key || $0.to.lowercased() == key }
            guard rows.isEmpty || known else {
                throw InterchangeError("--me \(requested): nobody of that name wrote or received a message in \(file)")
            }
            return spelled(key) ?? requested
        }
        if let profile {
            notes.append("you are \(profile) (Profile.csv)")
            return spelled(profile.lowercased()) ?? profile
        }
        // An invitation's direction says who you are: the invitee of an incoming one, the
        // inviter of an outgoing one.
        let invited = Set(invitations.compactMap { i in i.incoming.map { $0 ? i.to : i.from } })
        if invited.count == 1, let name = invited.first {
            notes.append("you are \(name) (Invitations.csv)")
            return spelled(name.lowercased()) ?? name
        }
        guard !rows.isEmpty else {
            // Invitations alone: the name on every invitation.
            var common: Set<String>?
            for i in invitations { common = (common ?? [i.from.lowercased(), i.to.lowercased()]).intersection([i.from.lowercased(), i.to.lowercased()]) }
            if let common, common.count == 1, let only = common.first,
               let name = invitations.lazy.flatMap({ [$0.from, $0.to] }).first(where: { $0.lowercased() == only }) {
                notes.append("you are \(name) (on every invitation); --me NAME says otherwise")
                return name
            }
            if invitations.isEmpty { return "" }
            throw LinkedInMeUnknown(candidates: Array(Set(invitations.flatMap { [$0.from, $0.to] })).sorted(), file: "Invitations.csv")
        }
        // Participants by profile URL where the row gives one (two people may share a
        // name), else by name.
        var participants: [String: Set<String>] = [:]
        var counts: [String: Int] = [:]
        var nameOfKey: [String: String] = [:]
        for r in rows {
            var people: [(String, String?)] = [(r.from, r.senderURL)]
            if r.to.count == r.recipientURLs.count { people += zip(r.to, r.recipientURLs.map(Optional.some)) } else { people += r.to.map { ($0, nil) } }
            for (n, url) in people where n != hiddenMember {
                // The URL as written: it only has to match itself within this file.
                let k = url.map { "url:" + $0.lowercased() } ?? "name:" + n.lowercased()
                participants[r.conversationID, default: []].insert(k)
                counts[k, default: 0] += 1
                nameOfKey[k] = nameOfKey[k] ?? n
            }
        }
        var common: Set<String>?
        for set in participants.values { common = common.map { $0.intersection(set) } ?? set }
        let ranked = (common ?? []).sorted { (counts[$0] ?? 0, nameOfKey[$1] ?? $1) > (counts[$1] ?? 0, nameOfKey[$0] ?? $0) }
        let candidates = ranked.compactMap { nameOfKey[$0] }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        if candidates.count == 1 {
            notes.append("you are \(candidates[0]) (in every conversation); --me NAME says otherwise")
            return candidates[0]
        }
        let shown = candidates.isEmpty
            ? counts.keys.sorted { (counts[$0] ?? 0, $1) > (counts[$1] ?? 0, $0) }.compactMap { nameOfKey[$0] }.prefix(5).map { $0 }
            : candidates
        throw LinkedInMeUnknown(candidates: shown, file: file)
    }
}

/// The import review's command language: numbers (`1 3 5`, `2-4`) toggle, `a` selects
/// all, `n` selects none. Pure, so the prompt logic is tested without a terminal.
public enum ReviewSelection {
    /// Applies one command to `checked` (indexes 0..<count). Returns nil for a command it
    /// does not understand.
    public static func apply(_ command: String, to checked: Set<Int>, count: Int) -> Set<Int>? {
        let t = command.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "a" || t == "all" { return Set(0..<count) }
        if t == "n" || t == "none" { return [] }
        var result = checked
        for tok in t.split(whereSeparator: { $0 == " " || $0 == "," }) {
            let bounds = tok.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard let lo = bounds.first ?? nil, let hi = bounds.last ?? nil, bounds.count <= 2, lo >= 1, hi <= count, lo <= hi else { return nil }
            for i in lo...hi {
                if result.contains(i - 1) { result.remove(i - 1) } else { result.insert(i - 1) }
            }
        }
        return result
    }
}
