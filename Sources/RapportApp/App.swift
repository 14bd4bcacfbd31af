import Foundation
import Synchronization
import RapportCore
import RapportSpell
import RapportStore
import RapportTerminal
import RapportText
import RapportTUI

/// The event loop: the only place where the terminal, the store and the clock meet
/// `update`. One keypress: `Terminal.readKey` → `Key` → `Keymap` → `Command` →
/// `update` → effects run by `EffectRunner` (`store.apply` for `.persist`) →
/// `Screen.render` → `Terminal.draw`.
@MainActor
public enum App {
    /// The one line printed when there is no terminal to draw on.
    public nonisolated static let notATerminalMessage = "rapport: not a terminal; use `rapport list` / `rapport due` for scripts"

    /// Runs the interface until the user quits or a quit signal arrives. Returns the
    /// exit status: 0 after `q`, 128 + signal after SIGINT/SIGTERM/SIGHUP, 2 when
    /// there is no usable terminal, 1 when the store cannot be opened.
    public static func run(paths: AppPaths, clock: Clock, policy: Policy, colorMode: ColorMode,
                           environment: [String: String], keymap: Keymap = .standard) -> Int32 {
        if let problem = terminalProblem(environment: environment) {
            printError(problem)
            return 2
        }
        let store: Store
        do {
            // Lazily: each recruiter is read from store.cache when the screen (or a key)
            // first needs it, so the first frame does not wait for the whole store.
            store = try Store.open(paths, policy: policy, clock: clock, lazy: true)
        } catch let e as RapportError {
            printError("rapport: \(e.description)")
            return e.exitCode
        } catch {
            printError("rapport: cannot open the store at \(paths.storeDirectory): \(error)")
            return 1
        }
        // The first screen's data (settings, statuses, order, drafts) is made on a thread
        // of its own while this one starts the terminal (terminfo, locale, newterm): the
        // two take about as long, and neither needs the other. The size is the
        // terminal's as the kernel reports it; should ncurses settle on another, the
        // state is resized before the first frame.
        // The locale first: setlocale must not run while the other thread works.
        Terminal.setUpLocale()
        let guess = Terminal.windowSize() ?? (width: 80, height: 24)
        let first = Background(FirstScreen.prepare(store: store, clock: clock, environment: environment, size: guess,
                                                   keymap: keymap))
        let terminal: Terminal
        do {
            terminal = try Terminal(colorMode: colorMode, environment: environment)
        } catch {
            _ = first.wait()
            printError(notATerminalMessage)
            return 2
        }
        let compaction = BackgroundCompaction()
        var loop = Loop(store: store, terminal: terminal, clock: clock, keymap: keymap, environment: environment,
                        compaction: compaction, first: first.wait())
        let status = loop.run()
        // Whatever ended the loop (q, a signal), the draft in progress is on disk first.
        loop.runner.finishDrafts()
        terminal.shutdown()
        loop.trace.write()
        // A compaction under way finishes (it holds the store's lock while it writes).
        compaction.wait()
        // Clean exit: the store releases its lock. The journal is not compacted here (a
        // rewrite of the whole JSON, most of a second at 200 000 messages): store.cache
        // is brought up to it instead, and the journal compacts once it passes the threshold.
        do {
            try store.close(compact: false)
        } catch {
            printError("rapport: \(error)")
            return status == 0 ? 1 : status
        }
        return status
    }

    /// Whether stdin and stdout are a terminal ncurses can drive (nothing is written).
    public nonisolated static func hasTerminal(environment: [String: String]) -> Bool {
        (try? Terminal.check(environment: environment)) != nil
    }

    /// The one line to print when the interface cannot start here (nil when it can): no
    /// terminal, or a TERM this system does not know, named.
    public nonisolated static func terminalProblem(environment: [String: String]) -> String? {
        do {
            try Terminal.check(environment: environment)
            return nil
        } catch {
            return "rapport: \(error.description)"
        }
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

@MainActor
private struct Loop {
    let terminal: Terminal
    let clock: Clock
    let keymap: Keymap
    var runner: EffectRunner<LivePorts>
    /// The first frame, drawn with the first screen's state (nil: drawn here).
    var firstFrame: CellBuffer?
    /// Key → frame inside the program, when `RAPPORT_KEY_TRACE` names a file.
    var trace: KeyTrace

    init(store: Store, terminal: Terminal, clock: Clock, keymap: Keymap, environment: [String: String],
         compaction: BackgroundCompaction, first: FirstScreen) {
        self.terminal = terminal
        self.clock = clock
        self.keymap = keymap
        trace = KeyTrace(path: environment["RAPPORT_KEY_TRACE"])
        var state = first.state
        let size = terminal.size
        firstFrame = first.frame
        if size.width != state.width || size.height != state.height {
            _ = update(&state, .event(.resize(width: size.width, height: size.height)))
            firstFrame = nil
        }
        let ports = LivePorts(store: store, terminal: terminal, environment: environment,
                              drafts: DraftWriter(files: DraftFiles(paths: store.paths)), syncSettings: first.syncSettings,
                              compaction: compaction)
        runner = EffectRunner(state: state, ports: ports)
    }

    mutating func run() -> Int32 {
        // Ticks are scheduled on the monotonic clock; `clock` (fixed by RAPPORT_NOW in
        // tests) only says what time it is.
        var lastTick = ContinuousClock.now
        var quickEmptyReads = 0
        var pastes = PasteDecoder()
        terminal.draw(firstFrame ?? Screen.render(runner.state, keymap: keymap))
        firstFrame = nil
        while runner.running {
            if let sig = terminal.takeQuitSignal() { return 128 + sig }
            // Blocks up to a quarter second (Terminal.readTimeout): idle costs nothing,
            // and a resize or a signal is seen within that even where ncurses resumes
            // its wait after the signal.
            let started = ContinuousClock.now
            let key = terminal.readKey()
            let readAt = trace.isOn && key != nil ? KeyTrace.now() : 0
            // A terminal that went away (pane closed without SIGHUP reaching us) makes
            // reads fail at once; never spin on it.
            if key == nil, ContinuousClock.now - started < .milliseconds(20) {
                quickEmptyReads += 1
                if quickEmptyReads > 50 { return 128 + SIGHUP }
            } else {
                quickEmptyReads = 0
            }
            var changed = false
            if let key {
                // A paste arrives as many keys at once: take all that are waiting, then
                // draw once. A bracketed paste becomes one `.paste`, never keys.
                var keys = [key]
                while keys.count < 4096, let more = terminal.pollKey() { keys.append(more) }
                let inputs = pastes.feed(keys)
                changed = !inputs.isEmpty
                runner.send(inputs: inputs, keymap: keymap)
            } else {
                // Nothing came for a while: a paste whose end never came ends as text.
                let inputs = pastes.idle()
                if !inputs.isEmpty {
                    changed = true
                    runner.send(inputs: inputs, keymap: keymap)
                }
            }
            // A background sync that ended: its report in the status line.
            if runner.pollSync() { changed = true }
            // The clock ticks once a second: relative times stay current, other
            // processes' writes show up.
            if ContinuousClock.now - lastTick >= .seconds(1) {
                lastTick = ContinuousClock.now
                runner.send(.tick(clock.now()))
                runner.refreshFromDisk()
                changed = true
            }
            if runner.running && changed {
                terminal.draw(Screen.render(runner.state, keymap: keymap))
                if readAt != 0 { trace.record(read: readAt, drawn: KeyTrace.now()) }
            }
        }
        return 0
    }
}

/// The real outside world: the store on disk, the ncurses terminal, `$EDITOR`, hunspell.
@MainActor
struct LivePorts: AppPorts {
    let store: Store
    let terminal: Terminal
    let environment: [String: String]
    let drafts: DraftWriter
    /// `[sync]` from config.toml, with the variables on top.
    let syncSettings: RapportConfig.SyncSettings
    /// The sync running in the background, if any (SyncPorts.swift).
    var syncJob: SyncJob?
    /// The store with this session's origin; compacts on a thread of its own.
    var session: StoreSession

    init(store: Store, terminal: Terminal, environment: [String: String], drafts: DraftWriter,
         syncSettings: RapportConfig.SyncSettings, compaction: BackgroundCompaction) {
        self.session = StoreSession(store: store, origin: .tui(session: String(UUID().uuidString.lowercased().prefix(8))),
                                    compaction: compaction)
        self.store = store
        self.terminal = terminal
        self.environment = environment
        self.drafts = drafts
        self.syncSettings = syncSettings
    }

    var database: Database { store.database }
    var storeNotices: [String] { session.notices }
    var readOnly: Bool { store.readOnly }
    var size: (width: Int, height: Int) { terminal.size }

    mutating func refresh() throws -> Bool { try session.refresh() }
    func rejectMailSenders(_ recruiters: [Recruiter]) throws { try MailRejections.add(recruiters, paths: store.paths) }

    func apply(label: String, _ build: (Database) throws -> Change) throws -> (change: Change, inverse: Change) {
        let applied = try session.apply(label: label, build)
        return (applied.change, applied.inverse)
    }
    func undo() throws -> String? { try session.undo() }
    func redo() throws -> String? { try session.redo() }
    func copyToClipboard(_ text: String) { terminal.copyToClipboard(text) }
    func editExternally(_ text: String) -> EditorResult {
        ExternalEditor.edit(text, environment: environment) { body in terminal.suspended(body) }
    }
    func saveDraft(_ text: String, for recruiterID: UUID) { drafts.save(text, for: recruiterID) }
    func removeDraft(for recruiterID: UUID) { drafts.remove(recruiterID) }
    func draftProblems() -> [String] { drafts.takeProblems() }
    func flushDrafts() { drafts.wait() }
    /// The file `rapport spell --add` writes.
    func addToDictionary(_ word: String) throws -> Bool {
        try PersonalDictionary.add(word, path: UserConfig(environment: environment).dictionaryFile)
    }
    func spellCheck(_ text: String, ignoring: Set<String>) -> SpellResult {
        // The shipped tech words and the personal dictionary, read at each check.
        let personal = (try? UserConfig(environment: environment)).map { PersonalDictionary.load(path: $0.dictionaryFile) } ?? []
        let checker = SpellChecker(environment: environment, accepted: .standard(personal: personal))
        return checker.check(text, ignoring: ignoring)
    }
    func invalidate() { terminal.invalidate() }
    func suspend() { terminal.suspend() }
}

/// What the first screen needs from the store, the settings and the drafts, made before
/// the terminal is up (`prepare` touches no terminal).
struct FirstScreen: Sendable {
    var state: AppState
    var syncSettings: RapportConfig.SyncSettings
    /// The first frame, rendered from `state` (at the size it was made for).
    var frame: CellBuffer

    /// The state of the first screen at `size`: settings first (the list's sort from
    /// `[ui] sort` is the first frame's order: the indexes are built once, in that order),
    /// statuses through rules.cache (the rules run only for recruiters whose data changed,
    /// or whose findings ran out of time, since a process last evaluated them), templates,
    /// the drafts an earlier session left and sync's summary; then the first frame. The
    /// store's values are read when `prepare` is called; the closure runs on any thread.
    static func prepare(store: Store, clock: Clock, environment: [String: String],
                        size: (width: Int, height: Int), keymap: Keymap) -> @Sendable () -> FirstScreen {
        let db = store.database, policy = store.policy, paths = store.paths
        let notices = store.notices, readOnly = store.readOnly
        return {
            var syncSettings = RapportConfig.SyncSettings()
            var settings: RapportConfig?
            var configNotices: [String] = []
            let config = try? UserConfig(environment: environment)
            if let config {
                do {
                    settings = try config.load(environment: environment)
                } catch {
                    configNotices.append("\(error)")
                }
            }
            let sort: SortMode = switch settings?.ui.sort {
            case .name?: .name
            case .lastContact?: .lastContact
            default: .urgency
            }
            let rules = StatusSource.throughRulesCache(paths, writable: !readOnly)
            var state = AppState(db: db, policy: policy, now: clock.now(), width: size.width, height: size.height,
                                 storePath: paths.storeDirectory, notices: notices, readOnly: readOnly, rules: rules, sort: sort)
            state.clockIsFixed = !(environment["RAPPORT_NOW"] ?? "").isEmpty
            // Reply templates (shipped + the user's) and {my_name}; problems become notices.
            if let config {
                let t = config.templates()
                state.templates = t.templates
                state.notices += t.problems
                state.notices += configNotices
                if let settings {
                    state.myName = settings.me.name
                    syncSettings = settings.sync
                    state.autoSyncMinutes = settings.sync.autoSyncMinutes
                }
            }
            // Drafts left by an earlier session (quit or crashed), offered again on R or c.
            state.savedDrafts = DraftFiles(paths: paths).load().mapValues { SavedDraft(text: $0.text, saved: $0.saved) }
            // Sync as last read (nil: not set up), in the title bar.
            state.sync = SyncEngine.summary(paths)
            return FirstScreen(state: state, syncSettings: syncSettings, frame: Screen.render(state, keymap: keymap))
        }
    }
}

/// A value computed on a thread of its own; `wait` blocks until it is there.
final class Background<T: Sendable>: Sendable {
    private let result = Mutex<T?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () -> T) {
        DispatchQueue.global(qos: .userInteractive).async { [self] in
            let value = work()
            result.withLock { $0 = value }
            done.signal()
        }
    }

    /// The value (waits for it the first time).
    func wait() -> T {
        if let v = result.withLock({ $0 }) { return v }
        done.wait()
        return result.withLock { $0! }
    }
}

extension StatusSource {
    /// The statuses as the interface takes them: through `rules.cache` in the store at
    /// `paths` (a `RulesCacheSession`: the rules run only for recruiters whose data
    /// changed, or whose findings ran out of time), with the blanket set from the findings.
    public static func throughRulesCache(_ paths: AppPaths, writable: Bool = true) -> StatusSource {
        let session = RulesCacheSession(paths: paths, writable: writable)
        return StatusSource(table: { session.table($0, now: $1, policy: $2) })
    }
}

/// For `make bench`: with `RAPPORT_KEY_TRACE=FILE`, each key that drew a frame as one line
/// `READ DRAWN`: the monotonic clock in nanoseconds (the clock of Python's
/// `time.perf_counter`) when the loop had read the key and when `doupdate` had handed its
/// frame to the terminal. Written to FILE when the interface ends (after the terminal is
/// given back). The bench reports the
/// difference beside its key → frame figure, so the program's part can be told from the
/// pseudo-terminal's and the machine's. Off (nothing recorded) without the variable.
struct KeyTrace {
    let path: String?
    private var lines: [(read: UInt64, drawn: UInt64)] = []

    init(path: String?) {
        self.path = path.flatMap { $0.isEmpty ? nil : $0 }
    }

    var isOn: Bool { path != nil }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    mutating func record(read: UInt64, drawn: UInt64) {
        lines.append((read, drawn))
    }

    func write() {
        guard let path else { return }
        let text = lines.map { "\($0.read) \($0.drawn)\n" }.joined()
        if !FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) {
            FileHandle.standardError.write(Data("rapport: cannot write the key trace to \(path)\n".utf8))
        }
    }
}
