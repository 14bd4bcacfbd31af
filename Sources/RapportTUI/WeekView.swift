import Foundation
import RapportCore
import RapportText

/// The week view (`w`): today and the next six days, like khal's or calcurse's agenda —
/// a heading per day (overdue deadlines first, apart), then one line per interview,
/// promised call and deadline: the time in the candidate's zone (for overdue items how
/// late and the date and time) and the recruiter's when it differs, what it is, and for interviews and calls the research and agenda state.
enum WeekView {
    struct Line: Equatable {
        var text: String
        var style: Style
    }

    static func lines(_ state: AppState) -> [Line] {
        let items = state.full.weekItems
        if items.isEmpty { return [Line(text: "  Nothing planned or due in the next 7 days.", style: Style(.muted))] }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = state.timeZone
        let today = cal.startOfDay(for: state.now)
        var out: [Line] = []
        var current: Date?? = .none
        for item in items {
            let day = Week.day(of: item, policy: state.policy, now: state.now)
            if current == nil || current! != day {
                if !out.isEmpty { out.append(Line(text: "", style: .plain)) }
                let heading: String
                if let day {
                    let stamp = Format.stamp(day, now: state.now, timeZone: state.timeZone)
                    heading = String(stamp.dropLast(6)) + (day == today ? " · today" : "")
                } else {
                    heading = "Overdue"
                }
                out.append(Line(text: heading, style: Style(day == nil ? .danger : .accent, bold: true)))
                current = .some(day)
            }
            let r = state.db.recruiter(item.recruiterID)
            var when: String
            let overdue = item.section == .overdue
            if overdue {
                // How late, then when it was in the candidate's own zone, as the deadline
                // pane and `rapport due` show it: "overdue 2d  Mon 9 Mar 18:00".
                when = RelativeTime.due(item.at, now: state.now).padding(toLength: 12, withPad: " ", startingAt: 0)
                    + Format.dueTime(item.at, now: state.now, timeZone: state.timeZone, withDate: true)
                when = when.padding(toLength: max(when.count, 29), withPad: " ", startingAt: 0)
            } else {
                let c = cal.dateComponents([.hour, .minute], from: item.at)
                when = Format.clock(c.hour ?? 0, c.minute ?? 0)
                if let end = item.end {
                    let e = cal.dateComponents([.hour, .minute], from: end)
                    when += "–" + Format.clock(e.hour ?? 0, e.minute ?? 0)
                }
            }
            var text = "  " + (overdue ? when : when.padding(toLength: 12, withPad: " ", startingAt: 0))
            if let zone = r?.timeZone.flatMap(TimeZone.init(identifier:)),
               zone.secondsFromGMT(for: item.at) != state.timeZone.secondsFromGMT(for: item.at) {
                var theirs = Calendar(identifier: .gregorian)
                theirs.timeZone = zone
                let c = theirs.dateComponents([.hour, .minute], from: item.at)
                // Their weekday too when an overdue item fell on another day for them.
                let day = overdue && theirs.component(.day, from: item.at) != cal.component(.day, from: item.at)
                    ? Format.dueTime(item.at, now: state.now, timeZone: zone, withDate: false)
                    : Format.clock(c.hour ?? 0, c.minute ?? 0)
                text += "(\(day) theirs) "
            }
            let label: String
            switch item.kind {
            case .interview: label = "interview"
            case .promised: label = "promised"
            case .deadline: label = item.deadline?.kind.rawValue ?? "deadline"
            }
            text += "[\(label)] " + item.title
            if let agenda = item.agendaWritten { text += agenda ? " · agenda written" : " · no agenda yet" }
            if let missing = item.missing {
                text += missing.isEmpty ? " · research done" : " · research missing: \(missing.map(\.label).joined(separator: ", "))"
            }
            let style: Style = item.section == .overdue ? Style(.danger) : item.kind == .deadline ? .plain : Style(.normal, bold: true)
            out.append(Line(text: text, style: style))
        }
        return out
    }

    static func draw(_ buf: inout CellBuffer, _ state: AppState, in r: Rect) {
        guard r.height > 1 else { return }
        let title = "Week · today and the next 6 days · \(state.full.weekItems.count) items"
        Screen.drawPaneTitle(&buf, title, focused: true, in: Rect(x: r.x, y: r.y, width: r.width, height: 1))
        let all = lines(state)
        let rows = r.height - 1
        let top = min(state.full.weekScroll, max(0, all.count - rows))
        for (k, line) in all.dropFirst(top).prefix(rows).enumerated() {
            buf.put(Text.truncate(Text.visible(line.text), to: r.width), x: r.x, y: r.y + 1 + k, style: line.style)
        }
        Screen.moreAbove(&buf, top, below: max(0, all.count - top - rows), title: title, in: r)
    }
}
