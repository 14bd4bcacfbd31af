#if canImport(Glibc)
import Glibc
#endif
import Foundation
import RapportCore
@testable import RapportStore

let t0 = Date(timeIntervalSince1970: 1_800_000_000)

/// A fresh, empty directory for one test; `path` is where the store goes (not yet created).
struct TempDir: ~Copyable {
    let root: String

    init() {
        root = NSTemporaryDirectory() + "rapport-store-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    var paths: AppPaths { AppPaths(storeDirectory: root + "/store") }

    func path(_ name: String) -> String { root + "/" + name }
}

func bytes(_ path: String) -> [UInt8]? { (try? Data(contentsOf: URL(fileURLWithPath: path))).map { [UInt8]($0) } }

func write(_ path: String, _ b: [UInt8]) { try! Data(b).write(to: URL(fileURLWithPath: path)) }

func listing(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

func mode(_ path: String) -> UInt32 {
    var st = stat()
    return lstat(path, &st) == 0 ? UInt32(st.st_mode) & 0o777 : 0
}

/// A small store with two recruiters, a thread, an opportunity, a follow-up and an expectation.
@discardableResult
func makeSampleStore(_ paths: AppPaths, clock: Clock = .fixed(t0)) throws -> Store {
    let s = try Store.open(paths, clock: clock)
    let a = Recruiter(id: UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!, name: "Dana Smith", firm: "Acme",
                      email: "dana@acme.test", phone: "+44 20 7946 0000", created: t0)
    let b = Recruiter(id: UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!, name: "Kenji Ōta", created: t0)
    try s.apply(.putRecruiter(a))
    try s.apply(.putRecruiter(b))
    try s.apply(.putMessage(Message(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000C1")!, recruiterID: a.id,
                                    direction: .inbound, at: t0.addingTimeInterval(60), subject: "Role at Foo", body: "Hi \"you\"\n")))
    try s.apply(.putMessage(Message(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000C2")!, recruiterID: a.id,
                                    direction: .outbound, at: t0.addingTimeInterval(120))))
    try s.apply(.putOpportunity(Opportunity(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000D1")!, recruiterID: a.id, role: "SRE")))
    try s.apply(.putFollowUp(FollowUp(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000E1")!, recruiterID: b.id, due: t0.addingTimeInterval(86400))))
    try s.apply(.putExpectation(Expectation(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000F1")!, recruiterID: b.id, by: t0.addingTimeInterval(3600), note: "call")))
    return s
}

/// The writer executable next to the test bundle.
var writerPath: String {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    // The test binary may sit inside a .xctest bundle directory.
    while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("rapport-store-writer").path),
          dir.path != "/" {
        dir = dir.deletingLastPathComponent()
    }
    return dir.appendingPathComponent("rapport-store-writer").path
}

struct WriterRun {
    var status: Int32
    var killed: Bool
    var stdout: String
    var stderr: String
    /// Message ids whose change was acknowledged.
    var acked: [UUID] { lines("ack").compactMap { UUID(uuidString: $0.split(separator: " ")[2].description) } }
    var recruiter: UUID? { lines("recruiter").first.flatMap { UUID(uuidString: $0.split(separator: " ")[2].description) } }
    func lines(_ tag: String) -> [String] { stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix(tag + " ") } }
}

/// A started child process whose output is collected by `wait()`.
struct Running {
    let process: Process
    let out: Pipe
    let err: Pipe

    init(_ argv: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        out = Pipe()
        err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
    }

    func wait() -> WriterRun {
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return WriterRun(status: process.terminationStatus, killed: process.terminationReason == .uncaughtSignal,
                         stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

/// Runs `argv`, optionally sending SIGKILL after `killAfterMicroseconds`.
func run(_ argv: [String], killAfterMicroseconds: UInt32? = nil) throws -> WriterRun {
    let p = try Running(argv)
    if let us = killAfterMicroseconds {
        usleep(us)
        kill(p.process.processIdentifier, SIGKILL)
    }
    return p.wait()
}

/// A file system that fails on demand, for ENOSPC/EIO tests.
final class Faults: @unchecked Sendable {
    enum Op { case write, fsync, rename, ftruncate, open }
    private let lock = NSLock()
    private var fdPaths: [Int32: String] = [:]
    private var rule: (op: Op, pathContains: String, errno: Int32, partial: Bool)?
    private(set) var hits = 0

    func fail(_ op: Op, on pathContains: String, errno e: Int32, partial: Bool = false) {
        lock.withLock { rule = (op, pathContains, e, partial); hits = 0 }
    }

    func clear() { lock.withLock { rule = nil } }

    private func check(_ op: Op, _ path: String?) -> (Int32, Bool)? {
        lock.withLock {
            guard let r = rule, r.op == op, let path, path.contains(r.pathContains) else { return nil }
            hits += 1
            return (r.errno, r.partial)
        }
    }

    var fileSystem: FileSystem {
        let sys = FileSystem.system
        return FileSystem(
            open: { path, flags, m in
                if let (e, _) = self.check(.open, path) { errno = e; return -1 }
                let fd = sys.open(path, flags, m)
                if fd >= 0 { self.lock.withLock { self.fdPaths[fd] = path } }
                return fd
            },
            write: { fd, buf in
                let path = self.lock.withLock { self.fdPaths[fd] }
                if let (e, partial) = self.check(.write, path) {
                    if partial, buf.count > 1, self.hits == 1 {
                        // Half the bytes reach the file, then the disk fills up.
                        return sys.write(fd, UnsafeRawBufferPointer(rebasing: buf[0..<(buf.count / 2)]))
                    }
                    errno = e
                    return -1
                }
                return sys.write(fd, buf)
            },
            fsync: { fd in
                let path = self.lock.withLock { self.fdPaths[fd] }
                if let (e, _) = self.check(.fsync, path) { errno = e; return -1 }
                return sys.fsync(fd)
            },
            rename: { from, to in
                if let (e, _) = self.check(.rename, to) { errno = e; return -1 }
                return sys.rename(from, to)
            },
            ftruncate: { fd, len in
                let path = self.lock.withLock { self.fdPaths[fd] }
                if let (e, _) = self.check(.ftruncate, path) { errno = e; return -1 }
                return sys.ftruncate(fd, len)
            })
    }
}

/// Runs the writer executable with `arguments` and `stallKey` set to a file: the writer
/// writes half of a derived file, creates that file and waits; it is then killed with
/// SIGKILL. Returns whether it reached the write and whether it died of the signal.
func killWriterMidWrite(_ arguments: [String], stallKey: String, stall: String) throws -> (reached: Bool, killed: Bool) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: writerPath)
    p.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env[stallKey] = stall
    p.environment = env
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    var waited = 0
    while !FileManager.default.fileExists(atPath: stall) && waited < 600 && p.isRunning {
        usleep(50_000)
        waited += 1
    }
    let reached = FileManager.default.fileExists(atPath: stall)
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    return (reached, p.terminationReason == .uncaughtSignal)
}

/// The layout a cache file's header gives (its counts and lengths, unchecked).
func cacheLayout(_ b: [UInt8]) -> DatabaseCache.Layout {
    func u64(_ at: Int) -> Int { Int(b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) }) }
    let c = DatabaseCache.countsOffset
    return DatabaseCache.Layout(recruiters: u64(c), messages: u64(c + 8), records: u64(c + 16), submissions: u64(c + 24),
                                keysLength: u64(c + 32), namesLength: u64(c + 40), nameKeysLength: u64(c + 64),
                                sideLength: u64(c + 48), blocksLength: u64(c + 56))
}

/// Cache bytes `b` with their checksum made right again (after a test changed them).
func resealedCache(_ b: [UInt8]) -> [UInt8] {
    var out = b
    let sum = out.withUnsafeBytes { DatabaseCache.checksum($0, cacheLayout(b)) }
    withUnsafeBytes(of: sum.littleEndian) { s in
        for k in 0..<8 { out[DatabaseCache.checksumOffset + k] = s[k] }
    }
    return out
}
