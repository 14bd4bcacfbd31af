import Foundation
import RapportCore
import RapportText

/// The call-prep view: who, when in both zones, the research checklist (ticked with
/// Space or `x`), the agenda notes and the end of the thread.
enum CallPrepView {
    static let minimumWidth = 50
    static let minimumHeight = 12

    /// One row of the checklist: the recruiter's items, then the opportunity's.
    struct Row: Equatable {
        var item: ChecklistItem
        /// When it was ticked; nil when it is not.
        var done: Date?
        /// False for an opportunity item when the recruiter has no opportunity.
        var available: Bool
        /// What the item belongs to: "recruiter", or the opportunity ("Finbank · iOS Engineer").
        var owner: String
    }

    static func items(_ prep: CallPrep?) -> [Row] {
        guard let prep else { return [] }
        let mine = ChecklistItem.items(for: .recruiter).map {
            Row(item: $0, done: prep.recruiter.checklist.done[$0.rawValue], available: true, owner: "recruiter")
        }
        let theirs = ChecklistItem.items(for: .opportunity).map { item -> Row in
            guard let o = prep.opportunity else { return Row(item: item, done: nil, available: false, owner: "no opportunity yet") }
            return Row(item: item, done: o.checklist.done[item.rawValue], available: true,
                       owner: [o.employer, o.role].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · "))
        }
        return mine + theirs
    }

    /// "Thu 12 Mar 11:00 yours (Europe/Berlin)".
    static func when(_ date: Date, now: Date, zone: TimeZone, whose: String) -> String {
        Format.stamp(date, now: now, timeZone: zone) + " \(whose) (\(zone.identifier))"
    }

    static func draw(_ buf: inout CellBuffer, _ state: AppState, in c: Rect) {
        guard let prep = state.full.callPrep else { return }
        let r = prep.recruiter
        Screen.drawPaneTitle(&buf, "Call prep · " + r.name, focused: state.overlays.isEmpty, in: Rect(x: c.x, y: c.y, width: c.width, height: 1))
        if c.width < minimumWidth || c.height < minimumHeight {
            buf.put(" Too small for call prep: it needs \(minimumWidth)×\(minimumHeight + 2), this is \(state.width)×\(state.height). Esc returns.",
                    x: c.x, y: c.y + 2, maxWidth: c.width, style: Style(.warning, bold: true))
            return
        }
        var y = c.y + 1
        let labelStyle = Style(.muted, bold: true)
        func field(_ label: String, _ text: String, _ style: Style = .plain) {
            guard y < c.maxY else { return }
            buf.put(" " + label, x: c.x, y: y, maxWidth: c.width, style: labelStyle)
            buf.put(Text.truncate(text, to: c.width - 9), x: c.x + 8, y: y, style: style)
            y += 1
        }
        func heading(_ title: String, _ note: String) {
            guard y < c.maxY else { return }
            let used = buf.put(" " + title, x: c.x, y: y, maxWidth: c.width, style: Style(.accent, bold: true))
            buf.put("  " + note, x: c.x + used, y: y, maxWidth: c.width - used, style: Style(.muted))
            y += 1
        }

        let who = [r.name, r.firm, r.email, r.phone].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
        field("Who", who, Style(.normal, bold: true))
        if let call = prep.call {
            let until = call.at.timeIntervalSince(state.now)
            field("Next", call.title + " · " + (until < 60 ? "now" : "in " + RelativeTime.span(until)),
                  Style(until <= Preparation.window ? .warning : .normal, bold: true))
            let yours = self.when(call.at, now: state.now, zone: state.timeZone, whose: "yours")
            let theirs = r.timeZone.flatMap(TimeZone.init(identifier:))
                .map { self.when(call.at, now: state.now, zone: $0, whose: "theirs") } ?? "their zone unknown"
            // Both on one line when they fit, else theirs below.
            if DisplayWidth.of(yours + " · " + theirs) <= c.width - 9 {
                field("When", yours + " · " + theirs)
            } else {
                field("When", yours)
                field("", theirs)
            }
        } else {
            field("Next", "no call or interview planned", Style(.muted))
        }
        let rows = items(prep)
        // Counted from the boxes shown: a promised call's research is the recruiter's,
        // but the latest opportunity's box is shown (and tickable) too.
        let missing = rows.filter { $0.available && $0.done == nil }.count
        if prep.unprepared {
            field(FlagGlyph.glyph(.unprepared), "unprepared: call within 24 h, \(missing) research item\(missing == 1 ? "" : "s") missing",
                  Style(FlagGlyph.role(.unprepared), bold: true))
        } else if missing == 0 {
            field("✓", "research done", Style(.good, bold: true))
        } else {
            field("", "\(missing) research item\(missing == 1 ? "" : "s") not done yet", Style(.muted))
        }
        y += 1

        heading("Research", "Space or x ticks the selected item")
        let labelWidth = (ChecklistItem.allCases.map { DisplayWidth.of($0.label) }.max() ?? 0) + 2
        for (i, row) in rows.enumerated() where y < c.maxY {
            let selected = i == state.full.checklistCursor
            let base = Screen.rowStyle(selected: selected, focused: state.overlays.isEmpty)
            buf.fill(Rect(x: c.x, y: y, width: c.width, height: 1), style: base)
            buf.put(selected ? " ›" : "  ", x: c.x, y: y, style: base.bolded)
            let box = !row.available ? "[-]" : row.done != nil ? "[x]" : "[ ]"
            let role: ColorRole = !row.available ? .muted : row.done != nil ? .good : .warning
            buf.put(box, x: c.x + 3, y: y, style: selected ? base : Style(role, bold: true))
            buf.putPadded(row.item.label, x: c.x + 7, y: y, width: min(labelWidth, max(0, c.width - 8)), style: selected ? base : .plain)
            var note = row.owner
            if let at = row.done { note += " · ticked " + Format.stamp(at, now: state.now, timeZone: state.timeZone) }
            let x = c.x + 7 + labelWidth
            buf.put(note, x: x, y: y, maxWidth: c.maxX - x - 1, style: selected ? base : Style(.muted))
            y += 1
        }
        y += 1

        heading("Agenda", "read-only here; set it with: rapport checklist NAME --agenda \"…\"")
        let agenda = prep.agenda.flatMap { Text.wrapLines($0, width: max(1, c.width - 6)) }
        // Leave room for the thread heading and at least two messages.
        let agendaRoom = max(1, c.maxY - y - 4)
        if agenda.isEmpty {
            if y < c.maxY { buf.put("   No agenda yet: what should they remember about you?", x: c.x, y: y, maxWidth: c.width, style: Style(.muted)) }
            y += 1
        }
        for (i, line) in agenda.prefix(agendaRoom).enumerated() where y < c.maxY {
            let cut = i == agendaRoom - 1 && agenda.count > agendaRoom
            buf.put("   " + line + (cut ? " …" : ""), x: c.x, y: y, maxWidth: c.width - 1)
            y += 1
        }
        y += 1

        heading("Thread", prep.recent.isEmpty ? "no messages yet" : "last \(prep.recent.count), oldest first")
        // The newest messages are the ones kept when not all fit.
        let room = max(0, c.maxY - y)
        for m in prep.recent.suffix(room) where y < c.maxY {
            let arrow = m.direction == .inbound ? "←" : "→"
            var text = "\(arrow) " + Format.stamp(m.at, now: state.now, timeZone: state.timeZone) + " " + m.channel.rawValue
            if let s = m.subject, !s.isEmpty { text += " · " + s }
            if let b = m.body?.split(whereSeparator: \.isNewline).first { text += " — " + b }
            buf.put(Text.truncate(Text.visible(text), to: c.width - 4), x: c.x + 3, y: y,
                    style: Style(m.direction == .inbound ? .inbound : .outbound))
            y += 1
        }
    }
}
