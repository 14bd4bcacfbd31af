import Foundation
import Testing
import RapportCore
@testable import RapportStore

/// A compaction holds the store lock only to take the data and to put the new snapshot in
/// place; encoding and writing the JSON happen without it. What others write meanwhile is
/// neither lost nor waiting for the whole compaction.
@Suite struct CompactionLockTests {
    func message(_ r: UUID, _ k: Int) -> Message {
        Message(recruiterID: r, direction: .inbound, at: t0.addingTimeInterval(Double(600 + k)), subject: "during \(k)")
    }

    /// True when another process could take the store's lock right now (a test of the
    /// lock file, from a descriptor of its own, as another process has).
    func lockIsFree(_ paths: AppPaths) -> Bool {
        let fd = open(paths.lock, O_RDWR | O_CLOEXEC)
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        flock(fd, LOCK_UN)
        return true
    }

    @Test func writesDuringTheSlowPartAreKeptAndTheLockIsFree() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        let seqBefore = s.seq
        let other = try Store.open(dir.paths, clock: .fixed(t0))
        var freeDuringPause = false
        s.compactionPause = {
            freeDuringPause = lockIsFree(dir.paths)
            guard freeDuringPause else { return }  // (the writes below would wait for ever)
            // Another process writes while the snapshot is being written.
            for k in 0..<3 { try! other.apply(.putMessage(message(dana, k)), origin: .cli("log"), label: "Log \(k)") }
        }
        try s.compact()
        #expect(freeDuringPause, "the lock is held while the snapshot is written")
        // The snapshot holds what there was when the compaction began; the journal keeps the rest.
        let snapshot = try JSONSerialization.jsonObject(with: Data(bytes(dir.paths.snapshot)!)) as! [String: Any]
        #expect(snapshot["seq"] as? Int == seqBefore)
        let journal = String(decoding: bytes(dir.paths.journal) ?? [], as: UTF8.self)
        #expect(journal.split(separator: "\n").count == 3)
        #expect(s.seq == seqBefore, "nothing was replayed under the lock")
        #expect(try s.refresh())
        #expect(s.seq == seqBefore + 3)
        // Every store, old and new, agrees: nothing lost, nothing twice.
        let fresh = try Store.open(dir.paths, clock: .fixed(t0))
        #expect(fresh.database.thread(dana).count == 5)
        #expect(fresh.database == s.database)
        try other.refresh()
        #expect(other.database == s.database)
        // Later writes from either land after them with the next seq.
        try other.apply(.putMessage(message(dana, 9)), origin: .cli("log"), label: "after")
        try s.refresh()
        #expect(s.seq == seqBefore + 4)
        #expect(try Store.open(dir.paths, clock: .fixed(t0)).database.thread(dana).count == 6)
        // Undo still finds the steps made during the compaction.
        try s.undoLatest(matching: { $0 == .cli("log") }, origin: .cli("undo"))
        #expect(try Store.open(dir.paths, clock: .fixed(t0)).database.thread(dana).count == 5)
        // No temp files are left.
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp-") })
    }

    @Test func aCompactionThatLostTheRaceIsDropped() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        let other = try Store.open(dir.paths, clock: .fixed(t0))
        s.compactionPause = {
            try! other.apply(.putMessage(message(dana, 1)), origin: .cli("log"), label: "Log")
            try! other.compact()
            try! other.apply(.putMessage(message(dana, 2)), origin: .cli("log"), label: "Log")
        }
        try s.compact()
        #expect(try s.refresh())
        // The other's snapshot (with message 1) stays; ours, older, was not put over it.
        let snapshot = try JSONSerialization.jsonObject(with: Data(bytes(dir.paths.snapshot)!)) as! [String: Any]
        #expect(snapshot["seq"] as? Int == other.seq - 1)
        let fresh = try Store.open(dir.paths, clock: .fixed(t0))
        #expect(fresh.database.thread(dana).count == 4)
        #expect(fresh.database == s.database)
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp-") })
    }

    @Test func aCrashBeforeTheJournalIsCutLosesNothing() throws {
        // The snapshot is in place but the journal still holds every line (as if the process
        // died right after the rename): lines up to the snapshot's seq are skipped on load.
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        let other = try Store.open(dir.paths, clock: .fixed(t0))
        var journalBefore: [UInt8] = []
        s.compactionPause = {
            try! other.apply(.putMessage(message(dana, 1)), origin: .cli("log"), label: "Log")
            journalBefore = bytes(dir.paths.journal) ?? []
        }
        try s.compact()
        try s.refresh()
        let expected = s.database
        write(dir.paths.journal, journalBefore)
        try? FileManager.default.removeItem(atPath: dir.paths.path("store.cache"))
        #expect(try Store.open(dir.paths, clock: .fixed(t0)).database == expected)
    }

    @Test func aStoreWithTheSameDataAdoptsAnotherStoresCompaction() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        let compactor = try Store.open(dir.paths, clock: .fixed(t0))
        try compactor.compact()
        let generation = s.generation
        #expect(try s.adopt(#require(compactor.compacted)))
        #expect(s.generation == generation, "nothing reloaded")
        #expect(try s.refresh() == false)
        // Its next write goes after the compacted snapshot, with the next seq.
        try s.apply(.putMessage(message(dana, 1)), origin: .cli("log"), label: "Log")
        let fresh = try Store.open(dir.paths, clock: .fixed(t0))
        #expect(fresh.database == s.database)
        #expect(fresh.seq == s.seq)
        // Undo still reaches back past the compaction.
        try s.undoLatest(matching: { $0 == .cli("log") }, origin: .cli("undo"))
        #expect(try Store.open(dir.paths, clock: .fixed(t0)).database.thread(dana).count == 2)
    }

    @Test func adoptingTakesTheStoresOwnLaterLinesAlong() throws {
        // The store wrote while the other compacted: its lines are the new journal's first.
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        let compactor = try Store.open(dir.paths, clock: .fixed(t0))
        compactor.compactionPause = {
            for k in 0..<2 { try! s.apply(.putMessage(message(dana, k)), origin: .tui(session: "x"), label: "Log \(k)") }
        }
        try compactor.compact()
        let generation = s.generation
        #expect(try s.adopt(#require(compactor.compacted)))
        #expect(s.generation == generation)
        #expect(try s.refresh() == false)
        // Undo reaches its lines (now in the new journal).
        #expect(try s.undoLatest(of: .tui(session: "x")) != nil)
        #expect(try s.undoLatest(of: .tui(session: "x")) != nil)
        let fresh = try Store.open(dir.paths, clock: .fixed(t0))
        #expect(fresh.database == s.database)
        #expect(fresh.database.thread(dana).count == 2)
        #expect(fresh.seq == s.seq)
    }

    @Test func adoptingIsRefusedWhenTheDataOrTheFilesDiffer() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        let compactor = try Store.open(dir.paths, clock: .fixed(t0))
        try compactor.apply(.putMessage(message(dana, 1)), origin: .cli("log"), label: "Log")
        try compactor.compact()
        // The compaction folded a change this store has not read: it must read the snapshot.
        #expect(try s.adopt(#require(compactor.compacted)) == false)
        #expect(try s.refresh())
        // A later compaction by a third store replaced the snapshot the state names.
        let s2 = try Store.open(dir.paths, clock: .fixed(t0))
        let compactor2 = try Store.open(dir.paths, clock: .fixed(t0))
        try compactor2.compact()
        let third = try Store.open(dir.paths, clock: .fixed(t0))
        try third.apply(.putMessage(message(dana, 2)), origin: .cli("log"), label: "Log")
        try third.compact()
        #expect(try s2.adopt(#require(compactor2.compacted)) == false)
        #expect(try s2.refresh())
        #expect(s2.database == (try Store.open(dir.paths, clock: .fixed(t0))).database)
    }

    /// The files a compaction replaces (the old backup, undo history and journal) are not
    /// freed by the renames under the lock but kept under a second name until it is
    /// released; then they are gone, and a second name a crash left is cleared later.
    @Test func replacedFilesAreFreedAfterTheLockAndLeaveNoNames() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        try s.compact()
        try s.apply(.putMessage(message(dana, 0)), origin: .cli("log"), label: "Log")
        try s.compact()  // a store.json.bak and an undo.jsonl exist now
        try s.apply(.putMessage(message(dana, 1)), origin: .cli("log"), label: "Log")
        // Descriptors on the files about to be replaced: their link counts tell what names they have.
        let old = [dir.paths.backup, dir.paths.undo, dir.paths.journal].map { (p: String) -> Int32 in open(p, O_RDONLY | O_CLOEXEC) }
        defer { old.forEach { close($0) } }
        #expect(old.allSatisfy { $0 >= 0 })
        let other = try Store.open(dir.paths, clock: .fixed(t0))
        var linksUnderTheLock: [nlink_t] = []
        s.compactionPause = {
            // A line written meanwhile: the journal's tail moves to a new file under the lock.
            try! other.apply(.putMessage(message(dana, 2)), origin: .cli("log"), label: "Log")
        }
        s.afterPlacement = {
            linksUnderTheLock = old.map { fd in var st = stat(); fstat(fd, &st); return st.st_nlink }
        }
        try s.compact()
        #expect(linksUnderTheLock == [1, 1, 1], "each replaced file still has its second name under the lock")
        let after = old.map { fd -> nlink_t in var st = stat(); fstat(fd, &st); return st.st_nlink }
        #expect(after == [0, 0, 0], "and none once the lock is released")
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp-") })
        #expect(try Store.open(dir.paths, clock: .fixed(t0)).database.thread(dana).count == 5)
        // Second names left by a crash are cleared by the next compaction, and a load ignores them.
        let leftovers = [".undo.jsonl.tmp-old-1-2", "store.json.bak.tmp-old-1-2", ".journal.jsonl.tmp-old-1-2"]
        for name in leftovers { try Data("{}".utf8).write(to: URL(fileURLWithPath: dir.paths.storeDirectory + "/" + name)) }
        #expect(try Store.open(dir.paths, clock: .fixed(t0)).database.thread(dana).count == 5)
        try s.refresh()
        try s.apply(.putMessage(message(dana, 3)), origin: .cli("log"), label: "Log")
        try s.compact()
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp-") }, "\(listing(dir.paths.storeDirectory))")
    }

    /// The flushes a write made during a compaction can wait for: those under the lock.
    /// An emptied journal: one, the directory's, for the undo file, backup and snapshot
    /// together; the journal is flushed after the lock. Lines appended meanwhile: the new
    /// journal's bytes and two of the directory.
    @Test func theLockIsHeldOverAsFewFlushesAsTheCrashOrderAllows() throws {
        final class Counter: @unchecked Sendable {
            let lock = NSLock()
            var paths: [Int32: String] = [:]
            var counting = false
            var underLock: [String] = []
            var afterLock: [String] = []
        }
        let c = Counter()
        let sys = FileSystem.system
        let fs = FileSystem(
            open: { path, flags, m in
                let fd = sys.open(path, flags, m)
                if fd >= 0 { c.lock.withLock { c.paths[fd] = path } }
                return fd
            },
            write: { fd, buf in sys.write(fd, buf) },
            fsync: { fd in
                c.lock.withLock {
                    let name = ((c.paths[fd] ?? "?") as NSString).lastPathComponent
                    if c.counting { c.underLock.append(name) } else { c.afterLock.append(name) }
                }
                return sys.fsync(fd)
            },
            rename: { a, b in sys.rename(a, b) },
            ftruncate: { fd, n in sys.ftruncate(fd, n) })
        let dir = TempDir()
        let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        try makeSampleStore(dir.paths).close()
        let s = try Store.open(dir.paths, clock: .fixed(t0), fileSystem: fs)
        try s.apply(.putMessage(message(dana, 0)), origin: .cli("log"), label: "Log")
        s.compactionPause = { c.lock.withLock { c.counting = true } }
        s.afterPlacement = { c.lock.withLock { c.counting = false; c.afterLock = [] } }
        try s.compact()
        let dirName = (dir.paths.storeDirectory as NSString).lastPathComponent
        #expect(c.underLock == [dirName], "\(c.underLock)")
        #expect(c.afterLock.contains("journal.jsonl"), "the emptied journal is flushed once the lock is released: \(c.afterLock)")
        #expect(bytes(dir.paths.journal)?.isEmpty ?? false)

        // Lines appended while the snapshot is written.
        let other = try Store.open(dir.paths, clock: .fixed(t0))
        try s.apply(.putMessage(message(dana, 1)), origin: .cli("log"), label: "Log")
        c.lock.withLock { c.underLock = [] }
        s.compactionPause = {
            c.lock.withLock { c.counting = true }
            try! other.apply(.putMessage(message(dana, 2)), origin: .cli("log"), label: "Log")
        }
        try s.compact()
        let under = c.lock.withLock { c.underLock }
        #expect(under.count == 3, "\(under)")
        #expect(under.filter { $0 == dirName }.count == 2)
        #expect(under.first?.hasPrefix(".journal.jsonl.tmp-") == true, "the new journal's bytes first, then the directory: \(under)")
        #expect(String(decoding: bytes(dir.paths.journal) ?? [], as: UTF8.self).split(separator: "\n").count == 1)
        #expect(try Store.open(dir.paths, clock: .fixed(t0)).database.thread(dana).count == 5)
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp-") })
    }

    /// The background compaction (the TUI's) runs as SCHED_BATCH on its own thread and
    /// puts the thread's policy back; it encodes without a second thread and writes the
    /// same bytes as a compaction in the foreground.
    @Test func aBackgroundCompactionRunsAsBatchAndWritesTheSameSnapshot() throws {
        let a = TempDir(), b = TempDir()
        let dana = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        var stores: [Store] = []
        let messages = (0..<5).map { message(dana, $0) }
        for paths in [a.paths, b.paths] {
            let s = try makeSampleStore(paths)
            for m in messages { try s.apply(.putMessage(m), origin: .cli("log"), label: "Log") }
            stores.append(s)
        }
        let otherPolicy = sched_getscheduler(0)
        var policyDuring: Int32 = -1
        stores[1].compactionPause = { policyDuring = sched_getscheduler(0) }
        try stores[0].compact()
        try stores[1].compactInBackground()
        #expect(policyDuring == 3, "SCHED_BATCH while it compacts")
        #expect(sched_getscheduler(0) == otherPolicy, "the thread's policy is put back")
        let same = bytes(a.paths.snapshot) == bytes(b.paths.snapshot)
        #expect(same, "the same store.json")
        #expect(bytes(b.paths.journal)?.isEmpty ?? false)
        // The encoding on one thread and on two gives the same bytes.
        let snap = Snapshot(stores[1].database, seq: stores[1].seq, flags: [:])
        let oneThread = try StoreCoding.encodeSnapshot(snap, check: true, parallel: false)
        let twoThreads = try StoreCoding.encodeSnapshot(snap, check: true)
        #expect(oneThread == twoThreads && !oneThread.isEmpty)
    }
}
