import Foundation

/// A reply template: an optional subject and a body with `{placeholders}`.
public struct MessageTemplate: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case shipped
        /// A user template, with the file it came from.
        case user(String)
    }

    public var name: String
    public var subject: String?
    public var body: String
    public var source: Source

    public init(name: String, subject: String? = nil, body: String, source: Source = .shipped) {
        self.name = name
        self.subject = subject
        self.body = body
        self.source = source
    }

    /// A template from its file text: an optional first line `Subject: …`, then the body.
    /// A blank line right after the subject line is dropped.
    public static func parse(name: String, text: String, source: Source) -> MessageTemplate {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        var subject: String?
        if let first = lines.first, first.lowercased().hasPrefix("subject:") {
            subject = first.dropFirst("subject:".count).trimmingCharacters(in: .whitespaces)
            lines.removeFirst()
            if lines.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeFirst() }
        }
        var body = lines.joined(separator: "\n")
        while body.hasSuffix("\n") { body.removeLast() }
        return MessageTemplate(name: name, subject: subject, body: body, source: source)
    }
}

/// A template with its placeholders filled. `unknown` and `missing` list what is left in
/// the text as `{name}`: a draft with either is not ready to send.
public struct FilledTemplate: Sendable, Equatable {
    public var name: String
    public var subject: String?
    public var body: String
    /// Placeholders this build does not know (`{frist_name}`), in order of first use.
    public var unknown: [String]
    /// Known placeholders with no data (no opportunity → `{role}`), in order of first use.
    public var missing: [String]

    public var isComplete: Bool { unknown.isEmpty && missing.isEmpty }

    /// One line per problem, for people: "unknown placeholder {frist_name}", "no data for {role}".
    public var problems: [String] {
        unknown.map { "unknown placeholder {\($0)}" }
            + missing.map { "no data for {\($0)}\(Templates.hints[$0].map { ": \($0)" } ?? "")" }
    }
}

/// Shipped reply templates, placeholder filling, and the values that fill them.
public enum Templates {
    /// Every placeholder a template may use.
    public static let placeholders: [String] = [
        "first_name", "name", "firm", "role", "employer", "interviewers", "my_name", "reason", "months", "reengage",
    ]

    /// What to do when a placeholder has no data.
    static let hints: [String: String] = [
        "first_name": "the recruiter has no name",
        "firm": "set the recruiter's firm",
        "role": "the recruiter has no opportunity (rapport interview … --role)",
        "employer": "the opportunity has no employer",
        "interviewers": "the interview lists no interviewers",
        "my_name": "set RAPPORT_MY_NAME or my_name in settings.json",
        "reason": "give a reason (--set reason=…)",
        "months": "say when (--set months=3)",
        "reengage": "give a re-engage date (--reengage \"in 3 months\")",
    ]

    public static let shipped: [MessageTemplate] = [
        MessageTemplate(
            name: "decline", subject: "Re: {role}",
            body: """
            Hi {first_name},

            Thank you for thinking of me for the {role} role. I'm not interested because {reason}, \
            so I'd rather not take your time with it.

            I appreciate you reaching out and would be glad to hear from you about future roles.
            Could we pick this up again after {reengage?}?

            Best regards,
            {my_name}
            """),
        MessageTemplate(
            name: "not-now", subject: "Re: {role}",
            body: """
            Hi {first_name},

            Thank you for the {role} role. The timing isn't right for me at the moment. \
            Could you reach out again in {months} months? I'd be glad to talk then.

            Best regards,
            {my_name}
            """),
        MessageTemplate(
            name: "referral", subject: "Re: {role}",
            body: """
            Hi {first_name},

            The {role} role isn't the right fit for me, but I know someone who may be a great match. \
            Would you like me to introduce you?

            Best regards,
            {my_name}
            """),
        MessageTemplate(
            name: "thank-you", subject: "Thank you: {role} interview",
            body: """
            Hi {first_name},

            Thank you for arranging my interview for the {role} role at {employer}. \
            I enjoyed speaking with {interviewers} and I'm even more interested in the role now.

            Please pass on my thanks, and let me know if they need anything else from me.

            Best regards,
            {my_name}
            """),
        MessageTemplate(
            name: "check-in", subject: "Checking in: {role}",
            body: """
            Hi {first_name},

            I hope you're well. I wanted to check in on the {role} role: is there any news, \
            or anything I can send you in the meantime?

            Best regards,
            {my_name}
            """),
        MessageTemplate(
            name: "accept-call", subject: "Re: {role}",
            body: """
            Hi {first_name},

            Thank you, I'd be glad to talk about the {role} role. \
            Which times suit you this week?

            Best regards,
            {my_name}
            """),
        MessageTemplate(
            name: "follow-up", subject: "Following up: {role}",
            body: """
            Hi {first_name},

            I'm following up on the {role} role. Is there any news on your side, \
            or anything else you need from me?

            Best regards,
            {my_name}
            """),
    ]

    /// The shipped templates with the user's on top: a user template replaces the shipped
    /// one of the same name. Sorted by name.
    public static func merged(shipped: [MessageTemplate] = Templates.shipped, user: [MessageTemplate]) -> [MessageTemplate] {
        var byName: [String: MessageTemplate] = [:]
        for t in shipped { byName[t.name] = t }
        for t in user { byName[t.name] = t }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// The placeholder names used in `text`, in order of first use. `{{` and `}}` are
    /// literal braces; a name is letters, digits and `_`.
    public static func placeholderNames(in text: String) -> [String] {
        var seen: [String] = []
        _ = substitute(text) { raw in
            let name = raw.hasSuffix("?") ? String(raw.dropLast()) : raw
            if !seen.contains(name) { seen.append(name) }
            return nil
        }
        return seen
    }

    /// Fills `template` from `values`. Placeholders that are unknown or have no (non-blank)
    /// value stay in the text as `{name}` and are reported. An optional placeholder,
    /// `{name?}`, is never reported: with no value, the line it is on is left out.
    public static func fill(_ template: MessageTemplate, values: [String: String]) -> FilledTemplate {
        var unknown: [String] = [], missing: [String] = []
        let known = Set(placeholders)
        func present(_ name: String) -> String? {
            guard let v = values[name], !v.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            return v
        }
        func lookup(_ name: String) -> String? {
            if name.hasSuffix("?") { return present(String(name.dropLast())) ?? "" }
            if let v = values[name], !v.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return v }
            if known.contains(name) || values[name] != nil {
                if !missing.contains(name) { missing.append(name) }
            } else if !unknown.contains(name) {
                unknown.append(name)
            }
            return nil
        }
        let subject = template.subject.map { substitute(dropOptionalLines($0, present), lookup) }
        let body = substitute(dropOptionalLines(template.body, present), lookup)
        return FilledTemplate(name: template.name, subject: subject, body: body, unknown: unknown, missing: missing)
    }

    /// `text` without the lines whose optional placeholders (`{name?}`) have no value; a
    /// blank line left doubled by a removal is dropped too.
    static func dropOptionalLines(_ text: String, _ value: (String) -> String?) -> String {
        guard text.contains("?}") else { return text }
        var out: [Substring] = []
        var removed = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var keep = true
            _ = substitute(String(line)) { name in
                if name.hasSuffix("?"), value(String(name.dropLast())) == nil { keep = false }
                return nil
            }
            if !keep {
                removed = true
                continue
            }
            if removed, line.trimmingCharacters(in: .whitespaces).isEmpty,
               out.last.map({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? true {
                continue
            }
            out.append(line)
        }
        return out.joined(separator: "\n")
    }

    /// Replaces each `{name}` (or `{name?}`) with `value(name)`, or keeps it when it returns nil.
    static func substitute(_ text: String, _ value: (String) -> String?) -> String {
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if (c == "{" || c == "}"), next < text.endIndex, text[next] == c {
                out.append(c)
                i = text.index(after: next)
                continue
            }
            if c == "{", let close = text[next...].firstIndex(of: "}") {
                let name = String(text[next..<close])
                let bare = name.hasSuffix("?") ? name.dropLast() : Substring(name)
                if !bare.isEmpty, bare.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
                    out += value(name) ?? "{\(name)}"
                    i = text.index(after: close)
                    continue
                }
            }
            out.append(c)
            i = next
        }
        return out
    }

    /// The opportunity a reply is most likely about: the one with the latest interview;
    /// without interviews, an open one (not closed or withdrawn) before a closed one;
    /// then the id, so the choice is stable.
    public static func latestOpportunity(_ opportunities: [Opportunity]) -> Opportunity? {
        func key(_ o: Opportunity) -> (Date, Int, String) {
            let closed = [.closedWon, .closedLost, .withdrawn].contains(o.stage)
            return (o.interviews.map(\.at).max() ?? .distantPast, closed ? 0 : 1, o.id.uuidString)
        }
        return opportunities.max { key($0) < key($1) }
    }

    /// The interview a thank-you is about: the latest one that has started by `now`,
    /// else the next one.
    public static func latestInterview(_ o: Opportunity, now: Date) -> InterviewEvent? {
        let sorted = o.interviews.sorted { $0.at < $1.at }
        return sorted.last { $0.at <= now } ?? sorted.first
    }

    /// "Alex", "Alex and Sam", "Alex, Sam and Kim".
    public static func joinNames(_ names: [String]) -> String {
        let n = names.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard n.count > 1 else { return n.first ?? "" }
        return n.dropLast().joined(separator: ", ") + " and " + n.last!
    }

    /// The placeholder values for a reply to `recruiter`: from the recruiter, their latest
    /// opportunity and its latest interview, the candidate's name, and `extra` (reason,
    /// months, or anything else; `extra` wins). Names with no data are absent.
    public static func values(for recruiter: Recruiter, in db: Database, now: Date, myName: String?,
                              reengage: Date? = nil, timeZone: TimeZone = TimeZone(secondsFromGMT: 0)!,
                              extra: [String: String] = [:]) -> [String: String] {
        var v: [String: String] = [:]
        v["role"] = roleFromSubject(db.thread(recruiter.id), now: now)
        v["reengage"] = reengage.map { longDate($0, timeZone: timeZone) }
        let name = recruiter.name.trimmingCharacters(in: .whitespaces)
        v["name"] = name
        v["first_name"] = name.split(separator: " ").first.map(String.init)
        v["firm"] = recruiter.firm
        v["my_name"] = myName
        if let o = latestOpportunity(db.opportunities(of: recruiter.id)) {
            let role = o.role.trimmingCharacters(in: .whitespaces)
            if !role.isEmpty { v["role"] = role }
            v["employer"] = o.employer
            if let iv = latestInterview(o, now: now) {
                let names = joinNames(iv.interviewers)
                if !names.isEmpty { v["interviewers"] = names }
            }
        }
        for (k, value) in extra { v[k] = value }
        return v.filter { !$0.value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }

    /// The role a thread is about when no opportunity names it: from the latest subject
    /// (at or before `now`, without reply and forward prefixes: `Re:`, `Fwd:`, `AW:`,
    /// `[External]` …) that names a job (`roleTitle`). A subject that names none ("Take-home
    /// exercise", "Quick question") is passed over, so `{role}` stays unfilled rather than
    /// wrong.
    public static func roleFromSubject(_ thread: [Message], now: Date) -> String? {
        for m in thread.reversed() where m.at <= now {
            guard let subject = m.subject.map(stripReplyPrefixes), let role = roleTitle(in: subject) else { continue }
            return role
        }
        return nil
    }

    /// Words that make a phrase a job title.
    static let roleWords: Set<String> = [
        "engineer", "engineers", "engineering", "developer", "developers", "programmer", "architect", "manager",
        "lead", "designer", "scientist", "analyst", "director", "head", "sre", "devops", "consultant", "specialist",
        "administrator", "officer", "cto", "cio", "ciso", "vp", "intern", "internship", "researcher", "tester",
        "qa", "coordinator", "strategist", "writer", "owner", "advocate", "accountant", "controller",
        "associate", "executive", "partner", "technician", "operator", "principal", "staff", "swe", "sde",
    ]

    /// Words that say a phrase is about a job without naming it: "Senior iOS role".
    static let roleFillers: Set<String> = ["role", "roles", "position", "opening", "vacancy", "job", "opportunity"]

    /// The job title in a subject, or nil when it names none. The part (split at `:`,
    /// ` - `, ` | `, ` – `, ` — `) holding a job word, cut before " at …" / " with …" /
    /// " for …" and without a trailing "role", "position", "opportunity" …; else the
    /// capitalised words right before "role" or "position" ("Senior iOS role at a fintech"
    /// → "Senior iOS"). "Exciting opportunity: Staff Engineer role at Acme" → "Staff Engineer".
    public static func roleTitle(in subject: String) -> String? {
        var parts = [subject]
        for sep in [": ", " - ", " | ", " – ", " — "] { parts = parts.flatMap { $0.components(separatedBy: sep) } }
        func key(_ w: Substring) -> String {
            w.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "()[]!?.,'\""))
        }
        func words(_ s: String) -> [String] { s.split(separator: " ").map(key) }
        let fluff: Set<String> = ["new", "exciting", "open", "a", "an", "the", "your", "our", "my", "this", "great", "amazing"]
        for part in parts {
            let ws = words(part)
            if ws.contains(where: roleWords.contains) {
                var p = part
                for cut in [" at ", " with ", " for ", " in ", " @ "] {
                    if let r = p.range(of: cut, options: .caseInsensitive),
                       words(String(p[..<r.lowerBound])).contains(where: roleWords.contains) {
                        p = String(p[..<r.lowerBound])
                    }
                }
                var kept = p.split(separator: " ")
                while let last = kept.last, roleFillers.contains(key(last)), kept.count > 1 { kept.removeLast() }
                while let first = kept.first, fluff.contains(key(first)), kept.count > 1 { kept.removeFirst() }
                let role = kept.joined(separator: " ").trimmingCharacters(in: .whitespaces)
                if !role.isEmpty { return role }
            } else if let f = ws.firstIndex(where: { $0 == "role" || $0 == "position" }) {
                let before = part.split(separator: " ").prefix(f)
                var title: [Substring] = []
                for w in before.reversed() {
                    guard !fluff.contains(key(w)), w.first.map({ $0.isUppercase || $0.isNumber }) == true
                            || w.contains(where: \.isUppercase) else { break }
                    title.insert(w, at: 0)
                }
                if !title.isEmpty { return title.joined(separator: " ") }
            }
        }
        return nil
    }

    static let replyPrefixes = ["re", "fw", "fwd", "aw", "wg", "sv", "vs", "tr", "antw", "rv", "r"]

    /// "Re: Fwd: [External] Staff Engineer" → "Staff Engineer".
    public static func stripReplyPrefixes(_ subject: String) -> String {
        var s = Substring(subject.trimmingCharacters(in: .whitespacesAndNewlines))
        while true {
            if s.hasPrefix("["), let close = s.firstIndex(of: "]"), s.distance(from: s.startIndex, to: close) <= 20 {
                s = s[s.index(after: close)...].drop { $0 == " " }
                continue
            }
            guard let colon = s.firstIndex(of: ":"), s.distance(from: s.startIndex, to: colon) <= 5 else { break }
            let word = s[..<colon].lowercased().trimmingCharacters(in: .whitespaces)
            guard replyPrefixes.contains(word) else { break }
            s = s[s.index(after: colon)...].drop { $0 == " " }
        }
        return s.trimmingCharacters(in: .whitespaces)
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]

    /// "April 7, 2027": a day on the wall clock of `timeZone`, for text written to people.
    public static func longDate(_ date: Date, timeZone: TimeZone) -> String {
        let cal = BusinessCalendar(timeZone: timeZone)
        let c = CivilDate.date(fromDays: BusinessCalendar.dayIndex(local: cal.local(date)))
        return "\(monthNames[c.month - 1]) \(c.day), \(c.year)"
    }

    /// What a reply is for, as far as choosing its template goes.
    public enum Purpose: Sendable, Equatable {
        case reply
        case decline
    }

    /// The template to preselect for a message to a recruiter: `decline` when declining;
    /// otherwise the template matching the most urgent pressing deadline (a thank-you
    /// owed after an interview → `thank-you`, a follow-up overdue or due within `window` →
    /// `follow-up`, a check-in → `check-in`; thank-you and check-in deadlines only exist
    /// once they are owed, so they always count). A reply they are waiting for, an expectation
    /// or nothing pressing → nil (start blank); an upcoming interview is no message to write
    /// and is passed over. Only names in `available` are returned.
    public static func preselected(purpose: Purpose, deadlines: [Deadline], now: Date,
                                   available: [String], window: TimeInterval = 86_400) -> String? {
        let wanted: String?
        switch purpose {
        case .decline:
            wanted = "decline"
        case .reply:
            let pressing = deadlines.filter {
                $0.kind != .interview
            }.filter {
                $0.kind == .thankYou || $0.kind == .checkIn || $0.due <= now.addingTimeInterval(window)
            }
                .sorted { $0.urgency != $1.urgency ? $0.urgency > $1.urgency : $0.due < $1.due }
            switch pressing.first?.kind {
            case .thankYou: wanted = "thank-you"
            case .followUp: wanted = "follow-up"
            case .checkIn: wanted = "check-in"
            case .reply, .expectation, .interview, nil: wanted = nil
            }
        }
        return wanted.flatMap { available.contains($0) ? $0 : nil }
    }
}
