import Foundation
import RapportCore
import RapportText
import Synchronization

/// Draws the whole frame for a state into a `CellBuffer`. Pure: the same state gives
/// the same cells. Only visible rows are visited, so a frame costs the same with ten
/// recruiters or ten thousand.
public enum Screen {
    public static func render(_ state: AppState, keymap: Keymap = .standard) -> CellBuffer {
        var buf = CellBuffer(width: state.width, height: state.height)
        let l = state.layout
        if l.tooSmall {
            drawTooSmall(&buf, state)
            return buf
        }
        drawTitle(&buf, state, l.title)
        drawBanner(&buf, state, l.banner)
        if let review = state.review {
            ImportReviewView.draw(&buf, state, review, in: l.content)
        } else if state.full.view != nil {
            FullViews.draw(&buf, state, in: l.content)
        } else if state.isEmpty {
            WelcomeView.draw(&buf, state, in: l.content)
        } else {
            RecruitersView.draw(&buf, state, in: l.recruiters)
            MessagesView.draw(&buf, state, in: l.messages)
            DeadlinesView.draw(&buf, state, in: l.deadlines)
            if let d = l.divider {
                for y in d.y..<d.maxY { buf.put("│", x: d.x, y: y, style: Style(.muted)) }
            }
        }
        drawStatus(&buf, state, keymap, l.status)
        for overlay in state.overlays {
            drawOverlay(&buf, state, overlay, keymap: keymap)
        }
        return buf
    }

    static func drawTooSmall(_ buf: inout CellBuffer, _ state: AppState) {
        let lines = ["Terminal too small", "\(state.width)×\(state.height), need \(Layout.minimumWidth)×\(Layout.minimumHeight)", "q quits"]
        let top = max(0, (state.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < state.height {
            let t = Text.truncate(line, to: state.width)
            let x = max(0, (state.width - DisplayWidth.of(t)) / 2)
            buf.put(t, x: x, y: top + i, style: i == 0 ? Style(.warning, bold: true) : .plain)
        }
    }

    static func drawTitle(_ buf: inout CellBuffer, _ state: AppState, _ r: Rect) {
        let style = Style(.title, bold: true)
        buf.fill(r, style: style)
        var summary = " Rapport"
        if let review = state.review {
            summary += review.purpose == .mail ? "  recruiters found in mail · a keeps, r rejects · Enter commits, Esc changes nothing"
                : "  review before import · Enter commits"
        } else if !state.isEmpty {
            let n = state.recruiterTotal
            let c = state.counts
            summary += "  \(n) recruiter\(n == 1 ? "" : "s") · \(c.yourTurn) your turn · \(c.overdue) overdue · \(c.atRisk) at risk"
            if c.blanketWaiting > 0 { summary += " · \(c.blanketWaiting) blanket" }
        }
        if state.review == nil, let sync = state.syncLabel { summary += " · " + sync }
        var clock = Format.stamp(state.now, now: state.now, timeZone: state.timeZone) + " "
        if state.clockIsFixed {
            // The year too, and where the time comes from (the same as the CLI's then).
            clock = Format.stamp(state.now, now: .distantPast, timeZone: state.timeZone) + " · RAPPORT_NOW "
        }
        let clockWidth = DisplayWidth.of(clock)
        let room = r.width - clockWidth - 1
        buf.put(Text.truncate(summary, to: max(0, room > 10 ? room : r.width)), x: r.x, y: r.y, style: style)
        if room > 10 { buf.put(clock, x: r.maxX - clockWidth, y: r.y, style: style) }
    }

    static func drawBanner(_ buf: inout CellBuffer, _ state: AppState, _ r: Rect) {
        guard r.height > 0 else { return }
        let lines = state.bannerLines
        for i in 0..<r.height {
            var text = lines[i]
            if i == r.height - 1, lines.count > r.height { text += " (+\(lines.count - r.height) more)" }
            buf.putPadded(" ⚑ " + text + (i == 0 && !state.notices.isEmpty ? "  · Esc dismisses" : ""),
                          x: r.x, y: r.y + i, width: r.width, style: Style(.banner))
        }
    }

    static func drawStatus(_ buf: inout CellBuffer, _ state: AppState, _ keymap: Keymap, _ r: Rect) {
        if case .search(let s) = state.overlays.last {
            // The search prompt: "/query▏  no match · Enter keeps · Esc goes back".
            let x = r.x + buf.put("/", x: r.x, y: r.y, style: Style(.accent, bold: true))
            let note = s.miss ? "  no match · Esc goes back" : "  Enter keeps · Esc goes back"
            let noteWidth = DisplayWidth.of(note)
            let fieldWidth = max(4, r.width - 1 - noteWidth)
            drawField(&buf, s.field, x: x, y: r.y, width: fieldWidth, focused: true)
            buf.put(note, x: x + fieldWidth, y: r.y, maxWidth: r.maxX - x - fieldWidth,
                    style: s.miss ? Style(.danger, bold: true) : Style(.muted))
            return
        }
        if let m = state.statusMessage {
            buf.putPadded(" " + m.text, x: r.x, y: r.y, width: r.width,
                          style: m.isError ? Style(.danger, bold: true) : Style(.good))
            return
        }
        let mode = state.keyMode
        var x = r.x + 1
        for (keys, label) in keymap.hints(mode: mode) {
            let needed = DisplayWidth.of(keys) + 1 + DisplayWidth.of(label) + 2
            if x + needed > r.maxX { break }
            x += buf.put(keys, x: x, y: r.y, style: Style(.accent, bold: true))
            x += buf.put(" " + label + "  ", x: x, y: r.y, style: Style(.muted))
        }
    }

    /// A pane's title row: heavy rule and bold when focused, light and muted otherwise.
    static func drawPaneTitle(_ buf: inout CellBuffer, _ title: String, focused: Bool, in r: Rect) {
        guard r.height > 0, r.width > 0 else { return }
        let rule: Unicode.Scalar = focused ? "━" : "─"
        let style = focused ? Style(.accent, bold: true) : Style(.muted)
        let head = String(rule) + " " + title + " "
        let used = buf.put(Text.truncate(head, to: r.width), x: r.x, y: r.y, style: style)
        if used < r.width {
            buf.putRepeated(rule, count: r.width - used, x: r.x + used, y: r.y, style: style)
        }
    }

    /// Draws a pane's title row. Returns whether the pane has the focus and how many
    /// rows are left below the title, or nil when the pane has no room at all.
    static func beginPane(_ buf: inout CellBuffer, _ state: AppState, _ pane: Pane, title: String,
                          in r: Rect) -> (focused: Bool, rows: Int)? {
        guard r.height > 0 else { return nil }
        let focused = state.focus == pane && state.overlays.isEmpty
        drawPaneTitle(&buf, title, focused: focused, in: r)
        return (focused, r.height - 1)
    }

    /// "↑ N more" and "↓ N more" at the right of a pane's title line when rows are
    /// scrolled off the top or the bottom (the short "↑N ↓N" when the long form would
    /// cover the title; left out when even that would).
    static func moreAbove(_ buf: inout CellBuffer, _ hidden: Int, below: Int = 0, title: String?, in r: Rect) {
        guard hidden > 0 || below > 0 else { return }
        let long = [hidden > 0 ? "↑ \(hidden) more" : nil, below > 0 ? "↓ \(below) more" : nil].compactMap { $0 }.joined(separator: " ")
        let short = [hidden > 0 ? "↑\(hidden)" : nil, below > 0 ? "↓\(below)" : nil].compactMap { $0 }.joined(separator: " ")
        let titleEnd = r.x + (title.map { DisplayWidth.of($0) + 4 } ?? 0)
        for mark in [long, short] {
            let x = r.maxX - DisplayWidth.of(mark) - 1
            if x < titleEnd { continue }
            buf.put(mark, x: x, y: r.y, style: Style(.muted))
            return
        }
    }

    /// The style of a list row: highlighted when selected in the focused pane.
    static func rowStyle(selected: Bool, focused: Bool) -> Style {
        selected ? (focused ? Style(.selection) : Style(.normal, bold: true)) : .plain
    }
}

/// Glyphs for flags, one column each; the help overlay lists them.
public enum FlagGlyph {
    public static func glyph(_ f: Flag) -> String {
        switch f {
        case .nonResponsive: return "✗"
        case .nonResponsiveRisk: return "!"
        case .replyOverdue: return "↩"
        case .replyDue: return "↩"
        case .thankYouDue: return "♥"
        case .followUpOverdue: return "↻"
        case .noShow: return "∅"
        case .unprepared: return "?"
        case .awaitingThem: return "…"
        case .cold: return "~"
        case .duplicateSubmission: return "≡"
        case .doNotContact: return "⊘"
        }
    }

    public static func role(_ f: Flag) -> ColorRole {
        switch f {
        case .nonResponsive, .replyOverdue, .followUpOverdue, .noShow, .duplicateSubmission: return .danger
        case .nonResponsiveRisk, .replyDue, .thankYouDue, .unprepared: return .warning
        case .awaitingThem, .cold, .doNotContact: return .muted
        }
    }
}

enum RecruitersView {
    static func draw(_ buf: inout CellBuffer, _ state: AppState, in r: Rect) {
        var title = "Recruiters \(state.order.count)"
        if let f = state.filter { title += " of \(state.recruiterTotal) · \(f.name)" }
        if state.full.allyOrder { title += " · by ally score" } else if state.sort != .urgency { title += " · by \(state.sort.rawValue)" }
        guard let (focused, rows) = Screen.beginPane(&buf, state, .recruiters, title: title, in: r)
        else { return }
        if state.order.isEmpty, rows > 0 {
            buf.put("  No recruiter is listed · F changes the filter", x: r.x, y: r.y + 1, maxWidth: r.width, style: Style(.muted))
        }
        let flagsWidth = 4, turnWidth = 5
        let flex = max(0, r.width - 2 - flagsWidth - turnWidth - 3)
        let nameWidth = flex * 11 / 20
        let firmWidth = flex - nameWidth
        for row in 0..<rows {
            let i = state.recruiterTop + row
            guard i < state.order.count, let rec = state.db.recruiter(state.order[i]) else { break }
            let y = r.y + 1 + row
            let selected = i == state.recruiterCursor
            let base = Screen.rowStyle(selected: selected, focused: focused)
            buf.fill(Rect(x: r.x, y: y, width: r.width, height: 1), style: base)
            var x = r.x
            buf.put(selected ? "›" : " ", x: x, y: y, style: base.bolded)
            x += 2
            buf.putPadded(rec.name, x: x, y: y, width: nameWidth, style: base.bolded)
            x += nameWidth + 1
            buf.putPadded(rec.firm ?? "", x: x, y: y, width: firmWidth, style: selected ? base : Style(.muted))
            x += firmWidth + 1
            let turn: (String, ColorRole) = switch state.statuses.summary(of: rec.id)?.turn ?? .none {
            case .mine: ("you", .warning)
            case .theirs: ("them", .muted)
            case .none: ("", .normal)
            }
            buf.putPadded(turn.0, x: x, y: y, width: turnWidth, style: selected ? base : Style(turn.1, bold: turn.1 == .warning))
            x += turnWidth + 1
            for f in state.statuses.flags(of: rec.id).prefix(flagsWidth) {
                x += buf.put(FlagGlyph.glyph(f), x: x, y: y, maxWidth: r.maxX - x, style: selected ? base : Style(FlagGlyph.role(f), bold: true))
            }
        }
        Screen.moreAbove(&buf, state.recruiterTop, below: max(0, state.order.count - state.recruiterTop - rows), title: title, in: r)
    }
}

/// Something that happened, or will, in a conversation besides its messages: an
/// interview, a follow-up you planned, a call the recruiter promised. Drawn in the thread in time order.
public struct ThreadEvent: Equatable, Sendable {
    public var at: Date
    public var text: String
    public var role: ColorRole

    public init(at: Date, text: String, role: ColorRole = .accent) {
        self.at = at
        self.text = text
        self.role = role
    }

    /// A recruiter's interviews, your follow-ups and the calls they promised, as thread
    /// events: "◆ interview · Tue 10 Mar 11:30 (45 min) · Engineer at Acme · with Ann",
    /// "↻ your follow-up: send the CV · due Thu 12 Mar 09:00" (at the snoozed time when
    /// snoozed; "↻ you followed up" at the time it was done) and "☎ they promised: call
    /// back · by Wed 11 Mar 15:00".
    public static func of(_ recruiterID: UUID, in db: Database, now: Date, timeZone: TimeZone) -> [ThreadEvent] {
        var out: [ThreadEvent] = []
        for o in db.opportunities(of: recruiterID) {
            let about = o.role + (o.employer.map { " at \($0)" } ?? "")
            for iv in o.interviews {
                let when = iv.at > now ? "upcoming interview" : "interview"
                var text = "◆ \(when) · \(Format.stamp(iv.at, now: now, timeZone: timeZone)) (\(iv.durationMinutes) min) · \(about)"
                if !iv.interviewers.isEmpty { text += " · with " + iv.interviewers.joined(separator: ", ") }
                out.append(ThreadEvent(at: iv.at, text: text, role: iv.at > now ? .warning : .accent))
            }
        }
        for f in db.followUps(of: recruiterID) {
            let what = f.note.flatMap { $0.isEmpty ? nil : ": " + $0 } ?? ""
            if let done = f.done {
                out.append(ThreadEvent(at: done, text: "↻ you followed up\(what) · done \(Format.stamp(done, now: now, timeZone: timeZone))",
                                       role: .muted))
            } else {
                let due = f.snoozedUntil ?? f.due
                var text = "↻ your follow-up\(what) · \(due > now ? "due" : "overdue since") \(Format.stamp(due, now: now, timeZone: timeZone))"
                if due != f.due { text += " (snoozed from \(Format.stamp(f.due, now: now, timeZone: timeZone)))" }
                out.append(ThreadEvent(at: due, text: text, role: due > now ? .warning : .danger))
            }
        }
        for e in db.expectations(of: recruiterID) {
            let what = e.note.flatMap { $0.isEmpty ? nil : $0 } ?? "to get back to you"
            out.append(ThreadEvent(at: e.by, text: "☎ they promised: \(what) · by \(Format.stamp(e.by, now: now, timeZone: timeZone))",
                                   role: .accent))
        }
        return out.sorted { $0.at < $1.at }
    }
}

/// One display line of a thread.
public struct ThreadLine: Equatable, Sendable {
    public var text: String
    public var style: Style
    public var indent: Int
    /// The message this line belongs to (nil for the blank line between messages and
    /// for the lines of an event).
    public var messageID: UUID? = nil

    /// A thread as lines at `width` columns: per message a header (direction, channel,
    /// time, subject), the body wrapped and indented, then a blank line. Events
    /// (interviews, follow-ups, promised calls) sit among the messages in time order; at the same
    /// minute an event comes after the message.
    public static func lines(for thread: [Message], events: [ThreadEvent] = [], width: Int, now: Date,
                             timeZone: TimeZone) -> [ThreadLine] {
        let inner = max(1, width - 2)
        var out: [ThreadLine] = []
        var pending = events[...]
        func separate() { if !out.isEmpty { out.append(ThreadLine(text: "", style: .plain, indent: 0, messageID: nil)) } }
        func event(_ e: ThreadEvent) {
            separate()
            for (i, l) in Text.wrap(Text.visible(e.text), width: inner).enumerated() {
                out.append(ThreadLine(text: l, style: Style(e.role, bold: i == 0), indent: 1, messageID: nil))
            }
        }
        for m in thread {
            while let e = pending.first, e.at < m.at {
                event(e)
                pending = pending.dropFirst()
            }
            separate()
            let arrow = m.direction == .inbound ? "← from them" : "→ from you"
            var head = arrow + " · " + m.channel.rawValue + " · " + Format.stamp(m.at, now: now, timeZone: timeZone)
            if let s = m.subject, !s.isEmpty { head += " · " + s }
            let role: ColorRole = m.direction == .inbound ? .inbound : .outbound
            for (i, l) in Text.wrap(Text.visible(head), width: inner).enumerated() {
                out.append(ThreadLine(text: l, style: Style(role, bold: i == 0), indent: 1, messageID: m.id))
            }
            if let body = m.body, !body.isEmpty {
                for l in Text.wrapLines(body, width: max(1, inner - 2)) {
                    out.append(ThreadLine(text: l, style: .plain, indent: 3, messageID: m.id))
                }
            }
        }
        for e in pending { event(e) }
        return out
    }
}

enum MessagesView {
    static func draw(_ buf: inout CellBuffer, _ state: AppState, in r: Rect) {
        guard let (_, rows) = Screen.beginPane(&buf, state, .messages, title: "Messages", in: r), rows > 0 else { return }
        guard let id = state.selectedRecruiterID, let rec = state.db.recruiter(id) else {
            buf.put(" No recruiter selected.", x: r.x, y: r.y + 1, maxWidth: r.width, style: Style(.muted))
            return
        }
        var head = " " + rec.name
        if let check = SendTime.check(rec, now: state.now, policy: state.policy) {
            // Their wall clock, and whether it is a good moment to write.
            let c = Format.civil(state.now, timeZone: check.timeZone)
            head += " · " + Format.clock(c.hour, c.minute) + " their time"
                + (check.isBusinessTime ? " (business hours)" : " (outside business hours)")
        }
        if let f = rec.firm, !f.isEmpty { head += " · " + f }
        if let e = rec.email, !e.isEmpty { head += " · " + e }
        if let t = state.statuses.summary(of: id)?.lastContact { head += " · last contact " + Format.ago(t, now: state.now) }
        buf.putPadded(head, x: r.x, y: r.y + 1, width: r.width, style: Style(.normal, bold: true))
        // The flags in words, with why, under the header (as many rows as the pane spares).
        let flagRows = state.threadFlagRows
        if flagRows > 0 {
            let reasons = state.flagReasons(of: id)
            let flags = state.statuses.flags(of: id)
            func named(_ f: Flag) -> String { FlagGlyph.glyph(f) + " " + f.rawValue }
            func said(_ f: Flag) -> String { named(f) + (reasons.first { $0.flag == f }.map { " — " + $0.why } ?? "") }
            for (k, f) in flags.prefix(flagRows).enumerated() {
                var text = " " + said(f)
                // The last row also names the flags there is no row for.
                if k == flagRows - 1, flags.count > flagRows {
                    let rest = flags.dropFirst(flagRows)
                    var more = " · " + rest.map(named).joined(separator: " · ")
                    if DisplayWidth.of(more) > r.width / 2 { more = " · +\(rest.count) more" }
                    text = Text.truncate(text, to: max(0, r.width - DisplayWidth.of(more))) + more
                }
                buf.put(Text.truncate(text, to: r.width), x: r.x, y: r.y + 2 + k, style: Style(FlagGlyph.role(f), bold: k == 0))
            }
        }
        // Open sync conflicts stay under them until read (C).
        let conflictRows = min(state.threadConflictRows, max(0, rows - 1 - flagRows))
        for (i, line) in state.conflictLines().prefix(conflictRows).enumerated() {
            buf.putPadded(" " + line, x: r.x, y: r.y + 2 + flagRows + i, width: r.width, style: Style(.warning, bold: true))
        }
        let threadRows = rows - 1 - flagRows - conflictRows
        guard threadRows > 0 else { return }
        let lines = state.threadLines
        let firstY = r.y + 2 + flagRows + conflictRows
        if lines.isEmpty {
            buf.put("   No messages yet.", x: r.x, y: firstY, maxWidth: r.width, style: Style(.muted))
            return
        }
        // Newest at the bottom; `threadScroll` lines up from there. A thread that fits
        // starts at the top.
        let scroll = min(state.threadScroll, max(0, lines.count - threadRows))
        let end = lines.count - scroll
        let start = max(0, end - threadRows)
        // In the focused pane, the selected message (the newest in view) is marked.
        let marked = state.focus == .messages && state.overlays.isEmpty ? state.selectedMessageID(in: lines) : nil
        var markedDone = false
        for (k, line) in lines[start..<end].enumerated() {
            buf.put(line.text, x: r.x + line.indent, y: firstY + k, maxWidth: r.width - line.indent, style: line.style)
            if let m = marked, line.messageID == m, !markedDone {
                buf.put("›", x: r.x, y: firstY + k, style: Style(.accent, bold: true))
                markedDone = true
            }
        }
        Screen.moreAbove(&buf, start, below: lines.count - end, title: "Messages", in: r)
    }
}

enum DeadlinesView {
    /// The section column: "Overdue", "Today", "This week", "Later" on the first row of
    /// each section in view (and on the top row).
    static let sectionWidth = 9

    static func draw(_ buf: inout CellBuffer, _ state: AppState, in r: Rect) {
        let title = "Deadlines \(state.deadlines.count)"
        guard let (focused, rows) = Screen.beginPane(&buf, state, .deadlines, title: title, in: r)
        else { return }
        if state.deadlines.isEmpty {
            if rows > 0 { buf.put("  Nothing due this week.", x: r.x, y: r.y + 1, maxWidth: r.width, style: Style(.muted)) }
            return
        }
        let sections = Rules.Sections(now: state.now, policy: state.policy)
        let sectionWidth = r.width >= 70 ? DeadlinesView.sectionWidth : 0
        let whenWidth = 11
        // The absolute time in the candidate's zone: "Tue 10:00"; with the date from 100 columns.
        let wide = r.width >= 100
        let atWidth = r.width >= 60 ? (wide ? 16 : 9) : 0
        // The recruiter's name gets a column unless every title already says it.
        // The recruiter's wall clock when their zone differs ("them Fri 02:00"), from 120
        // columns, when a row in view has such a zone (only the rows in view are looked at).
        let inView = state.deadlineTop..<min(state.deadlines.count, state.deadlineTop + rows)
        let zones = r.width >= 120 ? Dictionary(uniqueKeysWithValues: Set(inView.map { state.deadlines.recruiterID(at: $0) }).compactMap { id in
            state.db.recruiter(id)?.timeZone.flatMap(Zones.zone).map { (id, $0) }
        }) : [:]
        let theirWidth = zones.values.contains { $0.identifier != state.timeZone.identifier } ? 14 : 0
        let fixed = 2 + (sectionWidth > 0 ? sectionWidth + 1 : 0) + whenWidth + 1 + (atWidth > 0 ? atWidth + 1 : 0)
            + (theirWidth > 0 ? theirWidth + 1 : 0)
        let nameWidth = state.deadlineTitlesNameRecruiter ? 0 : max(0, min(20, (r.width - fixed) / 3))
        let titleWidth = max(0, r.width - fixed - (nameWidth > 0 ? nameWidth + 1 : 0))
        var previous: DeadlineSection?
        for row in 0..<rows {
            let i = state.deadlineTop + row
            guard i < state.deadlines.count else { break }
            let d = state.deadlines[i]
            let y = r.y + 1 + row
            let selected = i == state.deadlineCursor
            let base = Screen.rowStyle(selected: selected, focused: focused)
            buf.fill(Rect(x: r.x, y: y, width: r.width, height: 1), style: base)
            buf.put(selected ? "›" : " ", x: r.x, y: y, style: base.bolded)
            var x = r.x + 2
            let section = sections.section(of: d)
            let overdue = section == .overdue
            if sectionWidth > 0 {
                if section != previous {
                    buf.putPadded(section.title, x: x, y: y, width: sectionWidth,
                                  style: selected ? base : Style(overdue ? .danger : .accent, bold: true))
                }
                x += sectionWidth + 1
            }
            previous = section
            let soon = d.due.timeIntervalSince(state.now) < 86400
            let whenRole: ColorRole = overdue ? .danger : (soon ? .warning : .normal)
            buf.putPadded(RelativeTime.due(d.due, now: state.now), x: x, y: y, width: whenWidth,
                          style: selected ? base : Style(whenRole, bold: overdue))
            x += whenWidth + 1
            if atWidth > 0 {
                buf.putPadded(Format.dueTime(d.due, now: state.now, timeZone: state.timeZone, withDate: wide), x: x, y: y,
                              width: atWidth, style: selected ? base : Style(.muted))
                x += atWidth + 1
            }
            if theirWidth > 0 {
                // Their clock matters for what is near: within a week either way.
                if let zone = zones[d.recruiterID], abs(d.due.timeIntervalSince(state.now)) < 7 * 86_400,
                   zone.secondsFromGMT(for: d.due) != state.timeZone.secondsFromGMT(for: d.due) {
                    buf.putPadded("them " + Format.dueTime(d.due, now: state.now, timeZone: zone, withDate: false), x: x, y: y,
                                  width: theirWidth, style: selected ? base : Style(.muted))
                }
                x += theirWidth + 1
            }
            buf.putPadded(d.title, x: x, y: y, width: titleWidth, style: base)
            x += titleWidth + 1
            if nameWidth > 0 {
                let name = state.db.recruiter(d.recruiterID)?.name ?? ""
                buf.putPadded(name, x: x, y: y, width: nameWidth, style: selected ? base : Style(.muted))
            }
        }
        Screen.moreAbove(&buf, state.deadlineTop, below: max(0, state.deadlines.count - state.deadlineTop - rows),
                         title: title, in: r)
    }
}

/// Time zones by identifier, each made once for the process: the Deadlines pane asks for
/// the zones of the rows in view on every frame.
enum Zones {
    private static let made = Mutex<[String: TimeZone?]>([:])

    static func zone(_ identifier: String) -> TimeZone? {
        if let known = made.withLock({ $0[identifier] }) { return known }
        let zone = TimeZone(identifier: identifier)
        made.withLock { $0[identifier] = zone }
        return zone
    }
}

enum WelcomeView {
    static let lines: [(String, Style)] = [
        ("Welcome to Rapport", Style(.accent, bold: true)),
        ("", .plain),
        ("Rapport keeps your relationships with recruiters healthy: whose turn it is,", .plain),
        ("what is overdue, and who is drifting toward the \"non-responsive\" label.", .plain),
        ("", .plain),
        ("Your store is empty. Press a to add a recruiter, or quit (q) and run:", .plain),
        ("", .plain),
        ("  rapport add NAME               add a recruiter", .plain),
        ("  rapport import linkedin PATH   import a LinkedIn data export", .plain),
        ("  rapport demo                   load sample data to look around", .plain),
        ("", .plain),
        ("Then run rapport again. Press ? for keys.", Style(.muted)),
    ]

    static func draw(_ buf: inout CellBuffer, _ state: AppState, in r: Rect) {
        var all = lines
        all.append(("Store: " + state.storePath, Style(.muted)))
        let width = min(r.width - 2, all.map { DisplayWidth.of($0.0) }.max() ?? 0)
        let x = r.x + max(1, (r.width - width) / 2)
        let top = r.y + max(0, (r.height - all.count) / 2)
        for (i, (text, style)) in all.enumerated() where top + i < r.maxY {
            buf.put(text, x: x, y: top + i, maxWidth: r.maxX - x, style: style)
        }
    }
}

enum HelpView {
    /// The help text, generated from the keymap plus the flag legend. While an import
    /// review is open (`review`), only its own rows; otherwise everything but those.
    static func lines(_ keymap: Keymap, review: Bool = false) -> [(String, Style)] {
        var out: [(String, Style)] = []
        let shown = review ? keymap.only(.review) : Keymap(bindings: keymap.bindings.filter { !$0.modes.contains(.review) })
        for (title, rows) in shown.sections {
            if !out.isEmpty { out.append(("", .plain)) }
            out.append((title, Style(.accent, bold: true)))
            for b in rows {
                out.append((Text.fit("  " + b.keyLabel, to: 18) + " " + b.help, .plain))
            }
        }
        out.append(("", .plain))
        out.append(("Mouse", Style(.accent, bold: true)))
        if review {
            out.append(("  click selects a person, double-click accepts or rejects, the wheel scrolls", .plain))
            return out
        }
        out.append(("  click selects a row, double-click opens, the wheel scrolls", .plain))
        out.append(("", .plain))
        out.append(("Flags", Style(.accent, bold: true)))
        for f in Flag.allCases {
            out.append(("  " + FlagGlyph.glyph(f) + "  " + f.rawValue, .plain))
        }
        out.append(("", .plain))
        out.append(("In the thread", Style(.accent, bold: true)))
        out.append(("  ◆  an interview, among the messages by its time", .plain))
        out.append(("  ↻  a follow-up you planned, by when it is due (or when you did it)", .plain))
        out.append(("  ☎  a call or answer the recruiter promised, by when", .plain))
        out.append(("  the flags in words, with why, under the thread's header", .plain))
        return out
    }

    static let lineCount = lines(.standard).count
    static let reviewLineCount = lines(.standard, review: true).count

    static func lineCount(_ state: AppState) -> Int { state.review == nil ? lineCount : reviewLineCount }

    static func draw(_ buf: inout CellBuffer, _ state: AppState, keymap: Keymap, scroll: Int) {
        let all = lines(keymap, review: state.review != nil)
        let box = state.layout.helpBox(lines: all.count)
        guard box.width > 4, box.height > 2 else { return }
        let border = Style(.accent, bold: true)
        let inner = box.width - 2
        Screen.drawBox(&buf, box, title: "Keys — q or Esc closes")
        let rows = box.height - 2
        let start = min(scroll, max(0, all.count - rows))
        for (k, (text, style)) in all.dropFirst(start).prefix(rows).enumerated() {
            buf.put(Text.truncate(text, to: inner - 2), x: box.x + 2, y: box.y + 1 + k, style: style)
        }
        if start + rows < all.count {
            buf.put(" ↓ more (j/k) ", x: box.maxX - 16, y: box.maxY - 1, style: border)
        }
    }
}
