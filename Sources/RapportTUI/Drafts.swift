import Foundation
import RapportCore
import RapportText

// Keeping drafts safe: a changed draft is never closed without asking, the draft in
// progress is saved beside the store once a second while it changes (`.saveDraft`, run
// off the interface's thread by the effect runner), offered again on the next `R` or `c`
// for that recruiter, and removed once its message is logged or it is discarded. Pure.

/// A draft kept beside the store: its text and when it was saved.
public struct SavedDraft: Equatable, Sendable {
    public var text: String
    public var saved: Date

    public init(text: String, saved: Date) {
        self.text = text
        self.saved = saved
    }
}

/// A question about a draft, answered with one key.
public struct Question: Equatable, Sendable {
    public enum Purpose: Equatable, Sendable {
        /// Esc on a changed draft: keep editing, discard it, or keep it for later.
        case closeDraft(UUID)
        /// A saved draft exists for this recruiter: resume it, or start over.
        case resumeDraft(UUID, Draft.Purpose)
        /// The draft has no body: log it as sent anyway?
        case sendEmpty
    }

    public struct Choice: Equatable, Sendable {
        public var key: Character
        public var label: String
    }

    public var purpose: Purpose
    public var text: String
    public var choices: [Choice]
    /// What Esc means, as the box says it.
    public var escape: String

    /// The keys and what they do: "k keep editing · d discard it · Esc keep editing".
    public var keysLine: String {
        (choices.map { "\($0.key) \($0.label)" } + ["Esc \(escape)"]).joined(separator: " · ")
    }
}

extension ModeTable {
    static let ask = ModeTable(.ask, [
        Binding([.escape], .cancel, section: "Draft questions", help: "keep editing; on the resume question: cancel", hint: "back"),
        Binding([.char("y")], .answer("y"), section: "Draft questions", help: "resume the saved draft; log an empty reply"),
        Binding([.char("n")], .answer("n"), section: "Draft questions", help: "start over instead of resuming; do not log an empty reply"),
        Binding([.char("k")], .answer("k"), section: "Draft questions", help: "keep editing the changed draft"),
        Binding([.char("d")], .answer("d"), section: "Draft questions", help: "discard the changed draft (and its saved copy)"),
        Binding([.char("l")], .answer("l"), section: "Draft questions", help: "close the draft but keep it for later (R or c offers it again)"),
    ], handle: updateAsk)
}

private func updateAsk(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard case .ask(let q) = state.overlays.last else { return [] }
    let key: Character
    switch command {
    case .cancel: key = "\u{1B}"
    case .answer(let c): key = c
    default: return []
    }
    guard key == "\u{1B}" || q.choices.contains(where: { $0.key == key }) else { return [] }
    state.overlays.removeLast()
    switch q.purpose {
    case .closeDraft(let id):
        switch key {
        case "d": return discardDraft(&state, id)
        case "l": return keepDraftForLater(&state, id)
        default: return [] // keep editing: the draft (or its editor) is on top again
        }
    case .resumeDraft(let id, let purpose):
        switch key {
        case "y":
            guard let saved = state.savedDrafts[id] else { return [] }
            return startDraft(&state, recruiterID: id, purpose: purpose, template: nil, extra: [:], resume: saved)
        case "n":
            return startOver(&state, id, purpose)
        default:
            state.statusMessage = StatusMessage("Cancelled: the saved draft is still there")
            return []
        }
    case .sendEmpty:
        if key == "y", case .review(let d) = state.overlays.last { return send(&state, d, emptyConfirmed: true) }
        state.statusMessage = StatusMessage("Not logged: the draft has no text · e edits it")
        return []
    }
}

/// Where the draft review is in the overlay stack (its inline editor and a question may be
/// above it).
func draftIndex(_ state: AppState) -> Int? {
    state.overlays.lastIndex { if case .review = $0 { return true } else { return false } }
}

/// The draft's text as it stands: the inline editor's when it is open above the review.
func currentDraftText(_ state: AppState, at i: Int) -> String? {
    guard case .review(let d) = state.overlays[i] else { return nil }
    for o in state.overlays[(i + 1)...].reversed() {
        if case .editor(let t) = o { return t.text }
    }
    return d.text
}

/// Whether two draft texts say the same: whitespace and blank lines at the end do not count
/// (the editor's file ends in a newline, and what it gives back has none).
func sameDraft(_ a: String, _ b: String) -> Bool {
    func trimmed(_ s: String) -> Substring {
        var t = Substring(s)
        while let c = t.last, c.isWhitespace { t.removeLast() }
        return t
    }
    return trimmed(a) == trimmed(b)
}

/// Asks the loop to save the draft in progress when its text changed since it was last
/// saved (or since it started). Called on every tick (once a second) and when an edit
/// comes back from `$EDITOR`, so typing never waits on the disk and a crash loses at most
/// the last second.
func saveDraftIfChanged(_ state: inout AppState) -> [Effect] {
    guard let i = draftIndex(state), case .review(var d) = state.overlays[i],
          let text = currentDraftText(state, at: i), !sameDraft(text, d.lastSaved ?? d.original) else { return [] }
    d.lastSaved = text
    state.overlays[i] = .review(d)
    state.savedDrafts[d.recruiterID] = SavedDraft(text: text, saved: state.now)
    return [.saveDraft(d.recruiterID, text)]
}

/// Esc (or q) on the draft review or its inline editor: an unchanged draft closes at once;
/// a changed one asks first.
func closeDraft(_ state: inout AppState) -> [Effect] {
    guard let i = draftIndex(state), case .review(let d) = state.overlays[i],
          let text = currentDraftText(state, at: i) else {
        state.overlays.removeLast()
        return []
    }
    let name = state.db.recruiter(d.recruiterID)?.name ?? "?"
    if sameDraft(text, d.original) {
        state.overlays.removeSubrange(i...)
        let kept = state.savedDrafts[d.recruiterID] != nil
        state.statusMessage = StatusMessage("Draft closed; nothing logged" + (kept ? " · R offers the saved draft again" : ""))
        // Typed and then taken back: the saved copy gets the text as it is.
        if let saved = d.lastSaved, !sameDraft(saved, text) {
            state.savedDrafts[d.recruiterID] = SavedDraft(text: text, saved: state.now)
            return [.saveDraft(d.recruiterID, text)]
        }
        return []
    }
    state.overlays.append(.ask(Question(
        purpose: .closeDraft(d.recruiterID), text: "Your draft to \(name) has changes. Close it?",
        choices: [Question.Choice(key: "k", label: "keep editing"), Question.Choice(key: "d", label: "discard it"),
                  Question.Choice(key: "l", label: "keep it for later")],
        escape: "keep editing")))
    return []
}

/// `d` on the question: the draft and its saved copy go.
private func discardDraft(_ state: inout AppState, _ id: UUID) -> [Effect] {
    guard let i = draftIndex(state) else { return [] }
    state.overlays.removeSubrange(i...)
    let name = state.db.recruiter(id)?.name ?? "?"
    state.statusMessage = StatusMessage("Draft to \(name) discarded; nothing logged")
    guard state.savedDrafts.removeValue(forKey: id) != nil else { return [] }
    return [.removeDraft(id)]
}

/// `l` on the question: the draft closes and stays saved, for the next `R` or `c`.
private func keepDraftForLater(_ state: inout AppState, _ id: UUID) -> [Effect] {
    let effects = saveDraftIfChanged(&state)
    if let i = draftIndex(state) { state.overlays.removeSubrange(i...) }
    let name = state.db.recruiter(id)?.name ?? "?"
    state.statusMessage = StatusMessage("Draft to \(name) kept; R or c offers it again (nothing logged)")
    return effects
}

/// `R` or `c` on a recruiter with a saved draft: resume it, or start over.
func askResume(_ state: inout AppState, _ r: Recruiter, _ saved: SavedDraft, purpose: Draft.Purpose) {
    let when = Format.stamp(saved.saved, now: state.now, timeZone: state.timeZone)
    let firstLine = Draft(recruiterID: r.id, purpose: purpose, text: saved.text).parts.body
        .split(separator: "\n").first.map { String($0.prefix(60)) } ?? ""
    state.overlays.append(.ask(Question(
        purpose: .resumeDraft(r.id, purpose),
        text: "Resume the draft to \(r.name) from \(when)?" + (firstLine.isEmpty ? "" : " “\(firstLine)”"),
        choices: [Question.Choice(key: "y", label: "resume it"), Question.Choice(key: "n", label: "start over")],
        escape: "cancel")))
}

/// `n` on the resume question: a new draft as if there were no saved one (the saved one
/// stays until the new draft is saved over it).
private func startOver(_ state: inout AppState, _ id: UUID, _ purpose: Draft.Purpose) -> [Effect] {
    guard let r = state.db.recruiter(id) else { return [] }
    switch purpose {
    case .reply:
        openTemplateMenu(&state, r)
        return []
    case .decline(let reason, _):
        return startDraft(&state, recruiterID: id, purpose: purpose,
                          template: state.templates.first { $0.name == "decline" }, extra: ["reason": reason ?? ""])
    }
}

/// The template menu of `R`, on the template that is due for this recruiter (a thank-you
/// after an interview, a follow-up, a check-in), else on `blank`.
func openTemplateMenu(_ state: inout AppState, _ r: Recruiter) {
    let names = state.templates.map(\.name)
    var items = ["blank"] + names
    let due = state.statuses[r.id]?.deadlines ?? []
    var cursor = 0
    if let pick = Templates.preselected(purpose: .reply, deadlines: due, now: state.now, available: names),
       let i = names.firstIndex(of: pick) {
        cursor = i + 1
        items[cursor] = pick + " (due)"
    }
    var m = Menu(title: "Reply to \(r.name): start from", items: items, purpose: .template(r.id))
    m.cursor = cursor
    state.overlays.append(.menu(m))
}

/// The store has the message of the draft just sent: its saved copy goes.
func sentDraftStored(_ state: inout AppState) -> [Effect] {
    guard let id = state.sentDraft else { return [] }
    state.sentDraft = nil
    guard state.savedDrafts.removeValue(forKey: id) != nil else { return [] }
    return [.removeDraft(id)]
}

/// `$VISUAL` / `$EDITOR` failed: said in one line, and the draft (as it was before the
/// editor ran) opens in the inline editor.
func editorFailed(_ state: inout AppState, _ why: String) -> [Effect] {
    state.statusMessage = StatusMessage(why + " · the draft is kept: editing it here", isError: true)
    return draftEdited(&state, nil)
}

/// The word went into the personal dictionary: it is no longer listed as misspelt.
func wordAdded(_ state: inout AppState, _ word: String, added: Bool) {
    for i in state.overlays.indices {
        guard case .review(var d) = state.overlays[i], case .checked(let engine, let found)? = d.spelling else { continue }
        let rest = found.filter { $0.word.lowercased() != word.lowercased() }
        d.spelling = .checked(engine: engine, misspellings: rest)
        d.spellCursor = AppState.clamp(d.spellCursor, count: rest.count)
        state.overlays[i] = .review(d)
    }
    state.statusMessage = StatusMessage(added ? "Added “\(word)” to your dictionary" : "“\(word)” was already in your dictionary")
}

enum QuestionView {
    static func draw(_ buf: inout CellBuffer, _ state: AppState, _ q: Question) {
        let keys = q.keysLine
        let width = min(max(DisplayWidth.of(q.text), DisplayWidth.of(keys)) + 6, 90)
        let lines = Text.wrap(q.text, width: max(10, min(width, state.width - 2) - 4))
        let box = Screen.centredBox(state, width: max(width, 40), height: lines.count + 5)
        Screen.drawBox(&buf, box, title: "Draft")
        guard box.height >= 5 else { return }
        for (k, line) in lines.prefix(box.height - 4).enumerated() {
            buf.put(Text.truncate(line, to: box.width - 4), x: box.x + 2, y: box.y + 2 + k, style: Style(.warning, bold: true))
        }
        buf.put(Text.truncate(keys, to: box.width - 4), x: box.x + 2, y: box.maxY - 2, style: Style(.accent))
    }
}
