import Glibc
import Foundation
import RapportCore

/// Where sync keeps its files in a store directory. `sync/` is what is shared (a git
/// working tree, or copied to a folder); everything else is this device's own.
public struct SyncPaths: Sendable {
    public let store: AppPaths
    public init(_ store: AppPaths) { self.store = store }

    /// This device's id and the fingerprint of where the store lives.
    public var identity: String { store.path("sync-device.json") }
    /// This device's own log, appended under the store's lock with every change.
    public var localLogs: String { store.path("sync-log") }
    public func ownLog(_ id: String) -> String { (localLogs as NSString).appendingPathComponent("\(id).jsonl") }
    /// What this device has merged and published (not shared).
    public var state: String { store.path("sync-state.json") }
    /// How this store syncs: git in `sync/`, or a folder.
    public var settings: String { store.path("sync-config.json") }
    /// The git working tree (git mode).
    public var shared: String { store.path("sync") }
    /// Held for the whole of a `rapport sync`.
    public var lock: String { store.path("sync.lock") }
    /// Foreign log lines that did not read, set aside.
    public var rejected: String { store.path("sync-rejected") }
    /// The process id of the git command a sync is running.
    public var gitPID: String { store.path("sync-git.pid") }

    public var enabled: Bool { (try? Sys.status(identity)) != nil }
}

/// One line of a device log: a header (first line) or an operation.
struct LogLine: Codable {
    var rapportSyncLog: Int?
    var device: String?
    var name: String?
    var joined: HLC?
    var n: Int?
    var hlc: HLC?
    var change: Change?
    var seen: [String: Int]?
    var group: String?

    static let version = 1
}

/// This device: a random id per store, with a fingerprint (host name, machine id and the
/// store directory's inode) so a store directory copied elsewhere gets an id of its own.
public struct DeviceIdentity: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var host: String
    public var machineID: String
    public var inode: UInt64

    static func fingerprint(_ paths: AppPaths) -> (host: String, machine: String, inode: UInt64) {
        var buf = [UInt8](repeating: 0, count: 256)
        gethostname(&buf, buf.count - 1)
        let host = String(decoding: buf.prefix { $0 != 0 }, as: UTF8.self)
        let machine = ((try? String(contentsOfFile: "/etc/machine-id", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var st = stat()
        let inode = stat(paths.storeDirectory, &st) == 0 ? UInt64(st.st_ino) : 0
        return (host, machine, inode)
    }

    static func fresh(_ paths: AppPaths, name: String?) -> DeviceIdentity {
        let f = fingerprint(paths)
        var rng = SystemRandomNumberGenerator()
        let id = (0..<10).map { _ in String("0123456789abcdef".randomElement(using: &rng)!) }.joined()
        let short = f.host.split(separator: ".").first.map(String.init) ?? "device"
        return DeviceIdentity(id: id, name: name ?? (short.isEmpty ? "device" : short), host: f.host, machineID: f.machine, inode: f.inode)
    }

    /// The device of this store (nil when sync was never set up). A store directory that
    /// moved to another machine or was copied gets a new id here, and `copied` says so.
    static func load(_ sp: SyncPaths) throws -> (identity: DeviceIdentity, copied: Bool)? {
        guard let bytes = try Sys.readFile(sp.identity) else { return nil }
        let id: DeviceIdentity
        do { id = try JSONDecoder().decode(DeviceIdentity.self, from: Data(bytes)) } catch {
            throw RapportError.failure("\(sp.identity): does not read as a device identity (\(StoreCoding.describe(error)))")
        }
        let f = fingerprint(sp.store)
        if f.host == id.host && f.machine == id.machineID && f.inode == id.inode { return (id, false) }
        var next = fresh(sp.store, name: f.host == id.host ? id.name : nil)
        if next.id == id.id { next.id += "x" }
        // What was published was the old id's log: nothing of the new one is yet.
        var state = SyncState.load(sp)
        state.published = 0
        state.publishedBytes = 0
        try state.save(sp)
        try save(next, sp)
        return (next, true)
    }

    static func save(_ id: DeviceIdentity, _ sp: SyncPaths) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        try Sys.replaceFile(.system, sp.identity, Array(try e.encode(id)) + [0x0A])
    }
}

/// What this device has merged and published; only this device reads it.
public struct SyncState: Codable, Sendable, Equatable {
    /// Per foreign device, how many of its operations were merged.
    public var seen: [String: Int] = [:]
    /// The latest clock stamp merged (so new stamps are later).
    public var maxClock: HLC?
    /// How many of this device's operations are published (in git or the folder).
    public var published = 0
    /// The size of this device's log when it was last published.
    public var publishedBytes = 0
    public var lastSync: Date?
    /// Conflicts already reported.
    public var reported: Set<String> = []
    /// False from `sync init` until its first sync has recorded the store's data (nil in
    /// states written before this was kept: the own log's existence says it).
    public var recorded: Bool?
    /// Conflicts reported and not yet acknowledged (shown on the recruiter, listed by
    /// `rapport sync status`), oldest first.
    public var open: [RecordedConflict] = []
    public init() {}

    enum CodingKeys: String, CodingKey { case seen, maxClock, published, publishedBytes, lastSync, reported, open, recorded }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seen = try c.decodeIfPresent([String: Int].self, forKey: .seen) ?? [:]
        maxClock = try c.decodeIfPresent(HLC.self, forKey: .maxClock)
        published = try c.decodeIfPresent(Int.self, forKey: .published) ?? 0
        publishedBytes = try c.decodeIfPresent(Int.self, forKey: .publishedBytes) ?? 0
        lastSync = try c.decodeIfPresent(Date.self, forKey: .lastSync)
        reported = try c.decodeIfPresent(Set<String>.self, forKey: .reported) ?? []
        open = try c.decodeIfPresent([RecordedConflict].self, forKey: .open) ?? []
        recorded = try c.decodeIfPresent(Bool.self, forKey: .recorded)
    }

    static func load(_ sp: SyncPaths) -> SyncState {
        guard let bytes = try? Sys.readFile(sp.state),
              let s = try? StoreCoding.decoder.decode(SyncState.self, from: Data(bytes)) else { return SyncState() }
        return s
    }

    func save(_ sp: SyncPaths) throws {
        try Sys.replaceFile(.system, sp.state, Array(try StoreCoding.encoder.encode(self)) + [0x0A])
    }
}

/// A device log read back: its header, its operations, and what did not read.
struct ParsedLog {
    var device: String?
    var name: String?
    var joined: HLC?
    var ops: [SyncOperation] = []
    /// Bytes after the last newline (a write, or a folder sync, still in flight).
    var tornBytes = 0
    /// Complete lines that do not read: (line number, bytes, why).
    var corrupt: [(line: Int, bytes: [UInt8], reason: String)] = []
    /// Bytes of complete lines.
    var consumed = 0

    static func parse(_ bytes: [UInt8], file: String) -> ParsedLog {
        var p = ParsedLog()
        var start = 0, lineNo = 0
        while start < bytes.count {
            guard let nl = bytes[start...].firstIndex(of: 0x0A) else {
                p.tornBytes = bytes.count - start
                break
            }
            lineNo += 1
            let slice = Array(bytes[start..<nl])
            start = nl + 1
            p.consumed = start
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            do {
                let l = try StoreCoding.decoder.decode(LogLine.self, from: Data(slice))
                if let dev = l.device, l.n == nil {
                    p.device = dev
                    p.name = l.name
                    p.joined = l.joined
                } else if let n = l.n, let hlc = l.hlc, let change = l.change, n > 0 {
                    p.ops.append(SyncOperation(clock: hlc, number: n, change: change, seen: l.seen ?? [:], group: l.group))
                } else {
                    p.corrupt.append((lineNo, slice, "neither a header nor an operation"))
                }
            } catch {
                p.corrupt.append((lineNo, slice, StoreCoding.describe(error)))
            }
        }
        return p
    }
}

/// Appends this device's changes to its own log, under the store's lock, before the
/// store's journal (so a change in the journal is always in the log; a crash between the
/// two leaves an unacknowledged change in the log, which the next sync brings in).
final class SyncRecorder {
    let sp: SyncPaths
    private var identity: DeviceIdentity?
    private var count = 0
    private var last: HLC?
    private var knownSize = -1
    /// Told once: the store was copied from elsewhere and got a new device id.
    var notices: [String] = []

    init(_ sp: SyncPaths) { self.sp = sp }

    static func load(_ paths: AppPaths) -> SyncRecorder? {
        let sp = SyncPaths(paths)
        return sp.enabled ? SyncRecorder(sp) : nil
    }

    /// Reads the own log's count and last stamp (again when another process appended).
    private func refresh(_ id: DeviceIdentity) throws -> Int32 {
        let path = sp.ownLog(id.id)
        try FileManager.default.createDirectory(atPath: sp.localLogs, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Sys.fail("open", path) }
        let st = try Sys.fstat(fd, path)
        if st.size == 0 {
            let header = LogLine(rapportSyncLog: LogLine.version, device: id.id, name: id.name,
                                 joined: SyncState.load(sp).maxClock)
            let bytes = Array(try StoreCoding.lineEncoder.encode(header)) + [0x0A]
            try Sys.writeAll(.system, fd, bytes, path)
            guard fsync(fd) == 0 else { close(fd); throw Sys.fail("flush to disk", path) }
            try Sys.fsyncDirectory(.system, sp.localLogs)
            count = 0
            last = nil
            knownSize = bytes.count
        } else if st.size != knownSize {
            let bytes = try Sys.readFile(path) ?? []
            let p = ParsedLog.parse(bytes, file: path)
            if p.tornBytes > 0 {
                // Only this device writes its log, under the store's lock: a torn tail is
                // a write that was interrupted before it was acknowledged.
                guard ftruncate(fd, off_t(p.consumed)) == 0 else { close(fd); throw Sys.fail("truncate", path) }
                _ = fsync(fd)
            }
            count = p.ops.last?.number ?? 0
            last = p.ops.last?.clock
            knownSize = p.consumed
        }
        return fd
    }

    /// Creates this device's log with its header when there is none yet.
    func prepare() throws {
        if identity == nil {
            guard let (id, _) = try DeviceIdentity.load(sp) else { return }
            identity = id
        }
        close(try refresh(identity!))
    }

    /// Appends `change`; returns how to take it back if the journal write then fails.
    ///
    /// Until sync's first run has recorded the store's data (`recorded` false), changes are
    /// not logged one by one: that recording takes the whole store as it then is, stamped
    /// after everything merged, so no operation is stamped before the others' checkpoints.
    /// `force` is that recording.
    func record(_ change: Change, now: Date, group: String? = nil, force: Bool = false) throws -> () -> Void {
        let state = SyncState.load(sp)
        if !force, state.recorded == false { return {} }
        if identity == nil {
            guard let (id, copied) = try DeviceIdentity.load(sp) else { return {} }
            if copied {
                notices.append("this store directory was copied or moved from another machine; it now syncs as a new device (\(id.id))")
            }
            identity = id
        }
        let id = identity!
        let fd = try refresh(id)
        defer { close(fd) }
        let base = [last, state.maxClock].compactMap { $0 }.max()
        let clock = HLC.next(after: base, now: now, device: id.id)
        let line = LogLine(n: count + 1, hlc: clock, change: SyncMerge.shareable(change),
                           seen: state.seen.isEmpty ? nil : state.seen, group: group)
        let bytes = Array(try StoreCoding.lineEncoder.encode(line)) + [0x0A]
        let before = knownSize
        let path = sp.ownLog(id.id)
        do {
            try Sys.writeAll(.system, fd, bytes, path)
            guard fsync(fd) == 0 else { throw Sys.fail("flush to disk", path) }
        } catch {
            _ = ftruncate(fd, off_t(before))
            throw error
        }
        count += 1
        last = clock
        knownSize = before + bytes.count
        return { [weak self] in
            let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return }
            if ftruncate(fd, off_t(before)) == 0 { _ = fsync(fd) }
            close(fd)
            self?.count -= 1
            self?.knownSize = before
            self?.last = nil
            self?.knownSize = -1
        }
    }
}
