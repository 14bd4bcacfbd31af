import Foundation
import RapportInterchange

/// What a message says about its sender: bulk or automatic, sent through an applicant
/// tracking system, a recruiter's signature, outreach phrasing, a LinkedIn notification.
public enum MailEvidence {
    /// Applicant-tracking systems: the domains they send from and the names in "via X".
    static let atsDomains = [
        "greenhouse.io", "greenhouse-mail.io", "lever.co", "ashbyhq.com", "myworkday.com", "workday.com",
        "myworkdayjobs.com", "smartrecruiters.com", "icims.com", "workablemail.com", "recruitee.com", "teamtailor-mail.com",
    ]
    static let atsNames = ["greenhouse", "lever", "ashby", "workday", "smartrecruiters", "icims", "workable", "teamtailor", "recruitee"]

    static let receipts = [
        "thank you for applying", "thanks for applying", "thank you for your application", "thanks for your application",
        "we have received your application", "we received your application", "application received",
        "received your application", "your application has been received", "thank you for your interest in",
    ]
    static let freeMail: Set<String> = [
        "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com", "me.com",
        "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "web.de", "yandex.ru", "mail.ru", "fastmail.com",
        "hey.com", "posteo.de", "mailbox.org", "msn.com", "ymail.com", "t-online.de", "free.fr", "orange.fr",
    ]

    /// Why a message is bulk or automatic, or nil: `List-Id`, `Precedence: bulk|list|junk`,
    /// `Auto-Submitted` other than `no`, an ATS's "thanks for applying" receipt.
    public static func bulkReason(_ m: MailMessage) -> String? {
        if m.headers.raw("List-Id") != nil { return "mailing list" }
        if let p = m.headers.raw("Precedence")?.lowercased().trimmingCharacters(in: .whitespaces), ["bulk", "list", "junk"].contains(p) {
            return "Precedence: \(p)"
        }
        if let a = m.headers.raw("Auto-Submitted")?.lowercased().trimmingCharacters(in: .whitespaces), !a.isEmpty, !a.hasPrefix("no") {
            return "automatic"
        }
        let fromATS = (m.from.map { isATS($0) || viaName($0) != nil } ?? false) || (m.sender.map(isATS) ?? false)
        if fromATS || (m.from.map(isNoReply) ?? false) {
            let hay = (m.subject + "\n" + m.split.newText.prefix(2000)).lowercased()
            if let r = receipts.first(where: { hay.contains($0) }) { return "receipt: \(r)" }
        }
        return nil
    }

    public static func isATS(_ a: MailAddress) -> Bool {
        let d = a.domain
        return atsDomains.contains { d == $0 || d.hasSuffix("." + $0) }
    }

    public static func isNoReply(_ a: MailAddress) -> Bool {
        let local = a.address.split(separator: "@").first.map { $0.lowercased() } ?? ""
        return local.contains("noreply") || local.contains("no-reply") || local.contains("donotreply")
            || local.contains("do-not-reply") || local == "notifications" || local == "mailer-daemon"
    }

    /// "Jane Doe via Greenhouse" → ("Jane Doe", "Greenhouse"); nil for other names.
    public static func viaName(_ a: MailAddress) -> (name: String, system: String)? {
        guard let n = a.name, let r = n.range(of: " via ", options: [.caseInsensitive, .backwards]) else { return nil }
        let system = n[r.upperBound...].trimmingCharacters(in: .whitespaces)
        let name = cleanDisplayName(String(n[..<r.lowerBound]))
        guard !name.isEmpty, !system.isEmpty, system.lowercased() != "linkedin" else { return nil }
        guard atsNames.contains(where: { system.lowercased().hasPrefix($0) }) || isATS(a) || isNoReply(a) else { return nil }
        return (name, system)
    }

    /// The lines of a message's signature area that could be a person's name, as written:
    /// the signature (after `-- `), else the last lines of the new text ("Best,\nPriya
    /// Nair\nSenior Recruiter, Acme"). A line is cut at `|`, `,`, ` - ` or ` – ` ("Priya
    /// Nair | Talent Partner") and kept when it is two to four words of letters (with
    /// `.`, `'`, `-`) starting with a capital. Callers match these against names they know
    /// exactly; nothing here guesses who it is.
    public static func signatureNames(_ m: MailMessage) -> [String] {
        let block = m.split.signature ?? m.split.newText.split(separator: "\n").suffix(8).joined(separator: "\n")
        var out: [String] = []
        for raw in block.split(separator: "\n").prefix(12) {
            var line = Substring(raw.trimmingCharacters(in: .whitespaces))
            while let first = line.first, first == "-" || first == "–" || first == "—" || first == " " { line = line.dropFirst() }
            for sep in ["|", ",", " - ", " – ", " — ", "\t"] {
                if let r = line.range(of: sep) { line = line[..<r.lowerBound] }
            }
            let name = line.trimmingCharacters(in: .whitespaces)
            let words = name.split(separator: " ", omittingEmptySubsequences: true)
            guard (2...4).contains(words.count), name.count <= 60 else { continue }
            let looksLikeName = words.allSatisfy { w in
                guard let f = w.first, f.isUppercase else { return false }
                return w.allSatisfy { $0.isLetter || $0 == "." || $0 == "'" || $0 == "’" || $0 == "-" }
            }
            if looksLikeName, !out.contains(name) { out.append(name) }
        }
        return out
    }

    /// The recruiter evidence in a message from someone not in Rapport (empty: none).
    public static func evidence(_ m: MailMessage) -> [String] {
        var out: [String] = []
        if let from = m.from {
            if let via = viaName(from) { out.append("sent through \(via.system)") } else if isATS(from) { out.append("sent through \(from.domain)") }
        }
        let sig = m.split.signature ?? m.split.newText.split(separator: "\n").suffix(6).joined(separator: "\n")
        if let line = titleLine(sig) { out.append("signature: \(line)") }
        let text = String((m.subject + "\n" + m.split.newText).prefix(20_000))
        if m.inReplyTo.isEmpty, RecruiterEvidence.readsLikeOutreach(text) {
            out.append("outreach: " + outreach(text).prefix(4).joined(separator: ", "))
        }
        return out
    }

    /// The first line of `text` with a recruiter title in it (whole words, the LinkedIn
    /// import's vocabulary: `RecruiterEvidence.titleTerms`).
    static func titleLine(_ text: String) -> String? {
        for line in text.split(separator: "\n") where !RecruiterEvidence.titleHits(String(line)).isEmpty {
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.count > 80 ? String(t.prefix(80)) + "…" : t
        }
        return nil
    }

    /// The outreach phrases in `text` (whole words, `RecruiterEvidence.outreachTerms`).
    public static func outreach(_ text: String) -> [String] {
        RecruiterEvidence.outreachHits(String(text.prefix(20_000)))
    }

    static func cleanDisplayName(_ s: String) -> String {
        s.trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: "\"'")))
    }

    /// "jane.doe@acme.com" → "Jane Doe".
    static func nameFromAddress(_ address: String) -> String {
        let local = address.split(separator: "@").first.map(String.init) ?? address
        let parts = local.split(whereSeparator: { $0 == "." || $0 == "_" || $0 == "-" || $0 == "+" })
        let name = parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        return name.isEmpty ? address : name
    }

    /// The firm from a company address ("jane@acme-talent.co.uk" → "Acme-talent"); nil for free mail.
    static func firm(from address: String?) -> String? {
        guard let address, let domain = address.split(separator: "@").last?.lowercased(), !freeMail.contains(domain) else { return nil }
        var labels = domain.split(separator: ".")
        guard labels.count >= 2 else { return nil }
        labels.removeLast()
        if let last = labels.last, ["co", "com", "org", "net", "ac"].contains(last), labels.count >= 2 { labels.removeLast() }
        guard let label = labels.last, !label.isEmpty else { return nil }
        return label.prefix(1).uppercased() + label.dropFirst()
    }

    // MARK: - LinkedIn notifications

    /// A LinkedIn notification of a message or an InMail ("Jane sent you a message").
    public static func isLinkedInNotification(_ m: MailMessage) -> Bool {
        guard let from = m.from, from.domain == "linkedin.com" || from.domain.hasSuffix(".linkedin.com") else { return false }
        let s = m.subject.lowercased()
        let local = from.address.lowercased()
        return s.contains("sent you a message") || s.contains("sent you a new message") || s.contains("sent you an inmail")
            || s.contains("messaged you") || s.hasPrefix("new message from") || s.contains("inmail")
            || local.hasPrefix("inmail") || local.hasPrefix("messages-noreply") || local.hasPrefix("hit-reply")
            || local.contains("inmail-hit-reply")
    }

    public static func isInMail(_ m: MailMessage) -> Bool {
        let local = m.from?.address.lowercased() ?? ""
        return local.contains("inmail") || m.subject.lowercased().contains("inmail")
    }

    /// The person who wrote: the From name without " via LinkedIn", else the subject's name.
    public static func linkedInPerson(_ m: MailMessage) -> String? {
        if let n = m.from?.name {
            var name = n
            if let r = name.range(of: " via LinkedIn", options: .caseInsensitive) { name = String(name[..<r.lowerBound]) }
            name = cleanDisplayName(name)
            if !name.isEmpty, name.lowercased() != "linkedin", !name.lowercased().hasPrefix("linkedin ") { return name }
        }
        let s = m.subject
        for marker in [" sent you a new message", " sent you a message", " sent you an InMail", " just messaged you", " messaged you"] {
            if let r = s.range(of: marker, options: .caseInsensitive) {
                let name = cleanDisplayName(String(s[..<r.lowerBound]))
                if !name.isEmpty { return name }
            }
        }
        for prefix in ["New message from ", "InMail from "] {
            if let r = s.range(of: prefix, options: [.caseInsensitive, .anchored]) {
                let name = cleanDisplayName(String(s[r.upperBound...]))
                if !name.isEmpty { return name }
            }
        }
        return nil
    }

    /// The first `linkedin.com/in/…` link in the message's text or HTML.
    public static func linkedInProfile(_ m: MailMessage) -> String? {
        let text = m.text
        guard let r = text.range(of: "linkedin.com/in/") ?? text.range(of: "linkedin.com/comm/in/") else { return nil }
        var end = r.upperBound
        while end < text.endIndex, text[end].isLetter || text[end].isNumber || "-_%".contains(text[end]) { end = text.index(after: end) }
        guard end > r.upperBound else { return nil }
        return "https://www.linkedin.com/in/" + text[r.upperBound..<end]
    }

    static let linkedInBoilerplate = [
        "view message", "reply", "view inmail", "see all messages", "unsubscribe", "help", "this email was intended for",
        "you are receiving", "linkedin corporation", "© 20", "learn why we included this", "accept", "decline",
        "view profile", "reply to", "sent you a message", "sent you a new message", "messages", "new message",
    ]

    /// The snippet a notification carries: the text lines that are not LinkedIn's own
    /// words, links or the sender's name, up to the first "View message" / "Reply".
    public static func linkedInSnippet(_ m: MailMessage, person: String?) -> String {
        var out: [String] = []
        let nameKey = person?.lowercased()
        for raw in m.text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let lower = line.lowercased()
            if line.isEmpty { continue }
            if lower.hasPrefix("http") || lower.hasPrefix("<http") || lower.hasPrefix("[http") { continue }
            if let nameKey, lower == nameKey || lower.hasPrefix(nameKey + " sent") { continue }
            if linkedInBoilerplate.contains(where: { lower == $0 || (lower.hasPrefix($0) && $0.count > 8) }) {
                if !out.isEmpty { break }
                continue
            }
            if lower.hasPrefix("hi ") && out.isEmpty && line.count < 30 && m.text.count < 400 { out.append(line); continue }
            out.append(line)
            if out.joined(separator: " ").count > 1000 { break }
        }
        let s = out.joined(separator: "\n")
        return s.count > 1000 ? String(s.prefix(1000)) + "…" : s
    }
}

/// The events of a `text/calendar` invitation (RFC 5545): start, length, summary, UID.
public struct CalendarInvite: Sendable, Equatable {
    public var uid: String?
    public var summary: String?
    public var description: String?
    public var start: Date
    public var minutes: Int
    /// `METHOD:CANCEL`, or the event's `STATUS:CANCELLED`.
    public var cancelled: Bool
    /// RFC 5545 `SEQUENCE`: a re-sent invitation counts up; 0 when absent.
    public var sequence: Int = 0

    static let callWords: Set<String> = ["call", "calls", "phone", "chat", "intro", "introduction", "introductory",
                                         "video", "zoom", "teams", "meet", "catch", "coffee", "telefonat", "gespräch",
                                         "appel", "llamada", "telefoongesprek"]
    static let interviewWords: Set<String> = ["interview", "interviews", "onsite", "on-site", "panel", "assessment",
                                              "vorstellungsgespräch", "entretien", "entrevista",
                                              "sollicitatiegesprek", "colloquio"]

    /// A call rather than an interview: the summary or description speaks of a phone or
    /// video call, a chat or an intro ("Intro call with Acme", "Quick chat"), and neither
    /// speaks of an interview ("Phone interview" stays an interview).
    public var isCall: Bool {
        let words = ((summary ?? "") + " " + (description ?? "")).lowercased()
            .split(whereSeparator: { !$0.isLetter && $0 != "-" }).map(String.init)
        if words.contains(where: Self.interviewWords.contains) { return false }
        return words.contains(where: Self.callWords.contains)
    }

    public static func events(_ text: String) -> [CalendarInvite] {
        // unfold
        var lines: [String] = []
        for raw in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if (raw.hasPrefix(" ") || raw.hasPrefix("\t")), !lines.isEmpty { lines[lines.count - 1] += raw.dropFirst() } else { lines.append(String(raw)) }
        }
        var out: [CalendarInvite] = []
        var method = ""
        var inEvent = false
        var uid: String?, summary: String?, description: String?, start: Date?, end: Date?, duration: Int?, status = ""
        var sequence = 0
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let head = line[..<colon]
            let value = String(line[line.index(after: colon)...])
            let params = head.split(separator: ";")
            let name = params.first.map { $0.uppercased() } ?? ""
            let tzid = params.dropFirst().first { $0.uppercased().hasPrefix("TZID=") }.map { String($0.dropFirst(5)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            switch name {
            case "METHOD": method = value.uppercased()
            case "BEGIN" where value.uppercased() == "VEVENT":
                inEvent = true; uid = nil; summary = nil; description = nil; start = nil; end = nil; duration = nil; status = ""
                sequence = 0
            case "END" where value.uppercased() == "VEVENT":
                if inEvent, let s = start {
                    let mins = duration ?? end.map { max(1, Int($0.timeIntervalSince(s) / 60)) } ?? 60
                    out.append(CalendarInvite(uid: uid, summary: summary, description: description, start: s,
                                              minutes: min(mins, 24 * 60), cancelled: method == "CANCEL" || status == "CANCELLED",
                                              sequence: sequence))
                }
                inEvent = false
            case "UID" where inEvent: uid = value
            case "SUMMARY" where inEvent: summary = unescape(value)
            case "DESCRIPTION" where inEvent: description = String(unescape(value).prefix(2000))
            case "SEQUENCE" where inEvent: sequence = Int(value.trimmingCharacters(in: .whitespaces)) ?? 0
            case "DTSTART" where inEvent: start = icsDate(value, tzid: tzid)
            case "DTEND" where inEvent: end = icsDate(value, tzid: tzid)
            case "DURATION" where inEvent: duration = icsDuration(value)
            case "STATUS" where inEvent: status = value.uppercased()
            default: break
            }
        }
        return out
    }

    /// RFC 5545 text: `\,` `\;` `\\` and `\n` (a line break, made a space).
    static func unescape(_ v: String) -> String {
        var out = ""
        var escaped = false
        for ch in v {
            if escaped {
                out.append(ch == "n" || ch == "N" ? " " : ch)
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else {
                out.append(ch)
            }
        }
        return out
    }

    static func icsDate(_ v: String, tzid: String?) -> Date? {
        let digits = v.filter { $0.isNumber }
        guard digits.count >= 8 else { return nil }
        let d = Array(digits)
        func num(_ a: Int, _ n: Int) -> Int? { a + n <= d.count ? Int(String(d[a..<(a + n)])) : nil }
        var c = DateComponents()
        c.year = num(0, 4); c.month = num(4, 2); c.day = num(6, 2)
        c.hour = num(8, 2) ?? 0; c.minute = num(10, 2) ?? 0; c.second = num(12, 2) ?? 0
        var cal = Calendar(identifier: .gregorian)
        if v.hasSuffix("Z") { cal.timeZone = TimeZone(identifier: "UTC")! } else {
            cal.timeZone = tzid.flatMap { TimeZone(identifier: $0) } ?? TimeZone(identifier: "UTC")!
        }
        return cal.date(from: c)
    }

    /// `PT1H30M` → 90.
    static func icsDuration(_ v: String) -> Int? {
        var total = 0, n = 0, any = false
        for ch in v.uppercased() {
            if let dgt = ch.wholeNumberValue { n = n * 10 + dgt; continue }
            switch ch {
            case "W": total += n * 7 * 24 * 60; any = true
            case "D": total += n * 24 * 60; any = true
            case "H": total += n * 60; any = true
            case "M": total += n; any = true
            case "S": total += n / 60; any = true
            default: break
            }
            n = 0
        }
        return any ? total : nil
    }
}
