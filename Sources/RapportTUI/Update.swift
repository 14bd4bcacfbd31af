import Foundation
import RapportCore
import RapportText

/// The one place state changes: applies `action` to `state` and returns what the
/// outside world must do. Pure apart from `state`: no I/O, no clock, no terminal.
public func update(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch action {
    case .tick, .reload, .resize, .failed, .saveFailed, .replayRefused, .draftEdited, .spellChecked, .redraw, .cancel, .mouse,
         .toggleHelp, .close:
        break
    default:
        // A key was pressed: the last confirmation has been read.
        state.statusMessage = nil
    }
    if case .help = state.overlays.last, let effects = updateHelp(&state, action) { return effects }
    if let effects = updateOverlay(&state, action) { return effects }
    if state.overlays.isEmpty, state.full.view != nil, let effects = updateFullView(&state, action) { return effects }
    switch action {
    case .move(let n):
        move(&state, by: n)
    case .page(let n):
        move(&state, by: n * max(1, state.layout.bodyRows(state.focus) - 1))
    case .top:
        move(&state, by: Int.min / 2)
    case .bottom:
        move(&state, by: Int.max / 2)
    case .nextPane:
        state.focus = Pane(rawValue: (state.focus.rawValue + 1) % Pane.allCases.count)!
    case .previousPane:
        state.focus = Pane(rawValue: (state.focus.rawValue + Pane.allCases.count - 1) % Pane.allCases.count)!
    case .focus(let p):
        state.focus = p
    case .open:
        open(&state)
    case .toggleHelp:
        state.overlays.append(.help(scroll: 0))
    case .close:
        if state.overlays.isEmpty { return [.quit] }
        state.overlays.removeLast()
    case .cancel:
        if !state.overlays.isEmpty {
            state.overlays.removeLast()
        } else if state.statusMessage != nil {
            state.statusMessage = nil
        } else {
            state.notices = []
            state.clampCursors()
        }
    case .redraw:
        return [.redraw]
    case .suspend:
        return [.suspend]
    case .quit:
        return [.quit]
    case .resize(let w, let h):
        state.setSize(width: w, height: h)
        state.clampCursors()
        return [.redraw]
    case .tick(let now):
        state.setNow(now)
    case .reload(let db, let notices, let readOnly):
        // New notices are added; the template and name notices from start-up, and the
        // dismissal of older ones (Esc), stay as they are.
        state.notices += notices.filter { !state.notices.contains($0) }
        state.readOnly = readOnly
        let before = state.selectedRecruiterID
        state.replaceData(db)
        // Never lose the selection silently: say why it moved.
        if let b = before, state.selectedRecruiterID != b, let f = state.filter, let name = db.recruiters[b]?.name {
            let note = "\(name) is no longer flagged \(f.rawValue)"
            state.statusMessage = StatusMessage(state.statusMessage.map { $0.text + " · " + note } ?? note,
                                                isError: state.statusMessage?.isError ?? false)
        }
    case .mouse(let ev):
        mouse(&state, ev)
    case .failed(let message):
        state.statusMessage = StatusMessage(message, isError: true)
    case .toggleInsight, .openCallPrep, .toggleAllyOrder, .toggleChecklistItem, .cycleInsightSort:
        return viewAction(&state, action)
    case .saveFailed(let message):
        saveFailed(&state, message)
    case .replayRefused:
        replayRefused(&state)
    case .draftEdited, .spellChecked:
        return draftResult(&state, action)
    default:
        if let effects = workflow(&state, action) { return effects }
    }
    return []
}

/// Keys while the help overlay is on top. Returns nil for actions it does not take
/// (they fall through: resize, tick, reload, quit, …).
private func updateHelp(_ state: inout AppState, _ action: Action) -> [Effect]? {
    guard case .help(let scroll) = state.overlays.last else { return nil }
    let rows = max(1, state.layout.helpBox(lines: HelpView.lineCount).height - 2)
    let maxScroll = max(0, HelpView.lineCount - rows)
    func set(_ s: Int) { state.overlays[state.overlays.count - 1] = .help(scroll: min(max(0, s), maxScroll)) }
    switch action {
    case .move(let n): set(scroll + n)
    case .page(let n): set(scroll + n * max(1, rows - 1))
    case .top: set(0)
    case .bottom: set(maxScroll)
    case .toggleHelp, .close, .cancel: state.overlays.removeLast()
    case .mouse(let ev):
        switch ev.kind {
        case .wheelUp: set(scroll - 3)
        case .wheelDown: set(scroll + 3)
        case .click, .doubleClick:
            if !state.layout.helpBox(lines: HelpView.lineCount).contains(x: ev.x, y: ev.y) { state.overlays.removeLast() }
        }
    case .nextPane, .previousPane, .focus, .open: break
    default: return nil
    }
    return []
}

private func move(_ state: inout AppState, by n: Int) {
    let l = state.layout
    switch state.focus {
    case .recruiters:
        let before = state.recruiterCursor
        state.recruiterCursor = AppState.clamp(before.addingReportingOverflow(n).partialValue, count: state.order.count)
        if state.recruiterCursor != before { state.threadScroll = 0 }
        state.recruiterTop = AppState.scrolled(top: state.recruiterTop, cursor: state.recruiterCursor,
                                               rows: l.bodyRows(.recruiters), count: state.order.count)
    case .messages:
        // Down (positive) goes toward the newest message at the bottom.
        let target = Int(clamping: Int64(state.threadScroll) - Int64(n))
        state.threadScroll = min(max(0, target), state.maxThreadScroll)
    case .deadlines:
        state.deadlineCursor = AppState.clamp(state.deadlineCursor.addingReportingOverflow(n).partialValue, count: state.deadlines.count)
        state.deadlineTop = AppState.scrolled(top: state.deadlineTop, cursor: state.deadlineCursor,
                                              rows: l.bodyRows(.deadlines), count: state.deadlines.count)
    }
}

private func open(_ state: inout AppState) {
    switch state.focus {
    case .recruiters:
        guard state.selectedRecruiterID != nil else { return }
        state.focus = .messages
        state.threadScroll = 0
    case .messages:
        break
    case .deadlines:
        guard let d = state.selectedDeadline else { return }
        guard let i = state.order.firstIndex(of: d.recruiterID) else {
            state.statusMessage = StatusMessage("\(state.db.recruiters[d.recruiterID]?.name ?? "That recruiter") is hidden by the filter (F)")
            return
        }
        state.recruiterCursor = i
        state.threadScroll = 0
        state.focus = .messages
        state.clampCursors()
        // Scroll so the deadline's message is the newest in view (the selected one).
        if let mid = d.messageID {
            let lines = state.threadLines
            if let lastLine = lines.lastIndex(where: { $0.messageID == mid }) {
                state.threadScroll = min(lines.count - 1 - lastLine, state.maxThreadScroll)
            }
        }
    }
}

private func mouse(_ state: inout AppState, _ ev: MouseEvent) {
    let l = state.layout
    guard !l.tooSmall, let pane = l.pane(atX: ev.x, y: ev.y) else { return }
    let rect = l.rect(of: pane)
    switch ev.kind {
    case .wheelUp, .wheelDown:
        // The wheel scrolls the pane under the pointer, wherever the focus is.
        let focus = state.focus
        state.focus = pane
        move(&state, by: ev.kind == .wheelUp ? -3 : 3)
        state.focus = focus
    case .click, .doubleClick:
        state.focus = pane
        let row = ev.y - rect.y - 1
        if row >= 0 {
            switch pane {
            case .recruiters:
                let i = state.recruiterTop + row
                if i < state.order.count {
                    if i != state.recruiterCursor { state.threadScroll = 0 }
                    state.recruiterCursor = i
                }
            case .deadlines:
                let i = state.deadlineTop + row
                if i < state.deadlines.count { state.deadlineCursor = i }
            case .messages:
                break
            }
        }
        if case .doubleClick = ev.kind { open(&state) }
    }
}
