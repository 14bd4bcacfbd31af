import Foundation
import Synchronization

/// Names lowered for sorting, one after another in one buffer: `name.lowercased()`, in
/// NFC, as UTF-8. `String` orders text by the scalars of its NFC form, which is the order
/// of the NFC form's UTF-8 bytes; so two names compare as their bytes here compare.
/// ASCII is lowered byte by byte; a name with other scalars is lowered and, unless every
/// scalar is below U+0300 (text already in NFC), normalized by Foundation, once per
/// distinct name.
///
/// The one definition of a name's sort key: the interface sorts by it and `store.cache`
/// keeps each stored recruiter's key as this function made it (see `definition`).
public struct NameKeys: Sendable {
    /// Bump on any change to what `append` makes of a name. A stored key is used only by
    /// a build whose `definition` and Unicode tables are those it was made with (the
    /// store's cache records both; see docs/store-format.md).
    public static let definition = 1

    public private(set) var bytes: [UInt8] = []
    private var known: [String: (start: Int, count: Int)] = [:]

    public init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Appends `name`'s key; where it lies in `bytes`.
    public mutating func append(_ name: String) -> (start: Int, count: Int) {
        let start = bytes.count
        var n = name
        let ascii: Bool = n.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 >= 0x80 }) else { return false }
            for b in utf8 { bytes.append(b &- 65 < 26 ? b | 0x20 : b) }
            return true
        }
        if ascii { return (start, bytes.count - start) }
        if let k = known[name] { return k }
        let lowered = name.lowercased()
        if lowered.unicodeScalars.allSatisfy({ $0.value < 0x300 }) {
            bytes.append(contentsOf: lowered.utf8)
        } else {
            bytes.append(contentsOf: lowered.precomposedStringWithCanonicalMapping.utf8)
        }
        let k = (start, bytes.count - start)
        known[name] = k
        return k
    }

    /// Appends keys made before (by `append`, kept in a cache), as they are; where they
    /// start in `bytes`.
    public mutating func appendStored(_ keys: UnsafeRawBufferPointer) -> Int {
        let start = bytes.count
        bytes.append(contentsOf: keys)
        return start
    }

    /// `name`'s key alone.
    public static func key(_ name: String) -> [UInt8] {
        var keys = NameKeys(capacity: name.utf8.count)
        let (start, count) = keys.append(name)
        return Array(keys.bytes[start..<(start + count)])
    }
}

/// Every recruiter's id and name, with the name's sort key (`NameKeys`): the interface's
/// list sorts by it. `Database.recruiterNameTable` gives it without lowering the names a
/// store's cache keeps keys for.
public struct NameTable: Sendable {
    public var ids: [UUID] = []
    public var names = NameList()
    /// Where each name's key lies in `keys.bytes`.
    public var spans: [(start: Int, count: Int)] = []
    public var keys: NameKeys

    public init(capacity: Int) {
        keys = NameKeys(capacity: capacity * 16)
        ids.reserveCapacity(capacity)
        names.reserveCapacity(capacity)
        spans.reserveCapacity(capacity)
    }

    /// The recruiters of `store`, by position (`ids`), with their keys made before:
    /// `keys` holds them one after another, the `k`th at `spans[k]`; the names are read
    /// from `store` when first asked for.
    public init(stored store: any StoredRecruiters, ids: [UUID], keys stored: UnsafeRawBufferPointer,
                spans: [(start: Int, count: Int)]) {
        precondition(ids.count == spans.count && spans.allSatisfy { $0.start >= 0 && $0.count >= 0 && $0.start + $0.count <= stored.count },
                     "a key outside the keys")
        keys = NameKeys(capacity: 0)
        _ = keys.appendStored(stored)
        self.ids = ids
        self.spans = spans
        names = NameList(reading: store, count: ids.count)
    }

    public init(_ list: [(id: UUID, name: String)]) {
        self.init(capacity: list.count)
        for (id, name) in list { append(id: id, name: name) }
    }

    /// Adds a recruiter, its key made now.
    public mutating func append(id: UUID, name: String) {
        ids.append(id)
        names.append(name)
        spans.append(keys.append(name))
    }

    /// Keeps only the recruiters `keep` admits (their keys stay where they are).
    public mutating func filter(_ keep: (UUID) -> Bool) {
        var w = 0
        for r in 0..<ids.count where keep(ids[r]) {
            ids[w] = ids[r]; spans[w] = spans[r]
            names.move(r, to: w)
            w += 1
        }
        ids.removeLast(ids.count - w)
        names.removeLast(names.count - w)
        spans.removeLast(spans.count - w)
    }

    public var count: Int { ids.count }

    /// Recruiter `k`'s key.
    public func key(at k: Int) -> ArraySlice<UInt8> {
        keys.bytes[spans[k].start..<(spans[k].start + spans[k].count)]
    }
}

/// The names of a `NameTable`, by position: names given as they are, and stored ones read
/// from their store (all at once, `StoredRecruiters.names()`) only when one is first asked
/// for, so a list that sorts by keys alone never makes the stored names' `String`s.
public struct NameList: RandomAccessCollection, Sendable {
    /// Per entry: a stored name's position (>= 0), or -1 - its index in `given`.
    private var slots: [Int] = []
    private var given: [String] = []
    private var stored: StoredNames?

    public init() {}

    /// The first `count` names of `store`, read when first asked for.
    init(reading store: any StoredRecruiters, count: Int) {
        stored = StoredNames(store)
        slots = Array(0..<count)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { slots.count }

    public subscript(k: Int) -> String {
        let s = slots[k]
        return s >= 0 ? stored!.name(at: s) : given[-1 - s]
    }

    public mutating func reserveCapacity(_ n: Int) {
        slots.reserveCapacity(n)
        if stored == nil { given.reserveCapacity(n) }
    }

    public mutating func append(_ name: String) {
        given.append(name)
        slots.append(-given.count)
    }

    mutating func move(_ from: Int, to: Int) { slots[to] = slots[from] }

    mutating func removeLast(_ n: Int) { slots.removeLast(n) }
}

/// A store's names, read once when first asked for.
private final class StoredNames: Sendable {
    let store: any StoredRecruiters
    private let names = Mutex<[String]?>(nil)

    init(_ store: any StoredRecruiters) { self.store = store }

    func name(at k: Int) -> String {
        names.withLock { names in
            if let names { return names[k] }
            let all = store.names()
            names = all
            return all[k]
        }
    }
}

