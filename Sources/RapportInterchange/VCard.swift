import Foundation
import RapportCore

/// One contact read from a vCard (the parts Rapport uses).
public struct VCardContact: Sendable, Equatable {
    /// Line of `BEGIN:VCARD`.
    public var line: Int
    public var version: String?
    public var uid: String?
    public var formattedName: String?
    /// N: family; given; additional; prefixes; suffixes.
    public var nameParts: [String] = []
    public var organization: String?
    public var title: String?
    public var emails: [String] = []
    public var phones: [String] = []
    public var urls: [String] = []
    public var note: String?
    public var categories: [String] = []
    public var timeZone: String?
    /// `X-RAPPORT-KIND` / `X-RAPPORT-STATUS` of a Rapport export.
    public var kind: String?
    public var status: String?

    public init(line: Int) { self.line = line }

    /// The structured name when the card gives one (any of its parts non-empty).
    public var knownNameParts: [String]? {
        nameParts.contains { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ? nameParts : nil
    }

    /// FN, else given + family from N.
    public var displayName: String? {
        if let fn = formattedName?.trimmingCharacters(in: .whitespaces), !fn.isEmpty { return fn }
        let family = nameParts.first ?? ""
        let given = nameParts.count > 1 ? nameParts[1] : ""
        let s = [given, family].filter { !$0.isEmpty }.joined(separator: " ")
        return s.isEmpty ? nil : s
    }

    public var linkedinURL: String? { urls.first { $0.lowercased().contains("linkedin.com") } }
}

/// Reads vCard 2.1/3.0/4.0: folded lines, several cards a file, quoted-printable and
/// UTF-8 values, `\,` `\;` `\n` escapes.
public enum VCardReader {
    public static func read(_ text: String) -> (contacts: [VCardContact], skipped: [SkippedRow]) {
        var contacts: [VCardContact] = []
        var skipped: [SkippedRow] = []
        var current: VCardContact?
        for (line, raw) in ContentLines.unfold(text) {
            guard let cl = ContentLine.parse(raw, line: line) else {
                if current != nil { skipped.append(SkippedRow(line: line, reason: "not a vCard property: \(raw.prefix(40))")) }
                continue
            }
            if cl.name == "BEGIN", cl.value.uppercased() == "VCARD" {
                if let open = current { skipped.append(SkippedRow(line: open.line, reason: "card has no END:VCARD")) }
                current = VCardContact(line: line)
                continue
            }
            guard var card = current else { continue }
            if cl.name == "END", cl.value.uppercased() == "VCARD" {
                contacts.append(card)
                current = nil
                continue
            }
            let value = decodedValue(cl)
            switch cl.name {
            case "VERSION": card.version = cl.value
            case "UID": card.uid = cl.value
            case "FN": card.formattedName = ContentLines.unescape(Substring(value))
            case "N": card.nameParts = ContentLines.split(value, on: ";")
            case "ORG": card.organization = ContentLines.split(value, on: ";").first { !$0.isEmpty }
            case "TITLE": card.title = ContentLines.unescape(Substring(value))
            case "EMAIL": card.emails.append(value.trimmingCharacters(in: .whitespaces))
            case "TEL": card.phones.append(value.replacingOccurrences(of: "tel:", with: "").trimmingCharacters(in: .whitespaces))
            case "URL", "X-SOCIALPROFILE": card.urls.append(ContentLines.unescape(Substring(value)))
            case "NOTE": card.note = ContentLines.unescape(Substring(value))
            case "CATEGORIES": card.categories += ContentLines.split(value, on: ",").filter { !$0.isEmpty }
            case "TZ": card.timeZone = ContentLines.unescape(Substring(value))
            case "X-RAPPORT-KIND": card.kind = ContentLines.unescape(Substring(value))
            case "X-RAPPORT-STATUS": card.status = ContentLines.unescape(Substring(value))
            default: break
            }
            current = card
        }
        if let open = current { skipped.append(SkippedRow(line: open.line, reason: "card has no END:VCARD")) }
        return (contacts, skipped)
    }

    private static func decodedValue(_ cl: ContentLine) -> String {
        let enc = cl.parameters["ENCODING"]?.uppercased()
        if enc == "QUOTED-PRINTABLE" {
            return ContentLines.decodeQuotedPrintable(cl.value, charset: cl.parameters["CHARSET"])
        }
        if enc == "B" || enc == "BASE64" { return "" }
        return TextRepair.repairMojibake(cl.value)
    }
}

/// Writes recruiters as vCard 4.0 (RFC 6350).
public enum VCardWriter {
    /// `Recruiter.extra` keys the vCard import fills and the export writes back: the
    /// structured name (`N`, five parts) and the phone numbers after the first.
    public static let nameField = "vcardN"
    public static let phonesField = "vcardPhones"

    public static func write(_ recruiters: [Recruiter]) -> String {
        var out = ""
        for r in recruiters {
            var lines = ["BEGIN:VCARD", "VERSION:4.0", "KIND:individual",
                         "UID:urn:uuid:" + r.id.uuidString.lowercased(),
                         "FN:" + ContentLines.escape(r.name)]
            // N only as a card gave it: guessing family and given names from word
            // positions is wrong for many names (山田 太郎, Dr. Jean-Luc Picard, PhD).
            var parts: [String] = []
            if case .array(let a)? = r.extra[nameField] { parts = a.compactMap { if case .string(let s) = $0 { return s } else { return nil } } }
            parts = Array((parts + Array(repeating: "", count: 5)).prefix(5))
            lines.append("N:" + parts.map(ContentLines.escape).joined(separator: ";"))
            func add(_ name: String, _ value: String?) {
                guard let v = value?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return }
                lines.append(name + ContentLines.escape(v))
            }
            add("ORG:", r.firm)
            if case .string(let t)? = r.extra["title"] { add("TITLE:", t) }
            for e in r.emails { add("EMAIL;TYPE=work:", e) }
            add("TEL;VALUE=text;TYPE=work:", r.phone)
            if case .array(let more)? = r.extra[phonesField] {
                for case .string(let p) in more { add("TEL;VALUE=text:", p) }
            }
            add("URL;TYPE=linkedin:", r.linkedin)
            add("TZ;VALUE=text:", r.timeZone)
            let tags = r.tags.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            if !tags.isEmpty { lines.append("CATEGORIES:" + tags.map(ContentLines.escape).joined(separator: ",")) }
            add("NOTE:", r.notes)
            lines.append("X-RAPPORT-KIND:" + r.kind.rawValue)
            lines.append("X-RAPPORT-STATUS:" + r.status.rawValue)
            lines.append("END:VCARD")
            for l in lines { out += ContentLines.fold(l) }
        }
        return out
    }
}

/// Turns vCard contacts into recruiters, skipping the ones already in the store.
/// Identity is by stable key (UID, e-mail, LinkedIn URL; a name only when the card has
/// none of these and one recruiter of that name has no conflicting key); cards in one
/// file never merge with each other.
public enum VCardImporter {
    public static func plan(_ text: String, into db: Database, now: Date) -> ImportResult {
        let (contacts, skippedCards) = VCardReader.read(text)
        var report = ImportReport()
        report.skipped = skippedCards
        var changes: [Change] = []
        let index = RecruiterIndex(db)
        var lineOfID: [UUID: Int] = [:]
        var nameCount: [String: Int] = [:]
        for c in contacts {
            guard let name = c.displayName.map(TextRepair.repairMojibake) else {
                report.skipped.append(SkippedRow(line: c.line, reason: "card has no FN or N"))
                continue
            }
            let emails = c.emails.filter { !$0.isEmpty }
            let uidText = c.uid?.trimmingCharacters(in: .whitespaces).nilIfEmpty
            let uuid = uidText.flatMap { UUID(uuidString: $0.replacingOccurrences(of: "urn:uuid:", with: "", options: .caseInsensitive)) }
            let url = c.linkedinURL.flatMap(LinkedInURL.normalize)
            let id: UUID
            if let uuid { id = uuid } else if let uidText { id = StableID.make(.recruiter, "uid:" + uidText) } else if let e = emails.first {
                id = StableID.make(.recruiter, "email:" + e.lowercased())
            } else if let url { id = StableID.make(.recruiter, "linkedin:" + url) } else {
                let key = RecruiterIndex.key(name)
                nameCount[key, default: 0] += 1
                id = StableID.make(.recruiter, "vcard-name:\(key)#\(nameCount[key]!)")
            }
            if let first = lineOfID[id] {
                report.skipped.append(SkippedRow(line: c.line, reason: "same UID as the card on line \(first)"))
                continue
            }
            // By name only when the card has no UID (a UID other than the store recruiter's id
            // is a conflicting key) and no e-mail or URL conflicts (RecruiterIndex checks).
            if index.find(id: id, emails: emails, linkedin: c.linkedinURL, name: uidText == nil ? name : nil) != nil {
                report.alreadyPresent += 1
                continue
            }
            lineOfID[id] = c.line
            var r = Recruiter(id: id, name: name, firm: c.organization?.nilIfEmpty, emails: emails,
                              phone: c.phones.first?.nilIfEmpty, linkedin: c.linkedinURL, timeZone: c.timeZone,
                              tags: c.categories, notes: c.note, created: now)
            if c.phones.count > 1 { r.extra[VCardWriter.phonesField] = .array(c.phones.dropFirst().filter { !$0.isEmpty }.map { .string($0) }) }
            if let parts = c.knownNameParts { r.extra[VCardWriter.nameField] = .array(parts.map { .string($0) }) }
            if let t = c.title?.nilIfEmpty { r.extra["title"] = .string(t) }
            if RecruiterEvidence.inHouse(title: c.title) { r.kind = .inHouse }
            if let k = c.kind.flatMap(RecruiterKind.init(rawValue:)) { r.kind = k }
            if let s = c.status.flatMap(RelationshipStatus.init(rawValue:)) { r.status = s }
            changes.append(.putRecruiter(r))
            report.newRecruiters.append(name)
        }
        return ImportResult(changes: changes, report: report)
    }
}

extension String {
    /// nil for an empty or all-blank string.
    var nilIfEmpty: String? { trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : self }
}
