import Foundation
import RapportCore
import RapportText

// The workflows: every data change goes out as `.persist(intent)` through `commit`;
// `u` and Ctrl-R go out as `.undo` / `.redo`, which the store decides from its own undo
// history. Pure, like `update`.

extension AppState {
    var selectedRecruiter: Recruiter? { selectedRecruiterID.flatMap { db.recruiter($0) } }
}

/// Asks the loop to store the intent (first checked on the data on screen, so a change
/// that no longer applies is refused at once). The store builds the change again on its
/// own data under its lock and records it, with its inverse, in its undo history under
/// this session's origin. The status bar confirms it.
func commit(_ state: inout AppState, _ intent: Intent, label: String) -> [Effect] {
    guard !state.readOnly else {
        state.statusMessage = StatusMessage("Read-only store: nothing was changed", isError: true)
        return []
    }
    do {
        let change = try intent.change(in: state.db, now: state.now)
        _ = try state.db.inverse(of: change)  // checks the change applies
    } catch {
        state.statusMessage = StatusMessage("Not saved: \(error)", isError: true)
        return []
    }
    state.statusMessage = StatusMessage(label + " · u undo")
    return [.persist(intent, label: label)]
}

/// `u`: the store takes back this session's latest step (the same undo history and the
/// same check as `rapport undo`, never a command's, an import's or another session's).
func undo(_ state: inout AppState) -> [Effect] { replay(&state, .undo) }

/// Ctrl-R: the store puts back the step this session undid last.
func redo(_ state: inout AppState) -> [Effect] { replay(&state, .redo) }

private func replay(_ state: inout AppState, _ effect: Effect) -> [Effect] {
    guard !state.readOnly else {
        state.statusMessage = StatusMessage("Read-only store: nothing was changed", isError: true)
        return []
    }
    return [effect]
}

/// The store's answer to `u` or Ctrl-R, for the status line.
func replayed(_ state: inout AppState, back: Bool, label: String?) {
    switch (back, label) {
    case (true, let label?): state.statusMessage = StatusMessage("Undone: \(label) · Ctrl-R redo")
    case (false, let label?): state.statusMessage = StatusMessage("Redone: \(label) · u undo")
    // Steps of an earlier session stay in the store's history: `rapport undo ID` takes them back.
    case (true, nil): state.statusMessage = StatusMessage("Nothing to undo in this session · rapport undo --list shows older steps")
    case (false, nil): state.statusMessage = StatusMessage("Nothing to redo")
    }
}

/// Commands on the panes that start a workflow or act on the selection.
func workflow(_ state: inout AppState, _ command: Command) -> [Effect] {
    func needRecruiter() -> Recruiter? {
        if let r = state.selectedRecruiter { return r }
        state.statusMessage = StatusMessage("Select a recruiter first (a adds one)", isError: true)
        return nil
    }
    switch command {
    case .addRecruiter:
        state.overlays.append(.form(Forms.recruiter(nil)))
    case .editRecruiter:
        guard let r = needRecruiter() else { return [] }
        state.overlays.append(.form(Forms.recruiter(r)))
    case .logMessage:
        guard let r = needRecruiter() else { return [] }
        state.overlays.append(.form(Forms.logMessage(r, in: state.db)))
    case .markReplied:
        guard let r = needRecruiter() else { return [] }
        return commit(&state, .reply(recruiter: r.id, subject: nil, body: nil), label: "Reply to \(r.name) logged")
    case .writeReply:
        guard let r = needRecruiter() else { return [] }
        if let saved = state.savedDrafts[r.id] {
            askResume(&state, r, saved, purpose: .reply)
        } else {
            openTemplateMenu(&state, r)
        }
    case .decline:
        guard let r = needRecruiter() else { return [] }
        state.overlays.append(.form(Forms.decline(r)))
    case .logInterview:
        guard let r = needRecruiter() else { return [] }
        state.overlays.append(.form(Forms.interview(r, in: state.db)))
    case .followUp:
        guard let r = needRecruiter() else { return [] }
        state.overlays.append(.form(Forms.followUp(r)))
    case .toggleTargeting:
        guard let r = needRecruiter() else { return [] }
        let to = r.targeting == .targeted ? "blanket" : "targeted"
        return commit(&state, .toggleTargeting(r.id), label: "\(r.name) is now \(to)")
    case .toggleDoNotContact:
        guard let r = needRecruiter() else { return [] }
        let label = r.status == .doNotContact ? "\(r.name) may be contacted again" : "\(r.name) marked do-not-contact"
        return commit(&state, .toggleDoNotContact(r.id), label: label)
    case .markDone:
        guard let d = deadlineForCommand(&state) else { return [] }
        guard Workflows.done(d, in: state.db, now: state.now) != nil else {
            state.statusMessage = StatusMessage("Nothing to mark done for \"\(d.title)\"", isError: true)
            return []
        }
        return commit(&state, .done(d), label: "Done: \(d.title)")
    case .snooze:
        guard let d = deadlineForCommand(&state) else { return [] }
        if let id = d.followUpID, let f = state.db.followUps[id] {
            state.overlays.append(.form(Forms.snooze(f, name: state.db.recruiter(f.recruiterID)?.name ?? "?")))
        } else {
            state.overlays.append(.form(Forms.snooze(d)))
        }
    case .dismiss:
        guard let d = deadlineForCommand(&state) else { return [] }
        state.overlays.append(.form(Forms.dismiss(d)))
    case .statusMenu:
        guard let r = needRecruiter() else { return [] }
        state.overlays.append(.form(Forms.status(r)))
    case .delete:
        askDelete(&state)
    case .undo:
        return undo(&state)
    case .redo:
        return redo(&state)
    case .search:
        state.overlays.append(.search(Search(origin: state.recruiterCursor)))
        state.focus = .recruiters
    case .searchNext(let step):
        guard let q = state.lastSearch, !q.isEmpty else {
            state.statusMessage = StatusMessage("No search yet: / searches")
            return []
        }
        if let i = findMatch(state, q, from: state.recruiterCursor + step, step: step) {
            state.recruiterCursor = i
            state.threadScroll = 0
            state.focus = .recruiters
            state.clampCursors()
        } else {
            state.statusMessage = StatusMessage("No match for '\(q)'")
        }
    case .filterMenu:
        var items = ["all recruiters"]
        for f in RecruiterFilter.menu {
            let n = state.admittedCount(f)
            items.append("\(f.menuLabel) (\(n))")
        }
        var m = Menu(title: "Show only recruiters", items: items, purpose: .filter)
        m.cursor = state.filter.flatMap { RecruiterFilter.menu.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
        state.overlays.append(.menu(m))
    case .cycleSort:
        let all = SortMode.allCases
        state.sort = all[(all.firstIndex(of: state.sort)! + 1) % all.count]
        state.reorder()
        state.statusMessage = StatusMessage("Sorted by \(state.sort.rawValue)")
    case .copy:
        guard let id = state.selectedMessageID, let m = state.db.message(id) else {
            state.statusMessage = StatusMessage("No message to copy", isError: true)
            return []
        }
        state.statusMessage = StatusMessage("Message copied to the clipboard")
        return [.copyToClipboard(m.body ?? m.subject ?? "")]
    default:
        break
    }
    return []
}

/// The deadline `x`, `s` and `X` act on: the selected one in the Deadlines pane, else the
/// selected recruiter's most urgent.
private func deadlineForCommand(_ state: inout AppState) -> Deadline? {
    if state.focus == .deadlines, let d = state.selectedDeadline { return d }
    if let id = state.selectedRecruiterID,
       let i = state.deadlines.indices.first(where: { state.deadlines.recruiterID(at: $0) == id }) { return state.deadlines[i] }
    state.statusMessage = StatusMessage("No deadline selected (3 goes to Deadlines)", isError: true)
    return nil
}

private func askDelete(_ state: inout AppState) {
    switch state.focus {
    case .messages:
        if let id = state.selectedMessageID, let m = state.db.message(id) {
            let r = state.db.recruiter(m.recruiterID)
            let who = r?.name ?? "?"
            let what = (m.direction == .inbound ? "message from " : "message to ") + who
            state.overlays.append(.confirm(Confirm(question: "Delete the \(what) of \(Format.stamp(m.at, now: state.now, timeZone: state.timeZone))?",
                                                   change: .removeMessage(id), label: "Deleted the \(what)",
                                                   detail: r.map(Format.identity) ?? "")))
            return
        }
    case .deadlines:
        // Only the selected follow-up: never the recruiter selected in the other pane.
        guard let d = state.selectedDeadline else {
            state.statusMessage = StatusMessage("No deadline selected to delete", isError: true)
            return
        }
        guard let id = d.followUpID else {
            state.statusMessage = StatusMessage("Only follow-ups can be deleted here; x marks a deadline done", isError: true)
            return
        }
        let r = state.db.recruiter(d.recruiterID)
        state.overlays.append(.confirm(Confirm(question: "Delete the follow-up \"\(d.title)\"?",
                                               change: .removeFollowUp(id), label: "Deleted the follow-up \"\(d.title)\"",
                                               detail: r.map { $0.name + " · " + Format.identity($0) } ?? "")))
        return
    case .recruiters:
        break
    }
    guard let r = state.selectedRecruiter else {
        state.statusMessage = StatusMessage("Nothing selected to delete", isError: true)
        return
    }
    let n = state.db.thread(r.id).count
    let firm = r.firm.flatMap { $0.isEmpty ? nil : " (\($0))" } ?? ""
    state.overlays.append(.confirm(Confirm(
        question: "Delete \(r.name)\(n > 0 ? " and \(n) message\(n == 1 ? "" : "s")" : "")?",
        change: .removeRecruiter(r.id), label: "Deleted \(r.name)\(firm)", detail: Format.identity(r))))
}

// MARK: - Search

/// The first position from `start` going `step` (wrapping once, or looking at `limit`
/// positions) whose recruiter matches the query: name, firm, tags, notes, message subjects
/// and bodies, case and diacritics ignored (`SearchText`; each recruiter's text is folded
/// once and kept in the state's `searchIndex`). Nil when none does.
func findMatch(_ state: AppState, _ q: String, from start: Int, step: Int) -> Int? {
    findMatch(state, needle: SearchText.folded(q), from: start, step: step)
}

/// Whether recruiter `id` matches the query, as `findMatch` decides it.
func matches(_ state: AppState, _ id: UUID, _ q: String) -> Bool {
    let needle = SearchText.folded(q)
    return !needle.isEmpty && !needle.contains(0) && state.searchIndex.matches(id, needle, in: state.db)
}

func findMatch(_ state: AppState, needle: [UInt8], from start: Int, step: Int, limit: Int? = nil) -> Int? {
    let n = state.order.count
    guard n > 0, !needle.isEmpty, !needle.contains(0) else { return nil }
    for k in 0..<min(n, limit ?? n) {
        let i = ((start + k * (step < 0 ? -1 : 1)) % n + n) % n
        if state.searchIndex.matches(state.order[i], needle, in: state.db) { return i }
    }
    return nil
}

// MARK: - Overlays
// Each overlay's key mode: its table, then its handler.

extension ModeTable {
    static let form = ModeTable(.form, [
        Binding([.enter], .submit, section: "Forms and text", help: "save", hint: "save"),
        Keymap.cancelRow,
        Binding([.tab, .down], .nextField, section: "Forms and text", help: "next field; completes a time zone", hint: "next"),
        Binding([.backTab, .up], .previousField, section: "Forms and text", help: "previous field"),
        Keymap.saveFormRow,
    ] + Keymap.textRows, handle: updateForm)

    /// The focused field holds several lines (`FieldKind.lines`): Enter and ↑/↓ are the
    /// field's; Ctrl-S saves the form, Tab and Shift-Tab leave the field.
    static let formLines = ModeTable(.formLines, [
        { var b = Keymap.saveFormRow; b.hint = "save"; return b }(),
        Binding([.enter], .input(.enter), section: "Forms and text", help: "field of several lines: a new line", hint: "new line"),
        Keymap.cancelRow,
        Binding([.tab], .nextField, section: "Forms and text", help: "field of several lines: leave it (next field)", hint: "leave"),
        Binding([.backTab], .previousField, section: "Forms and text", help: "field of several lines: previous field"),
        Binding([.up], .input(.up), section: "Forms and text", help: "field of several lines: up a line"),
        Binding([.down], .input(.down), section: "Forms and text", help: "field of several lines: down a line"),
    ] + Keymap.textRows, handle: updateForm)
}

extension Keymap {
    /// Ctrl-S saves a form from any field (Enter does too, but not in a field of several lines).
    static let saveFormRow = Binding([.ctrl("s")], .submit, section: "Forms and text", help: "save the form (from any field)")
}

private func updateForm(_ state: inout AppState, _ command: Command) -> [Effect] {
    if case .input(let key) = command, typeIntoForm(&state, key) { return [] }
    guard case .form(var f) = state.overlays.last else { return [] }
    let last = state.overlays.count - 1
    switch command {
    case .cancel:
        state.overlays.removeLast()
        state.statusMessage = StatusMessage("Cancelled: nothing changed")
    case .nextField:
        if !f.complete() { f.move(1) }
        state.overlays[last] = .form(f)
    case .previousField:
        f.move(-1)
        state.overlays[last] = .form(f)
    case .submit:
        return submit(&state, f)
    default:
        break
    }
    return []
}

private func submit(_ state: inout AppState, _ f: Form) -> [Effect] {
    let last = state.overlays.count - 1
    switch Forms.submit(f, db: state.db, now: state.now, timeZone: state.timeZone) {
    case .invalid(let checked):
        state.overlays[last] = .form(checked)
    case .nothing(let why):
        state.overlays.removeLast()
        state.statusMessage = StatusMessage(why)
    case .change(let intent, let label):
        state.overlays.removeLast()
        if case .change(.putRecruiter(let r)) = intent, case .addRecruiter = f.purpose {
            let effects = commit(&state, intent, label: label)
            state.pendingSelection = r.id
            return effects
        }
        return commit(&state, intent, label: label)
    case .declineDraft(let id, let reason, let reengage):
        state.overlays.removeLast()
        if let saved = state.savedDrafts[id], let r = state.db.recruiter(id) {
            askResume(&state, r, saved, purpose: .decline(reason: reason, reengage: reengage))
            return []
        }
        return startDraft(&state, recruiterID: id, purpose: .decline(reason: reason, reengage: reengage),
                          template: state.templates.first { $0.name == "decline" }, extra: ["reason": reason ?? ""])
    }
    return []
}

extension ModeTable {
    static let confirm = ModeTable(.confirm, [
        Keymap.cancelRow,
        Binding([.char("y"), .enter], .submit, section: "Confirm", help: "yes", hint: "yes"),
        Binding([.char("n")], .cancel, section: "Confirm", help: "no", hint: "no"),
    ], handle: updateConfirm)
}

private func updateConfirm(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard case .confirm(let c) = state.overlays.last else { return [] }
    switch command {
    case .cancel:
        state.overlays.removeLast()
        state.statusMessage = StatusMessage("Not deleted")
    case .submit:
        state.overlays.removeLast()
        return commit(&state, .change(c.change), label: c.label)
    default:
        break
    }
    return []
}

extension ModeTable {
    static let menu = ModeTable(.menu, [
        Keymap.cancelRow,
        Binding([.char("j"), .down], .move(1), section: "Menu", help: "down", hint: "move"),
        Binding([.char("k"), .up], .move(-1), section: "Menu", help: "up"),
    ] + Keymap.topBottom + Keymap.pages + [
        Binding([.enter], .submit, section: "Menu", help: "choose", hint: "choose"),
        Keymap.closeMenuRow,
    ], handle: updateMenu)
}

extension Keymap {
    static let closeMenuRow = Binding([.char("q")], .cancel, section: "Menu", help: "close")
}

private func updateMenu(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard case .menu(var m) = state.overlays.last else { return [] }
    switch command {
    case .cancel:
        state.overlays.removeLast()
    case .move(let n):
        m.cursor = AppState.clamp(m.cursor + n, count: m.items.count)
        state.overlays[state.overlays.count - 1] = .menu(m)
    case .page(let n):
        m.cursor = AppState.clamp(m.cursor + n * max(1, MenuView.box(state, m).height - 4), count: m.items.count)
        state.overlays[state.overlays.count - 1] = .menu(m)
    case .top, .bottom:
        m.cursor = command == .top ? 0 : max(0, m.items.count - 1)
        state.overlays[state.overlays.count - 1] = .menu(m)
    case .submit:
        state.overlays.removeLast()
        return pick(&state, m)
    default:
        break
    }
    return []
}

/// The wheel moves, a click selects, a double-click chooses.
func menuMouse(_ state: inout AppState, _ ev: MouseEvent) -> [Effect] {
    guard case .menu(var m) = state.overlays.last else { return [] }
    switch ev.kind {
    case .wheelUp: m.cursor = AppState.clamp(m.cursor - 1, count: m.items.count)
    case .wheelDown: m.cursor = AppState.clamp(m.cursor + 1, count: m.items.count)
    case .click, .doubleClick:
        guard let i = MenuView.item(state, m, x: ev.x, y: ev.y) else { break }
        m.cursor = i
        if case .doubleClick = ev.kind {
            state.overlays.removeLast()
            return pick(&state, m)
        }
    }
    state.overlays[state.overlays.count - 1] = .menu(m)
    return []
}

extension ModeTable {
    static let search = ModeTable(.search, [Keymap.cancelRow] + Keymap.textRows + [
        Binding([.enter], .submit, section: "Search", help: "keep the match", hint: "keep"),
    ], handle: updateSearch)
}

private func updateSearch(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard case .search(var s) = state.overlays.last else { return [] }
    switch command {
    case .cancel:
        state.overlays.removeLast()
        state.recruiterCursor = s.origin
        state.clampCursors()
    case .input(let key):
        s.field.handle(key)
        searchTyped(&state, s)
    case .submit:
        state.overlays.removeLast()
        let q = s.field.text
        state.lastSearch = q.isEmpty ? state.lastSearch : q
        if s.miss { state.statusMessage = StatusMessage("No match for '\(q)'; the selection did not move") }
        else if !q.isEmpty { state.statusMessage = StatusMessage("'\(q)' · n next, N previous") }
    default:
        break
    }
    return []
}

/// The query changed: select the first match from where the search started.
func searchTyped(_ state: inout AppState, _ edited: Search) {
    var s = edited
    let q = s.field.text
    let needle = SearchText.folded(q)
    // A query that only adds to the last one matches nobody the last one did not: the
    // search goes on from the last match (or, after a miss, is a miss again) instead of
    // looking through everyone from the origin again. The same result, fewer recruiters.
    let n = state.order.count
    var start = s.origin, limit = n
    var known = false
    if s.generation == state.generation, !s.searched.isEmpty, needle.starts(with: s.searched) {
        if let f = s.found {
            start = f
            limit = n - ((f - s.origin) % max(1, n) + n) % max(1, n)
        } else {
            known = true
        }
    }
    let found = known ? nil : findMatch(state, needle: needle, from: start, step: 1, limit: limit)
    s.searched = needle
    s.found = found
    s.generation = state.generation
    if let i = found {
        state.recruiterCursor = i
        s.miss = false
    } else {
        // No match: the selection stays where it was, and the prompt says so.
        state.recruiterCursor = s.origin
        s.miss = !q.isEmpty
    }
    state.threadScroll = 0
    state.clampCursors()
    state.overlays[state.overlays.count - 1] = .search(s)
}

extension ModeTable {
    static let editor = ModeTable(.editor, [Keymap.cancelRow] + Keymap.textRows + [
        Binding([.ctrl("s")], .submit, section: "Forms and text", help: "inline editor: done (Enter is a new line)", hint: "done"),
    ], handle: updateEditor)
}

private func updateEditor(_ state: inout AppState, _ command: Command) -> [Effect] {
    if case .input(let key) = command, typeIntoForm(&state, key) { return [] }
    guard case .editor(let t) = state.overlays.last else { return [] }
    switch command {
    case .cancel:
        return closeDraft(&state)
    case .submit:
        state.overlays.removeLast()
        return draftText(&state, t.text)
    default:
        break
    }
    return []
}

extension ModeTable {
    static let draft = ModeTable(.draft, [
        Keymap.copyRow,
        Keymap.cancelRow,
        Keymap.closeMenuRow,
        Binding([.enter], .submit, section: "Draft", help: "copy to the clipboard and log as sent", hint: "copy & log"),
        Binding([.char("e")], .editDraft, section: "Draft", help: "edit the draft again", hint: "edit"),
        Binding([.char("j"), .down], .move(1), section: "Draft", help: "select the next misspelt word"),
        Binding([.char("k"), .up], .move(-1), section: "Draft", help: "select the previous misspelt word"),
        Binding([.char("a")], .addWord, section: "Draft", help: "add the selected word to your dictionary", hint: "add word"),
    ], handle: updateDraft)
}

private func updateDraft(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard case .review(var d) = state.overlays.last else { return [] }
    switch command {
    case .cancel:
        return closeDraft(&state)
    case .move(let n):
        d.spellCursor = AppState.clamp(d.spellCursor + n, count: d.misspellings.count)
        state.overlays[state.overlays.count - 1] = .review(d)
    case .addWord:
        let found = d.misspellings
        guard found.indices.contains(d.spellCursor) else {
            state.statusMessage = StatusMessage("No misspelt word to add")
            return []
        }
        return [.addToDictionary(found[d.spellCursor].word)]
    case .editDraft:
        return [.editExternally(d.text)]
    case .copy:
        let text = state.lastDraft ?? d.parts.body
        state.statusMessage = StatusMessage("Draft copied to the clipboard")
        return [.copyToClipboard(text)]
    case .submit:
        return send(&state, d)
    default:
        break
    }
    return []
}

/// Typing into a form or the inline editor. The overlay is taken off the stack and
/// its old value dropped before the field is edited, so the text is not copied on
/// every key (a paste of thousands of characters stays linear).
private func typeIntoForm(_ state: inout AppState, _ key: Key) -> Bool {
    guard var top = state.overlays.popLast() else { return false }
    if case .form(var f) = top {
        top = .help(scroll: 0)
        f.input(key)
        state.overlays.append(.form(f))
        return true
    }
    if case .editor(var t) = top {
        top = .help(scroll: 0)
        t.handle(key)
        state.overlays.append(.editor(t))
        return true
    }
    state.overlays.append(top)
    return false
}

/// A menu item was chosen.
private func pick(_ state: inout AppState, _ m: Menu) -> [Effect] {
    switch m.purpose {
    case .filter:
        let filter = m.cursor == 0 ? nil : RecruiterFilter.menu[m.cursor - 1]
        let before = state.selectedRecruiterID
        if let f = filter, state.admittedCount(f, atMost: 1) == 0 {
            state.statusMessage = StatusMessage("No recruiter is \(f.name); the filter is unchanged")
            return []
        }
        state.filter = filter
        state.reorder()
        var text = filter.map { "Showing \(state.order.count) \($0.name) · F changes, Esc shows all" } ?? "Showing all recruiters"
        if let b = before, state.selectedRecruiterID != b, let name = state.db.recruiter(b)?.name {
            text += " · \(name) is not in the list"
        }
        state.statusMessage = StatusMessage(text)
    case .template(let id):
        let template = m.cursor == 0 || m.cursor > state.templates.count ? nil : state.templates[m.cursor - 1]
        return startDraft(&state, recruiterID: id, purpose: .reply, template: template, extra: [:])
    }
    return []
}

/// Opens the draft review with the template filled in (or the saved draft resumed) and
/// hands the text to the editor.
func startDraft(_ state: inout AppState, recruiterID: UUID, purpose: Draft.Purpose, template: MessageTemplate?,
                extra: [String: String], resume: SavedDraft? = nil) -> [Effect] {
    guard let r = state.db.recruiter(recruiterID) else { return [] }
    var text: String
    var reengage: Date?
    if case .decline(_, let date) = purpose { reengage = date }
    if let resume {
        text = resume.text
    } else if let t = template {
        let values = Templates.values(for: r, in: state.db, now: state.now, myName: state.myName,
                                      reengage: reengage, timeZone: state.timeZone, extra: extra)
        let filled = Templates.fill(t, values: values)
        text = (filled.subject.map { "Subject: \($0)\n\n" } ?? "") + filled.body
    } else {
        let subject = Workflows.replySubject(Workflows.lastInbound(r.id, in: state.db)) ?? ""
        text = "Subject: \(subject)\n\n"
    }
    if case .decline(let reason, let reengage) = purpose, template == nil, resume == nil {
        text = "Subject: \(Workflows.declineSubject)\n\n" + Workflows.declineBody(recruiter: r, reason: reason, reengage: reengage != nil)
    }
    let warning = SendTime.check(r, now: state.now, policy: state.policy)?.warning(name: r.name, yourZone: state.timeZone)
    state.overlays.append(.review(Draft(recruiterID: recruiterID, purpose: purpose, text: text, sendWarning: warning,
                                       lastSaved: resume?.text)))
    state.lastDraft = text
    return [.editExternally(text)]
}

/// New text for the draft under review (from `$EDITOR` or the inline editor): spell-check it.
private func draftText(_ state: inout AppState, _ text: String) -> [Effect] {
    guard case .review(var d) = state.overlays.last else { return [] }
    d.text = text
    d.spelling = nil
    state.overlays[state.overlays.count - 1] = .review(d)
    state.lastDraft = d.parts.body
    var names: [String] = []
    if let r = state.db.recruiter(d.recruiterID) {
        names = r.name.split(separator: " ").map(String.init) + (r.firm.map { [$0] } ?? [])
    }
    if let me = state.myName { names += me.split(separator: " ").map(String.init) }
    // A new text from $EDITOR is saved at once (typing in the inline editor waits for the tick).
    return saveDraftIfChanged(&state) + [.spellCheck(d.parts.body, ignoring: names)]
}

/// The external editor finished: check the new text, or open the inline editor when
/// there was no editor (or it failed).
func draftEdited(_ state: inout AppState, _ text: String?) -> [Effect] {
    if let text { return draftText(&state, text) }
    if case .review(let d) = state.overlays.last {
        state.overlays.append(.editor(TextField(d.text, multiline: true)))
    }
    return []
}

/// The spell checker answered for the draft on top.
func spellChecked(_ state: inout AppState, _ result: SpellResult) {
    if case .review(var d) = state.overlays.last {
        d.spelling = result
        state.overlays[state.overlays.count - 1] = .review(d)
    }
}

/// Enter on the draft: copy it and log it as sent (one undoable change). An empty body
/// asks first. Its saved copy is removed once the store has the message.
func send(_ state: inout AppState, _ d: Draft, emptyConfirmed: Bool = false) -> [Effect] {
    guard d.problems.isEmpty else {
        state.statusMessage = StatusMessage("Not sent: \(d.problems.joined(separator: ", ")) · e edits", isError: true)
        return []
    }
    guard let r = state.db.recruiter(d.recruiterID) else { return [] }
    let (subject, body) = d.parts
    if !emptyConfirmed, body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        state.overlays.append(.ask(Question(
            purpose: .sendEmpty, text: "The draft to \(r.name) has no text. Log it as sent anyway?",
            choices: [Question.Choice(key: "y", label: "log it as sent"), Question.Choice(key: "n", label: "back to the draft")],
            escape: "back to the draft")))
        return []
    }
    let saving = saveDraftIfChanged(&state)
    state.overlays.removeLast()
    state.lastDraft = body
    let intent: Intent, label: String
    switch d.purpose {
    case .reply:
        intent = .reply(recruiter: r.id, subject: subject, body: body)
        label = "Reply to \(r.name) logged"
    case .decline(let reason, let reengage):
        intent = .decline(recruiter: r.id, reason: reason, reengage: reengage, subject: subject, body: body)
        label = "Courtesy decline to \(r.name) logged · status declined"
    }
    // The undo history keeps what the change did ("Redone: Reply to Dana logged" makes no
    // copy); only this confirmation says the text was copied too.
    let effects = commit(&state, intent, label: label)
    if let m = state.statusMessage, !m.isError {
        state.statusMessage = StatusMessage(m.text.replacingOccurrences(of: " logged", with: " copied and logged"))
    }
    guard !effects.isEmpty else { return saving }
    state.sentDraft = r.id
    return saving + [.copyToClipboard(body)] + effects
}
