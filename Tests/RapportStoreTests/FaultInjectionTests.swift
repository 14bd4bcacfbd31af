#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import RapportCore
@testable import RapportStore

/// ENOSPC and EIO through the store's syscall layer: a clear error, nothing acknowledged,
/// memory and files consistent, and the next attempt succeeds.
@Suite struct FaultInjectionTests {
    func newMessage(_ i: Int) -> Change {
        .putMessage(Message(recruiterID: UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!,
                            direction: .inbound, at: t0.addingTimeInterval(Double(1000 + i)), subject: "m\(i)"))
    }

    @Test(arguments: [
        (Faults.Op.write, ENOSPC, true, "no space left on the device"),
        (Faults.Op.write, EIO, false, "input/output error"),
        (Faults.Op.fsync, EIO, false, "cannot flush to disk: input/output error"),
        (Faults.Op.open, ENOSPC, false, "cannot open for appending"),
    ] as [(Faults.Op, Int32, Bool, String)])
    func aFailedAppendIsNotAcknowledgedAndTheNextOneWorks(op: Faults.Op, code: Int32, partial: Bool, text: String) throws {
        let dir = TempDir()
        try makeSampleStore(dir.paths)
        let faults = Faults()
        let s = try Store.open(dir.paths, fileSystem: faults.fileSystem)
        let journalBefore = bytes(dir.paths.journal)!
        let dbBefore = s.database
        faults.fail(op, on: "journal.jsonl", errno: code, partial: partial)
        var message = ""
        do { try s.apply(newMessage(1)) } catch let e as RapportError { message = e.description }
        #expect(faults.hits > 0)
        #expect(message.contains(dir.paths.journal) && message.contains(text), "\(message)")
        #expect(message.hasSuffix("the change was not saved"), "\(message)")
        #expect(s.database == dbBefore, "memory unchanged")
        #expect(s.seq == 7)
        #expect(bytes(dir.paths.journal) == journalBefore, "partial bytes rolled back")
        faults.clear()
        try s.apply(newMessage(2))
        #expect(s.seq == 8)
        let reopened = try Store.open(dir.paths)
        #expect(reopened.notices.isEmpty)
        #expect(reopened.database == s.database)
        #expect(reopened.database.messageCount == 3)
    }

    @Test(arguments: [
        (Faults.Op.write, ENOSPC, "store.json.tmp", "no space left on the device"),
        (Faults.Op.fsync, EIO, "store.json.tmp", "input/output error"),
        (Faults.Op.rename, EIO, "store.json", "cannot replace"),
    ] as [(Faults.Op, Int32, String, String)])
    func aFailedCompactionLeavesTheSnapshotAndJournalAsTheyWere(op: Faults.Op, code: Int32, on: String, text: String) throws {
        let dir = TempDir()
        let first = try makeSampleStore(dir.paths)
        try first.compact()
        try first.apply(.removeRecruiter(UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!))
        let snapshotBefore = bytes(dir.paths.snapshot)!
        let journalBefore = bytes(dir.paths.journal)!
        let faults = Faults()
        let s = try Store.open(dir.paths, fileSystem: faults.fileSystem)
        let dbBefore = s.database
        faults.fail(op, on: on, errno: code)
        #expect {
            try s.compact()
        } throws: { e in "\(e)".contains(text) }
        #expect(bytes(dir.paths.snapshot) == snapshotBefore)
        #expect(bytes(dir.paths.journal) == journalBefore)
        #expect(s.database == dbBefore)
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp") }, "no temp file left")
        faults.clear()
        try s.apply(newMessage(3))
        try s.compact()
        let reopened = try Store.open(dir.paths)
        #expect(reopened.database == s.database)
        #expect(reopened.seq == 9)
    }

    @Test func aJournalThatCannotBeTruncatedAfterCompactionLosesNothing() throws {
        let dir = TempDir()
        try makeSampleStore(dir.paths)
        let faults = Faults()
        let s = try Store.open(dir.paths, fileSystem: faults.fileSystem)
        faults.fail(.ftruncate, on: "journal.jsonl", errno: EIO)
        try s.compact()
        #expect(s.notices.contains { $0.contains("could not be truncated") })
        faults.clear()
        try s.apply(newMessage(4))
        let reopened = try Store.open(dir.paths)
        #expect(reopened.database == s.database)
        #expect(reopened.seq == 8)
    }
}
