import Glibc
import Foundation
import Testing
import RapportCore
import RapportDemo
@testable import RapportStore

/// Several devices (store directories) syncing through one bare git repository or one
/// folder, with Debian's git (and age for the encrypted run).
struct SyncWorld: ~Copyable {
    let tmp = TempDir()
    var stores: [Store] = []
    var env: [String: String]
    var rng: SeededGenerator
    var now = t0
    var acknowledged: [Int] = []

    init(devices: Int, seed: UInt64, env extra: [String: String] = [:]) throws {
        rng = SeededGenerator(state: seed)
        var e = ProcessInfo.processInfo.environment
        e["GIT_CONFIG_GLOBAL"] = "/dev/null"
        e["GIT_CONFIG_NOSYSTEM"] = "1"
        for (k, v) in extra { e[k] = v }
        env = e
        for i in 0..<devices {
            let p = AppPaths(storeDirectory: tmp.path("device\(i)"))
            stores.append(try Store.open(p, clock: .fixed(t0)))
            acknowledged.append(0)
        }
    }

    var remote: String { tmp.path("remote.git") }
    var folder: String { tmp.path("shared") }

    func makeRemote() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        p.arguments = ["init", "-q", "--bare", "-b", "main", remote]
        p.environment = env
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    func engine(_ i: Int) -> SyncEngine { SyncEngine(store: stores[i], environment: env) }

    /// A random change valid on device `i`'s data.
    mutating func randomChange(_ i: Int) -> Change? {
        let db = stores[i].database
        let ids = db.recruiters.keys.sorted(by: uuidLess)
        let v = Int.random(in: 0..<5, using: &rng)
        let at = t0.addingTimeInterval(Double(Int.random(in: -90_000...0, using: &rng)))
        if ids.isEmpty || Int.random(in: 0..<10, using: &rng) == 0 {
            let key = "email:r\(Int.random(in: 0..<5, using: &rng))@example.com"
            let id = StableID.make(.recruiter, key)
            if db.recruiters[id] != nil { return .addTag(recruiter: id, tag: "seen-again") }
            return .putRecruiter(Recruiter(id: id, name: "Recruiter \(key.dropFirst(7).prefix(2))", email: String(key.dropFirst(6)), created: t0))
        }
        let rid = ids.randomElement(using: &rng)!
        switch Int.random(in: 0..<11, using: &rng) {
        case 0, 1: return .setField(recruiter: rid, field: .firm, value: "Firm \(v) by \(i)")
        case 2: return .setField(recruiter: rid, field: .phone, value: "+1 555 01\(v)\(i)")
        case 3: return .setField(recruiter: rid, field: .notes, value: "note \(v) by \(i)")
        case 4: return .setStatus(recruiter: rid, status: [.active, .ally, .dormant][v % 3], until: nil)
        case 5: return .addTag(recruiter: rid, tag: "t\(v)")
        case 6: return db.recruiters[rid]!.tags.first.map { .removeTag(recruiter: rid, tag: $0) }
        case 7, 8:
            return .putMessage(Message(id: StableID.make(.message, "mail:<\(rid)-\(v)>"), recruiterID: rid,
                                       direction: v % 2 == 0 ? .inbound : .outbound, at: at, subject: "s\(v) from \(i)"))
        case 9: return .putFollowUp(FollowUp(id: StableID.make(.followUp, "\(rid)-\(v)"), recruiterID: rid, due: at.addingTimeInterval(86_400 * 3)))
        default: return Int.random(in: 0..<4, using: &rng) == 0 ? .removeRecruiter(rid) : .setAgenda(recruiter: rid, agenda: "ask \(v)")
        }
    }

    mutating func edit(_ i: Int) throws {
        guard let c = randomChange(i) else { return }
        try stores[i].apply(c)
        acknowledged[i] += 1
    }

    /// Every device's data with the per-device flags dropped.
    func data(_ i: Int) throws -> Database {
        try stores[i].refresh()
        var db = Database()
        for id in stores[i].database.recruiters.keys {
            var rec = stores[i].database.record(of: id)!
            rec.recruiter.flags = []
            try db.apply(.restoreRecruiter(rec))
        }
        return db
    }

    /// All logs as every device now holds them, merged afresh.
    func allOperations() throws -> [SyncOperation] {
        var ops: [SyncOperation] = []
        for s in stores {
            let sp = SyncPaths(s.paths)
            for name in listing(sp.localLogs) {
                let id = String(name.dropLast(6))
                guard let b = bytes(sp.ownLog(id)) else { continue }
                let p = ParsedLog.parse(b, file: name)
                if ops.contains(where: { $0.device == id }) { continue }
                ops += p.ops
            }
        }
        return ops
    }
}


@Suite(.serialized) struct SyncTests {
    /// Runs random edits and syncs, then syncs everyone twice and checks convergence and
    /// that every acknowledged change is in the logs, and every edit that is not the value
    /// now shown was either knowingly overwritten or is recorded as a conflict loser.
    func converge(_ w: inout SyncWorld, folder: Bool, rounds: Int) throws {
        let n = w.stores.count
        // Device 0 has data from before sync.
        for _ in 0..<4 { try w.edit(0) }
        for i in 0..<n {
            let e = w.engine(i)
            e.checkpointEvery = 25
            _ = folder ? try e.initialize(remote: nil, folder: w.folder, name: "dev\(i)")
                       : try e.initialize(remote: w.remote, folder: nil, name: "dev\(i)")
        }
        w.acknowledged = Array(repeating: 0, count: n)
        var conflicts: [SyncConflict] = []
        for _ in 0..<rounds {
            let i = Int.random(in: 0..<n, using: &w.rng)
            if Int.random(in: 0..<3, using: &w.rng) == 0 {
                let e = w.engine(i)
                e.checkpointEvery = 25
                let r = try e.sync()
                #expect(r.publishError == nil)
                conflicts += r.conflicts
            } else {
                for _ in 0..<Int.random(in: 1...3, using: &w.rng) { try w.edit(i) }
            }
        }
        for _ in 0..<2 { for i in 0..<n { conflicts += try w.engine(i).sync().conflicts } }
        let first = try w.data(0)
        #expect(!first.recruiters.isEmpty)
        for i in 1..<n { #expect(try w.data(i) == first, "device \(i) differs from device 0") }

        // Nothing acknowledged is missing from the logs.
        let ops = try w.allOperations()
        for i in 0..<n {
            let own = SyncPaths(w.stores[i].paths)
            let id = try DeviceIdentity.load(own)!.identity.id
            // Device 0's data from before sync is recorded once more, as its first operations.
            #expect(ops.filter { $0.device == id }.count >= w.acknowledged[i])
        }
        let merged = SyncMerge.merge(ops)
        #expect(merged.database == first)
        #expect(ops.count > rounds)
        #expect(!merged.conflicts.isEmpty)
        #expect(!firstCheck(ops).isEmpty)
        // Each firm written: the value shown, or overwritten by a write that saw it, or a
        // recorded conflict loser (the recruiter may also have been deleted).
        let firmWrites = ops.flatMap { op -> [(SyncOperation, UUID, String?)] in
            if case .setField(let r, .firm, let v) = op.change { return [(op, r, v)] }
            return []
        }
        for (op, rid, value) in firmWrites {
            guard let r = first.recruiters[rid], r.firm != value else { continue }
            let later = ops.filter { $0.clock > op.clock }
            let overwritten = later.contains { o in
                let touches: Bool
                switch o.change {
                case .setField(rid, .firm, _), .putRecruiter, .restoreRecruiter, .removeRecruiter(rid): touches = true
                default: touches = false
                }
                return touches && (o.device == op.device || o.seen[op.device, default: 0] >= op.number)
            }
            let lost = merged.conflicts.contains { $0.loser.device == op.device && $0.loser.number == op.number }
            #expect(overwritten || lost, "firm '\(value ?? "")' by \(op.device) #\(op.number) vanished")
        }
        #expect(Set(conflicts.map(\.key)).isSubset(of: Set(merged.conflicts.map(\.key))))
    }

    /// The firm writes among the operations (the check below must have something to check).
    func firstCheck(_ ops: [SyncOperation]) -> [SyncOperation] {
        ops.filter { if case .setField(_, .firm, _) = $0.change { return true } else { return false } }
    }

    @Test func threeDevicesThroughGitConverge() throws {
        var w = try SyncWorld(devices: 3, seed: 11)
        try w.makeRemote()
        try converge(&w, folder: false, rounds: 45)
        // Checkpoints were written, and a fourth device joining with an empty store gets the
        // same data from them.
        let shared = SyncPaths(w.stores[0].paths).shared
        #expect(listing(shared + "/checkpoints").count == 3)
        // Once every device has a checkpoint that knows every device, the operations they
        // all include are no longer published (git history keeps them).
        for i in 0..<3 { _ = try w.engine(i).sync(checkpoint: true) }
        for i in 0..<3 { _ = try w.engine(i).sync(prune: true) }
        let firstNumbers = listing(shared).filter { $0.hasSuffix(".jsonl") }.map { name in
            ParsedLog.parse(bytes(shared + "/" + name)!, file: name).ops.first?.number ?? Int.max
        }
        #expect(firstNumbers.contains { $0 > 1 }, "\(firstNumbers)")
        let late = try Store.open(AppPaths(storeDirectory: w.tmp.path("device3")), clock: .fixed(t0))
        w.stores.append(late)
        let joining = w.engine(3)
        _ = try joining.initialize(remote: w.remote, folder: nil, name: "late")
        #expect(joining.startedFrom != nil)
        #expect(try w.data(3) == w.data(0))
        for i in 0..<3 { _ = try w.engine(i).sync() }
        for i in 0..<4 { #expect(try w.data(i) == w.data(3)) }
    }

    @Test func threeDevicesThroughAFolderConverge() throws {
        var w = try SyncWorld(devices: 3, seed: 23)
        try FileManager.default.createDirectory(atPath: w.folder, withIntermediateDirectories: true)
        try converge(&w, folder: true, rounds: 45)
        // A foreign log whose last line is still arriving is waited for; a line that does
        // not read is set aside and reported, never applied.
        let logs = listing(w.folder).filter { $0.hasSuffix(".jsonl") }
        let victim = w.folder + "/" + logs[0]
        var b = bytes(victim)!
        b += Array(#"{"n":999,"hlc":"1.0@x","#.utf8)
        write(victim, b)
        let r1 = try w.engine(1).sync()
        let own1 = try DeviceIdentity.load(SyncPaths(w.stores[1].paths))!.identity.id
        #expect(r1.notes.contains { $0.contains("incomplete line") } || logs[0].hasPrefix(own1))
        b += Array("garbage}\n".utf8)
        write(victim, b)
        let before = try w.data(2)
        let r2 = try w.engine(2).sync()
        let own2 = try DeviceIdentity.load(SyncPaths(w.stores[2].paths))!.identity.id
        if !logs[0].hasPrefix(own2) {
            #expect(r2.notes.contains { $0.contains("set aside") })
            #expect(!listing(SyncPaths(w.stores[2].paths).rejected).isEmpty)
        }
        #expect(try w.data(2) == before)
    }

    @Test func encryptedLogsHoldNoPlaintext() throws {
        let tmpKey = NSTemporaryDirectory() + "rapport-age-\(UUID().uuidString)"
        defer { unlink(tmpKey) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/age-keygen")
        p.arguments = ["-o", tmpKey]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let key = try String(contentsOfFile: tmpKey, encoding: .utf8)
        let recipient = key.split(separator: "\n").first { $0.hasPrefix("# public key: ") }!.dropFirst(14)
        var w = try SyncWorld(devices: 3, seed: 37, env: ["RAPPORT_SYNC_RECIPIENTS": String(recipient), "RAPPORT_SYNC_IDENTITY": tmpKey])
        try w.makeRemote()
        try converge(&w, folder: false, rounds: 20)
        // Every blob in the remote's history: no name, firm or subject in plain text.
        let names = Set(w.stores[0].database.recruiters.values.map(\.name))
        #expect(!names.isEmpty)
        let dump = w.tmp.path("dump")
        let q = Process()
        q.executableURL = URL(fileURLWithPath: "/bin/sh")
        q.arguments = ["-c", "git -C \"$1\" rev-list --objects --all | cut -d' ' -f1 | git -C \"$1\" cat-file --batch > \"$2\"", "sh", w.remote, dump]
        q.environment = w.env
        try q.run()
        q.waitUntilExit()
        let all = String(decoding: bytes(dump) ?? [], as: UTF8.self)
        #expect(all.count > 1000)
        for n in names { #expect(!all.contains(n), "\(n) readable in the remote") }
        #expect(!all.contains("Firm "))
        #expect(!all.contains("example.com"))
    }

    @Test func aCopiedStoreGetsANewDeviceID() throws {
        var w = try SyncWorld(devices: 1, seed: 5)
        try w.makeRemote()
        try w.edit(0)
        _ = try w.engine(0).initialize(remote: w.remote, folder: nil, name: "laptop")
        let id = try DeviceIdentity.load(SyncPaths(w.stores[0].paths))!.identity.id
        let copy = w.tmp.path("copy")
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/bin/cp")
        cp.arguments = ["-a", w.stores[0].paths.storeDirectory, copy]
        try cp.run()
        cp.waitUntilExit()
        let copied = try Store.open(AppPaths(storeDirectory: copy), clock: .fixed(t0))
        let (again, wasCopied) = try DeviceIdentity.load(SyncPaths(copied.paths))!
        #expect(wasCopied)
        #expect(again.id != id)
        // The original keeps its id.
        #expect(try DeviceIdentity.load(SyncPaths(w.stores[0].paths))!.identity.id == id)
    }

    func deviceID(_ store: Store) throws -> String {
        try DeviceIdentity.load(SyncPaths(store.paths))!.identity.id
    }

    func published(_ shared: String, _ id: String) -> [SyncOperation] {
        ParsedLog.parse(bytes(shared + "/\(id).jsonl") ?? [], file: "").ops
    }

    @Test func pruningIsAutomaticAndKeepsWhatAnotherDeviceHasNotMerged() throws {
        var w = try SyncWorld(devices: 3, seed: 41)
        try w.makeRemote()
        for _ in 0..<5 { try w.edit(0) }
        for i in 0..<3 { _ = try w.engine(i).initialize(remote: w.remote, folder: nil, name: "dev\(i)") }
        for _ in 0..<3 {
            for i in 0..<3 {
                for _ in 0..<3 { try w.edit(i) }
                _ = try w.engine(i).sync()
            }
        }
        let shared = SyncPaths(w.stores[0].paths).shared
        let ids = try w.stores.map(deviceID)
        // Each device writes a checkpoint; until every device has one that knows every
        // device, nothing is left out.
        _ = try w.engine(0).sync(checkpoint: true)
        _ = try w.engine(1).sync(checkpoint: true)
        #expect(published(shared, ids[0]).first?.number == 1)
        #expect(published(shared, ids[1]).first?.number == 1)
        _ = try w.engine(2).sync(checkpoint: true)
        // Device 0 edits after device 2's checkpoint: device 2 has not merged that.
        let rid = w.stores[0].database.recruiters.keys.sorted(by: uuidLess).first!
        try w.stores[0].apply(.setField(recruiter: rid, field: .notes, value: "after the checkpoints"))
        let own0 = ParsedLog.parse(bytes(SyncPaths(w.stores[0].paths).ownLog(ids[0]))!, file: "").ops
        // A plain sync prunes on its own: the operations every checkpoint includes are no
        // longer in the working tree, the new one is.
        _ = try w.engine(0).sync()
        let after = published(shared, ids[0])
        #expect(after.first!.number > 1, "device 0's published log was not pruned")
        #expect(after.last == own0.last)
        #expect(after.contains { if case .setField(rid, .notes, "after the checkpoints") = $0.change { return true } else { return false } })
        // Every operation left out is in every device's checkpoint.
        for name in listing(shared + "/checkpoints") {
            let cp = try StoreCoding.decoder.decode(Checkpoint.self, from: Data(bytes(shared + "/checkpoints/" + name)!))
            #expect(cp.state.included[ids[0], default: 0] >= after.first!.number - 1, "\(name)")
        }
        // Device 2 merges it now, from the pruned log.
        _ = try w.engine(2).sync()
        #expect(try w.data(2).recruiters[rid]?.notes == "after the checkpoints")
        for i in 0..<3 { _ = try w.engine(i).sync() }
        for i in 0..<3 { _ = try w.engine(i).sync() }
        for i in 1..<3 { #expect(try w.data(i) == w.data(0)) }
        let firsts = ids.map { published(shared, $0).first?.number ?? 0 }
        #expect(firsts.allSatisfy { $0 > 1 }, "\(firsts)")
        // A fourth device joins from the checkpoints and gets the same data.
        w.stores.append(try Store.open(AppPaths(storeDirectory: w.tmp.path("device3")), clock: .fixed(t0)))
        let joining = w.engine(3)
        _ = try joining.initialize(remote: w.remote, folder: nil, name: "late")
        #expect(joining.startedFrom != nil)
        #expect(try w.data(3) == w.data(0))
        // --no-prune publishes the whole log again.
        _ = try w.engine(0).sync(prune: false)
        #expect(published(shared, ids[0]).first?.number == 1)
    }

    @Test func conflictsAreKeptUntilAcknowledgedAndListedInTheStatus() throws {
        let w = try SyncWorld(devices: 2, seed: 3)
        try w.makeRemote()
        let rid = StableID.make(.recruiter, "email:dana@example.com")
        try w.stores[0].apply(.putRecruiter(Recruiter(id: rid, name: "Dana Smith", email: "dana@example.com", created: t0)))
        _ = try w.engine(0).initialize(remote: w.remote, folder: nil, name: "laptop")
        _ = try w.engine(1).initialize(remote: w.remote, folder: nil, name: "desktop")
        #expect(SyncEngine.summary(w.stores[1].paths)?.conflicts.isEmpty == true)
        try w.stores[0].apply(.setField(recruiter: rid, field: .firm, value: "Acme"))
        try w.stores[1].apply(.setField(recruiter: rid, field: .firm, value: "Globex"))
        #expect(SyncEngine.summary(w.stores[1].paths)?.unsent == 1)
        _ = try w.engine(0).sync()
        let r = try w.engine(1).sync()
        #expect(r.summary.contains("1 conflict: Dana Smith firm"), "\(r.summary)")
        _ = try w.engine(0).sync()
        let s1 = try #require(SyncEngine.summary(w.stores[1].paths))
        #expect(s1.unsent == 0 && s1.lastSync != nil)
        #expect(s1.conflicts.count == 1)
        let c = s1.conflicts[0]
        #expect(c.conflict.name == "Dana Smith" && c.conflict.what == "firm")
        #expect(Set([c.conflict.winnerValue, c.conflict.loserValue]) == Set(["Acme", "Globex"]))
        #expect(Set([c.winnerDevice, c.loserDevice]) == Set(["laptop", "desktop"]))
        #expect(try w.data(1).recruiters[rid]?.firm == c.conflict.winnerValue)
        // The status lists it with both values, the devices and when.
        let lines = try w.engine(1).status()
        #expect(lines.contains { $0.contains("Dana Smith: firm: '\(c.conflict.winnerValue!)' (\(c.winnerDevice)) won over '\(c.conflict.loserValue!)' (\(c.loserDevice)), found") }, "\(lines)")
        let data = try #require(try w.engine(1).statusData())
        #expect(data.conflicts == s1.conflicts && data.name == "desktop" && data.devices.map(\.name) == ["laptop"])
        // Device 0 found it too (when it merged device 1's edit).
        #expect(SyncEngine.summary(w.stores[0].paths)?.conflicts.count == 1)
        // Acknowledged: gone, and not reported again by later syncs.
        #expect(try SyncEngine.acknowledge(w.stores[1].paths, recruiter: UUID()) == 0)
        #expect(try SyncEngine.acknowledge(w.stores[1].paths, recruiter: rid) == 1)
        _ = try w.engine(1).sync()
        #expect(SyncEngine.summary(w.stores[1].paths)?.conflicts.isEmpty == true)
        #expect(try w.engine(1).status().contains("no open conflicts"))
        // While a sync holds the lock, an acknowledgement is refused (it would be lost).
        let fd = open(SyncPaths(w.stores[0].paths).lock, O_RDWR)
        #expect(flock(fd, LOCK_EX) == 0)
        #expect(throws: RapportError.self) { try SyncEngine.acknowledge(w.stores[0].paths, recruiter: nil) }
        close(fd)
        #expect(try SyncEngine.acknowledge(w.stores[0].paths, recruiter: nil) == 1)
    }

    @Test func changesMadeBeforeTheFirstSyncCompletesAreNotLost() throws {
        let w = try SyncWorld(devices: 2, seed: 9)
        try w.makeRemote()
        let rid = StableID.make(.recruiter, "email:lee@example.com")
        try w.stores[1].apply(.putRecruiter(Recruiter(id: rid, name: "Lee Park", email: "lee@example.com", created: t0)))
        // The remote is unreachable: set-up fails after the device was created.
        #expect(throws: RapportError.self) { _ = try w.engine(1).initialize(remote: w.tmp.path("nowhere.git"), folder: nil, name: "desktop") }
        try w.stores[1].apply(.setField(recruiter: rid, field: .firm, value: "Initech"))
        _ = try w.engine(0).initialize(remote: w.remote, folder: nil, name: "laptop")
        _ = try w.engine(1).initialize(remote: w.remote, folder: nil, name: "desktop")
        _ = try w.engine(0).sync()
        #expect(try w.data(1).recruiters[rid]?.firm == "Initech")
        #expect(try w.data(0) == w.data(1))
    }

    /// A store directory copied to another machine keeps the old merged clock: its first
    /// changes are stamped before the others' newer checkpoints, which do not know it.
    /// With the logs pruned, its sync still completes and everyone converges.
    @Test func aCopiedStoreSyncsAfterTheOthersPruned() throws {
        var w = try SyncWorld(devices: 3, seed: 57)
        try w.makeRemote()
        for _ in 0..<4 { try w.edit(0) }
        for i in 0..<3 { _ = try w.engine(i).initialize(remote: w.remote, folder: nil, name: "dev\(i)") }
        for i in 0..<3 { try w.edit(i); _ = try w.engine(i).sync() }
        let copy = w.tmp.path("copy")
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/bin/cp")
        cp.arguments = ["-a", w.stores[0].paths.storeDirectory, copy]
        try cp.run()
        cp.waitUntilExit()
        for _ in 0..<2 { for i in 0..<3 { for _ in 0..<3 { try w.edit(i) }; _ = try w.engine(i).sync() } }
        for i in 0..<3 { _ = try w.engine(i).sync(checkpoint: true) }
        for i in 0..<3 { _ = try w.engine(i).sync() }
        // Device 2 synced last: its working tree has everyone's pruned logs.
        let shared = SyncPaths(w.stores[2].paths).shared
        let firsts = try w.stores.map(deviceID).map { published(shared, $0).first?.number ?? Int.max }
        #expect(firsts.allSatisfy { $0 > 1 }, "not pruned: \(firsts)")
        w.stores.append(try Store.open(AppPaths(storeDirectory: copy), clock: .fixed(t0)))
        let rid = try #require(w.stores[3].database.recruiters.keys.sorted(by: uuidLess).first)
        try w.stores[3].apply(.setField(recruiter: rid, field: .notes, value: "written on the copy"))
        #expect(w.stores[3].notices.contains { $0.contains("copied") }, "\(w.stores[3].notices)")
        _ = try w.engine(3).sync()
        for _ in 0..<2 { for i in 0..<4 { _ = try w.engine(i).sync() } }
        for i in 1..<4 { #expect(try w.data(i) == w.data(0), "device \(i) differs") }
        if let r = try w.data(0).recruiters[rid] { #expect(r.notes == "written on the copy") }
    }
}
