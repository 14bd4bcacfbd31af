import Foundation
import RapportCore
import Synchronization

/// The on-disk shape of `store.json` (see docs/store-format.md).
struct Snapshot: Codable {
    /// 2: journal lines carry origin, undo group and inverse; persisted flags live in
    /// the top-level `flags` table; recruiters have `emails` and `statusUntil`.
    static let currentVersion = 2
    static let knownKeys: Set<String> = [
        "schemaVersion", "seq", "recruiters", "messages", "opportunities", "followUps", "expectations", "flags",
    ]

    var schemaVersion: Int
    /// The sequence number of the last journal line folded into this snapshot.
    var seq: Int
    var recruiters: [Recruiter]
    var messages: [Message]
    var opportunities: [Opportunity]
    var followUps: [FollowUp]
    var expectations: [Expectation]
    /// Persisted flags by recruiter id (schema 2; schema 1 kept them on each recruiter).
    var flags: [UUID: [FlagRecord]]
    var extra: [String: JSONValue]

    init(_ db: Database, seq: Int, flags: [UUID: [FlagRecord]] = [:]) {
        self.flags = flags.filter { !$0.value.isEmpty }
        schemaVersion = Snapshot.currentVersion
        self.seq = seq
        // Byte order of the ids, which is also the order of their uuidString.
        recruiters = db.recruiters.values.sorted { uuidLess($0.id, $1.id) }
        for i in recruiters.indices where !recruiters[i].flags.isEmpty { recruiters[i].flags = [] }
        messages = recruiters.flatMap { db.thread($0.id) }
        opportunities = db.opportunities.values.sorted { uuidLess($0.id, $1.id) }
        followUps = db.followUps.values.sorted { uuidLess($0.id, $1.id) }
        expectations = db.expectations.values.sorted { uuidLess($0.id, $1.id) }
        extra = db.extra
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ModelKey.self)
        schemaVersion = try c.decode(Int.self, forKey: "schemaVersion")
        seq = try c.decodeIfPresent(Int.self, forKey: "seq") ?? 0
        recruiters = try c.decodeIfPresent([Recruiter].self, forKey: "recruiters") ?? []
        messages = try c.decodeIfPresent([Message].self, forKey: "messages") ?? []
        opportunities = try c.decodeIfPresent([Opportunity].self, forKey: "opportunities") ?? []
        followUps = try c.decodeIfPresent([FollowUp].self, forKey: "followUps") ?? []
        expectations = try c.decodeIfPresent([Expectation].self, forKey: "expectations") ?? []
        flags = [:]
        for (key, list) in try c.decodeIfPresent([String: [TableFlag]].self, forKey: "flags") ?? [:] {
            guard let id = UUID(uuidString: key) else {
                throw DecodingError.dataCorruptedError(forKey: "flags", in: c, debugDescription: "'\(key)' is not a recruiter id")
            }
            // Flags are derived: one this build does not know is dropped and recomputed.
            flags[id] = list.compactMap { f in Flag(rawValue: f.flag).map { FlagRecord(flag: $0, since: f.since) } }
        }
        // Schema 1 kept the flags on each recruiter: they move to the table.
        for i in recruiters.indices where !recruiters[i].flags.isEmpty {
            if flags[recruiters[i].id] == nil { flags[recruiters[i].id] = recruiters[i].flags }
            recruiters[i].flags = []
        }
        extra = try c.extras(known: Snapshot.knownKeys)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ModelKey.self)
        try c.encode(schemaVersion, forKey: "schemaVersion")
        try c.encode(seq, forKey: "seq")
        try c.encode(recruiters, forKey: "recruiters")
        try c.encode(messages, forKey: "messages")
        try c.encode(opportunities, forKey: "opportunities")
        try c.encode(followUps, forKey: "followUps")
        try c.encode(expectations, forKey: "expectations")
        try c.encode(Dictionary(uniqueKeysWithValues: flags.map { ($0.key.uuidString, $0.value) }), forKey: "flags")
        try c.encodeExtras(extra, known: Snapshot.knownKeys)
    }

    /// Builds the database; a record that points at a missing recruiter is an error naming it.
    func database(file: String) throws -> Database {
        do {
            return try Database.bulk(recruiters: recruiters, messages: messages, opportunities: opportunities,
                                     followUps: followUps, expectations: expectations, extra: extra)
        } catch {
            throw RapportError.failure("\(file): \(error.collection)[\(error.index)]: \(error.reason)")
        }
    }
}

/// A persisted flag as read from the table: an unknown flag name is dropped, not an error.
struct TableFlag: Decodable {
    var flag: String
    var since: Date
}

/// Only the version, read before the whole snapshot so a newer file can be recognised.
struct SnapshotVersion: Decodable {
    var schemaVersion: Int
}

/// One journal line: `{"seq":N,"group":"…","origin":"cli:edit","label":"…","at":"…","change":{...},"inverse":{...}}`
/// (schema 2); lines written before carry only `seq` and `change`.
struct JournalLine: Codable, Equatable {
    var seq: Int
    var change: Change
    /// The undo group: every line of one command, import or TUI action shares it.
    var group: UUID?
    var origin: Origin?
    var label: String?
    var at: Date?
    /// The change that takes this line back, computed under the lock before it applied.
    var inverse: Change?
    /// On the line of an undo (or redo): the group it takes back (or puts back).
    var undoes: UUID?
    var redoes: UUID?
}

enum StoreCoding {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(formatDate(date))
        }
        return e
    }()

    static let lineEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = encoder.dateEncodingStrategy
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let s = try c.decode(String.self)
            guard let date = parseDate(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(s)' is not an ISO 8601 date-time")
            }
            return date
        }
        return d
    }()

    /// The snapshot's bytes: pretty-printed, sorted keys, one final newline. The messages
    /// (the bulk) go through `FastMessages.encode` while `JSONEncoder` writes the rest, side
    /// by side, and are spliced in; `fast: false` uses `JSONEncoder` alone, the reference
    /// the fast path is tested against byte for byte. With `check`, the result is also
    /// verified with `JSONCheck` (each half beside the other: both valid means the whole is)
    /// and an invalid one is refused, naming the byte.
    static func encodeSnapshot(_ s: Snapshot, fast: Bool = true, check: Bool = false, parallel: Bool = true) throws -> [UInt8] {
        do {
            var bytes: [UInt8]
            var checked = false
            // How JSONEncoder writes an empty `messages` at the top level.
            let empty = Array("\n  \"messages\" : [\n\n  ]".utf8)
            if fast, !s.messages.isEmpty {
                var without = s
                without.messages = []
                let rest = without
                let halves = Mutex<(messages: [UInt8]?, rest: Result<[UInt8], any Error>?, valid: [Bool])>((nil, nil, []))
                let half: @Sendable (Int) -> Void = { job in
                    if job == 0 {
                        let m = FastMessages.encode(s.messages)
                        let ok = check && m.map { JSONCheck.check($0) == nil } ?? false
                        halves.withLock { $0.messages = m; $0.valid.append(ok) }
                    } else {
                        let r = Result { [UInt8](try encoder.encode(rest)) }
                        let ok = check && ((try? r.get()).map { JSONCheck.check($0) == nil } ?? false)
                        halves.withLock { $0.rest = r; $0.valid.append(ok) }
                    }
                }
                if parallel {
                    DispatchQueue.concurrentPerform(iterations: 2, execute: half)
                } else {
                    half(0)
                    half(1)
                }
                let h = halves.withLock { $0 }
                guard let messages = h.messages, let restBytes = try h.rest?.get(),
                      let at = Sys.firstRange(of: empty, in: restBytes) else { return try encodeSnapshot(s, fast: false, check: check, parallel: parallel) }
                bytes = restBytes
                bytes.replaceSubrange((at.upperBound - 6)..<at.upperBound, with: messages)  // the "[\n\n  ]"
                checked = h.valid == [true, true]
            } else {
                bytes = [UInt8](try encoder.encode(s))
            }
            bytes.append(0x0A)
            if check, !checked, let f = JSONCheck.check(bytes) {
                throw RapportError.failure("refusing to write an invalid snapshot (byte \(f.offset): \(f.message)); nothing was changed")
            }
            return bytes
        } catch let e as RapportError {
            throw e
        } catch {
            throw RapportError.failure("cannot encode the store: \(describe(error))")
        }
    }

    /// One journal line that `JSONCheck` accepted: through `FastMessages.journalLine` when
    /// it is a message change in the shape this store writes, else through `JSONDecoder`
    /// (the same result; its errors are the errors).
    static func decodeLine(_ line: [UInt8]) throws -> JournalLine {
        if let fast = FastMessages.journalLine(line) { return fast }
        return try decoder.decode(JournalLine.self, from: Data(line))
    }

    /// A line with only `seq` and `change` (the shape schema 1 wrote).
    static func encodeLine(seq: Int, change: Change) throws -> [UInt8] {
        try encodeLine(JournalLine(seq: seq, change: change))
    }

    /// What a line says besides `seq` and `change`, in sorted keys.
    private struct LineMeta: Encodable {
        var at: Date?
        var group: UUID?
        var inverse: Change?
        var label: String?
        var origin: Origin?
        var redoes: UUID?
        var undoes: UUID?
    }

    /// One journal line, with its newline: compact JSON, `seq` and `change` first (a
    /// person reading the file sees them at the start), then the rest in sorted keys.
    /// `changeBytes`, when given, is `line.change` already encoded (the store encodes a
    /// change once: to check it reads back, then to write it).
    static func encodeLine(_ line: JournalLine, changeBytes: [UInt8]? = nil) throws -> [UInt8] {
        var out = Array("{\"seq\":\(line.seq),\"change\":".utf8)
        do {
            if let changeBytes { out.append(contentsOf: changeBytes) } else { out.append(contentsOf: try lineEncoder.encode(line.change)) }
            let meta = LineMeta(at: line.at, group: line.group, inverse: line.inverse, label: line.label,
                                origin: line.origin, redoes: line.redoes, undoes: line.undoes)
            let m = [UInt8](try lineEncoder.encode(meta))
            if m.count > 2 {
                out.append(UInt8(ascii: ","))
                out.append(contentsOf: m.dropFirst())
            } else {
                out.append(UInt8(ascii: "}"))
            }
        } catch {
            throw RapportError.failure("cannot encode the change: \(describe(error))")
        }
        out.append(0x0A)
        return out
    }

    /// A one-line description of a coding error: where in the document, and what.
    static func describe(_ error: any Error) -> String {
        func path(_ p: [any CodingKey]) -> String {
            var s = ""
            for k in p {
                if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : ".\(k.stringValue)" }
            }
            return s.isEmpty ? "top level" : s
        }
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "\(path(ctx.codingPath)): the field \"\(key.stringValue)\" is missing"
        case DecodingError.typeMismatch(let type, let ctx):
            return "\(path(ctx.codingPath)): expected \(typeName(type))"
        case DecodingError.valueNotFound(let type, let ctx):
            return "\(path(ctx.codingPath)): expected \(typeName(type)), found null"
        case DecodingError.dataCorrupted(let ctx):
            return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        case EncodingError.invalidValue(_, let ctx):
            return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        case let e as RapportError:
            return e.description
        default:
            return "\(error)"
        }
    }

    private static func typeName(_ t: Any.Type) -> String {
        switch t {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type, is Int64.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            let n = "\(t)"
            if n.hasPrefix("Array") { return "a list" }
            if n.hasPrefix("Dictionary") || n.hasPrefix("KeyedDecodingContainer") { return "an object" }
            return n
        }
    }

    // MARK: - Dates: `2026-03-09T10:00:00Z`, fast in both directions.

    static func formatDate(_ d: Date) -> String { ISO8601.format(d) }

    /// Appends `"YYYY-MM-DDTHH:MM:SSZ"` (with the quotes), the same text as `formatDate`,
    /// digit by digit.
    static func appendDate(_ d: Date, to out: inout [UInt8]) {
        let secs = Int(d.timeIntervalSince1970.rounded(.down))
        var days = secs / 86400
        var rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let (y, m, dd) = CivilDate.date(fromDays: days)
        guard y >= 0 && y < 10000 else {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: formatDate(d).utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        func digits(_ v: Int, _ n: Int) {
            var div = 1
            for _ in 1..<n { div *= 10 }
            while div > 0 {
                out.append(UInt8(48 + v / div % 10))
                div /= 10
            }
        }
        out.append(UInt8(ascii: "\""))
        digits(y, 4); out.append(UInt8(ascii: "-")); digits(m, 2); out.append(UInt8(ascii: "-")); digits(dd, 2)
        out.append(UInt8(ascii: "T")); digits(rem / 3600, 2); out.append(UInt8(ascii: ":")); digits(rem % 3600 / 60, 2)
        out.append(UInt8(ascii: ":")); digits(rem % 60, 2); out.append(UInt8(ascii: "Z"))
        out.append(UInt8(ascii: "\""))
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` quickly; anything else ISO 8601 (offsets, fractions, dates) slowly.
    static func parseDate(_ s: String) -> Date? {
        var s = s
        if let d = s.withUTF8({ fastDate($0) }) { return d }
        // The store keeps whole seconds, so what is in memory is exactly what is written.
        return ISO8601.parse(s).map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) }
    }

    /// Only the exact form the store writes, `YYYY-MM-DDTHH:MM:SSZ`; nil for anything else.
    static func fastDate(_ u: UnsafeBufferPointer<UInt8>) -> Date? {
        if u.count == 20, u[4] == 0x2D, u[7] == 0x2D, u[10] == 0x54, u[13] == 0x3A, u[16] == 0x3A, u[19] == 0x5A {
            func num(_ a: Int, _ len: Int) -> Int? {
                var v = 0
                for k in a..<(a + len) {
                    guard u[k] >= 0x30, u[k] <= 0x39 else { return nil }
                    v = v * 10 + Int(u[k] - 0x30)
                }
                return v
            }
            if let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
               let se = num(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 {
                let days = CivilDate.days(year: y, month: mo, day: d)
                return Date(timeIntervalSince1970: TimeInterval(days * 86400 + h * 3600 + mi * 60 + se))
            }
        }
        return nil
    }
}
