import Foundation
import RapportCore
import RapportSpell
import RapportTerminal
import RapportText
import RapportTUI

/// An import's review list on its own screen (`rapport import linkedin PATH` in a
/// terminal): the same state, keys, `update` and effect runner as the main interface,
/// with the review open and nothing else. Writes nothing: the caller applies the
/// outcome through the store.
@MainActor
public enum ReviewApp {
    /// Shows `review` until the user commits or cancels. Returns nil when there is no
    /// usable terminal; `.cancel` also after a quit signal.
    public static func run(_ review: ImportReview, policy: Policy, clock: Clock, colorMode: ColorMode,
                           environment: [String: String]) -> ReviewOutcome? {
        guard (try? Terminal.check(environment: environment)) != nil,
              let terminal = try? Terminal(colorMode: colorMode, environment: environment) else { return nil }
        defer { terminal.shutdown() }
        let size = terminal.size
        var state = AppState(db: Database(), policy: policy, now: clock.now(), width: size.width, height: size.height)
        state.review = review
        var runner = EffectRunner(state: state, ports: ReviewPorts(terminal: terminal))
        let keymap = Keymap.standard
        var lastTick = ContinuousClock.now
        var pastes = PasteDecoder()
        terminal.draw(Screen.render(runner.state, keymap: keymap))
        while runner.running {
            if terminal.takeQuitSignal() != nil { return .cancel }
            var changed = false
            // A bracketed paste is put together and ignored with a notice, never read as keys.
            if let key = terminal.readKey() {
                var keys = [key]
                while keys.count < 4096, let more = terminal.pollKey() { keys.append(more) }
                runner.send(inputs: pastes.feed(keys), keymap: keymap)
                changed = true
            } else {
                let inputs = pastes.idle()
                changed = !inputs.isEmpty
                runner.send(inputs: inputs, keymap: keymap)
            }
            if ContinuousClock.now - lastTick >= .seconds(1) {
                lastTick = ContinuousClock.now
                runner.send(.tick(clock.now()))
                changed = true
            }
            if runner.running && changed { terminal.draw(Screen.render(runner.state, keymap: keymap)) }
        }
        return runner.reviewOutcome ?? .cancel
    }
}

/// The review's outside world: a terminal and no store (the review writes nothing).
@MainActor
struct ReviewPorts: AppPorts {
    let terminal: Terminal

    var database: Database { Database() }
    var storeNotices: [String] { [] }
    var readOnly: Bool { true }
    var size: (width: Int, height: Int) { terminal.size }

    func refresh() throws -> Bool { false }
    func apply(label: String, _ build: (Database) throws -> Change) throws -> (change: Change, inverse: Change) {
        throw RapportError.failure("the review list writes nothing; Enter commits the import")
    }
    func undo() throws -> String? { nil }
    func redo() throws -> String? { nil }
    func copyToClipboard(_ text: String) { terminal.copyToClipboard(text) }
    func editExternally(_ text: String) -> EditorResult { .noEditor }
    func spellCheck(_ text: String, ignoring: Set<String>) -> SpellResult { .unavailable("not in the review") }
    func invalidate() { terminal.invalidate() }
    func suspend() { terminal.suspend() }
}
