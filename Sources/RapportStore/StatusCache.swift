import Glibc
import Foundation
import RapportCore

/// `status.cache` in the store directory: the last status line (`rapport due --statusline`),
/// so a status bar that asks every few seconds does not load the whole store each time.
///
/// Derived data only: deleting it is always safe, and a cache that does not match is
/// ignored and rewritten. It is valid only while all of these hold (docs/store-format.md):
/// the store's files are exactly as they were (device, inode, size and modification time
/// of `store.json` and `journal.jsonl`, so every append, compaction or repair invalidates
/// it), the policy is the same, and `now` is within the window the writer computed
/// (`from` ≤ now < `until`, `until` from `Rules.nextChange`; at `from` itself always, even
/// when a deadline falls due exactly then and the window is empty).
public enum StatusCache {
    public static let fileName = "status.cache"
    static let header = "rapport status cache 1"

    public struct Entry: Equatable, Sendable {
        public var identity: String
        public var policy: String
        public var from: Date
        public var until: Date
        public var line: String
    }

    /// The store's files as `stat` sees them; changes with every write to them.
    static func identity(_ paths: AppPaths) throws -> String {
        func f(_ x: Sys.FileID?) -> String {
            x.map { "\($0.dev):\($0.ino):\($0.size):\($0.mtimeSec).\($0.mtimeNsec)" } ?? "-"
        }
        return "store.json=\(f(try Sys.status(paths.snapshot))) journal.jsonl=\(f(try Sys.status(paths.journal)))"
    }

    /// A short fingerprint of everything in `policy` (FNV-1a over its sorted-keys JSON).
    public static func policyKey(_ policy: Policy) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in (try? e.encode(policy)) ?? Data() { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    static func encode(_ e: Entry) -> [UInt8] {
        Array([header, e.identity, e.policy, "\(e.from.timeIntervalSince1970)", "\(e.until.timeIntervalSince1970)", e.line]
            .joined(separator: "\n").utf8) + [0x0A]
    }

    /// Nil for anything that is not exactly what `encode` writes.
    static func decode(_ bytes: [UInt8]) -> Entry? {
        guard bytes.last == 0x0A else { return nil }
        let parts = String(decoding: bytes.dropLast(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == header, let from = Double(parts[3]), let until = Double(parts[4]),
              !parts[5].contains("\u{FFFD}") else { return nil }
        return Entry(identity: String(parts[1]), policy: String(parts[2]), from: Date(timeIntervalSince1970: from),
                     until: Date(timeIntervalSince1970: until), line: String(parts[5]))
    }

    /// The cached line when it is valid for the store as it is now, `policy` and `now`;
    /// nil otherwise (missing, damaged, stale or out of its window). Reads two `stat`s
    /// and one small file; loads nothing.
    public static func read(_ paths: AppPaths, policyKey: String, now: Date) -> String? {
        guard let bytes = try? Sys.readFile(paths.path(fileName)), bytes.count < 4096,
              let e = decode(bytes), e.policy == policyKey, e.from == now || (e.from < now && now < e.until),
              let id = try? identity(paths), id == e.identity else { return nil }
        return e.line
    }
}

extension Store {
    /// Writes `status.cache` for the database as loaded (atomically: temp file, rename;
    /// 0600; under the store lock). Written only when the files are still the ones the
    /// database came from, so the cache never pairs a line with files it was not
    /// computed from. Best effort: a failure leaves no cache, which is always safe.
    public func writeStatusCache(line: String, policyKey: String, from: Date, until: Date) {
        guard !line.contains("\n"), until >= from else { return }
        _ = try? locked(LOCK_EX) {
            guard isUnchangedSinceLoad() else { return }
            let entry = StatusCache.Entry(identity: try StatusCache.identity(paths), policy: policyKey,
                                          from: from, until: until, line: line)
            let target = paths.path(StatusCache.fileName)
            let tmp = paths.path(".\(StatusCache.fileName).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            let fd = fs.open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return }
            _ = fchmod(fd, 0o600)
            let ok = (try? Sys.writeAll(fs, fd, StatusCache.encode(entry), tmp)) != nil
            Glibc.close(fd)
            if !ok || fs.rename(tmp, target) != 0 { unlink(tmp) }
        }
    }
}
