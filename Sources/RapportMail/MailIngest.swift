import Foundation
import RapportCore

/// A message to ingest and where it came from.
public struct IngestItem: Sendable {
    public var message: MailMessage
    /// The file it was read from (a maildir file), kept in the message's `extra` so the
    /// whole text stays reachable; nil for stdin and mbox (the full text is kept instead).
    public var path: String?
    /// Where to say a problem was (a file, `stdin`, `mbox FILE message N`).
    public var source: String
    /// The time to use when the message has no readable Date (the file's time, else now).
    public var fallbackDate: Date

    public init(message: MailMessage, path: String?, source: String, fallbackDate: Date) {
        self.message = message
        self.path = path
        self.source = source
        self.fallbackDate = fallbackDate
    }
}

/// What an ingest run did (or would do), counted.
public struct IngestReport: Sendable, Equatable {
    public var inbound = 0
    public var outbound = 0
    public var linkedin = 0
    public var interviews = 0
    /// Promised calls from invitations to a call, chat or intro (added or moved).
    public var calls = 0
    /// Interviews and calls removed by a cancelled invitation.
    public var cancelled = 0
    public var newRecruiters: [String] = []
    public var alreadyIn = 0
    /// Not from or to a recruiter, and no recruiter evidence.
    public var ignored = 0
    /// Bulk or automatic mail from someone not in Rapport.
    public var ignoredBulk = 0
    /// One line per message with something that could not be read.
    public var problems: [String] = []
    /// What each change is, for `--dry-run` and `-v`.
    public var lines: [String] = []

    public init() {}

    public var added: Int { inbound + outbound + linkedin }

    public var summary: String {
        var parts = ["\(added) new message\(added == 1 ? "" : "s") (\(inbound) in, \(outbound) out, \(linkedin) LinkedIn)"]
        if !newRecruiters.isEmpty { parts.append("\(newRecruiters.count) new recruiter\(newRecruiters.count == 1 ? "" : "s")") }
        if interviews > 0 { parts.append("\(interviews) interview\(interviews == 1 ? "" : "s")") }
        if calls > 0 { parts.append("\(calls) call\(calls == 1 ? "" : "s")") }
        if cancelled > 0 { parts.append("\(cancelled) cancelled") }
        if alreadyIn > 0 { parts.append("\(alreadyIn) already in Rapport") }
        if ignored > 0 { parts.append("\(ignored) not from recruiters") }
        if ignoredBulk > 0 { parts.append("\(ignoredBulk) bulk or automatic") }
        return parts.joined(separator: ", ")
    }
}

/// The keys Rapport writes into `extra` of what mail creates. Other importers read them
/// (the LinkedIn export import replaces a snippet message; docs/import-export.md).
public enum MailKeys {
    /// The message's Message-ID (or `sha256:<hex>` of its headers when it has none).
    public static let messageID = "mail.messageID"
    /// The maildir file the message was read from.
    public static let file = "mail.file"
    /// The whole readable text, when there is no file to point to (stdin, mbox) or the
    /// stored body is shorter than the text.
    public static let fullText = "mail.text"
    public static let inReplyTo = "mail.inReplyTo"
    /// What could not be read in the message.
    public static let problems = "mail.problems"
    /// True on a LinkedIn message whose body is only the snippet from a notification mail.
    public static let linkedinSnippet = "linkedin.snippet"
    /// The sender's profile link found in the notification.
    public static let linkedinProfile = "linkedin.profile"
    /// On a recruiter created from mail: the evidence, as a list of strings.
    public static let evidence = "mail.evidence"
}

/// Mail to changes: matches senders and recipients to recruiters, creates recruiters from
/// evidence, logs replies, invitations and LinkedIn notifications. Pure: the database is
/// a value, the clock is `now`. Add items with `add`, then take `changes` and `report`.
public struct MailIngest {
    public private(set) var changes: [Change] = []
    public private(set) var report = IngestReport()
    /// A message id this run added (the state file's check that the store still has it).
    public private(set) var marker: UUID?

    private let db: Database
    private let me: Set<String>
    private let now: Date
    private var byEmail: [String: UUID] = [:]
    private var byName: [String: [UUID]] = [:]
    private var byProfile: [String: UUID] = [:]
    private var byMessageID: [String: UUID] = [:]
    private var bySubject: [String: Set<UUID>] = [:]
    private var added: Set<UUID> = []
    private var newRecruiters: [UUID: Recruiter] = [:]
    private var opportunities: [UUID: Opportunity] = [:]  // changed in this run
    private var expectations: [UUID: Expectation] = [:]  // put in this run
    private var removedExpectations: Set<UUID> = []  // removed in this run

    public static let maxBody = 20_000

    /// Recruiters rejected in the mail review: never created again (their mail is ignored).
    private let rejected: Set<UUID>

    public init(db: Database, me: [String], now: Date, rejected: Set<UUID> = []) {
        self.db = db
        self.rejected = rejected
        self.me = Set(me.map { $0.lowercased() })
        self.now = now
        for r in db.recruiters.values { index(r) }
        for (rid, thread) in db.threads {
            for m in thread {
                if case .string(let mid)? = m.extra[MailKeys.messageID] { byMessageID[mid] = rid }
                if let s = m.subject { let k = Self.subjectKey(s); if k.count >= 8 { bySubject[k, default: []].insert(rid) } }
            }
        }
    }

    private mutating func index(_ r: Recruiter) {
        for e in r.emails { byEmail[e.lowercased()] = r.id }
        byName[Self.nameKey(r.name), default: []].append(r.id)
        if let l = r.linkedin.flatMap(Self.profileKey) { byProfile[l] = r.id }
    }

    static func nameKey(_ s: String) -> String { s.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ") }

    /// "Re: AW: Fwd: Senior iOS role" → "senior ios role".
    static func subjectKey(_ s: String) -> String {
        var t = Substring(s.lowercased()).drop { $0 == " " }
        var changed = true
        while changed {
            changed = false
            for p in ["re:", "aw:", "fw:", "fwd:", "wg:", "sv:", "antw:", "re :", "tr:"] where t.hasPrefix(p) {
                t = t.dropFirst(p.count).drop { $0 == " " }
                changed = true
            }
            if t.hasPrefix("["), let close = t.firstIndex(of: "]"), t.distance(from: t.startIndex, to: close) < 30 {
                t = t[t.index(after: close)...].drop { $0 == " " }
                changed = true
            }
        }
        return t.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// `https://www.linkedin.com/in/ada-l/?x=1` → `linkedin.com/in/ada-l` (the form the
    /// LinkedIn import keys recruiters by).
    static func profileKey(_ s: String) -> String? {
        var t = s.trimmingCharacters(in: .whitespaces).lowercased()
        for p in ["https://", "http://"] where t.hasPrefix(p) { t.removeFirst(p.count) }
        for p in ["www.", "de.", "fr.", "uk.", "nl.", "es.", "it."] where t.hasPrefix(p) { t.removeFirst(p.count) }
        if let q = t.firstIndex(where: { $0 == "?" || $0 == "#" }) { t = String(t[..<q]) }
        t = t.replacingOccurrences(of: "linkedin.com/comm/in/", with: "linkedin.com/in/")
        while t.hasSuffix("/") { t.removeLast() }
        guard t.hasPrefix("linkedin.com/in/"), t.count > 16 else { return nil }
        return t
    }

    /// Adds many messages: oldest first, and the candidate's own mail after everyone
    /// else's, so a reply finds the recruiter that the mail it answers created.
    public mutating func addAll(_ items: [IngestItem]) {
        let sorted = items.enumerated().sorted { a, b in
            let da = a.element.message.date ?? a.element.fallbackDate, db = b.element.message.date ?? b.element.fallbackDate
            return da != db ? da < db : a.offset < b.offset
        }.map(\.element)
        var mine: [IngestItem] = []
        for item in sorted {
            if let from = item.message.from, me.contains(from.key) { mine.append(item) } else { add(item) }
        }
        for item in mine { add(item) }
    }

    // MARK: - one message

    public mutating func add(_ item: IngestItem) {
        let m = item.message
        let id = StableID.make(.message, "mail:" + m.key)
        if db.message(id) != nil || added.contains(id) {
            report.alreadyIn += 1
            return
        }
        if !m.problems.isEmpty { report.problems.append("\(item.source): \(m.problems.joined(separator: "; "))") }
        guard let from = m.from else {
            report.ignored += 1
            report.problems.append("\(item.source): no readable From address: skipped")
            return
        }
        let date = m.date ?? item.fallbackDate
        let bulk = MailEvidence.bulkReason(m)

        if me.contains(from.key) {
            outbound(m, id: id, date: date, item: item)
            return
        }
        if MailEvidence.isLinkedInNotification(m) {
            linkedIn(m, id: id, date: date, item: item)
            return
        }
        let found = recruiter(for: m, from: from)
        var rid = found.id
        if rid == nil {
            if let bulk {
                report.ignoredBulk += 1
                report.lines.append("ignore (\(bulk)): \(from.address) \(m.subject)")
                return
            }
            if let (name, count) = found.ambiguous {
                // Two recruiters share the name: guessing would put mail on the wrong
                // thread, and creating a third would duplicate one of them.
                report.ignored += 1
                report.problems.append("\(item.source): signed \(name), and \(count) recruiters have that name: not matched "
                                       + "(add \(from.address) to the right one with `rapport edit NAME --add-email`)")
                return
            }
            let evidence = MailEvidence.evidence(m)
            guard !evidence.isEmpty else {
                report.ignored += 1
                return
            }
            rid = create(from: m, sender: from, evidence: evidence, date: date)
            if rid == nil {
                report.ignored += 1
                report.lines.append("ignore (rejected in the mail review): \(from.address) \(m.subject)")
                return
            }
        }
        guard let owner = rid else { return }
        var msg = message(m, id: id, recruiter: owner, direction: .inbound, channel: .email, date: date, item: item)
        msg.noReplyNeeded = bulk != nil
        put(msg, m)
        report.inbound += 1
        report.lines.append("add message from \(displayName(owner)): \(m.subject)\(bulk.map { " (no reply needed: \($0))" } ?? "")")
        if !m.calendars.isEmpty { invitation(m, recruiter: owner) }
    }

    private func displayName(_ rid: UUID) -> String { newRecruiters[rid]?.name ?? db.recruiters[rid]?.name ?? "?" }

    /// The recruiter an inbound message belongs to: the sender's address, the Reply-To,
    /// the name in "Name via Greenhouse", a name in the signature that exactly one
    /// recruiter has, the thread (In-Reply-To, References), then a "Re:" subject that only
    /// one recruiter's thread has. `ambiguous`: no match, and a name in the headers or the
    /// signature belongs to several recruiters (the caller reports it and creates nobody).
    private func recruiter(for m: MailMessage, from: MailAddress) -> (id: UUID?, ambiguous: (String, Int)?) {
        if let r = byEmail[from.key] { return (r, nil) }
        for a in m.replyTo { if let r = byEmail[a.key] { return (r, nil) } }
        var ambiguous: (String, Int)?
        var names: [String] = []
        if let via = MailEvidence.viaName(from) { names.append(via.name) }
        names += MailEvidence.signatureNames(m)
        for name in names {
            guard let ids = byName[Self.nameKey(name)] else { continue }
            if ids.count == 1 { return (ids[0], nil) }
            if ambiguous == nil, ids.count > 1 { ambiguous = (name, ids.count) }
        }
        if let r = thread(m) { return (r, nil) }
        return (nil, ambiguous)
    }

    private func thread(_ m: MailMessage) -> UUID? {
        for ref in m.inReplyTo + m.references.reversed() { if let r = byMessageID[ref] { return r } }
        let lower = m.subject.lowercased()
        if lower.hasPrefix("re:") || lower.hasPrefix("aw:") || lower.hasPrefix("re :") || !m.inReplyTo.isEmpty {
            let k = Self.subjectKey(m.subject)
            if k.count >= 8, let ids = bySubject[k], ids.count == 1 { return ids.first }
        }
        return nil
    }

    private mutating func outbound(_ m: MailMessage, id: UUID, date: Date, item: IngestItem) {
        var rid: UUID?
        for a in m.recipients where !me.contains(a.key) {
            if let r = byEmail[a.key] { rid = r; break }
        }
        if rid == nil { rid = thread(m) }
        guard let owner = rid else {
            report.ignored += 1
            return
        }
        let msg = message(m, id: id, recruiter: owner, direction: .outbound, channel: .email, date: date, item: item)
        put(msg, m)
        report.outbound += 1
        report.lines.append("log your reply to \(displayName(owner)): \(m.subject)")
    }

    private mutating func linkedIn(_ m: MailMessage, id: UUID, date: Date, item: IngestItem) {
        let person = MailEvidence.linkedInPerson(m)
        let profile = MailEvidence.linkedInProfile(m).flatMap(Self.profileKey)
        var rid = profile.flatMap { byProfile[$0] }
        if rid == nil, let name = person, let ids = byName[Self.nameKey(name)], ids.count == 1 { rid = ids[0] }
        let snippet = MailEvidence.linkedInSnippet(m, person: person)
        if rid == nil {
            var evidence: [String] = []
            if MailEvidence.isInMail(m) { evidence.append("LinkedIn InMail") }
            evidence += MailEvidence.outreach(snippet).map { "outreach: \($0)" }
            guard let name = person, evidence.contains("LinkedIn InMail") || evidence.count >= 2 else {
                report.ignored += 1
                return
            }
            let key = profile.map { "linkedin:" + $0 } ?? "mail-name:" + Self.nameKey(name)
            let newID = StableID.make(.recruiter, key)
            if rejected.contains(newID) && db.recruiters[newID] == nil {
                report.ignored += 1
                report.lines.append("ignore (rejected in the mail review): LinkedIn message from \(name)")
                return
            }
            if db.recruiters[newID] != nil || newRecruiters[newID] != nil {
                rid = newID
            } else {
                var r = Recruiter(id: newID, name: name, linkedin: profile.map { "https://www." + $0 }, tags: ["from-mail"],
                                  notes: "Found in mail: " + evidence.joined(separator: "; "), created: date,
                                  extra: [MailKeys.evidence: .array(evidence.map(JSONValue.string))])
                r.kind = .agency
                addRecruiter(r)
                rid = newID
            }
        }
        guard let owner = rid else { return }
        var msg = message(m, id: id, recruiter: owner, direction: .inbound, channel: .linkedin, date: date, item: item)
        msg.body = snippet.isEmpty ? nil : snippet
        msg.subject = nil
        msg.extra[MailKeys.linkedinSnippet] = .bool(true)
        if let profile { msg.extra[MailKeys.linkedinProfile] = .string("https://www." + profile) }
        put(msg, m)
        report.linkedin += 1
        report.lines.append("add LinkedIn message from \(displayName(owner)) (snippet)")
    }

    private mutating func create(from m: MailMessage, sender: MailAddress, evidence: [String], date: Date) -> UUID? {
        let via = MailEvidence.viaName(sender)
        var addresses: [String] = []
        for a in [sender] + m.replyTo where !MailEvidence.isNoReply(a) && !MailEvidence.isATS(a) {
            if !addresses.contains(a.key) { addresses.append(a.key) }
        }
        let name = via?.name ?? sender.name.map(MailEvidence.cleanDisplayName) ?? MailEvidence.nameFromAddress(sender.address)
        let key = addresses.first.map { "email:" + $0 } ?? "mail-name:" + Self.nameKey(name)
        let rid = StableID.make(.recruiter, key)
        if db.recruiters[rid] != nil || newRecruiters[rid] != nil { return rid }
        if rejected.contains(rid) { return nil }
        let ats = via != nil || MailEvidence.isATS(sender)
        let signature = m.split.signature ?? ""
        let firm = ats ? nil : MailEvidence.firm(from: addresses.first)
        let r = Recruiter(
            id: rid, name: name, firm: firm,
            kind: ats || signature.lowercased().contains("talent acquisition") ? .inHouse : .agency,
            emails: addresses, tags: ["from-mail"], notes: "Found in mail: " + evidence.joined(separator: "; "),
            created: date, extra: [MailKeys.evidence: .array(evidence.map(JSONValue.string))]
        )
        addRecruiter(r)
        return rid
    }

    private mutating func addRecruiter(_ r: Recruiter) {
        newRecruiters[r.id] = r
        index(r)
        changes.append(.putRecruiter(r))
        report.newRecruiters.append(r.name)
        let ev: String
        if case .array(let a)? = r.extra[MailKeys.evidence] {
            ev = a.compactMap { if case .string(let s) = $0 { return s } else { return nil } }.joined(separator: "; ")
        } else { ev = "" }
        report.lines.append("add recruiter \(r.name)\(r.email.map { " <\($0)>" } ?? "") (\(ev))")
    }

    private func message(_ m: MailMessage, id: UUID, recruiter: UUID, direction: Direction, channel: Channel,
                         date: Date, item: IngestItem) -> Message {
        var body = m.split.newText
        if body.isEmpty { body = m.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        if body.count > Self.maxBody { body = String(body.prefix(Self.maxBody)) + "…" }
        var extra: [String: JSONValue] = [MailKeys.messageID: .string(m.key)]
        if let path = item.path { extra[MailKeys.file] = .string(path) }
        let full = m.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if item.path == nil, full != body {
            extra[MailKeys.fullText] = .string(full.count > 200_000 ? String(full.prefix(200_000)) : full)
        }
        if let r = m.inReplyTo.first { extra[MailKeys.inReplyTo] = .string(r) }
        if !m.problems.isEmpty { extra[MailKeys.problems] = .array(m.problems.map(JSONValue.string)) }
        return Message(id: id, recruiterID: recruiter, direction: direction, channel: channel, at: date,
                       subject: m.subject.isEmpty ? nil : m.subject, body: body.isEmpty ? nil : body, extra: extra)
    }

    private mutating func put(_ msg: Message, _ m: MailMessage) {
        changes.append(.putMessage(msg))
        added.insert(msg.id)
        marker = msg.id
        if let mid = m.messageID { byMessageID[mid] = msg.recruiterID }
        if let s = msg.subject { let k = Self.subjectKey(s); if k.count >= 8 { bySubject[k, default: []].insert(msg.recruiterID) } }
    }

    // MARK: - invitations

    /// Each event of the message's `text/calendar` parts, keyed by its UID (the message's
    /// key when it has none): an interview on the recruiter's open opportunity, or, when
    /// the event speaks of a call, chat or intro and not of an interview, a promised call
    /// (an expectation whose note says "Call"). A re-sent invitation (same UID, the same or
    /// a higher SEQUENCE) moves it; an older one than what is stored changes nothing; a
    /// cancellation (`METHOD:CANCEL`, `STATUS:CANCELLED`) removes it. All idempotent.
    private mutating func invitation(_ m: MailMessage, recruiter rid: UUID) {
        for cal in m.calendars {
            for ev in CalendarInvite.events(cal) {
                let key = "mail-event:" + (ev.uid ?? m.key)
                let interviewID = StableID.make(.opportunity, key)
                let callID = StableID.make(.expectation, key)
                let seqKey = Self.sequenceKey + interviewID.uuidString.lowercased()
                // What is stored for this UID now: an interview on one of the recruiter's
                // opportunities, or a promised call.
                let opps = db.opportunities(of: rid).map { opportunities[$0.id] ?? $0 }
                    + opportunities.values.filter { o in o.recruiterID == rid && db.opportunities[o.id] == nil }
                var holder = opps.first { $0.interviews.contains { $0.id == interviewID } }
                let call = expectations[callID] ?? (removedExpectations.contains(callID) ? nil : db.expectations[callID])
                let storedSeq = holder.flatMap { Self.number($0.extra[seqKey]) } ?? call.flatMap { Self.number($0.extra[Self.sequenceField]) }
                if let storedSeq, ev.sequence < storedSeq {
                    report.lines.append("ignore an older invitation (sequence \(ev.sequence) < \(storedSeq)) from \(displayName(rid))")
                    continue
                }
                let when = ISO8601.format(ev.start)
                if ev.cancelled || !ev.isCall, let c = call {
                    // Cancelled, or re-sent as an interview: the promised call goes.
                    changes.append(.removeExpectation(c.id))
                    expectations[c.id] = nil
                    removedExpectations.insert(c.id)
                    if ev.cancelled {
                        report.cancelled += 1
                        report.lines.append("cancel the call with \(displayName(rid)) at \(ISO8601.format(c.by))")
                    }
                }
                if ev.cancelled || ev.isCall, var o = holder {
                    // Cancelled, or re-sent as a call: the interview goes.
                    let old = o.interviews.first { $0.id == interviewID }
                    o.interviews.removeAll { $0.id == interviewID }
                    o.extra[seqKey] = nil
                    opportunities[o.id] = o
                    changes.append(.putOpportunity(o))
                    holder = nil
                    if ev.cancelled {
                        report.cancelled += 1
                        report.lines.append("cancel the interview with \(displayName(rid))\(old.map { " at " + ISO8601.format($0.at) } ?? "")")
                    }
                }
                if ev.cancelled { continue }
                if ev.isCall {
                    let title = ev.summary?.trimmingCharacters(in: .whitespaces) ?? ""
                    var e = Expectation(id: callID, recruiterID: rid, by: ev.start,
                                        note: "Call: " + (title.isEmpty ? (m.subject.isEmpty ? "calendar invitation" : m.subject) : title),
                                        extra: [Self.sequenceField: .number(String(ev.sequence))])
                    if let uid = ev.uid { e.extra[Self.uidField] = .string(uid) }
                    if let c = call, c == e { continue }
                    changes.append(.putExpectation(e))
                    expectations[callID] = e
                    removedExpectations.remove(callID)
                    report.calls += 1
                    report.lines.append("\(call == nil ? "add a call" : "move the call") with \(displayName(rid)) at \(when)")
                    continue
                }
                var opp = holder ?? opps.last { ![.closedWon, .closedLost, .withdrawn].contains($0.stage) }
                    ?? Opportunity(id: StableID.make(.opportunity, "mail:" + (ev.uid ?? m.key)), recruiterID: rid,
                                   role: ev.summary ?? (m.subject.isEmpty ? "Interview" : m.subject), stage: .interview)
                let event = InterviewEvent(id: interviewID, at: ev.start, durationMinutes: ev.minutes, interviewers: [])
                let moved: Bool
                if let i = opp.interviews.firstIndex(where: { $0.id == interviewID }) {
                    if opp.interviews[i] == event && Self.number(opp.extra[seqKey]) == ev.sequence { continue }
                    moved = opp.interviews[i].at != event.at
                    opp.interviews[i] = event
                } else {
                    moved = false
                    opp.interviews.append(event)
                }
                opp.extra[seqKey] = .number(String(ev.sequence))
                if [.sourced, .screen].contains(opp.stage) { opp.stage = .interview }
                opportunities[opp.id] = opp
                changes.append(.putOpportunity(opp))
                report.interviews += 1
                report.lines.append("\(moved ? "move the interview" : "add interview") with \(displayName(rid)) at \(when)")
            }
        }
    }

    /// `extra` of an opportunity: the SEQUENCE of the invitation behind each interview,
    /// under this prefix and the interview's id.
    static let sequenceKey = "mail.sequence:"
    /// `extra` of a promised call from an invitation: its SEQUENCE and UID.
    static let sequenceField = "mail.sequence"
    static let uidField = "mail.eventUID"

    static func number(_ v: JSONValue?) -> Int? {
        switch v {
        case .number(let n)?: return Int(n)
        case .string(let s)?: return Int(s)
        default: return nil
        }
    }
}
