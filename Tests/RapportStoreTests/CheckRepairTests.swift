#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import RapportCore
@testable import RapportStore

@Suite struct CheckRepairTests {
    /// Every file's bytes and mode, to prove `check` writes nothing.
    func state(_ dir: String) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for f in listing(dir) { out[f] = (bytes(dir + "/" + f) ?? []) + [UInt8(truncatingIfNeeded: mode(dir + "/" + f))] }
        return out
    }

    @Test func aSoundStoreChecksOK() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        try s.compact()
        try s.apply(.removeRecruiter(UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!))
        let before = state(dir.paths.storeDirectory)
        let r = Store.check(dir.paths)
        #expect(r.exitStatus == 0, "\(r.lines)")
        #expect(r.lines.contains("ok: \(dir.paths.snapshot): schema 2, seq 7; with the journal: 1 recruiter, 2 messages"))
        #expect(r.lines.contains("ok: \(dir.paths.journal): 1 line, 1 change after the snapshot (seq 8)"))
        #expect(r.lines.contains("ok: permissions: directory 700, files 600"))
        #expect(state(dir.paths.storeDirectory) == before)
    }

    @Test func checkReportsProblemsWithoutChangingAnything() throws {
        let dir = TempDir()
        try makeSampleStore(dir.paths)
        let fd = open(dir.paths.journal, O_WRONLY | O_APPEND)
        _ = "{\"seq\":8,".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        chmod(dir.paths.journal, 0o644)
        let before = state(dir.paths.storeDirectory)
        let r = Store.check(dir.paths)
        #expect(r.exitStatus == 1)
        #expect(r.problems == 2)
        #expect(r.lines.contains { $0.hasPrefix("problem: permissions: \(dir.paths.journal) is 644") })
        #expect(r.lines.contains { $0.contains("the last line is incomplete (9 bytes") })
        #expect(state(dir.paths.storeDirectory) == before)
        #expect(Store.check(AppPaths(storeDirectory: dir.path("nowhere"))).exitStatus == 1)
    }

    @Test func repairSetsAsideATornTail() throws {
        let dir = TempDir()
        try makeSampleStore(dir.paths)
        let good = bytes(dir.paths.journal)!
        write(dir.paths.journal, good + Array("{\"seq\":8,".utf8))
        let r = Store.repair(dir.paths, clock: .fixed(t0))
        #expect(r.exitStatus == 0, "\(r.lines)")
        #expect(r.lines.first == "repaired: \(dir.paths.journal): set aside the incomplete last line (9 bytes) to \(dir.paths.journal).torn-20270115T080000Z")
        #expect(bytes(dir.paths.journal) == good)
    }

    @Test func repairRebuildsABrokenSnapshotFromTheBackupAndTheJournal() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        try s.compact()  // store.json at seq 7, no .bak yet
        let extra = Recruiter(name: "Only in the journal", created: t0)
        try s.apply(.putRecruiter(extra))
        try s.compact()  // .bak = seq 7, store.json = seq 8
        let late = Recruiter(name: "Appended later", created: t0)
        try s.apply(.putRecruiter(late))
        // The snapshot gets damaged; its seq-8 change survives only because... it does not:
        write(dir.paths.snapshot, Array("{\"schemaVersion\": 1, \"recr".utf8))
        #expect(throws: RapportError.self) { _ = try Store.open(dir.paths) }
        let r = Store.repair(dir.paths, clock: .fixed(t0))
        #expect(r.lines.contains { $0.contains("changes 8…8 were only in the broken snapshot and are lost") })
        #expect(r.lines.contains { $0.hasPrefix("repaired: \(dir.paths.snapshot): the broken file was kept as \(dir.paths.snapshot).broken-") })
        #expect(r.lines.contains { $0.contains("rebuilt from \(dir.paths.backup) (seq 7) and 1 journal lines (now seq 9)") })
        #expect(bytes(dir.paths.snapshot + ".broken-20270115T080000Z") == Array("{\"schemaVersion\": 1, \"recr".utf8))
        let t = try Store.open(dir.paths)
        #expect(t.seq == 9)
        #expect(t.database.recruiters[late.id] != nil)
        #expect(t.database.recruiters[extra.id] == nil)
        #expect(t.database.recruiters.count == 3)
        #expect(mode(dir.paths.snapshot) == 0o600)
    }

    @Test func repairKeepsTheLinesItCanApplyAndSetsTheOthersAside() throws {
        let dir = TempDir()
        let before = try makeSampleStore(dir.paths).database
        let original = String(decoding: bytes(dir.paths.journal)!, as: UTF8.self)
        var lines = original.split(separator: "\n").map(String.init)
        // Line 2 (the second recruiter) is not JSON; line 7 puts an expectation on that
        // recruiter, so it cannot be applied either; the rest can.
        lines[1] = lines[1].replacingOccurrences(of: "{\"seq\":2,", with: "{\"seq\":2,,")
        let text = lines.joined(separator: "\n") + "\n"
        write(dir.paths.journal, Array(text.utf8))
        #expect(throws: RapportError.self) { try Store.open(dir.paths) }
        let r = Store.repair(dir.paths)
        #expect(r.exitStatus == 0, "\(r.lines)")
        let aside = listing(dir.paths.storeDirectory).filter { $0.hasPrefix("journal.jsonl.rejected-") }
        #expect(aside.count == 1)
        #expect(r.lines.contains { $0.contains(aside.first ?? "?") && $0.contains("line 2") })
        let setAside = String(decoding: bytes(dir.paths.storeDirectory + "/" + (aside.first ?? "none")) ?? [], as: UTF8.self)
        #expect(setAside.hasPrefix(lines[1] + "\n"))
        let reopened = try Store.open(dir.paths)
        let a = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        #expect(reopened.database.recruiters[a] == before.recruiters[a])
        #expect(reopened.database.thread(a) == before.thread(a))
        #expect(reopened.database.recruiters.count == 1)
        #expect(bytes(dir.paths.journal) == [], "kept lines are in the snapshot")
        // Repair again: nothing left to do, nothing set aside twice.
        let again = Store.repair(dir.paths)
        #expect(again.exitStatus == 0)
        #expect(listing(dir.paths.storeDirectory).filter { $0.hasPrefix("journal.jsonl.rejected-") }.count == 1)
    }
}
