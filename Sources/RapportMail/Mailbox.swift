import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A maildir (`cur/`, `new/`; `tmp/` is never read). A message is known by the unique
/// part of its file name (before `:2,flags`), which stays when a client moves it from
/// `new/` to `cur/` or changes its flags.
public enum Maildir {
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var unique: String
    }

    public static func isMaildir(_ dir: String) -> Bool {
        var isDir: ObjCBool = false
        for sub in ["cur", "new"] {
            if FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent(sub), isDirectory: &isDir), isDir.boolValue {
                return true
            }
        }
        return false
    }

    /// `1700000000.M1P2.host:2,S` → `1700000000.M1P2.host`.
    public static func unique(_ name: String) -> String {
        if let colon = name.firstIndex(of: ":") { return String(name[..<colon]) }
        if let bang = name.range(of: "!2,") { return String(name[..<bang.lowerBound]) }  // the Windows-safe variant
        return name
    }

    /// The modification time of `dir/sub` in nanoseconds (0 when missing).
    public static func mtime(_ path: String) -> Int64 {
        var st = stat()
        guard stat(path, &st) == 0 else { return 0 }
        #if canImport(Darwin)
        return Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        #else
        return Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #endif
    }

    /// `device:inode` of a path, or nil when it does not exist.
    public static func identity(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "\(st.st_dev):\(st.st_ino)"
    }

    /// The file size, or nil.
    public static func size(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    /// The messages in `dir/sub` (one of `cur`, `new`), names starting with a dot left out.
    public static func list(_ dir: String, _ sub: String) -> [Entry] {
        let path = (dir as NSString).appendingPathComponent(sub)
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var out: [Entry] = []
        while let ent = readdir(d) {
            let name = withUnsafePointer(to: ent.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasPrefix(".") { continue }
            out.append(Entry(path: path + "/" + name, unique: unique(name)))
        }
        return out
    }
}

/// mbox files: messages start at a `From ` line at the start of the file or after a blank
/// line; `>From ` (any number of `>`) lines lose one `>` (mboxrd, which also reads mboxo).
public enum Mbox {
    /// The messages of `bytes` from `offset` on, as byte arrays with the `From ` line
    /// removed and `>From` unescaped, with the offset where each starts. Linear.
    public static func split(_ bytes: [UInt8], from offset: Int = 0) -> [(offset: Int, bytes: [UInt8])] {
        var out: [(Int, [UInt8])] = []
        var current: [UInt8]?
        var currentStart = offset
        var i = offset
        var prevBlank = true
        let from = Array("From ".utf8)
        while i < bytes.count {
            var end = i
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let lineEnd = min(end + 1, bytes.count)
            let isFrom = prevBlank && end - i >= 5 && bytes[i..<(i + 5)].elementsEqual(from)
            if isFrom {
                if var c = current {
                    // the blank line before "From " belongs to the separator
                    if c.last == 0x0A { c.removeLast(); if c.last == 0x0D { c.removeLast() } }
                    out.append((currentStart, c))
                }
                current = []
                currentStart = i
            } else if current != nil {
                var j = i
                while j < end && bytes[j] == 0x3E { j += 1 }
                if j > i && end - j >= 5 && bytes[j..<(j + 5)].elementsEqual(from) {
                    current!.append(contentsOf: bytes[(i + 1)..<lineEnd])
                } else {
                    current!.append(contentsOf: bytes[i..<lineEnd])
                }
            }
            let len = end - i
            prevBlank = len == 0 || (len == 1 && bytes[i] == 0x0D)
            i = lineEnd
        }
        if let c = current { out.append((currentStart, c)) }
        return out
    }
}

/// What earlier runs saw, so a re-scan reads only new mail. Derived and safe to delete:
/// a missing, unreadable or stale file means "scan everything again" (ingest is
/// idempotent by Message-ID). A plain text file, parsed without a JSON decoder, so reading
/// it for a 10 000-message maildir costs a few milliseconds.
///
/// ```
/// rapport-mail-scan 1
/// marker <message uuid>
/// store <device:inode of the store directory>
/// maildir <cur mtime ns> <new mtime ns> <count> <path>
/// <unique name> …            (count lines)
/// mbox <size> <mtime ns> <offset> <path>
/// end <number of lines above>
/// ```
public struct ScanState: Sendable, Equatable {
    public struct MaildirState: Sendable, Equatable {
        public var curMtime: Int64
        public var newMtime: Int64
        public var seen: Set<String>
        public init(curMtime: Int64 = 0, newMtime: Int64 = 0, seen: Set<String> = []) {
            self.curMtime = curMtime
            self.newMtime = newMtime
            self.seen = seen
        }
    }

    public struct MboxState: Sendable, Equatable {
        public var size: Int64
        public var mtime: Int64
        /// Bytes read so far: the next run reads from here when the file only grew.
        public var offset: Int64
        public init(size: Int64, mtime: Int64, offset: Int64) {
            self.size = size
            self.mtime = mtime
            self.offset = offset
        }
    }

    public var marker: UUID?
    /// The store directory's identity (device and inode): a store deleted and made anew
    /// is another store, and the state is not used for it.
    public var store: String?
    public var maildirs: [String: MaildirState] = [:]
    public var mboxes: [String: MboxState] = [:]

    public init() {}

    static let header = "rapport-mail-scan 1"

    public func encoded() -> String {
        var lines = [Self.header]
        if let marker { lines.append("marker \(marker.uuidString.lowercased())") }
        if let store { lines.append("store \(store)") }
        for (path, m) in maildirs.sorted(by: { $0.key < $1.key }) {
            lines.append("maildir \(m.curMtime) \(m.newMtime) \(m.seen.count) \(path)")
            lines += m.seen.sorted()
        }
        for (path, m) in mboxes.sorted(by: { $0.key < $1.key }) {
            lines.append("mbox \(m.size) \(m.mtime) \(m.offset) \(path)")
        }
        lines.append("end \(lines.count)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses a state file; nil when it is not one this build wrote whole.
    public static func decode(_ text: String) -> ScanState? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, lines[0] == header, lines.last == "" else { return nil }
        let last = lines[lines.count - 2]
        guard last.hasPrefix("end "), Int(last.dropFirst(4)) == lines.count - 2 else { return nil }
        var s = ScanState()
        var i = 1
        while i < lines.count - 2 {
            let line = lines[i]
            let f = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
            switch f.first {
            case "marker"?:
                guard f.count == 2, let u = UUID(uuidString: String(f[1])) else { return nil }
                s.marker = u
                i += 1
            case "store"?:
                guard f.count == 2 else { return nil }
                s.store = String(f[1])
                i += 1
            case "maildir"?:
                guard f.count == 5, let c = Int64(f[1]), let n = Int64(f[2]), let k = Int(f[3]), k >= 0, i + k < lines.count - 1 else { return nil }
                var seen = Set<String>(minimumCapacity: k)
                for j in 0..<k { seen.insert(String(lines[i + 1 + j])) }
                s.maildirs[String(f[4])] = MaildirState(curMtime: c, newMtime: n, seen: seen)
                i += 1 + k
            case "mbox"?:
                guard f.count == 5, let size = Int64(f[1]), let m = Int64(f[2]), let o = Int64(f[3]), o >= 0, o <= size else { return nil }
                s.mboxes[String(f[4])] = MboxState(size: size, mtime: m, offset: o)
                i += 1
            default:
                return nil
            }
        }
        return s
    }
}

extension ScanState {
    /// True when the state file `bytes` says that every maildir in `maildirs` and every
    /// mbox in `mboxes` is as it was at the last run (the same directory times, the same
    /// sizes and times), for the store `store`: a re-scan would find nothing new. Reads
    /// only the folder and file lines; the message names (most of the file) are skipped
    /// line by line, not decoded. False for anything it does not recognise (the full
    /// decode then decides).
    public static func unchanged(_ bytes: [UInt8], maildirs: [String: (cur: Int64, new: Int64)],
                                 mboxes: [String: (size: Int64, mtime: Int64)], store: String?) -> Bool {
        bytes.withUnsafeBufferPointer { buf -> Bool in
            guard let base = buf.baseAddress, buf.count > 0, buf[buf.count - 1] == 0x0A else { return false }
            let n = buf.count
            /// The end of the line starting at `i` (the index of its newline).
            func lineEnd(_ i: Int) -> Int {
                guard i < n, let p = memchr(base + i, 0x0A, n - i) else { return n }
                return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            }
            func text(_ a: Int, _ b: Int) -> Substring { Substring(decoding: UnsafeBufferPointer(rebasing: buf[a..<b]), as: UTF8.self) }
            var i = 0
            var lines = 0
            var e = lineEnd(0)
            guard text(0, e) == header else { return false }
            i = e + 1
            lines = 1
            var seenDirs = 0, seenFiles = 0
            var storeOK = store == nil
            var ended = false
            while i < n {
                e = lineEnd(i)
                let line = text(i, e)
                i = e + 1
                if line.hasPrefix("end ") {
                    // The last line, counting the lines before it.
                    guard i == n, Int(line.dropFirst(4)) == lines else { return false }
                    ended = true
                    break
                }
                lines += 1
                let f = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
                switch f.first {
                case "marker"?:
                    continue
                case "store"?:
                    guard f.count == 2 else { return false }
                    storeOK = store.map { $0 == f[1] } ?? false
                case "maildir"?:
                    guard f.count == 5, let c = Int64(f[1]), let nw = Int64(f[2]), let k = Int(f[3]), k >= 0 else { return false }
                    if let want = maildirs[String(f[4])] {
                        guard c != 0, c == want.cur, nw == want.new else { return false }
                        seenDirs += 1
                    }
                    // Skip the k message names.
                    for _ in 0..<k {
                        guard i < n else { return false }
                        i = lineEnd(i) + 1
                    }
                    lines += k
                case "mbox"?:
                    guard f.count == 5, let size = Int64(f[1]), let m = Int64(f[2]) else { return false }
                    if let want = mboxes[String(f[4])] {
                        guard m != 0, size == want.size, m == want.mtime else { return false }
                        seenFiles += 1
                    }
                default:
                    return false
                }
            }
            return ended && storeOK && seenDirs == maildirs.count && seenFiles == mboxes.count
        }
    }
}

extension ScanState {
    /// The quick answer a re-scan with no new mail needs: true when the state file at
    /// `stateFile` says that every maildir in `folders` (its `cur/` and `new/` times) and
    /// every mbox in `files` (size and time) is as it was at the last run, for the store
    /// whose identity is `store`. Costs two `stat`s a maildir, one an mbox, and one pass
    /// over the state file's bytes; no message name is decoded.
    public static func nothingNew(stateFile: String, folders: [String], files: [String], store: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: stateFile) else { return false }
        var dirs: [String: (cur: Int64, new: Int64)] = [:]
        for dir in folders { dirs[dir] = (Maildir.mtime(dir + "/cur"), Maildir.mtime(dir + "/new")) }
        var boxes: [String: (size: Int64, mtime: Int64)] = [:]
        for file in files {
            guard let size = Maildir.size(file) else { return false }
            boxes[file] = (size, Maildir.mtime(file))
        }
        return unchanged([UInt8](data), maildirs: dirs, mboxes: boxes, store: store)
    }
}
