import Foundation
import RapportCore
import RapportText

/// The one place state changes: applies `input` to `state` and returns what the
/// outside world must do. Pure apart from `state`: no I/O, no clock, no terminal.
///
/// Events are handled here, once, whatever is on screen. A command goes to the handler
/// of the current key mode (`ModeTable`), and only there.
public func update(_ state: inout AppState, _ input: Input) -> [Effect] {
    switch input {
    case .event(let event):
        return handle(&state, event)
    case .command(let command):
        // A key was pressed: the last confirmation has been read.
        if command.clearsStatus { state.statusMessage = nil }
        return ModeTable.of(state.keyMode).handle(&state, command)
    }
}

public func update(_ state: inout AppState, _ command: Command) -> [Effect] { update(&state, .command(command)) }

public func update(_ state: inout AppState, _ event: Event) -> [Effect] { update(&state, .event(event)) }

private func handle(_ state: inout AppState, _ event: Event) -> [Effect] {
    switch event {
    case .tick(let now):
        state.setNow(now)
        return saveDraftIfChanged(&state) + autoSync(&state)
    case .reload(let db, let notices, let readOnly):
        // New notices are added; the template and name notices from start-up, and the
        // dismissal of older ones (Esc), stay as they are.
        state.notices += notices.filter { !state.notices.contains($0) }
        state.readOnly = readOnly
        let before = state.selectedRecruiterID
        state.replaceData(db)
        // Never lose the selection silently: say why it moved.
        if let b = before, state.selectedRecruiterID != b, let f = state.filter, let name = db.recruiter(b)?.name {
            let note: String
            if case .flag(let flag) = f { note = "\(name) is no longer flagged \(flag.rawValue)" } else { note = "\(name) left the list (\(f.name))" }
            state.statusMessage = StatusMessage(state.statusMessage.map { $0.text + " · " + note } ?? note,
                                                isError: state.statusMessage?.isError ?? false)
        }
    case .resize(let w, let h):
        // Every cursor is clamped to the new size, also those of a view under an overlay.
        state.setSize(width: w, height: h)
        state.clampCursors()
        state.clampInsightCursor()
        state.clampReview()
        return [.redraw]
    case .mouse(let ev):
        return mouse(&state, ev)
    case .paste(let text):
        pasteIntoField(&state, text)
    case .failed(let message):
        state.statusMessage = StatusMessage(message, isError: true)
    case .applied:
        // The store's undo history has the change and its inverse; a draft just sent
        // loses its saved copy now that the store has its message.
        return sentDraftStored(&state)
    case .saveFailed(let message):
        state.statusMessage = StatusMessage("Not saved: \(message)", isError: true)
        // A draft whose message was refused stays saved beside the store.
        state.sentDraft = nil
    case .replayed(let back, let label):
        replayed(&state, back: back, label: label)
    case .replayRefused(let message):
        state.statusMessage = StatusMessage(message, isError: true)
    case .draftEdited(let text):
        return draftEdited(&state, text)
    case .editorFailed(let why):
        return editorFailed(&state, why)
    case .wordAdded(let word, let added):
        wordAdded(&state, word, added: added)
    case .spellChecked(let result):
        spellChecked(&state, result)
    case .synced(let outcome):
        synced(&state, outcome)
    case .syncSummary(let summary):
        state.sync = summary
    }
    return []
}

/// The mouse acts on what is on top: help, a menu, a view, else the panes.
private func mouse(_ state: inout AppState, _ ev: MouseEvent) -> [Effect] {
    switch state.keyMode {
    case .help: helpMouse(&state, ev)
    case .menu: return menuMouse(&state, ev)
    case .insight, .callPrep, .week: viewMouse(&state, ev)
    case .panes: panesMouse(&state, ev)
    case .review: reviewMouse(&state, ev)
    case .form, .formLines, .confirm, .search, .editor, .draft, .ask: break
    }
    return []
}

// MARK: - Panes

extension ModeTable {
    static let panes = ModeTable(.panes, [
        Binding([.char("j"), .down], .move(1), section: "Move", help: "down a row (Messages: newer)", hint: "move"),
        Binding([.char("k"), .up], .move(-1), section: "Move", help: "up a row (Messages: older)"),
    ] + Keymap.topBottom + Keymap.pages + [
        Binding([.tab], .nextPane, section: "Panes", help: "next pane", hint: "pane"),
        Binding([.backTab], .previousPane, section: "Panes", help: "previous pane"),
        Binding([.enter], .open, section: "Panes", help: "open a thread; jump to a deadline's recruiter", hint: "open"),
        Keymap.helpKey,
        Binding([.char("q")], .close, section: "General", help: "close the top overlay, or quit", hint: "quit"),
        Binding([.escape], .cancel, section: "General", help: "cancel: close the overlay, clear messages"),
    ] + Keymap.general + [
        Binding([.char("1")], .focus(.recruiters), section: "Panes", help: "jump to Recruiters"),
        Binding([.char("2")], .focus(.messages), section: "Panes", help: "jump to Messages"),
        Binding([.char("3")], .focus(.deadlines), section: "Panes", help: "jump to Deadlines"),

        Binding([.char("a")], .addRecruiter, section: "Recruiters", help: "add a recruiter (form)", hint: "add"),
        Binding([.char("e")], .editRecruiter, section: "Recruiters", help: "edit the selected recruiter"),
        Binding([.char("t")], .toggleTargeting, section: "Recruiters", help: "toggle targeted / blanket"),
        Binding([.char("D")], .toggleDoNotContact, section: "Recruiters", help: "toggle do-not-contact"),
        Binding([.char("d"), .delete], .delete, section: "Recruiters", help: "delete recruiter, message, follow-up (asks)"),
        Binding([.char("/")], .search, section: "Recruiters", help: "search names, firms, tags, message text", hint: "search"),
        Binding([.char("n")], .searchNext(1), section: "Recruiters", help: "next match"),
        Binding([.char("N")], .searchNext(-1), section: "Recruiters", help: "previous match"),
        Binding([.char("F")], .filterMenu, section: "Recruiters", help: "filter: a flag, your turn, blanket, declined"),
        Binding([.char("S")], .cycleSort, section: "Recruiters", help: "sort: urgency → name → last contact"),
        Binding([.char("M")], .reviewMail, section: "Recruiters", help: "review recruiters found in mail"),

        Binding([.char("l")], .logMessage, section: "Messages", help: "log a message (form)", hint: "log"),
        Binding([.char("r")], .markReplied, section: "Messages", help: "mark reply sent (logs an outbound now)", hint: "replied"),
        Binding([.char("R")], .writeReply, section: "Messages", help: "write a reply: template, $EDITOR, spelling", hint: "write"),
        Binding([.char("c")], .decline, section: "Messages", help: "courtesy decline (reason, re-engage date)"),
        Binding([.char("i")], .logInterview, section: "Messages", help: "log an interview (the thank-you falls due)"),
        Keymap.copyRow,

        Binding([.char("f")], .followUp, section: "Deadlines", help: "schedule a follow-up"),
        Binding([.char("x")], .markDone, section: "Deadlines", help: "mark the selected deadline done"),
        Binding([.char("s")], .snooze, section: "Deadlines", help: "snooze the selected deadline"),
        Binding([.char("X")], .dismiss, section: "Deadlines", help: "dismiss the selected deadline, with a reason"),
        Binding([.char("m")], .statusMenu, section: "Recruiters", help: "set the relationship status (form)"),

        Binding([.char("u")], .undo, section: "Undo", help: "undo this session's last change (many levels)", hint: "undo"),
        Binding([.ctrl("r")], .redo, section: "Undo", help: "redo"),

        Binding([.char("4")], .toggleInsight, section: "Views", help: "insight view: reply times, ally scores"),
        Binding([.char("w")], .toggleWeek, section: "Views", help: "week view: interviews, calls, deadlines"),
        Binding([.char("p")], .openCallPrep, section: "Views", help: "call prep: the selected recruiter's next call"),
        Binding([.char("A")], .toggleAllyOrder, section: "Views", help: "sort recruiters by ally score / by urgency"),
    ] + Keymap.syncRows, handle: updatePanes)
}

extension Keymap {
    static let copyRow = Binding([.char("y")], .copy, section: "Messages", help: "copy the message or draft (OSC 52)")
}

/// Commands on the three panes.
private func updatePanes(_ state: inout AppState, _ command: Command) -> [Effect] {
    switch command {
    case .move(let n):
        move(&state, by: n)
        if state.focus == .recruiters { sayFlags(&state) }
    case .page(let n):
        let rows = state.focus == .messages ? state.threadRows : state.layout.bodyRows(state.focus)
        move(&state, by: n * max(1, rows - 1))
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
    case .close, .quit:
        return [.quit]
    case .cancel:
        if state.statusMessage != nil {
            state.statusMessage = nil
        } else if state.filter != nil {
            // Esc clears the filter.
            state.filter = nil
            state.reorder()
            state.statusMessage = StatusMessage("Showing all recruiters")
        } else {
            state.notices = []
            state.clampCursors()
        }
    case .redraw:
        return [.redraw]
    case .suspend:
        return [.suspend]
    case .toggleInsight, .openCallPrep, .toggleAllyOrder, .toggleWeek:
        return viewCommand(&state, command)
    case .reviewMail:
        state.openMailReview()
    case .sync, .acknowledgeConflicts:
        return syncCommand(&state, command)
    default:
        return workflow(&state, command)
    }
    return []
}

// MARK: - Help

extension ModeTable {
    static let help = ModeTable(.help, [
        Binding([.char("j"), .down], .move(1), section: "Help", help: "scroll down", hint: "scroll"),
        Binding([.char("k"), .up], .move(-1), section: "Help", help: "scroll up"),
    ] + Keymap.topBottom + Keymap.pages + [
        Binding([.char("q"), .escape, .char("?")], .close, section: "Help", help: "close help", hint: "close"),
    ] + Keymap.general, handle: updateHelp)
}

/// Commands while the help overlay is on top: scrolling, closing, and the general keys.
private func updateHelp(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard case .help(let scroll) = state.overlays.last else { return [] }
    let count = HelpView.lineCount(state)
    let rows = max(1, state.layout.helpBox(lines: count).height - 2)
    let maxScroll = max(0, count - rows)
    func set(_ s: Int) { state.overlays[state.overlays.count - 1] = .help(scroll: min(max(0, s), maxScroll)) }
    switch command {
    case .move(let n): set(scroll + n)
    case .page(let n): set(scroll + n * max(1, rows - 1))
    case .top: set(0)
    case .bottom: set(maxScroll)
    case .toggleHelp, .close, .cancel: state.overlays.removeLast()
    case .redraw: return [.redraw]
    case .suspend: return [.suspend]
    case .quit: return [.quit]
    default: break
    }
    return []
}

private func helpMouse(_ state: inout AppState, _ ev: MouseEvent) {
    guard case .help(let scroll) = state.overlays.last else { return }
    let count = HelpView.lineCount(state)
    let box = state.layout.helpBox(lines: count)
    let maxScroll = max(0, count - max(1, box.height - 2))
    func set(_ s: Int) { state.overlays[state.overlays.count - 1] = .help(scroll: min(max(0, s), maxScroll)) }
    switch ev.kind {
    case .wheelUp: set(scroll - 3)
    case .wheelDown: set(scroll + 3)
    case .click, .doubleClick:
        if !box.contains(x: ev.x, y: ev.y) { state.overlays.removeLast() }
    }
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
            state.statusMessage = StatusMessage("\(state.db.recruiter(d.recruiterID)?.name ?? "That recruiter") is hidden by the filter (F)")
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

private func panesMouse(_ state: inout AppState, _ ev: MouseEvent) {
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

/// Selecting a recruiter with flags up says them in words in the status line, with why:
/// "non-responsive — 3 of their messages unanswered, the oldest 16 days".
func sayFlags(_ state: inout AppState) {
    guard let id = state.selectedRecruiterID, !state.statuses.flags(of: id).isEmpty else { return }
    let reasons = state.flagReasons(of: id)
    guard !reasons.isEmpty else { return }
    state.statusMessage = StatusMessage(reasons.map { "\($0.flag.rawValue) — \($0.why)" }.joined(separator: " · "))
}
