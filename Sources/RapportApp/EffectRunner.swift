import Foundation
import RapportCore
import RapportSpell
import RapportText
import RapportTUI

/// What the effect runner needs from the outside world: the store, the screen, the
/// editor, the spell checker and the clipboard. `LivePorts` is the real one; tests
/// pass fakes and drive the same runner.
@MainActor
public protocol AppPorts {
    /// The store's data as last read.
    var database: Database { get }
    /// The store's notices, oldest first; they only grow.
    var storeNotices: [String] { get }
    var readOnly: Bool { get }
    /// The screen size in cells.
    var size: (width: Int, height: Int) { get }
    /// Rereads what other processes wrote; true when the data changed.
    mutating func refresh() throws -> Bool
    /// Builds a change with `build` on the store's data under the store's lock and
    /// stores it durably (the one mutation path); returns what was stored and its inverse.
    mutating func apply(label: String, _ build: (Database) throws -> Change) throws -> (change: Change, inverse: Change)
    /// `u`: takes back this session's latest change through the store's own undo (the
    /// same history and check as `rapport undo`, decided under the store's lock). Returns
    /// the label of the step taken back, nil when the session has none left; throws the
    /// store's refusal ("Not undone: Dana Smith's status changed since by rapport edit").
    mutating func undo() throws -> String?
    /// Ctrl-R: puts back the step this session undid last (nil: none, or a new change
    /// was made since).
    mutating func redo() throws -> String?
    mutating func copyToClipboard(_ text: String)
    /// Runs `$VISUAL` / `$EDITOR` on the text with the screen handed over.
    mutating func editExternally(_ text: String) -> EditorResult
    func spellCheck(_ text: String, ignoring: Set<String>) -> SpellResult
    /// Keeps the draft in progress for a recruiter beside the store, without making the
    /// caller wait for the disk (a later save replaces it; saves and removals land in the
    /// order asked).
    mutating func saveDraft(_ text: String, for recruiterID: UUID)
    /// Removes the saved draft of a recruiter (none there is fine).
    mutating func removeDraft(for recruiterID: UUID)
    /// Why draft writes failed since the last call, one line each.
    mutating func draftProblems() -> [String]
    /// Waits until every draft write asked for is on disk (before the process exits).
    mutating func flushDrafts()
    /// Adds a word to the personal dictionary; false when it was there already. Throws a
    /// one-line message when it cannot.
    mutating func addToDictionary(_ word: String) throws -> Bool
    /// Forget the screen's contents so the next frame repaints everything.
    mutating func invalidate()
    /// Ctrl-Z: give the terminal back until `fg`.
    mutating func suspend()
    /// Remembers recruiters rejected in the mail review so ingest does not create them
    /// again (a file beside the store); throws when it cannot be written.
    mutating func rejectMailSenders(_ recruiters: [Recruiter]) throws
    /// Starts `rapport sync` off the UI thread; returns why it could not start (nil: it did).
    mutating func startSync() -> String?
    /// The outcome of the sync started last, once (nil while it runs, or when none ran).
    mutating func finishedSync() -> SyncOutcome?
    /// Sync as it stands (nil: not set up).
    func syncSummary() -> SyncSummary?
    /// Marks the open sync conflicts on `recruiter` as read.
    mutating func acknowledgeConflicts(of recruiter: UUID) throws
}

extension AppPorts {
    /// Ports without a store (the import review, test fakes) remember nothing.
    public mutating func rejectMailSenders(_ recruiters: [Recruiter]) throws {}
    public mutating func startSync() -> String? { "sync is not available here" }
    public mutating func finishedSync() -> SyncOutcome? { nil }
    public func syncSummary() -> SyncSummary? { nil }
    public mutating func acknowledgeConflicts(of recruiter: UUID) throws {}
}

extension AppPorts {
    // Ports with no place for drafts or a dictionary (the import review, tests' stores)
    // keep none.
    public mutating func saveDraft(_ text: String, for recruiterID: UUID) {}
    public mutating func removeDraft(for recruiterID: UUID) {}
    public mutating func draftProblems() -> [String] { [] }
    public mutating func flushDrafts() {}
    public mutating func addToDictionary(_ word: String) throws -> Bool {
        throw RapportError.failure("there is no dictionary here")
    }
}

/// Runs `update` and the effects it asks for, feeding their results back in as actions.
/// The event loop owns one; so do the tests, with fake ports.
@MainActor
public struct EffectRunner<Ports: AppPorts> {
    public var state: AppState
    public var ports: Ports
    /// False once an effect asked to quit.
    public private(set) var running = true
    /// How an import review ended (it also stops the runner): set by `.finishReview`.
    public private(set) var reviewOutcome: ReviewOutcome?
    var noticeFeed: NoticeFeed

    public init(state: AppState, ports: Ports) {
        self.state = state
        self.ports = ports
        noticeFeed = NoticeFeed(alreadyShown: ports.storeNotices)
    }

    /// Applies `input` and runs its effects (and theirs). Returns the effects `update`
    /// asked for this input.
    @discardableResult
    public mutating func send(_ input: Input) -> [Effect] {
        let effects = update(&state, input)
        for effect in effects { run(effect) }
        // A draft write that failed in the background is said on the next tick.
        if case .event(.tick) = input {
            for problem in ports.draftProblems() { send(.failed(problem)) }
        }
        return effects
    }

    /// Before the process exits (quit, a signal): the draft in progress is saved as it is
    /// now, and every draft write is waited for.
    public mutating func finishDrafts() {
        send(.tick(state.now))
        ports.flushDrafts()
    }

    @discardableResult
    public mutating func send(_ command: Command) -> [Effect] { send(.command(command)) }

    @discardableResult
    public mutating func send(_ event: Event) -> [Effect] { send(.event(event)) }

    /// The keys read from the terminal in one go, in order (no bracketed paste among them).
    public mutating func send(keys: [Key], keymap: Keymap) {
        send(inputs: keys.map { .key($0) }, keymap: keymap)
    }

    /// What was read from the terminal in one go, in order, pastes put together
    /// (`PasteDecoder`). A bracketed paste goes in as one `.paste` event, never as keys.
    /// A run of characters the table does not bind, in a mode with a text field, goes in
    /// as one `.paste` too (typed faster than drawn, or pasted by a terminal that does
    /// not bracket pastes), drawn once.
    public mutating func send(inputs: [TerminalInput], keymap: Keymap) {
        var pasted = ""
        for item in inputs {
            guard running else { return }
            guard case .key(let key) = item else {
                if case .paste(let text) = item {
                    flush(&pasted)
                    if running { send(.event(.paste(text))) }
                }
                continue
            }
            let mode = state.keyMode
            let input = keymap.input(for: key, mode: mode, size: ports.size)
            if case .command(.input(.char(let c)))? = input {
                pasted.append(c)
                continue
            }
            flush(&pasted)
            if let input { send(input) }
        }
        flush(&pasted)
    }

    private mutating func flush(_ pasted: inout String) {
        // A choice field takes typed letters as keys (the first letter picks an option).
        var onChoice = false
        if case .form(let f)? = state.overlays.last, case .choice? = f.focusedKind { onChoice = true }
        if pasted.count == 1 || onChoice {
            for c in pasted where running { send(.command(.input(.char(c)))) }
        } else if !pasted.isEmpty {
            send(.event(.paste(pasted)))
        }
        pasted = ""
    }

    /// Picks up other processes' writes (the loop calls it once a second).
    public mutating func refreshFromDisk() {
        do {
            if try ports.refresh() {
                reload()
            } else if !state.syncRunning, case let now = ports.syncSummary(), now != state.sync {
                // A sync run elsewhere (rapport sync in another terminal) changed only
                // the sync state.
                send(.syncSummary(now))
            }
        } catch {
            send(.failed("Could not reread the store: \(error)"))
        }
    }

    mutating func reload() {
        send(.reload(ports.database, notices: noticeFeed.new(in: ports.storeNotices), readOnly: ports.readOnly))
        // A change here is unsent until the next sync.
        send(.syncSummary(ports.syncSummary()))
    }

    /// Picks up the end of a background sync (the loop calls it every turn): its report,
    /// the merged data, and the sync summary. True when one ended.
    @discardableResult
    public mutating func pollSync() -> Bool {
        guard let outcome = ports.finishedSync() else { return false }
        refreshFromDisk()
        send(.syncSummary(ports.syncSummary()))
        send(.synced(outcome))
        return true
    }

    private mutating func run(_ effect: Effect) {
        switch effect {
        case .persist(let intent, let label):
            // The change is built on the store's data under its lock, not on the copy on
            // screen: a write another process made a moment ago is built upon.
            let now = state.now
            do {
                let stored = try ports.apply(label: label) { db in
                    try intent.change(in: db, now: now)
                }
                send(.applied(stored.change, inverse: stored.inverse))
                reload()
            } catch {
                send(.saveFailed("\(error)"))
            }
        case .undo, .redo:
            // The store picks the step and checks it under its lock, on its fresh data: an
            // undo that would overwrite what another process wrote since is refused there.
            let back = effect == .undo
            do {
                let label = try back ? ports.undo() : ports.redo()
                send(.replayed(back: back, label: label))
            } catch {
                send(.replayRefused("\(error)"))
            }
            // The store caught up with other processes under its lock: show what it read.
            reload()
        case .copyToClipboard(let text):
            ports.copyToClipboard(text)
        case .editExternally(let text):
            let edited = ports.editExternally(text)
            send(.resize(width: ports.size.width, height: ports.size.height))
            switch edited {
            case .edited(let t): send(.draftEdited(t))
            case .noEditor: send(.draftEdited(nil))
            case .failed(let why): send(.editorFailed(why))
            }
        case .saveDraft(let id, let text):
            ports.saveDraft(text, for: id)
        case .removeDraft(let id):
            ports.removeDraft(for: id)
        case .addToDictionary(let word):
            do {
                let added = try ports.addToDictionary(word)
                send(.wordAdded(word, added: added))
            } catch {
                send(.failed("Not added to your dictionary: \(error)"))
            }
        case .spellCheck(let text, let ignoring):
            send(.spellChecked(ports.spellCheck(text, ignoring: Set(ignoring))))
        case .sync:
            if let problem = ports.startSync() { send(.synced(.failed(problem))) }
        case .acknowledgeConflicts(let id):
            do {
                try ports.acknowledgeConflicts(of: id)
            } catch {
                send(.failed("\(error)"))
            }
            send(.syncSummary(ports.syncSummary()))
        case .quit:
            running = false
        case .finishReview(let outcome):
            reviewOutcome = outcome
            running = false
        case .rejectMailSenders(let recruiters):
            do { try ports.rejectMailSenders(recruiters) } catch {
                send(.failed("Could not remember the rejected senders (\(error)): ingest may create them again"))
            }
        case .redraw:
            ports.invalidate()
        case .suspend:
            ports.suspend()
            send(.resize(width: ports.size.width, height: ports.size.height))
        }
    }
}

/// The store's notices only grow; the loop passes each one to `.reload` once.
struct NoticeFeed {
    private var passed: Int

    /// `alreadyShown`: the notices the state started with.
    init(alreadyShown: [String]) { passed = alreadyShown.count }

    /// The notices in `all` (the store's, oldest first) not passed before.
    mutating func new(in all: [String]) -> [String] {
        guard all.count > passed else { return [] }
        defer { passed = all.count }
        return Array(all[passed...])
    }
}

