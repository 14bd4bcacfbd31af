import Foundation
import RapportCore

/// iCalendar (RFC 5545) export of what is due: follow-ups, expectations and the rules'
/// deadlines as VTODO with DUE, interviews as VEVENT. UIDs derive from the entity id and
/// kind, so a calendar that re-imports the file updates its entries instead of adding.
public enum ICalendarWriter {
    public static let productID = "-//Rapport//Rapport 1.0//EN"

    /// The whole calendar, CRLF line endings, folded at 75 octets.
    public static func write(_ db: Database, now: Date, policy: Policy) -> String {
        let stamp = ICalendarDate.format(now)
        var items: [(sort: Date, uid: String, lines: [String])] = []

        for f in db.followUps.values {
            let who = db.recruiters[f.recruiterID]?.name ?? "recruiter"
            let due = max(f.due, f.snoozedUntil ?? f.due)
            var lines = ["BEGIN:VTODO", "UID:" + uid("follow-up", f.id), "DTSTAMP:" + stamp,
                         "DUE:" + ICalendarDate.format(due),
                         "SUMMARY:" + ContentLines.escape(oneLine("Follow up with \(who)" + (f.note.map { ": \($0)" } ?? "")))]
            if let note = f.note { lines.append("DESCRIPTION:" + ContentLines.escape(note)) }
            if let done = f.done {
                lines += ["STATUS:COMPLETED", "COMPLETED:" + ICalendarDate.format(done)]
            } else {
                lines.append("STATUS:NEEDS-ACTION")
            }
            lines += ["CATEGORIES:Rapport,follow-up", "END:VTODO"]
            items.append((due, uid("follow-up", f.id), lines))
        }
        for e in db.expectations.values {
            let who = db.recruiters[e.recruiterID]?.name ?? "recruiter"
            var lines = ["BEGIN:VTODO", "UID:" + uid("expectation", e.id), "DTSTAMP:" + stamp,
                         "DUE:" + ICalendarDate.format(e.by),
                         "SUMMARY:" + ContentLines.escape(oneLine("Expected from \(who)" + (e.note.map { ": \($0)" } ?? "")))]
            if let note = e.note { lines.append("DESCRIPTION:" + ContentLines.escape(note)) }
            // Met (as the rules see it): an inbound message from shortly before `by` on.
            let keptFrom = e.by.addingTimeInterval(-policy.expectationEarlyHours * 3600)
            if let kept = db.thread(e.recruiterID).first(where: { $0.direction == .inbound && $0.at >= keptFrom && $0.at <= now }) {
                lines += ["STATUS:COMPLETED", "COMPLETED:" + ICalendarDate.format(kept.at)]
            } else {
                lines.append("STATUS:NEEDS-ACTION")
            }
            lines += ["CATEGORIES:Rapport,expectation", "END:VTODO"]
            items.append((e.by, uid("expectation", e.id), lines))
        }
        // The rules' own deadlines (reply, thank-you, check-in; an upcoming interview is
        // its VEVENT); follow-ups and
        // expectations are written from the entities above.
        for d in Rules.deadlines(in: db, now: now, policy: policy) where d.kind != .followUp && d.kind != .expectation && d.kind != .interview {
            let u = "deadline-" + d.id.lowercased().map { $0.isLetter || $0.isNumber || $0 == "-" ? String($0) : "-" }.joined() + "@rapport"
            let lines = ["BEGIN:VTODO", "UID:" + u, "DTSTAMP:" + stamp, "DUE:" + ICalendarDate.format(d.due),
                         "SUMMARY:" + ContentLines.escape(oneLine(d.title)), "STATUS:NEEDS-ACTION",
                         "CATEGORIES:Rapport," + ContentLines.escape(d.kind.rawValue), "END:VTODO"]
            items.append((d.due, u, lines))
        }
        for o in db.opportunities.values {
            let who = db.recruiters[o.recruiterID]?.name ?? "recruiter"
            for i in o.interviews {
                let title = "Interview: \(o.role)" + (o.employer.map { " at \($0)" } ?? "") + " (via \(who))"
                var lines = ["BEGIN:VEVENT", "UID:" + uid("interview", i.id), "DTSTAMP:" + stamp,
                             "DTSTART:" + ICalendarDate.format(i.at),
                             "DTEND:" + ICalendarDate.format(i.at.addingTimeInterval(TimeInterval(max(i.durationMinutes, 0)) * 60)),
                             "SUMMARY:" + ContentLines.escape(oneLine(title))]
                if !i.interviewers.isEmpty {
                    lines.append("DESCRIPTION:" + ContentLines.escape("Interviewers: " + i.interviewers.joined(separator: ", ")))
                }
                lines += ["CATEGORIES:Rapport,interview", "END:VEVENT"]
                items.append((i.at, uid("interview", i.id), lines))
            }
        }
        items.sort { ($0.sort, $0.uid) < ($1.sort, $1.uid) }
        var out = ""
        for l in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + productID, "CALSCALE:GREGORIAN", "X-WR-CALNAME:Rapport"] {
            out += ContentLines.fold(l)
        }
        for item in items { for l in item.lines { out += ContentLines.fold(l) } }
        out += ContentLines.fold("END:VCALENDAR")
        return out
    }

    /// A summary on one line: line breaks become spaces (calcurse refuses an escaped
    /// newline in SUMMARY; the full text stays in DESCRIPTION).
    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Stable UID: kind + entity id, the same on every export.
    public static func uid(_ kind: String, _ id: UUID) -> String { "\(kind)-\(id.uuidString.lowercased())@rapport" }
}

/// UTC date-times in iCalendar's basic format, `20260309T100000Z`.
public enum ICalendarDate {
    public static func format(_ d: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
        func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let y = String(c.year ?? 0)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + two(c.month) + two(c.day) + "T"
            + two(c.hour) + two(c.minute) + two(c.second) + "Z"
    }
}

/// A parsed iCalendar component (for reading our own output back and for checks).
public struct ICalendarComponent: Sendable, Equatable {
    public var name: String
    public var properties: [ContentLine]
    public var children: [ICalendarComponent]

    public func property(_ name: String) -> ContentLine? { properties.first { $0.name == name } }

    /// Parses text into its top-level components. Throws on an unbalanced BEGIN/END.
    public static func parse(_ text: String) throws -> [ICalendarComponent] {
        var stack: [ICalendarComponent] = []
        var top: [ICalendarComponent] = []
        for (line, raw) in ContentLines.unfold(text) {
            guard let cl = ContentLine.parse(raw, line: line) else {
                throw InterchangeError("line \(line): not a content line")
            }
            if cl.name == "BEGIN" {
                stack.append(ICalendarComponent(name: cl.value.uppercased(), properties: [], children: []))
            } else if cl.name == "END" {
                guard let done = stack.popLast(), done.name == cl.value.uppercased() else {
                    throw InterchangeError("line \(line): END:\(cl.value) does not match its BEGIN")
                }
                if stack.isEmpty { top.append(done) } else { stack[stack.count - 1].children.append(done) }
            } else {
                guard !stack.isEmpty else { throw InterchangeError("line \(line): property outside a component") }
                stack[stack.count - 1].properties.append(cl)
            }
        }
        if let open = stack.last { throw InterchangeError("BEGIN:\(open.name) is never closed") }
        return top
    }
}
