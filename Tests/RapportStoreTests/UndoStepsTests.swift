import Foundation
import RapportCore
@testable import RapportStore
import Testing

/// `Store.undoSteps` (what `rapport undo --list` shows) reads `undo.jsonl` without
/// decoding any group's changes, and agrees with the full history.
@Suite struct UndoStepsTests {
    let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
    let kenji = UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!

    func expected(_ s: Store) -> [UndoStep] {
        s.undoHistory.map { g in
            UndoStep(id: g.id, origin: g.origin, label: g.label, at: g.at, isReplay: g.isReplay,
                     undone: !g.isReplay && s.isUndone(g))
        }
    }

    @Test func stepsFromAnUnreadFileMatchTheFullHistory() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        try s.apply(origin: .cli("edit"), label: "Edit \"Dana\" \\ firm") { _ in .setField(recruiter: dana, field: .firm, value: "Globex") }
        try s.apply(origin: .cli("tag"), label: "Tag Kenji") { _ in .addTag(recruiter: kenji, tag: "x") }
        try s.undoLatest(matching: \.isUndoableFromCLI, origin: .cli("undo"))
        try s.compact()
        // After the compaction: one more group in the journal, the rest in undo.jsonl.
        try s.apply(origin: .ingest, label: "mail") { _ in .addEmail(recruiter: dana, email: "d@mail.test") }
        let fresh = try Store.open(dir.paths)
        let steps = fresh.undoSteps
        #expect(steps.count >= 4)
        #expect(steps.map(\.label).suffix(4) == ["Edit \"Dana\" \\ firm", "Tag Kenji", "Undo: Tag Kenji", "mail"])
        #expect(steps.first { $0.label == "Tag Kenji" }?.undone == true)
        #expect(steps.first { $0.label.hasPrefix("Edit") }?.undone == false)
        // Reading the full history afterwards (another open) gives the same list.
        let full = try Store.open(dir.paths)
        #expect(steps == expected(full))
    }

    @Test func aGroupLineIsSummarizedWithoutItsChanges() throws {
        let g = UndoGroup(id: UUID(), origin: .cli("demo"), label: "Demo", at: Date(timeIntervalSince1970: 1_700_000_000),
                          firstSeq: 3, lastSeq: 3,
                          changes: [.addTag(recruiter: dana, tag: "a\"]}"), .addTag(recruiter: dana, tag: "b")],
                          inverses: [.removeTag(recruiter: dana, tag: "a\"]}"), .removeTag(recruiter: dana, tag: "b")],
                          undoes: nil, redoes: nil)
        let line = [UInt8](try StoreCoding.lineEncoder.encode(g))
        let s = try #require(UndoHistory.summary(line))
        #expect(s.id == g.id && s.label == "Demo" && s.at == g.at && s.lastSeq == 3)
        #expect(s.changes.isEmpty && s.inverses.isEmpty)
        // Not a group, truncated, or not JSON: no summary (the list then shows only the journal's groups).
        #expect(UndoHistory.summary(Array(line.dropLast(5))) == nil)
        #expect(UndoHistory.summary(Array("{\"undoHistoryOfSeq\":3}".utf8)) == nil)
        #expect(UndoHistory.summary(Array("garbage".utf8)) == nil)
    }

    @Test func aDamagedFileListsOnlyTheJournal() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        try s.apply(origin: .cli("edit"), label: "old") { _ in .setField(recruiter: dana, field: .firm, value: "Globex") }
        try s.compact()
        try s.apply(origin: .cli("edit"), label: "new") { _ in .setField(recruiter: dana, field: .firm, value: "Initech") }
        var bytes = try #require(try Sys.readFile(dir.paths.undo))
        bytes.removeLast(10)
        bytes.append(0x0A)
        try Data(bytes).write(to: URL(fileURLWithPath: dir.paths.undo))
        let fresh = try Store.open(dir.paths)
        #expect(fresh.undoSteps.map(\.label) == ["new"])
        #expect(fresh.undoSteps == expected(fresh))
    }
}
