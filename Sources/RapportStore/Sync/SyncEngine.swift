import Glibc
import Foundation
import RapportCore

/// How this store syncs: through git in `sync/` with a remote, or through a folder.
public struct SyncSettings: Codable, Sendable, Equatable {
    public var mode: String
    public var remote: String?
    public var folder: String?

    static func load(_ sp: SyncPaths) throws -> SyncSettings? {
        guard let bytes = try Sys.readFile(sp.settings) else { return nil }
        do { return try JSONDecoder().decode(SyncSettings.self, from: Data(bytes)) } catch {
            throw RapportError.failure("\(sp.settings): does not read (\(StoreCoding.describe(error)))")
        }
    }

    func save(_ sp: SyncPaths) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try Sys.replaceFile(.system, sp.settings, Array(try e.encode(self)) + [0x0A])
    }
}

/// What a sync did, for the user.
public struct SyncReport: Sendable {
    /// Per other device (its name), how many of its changes came in.
    public var incoming: [(device: String, count: Int)] = []
    public var conflicts: [SyncConflict] = []
    /// This device's changes published this time.
    public var sent = 0
    /// Things to know: a log still arriving, a line set aside, a copied store, …
    public var notes: [String] = []
    /// Set when the merge is done but publishing failed (the next sync retries).
    public var publishError: String?
    /// Device id → name, for showing who wrote what.
    public var deviceNames: [String: String] = [:]

    public func name(of device: String) -> String { deviceNames[device] ?? device }

    /// "12 changes from desktop, 1 conflict: Dana Smith firm"
    public var summary: String {
        var parts = incoming.map { "\($0.count) change\($0.count == 1 ? "" : "s") from \($0.device)" }
        if parts.isEmpty { parts.append("no changes from other devices") }
        var line = parts.joined(separator: ", ")
        if !conflicts.isEmpty {
            line += ", \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"): "
                + conflicts.map(\.summary).joined(separator: ", ")
        }
        if sent > 0 { line += "; sent \(sent) change\(sent == 1 ? "" : "s")" }
        return line
    }
}

/// A checkpoint file: the merged state up to a clock cut, and the devices it knew.
struct Checkpoint: Codable {
    var devices: [String]
    var state: MergeState
}

/// `rapport sync`: publish this device's log, bring in the others', merge, apply.
public final class SyncEngine {
    public let store: Store
    public let sp: SyncPaths
    let tool: Tool
    let crypto: SyncCrypto?
    /// Write a checkpoint once this device has made this many operations since its last.
    public var checkpointEvery = 500

    /// `settings`: the config's `[sync]` (with the variables on top); nil reads only
    /// `RAPPORT_SYNC_RECIPIENTS` and `RAPPORT_SYNC_IDENTITY` from `environment`.
    public init(store: Store, environment: [String: String], settings: RapportConfig.SyncSettings? = nil) {
        self.store = store
        self.sp = SyncPaths(store.paths)
        self.tool = Tool(sp, environment: environment)
        if let settings { crypto = SyncCrypto.from(settings) } else { crypto = SyncCrypto.from(environment: environment) }
    }

    // MARK: - init

    /// Sets sync up: a device id, `sync/` as a git repository with `remote` (or `folder`),
    /// this store's existing data recorded as this device's first operations, then a
    /// first sync that writes a checkpoint.
    public func initialize(remote: String?, folder: String?, name: String?) throws -> SyncReport {
        if sp.enabled, let existing = try DeviceIdentity.load(sp), (try Sys.status(sp.ownLog(existing.identity.id))) != nil {
            throw RapportError.failure("sync is already set up in \(sp.store.storeDirectory) (device \(existing.identity.name), \(existing.identity.id)); run rapport sync")
        }
        let settings: SyncSettings
        if let folder {
            let dir = AppPaths.absolute(folder, environment: tool.environment)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw RapportError.failure("\(dir): no such folder (create it, or the synced folder, first)")
            }
            settings = SyncSettings(mode: "folder", remote: nil, folder: dir)
        } else if let remote, !remote.isEmpty {
            settings = SyncSettings(mode: "git", remote: remote, folder: nil)
        } else {
            throw RapportError.usage("sync init needs a git remote (a path, file://, ssh or https URL) or --folder DIR")
        }
        // A set-up that failed before its first sync (say, the remote was unreachable) is
        // done again from the start, keeping its device id.
        var identity = (try DeviceIdentity.load(sp))?.identity ?? DeviceIdentity.fresh(sp.store, name: name)
        if let name { identity.name = name }
        if settings.mode == "git" {
            try FileManager.default.createDirectory(atPath: sp.shared, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            if (try Sys.status(sp.shared + "/.git")) == nil {
                _ = try tool.git("init", "-q", "-b", "main")
            }
            let has = try tool.git("remote", check: false).output.split(separator: "\n").contains("origin")
            _ = has ? try tool.git("remote", "set-url", "origin", remote!) : try tool.git("remote", "add", "origin", remote!)
            if try tool.git("config", "user.email", check: false).output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                _ = try tool.git("config", "user.name", "Rapport on \(identity.name)")
                _ = try tool.git("config", "user.email", "\(identity.id)@rapport.invalid")
            }
        }
        try settings.save(sp)
        // Changes made before the first sync completes are taken in by its recording of
        // the whole store, not logged one by one with stamps from before the others'.
        var st = SyncState.load(sp)
        if st.recorded != true {
            st.recorded = false
            try st.save(sp)
        }
        try DeviceIdentity.save(identity, sp)
        // Bring in what the others already have before recording this store's data, so
        // its stamps come after theirs.
        var report = try run(folderOverride: nil, forceCheckpoint: false, recordExisting: true)
        report.notes.insert("this device is \(identity.name) (\(identity.id))", at: 0)
        return report
    }

    // MARK: - sync

    /// `prune` (the default): leave out of this device's published log the operations
    /// every device's checkpoint includes (once each device has one that knows every
    /// device); false publishes the whole log.
    public func sync(folder: String? = nil, checkpoint: Bool = false, prune: Bool = true) throws -> SyncReport {
        guard sp.enabled else {
            throw RapportError.failure("sync is not set up for \(sp.store.storeDirectory): run rapport sync init REMOTE (or --folder DIR) first")
        }
        return try run(folderOverride: folder, forceCheckpoint: checkpoint, recordExisting: false, prune: prune)
    }

    private func run(folderOverride: String?, forceCheckpoint: Bool, recordExisting: Bool, prune: Bool = true) throws -> SyncReport {
        guard let (identity, copied) = try DeviceIdentity.load(sp) else {
            throw RapportError.failure("sync is not set up: run rapport sync init REMOTE")
        }
        // Until this device's log exists, the store's data is not in it: the first sync that
        // gets that far records it (whether started by init or after an init that failed).
        let hasLog = try Sys.status(sp.ownLog(identity.id)) != nil
        let recordExisting = recordExisting || !(SyncState.load(sp).recorded ?? hasLog)
        var settings = try SyncSettings.load(sp) ?? SyncSettings(mode: "git", remote: nil, folder: nil)
        if let f = folderOverride {
            settings = SyncSettings(mode: "folder", remote: nil, folder: AppPaths.absolute(f, environment: tool.environment))
        }
        let lockFD = open(sp.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else { throw Sys.fail("open the sync lock", sp.lock) }
        defer { close(lockFD) }
        while flock(lockFD, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw Sys.fail("lock", sp.lock)
        }
        var report = SyncReport()
        if copied {
            report.notes.append("this store directory was copied or moved from another machine; it now syncs as a new device (\(identity.id))")
        }
        let git = settings.mode == "git"
        let shared = git ? sp.shared : (settings.folder ?? "")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: shared, isDirectory: &isDir), isDir.boolValue else {
            throw RapportError.failure("\(shared): the sync folder is not there (is the drive mounted?)")
        }
        if git { try recover() }

        var state = SyncState.load(sp)
        let before = state
        var attempt = 0
        var merged = MergeState()
        var firstPass = true
        while true {
            attempt += 1
            if git { try pull() }
            fault("pulled")
            let foreign = try readForeign(shared, own: identity.id, report: &report)
            if firstPass && recordExisting {
                // This store's data before sync, recorded after the others' stamps.
                state.maxClock = foreign.ops.map(\.clock).max()
                try state.save(sp)
                _ = try store.recordExistingForSync()
                state.recorded = true
                try state.save(sp)
            }
            firstPass = false
            merged = try mergeIntoStore(foreign: foreign, identity: identity, state: &state)
            fault("merged")
            let ownOps = try ownOperations(identity.id)
            let publishedBytes = try publish(shared, identity: identity, state: state, ownCount: ownOps.count,
                                             prune: prune ? pruneCut(foreign, own: identity.id) : nil)
            let lastCheckpoint = foreign.checkpoints[identity.id]?.state.included[identity.id] ?? 0
            if forceCheckpoint || recordExisting || ownOps.count - lastCheckpoint >= checkpointEvery {
                try writeCheckpoint(shared, identity: identity, foreign: foreign, own: ownOps)
            }
            fault("published")
            if !git {
                state.published = ownOps.count
                state.publishedBytes = publishedBytes
                break
            }
            try commit(identity)
            fault("committed")
            let push = try tool.git("push", "-q", "origin", "main", check: false)
            fault("pushed")
            if push.ok {
                state.published = ownOps.count
                state.publishedBytes = publishedBytes
                break
            }
            if attempt >= 5 || !isRejection(push.output) {
                report.publishError = "git push failed: \(push.lastLine)"
                break
            }
        }
        let now = store.clock.now()
        state.lastSync = now
        let newConflicts = merged.conflicts.filter { !before.reported.contains($0.key) }
        state.reported.formUnion(newConflicts.map(\.key))
        var names = deviceNames(shared)
        names[identity.id] = identity.name
        state.open += newConflicts.map {
            RecordedConflict(conflict: $0, found: now, winnerDevice: names[$0.winner.device] ?? $0.winner.device,
                             loserDevice: names[$0.loser.device] ?? $0.loser.device)
        }
        try state.save(sp)
        for (dev, n) in state.seen.sorted(by: { $0.key < $1.key }) {
            let was = before.seen[dev, default: 0]
            if n > was { report.incoming.append((names[dev] ?? dev, n - was)) }
        }
        report.conflicts = newConflicts
        report.deviceNames = names
        report.sent = max(0, state.published - before.published)
        return report
    }

    /// Fault injection for the crash tests: `RAPPORT_SYNC_FAULT=STEP` kills this process
    /// (SIGKILL) right after that step (pulled, merged, published, committed, pushed).
    private func fault(_ step: String) {
        if tool.environment["RAPPORT_SYNC_FAULT"] == step { kill(getpid(), SIGKILL) }
    }

    private func isRejection(_ out: String) -> Bool {
        ["rejected", "fetch first", "non-fast-forward", "failed to update ref", "stale info", "cannot lock ref"]
            .contains { out.contains($0) }
    }

    // MARK: - git

    /// After a sync that was killed: wait for a git it left running, then clear what a
    /// killed git leaves behind (a stale index.lock, a merge half done).
    private func recover() throws {
        if let pidText = try? String(contentsOfFile: sp.gitPID, encoding: .utf8), let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) {
            for _ in 0..<300 {
                guard let cmd = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8), cmd.hasPrefix("git") || cmd.contains("/git") else { break }
                usleep(100_000)
            }
            unlink(sp.gitPID)
        }
        // Under the sync lock with no git of ours running, an index.lock is stale.
        let gitDir = sp.shared + "/.git"
        for lock in ["index.lock", "HEAD.lock", "refs/heads/main.lock", "refs/remotes/origin/main.lock", "ORIG_HEAD.lock", "config.lock"] {
            unlink(gitDir + "/" + lock)
        }
        if (try Sys.status(gitDir + "/MERGE_HEAD")) != nil {
            _ = try tool.git("merge", "--abort", check: false)
        }
    }

    private func pull() throws {
        let fetch = try tool.git("fetch", "-q", "origin", check: false)
        if !fetch.ok {
            throw RapportError.failure("git fetch from the sync remote failed: \(fetch.lastLine)")
        }
        let remote = try tool.git("rev-parse", "-q", "--verify", "refs/remotes/origin/main", check: false)
        guard remote.ok else { return }  // an empty remote: nothing to merge yet
        let head = try tool.git("rev-parse", "-q", "--verify", "HEAD", check: false)
        if !head.ok {
            // Nothing committed here yet: start from the remote's history.
            _ = try tool.git("reset", "-q", "refs/remotes/origin/main")
            _ = try tool.git("checkout", "-q", "--", ".")
            return
        }
        let m = try tool.git("merge", "-q", "--no-edit", "refs/remotes/origin/main", check: false)
        if !m.ok {
            _ = try tool.git("merge", "--abort", check: false)
            throw RapportError.failure("git could not merge the sync remote into \(sp.shared): \(m.lastLine)")
        }
    }

    private func commit(_ identity: DeviceIdentity) throws {
        _ = try tool.git("add", "-A", ".")
        let staged = try tool.git("diff", "--cached", "--quiet", check: false)
        guard !staged.ok else { return }
        _ = try tool.git("commit", "-q", "--no-verify", "-m", "rapport sync from \(identity.name) (\(identity.id))")
    }

    // MARK: - logs

    struct Foreign {
        var ops: [SyncOperation] = []
        var counts: [String: Int] = [:]
        var latest: [String: HLC] = [:]
        var checkpoints: [String: Checkpoint] = [:]
    }

    private func fileName(_ base: String) -> String { crypto == nil ? base : base + ".age" }

    private func readBytes(_ path: String) throws -> [UInt8]? {
        guard var bytes = try Sys.readFile(path) else { return nil }
        if path.hasSuffix(".age") {
            guard let crypto else {
                throw RapportError.failure("\(path) is encrypted: set [sync] recipients and identity in config.toml (or RAPPORT_SYNC_RECIPIENTS and RAPPORT_SYNC_IDENTITY) to read it")
            }
            bytes = try crypto.decrypt(bytes, file: path, tool: tool)
        }
        return bytes
    }

    private func deviceNames(_ shared: String) -> [String: String] {
        var out: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: shared)) ?? [] where name.hasSuffix(".jsonl") {
            let id = String(name.dropLast(6))
            guard let bytes = try? Sys.readFile(shared + "/" + name),
                  let nl = bytes.firstIndex(of: 0x0A),
                  let h = try? StoreCoding.decoder.decode(LogLine.self, from: Data(bytes[..<nl])) else { continue }
            out[id] = h.name
        }
        for (k, v) in namesFromEncrypted { out[k] = v }
        return out
    }
    private var namesFromEncrypted: [String: String] = [:]

    private func readForeign(_ shared: String, own: String, report: inout SyncReport) throws -> Foreign {
        var f = Foreign()
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: shared)) ?? []).sorted()
        var best: [String: ParsedLog] = [:]
        for name in files where name.hasSuffix(".jsonl") || name.hasSuffix(".jsonl.age") {
            let id = String(name.hasSuffix(".age") ? name.dropLast(10) : name.dropLast(6))
            guard id != own, !id.hasPrefix(".") else { continue }
            let path = shared + "/" + name
            let bytes: [UInt8]
            do { bytes = try readBytes(path) ?? [] } catch {
                report.notes.append("\((error as? RapportError)?.description ?? "\(error)"); waiting for it")
                continue
            }
            var p = ParsedLog.parse(bytes, file: path)
            let label = p.name ?? id
            if let n = p.name { namesFromEncrypted[id] = n }
            if p.tornBytes > 0 {
                report.notes.append("\(label)'s log ends in an incomplete line (\(p.tornBytes) bytes, still arriving?): waiting for it")
            }
            var bad = p.corrupt
            for op in p.ops where op.device != id {
                bad.append((0, Array("\(op.clock)".utf8), "an operation of device \(op.device) in \(id)'s log"))
            }
            p.ops.removeAll { $0.device != id }
            for c in bad {
                try FileManager.default.createDirectory(atPath: sp.rejected, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                let aside = sp.rejected + "/\(id)-line\(c.line).txt"
                if (try Sys.status(aside)) == nil {
                    try Sys.createFile(.system, aside, c.bytes + [0x0A])
                }
                report.notes.append("\(path) line \(c.line) does not read (\(c.reason)); set aside to \(aside), not applied")
            }
            if let b = best[id], b.ops.count >= p.ops.count { continue }
            best[id] = p
        }
        for (id, p) in best {
            f.ops += p.ops
            f.counts[id] = p.ops.map(\.number).max() ?? 0
            if let l = p.ops.map(\.clock).max() ?? p.joined { f.latest[id] = l }
        }
        let cpDir = shared + "/checkpoints"
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: cpDir)) ?? []).sorted()
        where name.hasSuffix(".json") || name.hasSuffix(".json.age") {
            let id = String(name.hasSuffix(".age") ? name.dropLast(9) : name.dropLast(5))
            do {
                guard let bytes = try readBytes(cpDir + "/" + name) else { continue }
                f.checkpoints[id] = try StoreCoding.decoder.decode(Checkpoint.self, from: Data(bytes))
            } catch {
                report.notes.append("\(cpDir)/\(name) does not read (\((error as? RapportError)?.description ?? StoreCoding.describe(error))); not used")
            }
        }
        return f
    }

    /// This device's own operations (complete lines of its local log).
    private func ownOperations(_ id: String) throws -> [SyncOperation] {
        guard let bytes = try Sys.readFile(sp.ownLog(id)) else { return [] }
        return ParsedLog.parse(bytes, file: sp.ownLog(id)).ops
    }

    /// The latest checkpoint usable here: for every device whose log is held, it includes
    /// every held operation stamped at or before its cut, and the held operations continue
    /// where it stops (a log whose older operations were dropped needs one).
    private func base(_ f: Foreign, own: String, ownOps: [SyncOperation]) throws -> (state: MergeState, from: String?) {
        var held: [String: Int] = [:]
        var early: [String: (clock: HLC, number: Int)] = [:]
        for op in f.ops + ownOps {
            held[op.device] = min(held[op.device] ?? Int.max, op.number)
        }
        var best: (state: MergeState, from: String?)?
        for (id, cp) in f.checkpoints.sorted(by: { $0.key < $1.key }) {
            guard let cut = cp.state.cut else { continue }
            early = [:]
            for op in f.ops + ownOps where op.clock <= cut {
                if op.number > early[op.device]?.number ?? 0 { early[op.device] = (op.clock, op.number) }
            }
            guard held.allSatisfy({ cp.state.included[$0.key, default: 0] + 1 >= $0.value }),
                  early.allSatisfy({ $0.value.number <= cp.state.included[$0.key, default: 0] }) else { continue }
            if let b = best, let bc = b.state.cut, bc >= cut { continue }
            best = (cp.state, id)
        }
        if let best { return best }
        if let gap = held.first(where: { $0.value > 1 }) {
            throw RapportError.failure("the log of device \(gap.key) starts at its operation \(gap.value) and no checkpoint here covers the ones before it; sync again once that device's checkpoint has arrived")
        }
        return (MergeState(), nil)
    }

    /// The clock cut every device's checkpoint includes (nil unless each device has one
    /// that knows every device): own operations up to it need not be published again.
    private func pruneCut(_ f: Foreign, own: String) -> HLC? {
        let devices = Set(f.counts.keys).union([own])
        var cuts: [HLC] = []
        for d in devices {
            guard let cp = f.checkpoints[d], devices.isSubset(of: Set(cp.devices)), let c = cp.state.cut else { return nil }
            cuts.append(c)
        }
        return cuts.min()
    }

    /// The device whose checkpoint the last merge started from (nil: from the beginning).
    public private(set) var startedFrom: String?

    private func mergeIntoStore(foreign: Foreign, identity: DeviceIdentity, state: inout SyncState) throws -> MergeState {
        var merged = MergeState()
        var next = state
        var ownLatest: HLC?
        try store.applyMerged({ db in
            try restampUnseen(identity.id, foreign: foreign, published: state.published)
            let own = try ownOperations(identity.id)
            ownLatest = own.map(\.clock).max()
            let b = try base(foreign, own: identity.id, ownOps: own)
            startedFrom = b.from
            merged = SyncMerge.merge(foreign.ops + own, onto: b.state)
            return SyncMerge.diff(from: db, to: merged.database)
        }, then: {
            for (dev, n) in foreign.counts { next.seen[dev] = max(next.seen[dev, default: 0], n) }
            next.maxClock = ([next.maxClock, ownLatest] + foreign.ops.map(\.clock)).compactMap { $0 }.max()
            try next.save(sp)
        })
        state = next
        return merged
    }

    /// A device no checkpoint knows, that has never published, may hold operations stamped
    /// at or before such a checkpoint's cut (a store directory copied from another machine
    /// keeps the old merged clock): no checkpoint could then be built upon, and with the
    /// others' logs pruned the sync could never complete. No other device has seen them,
    /// so they are stamped again, after everything merged, in their order. Runs under the
    /// store's lock (the log's only writer).
    private func restampUnseen(_ id: String, foreign: Foreign, published: Int) throws {
        guard published == 0 else { return }
        let cuts = foreign.checkpoints.values.filter { !$0.devices.contains(id) }.compactMap(\.state.cut)
        guard let maxCut = cuts.max() else { return }
        let path = sp.ownLog(id)
        guard let bytes = try Sys.readFile(path) else { return }
        let p = ParsedLog.parse(bytes, file: path)
        guard p.ops.contains(where: { $0.clock <= maxCut }) else { return }
        var last = ([maxCut] + foreign.ops.map(\.clock)).max()!
        var out: [UInt8] = []
        var start = 0
        while start < p.consumed, let nl = bytes[start..<p.consumed].firstIndex(of: 0x0A) {
            let line = Array(bytes[start...nl])
            start = nl + 1
            guard var l = try? StoreCoding.decoder.decode(LogLine.self, from: Data(line)) else { out += line; continue }
            if l.n != nil, l.hlc != nil {
                last = HLC(wall: last.wall, counter: last.counter + 1, device: id)
                l.hlc = last
            } else if l.device != nil {
                l.joined = maxCut
            }
            out += Array(try StoreCoding.lineEncoder.encode(l)) + [0x0A]
        }
        try Sys.replaceFile(.system, path, out)
    }

    /// Puts this device's log (its complete lines) in the shared folder; returns its size.
    /// Operations stamped at or before `prune` are left out (every device's checkpoint has
    /// them; git history keeps them).
    private func publish(_ shared: String, identity: DeviceIdentity, state: SyncState, ownCount: Int, prune: HLC?) throws -> Int {
        guard let bytes = try Sys.readFile(sp.ownLog(identity.id)) else { return 0 }
        let size = bytes.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        var complete = Array(bytes[..<size])
        if let prune {
            var kept: [UInt8] = []
            var start = 0
            while start < complete.count, let nl = complete[start...].firstIndex(of: 0x0A) {
                let line = complete[start...nl]
                start = nl + 1
                if let l = try? StoreCoding.decoder.decode(LogLine.self, from: Data(line)), let hlc = l.hlc, l.n != nil, hlc <= prune { continue }
                kept += line
            }
            complete = kept
        }
        let target = shared + "/" + fileName("\(identity.id).jsonl")
        if crypto != nil {
            unlink(shared + "/\(identity.id).jsonl")
            // Re-encrypted only when there is something new (ciphertext differs each time).
            if ownCount <= state.published, (try Sys.status(target)) != nil { return size }
            try Sys.replaceFile(.system, target, try crypto!.encrypt(complete, tool: tool))
        } else if try Sys.readFile(target) != complete {
            try Sys.replaceFile(.system, target, complete)
        }
        return size
    }

    private func writeCheckpoint(_ shared: String, identity: DeviceIdentity, foreign: Foreign, own: [SyncOperation]) throws {
        var latest = foreign.latest
        if let l = own.last?.clock { latest[identity.id] = l }
        guard let cut = latest.values.min() else { return }
        let all = foreign.ops + own
        let b = try base(foreign, own: identity.id, ownOps: own).state
        var state = SyncMerge.merge(all.filter { $0.clock <= cut }, onto: b.cut.map { $0 <= cut } == true ? b : MergeState())
        state.cut = cut
        let cp = Checkpoint(devices: Array(Set(latest.keys).union(foreign.counts.keys)).sorted(), state: state)
        var bytes = Array(try StoreCoding.encoder.encode(cp)) + [0x0A]
        if let crypto { bytes = try crypto.encrypt(bytes, tool: tool) }
        try FileManager.default.createDirectory(atPath: shared + "/checkpoints", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        if crypto != nil { unlink(shared + "/checkpoints/\(identity.id).json") }
        try Sys.replaceFile(.system, shared + "/checkpoints/" + fileName("\(identity.id).json"), bytes)
    }

    // MARK: - status

    /// Lines for `rapport sync status`.
    public func status() throws -> [String] {
        guard let (identity, _) = try DeviceIdentity.load(sp) else {
            return ["sync is not set up (rapport sync init REMOTE, or --folder DIR)"]
        }
        let settings = try SyncSettings.load(sp)
        let state = SyncState.load(sp)
        let own = try ownOperations(identity.id).count
        var lines = ["device: \(identity.name) (\(identity.id))"]
        switch settings?.mode {
        case "folder": lines.append("through the folder \(settings?.folder ?? "?")")
        default: lines.append("through git: \(settings?.remote ?? "?") (in \(sp.shared))")
        }
        lines.append(crypto == nil ? "encryption: off (the remote can read everything)" : "encryption: age, to \(crypto!.recipients.count) recipient(s)")
        lines.append("last sync: " + (state.lastSync.map { ISO8601.format($0) } ?? "never"))
        lines.append(own > state.published ? "unsynced changes here: \(own - state.published)" : "no unsynced changes here")
        let shared = settings?.mode == "folder" ? (settings?.folder ?? "") : sp.shared
        let names = deviceNames(shared)
        for (dev, n) in state.seen.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(names[dev] ?? dev) (\(dev)): \(n) change\(n == 1 ? "" : "s") merged")
        }
        if state.open.isEmpty {
            lines.append("no open conflicts")
        } else {
            lines.append("open conflicts: \(state.open.count) (rapport sync ack clears them once read)")
            for c in state.open {
                lines.append("  \(c.conflict.name): \(c.line), found \(ISO8601.format(c.found))")
            }
        }
        return lines
    }

    /// What `rapport sync status --json` prints.
    public struct Status: Codable, Sendable {
        public var device: String
        public var name: String
        public var mode: String
        public var remote: String?
        public var folder: String?
        public var encrypted: Bool
        public var lastSync: Date?
        public var unsent: Int
        /// Per other device id: its name and how many of its changes are merged here.
        public var devices: [DeviceStatus]
        public var conflicts: [RecordedConflict]

        public struct DeviceStatus: Codable, Sendable {
            public var id: String
            public var name: String
            public var merged: Int
        }
    }

    /// The status as data (nil: sync is not set up).
    public func statusData() throws -> Status? {
        guard let (identity, _) = try DeviceIdentity.load(sp) else { return nil }
        let settings = try SyncSettings.load(sp)
        let state = SyncState.load(sp)
        let own = try ownOperations(identity.id).count
        let shared = settings?.mode == "folder" ? (settings?.folder ?? "") : sp.shared
        let names = deviceNames(shared)
        return Status(device: identity.id, name: identity.name, mode: settings?.mode ?? "git",
                      remote: settings?.remote, folder: settings?.folder, encrypted: crypto != nil,
                      lastSync: state.lastSync, unsent: max(0, own - state.published),
                      devices: state.seen.sorted(by: { $0.key < $1.key }).map { .init(id: $0.key, name: names[$0.key] ?? $0.key, merged: $0.value) },
                      conflicts: state.open)
    }

    /// Sync as the TUI shows it: when, what is unsent, the open conflicts. Nil when sync
    /// is not set up. Cheap: reads two small files and the size of this device's log.
    public static func summary(_ paths: AppPaths) -> SyncSummary? {
        let sp = SyncPaths(paths)
        guard let bytes = try? Sys.readFile(sp.identity),
              let id = try? JSONDecoder().decode(DeviceIdentity.self, from: Data(bytes)) else { return nil }
        let state = SyncState.load(sp)
        var unsent = 0
        if let h = FileHandle(forReadingAtPath: sp.ownLog(id.id)) {
            defer { try? h.close() }
            // Only what was appended since the last publish is read.
            if (try? h.seek(toOffset: UInt64(state.publishedBytes))) != nil, let tail = try? h.readToEnd() {
                unsent = tail.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                // A log never published starts with its header line.
                if state.publishedBytes == 0, unsent > 0 { unsent -= 1 }
            }
        }
        return SyncSummary(lastSync: state.lastSync, unsent: unsent, conflicts: state.open)
    }

    /// Marks the open conflicts on `recruiter` (nil: all) as read: they leave the list
    /// and are not reported again. Returns how many. Fails, changing nothing, while a
    /// sync is running (it would write the list back).
    @discardableResult
    public static func acknowledge(_ paths: AppPaths, recruiter: UUID?) throws -> Int {
        let sp = SyncPaths(paths)
        let fd = open(sp.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Sys.fail("open the sync lock", sp.lock) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            throw RapportError.failure("a sync is running; try again when it has finished")
        }
        defer { flock(fd, LOCK_UN) }
        var state = SyncState.load(sp)
        let before = state.open.count
        state.open.removeAll { recruiter == nil || $0.conflict.recruiter == recruiter }
        let n = before - state.open.count
        if n > 0 { try state.save(sp) }
        return n
    }

    /// True when this device has changes no sync has published yet (for a status bar).
    public static func hasUnsynced(_ paths: AppPaths) -> Bool {
        let sp = SyncPaths(paths)
        guard let bytes = try? Sys.readFile(sp.identity),
              let id = try? JSONDecoder().decode(DeviceIdentity.self, from: Data(bytes)),
              let st = try? Sys.status(sp.ownLog(id.id)) else { return false }
        return Int(st.size) > SyncState.load(sp).publishedBytes
    }
}

extension SyncConflict {
    var key: String { "\(what)|\(recruiter.uuidString)|\(loser.device)|\(loser.number)|\(loser.sub)" }
}
