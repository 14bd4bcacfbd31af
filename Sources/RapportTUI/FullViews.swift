import Foundation
import RapportCore
import RapportText

// The insight view (`4`) and the call-prep view (`p`): whole-content views drawn in
// place of the three panes (issue 8). Their figures are computed here when a view opens
// and whenever the data changes or the minute ticks (AppState.reindex), never per frame.

/// A view drawn in place of the panes.
public enum FullView: Equatable, Sendable {
    case insight
    case callPrep(UUID)
    /// Today and the coming days: interviews, promised calls, deadlines (`w`).
    case week
}

/// How the insight view orders its recruiter table; each puts the best first.
public enum InsightSort: String, CaseIterable, Sendable {
    /// Highest ally score first (the order of `Stats.compute`).
    case ally
    case name
    /// Their median reply time, fastest first; no data last.
    case theirReply
    /// How often they go silent, least first; nothing judged yet last.
    case silence
    /// Most recent contact first.
    case lastContact

    public var label: String {
        switch self {
        case .ally: return "ally score"
        case .name: return "name"
        case .theirReply: return "their reply time"
        case .silence: return "silence rate"
        case .lastContact: return "last contact"
        }
    }

    public func sorted(_ rows: [RecruiterInsight]) -> [RecruiterInsight] {
        // `Stats.compute` already orders by ally score, then name; stable sorts keep that as the tie-break.
        func last<T: Comparable>(_ a: T?, _ b: T?, _ less: (T, T) -> Bool) -> Bool? {
            switch (a, b) {
            case (nil, nil): return nil
            case (nil, _): return false
            case (_, nil): return true
            case let (x?, y?): return x == y ? nil : less(x, y)
            }
        }
        switch self {
        case .ally: return rows
        case .name: return rows.enumerated().sorted { a, b in
            let x = a.element.name.lowercased(), y = b.element.name.lowercased()
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
        case .theirReply: return stable(rows) { last($0.them.medianHours, $1.them.medianHours, <) }
        case .silence: return stable(rows) { last($0.silenceRate, $1.silenceRate, <) }
        case .lastContact: return stable(rows) { last($0.lastContact, $1.lastContact, >) }
        }
    }

    private func stable(_ rows: [RecruiterInsight], _ less: (RecruiterInsight, RecruiterInsight) -> Bool?) -> [RecruiterInsight] {
        rows.enumerated().sorted { a, b in less(a.element, b.element) ?? (a.offset < b.offset) }.map(\.element)
    }
}

/// What the full views show, kept in `AppState.full`.
public struct FullViewState: Sendable {
    /// Open views, the top one shown (call prep opened from insight returns to it).
    public var stack: [FullView] = []
    /// The recruiter list is ordered by ally score instead of urgency (`A`).
    public var allyOrder = false
    /// The figures, while the insight view is open or the list is in ally order.
    public internal(set) var insight: Insight?
    public var insightSort: InsightSort = .ally
    /// `insight.recruiters` in `insightSort` order.
    public internal(set) var insightRows: [RecruiterInsight] = []
    public var insightCursor = 0
    public var insightTop = 0
    /// The call prep of the recruiter on top, while the call-prep view is open.
    public internal(set) var callPrep: CallPrep?
    public var checklistCursor = 0
    /// The week view's items (while it is open) and how far it is scrolled, in lines.
    public internal(set) var weekItems: [Week.Item] = []
    public var weekScroll = 0

    public init() {}

    public var view: FullView? { stack.last }
}

extension AppState {
    /// Recomputes what the open views show (called by `reindex`: data changed or a minute passed).
    mutating func refreshFullViews() {
        let needInsight = full.allyOrder || full.stack.contains(.insight)
        if needInsight {
            full.insight = Stats.compute(db, now: now, policy: policy)
            sortInsightRows()
        } else {
            full.insight = nil
            full.insightRows = []
        }
        // A recruiter removed meanwhile closes its call prep.
        full.stack.removeAll { if case .callPrep(let id) = $0 { return db.recruiter(id) == nil } else { return false } }
        full.weekItems = full.stack.contains(.week) ? Week.items(in: db, now: now, policy: policy, within: 7 * 86_400) : []
        if case .callPrep(let id) = full.view {
            full.callPrep = Preparation.prep(for: id, in: db, now: now)
            full.checklistCursor = AppState.clamp(full.checklistCursor, count: CallPrepView.items(full.callPrep).count)
        } else {
            full.callPrep = nil
        }
    }

    mutating func sortInsightRows() {
        full.insightRows = full.insightSort.sorted(full.insight?.recruiters ?? [])
        clampInsightCursor()
    }

    mutating func clampInsightCursor() {
        let rows = InsightLayout(content: layout.content).tableRows
        full.insightCursor = AppState.clamp(full.insightCursor, count: full.insightRows.count)
        full.insightTop = AppState.scrolled(top: full.insightTop, cursor: full.insightCursor, rows: rows,
                                            count: full.insightRows.count)
    }

    /// The recruiter `p` prepares for: the insight table's selected row, the selected
    /// deadline's recruiter, else the selected recruiter.
    var callPrepTarget: UUID? {
        if full.view == .insight {
            return full.insightRows.indices.contains(full.insightCursor) ? full.insightRows[full.insightCursor].id : nil
        }
        if focus == .deadlines, let d = selectedDeadline { return d.recruiterID }
        return selectedRecruiterID
    }

    mutating func openView(_ v: FullView) {
        if v == .insight { full.stack = [] }
        full.stack.append(v)
        if case .callPrep = v { full.checklistCursor = 0 }
        refreshFullViews()
    }

    mutating func closeView() {
        _ = full.stack.popLast()
        refreshFullViews()
    }
}

/// `4`, `p` and `A` from the panes; `p` and Enter from the insight table.
func viewCommand(_ state: inout AppState, _ command: Command) -> [Effect] {
    switch command {
    case .toggleInsight:
        if state.full.view == .insight { state.closeView() } else { state.openView(.insight) }
    case .toggleWeek:
        if state.full.view == .week { state.closeView() } else {
            state.full.stack = []
            state.full.weekScroll = 0
            state.openView(.week)
        }
    case .openCallPrep:
        if let id = state.callPrepTarget { state.openView(.callPrep(id)) }
    case .toggleAllyOrder:
        state.full.allyOrder.toggle()
        state.replaceData(state.db)
        // A new order: scroll from the top, as far as the selection needs.
        state.recruiterTop = 0
        state.clampCursors()
    default:
        break
    }
    return []
}

extension ModeTable {
    static let insight = ModeTable(.insight, Keymap.undoRows + [
        Binding([.char("j"), .down], .move(1), section: "Insight", help: "next recruiter in the table", hint: "select"),
        Binding([.char("k"), .up], .move(-1), section: "Insight", help: "previous recruiter"),
        Binding([.char("s")], .cycleInsightSort, section: "Insight", help: "sort: ally, name, reply, silence, contact", hint: "sort"),
        Binding([.char("p"), .enter], .openCallPrep, section: "Insight", help: "call prep for the selected recruiter", hint: "prep"),
        Binding([.char("4"), .char("q"), .escape], .close, section: "Insight", help: "back to the panes", hint: "back"),
    ] + Keymap.topBottom + Keymap.pages + [Keymap.helpKey] + Keymap.general, handle: updateInsight)

    static let week = ModeTable(.week, Keymap.undoRows + [
        Binding([.char("j"), .down], .move(1), section: "Week", help: "scroll down", hint: "scroll"),
        Binding([.char("k"), .up], .move(-1), section: "Week", help: "scroll up"),
        Binding([.char("w"), .char("q"), .escape], .close, section: "Week", help: "back to the panes", hint: "back"),
    ] + Keymap.topBottom + Keymap.pages + [Keymap.helpKey] + Keymap.general, handle: updateWeek)

    static let callPrep = ModeTable(.callPrep, Keymap.undoRows + [
        Binding([.char("j"), .down], .move(1), section: "Call prep", help: "next checklist item", hint: "item"),
        Binding([.char("k"), .up], .move(-1), section: "Call prep", help: "previous checklist item"),
        Binding([.char(" "), .char("x")], .toggleChecklistItem, section: "Call prep",
                help: "tick or untick the item (undoable)", hint: "tick"),
        Binding([.char("p"), .char("q"), .escape], .close, section: "Call prep", help: "back", hint: "back"),
    ] + Keymap.topBottom + [Keymap.helpKey] + Keymap.general, handle: updateCallPrep)
}

/// Commands in the insight view: the table, its sort, call prep for a row.
private func updateInsight(_ state: inout AppState, _ command: Command) -> [Effect] {
    switch command {
    case .cycleInsightSort:
        let all = InsightSort.allCases
        state.full.insightSort = all[(all.firstIndex(of: state.full.insightSort)! + 1) % all.count]
        state.full.insightCursor = 0
        state.full.insightTop = 0
        state.sortInsightRows()
    case .open, .openCallPrep:
        return viewCommand(&state, .openCallPrep)
    case .toggleInsight:
        state.closeView()
    default:
        return updateView(&state, .insight, command)
    }
    return []
}

/// Commands in the week view: it scrolls; `w` closes it.
private func updateWeek(_ state: inout AppState, _ command: Command) -> [Effect] {
    switch command {
    case .toggleWeek:
        state.closeView()
        return []
    default:
        return updateView(&state, .week, command)
    }
}

/// Commands in call prep: the checklist.
private func updateCallPrep(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard case .callPrep(let id)? = state.full.view else { return [] }
    switch command {
    case .toggleChecklistItem:
        return toggleChecklist(&state)
    case .openCallPrep:
        state.closeView()
    case .toggleInsight:
        state.openView(.insight)
    default:
        return updateView(&state, .callPrep(id), command)
    }
    return []
}

/// What both views do alike: move, leave, undo, help and the general keys. Pane
/// commands do nothing while a view is open.
private func updateView(_ state: inout AppState, _ view: FullView, _ command: Command) -> [Effect] {
    switch command {
    case .close, .cancel:
        state.closeView()
    case .focus(let pane):
        // `1` `2` `3` leave the view for that pane.
        state.full.stack = []
        state.refreshFullViews()
        state.focus = pane
    case .move(let n):
        moveInView(&state, view, by: n)
    case .page(let n):
        moveInView(&state, view, by: n * max(1, InsightLayout(content: state.layout.content).tableRows - 1))
    case .top:
        moveInView(&state, view, by: Int.min / 2)
    case .bottom:
        moveInView(&state, view, by: Int.max / 2)
    case .undo:
        return undo(&state)
    case .redo:
        return redo(&state)
    case .toggleHelp:
        state.overlays.append(.help(scroll: 0))
    case .redraw:
        return [.redraw]
    case .suspend:
        return [.suspend]
    case .quit:
        return [.quit]
    default:
        break
    }
    return []
}

/// The wheel moves the view's selection.
func viewMouse(_ state: inout AppState, _ ev: MouseEvent) {
    guard let view = state.full.view else { return }
    if ev.kind == .wheelUp { moveInView(&state, view, by: -3) }
    if ev.kind == .wheelDown { moveInView(&state, view, by: 3) }
}

private func moveInView(_ state: inout AppState, _ view: FullView, by n: Int) {
    switch view {
    case .insight:
        state.full.insightCursor = AppState.clamp(state.full.insightCursor.addingReportingOverflow(n).partialValue,
                                                  count: state.full.insightRows.count)
        state.clampInsightCursor()
    case .callPrep:
        state.full.checklistCursor = AppState.clamp(state.full.checklistCursor.addingReportingOverflow(n).partialValue,
                                                    count: CallPrepView.items(state.full.callPrep).count)
    case .week:
        let lines = WeekView.lines(state).count
        let rows = max(1, state.layout.content.height - 1)
        state.full.weekScroll = min(max(0, state.full.weekScroll.addingReportingOverflow(n).partialValue), max(0, lines - rows))
    }
}

/// Ticks (or unticks) the selected checklist item: field-level on the recruiter, or on
/// the opportunity for its items (`Workflows.tick`), flipped from what the store holds.
func toggleChecklist(_ state: inout AppState) -> [Effect] {
    let items = CallPrepView.items(state.full.callPrep)
    guard let prep = state.full.callPrep, items.indices.contains(state.full.checklistCursor) else { return [] }
    if state.readOnly {
        state.statusMessage = StatusMessage("Read-only: changes are disabled.", isError: true)
        return []
    }
    let item = items[state.full.checklistCursor].item
    guard let r = state.db.recruiter(prep.recruiter.id) else { return [] }
    let intent = Intent.toggleChecklist(item, recruiter: r.id, opportunity: prep.opportunity?.id)
    switch item.scope {
    case .recruiter:
        let done = !r.checklist.isDone(item)
        return commit(&state, intent, label: "\(item.rawValue) \(done ? "ticked" : "unticked") for \(r.name)")
    case .opportunity:
        guard let oid = prep.opportunity?.id, let o = state.db.opportunities[oid] else {
            state.statusMessage = StatusMessage("No opportunity to tick this for (log an interview first).", isError: true)
            return []
        }
        let done = !o.checklist.isDone(item)
        return commit(&state, intent, label: "\(item.rawValue) \(done ? "ticked" : "unticked") for \(o.role)")
    }
}

enum FullViews {
    static func draw(_ buf: inout CellBuffer, _ state: AppState, in r: Rect) {
        switch state.full.view {
        case .insight: InsightView.draw(&buf, state, in: r)
        case .callPrep: CallPrepView.draw(&buf, state, in: r)
        case .week: WeekView.draw(&buf, state, in: r)
        case nil: break
        }
    }
}
