import Foundation
import RapportCore
@testable import RapportStore
import Testing

/// Undo in the store: undo and redo append inverse changes, history survives
/// compaction, and an undo a later change depends on is refused with what changed.
@Suite struct UndoTests {
    let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
    let kenji = UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!

    func lines(_ dir: borrowing TempDir) -> Int { (bytes(dir.paths.journal) ?? []).filter { $0 == 0x0A }.count }

    @Test func undoAndRedoAppendAndNeverRemoveLines() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let applied = try s.apply(origin: .cli("edit"), label: "Edit Dana Smith") { db in
            try Workflows.edit(dana, Workflows.Edit(fields: [.firm: "Globex"]), in: db)
        }
        #expect(applied.change == .setField(recruiter: dana, field: .firm, value: "Globex"))
        #expect(applied.inverse == .setField(recruiter: dana, field: .firm, value: "Acme"))
        let journalBefore = bytes(dir.paths.journal)!
        try s.undoLatest(matching: \.isUndoableFromCLI, origin: .cli("undo"))
        #expect(s.database.recruiters[dana]?.firm == "Acme")
        let after = bytes(dir.paths.journal)!
        #expect(Array(after.prefix(journalBefore.count)) == journalBefore, "earlier lines untouched")
        #expect(lines(dir) == 9)
        let text = String(decoding: after, as: UTF8.self)
        #expect(text.contains("\"undoes\":\"\(applied.group.uuidString)\""))
        #expect(text.contains("\"origin\":\"cli:undo\""))
        try s.redoLatest(matching: \.isUndoableFromCLI, origin: .cli("redo"))
        #expect(s.database.recruiters[dana]?.firm == "Globex")
        #expect(lines(dir) == 10)
        // Redone: the next undo takes the same edit back again; nothing more to redo.
        #expect(throws: RapportError.failure("Nothing to redo")) { try s.redoLatest(matching: \.isUndoableFromCLI, origin: .cli("redo")) }
        try s.undoLatest(matching: \.isUndoableFromCLI, origin: .cli("undo"))
        #expect(s.database.recruiters[dana]?.firm == "Acme")
        // The state is read back from the journal by another process.
        let other = try Store.open(dir.paths)
        #expect(other.database == s.database)
        #expect(other.undoHistory == s.undoHistory)
    }

    @Test func theLatestCLIGroupIsUndoneNeverIngestOrSync() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        try s.apply(origin: .cli("edit"), label: "phone") { _ in .setField(recruiter: dana, field: .phone, value: "1") }
        try s.apply(origin: .ingest, label: "mail") { _ in .addEmail(recruiter: dana, email: "d@mail.test") }
        try s.apply(origin: .sync, label: "sync") { _ in .addTag(recruiter: kenji, tag: "synced") }
        try s.apply(origin: .tui(session: "s1"), label: "tui") { _ in .addTag(recruiter: kenji, tag: "tui") }
        try s.undoLatest(matching: \.isUndoableFromCLI, origin: .cli("undo"))
        let d = try #require(s.database.recruiters[dana])
        #expect(d.phone == "+44 20 7946 0000", "the CLI edit is undone")
        #expect(d.emails.contains("d@mail.test"), "ingest is not")
        #expect(s.database.recruiters[kenji]?.tags == ["synced", "tui"], "sync and the TUI are not")
        // The TUI's own latest group, by its session.
        let mine = try #require(s.latestGroup(origin: .tui(session: "s1")))
        #expect(mine.label == "tui")
        #expect(s.latestGroup(origin: .tui(session: "other")) == nil)
        try s.undo(group: mine.id, origin: .tui(session: "s1"))
        #expect(s.database.recruiters[kenji]?.tags == ["synced"])
        // Any one group by id, whatever its origin.
        let ingest = try #require(s.undoHistory.first { $0.origin == .ingest })
        try s.undo(group: ingest.id, origin: .cli("undo"))
        #expect(s.database.recruiters[dana]?.emails.contains("d@mail.test") == false)
        #expect(throws: RapportError.self) { try s.undo(group: ingest.id, origin: .cli("undo")) }
    }

    @Test func anUndoALaterChangeDependsOnIsRefusedSayingWhatChanged() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let edit = try s.apply(origin: .cli("edit"), label: "firm") { _ in .setField(recruiter: dana, field: .firm, value: "Globex") }
        // Someone else edits another field: no conflict.
        let tui = try Store.open(dir.paths)
        try tui.apply(origin: .tui(session: "t"), label: "phone") { _ in .setField(recruiter: dana, field: .phone, value: "2") }
        // … then the same field.
        try tui.apply(origin: .cli("edit"), label: "firm again") { _ in .setField(recruiter: dana, field: .firm, value: "Initech") }
        let journal = bytes(dir.paths.journal)
        #expect(throws: RapportError.failure("Not undone: Dana Smith's firm changed since by rapport edit")) {
            try s.undo(group: edit.group, origin: .cli("undo"))
        }
        #expect(bytes(dir.paths.journal) == journal, "nothing written")
        #expect(s.database.recruiters[dana]?.firm == "Initech")
        // Undoing the adding of a recruiter a message was logged to later is refused too.
        let added = try s.apply(origin: .cli("add"), label: "add") { _ in .putRecruiter(Recruiter(name: "Lee", created: t0)) }
        guard case .putRecruiter(let lee) = added.change else { return }
        try tui.apply(origin: .tui(session: "t"), label: "log") { _ in
            .putMessage(Message(recruiterID: lee.id, direction: .inbound, at: t0, subject: "hello"))
        }
        #expect(throws: RapportError.failure("Not undone: a message of Lee changed since by the TUI")) {
            try s.undoLatest(matching: \.isUndoableFromCLI, origin: .cli("undo"))
        }
        #expect(s.database.recruiters[lee.id] != nil)
    }

    @Test func undoHistorySurvivesCompactionAndKeepsTheLast100Groups() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let edit = try s.apply(origin: .cli("edit"), label: "firm") { _ in .setField(recruiter: dana, field: .firm, value: "Globex") }
        try s.compact()
        #expect(bytes(dir.paths.journal)?.isEmpty ?? true)
        #expect(mode(dir.paths.undo) == 0o600)
        let reopened = try Store.open(dir.paths)
        #expect(reopened.undoHistory.last?.id == edit.group)
        try reopened.undoLatest(matching: \.isUndoableFromCLI, origin: .cli("undo"))
        #expect(reopened.database.recruiters[dana]?.firm == "Acme")
        // A compaction in the middle of undo and redo keeps the state.
        try reopened.close()
        let again = try Store.open(dir.paths)
        try again.redoLatest(matching: \.isUndoableFromCLI, origin: .cli("redo"))
        #expect(again.database.recruiters[dana]?.firm == "Globex")
        for i in 0..<120 { try again.apply(origin: .cli("tag"), label: "\(i)") { _ in .addTag(recruiter: kenji, tag: "t\(i)") } }
        try again.compact()
        let last = try Store.open(dir.paths)
        #expect(last.undoHistory.count == 100)
        #expect(last.undoHistory.last?.label == "119")
    }

    @Test func compactionRewritingFlagsDoesNotBlockAnUndo() throws {
        let dir = TempDir()
        let s = try Store.open(dir.paths, clock: .fixed(t0))
        let added = try s.apply(origin: .cli("add"), label: "add") { _ in
            .putRecruiter(Recruiter(name: "Blocked", status: .doNotContact, created: t0))
        }
        try s.compact()
        #expect(s.persistedFlags.values.contains { $0.map(\.flag) == [.doNotContact] })
        try s.undo(group: added.group, origin: .cli("undo"))
        #expect(s.database.recruiters.isEmpty)
    }

    @Test func twoWritersEditingDifferentFieldsOfOneRecruiterBothSurvive() throws {
        let dir = TempDir()
        try makeSampleStore(dir.paths).close()
        let a = try Store.open(dir.paths)
        let b = try Store.open(dir.paths)
        // b's copy is stale by the time it writes; its change is decided under the lock.
        try a.apply(origin: .cli("edit"), label: "firm") { db in try Workflows.edit(dana, .init(fields: [.firm: "Globex"]), in: db) }
        try b.apply(origin: .tui(session: "b"), label: "decline") { db in
            Workflows.decline(recruiter: db.recruiters[dana]!, in: db, now: t0, reason: nil, reengage: nil)
        }
        try a.apply(origin: .cli("edit"), label: "phone") { db in try Workflows.edit(dana, .init(fields: [.phone: "3"]), in: db) }
        let r = try #require(try Store.open(dir.paths).database.recruiters[dana])
        #expect(r.firm == "Globex" && r.phone == "3" && r.status == .declined)
    }

    @Test func buildRunsOnTheFreshDatabaseAndAThrowWritesNothing() throws {
        let dir = TempDir()
        try makeSampleStore(dir.paths).close()
        let a = try Store.open(dir.paths)
        let b = try Store.open(dir.paths)
        try b.apply(.removeRecruiter(kenji))
        var seen: Database?
        let journal = bytes(dir.paths.journal)
        #expect(throws: RapportError.self) {
            try a.apply(origin: .cli("edit"), label: "x") { db in
                seen = db
                return try Workflows.edit(kenji, .init(fields: [.firm: "X"]), in: db)
            }
        }
        #expect(seen?.recruiters[kenji] == nil, "the closure saw the other process's write")
        #expect(bytes(dir.paths.journal) == journal)
    }

    /// A schema 1 store (flags on each recruiter, journal lines with only seq and change)
    /// is backed up and upgraded; its journal lines still load.
    @Test func aSchema1StoreIsMigratedWithABackup() throws {
        let dir = TempDir()
        try Store.ensureDirectory(dir.paths.storeDirectory)
        let v1 = """
        {
          "expectations" : [],
          "followUps" : [],
          "messages" : [],
          "opportunities" : [],
          "recruiters" : [
            {
              "created" : "2027-01-15T08:00:00Z",
              "email" : "dana@acme.test",
              "flags" : [ { "flag" : "do-not-contact", "since" : "2027-01-10T08:00:00Z" } ],
              "id" : "00000000-0000-0000-0000-00000000000A",
              "kind" : "agency",
              "name" : "Dana Smith",
              "status" : "do-not-contact",
              "tags" : [],
              "targeting" : "targeted"
            }
          ],
          "schemaVersion" : 1,
          "seq" : 3
        }

        """
        write(dir.paths.snapshot, Array(v1.utf8))
        let line = #"{"seq":4,"change":{"putMessage":{"_0":{"at":"2027-01-15T08:00:00Z","channel":"email","direction":"in","id":"00000000-0000-0000-0000-0000000000C1","noReplyNeeded":false,"recruiterID":"00000000-0000-0000-0000-00000000000A","subject":"Hi"}}}}"#
        write(dir.paths.journal, Array((line + "\n").utf8))
        let s = try Store.open(dir.paths, clock: .fixed(t0))
        #expect(s.notices.contains { $0.contains("upgraded from schema 1 to 2") })
        #expect(String(decoding: bytes(dir.paths.path("store.json.v1.bak"))!, as: UTF8.self) == v1)
        #expect(mode(dir.paths.path("store.json.v1.bak")) == 0o600)
        let text = String(decoding: bytes(dir.paths.snapshot)!, as: UTF8.self)
        #expect(text.contains("\"schemaVersion\" : 2"))
        #expect(s.seq == 4 && s.database.messageCount == 1, "the schema 1 journal line loaded")
        #expect(s.database.recruiters[dana]?.emails == ["dana@acme.test"])
        #expect(s.database.recruiters[dana]?.flags == [], "flags left the record")
        #expect(s.persistedFlags[dana] == [FlagRecord(flag: .doNotContact, since: ISO8601.parse("2027-01-10T08:00:00Z")!)],
                "… into the table, keeping since")
        #expect(text.contains("\"flags\" : {"))
        // The old line is not an undo step; new ones are.
        #expect(s.undoHistory.isEmpty)
        try s.apply(origin: .cli("edit"), label: "firm") { _ in .setField(recruiter: dana, field: .firm, value: "Acme") }
        try s.undoLatest(matching: \.isUndoableFromCLI, origin: .cli("undo"))
        #expect(s.database.recruiters[dana]?.firm == nil)
        let reopened = try Store.open(dir.paths)
        #expect(reopened.notices.isEmpty)
        #expect(reopened.database == s.database)
    }

    @Test func compactionsThatNeverReadTheHistoryKeepItAndACrashBetweenFilesDuplicatesNothing() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let first = try s.apply(origin: .cli("edit"), label: "one") { _ in .addTag(recruiter: dana, tag: "a") }
        try s.close()
        // Two processes compact without ever asking for the history: its lines are copied.
        for tag in ["b", "c"] {
            let p = try Store.open(dir.paths)
            try p.apply(origin: .cli("edit"), label: tag) { _ in .addTag(recruiter: dana, tag: tag) }
            try p.close()
        }
        let h = try Store.open(dir.paths).undoHistory
        // The sample store's seven changes, then these three.
        #expect(h.map(\.label) == Array(repeating: "", count: 7) + ["one", "b", "c"])
        #expect(h[7].id == first.group)
        // undo.jsonl written for a newer snapshot that never replaced the old one (a crash
        // between the two): its groups past the snapshot's seq come from the journal only.
        let p = try Store.open(dir.paths)
        try p.apply(origin: .cli("edit"), label: "d") { _ in .addTag(recruiter: dana, tag: "d") }
        let oldSnapshot = bytes(dir.paths.snapshot)!
        let journal = bytes(dir.paths.journal)!
        try p.close()
        write(dir.paths.snapshot, oldSnapshot)
        write(dir.paths.journal, journal)
        let after = try Store.open(dir.paths)
        #expect(after.undoHistory.map(\.label) == Array(repeating: "", count: 7) + ["one", "b", "c", "d"])
        try after.undoLatest(matching: \.isUndoableFromCLI, origin: .cli("undo"))
        #expect(after.database.recruiters[dana]?.tags == ["a", "b", "c"])
    }

    /// A compaction flushes the directory once for undo.jsonl, the backup and store.json.
    /// A file system may keep the snapshot's rename and lose the undo file's; the journal is
    /// not cut before that flush, so the groups between are still in it and are taken from
    /// there: by a load from JSON, from a cache that covers the journal, by `undo --list`,
    /// by an undo, and by a compaction that never reads the history.
    @Test func aSnapshotWhoseUndoFileWasLostTakesTheGroupsBetweenFromTheJournal() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        try s.apply(origin: .cli("edit"), label: "one") { _ in .addTag(recruiter: dana, tag: "a") }
        try s.close()
        let p = try Store.open(dir.paths)
        for tag in ["b", "c"] { try p.apply(origin: .cli("edit"), label: tag) { _ in .addTag(recruiter: dana, tag: tag) } }
        let oldUndo = bytes(dir.paths.undo)!
        let journal = bytes(dir.paths.journal)!
        try p.close()
        // The crash: the new snapshot landed, the undo file and the journal's cut did not.
        write(dir.paths.undo, oldUndo)
        write(dir.paths.journal, journal)
        let labels = Array(repeating: "", count: 7) + ["one", "b", "c"]
        let after = try Store.open(dir.paths)
        #expect(after.database.recruiters[dana]?.tags == ["a", "b", "c"])
        #expect(after.undoSteps.map(\.label) == labels)
        #expect(after.undoHistory.map(\.label) == labels)
        // From a cache that covers the journal's lines (what a TUI's quit writes).
        try after.close(compact: false)
        let cached = try Store.open(dir.paths)
        #expect(cached.undoSteps.map(\.label) == labels)
        #expect(cached.undoHistory.map(\.label) == labels)
        try cached.close(compact: false)
        // A change, then a compaction that never read the history: the groups are carried.
        let q = try Store.open(dir.paths)
        try q.apply(origin: .cli("edit"), label: "d") { _ in .addTag(recruiter: dana, tag: "d") }
        try q.close()
        #expect(bytes(dir.paths.journal)?.isEmpty ?? true)
        let compacted = try Store.open(dir.paths)
        #expect(compacted.undoSteps.map(\.label) == labels + ["d"])
        #expect(compacted.undoHistory.map(\.label) == labels + ["d"])
        try compacted.undoLatest(matching: { $0 == .cli("edit") }, origin: .cli("undo"))
        try compacted.undoLatest(matching: { $0 == .cli("edit") }, origin: .cli("undo"))
        #expect(compacted.database.recruiters[dana]?.tags == ["a", "b"], "c, a group only the journal had, was undone")
    }

    /// Groups the journal still has that undo.jsonl holds already (a cut that failed) are
    /// not counted twice, and a group whose lines straddle the file's seq keeps only the
    /// lines after it.
    @Test func coveredLinesTheUndoFileHoldsAreNotCountedTwice() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        try s.apply(origin: .cli("edit"), label: "one") { _ in .addTag(recruiter: dana, tag: "a") }
        let journal = bytes(dir.paths.journal)!
        try s.close()
        // The compaction put undo.jsonl and the snapshot in place; the cut never happened.
        write(dir.paths.journal, journal)
        let after = try Store.open(dir.paths)
        #expect(after.undoHistory.map(\.label) == Array(repeating: "", count: 7) + ["one"])
        #expect(after.undoSteps.map(\.label) == Array(repeating: "", count: 7) + ["one"])
        try after.close()
        #expect(try Store.open(dir.paths).undoHistory.map(\.label) == Array(repeating: "", count: 7) + ["one"])
        // One group over three seqs, of which the file holds the first: only the last two come from the journal.
        let g = UUID()
        var h = UndoHistory(file: dir.path("none.jsonl"), upTo: 12)
        for (k, tag) in ["x", "y", "z"].enumerated() {
            h.recordCovered(JournalLine(seq: 10 + k, change: .addTag(recruiter: dana, tag: tag), group: g, origin: .cli("edit"),
                                        label: "three", at: t0, inverse: .removeTag(recruiter: dana, tag: tag)))
        }
        write(dir.path("none.jsonl"), Array("{\"undoHistoryOfSeq\":10}\n".utf8))
        h.materialize()
        #expect(h.groups.count == 1)
        #expect(h.groups.first?.changes == [.addTag(recruiter: dana, tag: "y"), .addTag(recruiter: dana, tag: "z")])
        #expect(h.groups.first?.firstSeq == 11)
    }
}
