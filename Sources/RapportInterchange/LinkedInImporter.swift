import Foundation
import RapportCore

/// A person the LinkedIn import could add (or add messages to), with the evidence that
/// they are a recruiter.
public struct LinkedInContact: Sendable, Equatable, Identifiable {
    /// Stable key: the normalised profile URL, `hidden:<conversation>` for a hidden
    /// `LinkedIn Member`, else `name:<lower-cased name>`.
    public var id: String
    public var name: String
    public var url: String?
    public var email: String?
    public var company: String?
    public var position: String?
    public var connectedOn: Date?
    /// Why this looks like a recruiter ("position: Technical Recruiter", "thread reads
    /// like outreach", "already in Rapport"). Empty: no evidence.
    public var evidence: [String]
    /// The recruiter already in the store, if any.
    public var existingID: UUID?
    /// Messages the import would add for this person.
    public var newMessages: Int

    public var isProposed: Bool { !evidence.isEmpty }
}

/// Who to take: everyone, only the proposed recruiters, or a hand-picked set of contact ids.
public enum LinkedInSelection: Sendable, Equatable {
    case all
    case onlyRecruiters
    case chosen(Set<String>)
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

    /// The changes for `selection` (recruiters first, then their messages, one batch).
    public func result(selecting selection: LinkedInSelection, in db: Database, now: Date) -> ImportResult {
        var report = ImportReport()
        report.skipped = skipped
        report.notes = notes
        report.alreadyPresent = alreadyPresent
        var recruiterChanges: [Change] = []
        var messageChanges: [Change] = []
        var leftOut = 0
        for c in contacts {
            let take: Bool
            switch selection {
            case .all: take = true
            case .onlyRecruiters: take = c.isProposed
            case .chosen(let ids): take = ids.contains(c.id)
            }
            guard take else {
                if c.newMessages > 0 { leftOut += 1 }
                continue
            }
            let msgs = messages[c.id] ?? []
            let rid: UUID
            if let existing = c.existingID, var r = db.recruiters[existing] {
                rid = existing
                var changed = false
                if r.linkedin == nil, let u = c.url { r.linkedin = u; changed = true }
                if r.firm == nil, let f = c.company { r.firm = f; changed = true }
                if r.email == nil, let e = c.email { r.email = e; changed = true }
                if changed {
                    recruiterChanges.append(.putRecruiter(r))
                    report.updatedRecruiters.append(r.name)
                }
            } else {
                if msgs.isEmpty && c.existingID == nil && !c.isProposed { continue }
                let created = msgs.map(\.at).min() ?? c.connectedOn ?? now
                var r = Recruiter(name: c.name, firm: c.company, kind: RecruiterEvidence.inHouse(title: c.position) ? .inHouse : .agency,
                                  email: c.email, linkedin: c.url, tags: ["linkedin"], created: created)
                if let p = c.position { r.extra["linkedinPosition"] = .string(p) }
                if let on = c.connectedOn { r.extra["linkedinConnectedOn"] = .string(ISO8601.format(on)) }
                if c.id.hasPrefix("hidden:") { r.notes = "Hidden LinkedIn member (conversation \(c.id.dropFirst(7)))" }
                rid = r.id
                recruiterChanges.append(.putRecruiter(r))
                report.newRecruiters.append(c.name)
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
        return ImportResult(changes: recruiterChanges + messageChanges, report: report)
    }
}

/// Turns a LinkedIn export into recruiters and message threads.
public enum LinkedInImporter {
    public static let hiddenMember = "LinkedIn Member"

    /// Key of a LinkedIn message in `Message.extra`: conversation id, time and sender.
    public static let keyField = "linkedinKey"
    public static let conversationField = "linkedinConversation"

    static func dedupeKey(conversation: String, date: Date, sender: String) -> String {
        "\(conversation)|\(ISO8601.format(date))|\(sender.lowercased())"
    }

    /// Reads the files and works out who is who. `me` overrides the guess (the most
    /// frequent participant). Throws when nothing is readable or `me` is nobody.
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
        }
        var connections: [LinkedInConnection] = []
        if let text = files.connections {
            let r = try LinkedInReader.connections(text, file: files.connectionsName)
            connections = r.rows
            skipped += r.skipped
        }

        // Who am I?
        let me: String
        if let requested = requestedMe?.trimmingCharacters(in: .whitespaces), !requested.isEmpty {
            let key = requested.lowercased()
            guard rows.isEmpty || rows.contains(where: { $0.from.lowercased() == key || $0.to.contains { $0.lowercased() == key } }) else {
                throw InterchangeError("--me \(requested): nobody of that name wrote or received a message in \(files.messagesName)")
            }
            me = rows.lazy.flatMap { [$0.from] + $0.to }.first { $0.lowercased() == key } ?? requested
        } else {
            var counts: [String: Int] = [:]
            var spelling: [String: String] = [:]
            for r in rows {
                for n in Set(([r.from] + r.to).map { $0.lowercased() }) where n != hiddenMember.lowercased() {
                    counts[n, default: 0] += 1
                }
                spelling[r.from.lowercased()] = spelling[r.from.lowercased()] ?? r.from
                for t in r.to { spelling[t.lowercased()] = spelling[t.lowercased()] ?? t }
            }
            let best = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }
            me = best.flatMap { spelling[$0.key] } ?? ""
            if let best, !rows.isEmpty {
                notes.append("you are \(me) (in \(best.value) of \(rows.count) messages); --me NAME says otherwise")
            }
        }
        let meKey = me.lowercased()
        let isMe: (String) -> Bool = { $0.lowercased() == meKey }

        // Profile URLs by name, from rows that carry them.
        var urlByName: [String: String] = [:]
        for r in rows where !isMe(r.from) && r.from != hiddenMember {
            if let u = r.senderURL { urlByName[r.from.lowercased()] = u }
        }
        for r in rows where isMe(r.from) && r.to.count == 1 && r.recipientURLs.count == 1 && r.to[0] != hiddenMember {
            urlByName[r.to[0].lowercased()] = urlByName[r.to[0].lowercased()] ?? r.recipientURLs[0]
        }
        var connectionByURL: [String: LinkedInConnection] = [:]
        var connectionByName: [String: LinkedInConnection] = [:]
        for c in connections {
            if let u = c.url.flatMap(LinkedInURL.normalize) { connectionByURL[u] = c }
            connectionByName[RecruiterIndex.key(c.fullName)] = c
        }

        func key(name: String, conversation: String) -> String {
            if name == hiddenMember { return "hidden:" + conversation }
            if let u = urlByName[name.lowercased()].flatMap(LinkedInURL.normalize) { return u }
            if let u = connectionByName[RecruiterIndex.key(name)]?.url.flatMap(LinkedInURL.normalize) { return u }
            return "name:" + RecruiterIndex.key(name)
        }

        // What the store already has.
        var knownKeys: Set<String> = []
        var ownerOfConversation: [String: UUID] = [:]
        for (owner, thread) in db.threads {
            for m in thread {
                if case .string(let k)? = m.extra[keyField] { knownKeys.insert(k) }
                if case .string(let c)? = m.extra[conversationField] { ownerOfConversation[c] = owner }
            }
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
        var firstInbound: [String: (theyFirst: Bool, text: String?)] = [:]
        var seenInFile: [String: Int] = [:]
        var alreadyPresent = 0

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
            let ck = key(name: other, conversation: conv)
            if contacts[ck] == nil {
                let norm = ck.hasPrefix("hidden:") || ck.hasPrefix("name:") ? nil : ck
                let conn = norm.flatMap { connectionByURL[$0] } ?? (other == hiddenMember ? nil : connectionByName[RecruiterIndex.key(other)])
                let url = urlByName[other.lowercased()] ?? conn?.url
                let existing = ownerOfConversation[conv]
                    ?? (other == hiddenMember ? nil : index.find(email: conn?.email, linkedin: url, name: other))
                contacts[ck] = LinkedInContact(
                    id: ck, name: other, url: url, email: conn?.email, company: conn?.company, position: conn?.position,
                    connectedOn: conn?.connectedOn, evidence: [], existingID: existing, newMessages: 0)
                contactOrder.append(ck)
            }
            if let first = convRows.first, firstInbound[ck] == nil {
                let theyFirst = !isMe(first.from)
                firstInbound[ck] = (theyFirst, theyFirst ? [first.conversationTitle, first.subject, first.content].compactMap { $0 }.joined(separator: "\n") : nil)
            }
            for r in convRows {
                let k = dedupeKey(conversation: conv, date: r.date, sender: r.from)
                if knownKeys.contains(k) { alreadyPresent += 1; continue }
                if let line = seenInFile[k] {
                    skipped.append(SkippedRow(file: files.messagesName, line: r.line, reason: "duplicate of line \(line)"))
                    continue
                }
                seenInFile[k] = r.line
                var extra: [String: JSONValue] = [conversationField: .string(conv), keyField: .string(k)]
                if !others.isEmpty { extra["linkedinFrom"] = .string(r.from) }
                messages[ck, default: []].append(Message(
                    recruiterID: UUID(), direction: isMe(r.from) ? .outbound : .inbound, channel: .linkedin,
                    at: r.date, subject: r.subject, body: r.content, extra: extra))
                contacts[ck]!.newMessages += 1
            }
        }

        // Connections with a recruiter title but no messages are worth proposing too.
        for c in connections where !RecruiterEvidence.titleHits(c.position).isEmpty {
            guard let u = c.url.flatMap(LinkedInURL.normalize), contacts[u] == nil,
                  contacts["name:" + RecruiterIndex.key(c.fullName)] == nil, !c.fullName.isEmpty else { continue }
            if index.find(email: c.email, linkedin: c.url, name: c.fullName) != nil { continue }
            contacts[u] = LinkedInContact(id: u, name: c.fullName, url: c.url, email: c.email, company: c.company,
                                          position: c.position, connectedOn: c.connectedOn, evidence: [],
                                          existingID: nil, newMessages: 0)
            contactOrder.append(u)
        }

        // Evidence.
        for id in contactOrder {
            var c = contacts[id]!
            if c.existingID != nil { c.evidence.append("already in Rapport") }
            let hits = RecruiterEvidence.titleHits(c.position)
            if !hits.isEmpty, let p = c.position { c.evidence.append("position: \(p)") }
            let companyHits = RecruiterEvidence.titleHits(c.company)
            if hits.isEmpty, !companyHits.isEmpty, let f = c.company { c.evidence.append("company: \(f)") }
            if let fi = firstInbound[id], RecruiterEvidence.readsLikeOutreach(firstInbound: fi.text, theyWroteFirst: fi.theyFirst) {
                c.evidence.append("thread reads like outreach")
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
        return LinkedInPlan(me: me, contacts: list, skipped: skipped, notes: notes, alreadyPresent: alreadyPresent, messages: messages)
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
