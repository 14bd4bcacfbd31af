import Foundation
import RapportCore
import RapportSpell
import RapportText
import RapportStore
import Testing
@testable import RapportApp
@testable import RapportTUI

/// Ports with a real store on disk and nothing else: the effect runner applies through
/// it exactly as the live loop does (build under the lock, on the store's fresh data).
@MainActor
struct StorePorts: AppPorts {
    let store: Store
    /// This TUI session, as the journal's `origin` of its changes.
    var origin = Origin.tui(session: "test")
    var database: Database { store.database }
    var storeNotices: [String] { store.notices }
    var readOnly: Bool { store.readOnly }
    var size: (width: Int, height: Int) { (120, 40) }
    func refresh() throws -> Bool { try store.refresh() }
    func apply(label: String, _ build: (Database) throws -> Change) throws -> (change: Change, inverse: Change) {
        let applied = try store.apply(origin: origin, label: label, build)
        return (applied.change, applied.inverse)
    }
    func undo() throws -> String? { try store.undoLatest(of: origin)?.label }
    func redo() throws -> String? { try store.redoLatest(of: origin)?.label }
    func copyToClipboard(_ text: String) {}
    func editExternally(_ text: String) -> EditorResult { .noEditor }
    func spellCheck(_ text: String, ignoring: Set<String>) -> SpellResult { .unavailable("not in tests") }
    func invalidate() {}
    func suspend() {}
}

/// The TUI's effect runner on one `Store` and a second `Store` on the same directory
/// (another process, e.g. `rapport log`) that writes between the key and its execution:
/// the screen's copy is stale, the store's data is not.
@Suite("Effect runner against a store another process wrote to")
@MainActor
struct TwoStoreTests {
    let dana = Sample.id(1)
    let dir: String
    let other: Store
    var runner: EffectRunner<StorePorts>

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-two-\(UUID().uuidString)").path
        let paths = AppPaths(storeDirectory: dir)
        let seed = try Store.open(paths)
        try seed.apply(.batch(Sample.database.recruiters.values.sorted { $0.name < $1.name }.map { .putRecruiter($0) }
            + Sample.database.recruiters.keys.flatMap { Sample.database.thread($0).map { Change.putMessage($0) } }))
        try seed.close()
        let mine = try Store.open(paths)
        other = try Store.open(paths)
        runner = EffectRunner(state: Sample.state(width: 120, height: 40, db: mine.database), ports: StorePorts(store: mine))
        runner.state.focus = .recruiters
        runner.state.recruiterCursor = runner.state.order.firstIndex(of: dana)!
    }

    /// What a third process reads from disk now.
    func onDisk() throws -> Database {
        let s = try Store.open(AppPaths(storeDirectory: dir))
        defer { try? s.close() }
        return s.database
    }

    /// `rapport log DANA --in --subject SUBJECT` from the other process.
    func logElsewhere(_ subject: String) throws -> UUID {
        let applied = try other.apply(origin: .cli("log"), label: "Log") { db in
            try Workflows.log(dana, in: db, direction: .inbound, channel: .email, at: Sample.now, subject: subject, body: nil)
        }
        guard case .putMessage(let m) = applied.change else { throw E2E("log did not put a message") }
        return m.id
    }

    struct E2E: Error { var what: String; init(_ w: String) { what = w } }

    @Test("rapport log, then d y u in the TUI with its copy stale: the restored recruiter has the message")
    mutating func deleteUndoKeepsLoggedMessage() throws {
        let id = try logElsewhere("X from the shell")
        #expect(runner.state.db.message(id) == nil, "the screen must not have reloaded yet")
        runner.send(.delete)
        runner.send(.submit)
        #expect(try onDisk().recruiters[dana] == nil)
        runner.send(.undo)
        let db = try onDisk()
        #expect(db.recruiters[dana] != nil)
        #expect(db.message(id)?.subject == "X from the shell")
        #expect(db.thread(dana).filter { $0.id == id }.count == 1)
        // Redo deletes it again, and a second undo brings back the message once more.
        runner.send(.redo)
        #expect(try onDisk().recruiters[dana] == nil)
        runner.send(.undo)
        #expect(try onDisk().message(id)?.subject == "X from the shell")
    }

    @Test("rapport decline, then t with the copy stale: the decline stays, the targeting flips")
    mutating func declineThenToggleKeepsDecline() throws {
        let before = try onDisk().recruiters[dana]!
        try other.apply(origin: .cli("decline"), label: "Decline") { db in
            Workflows.decline(recruiter: db.recruiters[dana]!, in: db, now: Sample.now, reason: nil, reengage: nil)
        }
        #expect(runner.state.db.recruiters[dana]?.status != .declined)
        runner.send(.toggleTargeting)
        let after = try onDisk().recruiters[dana]!
        #expect(after.status == .declined)
        #expect(after.targeting != before.targeting)
    }

    @Test("a note written elsewhere survives D, r and the undo of both")
    mutating func fieldWriteSurvivesToggleReplyAndUndo() throws {
        try other.apply(origin: .cli("edit"), label: "Edit") { _ in .setField(recruiter: dana, field: .notes, value: "met at the meetup") }
        runner.send(.toggleDoNotContact)
        #expect(try onDisk().recruiters[dana]?.status == .doNotContact)
        let logged = try logElsewhere("while D was on")
        runner.send(.markReplied)
        runner.send(.undo) // the reply
        runner.send(.undo) // D
        let db = try onDisk()
        #expect(db.recruiters[dana]?.notes == "met at the meetup")
        #expect(db.recruiters[dana]?.status != .doNotContact)
        #expect(db.message(logged) != nil)
        #expect(db.thread(dana).filter { $0.direction == .outbound && $0.at == Sample.now }.isEmpty)
    }

    @Test("an undo over a newer write of the same field elsewhere is refused; nothing is overwritten")
    mutating func undoOverNewerWriteRefused() throws {
        runner.send(.toggleTargeting)
        let mine = try onDisk().recruiters[dana]!.targeting
        let theirs: Targeting = mine == .targeted ? .blanket : .targeted
        try other.apply(origin: .cli("edit"), label: "Edit") { _ in .setTargeting(recruiter: dana, targeting: theirs) }
        runner.send(.undo)
        #expect(try onDisk().recruiters[dana]?.targeting == theirs)
        #expect(runner.state.statusMessage?.isError == true)
    }

    @Test("200 interleaved rounds of another process's writes and t, D, r, d y u, Ctrl-R: every acknowledged write is there once")
    mutating func interleavedRounds() throws {
        var logged: [UUID] = []
        var notes: String?
        var tags: [String] = []
        var refusedWhileDeleted = 0
        for round in 0..<200 {
            // The other process writes first on even rounds, after the key on odd ones.
            let writeFirst = round % 2 == 0
            // A write that throws was not acknowledged (the recruiter may be deleted at
            // that moment); only acknowledged writes are checked at the end.
            func write() {
                do {
                    switch round % 3 {
                    case 0: logged.append(try logElsewhere("round \(round)"))
                    case 1:
                        let n = "note \(round)"
                        try other.apply(origin: .cli("edit"), label: "Edit") { _ in .setField(recruiter: dana, field: .notes, value: n) }
                        notes = n
                    default:
                        let t = "r\(round)"
                        try other.apply(origin: .cli("tag"), label: "Tag") { _ in .addTag(recruiter: dana, tag: t) }
                        tags.append(t)
                    }
                } catch { refusedWhileDeleted += 1 }
            }
            if writeFirst { write() }
            switch round % 5 {
            case 0: runner.send(.toggleTargeting)
            case 1: runner.send(.toggleDoNotContact)
            case 2: runner.send(.markReplied)
            case 3:
                runner.send(.delete)
                runner.send(.submit)
                if !writeFirst { write() }
                runner.send(.undo)
                if writeFirst {
                    runner.send(.redo)
                    runner.send(.undo)
                }
                continue
            default:
                runner.send(.undo)
            }
            if !writeFirst { write() }
        }
        let db = try onDisk()
        #expect(db.recruiters[dana] != nil)
        let thread = db.thread(dana)
        #expect(logged.count >= 60)
        for id in logged { #expect(thread.filter { $0.id == id }.count == 1, "message \(id) lost or duplicated") }
        #expect(Set(thread.map(\.id)).count == thread.count)
        #expect(db.recruiters[dana]?.notes == notes)
        #expect(Set(tags).isSubset(of: Set(db.recruiters[dana]?.tags ?? [])))
        // Only writes made while the recruiter was deleted are refused (rounds ≡ 3 mod 5, odd).
        #expect(refusedWhileDeleted <= 20)
    }
}
