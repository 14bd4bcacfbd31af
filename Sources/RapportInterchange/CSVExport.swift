import Foundation
import RapportCore

/// Rapport's own CSV: RFC 4180 (CRLF, quotes doubled), with a `'` in front of cells a
/// spreadsheet would run as a formula. Our import removes exactly that prefix again.
public enum RapportCSV {
    public static let recruiterColumns = [
        "id", "name", "firm", "kind", "targeting", "status", "email", "phone", "linkedin", "time_zone",
        "tags", "notes", "created", "flags", "turn", "last_contact",
    ]
    public static let messageColumns = [
        "id", "recruiter_id", "recruiter_name", "direction", "channel", "at", "subject", "body", "no_reply_needed",
    ]

    // MARK: Tags

    /// Tags in one cell, separated by `;`; a `;` or `\` inside a tag is written `\;` / `\\`.
    public static func joinTags(_ tags: [String]) -> String {
        tags.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;") }
            .joined(separator: ";")
    }

    /// The inverse of `joinTags`; empty tags are dropped.
    public static func splitTags(_ cell: String) -> [String] {
        var tags: [String] = []
        var current = ""
        var escaped = false
        for ch in cell {
            if escaped { current.append(ch); escaped = false } else if ch == "\\" { escaped = true } else if ch == ";" {
                tags.append(current); current = ""
            } else { current.append(ch) }
        }
        if escaped { current.append("\\") }
        tags.append(current)
        return tags.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    // MARK: Cells

    private static let dangerous: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "\r\n"]

    /// Guards a cell against formula injection: `=1+1` → `'=1+1`. A cell that already
    /// starts with `'` followed by a dangerous character (or another `'`) gets one more
    /// `'`, so `unprotect` is an exact inverse.
    public static func protect(_ s: String) -> String {
        guard let first = s.first else { return s }
        if dangerous.contains(first) { return "'" + s }
        if first == "'", let second = s.dropFirst().first, dangerous.contains(second) || second == "'" { return "'" + s }
        return s
    }

    /// Removes the prefix `protect` added.
    public static func unprotect(_ s: String) -> String {
        guard s.first == "'", let second = s.dropFirst().first, dangerous.contains(second) || second == "'" else { return s }
        return String(s.dropFirst())
    }

    /// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (or edge spaces).
    public static func field(_ raw: String) -> String {
        // No raw ESC, BEL, C1 or bidi control for a terminal or a spreadsheet: visible forms.
        let s = protect(ControlText.visible(raw))
        let needsQuotes = s.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            || s.first == " " || s.last == " "
        return needsQuotes ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    public static func row(_ cells: [String]) -> String { cells.map(field).joined(separator: ",") + "\r\n" }

    // MARK: Export

    /// Recruiters, one row each, with the rules' flags, turn and last contact at `now`.
    public static func recruiters(_ db: Database, now: Date, policy: Policy) -> String {
        let status = Rules.evaluate(db, now: now, policy: policy)
        var out = row(recruiterColumns)
        for r in db.recruitersByName {
            let st = status[r.id]
            out += row([
                r.id.uuidString.lowercased(), r.name, r.firm ?? "", r.kind.rawValue, r.targeting.rawValue, r.status.rawValue,
                r.email ?? "", r.phone ?? "", r.linkedin ?? "", r.timeZone ?? "", joinTags(r.tags), r.notes ?? "",
                ISO8601.format(r.created), (st?.flags ?? []).map(\.rawValue).joined(separator: ";"),
                st?.turn.rawValue ?? "", st?.lastContact.map(ISO8601.format) ?? "",
            ])
        }
        return out
    }

    /// Messages, one row each, grouped by recruiter (by name), oldest first.
    public static func messages(_ db: Database) -> String {
        var out = row(messageColumns)
        for r in db.recruitersByName {
            for m in db.thread(r.id) {
                out += row([
                    m.id.uuidString.lowercased(), r.id.uuidString.lowercased(), r.name, m.direction.rawValue, m.channel.rawValue,
                    ISO8601.format(m.at), m.subject ?? "", m.body ?? "", m.noReplyNeeded ? "true" : "false",
                ])
            }
        }
        return out
    }

    // MARK: Import

    /// Reads a CSV written by `recruiters` or `messages` (told apart by the header) and
    /// plans the changes: rows whose id is already in the store are counted as present.
    public static func plan(_ text: String, into db: Database, now: Date, file: String = "CSV") throws -> ImportResult {
        let table: CSVTable
        do { table = try CSVTable.read(text) } catch { throw InterchangeError("\(file): \(error)") }
        if table.column("direction") != nil { return try planMessages(table, db: db, file: file) }
        guard table.column("name") != nil else {
            throw InterchangeError("\(file): not a Rapport CSV export (the header has neither name nor direction)")
        }
        return planRecruiters(table, db: db, now: now, file: file)
    }

    private static func cells(_ table: CSVTable, _ r: CSVRecord) -> (String) -> String? {
        { name in table.column(name).flatMap { r[$0] }.map(unprotect) }
    }

    private static func planRecruiters(_ table: CSVTable, db: Database, now: Date, file: String) -> ImportResult {
        var report = ImportReport()
        var changes: [Change] = []
        var index = RecruiterIndex(db)
        for r in table.records {
            func skip(_ reason: String) { report.skipped.append(SkippedRow(file: file, line: r.line, reason: reason)) }
            guard r.fields.count == table.header.count else {
                skip("\(r.fields.count) fields where the header has \(table.header.count)"); continue
            }
            let cell = cells(table, r)
            guard let name = cell("name")?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { skip("no name"); continue }
            var id = UUID()
            if let raw = cell("id") {
                guard let u = UUID(uuidString: raw) else { skip("id \"\(raw)\" is not a UUID"); continue }
                id = u
            }
            if index.find(id: id) != nil { report.alreadyPresent += 1; continue }
            var rec = Recruiter(id: id, name: name, firm: cell("firm"), email: cell("email"), phone: cell("phone"),
                                linkedin: cell("linkedin"), timeZone: cell("time_zone"),
                                tags: splitTags(cell("tags") ?? ""), notes: cell("notes"),
                                created: now)
            if let k = cell("kind") {
                guard let v = RecruiterKind(rawValue: k) else { skip("kind \"\(k)\" is not one of \(RecruiterKind.allCases.map(\.rawValue).joined(separator: ", "))"); continue }
                rec.kind = v
            }
            if let t = cell("targeting") {
                guard let v = Targeting(rawValue: t) else { skip("targeting \"\(t)\" is not targeted or blanket"); continue }
                rec.targeting = v
            }
            if let s = cell("status") {
                guard let v = RelationshipStatus(rawValue: s) else { skip("status \"\(s)\" is not a relationship status"); continue }
                rec.status = v
            }
            if let c = cell("created") {
                guard let d = ISO8601.parse(c) else { skip("created \"\(c)\" is not an ISO 8601 date"); continue }
                rec.created = d
            }
            index.add(rec)
            changes.append(.putRecruiter(rec))
            report.newRecruiters.append(name)
        }
        return ImportResult(changes: changes, report: report)
    }

    private static func planMessages(_ table: CSVTable, db: Database, file: String) throws -> ImportResult {
        var report = ImportReport()
        var recruiterChanges: [Change] = []
        var changes: [Change] = []
        var created: [UUID: String] = [:]
        var seen: Set<UUID> = []
        for r in table.records {
            func skip(_ reason: String) { report.skipped.append(SkippedRow(file: file, line: r.line, reason: reason)) }
            guard r.fields.count == table.header.count else {
                skip("\(r.fields.count) fields where the header has \(table.header.count)"); continue
            }
            let cell = cells(table, r)
            guard let rawRID = cell("recruiter_id"), let rid = UUID(uuidString: rawRID) else { skip("no valid recruiter_id"); continue }
            guard let d = cell("direction"), let direction = Direction(rawValue: d) else { skip("direction must be in or out"); continue }
            guard let rawAt = cell("at"), let at = ISO8601.parse(rawAt) else { skip("at is not an ISO 8601 date"); continue }
            var channel = Channel.other
            if let c = cell("channel") {
                guard let v = Channel(rawValue: c) else { skip("channel \"\(c)\" is unknown"); continue }
                channel = v
            }
            let id = cell("id").flatMap(UUID.init(uuidString:)) ?? UUID()
            if db.message(id) != nil || seen.contains(id) { report.alreadyPresent += 1; continue }
            if db.recruiters[rid] == nil && created[rid] == nil {
                guard let name = cell("recruiter_name") else { skip("recruiter \(rawRID) is not in the store and the row has no recruiter_name"); continue }
                created[rid] = name
                recruiterChanges.append(.putRecruiter(Recruiter(id: rid, name: name, created: at)))
                report.newRecruiters.append(name)
            }
            seen.insert(id)
            changes.append(.putMessage(Message(id: id, recruiterID: rid, direction: direction, channel: channel, at: at,
                                               subject: cell("subject"), body: cell("body"),
                                               noReplyNeeded: cell("no_reply_needed") == "true")))
            report.newMessages += 1
        }
        return ImportResult(changes: recruiterChanges + changes, report: report)
    }
}
