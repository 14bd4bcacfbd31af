import Foundation
import RapportCore
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
    public static func run(paths: AppPaths, clock: Clock, colorMode: ColorMode,
                           environment: [String: String], keymap: Keymap = .standard) -> Int32 {
        do {
            try Terminal.check(environment: environment)
        } catch {
            printError(notATerminalMessage)
            return 2
        }
        let store: Store
        do {
            store = try Store.open(paths)
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
        defer { terminal.shutdown() }
        var loop = Loop(store: store, terminal: terminal, clock: clock, keymap: keymap)
        return loop.run()
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The key's action in the current mode (mouse and resize are not in the table).
    public static func action(for key: Key, state: AppState, keymap: Keymap, size: (Int, Int)) -> Action? {
        switch key {
        case .resize: return .resize(width: size.0, height: size.1)
        case .mouse(let m): return .mouse(m)
        default: return keymap.action(for: key, mode: state.overlays.isEmpty ? .panes : .help)
        }
    }
}

@MainActor
private struct Loop {
    let store: Store
    let terminal: Terminal
    let clock: Clock
    let keymap: Keymap
    var state: AppState
    var running = true
    var changedData = false

    init(store: Store, terminal: Terminal, clock: Clock, keymap: Keymap) {
        self.store = store
        self.terminal = terminal
        self.clock = clock
        self.keymap = keymap
        let size = terminal.size
        state = AppState(db: store.database, policy: store.policy, now: clock.now(), width: size.width,
                         height: size.height, storePath: store.paths.storeDirectory,
                         notices: store.notices, readOnly: store.readOnly)
    }

    mutating func run() -> Int32 {
        var lastTick = clock.now()
        var quickEmptyReads = 0
        terminal.draw(Screen.render(state, keymap: keymap))
        while running {
            if let sig = terminal.takeQuitSignal() { return 128 + sig }
            // Blocks up to a second: idle costs nothing, and the clock still ticks.
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
            if let key, let action = App.action(for: key, state: state, keymap: keymap, size: terminal.size) {
                send(action)
            }
            let now = clock.now()
            if key == nil || now.timeIntervalSince(lastTick) >= 1 {
                lastTick = now
                send(.tick(now))
                refreshFromDisk()
            }
            if running { terminal.draw(Screen.render(state, keymap: keymap)) }
        }
        if changedData, !store.readOnly { try? store.compact() }
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
        send(.reload(store.database, notices: store.notices, readOnly: store.readOnly))
    }

    mutating func send(_ action: Action) {
        for effect in update(&state, action) {
            switch effect {
            case .persist(let change):
                do {
                    try store.apply(change)
                    changedData = true
                    reload()
                } catch {
                    send(.failed("Not saved: \(error)"))
                }
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
