import Foundation
import RapportCore
import RapportSpell
import RapportStore
import RapportTerminal

/// The event loop: the only place where the terminal, the store and the clock meet
/// `update`. One keypress: `Terminal.readKey` → `Key` → `Keymap` → `Action` →
/// `update` → effects run here (`store.apply` for `.persist`) → `Screen.render` →
/// `Terminal.draw`.
@MainActor
public enum App {
    /// The one line printed when there is no terminal to draw on.
    public nonisolated static let notATerminalMessage = "rapport: not a terminal; use `rapport list` / `rapport due` for scripts"

    /// Runs the interface until the user quits or a quit signal arrives. Returns the
    /// exit status: 0 after `q`, 128 + signal after SIGINT/SIGTERM/SIGHUP, 2 when
    /// there is no usable terminal, 1 when the store cannot be opened.
    public static func run(paths: AppPaths, clock: Clock, policy: Policy, colorMode: ColorMode,
                           environment: [String: String], keymap: Keymap = .standard) -> Int32 {
        do {
            try Terminal.check(environment: environment)
        } catch {
            printError(notATerminalMessage)
            return 2
        }
        let store: Store
        do {
            store = try Store.open(paths, policy: policy, clock: clock)
        } catch let e as RapportError {
            printError("rapport: \(e.description)")
            return e.exitCode
        } catch {
            printError("rapport: cannot open the store at \(paths.storeDirectory): \(error)")
            return 1
        }
        let terminal: Terminal
        do {
            terminal = try Terminal(colorMode: colorMode, environment: environment)
        } catch {
            printError(notATerminalMessage)
            return 2
        }
        var loop = Loop(store: store, terminal: terminal, clock: clock, keymap: keymap, environment: environment)
        let status = loop.run()
        terminal.shutdown()
        // Clean exit: the store compacts its journal and releases its lock.
        do {
            try store.close()
        } catch {
            printError("rapport: \(error)")
            return status == 0 ? 1 : status
        }
        return status
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The key's action in the current mode (mouse and resize are not in the table).
    /// In a form, the search prompt or the inline editor, keys the table does not bind
    /// are typed into the field.
    public static func action(for key: Key, state: AppState, keymap: Keymap, size: (Int, Int)) -> Action? {
        switch key {
        case .resize: return .resize(width: size.0, height: size.1)
        case .mouse(let m): return .mouse(m)
        default:
            let mode = state.keyMode
            if let a = keymap.action(for: key, mode: mode) { return a }
            return mode.takesText ? .input(key) : nil
        }
    }
}

@MainActor
private struct Loop {
    let store: Store
    let terminal: Terminal
    let clock: Clock
    let keymap: Keymap
    let environment: [String: String]
    var state: AppState
    var running = true
    var noticeFeed: NoticeFeed
    /// This session's origin on every journal line it writes (`rapport undo` leaves them alone).
    let origin = Origin.tui(session: String(UUID().uuidString.lowercased().prefix(8)))

    init(store: Store, terminal: Terminal, clock: Clock, keymap: Keymap, environment: [String: String]) {
        self.store = store
        self.terminal = terminal
        self.clock = clock
        self.keymap = keymap
        self.environment = environment
        let size = terminal.size
        state = AppState(db: store.database, policy: store.policy, now: clock.now(), width: size.width,
                         height: size.height, storePath: store.paths.storeDirectory,
                         notices: store.notices, readOnly: store.readOnly)
        noticeFeed = NoticeFeed(alreadyShown: store.notices)
        // Reply templates (shipped + the user's) and {my_name}; problems become notices.
        if let config = try? UserConfig(environment: environment) {
            let t = config.templates()
            state.templates = t.templates
            state.notices += t.problems
            do {
                state.myName = try config.myName(environment: environment)
            } catch {
                state.notices.append("\(error)")
            }
        }
    }

    mutating func run() -> Int32 {
        // Ticks are scheduled on the monotonic clock; `clock` (fixed by RAPPORT_NOW in
        // tests) only says what time it is.
        var lastTick = ContinuousClock.now
        var quickEmptyReads = 0
        terminal.draw(Screen.render(state, keymap: keymap))
        while running {
            if let sig = terminal.takeQuitSignal() { return 128 + sig }
            // Blocks up to a quarter second (Terminal.readTimeout): idle costs nothing,
            // and a resize or a signal is seen within that even where ncurses resumes
            // its wait after the signal.
            let started = ContinuousClock.now
            let key = terminal.readKey()
            // A terminal that went away (pane closed without SIGHUP reaching us) makes
            // reads fail at once; never spin on it.
            if key == nil, ContinuousClock.now - started < .milliseconds(20) {
                quickEmptyReads += 1
                if quickEmptyReads > 50 { return 128 + SIGHUP }
            } else {
                quickEmptyReads = 0
            }
            var changed = false
            if let key, let action = App.action(for: key, state: state, keymap: keymap, size: terminal.size) {
                send(action)
                changed = true
                // A paste arrives as many keys at once: take all that are waiting, then
                // draw once.
                var drained = 0
                while running, drained < 4096, let more = terminal.pollKey() {
                    drained += 1
                    if let a = App.action(for: more, state: state, keymap: keymap, size: terminal.size) { send(a) }
                }
            }
            // The clock ticks once a second: relative times stay current, other
            // processes' writes show up.
            if ContinuousClock.now - lastTick >= .seconds(1) {
                lastTick = ContinuousClock.now
                send(.tick(clock.now()))
                refreshFromDisk()
                changed = true
            }
            if running && changed { terminal.draw(Screen.render(state, keymap: keymap)) }
        }
        return 0
    }

    /// Picks up other processes' writes (at most a second late).
    mutating func refreshFromDisk() {
        do {
            if try store.refresh() { reload() }
        } catch {
            send(.failed("Could not reread the store: \(error)"))
        }
    }

    mutating func reload() {
        send(.reload(store.database, notices: noticeFeed.new(in: store.notices), readOnly: store.readOnly))
    }

    mutating func send(_ action: Action) {
        for effect in update(&state, action) {
            switch effect {
            case .persist(let change):
                do {
                    // An undo or redo was checked on the data on screen; another process
                    // may have written since the last tick: check again on the store's.
                    if state.lastPersist == .undo || state.lastPersist == .redo {
                        if try store.refresh() { reload() }
                        guard state.pendingReplay(on: store.database) else {
                            send(.replayRefused)
                            continue
                        }
                    }
                    try store.apply(change, origin: origin, label: state.statusMessage?.text ?? "")
                    reload()
                } catch {
                    send(.saveFailed("\(error)"))
                }
            case .copyToClipboard(let text):
                terminal.copyToClipboard(text)
            case .editExternally(let text):
                let env = environment
                let edited = ExternalEditor.edit(text, environment: env) { body in terminal.suspended(body) }
                send(.resize(width: terminal.size.width, height: terminal.size.height))
                send(.draftEdited(edited))
            case .spellCheck(let text, let ignoring):
                send(.spellChecked(SpellChecker(environment: environment).check(text, ignoring: Set(ignoring))))
            case .quit:
                running = false
            case .redraw:
                terminal.invalidate()
            case .suspend:
                terminal.suspend()
                send(.resize(width: terminal.size.width, height: terminal.size.height))
            }
        }
    }
}
