import Foundation
import RapportCore
import RapportStore
import Testing
@testable import RapportApp
@testable import RapportTUI

/// `u` and Ctrl-R in the TUI go through the store's own undo, the one `rapport undo`
/// uses: the effect runner over a real store (`StorePorts`, as the live loop), a second
/// `Store` on the same directory standing in for `rapport` commands.
@Suite("u and Ctrl-R through the store's undo history")
@MainActor
struct StoreUndoTests {
    let dana = Sample.id(1)
    let dir: String
    var paths: AppPaths { AppPaths(storeDirectory: dir) }
    /// Another process: `rapport edit`, `rapport undo`, …
    let other: Store
    var runner: EffectRunner<StorePorts>

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-undo-\(UUID().uuidString)").path
        let seed = try Store.open(AppPaths(storeDirectory: dir))
        try seed.apply(.batch(Sample.database.recruiters.values.sorted { $0.name < $1.name }.map { .putRecruiter($0) }
            + Sample.database.recruiters.keys.flatMap { Sample.database.thread($0).map { Change.putMessage($0) } }))
        try seed.close()
        other = try Store.open(AppPaths(storeDirectory: dir))
        runner = try Self.session(dir, "one")
    }

    /// A TUI session (its own origin `tui:NAME`) on the store, Dana selected.
    static func session(_ dir: String, _ name: String) throws -> EffectRunner<StorePorts> {
        let store = try Store.open(AppPaths(storeDirectory: dir))
        var r = EffectRunner(state: Sample.state(width: 120, height: 40, db: store.database),
                             ports: StorePorts(store: store, origin: .tui(session: name)))
        r.state.focus = .recruiters
        r.state.recruiterCursor = r.state.order.firstIndex(of: Sample.id(1))!
        return r
    }

    /// What a third process reads from disk now (not closed: closing compacts the
    /// journal, which these tests read).
    func onDisk() throws -> Database {
        try Store.open(paths).database
    }

    /// The undo history as `rapport undo --list` reads it (a fresh process).
    func listed() throws -> [(group: UndoGroup, undone: Bool)] {
        let s = try Store.open(paths)
        return s.undoHistory.map { ($0, s.isUndone($0)) }
    }

    func journalLines() -> [String] {
        let text = (try? String(contentsOfFile: paths.journal, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// `rapport edit Dana --targeting …` from the other process.
    func setTargetingElsewhere(_ t: Targeting) throws {
        try other.apply(origin: .cli("edit"), label: "Edit Dana Smith") { _ in .setTargeting(recruiter: dana, targeting: t) }
    }

    @Test("u after a TUI write gives back the data exactly and appends one line; nothing is removed")
    mutating func undoRestoresExactly() throws {
        let before = try onDisk()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let beforeRecord = try encoder.encode(before.record(of: dana))
        runner.send(.markReplied)
        runner.send(.toggleTargeting)
        #expect(try onDisk() != before)
        let written = journalLines()
        runner.send(.undo)
        runner.send(.undo)
        let after = try onDisk()
        #expect(after == before)
        #expect(try encoder.encode(after.record(of: dana)) == beforeRecord, "byte for byte")
        #expect(runner.state.db == after, "the screen shows the store's data")
        let lines = journalLines()
        #expect(lines.count == written.count + 2)
        #expect(Array(lines.prefix(written.count)) == written, "earlier lines untouched")
        #expect(lines.last?.contains("\"origin\":\"tui:one\"") == true)
        #expect(lines.last?.contains("\"undoes\":") == true)
        #expect(runner.state.statusMessage == StatusMessage("Undone: Reply to Dana Smith logged · Ctrl-R redo"))
    }

    @Test("u then Ctrl-R: the same change again, then u takes it back again; a new change drops the redo")
    mutating func redoAfterUndo() throws {
        let before = try onDisk().recruiters[dana]!.targeting
        runner.send(.toggleTargeting)
        let toggled = try onDisk().recruiters[dana]!.targeting
        #expect(toggled != before)
        runner.send(.undo)
        #expect(try onDisk().recruiters[dana]?.targeting == before)
        runner.send(.redo)
        #expect(try onDisk().recruiters[dana]?.targeting == toggled)
        let name = Sample.database.recruiters[dana]!.name
        #expect(runner.state.statusMessage?.text.hasPrefix("Redone: \(name) is now") == true)
        runner.send(.undo)
        #expect(try onDisk().recruiters[dana]?.targeting == before)
        // A new change after the undo: nothing left to redo.
        runner.send(.toggleDoNotContact)
        runner.send(.redo)
        #expect(runner.state.statusMessage == StatusMessage("Nothing to redo"))
        #expect(try onDisk().recruiters[dana]?.targeting == before)
        let history = try listed()
        #expect(history.filter { $0.group.undoes != nil }.count == 2)
        #expect(history.filter { $0.group.redoes != nil }.count == 1)
    }

    @Test("u in the TUI and rapport undo --list / redo see one history")
    mutating func oneHistoryWithTheCLI() throws {
        runner.send(.toggleTargeting)
        runner.send(.undo)
        let history = try listed()
        let toggle = try #require(history.first { $0.group.origin == .tui(session: "one") && !$0.group.isReplay })
        #expect(toggle.undone)
        let undo = try #require(history.last)
        #expect(undo.group.undoes == toggle.group.id)
        #expect(undo.group.origin == .tui(session: "one"))
        #expect(undo.group.label == "Undo: " + toggle.group.label)
        // `rapport redo` alone puts back only a command's or an import's step …
        #expect(throws: Store.nothingToRedo) { try other.redoLatest(matching: \.isUndoableFromCLI, origin: .cli("redo")) }
        // … and `rapport redo ID` any one, the TUI's too; the TUI then sees it as done.
        try other.redo(group: toggle.group.id, origin: .cli("redo"))
        let toggled = try onDisk().recruiters[dana]!.targeting
        runner.send(.redo)
        #expect(runner.state.statusMessage == StatusMessage("Nothing to redo"))
        runner.send(.undo)
        #expect(try onDisk().recruiters[dana]?.targeting != toggled)
        #expect(try listed().first { $0.group.id == toggle.group.id }?.undone == true)
    }

    @Test("u never takes back a command's, an import's, ingest's, sync's or another session's step")
    mutating func onlyThisSession() throws {
        var second = try Self.session(dir, "two")
        runner.send(.toggleTargeting)
        let mine = try onDisk().recruiters[dana]!.targeting
        try other.apply(origin: .cli("edit"), label: "phone") { _ in .setField(recruiter: dana, field: .phone, value: "1") }
        try other.apply(origin: .importer("vcard"), label: "import") { _ in .addTag(recruiter: dana, tag: "imported") }
        try other.apply(origin: .ingest, label: "mail") { _ in .addEmail(recruiter: dana, email: "d@mail.test") }
        second.send(.toggleDoNotContact)
        // Session two takes back its own step only.
        second.send(.undo)
        second.send(.undo)
        #expect(second.state.statusMessage?.text.hasPrefix("Nothing to undo in this session") == true)
        var d = try onDisk().recruiters[dana]!
        #expect(d.status != .doNotContact)
        #expect(d.targeting == mine && d.phone == "1" && d.tags.contains("imported") && d.emails.contains("d@mail.test"))
        // Session one takes back its toggle (other fields changed since: not a conflict).
        runner.send(.undo)
        d = try onDisk().recruiters[dana]!
        #expect(d.targeting != mine && d.phone == "1" && d.tags.contains("imported"))
        runner.send(.undo)
        #expect(runner.state.statusMessage?.text.hasPrefix("Nothing to undo") == true)
        #expect(try onDisk().recruiters[dana]?.phone == "1")
    }

    @Test("u refused when another process changed the same field since: the store's message, nothing written")
    mutating func undoRefusedWithTheStoresMessage() throws {
        runner.send(.toggleTargeting)
        let mine = try onDisk().recruiters[dana]!.targeting
        try setTargetingElsewhere(mine == .targeted ? .blanket : .targeted)
        let lines = journalLines()
        runner.send(.undo)
        #expect(runner.state.statusMessage == StatusMessage("Not undone: Dana Smith's targeting changed since by rapport edit", isError: true))
        #expect(journalLines() == lines)
        #expect(runner.state.db == other.database, "the screen shows the other process's write")
        // The step stays in the history: once the field is back, u takes it back.
        try setTargetingElsewhere(mine)
        runner.send(.undo)
        #expect(try onDisk().recruiters[dana]?.targeting != mine)
        #expect(runner.state.statusMessage?.text.hasPrefix("Undone: ") == true)
    }

    @Test("Ctrl-R refused when another process changed the field after the undo; other fields do not block")
    mutating func redoRefusedWithTheStoresMessage() throws {
        runner.send(.toggleTargeting)
        runner.send(.undo)
        let now = try onDisk().recruiters[dana]!.targeting
        try other.apply(origin: .cli("edit"), label: "notes") { _ in .setField(recruiter: dana, field: .notes, value: "elsewhere") }
        try setTargetingElsewhere(now == .targeted ? .blanket : .targeted)
        runner.send(.redo)
        #expect(runner.state.statusMessage == StatusMessage("Not redone: Dana Smith's targeting changed since by rapport edit", isError: true))
        #expect(try onDisk().recruiters[dana]?.notes == "elsewhere")
    }

    @Test("a restarted TUI starts with nothing to undo; the earlier session's steps stay in the store for rapport undo ID")
    mutating func acrossARestart() throws {
        let before = try onDisk()
        runner.send(.toggleTargeting)
        runner.send(.markReplied)
        // Quit: the store compacts on close (the history goes to undo.jsonl).
        try runner.ports.store.close()
        let afterFirst = try onDisk()
        var next = try Self.session(dir, "two")
        next.send(.undo)
        #expect(next.state.statusMessage == StatusMessage("Nothing to undo in this session · rapport undo --list shows older steps"))
        #expect(try onDisk() == afterFirst, "nothing taken back silently")
        // Nothing is lost: both steps are listed and not undone, and each can be taken back by id.
        let earlier = try listed().filter { $0.group.origin == .tui(session: "one") }
        #expect(earlier.map(\.group.label) == ["Dana Smith is now blanket", "Reply to Dana Smith logged"]
            || earlier.map(\.group.label) == ["Dana Smith is now targeted", "Reply to Dana Smith logged"])
        #expect(earlier.allSatisfy { !$0.undone })
        for step in earlier.reversed() { try other.undo(group: step.group.id, origin: .cli("undo")) }
        #expect(try onDisk() == before)
    }
}
