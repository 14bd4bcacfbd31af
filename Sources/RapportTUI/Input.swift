import Foundation
import RapportCore
import RapportText

/// What the user asked for: produced by the keymap (one binding row per key and mode),
/// handled by the handler of the key mode it was pressed in (Modes.swift).
public enum Command: Equatable, Sendable {
    /// Move the selection (or scroll the thread) by n rows; negative is up.
    case move(Int)
    /// Move by n screens.
    case page(Int)
    case top
    case bottom
    case nextPane
    case previousPane
    case focus(Pane)
    /// Enter: a recruiter opens its thread; a deadline jumps to its recruiter.
    case open
    case toggleHelp
    /// `q`: close the top overlay or view, or quit when there is none.
    case close
    /// Esc: close the top overlay, or clear the status message and notices.
    case cancel
    /// Ctrl-L: repaint the whole screen.
    case redraw
    /// Ctrl-Z.
    case suspend
    case quit

    // Workflows.
    case addRecruiter
    case editRecruiter
    case logMessage
    /// `r`: an outbound now on the thread's channel; clears the open messages.
    case markReplied
    /// `R`: pick a template, edit, spell-check, copy and log.
    case writeReply
    case decline
    case logInterview
    case followUp
    /// `x` on a deadline.
    case markDone
    /// `s` on a deadline.
    case snooze
    /// `X` on a deadline: end it without doing it, with a reason.
    case dismiss
    /// `m`: the relationship-status menu of the selected recruiter.
    case statusMenu
    /// `w`: the week view.
    case toggleWeek
    case toggleTargeting
    case toggleDoNotContact
    /// `d` / Delete: asks first.
    case delete
    case undo
    case redo
    case search
    /// n (1) / N (-1): the next / previous match of the last search.
    case searchNext(Int)
    case filterMenu
    case cycleSort
    /// `y`: the selected message or the draft to the clipboard.
    case copy
    /// `Y`: sync with the other devices (in the background).
    case sync
    /// `C`: the selected recruiter's sync conflicts have been read.
    case acknowledgeConflicts

    // Inside overlays.
    /// A key for the top overlay's text field (typing, Ctrl-W, ←, …).
    case input(Key)
    /// Enter: save the form, pick the item, confirm, send the draft.
    case submit
    case nextField
    case previousField
    /// `e` in the draft review: edit the text again.
    case editDraft
    /// `a` in the draft review: add the selected misspelt word to the personal dictionary.
    case addWord
    /// A key answering the question on top (`y`, `n`, `d`, `k`, `l`).
    case answer(Character)

    // Views.
    /// `4`: open the insight view, or close it (FullViews.swift).
    case toggleInsight
    /// `p`: the call-prep view for the selected recruiter (or deadline's, or table row's).
    case openCallPrep
    /// `A`: order the recruiter list by ally score, or back by urgency.
    case toggleAllyOrder
    /// Space / `x` in call prep: tick or untick the selected checklist item.
    case toggleChecklistItem
    /// `s` in insight: sort the recruiter table by the next column.
    case cycleInsightSort

    // The import review list (ImportReview.swift).
    /// Accept, reject or flip the selected person, or every person at once.
    case review(ReviewMark)
    /// `M` in the panes: review the recruiters ingest created from mail.
    case reviewMail
}

extension Command {
    /// Whether the key means the status line has been read. Esc clears it itself;
    /// redraw, help and close leave it up.
    var clearsStatus: Bool {
        switch self {
        case .redraw, .cancel, .toggleHelp, .close: return false
        default: return true
        }
    }
}

/// What happened outside the keymap: produced by the event loop and the effect runner
/// (RapportApp), handled once at the top of `update`, whatever the key mode.
public enum Event: Equatable, Sendable {
    /// The once-a-second tick (or any moment the clock is read).
    case tick(Date)
    /// The data changed (this process's change was stored, or another process wrote).
    /// `notices` are only the store's notices not passed before (the loop's
    /// `NoticeFeed`): they are added to the banner, so dismissed ones stay dismissed.
    case reload(Database, notices: [String], readOnly: Bool)
    case resize(width: Int, height: Int)
    case mouse(MouseEvent)
    /// Text pasted into the terminal (a bracketed paste put together by `PasteDecoder`,
    /// or a run of characters typed into a field in one read): goes into the text field
    /// on top as text (`pasteIntoField`), drawn once; anywhere else it is ignored with a
    /// notice. Never read as keys.
    case paste(String)
    /// The store could not be read: shown in the status bar.
    case failed(String)
    /// The store applied this session's change: the change and its inverse as the store
    /// built them on its data. The store's undo history keeps them; `u` takes them back
    /// from there.
    case applied(Change, inverse: Change)
    /// The store refused a change this session made: nothing was written.
    case saveFailed(String)
    /// The store took back (`back`) or put back this session's latest step (`Effect.undo`
    /// / `.redo`): the step's label; nil when the session had none left.
    case replayed(back: Bool, label: String?)
    /// The store refused the undo or redo, in its words, the same as `rapport undo` says
    /// ("Not undone: Dana Smith's status changed since by rapport edit"): nothing was written.
    case replayRefused(String)
    /// The external editor finished: the new text, or nil when none is set.
    case draftEdited(String?)
    /// `$VISUAL` / `$EDITOR` could not start or failed (one line, why): the draft is kept
    /// and opens in the inline editor.
    case editorFailed(String)
    /// The word went into the personal dictionary (`added` false: it was there already).
    case wordAdded(String, added: Bool)
    case spellChecked(SpellResult)
    /// A sync started with `.sync` finished: its report in one line, or why it failed.
    case synced(SyncOutcome)
    /// Sync as it stands now (nil: not set up), read after a sync, an acknowledgement or
    /// a change.
    case syncSummary(SyncSummary?)
}

/// How a sync run from the TUI ended.
public enum SyncOutcome: Equatable, Sendable {
    /// "12 changes from desktop, 1 conflict: Dana Smith firm"
    case done(String)
    /// One line: why it failed.
    case failed(String)
}

/// Everything `update` takes: a command from the keymap or an event from the loop.
public enum Input: Equatable, Sendable {
    case command(Command)
    case event(Event)
}

/// What `update` asks the outside world to do. The effect runner (RapportApp) runs them.
public enum Effect: Equatable, Sendable {
    /// Ask the store for this: the effect runner builds the change on the store's data
    /// under its lock and applies it durably (the one mutation path).
    case persist(Intent, label: String)
    /// `u`: the store takes back this session's latest step, decided under its lock
    /// (the result comes back as `.replayed` or `.replayRefused`).
    case undo
    /// Ctrl-R: the store puts back the step this session undid last.
    case redo
    case quit
    /// Forget the screen's contents and repaint everything.
    case redraw
    case suspend
    /// Put text on the clipboard (OSC 52, written by the terminal layer).
    case copyToClipboard(String)
    /// Edit text in `$VISUAL` / `$EDITOR` with the screen suspended; the result comes
    /// back as `.draftEdited`.
    case editExternally(String)
    /// Spell-check a draft (a subprocess); the result comes back as `.spellChecked`.
    case spellCheck(String, ignoring: [String])
    /// Run a sync in the background; its end comes back as `.synced`.
    case sync
    /// Mark the open sync conflicts on this recruiter as read.
    case acknowledgeConflicts(UUID)
    /// Keep the draft in progress for this recruiter beside the store (written off the
    /// interface's thread; a later save replaces it).
    case saveDraft(UUID, String)
    /// The draft of this recruiter was logged or discarded: remove its saved copy.
    case removeDraft(UUID)
    /// Add a word to the personal dictionary; the answer comes back as `.wordAdded`
    /// (or `.failed`).
    case addToDictionary(String)
    /// The import review list is done: commit the accepted people, or cancel (nothing
    /// written). Whoever opened the review applies the import.
    case finishReview(ReviewOutcome)
    /// Rejected in the mail review: remember these recruiters (id, name, addresses) so
    /// `rapport ingest` does not create them again from their next mail.
    case rejectMailSenders([Recruiter])
}

/// What running `$VISUAL` / `$EDITOR` gave.
public enum EditorResult: Equatable, Sendable {
    case edited(String)
    /// Neither variable is set: the inline editor is the editor.
    case noEditor
    /// It could not start, failed or was killed: one line saying so.
    case failed(String)
}
