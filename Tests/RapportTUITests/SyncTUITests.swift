import Foundation
import RapportCore
import RapportApp
import RapportSpell
import RapportText
import Testing
@testable import RapportTUI

/// The outside world for sync: a sync "runs" until the test finishes it, as the real one
/// runs on a thread while the loop keeps turning.
struct SyncFakePorts: AppPorts {
    var db: Database
    var summary: SyncSummary?
    /// Starts: how many syncs were started; `running` until `finish` sets an outcome.
    var started = 0
    var running = false
    var outcome: SyncOutcome?
    var notStarting: String?
    var acknowledged: [UUID] = []
    var ackFails: String?

    var database: Database { db }
    var storeNotices: [String] { [] }
    var readOnly: Bool { false }
    var size: (width: Int, height: Int) { (120, 40) }
    func refresh() throws -> Bool { false }
    mutating func apply(label: String, _ build: (Database) throws -> Change) throws -> (change: Change, inverse: Change) {
        let change = try build(db)
        let inverse = try db.inverse(of: change)
        try db.apply(change)
        return (change, inverse)
    }
    mutating func undo() throws -> String? { nil }
    mutating func redo() throws -> String? { nil }
    mutating func copyToClipboard(_ text: String) {}
    mutating func editExternally(_ text: String) -> EditorResult { .noEditor }
    func spellCheck(_ text: String, ignoring: Set<String>) -> SpellResult { .checked(engine: "test", misspellings: []) }
    func invalidate() {}
    func suspend() {}

    mutating func startSync() -> String? {
        if let why = notStarting { return why }
        started += 1
        running = true
        return nil
    }
    mutating func finishedSync() -> SyncOutcome? {
        guard running, let o = outcome else { return nil }
        running = false
        outcome = nil
        return o
    }
    func syncSummary() -> SyncSummary? { summary }
    mutating func acknowledgeConflicts(of recruiter: UUID) throws {
        if let why = ackFails { throw FakeWriteError(message: why) }
        acknowledged.append(recruiter)
        summary?.conflicts.removeAll { $0.conflict.recruiter == recruiter }
    }
}

@Suite("Sync in the TUI: Y, the title bar, conflicts on the recruiter")
@MainActor
struct SyncTUITests {
    let dana = Sample.id(1)

    func conflict(on id: UUID, name: String = "Dana Smith") -> RecordedConflict {
        let w = WriteID(device: "aaaaaaaaaa", number: 4, sub: 0, clock: HLC(wall: 1_000, device: "aaaaaaaaaa"))
        let l = WriteID(device: "bbbbbbbbbb", number: 7, sub: 0, clock: HLC(wall: 900, device: "bbbbbbbbbb"))
        return RecordedConflict(conflict: SyncConflict(kind: .field, recruiter: id, name: name, what: "firm", winner: w, loser: l,
                                                       loserValue: "Acme", winnerValue: "Globex"),
                                found: Sample.now.addingTimeInterval(-600), winnerDevice: "laptop", loserDevice: "desktop")
    }

    func runner(summary: SyncSummary?) -> EffectRunner<SyncFakePorts> {
        var state = Sample.state(width: 120, height: 40, db: Sample.database)
        state.sync = summary
        return EffectRunner(state: state, ports: SyncFakePorts(db: Sample.database, summary: summary))
    }

    @Test("Y is bound in the panes and no key is reserved any more")
    func keyIsBound() {
        #expect(Keymap.standard.command(for: .char("Y"), mode: .panes) == .sync)
        #expect(Keymap.standard.command(for: .char("C"), mode: .panes) == .acknowledgeConflicts)
        #expect(Keymap.reserved.isEmpty)
        #expect(Keymap.standard.duplicates.isEmpty)
    }

    @Test("Y asks for a sync, says so, and a second Y while it runs starts nothing")
    func updateStartsOnce() {
        var state = Sample.state(width: 120, height: 40, db: Sample.database)
        state.sync = SyncSummary(lastSync: nil, unsent: 2, conflicts: [])
        #expect(update(&state, .sync) == [.sync])
        #expect(state.syncRunning)
        #expect(state.statusMessage?.text == "Syncing…")
        #expect(state.syncLabel == "syncing… · ↑ 2 unsent")
        #expect(update(&state, .sync) == [])
        #expect(state.statusMessage?.text == "A sync is already running")
        _ = update(&state, .synced(.done("12 changes from desktop, 1 conflict: Dana Smith firm")))
        #expect(!state.syncRunning)
        #expect(state.statusMessage == StatusMessage("12 changes from desktop, 1 conflict: Dana Smith firm"))
    }

    @Test("Y without sync set up says how to set it up, as an error, and asks for nothing")
    func notSetUp() {
        var state = Sample.state(width: 120, height: 40, db: Sample.database)
        #expect(update(&state, .sync) == [])
        #expect(state.statusMessage?.isError == true)
        #expect(state.statusMessage?.text.contains("rapport sync init") == true)
    }

    @Test("the runner starts the sync, keeps turning while it runs, and shows the report when it ends")
    func runnerRunsInTheBackground() {
        var r = runner(summary: SyncSummary(lastSync: Sample.now.addingTimeInterval(-300), unsent: 3, conflicts: []))
        #expect(r.state.syncLabel == "synced 5m ago · ↑ 3 unsent")
        r.send(.sync)
        #expect(r.ports.started == 1)
        // While it runs, keys still act.
        let early = r.pollSync()
        #expect(!early)
        r.send(.move(1))
        #expect(r.state.recruiterCursor == 1)
        #expect(r.state.syncRunning)
        // It ends: the data and the summary are read again, the report is on the status line.
        r.ports.summary = SyncSummary(lastSync: Sample.now, unsent: 0, conflicts: [conflict(on: dana)])
        r.ports.outcome = .done("12 changes from desktop, 1 conflict: Dana Smith firm")
        let ended = r.pollSync()
        #expect(ended)
        #expect(!r.state.syncRunning)
        #expect(r.state.statusMessage?.text == "12 changes from desktop, 1 conflict: Dana Smith firm")
        #expect(r.state.syncLabel == "synced just now · 1 conflict")
        let again = r.pollSync()
        #expect(!again)
    }

    @Test("a sync that fails or cannot start says why in one line, as an error")
    func failures() {
        var r = runner(summary: SyncSummary(lastSync: nil, unsent: 0, conflicts: []))
        r.ports.notStarting = "sync is not set up: run rapport sync init REMOTE"
        r.send(.sync)
        #expect(r.state.statusMessage?.isError == true)
        #expect(r.state.statusMessage?.text == "Sync failed: sync is not set up: run rapport sync init REMOTE")
        #expect(!r.state.syncRunning)
        r.ports.notStarting = nil
        r.send(.sync)
        r.ports.outcome = .failed("git fetch from the sync remote failed:\nfatal: 'x' does not appear to be a git repository")
        r.pollSync()
        #expect(r.state.statusMessage?.isError == true)
        #expect(r.state.statusMessage?.text.contains("\n") == false)
        #expect(r.state.statusMessage?.text.contains("does not appear") == true)
    }

    @Test("a recruiter's conflict shows under the thread header with both values and the winner; C clears it")
    func conflictOnTheRecruiter() {
        var r = runner(summary: SyncSummary(lastSync: Sample.now, unsent: 0, conflicts: [conflict(on: dana)]))
        r.state.focus = .recruiters
        r.state.recruiterCursor = r.state.order.firstIndex(of: dana)!
        let lines = r.state.conflictLines()
        #expect(lines == ["⚠ conflict: firm: 'Globex' (laptop) won over 'Acme' (desktop) · C clears"])
        let screen = Screen.render(r.state).text
        #expect(screen.contains("⚠ conflict: firm: 'Globex' (laptop) won over 'Acme' (desktop)"))
        #expect(screen.contains("1 conflict"))
        r.send(.acknowledgeConflicts)
        #expect(r.ports.acknowledged == [dana])
        #expect(r.state.conflictLines().isEmpty)
        #expect(r.state.statusMessage?.text == "1 sync conflict on Dana Smith cleared")
        #expect(!Screen.render(r.state).text.contains("⚠ conflict"))
        // Nothing left: C says so and asks for nothing.
        let effects = r.send(.acknowledgeConflicts)
        #expect(effects.isEmpty)
        #expect(r.state.statusMessage?.text == "No sync conflicts on Dana Smith")
    }

    @Test("an acknowledgement refused (a sync is running) is an error and the conflict stays")
    func acknowledgementRefused() {
        var r = runner(summary: SyncSummary(lastSync: Sample.now, unsent: 0, conflicts: [conflict(on: dana)]))
        r.state.recruiterCursor = r.state.order.firstIndex(of: dana)!
        r.ports.ackFails = "a sync is running; try again when it has finished"
        r.send(.acknowledgeConflicts)
        #expect(r.state.statusMessage?.isError == true)
        #expect(r.state.conflictLines().count == 1)
    }

    @Test("with autoSyncMinutes the tick starts a sync once that long has passed, not every second after a failure")
    func autoSync() {
        var state = Sample.state(width: 120, height: 40, db: Sample.database)
        state.sync = SyncSummary(lastSync: Sample.now.addingTimeInterval(-240), unsent: 0, conflicts: [])
        #expect(update(&state, .tick(Sample.now)) == [])
        state.autoSyncMinutes = 5
        #expect(update(&state, .tick(Sample.now)) == [])
        #expect(update(&state, .tick(Sample.now.addingTimeInterval(61))) == [.sync])
        #expect(state.statusMessage == nil)
        _ = update(&state, .synced(.failed("offline")))
        #expect(update(&state, .tick(Sample.now.addingTimeInterval(62))) == [])
        #expect(update(&state, .tick(Sample.now.addingTimeInterval(61 + 301))) == [.sync])
    }
}
