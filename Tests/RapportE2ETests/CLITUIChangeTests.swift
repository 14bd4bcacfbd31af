import Foundation
import RapportCore
import RapportSpell
import RapportText
import RapportStore
import Testing
@testable import RapportApp
@testable import RapportTUI

/// The TUI's effect runner on a real store and nothing else, applying as the live loop
/// does: the change is built under the store's lock with origin `tui:<session>`.
@MainActor
struct JournalPorts: AppPorts {
    let store: Store
    var database: Database { store.database }
    var storeNotices: [String] { store.notices }
    var readOnly: Bool { store.readOnly }
    var size: (width: Int, height: Int) { (120, 40) }
    func refresh() throws -> Bool { try store.refresh() }
    func apply(label: String, _ build: (Database) throws -> Change) throws -> (change: Change, inverse: Change) {
        let applied = try store.apply(origin: .tui(session: "same"), label: label, build)
        return (applied.change, applied.inverse)
    }
    func undo() throws -> String? { try store.undoLatest(of: .tui(session: "same"))?.label }
    func redo() throws -> String? { try store.redoLatest(of: .tui(session: "same"))?.label }
    func copyToClipboard(_ text: String) {}
    func editExternally(_ text: String) -> EditorResult { .noEditor }
    func spellCheck(_ text: String, ignoring: Set<String>) -> SpellResult { .checked(engine: "test", misspellings: []) }
    func invalidate() {}
    func suspend() {}
}

/// Each workflow run through the CLI (the built binary) and through the TUI's `update`
/// and effect runner on the same store: both journal lines hold the same `Change` (ids
/// and times aside).
@Suite("The same Change from the CLI and from the TUI")
@MainActor
struct CLITUIChangeTests {
    let cli = CLIChangeTests()
    var dana: UUID { cli.dana }

    /// Runs `drive` on the TUI over a fresh copy of the CLI tests' store and returns the
    /// undo group it wrote.
    func tui(_ drive: (inout EffectRunner<JournalPorts>) -> Void) throws -> UndoGroup {
        let dir = try cli.makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store.open(AppPaths(storeDirectory: dir))
        defer { try? store.close() }
        let seed = store.undoHistory.last?.id
        var state = AppState(db: store.database, policy: store.policy, now: cli.nowDate, width: 120, height: 40, storePath: dir)
        state.templates = [MessageTemplate(name: "decline", subject: "Re: Role", body: "Hi {first_name}, not for me: {reason}.")]
        state.focus = .recruiters
        state.recruiterCursor = try #require(state.order.firstIndex(of: dana))
        var runner = EffectRunner(state: state, ports: JournalPorts(store: store))
        drive(&runner)
        let group = try #require(store.undoHistory.last)
        #expect(group.id != seed, "the TUI wrote nothing; status: \(runner.state.statusMessage?.text ?? "-")")
        #expect(group.origin == .tui(session: "same"))
        return group
    }

    /// The CLI's change for `args` and the TUI's for `drive` are the same.
    func same(_ args: String..., tui drive: (inout EffectRunner<JournalPorts>) -> Void) throws {
        let fromCLI = try cli.cli(args).group.change
        let fromTUI = try tui(drive).change
        // The CLI's edit writes its field changes as a batch (here of one).
        func unwrapped(_ c: Change) -> Change { if case .batch(let cs) = c, cs.count == 1 { return cs[0] } else { return c } }
        let (t, c) = (try cli.normalized(unwrapped(fromTUI)), try cli.normalized(unwrapped(fromCLI)))
        #expect(t == c, "rapport \(args.joined(separator: " ")): TUI \(t) CLI \(c)")
    }

    /// The TUI's change for `drive` is the builder's (for keys with no CLI command).
    func builds(_ drive: (inout EffectRunner<JournalPorts>) -> Void, _ build: (Database) throws -> Change) throws {
        let dir = try cli.makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try Store.open(AppPaths(storeDirectory: dir)).database
        #expect(try cli.normalized(tui(drive).change) == cli.normalized(build(before)))
    }

    @Test func reply() throws {
        try same("reply", "dana") { $0.send(.markReplied) }
    }

    @Test func decline() throws {
        // The TUI logs the draft it copied; the CLI logs the reason. The rest is the same.
        let fromCLI = try cli.cli(["decline", "dana", "--reason", "too far", "--reengage", "+90d"]).group.change
        let fromTUI = try tui { r in
            r.send(.decline)
            type(&r, "too far")
            r.send(.nextField)
            type(&r, "+90d")
            r.send(.submit)  // the draft from the template, in the inline editor
            r.send(.submit)  // to the review
            r.send(.submit)  // copied and logged
        }.change
        #expect(try cli.normalized(withoutText(fromTUI)) == cli.normalized(withoutText(fromCLI)))
    }

    @Test func interview() throws {
        try same("interview", "dana", "--at", "2026-11-24T10:00:00Z", "--role", "SRE", "--employer", "Foo", "--with", "Alex, Sam") { r in
            r.send(.logInterview)
            type(&r, "2026-11-24 10:00")
            r.send(.nextField)
            clear(&r); type(&r, "SRE")
            r.send(.nextField)
            clear(&r); type(&r, "Foo")
            r.send(.nextField)
            type(&r, "Alex, Sam")
            r.send(.submit)
        }
    }

    @Test func followUp() throws {
        try same("follow-up", "dana", "--due", "+3d", "--note", "send CV") { r in
            r.send(.followUp)
            r.send(.nextField)
            type(&r, "send CV")
            r.send(.submit)
        }
    }

    @Test func done() throws {
        let id = cli.followUp
        try same("done", id.uuidString.lowercased()) { r in
            r.state.focus = .deadlines
            r.state.deadlineCursor = r.state.deadlines.firstIndex { $0.followUpID == id } ?? -1
            r.send(.markDone)
        }
    }

    @Test func snooze() throws {
        let id = cli.followUp
        try same("snooze", id.uuidString.lowercased(), "--until", "+1d") { r in
            r.state.focus = .deadlines
            r.state.deadlineCursor = r.state.deadlines.firstIndex { $0.followUpID == id } ?? -1
            r.send(.snooze)
            r.send(.submit)  // +1d
        }
    }

    @Test func togglesAreTheBuildersChanges() throws {
        // No CLI command sets targeting or do-not-contact: the TUI's change is the builder's.
        try builds({ $0.send(.toggleTargeting) }) { db in Workflows.toggleTargeting(db.recruiters[dana]!) }
        try builds({ $0.send(.toggleDoNotContact) }) { db in Workflows.toggleDoNotContact(db.recruiters[dana]!) }
    }

    @Test func log() throws {
        try same("log", "dana", "--in", "--subject", "Hello", "--channel", "phone") { r in
            r.send(.logMessage)
            r.send(.nextField)
            r.send(.input(.char("p")))  // phone
            r.send(.nextField)
            r.send(.nextField)
            type(&r, "Hello")
            r.send(.submit)
        }
    }

    @Test func add() throws {
        try same("add", "Lee Jones", "--firm", "Initech", "--email", "lee@x.test", "--tag", "go") { r in
            r.send(.addRecruiter)
            type(&r, "Lee Jones")
            r.send(.nextField)
            type(&r, "Initech")
            r.send(.nextField)
            type(&r, "lee@x.test")
            for _ in 0..<4 { r.send(.nextField) }  // phone, LinkedIn, time zone, tags
            type(&r, "go")
            r.send(.submit)
        }
    }

    @Test func edit() throws {
        try same("edit", "dana", "--firm", "Globex") { r in
            r.send(.editRecruiter)
            r.send(.nextField)
            clear(&r)
            type(&r, "Globex")
            r.send(.submit)
        }
    }

    @Test func checklistTick() throws {
        let first = try #require(ChecklistItem.allCases.first { $0.scope == .recruiter })
        try same("checklist", "dana", "--done", first.rawValue) { r in
            r.send(.openCallPrep)
            r.send(.toggleChecklistItem)
        }
    }
}

@MainActor
private func type(_ r: inout EffectRunner<JournalPorts>, _ text: String) {
    for c in text { r.send(.input(.char(c))) }
}

@MainActor
private func clear(_ r: inout EffectRunner<JournalPorts>) {
    r.send(.input(.ctrl("u")))
}

/// The change with every logged message's subject and body dropped.
private func withoutText(_ c: Change) -> Change {
    switch c {
    case .putMessage(var m):
        m.subject = nil
        m.body = nil
        return .putMessage(m)
    case .batch(let cs):
        return .batch(cs.map(withoutText))
    default:
        return c
    }
}
