import Foundation
import RapportCore
import RapportText
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text compared the way `/` compares it: case and diacritics ignored, as
/// `range(of:options: [.caseInsensitive, .diacriticInsensitive])` does, but folded once
/// into bytes so that a search is a byte search. ASCII is lowered byte by byte; text of
/// simple scalars (`DisplayWidth.isSimple`) is folded scalar by scalar, each scalar's
/// folding asked of Foundation once; anything else goes through Foundation's folding
/// with the same options.
public enum SearchText {
    /// `s` folded, as UTF-8 bytes.
    public static func folded(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        appendFolded(s, to: &out)
        return out
    }

    static func appendFolded(_ text: String, to out: inout [UInt8]) {
        var s = text
        let ascii = s.withUTF8 { bytes in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return false }
            let start = out.count
            out.append(contentsOf: bytes)
            out.withUnsafeMutableBufferPointer { o in
                for i in start..<o.count where o[i] &- 65 < 26 { o[i] |= 0x20 }
            }
            return true
        }
        if ascii { return }
        if DisplayWidth.isSimple(s) {
            // Each scalar is a grapheme of its own, and folding goes grapheme by grapheme:
            // each scalar's folding is asked of Foundation once per process and kept.
            for u in s.unicodeScalars {
                if u.value < 0x80 {
                    let b = UInt8(u.value)
                    out.append(b >= 65 && b <= 90 ? b | 0x20 : b)
                } else {
                    out.append(contentsOf: foldedScalar(u))
                }
            }
            return
        }
        out.append(contentsOf: foundationFolded(s))
    }

    static func foundationFolded(_ s: String) -> String.UTF8View {
        s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).utf8
    }

    private static let scalarFolds = Mutex<[UInt32: [UInt8]]>([:])

    /// One scalar folded by Foundation, remembered.
    static func foldedScalar(_ u: Unicode.Scalar) -> [UInt8] {
        if let f = scalarFolds.withLock({ $0[u.value] }) { return f }
        let f = Array(foundationFolded(String(u)))
        scalarFolds.withLock { $0[u.value] = f }
        return f
    }

    /// Whether `haystack` contains `needle` (bytes; an empty needle is never found).
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        haystack.withUnsafeBytes { h in needle.withUnsafeBytes { n in find(n, in: h) } }
    }

    /// Whether `haystack`'s UTF-8 contains `needle`'s, byte for byte (no folding): a name
    /// inside a title built from it.
    public static func containsBytes(_ haystack: String, _ needle: String) -> Bool {
        if needle.isEmpty { return true }
        var h = haystack, n = needle
        return h.withUTF8 { hb in n.withUTF8 { nb in find(UnsafeRawBufferPointer(nb), in: UnsafeRawBufferPointer(hb)) } }
    }

    /// memchr for the needle's first byte, memcmp for the rest.
    static func find(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Bool {
        guard let n = needle.baseAddress, let h = haystack.baseAddress, needle.count > 0,
              needle.count <= haystack.count else { return false }
        let first = Int32(needle[0])
        let end = h + (haystack.count - needle.count + 1)  // where a match can still start
        var p = h
        while p < end {
            guard let q = memchr(p, first, end - p) else { return false }
            if memcmp(q, n, needle.count) == 0 { return true }
            p = UnsafeRawPointer(q) + 1
        }
        return false
    }
}

/// What `/` looks through for each recruiter (name, firm, notes, tags, message subjects
/// and bodies), folded once by `SearchText` and kept: typing a query, and the next one,
/// compare bytes. Built per recruiter the first time a search reaches it, never before the
/// first frame; a new one comes with every reindex (new data), so it never outlives the
/// database it was built from. Shared by copies of the state (a cache, not state).
public final class SearchIndex: Sendable {
    private let texts = Mutex<[UUID: [UInt8]]>([:])

    public init() {}

    /// Recruiter `id`'s searchable text, folded (empty when there is no such recruiter).
    public func text(of id: UUID, in db: Database) -> [UInt8] {
        if let t = texts.withLock({ $0[id] }) { return t }
        guard let r = db.recruiter(id) else { return [] }
        var out: [UInt8] = []
        func add(_ s: String?) {
            guard let s, !s.isEmpty else { return }
            SearchText.appendFolded(s, to: &out)
            out.append(0)  // a match never spans two fields
        }
        add(r.name)
        add(r.firm)
        add(r.notes)
        for t in r.tags { add(t) }
        for m in db.thread(id) {
            add(m.subject)
            add(m.body)
        }
        texts.withLock { $0[id] = out }
        return out
    }

    /// Whether recruiter `id` matches the folded query `needle`.
    public func matches(_ id: UUID, _ needle: [UInt8], in db: Database) -> Bool {
        SearchText.contains(text(of: id, in: db), needle)
    }
}

/// The thread lines last built (`AppState.threadLines`), with what they were built for.
/// One entry: a frame asks for the selected recruiter's lines several times (the pane,
/// the selected message, the scroll limit), and keys that keep the selection ask again.
/// A new cache comes with every reindex (new data); copies of the state share it.
final class ThreadLinesCache: Sendable {
    struct Key: Equatable, Sendable {
        var recruiter: UUID
        var width: Int
        var now: Date
        var timeZone: String
    }

    private let last = Mutex<(key: Key, lines: [ThreadLine])?>(nil)

    func lines(for key: Key) -> [ThreadLine]? {
        last.withLock { $0?.key == key ? $0?.lines : nil }
    }

    func keep(_ lines: [ThreadLine], for key: Key) {
        last.withLock { $0 = (key, lines) }
    }
}
