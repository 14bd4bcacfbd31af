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

    public init(line: Int) { self.line = line }

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
    public static func write(_ recruiters: [Recruiter]) -> String {
        var out = ""
        for r in recruiters {
            var lines = ["BEGIN:VCARD", "VERSION:4.0", "KIND:individual",
                         "UID:urn:uuid:" + r.id.uuidString.lowercased(),
                         "FN:" + ContentLines.escape(r.name)]
            let words = r.name.split(separator: " ")
            let family = words.count > 1 ? String(words.last!) : r.name
            let given = words.count > 1 ? words.dropLast().joined(separator: " ") : ""
            lines.append("N:" + ContentLines.escape(family) + ";" + ContentLines.escape(given) + ";;;")
            if let firm = r.firm { lines.append("ORG:" + ContentLines.escape(firm)) }
            if let e = r.email { lines.append("EMAIL;TYPE=work:" + ContentLines.escape(e)) }
            if let p = r.phone { lines.append("TEL;VALUE=text;TYPE=work:" + ContentLines.escape(p)) }
            if let l = r.linkedin { lines.append("URL;TYPE=linkedin:" + ContentLines.escape(l)) }
            if let tz = r.timeZone { lines.append("TZ;VALUE=text:" + ContentLines.escape(tz)) }
            if !r.tags.isEmpty { lines.append("CATEGORIES:" + r.tags.map(ContentLines.escape).joined(separator: ",")) }
            if let n = r.notes { lines.append("NOTE:" + ContentLines.escape(n)) }
            lines.append("END:VCARD")
            for l in lines { out += ContentLines.fold(l) }
        }
        return out
    }
}

/// Turns vCard contacts into recruiters, skipping the ones already in the store.
public enum VCardImporter {
    public static func plan(_ text: String, into db: Database, now: Date) -> ImportResult {
        let (contacts, skippedCards) = VCardReader.read(text)
        var report = ImportReport()
        report.skipped = skippedCards
        var changes: [Change] = []
        var index = RecruiterIndex(db)
        for c in contacts {
            guard let name = c.displayName.map(TextRepair.repairMojibake) else {
                report.skipped.append(SkippedRow(line: c.line, reason: "card has no FN or N"))
                continue
            }
            let uid = c.uid.flatMap { UUID(uuidString: $0.replacingOccurrences(of: "urn:uuid:", with: "", options: .caseInsensitive)) }
            if index.find(id: uid, email: c.emails.first, linkedin: c.linkedinURL, name: name) != nil {
                report.alreadyPresent += 1
                continue
            }
            var r = Recruiter(id: uid ?? UUID(), name: name, firm: c.organization, email: c.emails.first,
                              phone: c.phones.first, linkedin: c.linkedinURL, timeZone: c.timeZone,
                              tags: c.categories, notes: c.note, created: now)
            if let t = c.title { r.extra["title"] = .string(t) }
            if RecruiterEvidence.inHouse(title: c.title) { r.kind = .inHouse }
            index.add(r)
            changes.append(.putRecruiter(r))
            report.newRecruiters.append(name)
        }
        return ImportResult(changes: changes, report: report)
    }
}
