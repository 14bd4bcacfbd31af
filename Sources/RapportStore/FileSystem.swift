// Linux (Glibc) only, like the rest of the store's file handling (st_mtim, flock).
import Glibc
import Foundation
import RapportCore

/// The system calls the store writes through, as closures so tests can inject faults
/// (ENOSPC, EIO) exactly where a real disk would fail. Each returns what libc returns and
/// leaves `errno` set on failure. Reads, stats and locks go straight to libc.
public struct FileSystem: Sendable {
    public var open: @Sendable (_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32
    public var write: @Sendable (_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int
    public var fsync: @Sendable (_ fd: Int32) -> Int32
    public var rename: @Sendable (_ from: String, _ to: String) -> Int32
    public var ftruncate: @Sendable (_ fd: Int32, _ length: off_t) -> Int32

    public init(
        open: @escaping @Sendable (String, Int32, mode_t) -> Int32,
        write: @escaping @Sendable (Int32, UnsafeRawBufferPointer) -> Int,
        fsync: @escaping @Sendable (Int32) -> Int32,
        rename: @escaping @Sendable (String, String) -> Int32,
        ftruncate: @escaping @Sendable (Int32, off_t) -> Int32
    ) {
        self.open = open
        self.write = write
        self.fsync = fsync
        self.rename = rename
        self.ftruncate = ftruncate
    }

    public static let system = FileSystem(
        open: { path, flags, mode in Glibc.open(path, flags, mode) },
        write: { fd, bytes in Glibc.write(fd, bytes.baseAddress, bytes.count) },
        fsync: { fd in Glibc.fsync(fd) },
        rename: { from, to in Glibc.rename(from, to) },
        ftruncate: { fd, length in Glibc.ftruncate(fd, length) })
}

private func statPath(_ path: String, _ st: inout stat) -> Int32 { stat(path, &st) }
private func statFD(_ fd: Int32, _ st: inout stat) -> Int32 { fstat(fd, &st) }

/// Small helpers over libc, all reporting failures as one-line `RapportError.failure`s.
enum Sys {
    static func errorText(_ code: Int32 = errno) -> String {
        switch code {
        case ENOSPC: return "no space left on the device"
        case EIO: return "input/output error"
        case EDQUOT: return "disk quota exceeded"
        default: return String(cString: strerror(code))
        }
    }

    static func fail(_ what: String, _ path: String, _ code: Int32 = errno) -> RapportError {
        .failure("\(path): cannot \(what): \(errorText(code))")
    }

    struct FileID: Equatable, Sendable {
        var dev: UInt64
        var ino: UInt64
        var size: Int
        var mtimeSec: Int
        var mtimeNsec: Int
        var mode: UInt32

        init(_ st: stat) {
            dev = UInt64(st.st_dev)
            ino = UInt64(st.st_ino)
            size = Int(st.st_size)
            mtimeSec = Int(st.st_mtim.tv_sec)
            mtimeNsec = Int(st.st_mtim.tv_nsec)
            mode = UInt32(st.st_mode)
        }
    }

    /// `stat` (following symlinks); nil when the file does not exist.
    static func status(_ path: String) throws -> FileID? {
        var st = stat()
        if statPath(path, &st) != 0 {
            if errno == ENOENT { return nil }
            throw fail("read the file's status", path)
        }
        return FileID(st)
    }

    static func lstatIsSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    static func fstat(_ fd: Int32, _ path: String) throws -> FileID {
        var st = stat()
        guard statFD(fd, &st) == 0 else { throw fail("read the file's status", path) }
        return FileID(st)
    }

    /// The non-empty lines of `bytes` (split at `\n`), found with `memchr`: the generic
    /// `split` costs tens of instructions per byte, which adds up over megabytes.
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            var i = 0
            while i < b.count {
                let end = memchr(base + i, 0x0A, b.count - i).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? b.count
                if end > i { out.append(bytes[i..<end]) }
                i = end + 1
            }
        }
        return out
    }

    /// Where `needle` first occurs in `haystack` (`memchr` for its first byte, then
    /// `memcmp`), or nil.
    static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard let first = needle.first else { return 0..<0 }
        return haystack.withUnsafeBytes { h -> Range<Int>? in
            needle.withUnsafeBytes { n -> Range<Int>? in
                guard let hb = h.baseAddress, let nb = n.baseAddress else { return nil }
                var i = 0
                while h.count - i >= n.count {
                    guard let p = memchr(hb + i, Int32(first), h.count - i - n.count + 1) else { return nil }
                    let at = UnsafeRawPointer(p) - hb
                    if memcmp(hb + at, nb, n.count) == 0 { return at..<(at + n.count) }
                    i = at + 1
                }
                return nil
            }
        }
    }

    /// Whole file, or nil when it does not exist.
    static func readFile(_ path: String) throws -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw fail("open", path)
        }
        defer { close(fd) }
        let size = try fstat(fd, path).size
        return try readRange(fd, path, from: 0, count: size, growing: true)
    }

    /// Bytes from `offset` to the end of the file as it is now.
    static func readTail(_ path: String, from offset: Int) throws -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw fail("open", path)
        }
        defer { close(fd) }
        let size = try fstat(fd, path).size
        guard size > offset else { return [] }
        return try readRange(fd, path, from: offset, count: size - offset, growing: false)
    }

    private static func readRange(_ fd: Int32, _ path: String, from offset: Int, count: Int, growing: Bool) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let r = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(offset + got)) }
            if r < 0 {
                if errno == EINTR { continue }
                throw fail("read", path)
            }
            if r == 0 { break }
            got += r
        }
        if got < count { out.removeLast(count - got) }
        return out
    }

    /// Writes every byte through `fs`, retrying short writes and EINTR.
    static func writeAll(_ fs: FileSystem, _ fd: Int32, _ bytes: [UInt8], _ path: String) throws {
        var done = 0
        while done < bytes.count {
            let r = bytes.withUnsafeBytes { fs.write(fd, UnsafeRawBufferPointer(rebasing: $0[done...])) }
            if r < 0 {
                if errno == EINTR { continue }
                throw fail("write", path)
            }
            if r == 0 { throw fail("write", path, EIO) }
            done += r
        }
    }

    /// fsyncs the file at `path` (written earlier, through another descriptor).
    static func flushFile(_ fs: FileSystem, _ path: String) throws {
        let fd = fs.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0)
        guard fd >= 0 else { throw fail("open", path) }
        defer { close(fd) }
        guard fs.fsync(fd) == 0 else { throw fail("flush to disk", path) }
    }

    static func fsyncDirectory(_ fs: FileSystem, _ dir: String) throws {
        let fd = fs.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw fail("open the directory", dir) }
        defer { close(fd) }
        if fs.fsync(fd) != 0 && errno != EINVAL { throw fail("flush the directory to disk", dir) }
    }

    static func dirname(_ path: String) -> String { (path as NSString).deletingLastPathComponent }

    /// Where writes to `path` must go: the final target when `path` is a symlink (so the
    /// link stays a link), else `path` itself.
    static func writeTarget(_ path: String) -> String {
        guard lstatIsSymlink(path) else { return path }
        var current = path
        for _ in 0..<32 {
            guard lstatIsSymlink(current),
                  let dest = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = dest.hasPrefix("/") ? dest : (dirname(current) as NSString).appendingPathComponent(dest)
        }
        return current
    }

    /// A UTC timestamp for file names: 20260309T100000Z.
    static func stamp(_ d: Date) -> String {
        StoreCoding.formatDate(d).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    /// Creates `path` exclusively (0600), writes `bytes`, fsyncs (unless `flush` is false:
    /// the caller flushes it later, `flushFile`) and closes it. On failure the partial file
    /// is removed.
    static func createFile(_ fs: FileSystem, _ path: String, _ bytes: [UInt8], flush: Bool = true) throws {
        let fd = fs.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw fail("create", path) }
        do {
            _ = fchmod(fd, 0o600)
            try writeAll(fs, fd, bytes, path)
            guard !flush || fs.fsync(fd) == 0 else { throw fail("flush to disk", path) }
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        close(fd)
    }

    /// A name next to `base` that does not exist yet: base, base-2, base-3, …
    static func freshName(_ base: String) -> String {
        var name = base
        var k = 2
        while (try? status(name)) != nil || lstatIsSymlink(name) {
            name = "\(base)-\(k)"
            k += 1
        }
        return name
    }

    /// Replaces `target` atomically with `bytes`: temp file in the same directory
    /// (O_CREAT|O_EXCL|O_NOFOLLOW, 0600), write, fsync, rename, fsync the directory.
    /// A fresh name for a temporary file next to `target` (`.NAME.tmp-PID-RANDOM`).
    static func tempName(for target: String) -> String {
        (dirname(target) as NSString).appendingPathComponent(
            ".\((target as NSString).lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    }

    static func replaceFile(_ fs: FileSystem, _ target: String, _ bytes: [UInt8]) throws {
        let dir = dirname(target)
        let tmp = tempName(for: target)
        try createFile(fs, tmp, bytes)
        guard fs.rename(tmp, target) == 0 else {
            let e = errno
            unlink(tmp)
            throw fail("replace", target, e)
        }
        try fsyncDirectory(fs, dir)
    }
}
