import Foundation
import RapportCore
import RapportStore
import Testing
@testable import RapportApp

/// The TUI's store (`StoreSession`, what `LivePorts` writes through) never compacts on the
/// interface's thread: past the threshold a thread of its own compacts with a store of its
/// own, and the session's writes made meanwhile are neither lost nor refused.
@Suite("Compaction off the interface's thread")
@MainActor
struct BackgroundCompactionTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-bgc-\(UUID().uuidString)").path
    var paths: AppPaths { AppPaths(storeDirectory: dir) }
    let t0 = ISO8601.parse("2026-03-11T15:00:00Z")!
    let threshold = 4000

    /// A session on a store with one recruiter (compacted: store.json exists).
    func session() throws -> (StoreSession, UUID) {
        let seed = try Store.open(paths)
        let r = Recruiter(name: "Dana", created: t0)
        try seed.apply(.putRecruiter(r))
        try seed.close()
        let store = try Store.open(paths, compactionThreshold: threshold)
        return (StoreSession(store: store, origin: .tui(session: "bg")), r.id)
    }

    func log(_ s: StoreSession, _ id: UUID, _ i: Int) throws {
        try s.apply(label: "Log") { _ in
            .putMessage(Message(recruiterID: id, direction: .inbound, at: t0.addingTimeInterval(Double(i))))
        }
    }

    func journalSize() -> Int { (try? FileManager.default.attributesOfItem(atPath: paths.journal)[.size] as? Int) ?? 0 }

    @Test("a change past the threshold returns without compacting; the compaction runs on its own thread")
    func noInlineCompaction() throws {
        var (s, id) = try session()
        var n = 0
        // Bounded: were it compacted inline, the journal this store knows of would never pass.
        while !s.store.needsCompaction && n < 500 {
            try log(s, id, n)
            n += 1
        }
        // An inline compaction would have emptied the journal this store knows of.
        #expect(s.store.needsCompaction)
        #expect(!s.store.compactsInline)
        s.compaction.wait()
        #expect(journalSize() < threshold)
        // The session adopts the files the compaction left (the same data): no reload.
        let generation = s.store.generation
        #expect(try s.refresh() == false)
        #expect(s.store.generation == generation)
        #expect(s.compactionNotices.isEmpty)
        #expect(!s.store.needsCompaction)
        #expect(s.store.database.messageCount == n)
        try log(s, id, n)
        n += 1
        let fresh = try Store.open(paths)
        #expect(fresh.database.messageCount == n)
        try fresh.close(compact: false)
        try s.store.close(compact: false)
    }

    @Test("changes made while the background compaction runs, and after it before a refresh, are all kept")
    func writesDuringCompactionSurvive() throws {
        var (s, id) = try session()
        var n = 0
        while !s.compaction.isRunning && !s.store.needsCompaction && n < 500 {
            try log(s, id, n)
            n += 1
        }
        // At once, while the compaction holds or is about to take the lock.
        for _ in 0..<30 {
            try log(s, id, n)
            n += 1
        }
        s.compaction.wait()
        // The session's copy is now stale (another store compacted): its next change still lands.
        try log(s, id, n)
        n += 1
        #expect(s.store.database.messageCount == n)
        s.compaction.wait()
        _ = s.compaction.takeProblem()
        #expect(s.compactionNotices.isEmpty)
        let fresh = try Store.open(paths)
        #expect(fresh.database.messageCount == n)
        #expect(fresh.seq == n + 1)
        try fresh.close(compact: false)
        _ = try s.refresh()
        try s.store.close(compact: false)
    }
}
