import Foundation
import RapportCore

/// A fast path for the bulk of a snapshot: the `messages` array (200 000 records in a
/// large store), which `JSONDecoder` takes seconds to decode.
///
/// Its results are used only for a document `JSONCheck` accepts (the check runs beside
/// it, so it never reads out of bounds on any input), it handles only messages made of
/// exactly the known keys with the expected types, and gives up (returns nil) on anything
/// else: then the whole snapshot goes through `JSONDecoder` as before, with the same
/// results and error messages. So it can make loading faster but never different.
enum FastMessages {
    /// The keys handled below; must equal `Message.codingKeys` or the fast path is off.
    static let handled: Set<String> = [
        "id", "recruiterID", "direction", "channel", "at", "subject", "body", "noReplyNeeded",
    ]

    struct GiveUp: Error {}

    /// Splits `bytes` (a checked snapshot) into the document with `"messages"` emptied
    /// and the messages decoded; nil when the fast path does not apply.
    static func split(_ bytes: [UInt8]) -> (rest: [UInt8], messages: [Message])? {
        guard let range = locate(bytes), let messages = decode(bytes, range) else { return nil }
        return (rest(bytes, without: range), messages)
    }

    /// The byte range of the top-level `"messages"` value; nil when the fast path does not apply.
    static func locate(_ bytes: [UInt8]) -> Range<Int>? {
        guard handled == Message.codingKeys, Set(Cursor.messageKeys.map { String(decoding: $0, as: UTF8.self) }) == handled else { return nil }
        return bytes.withUnsafeBufferPointer { b in
            var r = Cursor(b: b, i: 0)
            return try? r.topLevelValue(named: "messages")
        }
    }

    /// The messages array at `range` (from `locate`), or nil when the fast path gives up.
    static func decode(_ bytes: [UInt8], _ range: Range<Int>) -> [Message]? {
        bytes.withUnsafeBufferPointer { b in
            var m = Cursor(b: b, i: range.lowerBound)
            return try? m.messages()
        }
    }

    /// The byte range of the top-level object's value for `name` in `bytes` (not yet
    /// checked: reads stay in bounds); nil when there is none or the bytes are not an object.
    static func topLevelValue(named name: String, in bytes: [UInt8]) -> Range<Int>? {
        bytes.withUnsafeBufferPointer { b in
            var r = Cursor(b: b, i: 0)
            return try? r.topLevelValue(named: name)
        }
    }

    /// The document with the value at `range` replaced by `[]`.
    static func rest(_ bytes: [UInt8], without range: Range<Int>) -> [UInt8] {
        var rest = [UInt8]()
        rest.reserveCapacity(bytes.count - range.count + 2)
        rest.append(contentsOf: bytes[0..<range.lowerBound])
        rest.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
        rest.append(contentsOf: bytes[range.upperBound...])
        return rest
    }

    struct Cursor {
        let b: UnsafeBufferPointer<UInt8>
        var i: Int

        /// The byte at the cursor, or 0 past the end: the bytes may not be valid JSON yet
        /// (the check runs beside this), so no read goes out of bounds.
        var cur: UInt8 { i < b.count ? b[i] : 0 }

        mutating func ws() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func expect(_ c: UInt8) throws {
            ws()
            guard i < b.count, b[i] == c else { throw GiveUp() }
            i += 1
        }

        /// The byte range of the top-level object's value for `name`.
        mutating func topLevelValue(named name: String) throws -> Range<Int>? {
            try expect(UInt8(ascii: "{"))
            let want = Array(name.utf8)
            while true {
                ws()
                if cur == UInt8(ascii: "}") { return nil }
                if cur == UInt8(ascii: ",") { i += 1; ws() }
                let (ks, ke, escaped) = try rawString()
                try expect(UInt8(ascii: ":"))
                ws()
                let start = i
                try skipValue()
                if !escaped && ke - ks == want.count && b[ks..<ke].elementsEqual(want) { return start..<i }
            }
        }

        /// Skips one value (the document is known to be valid JSON).
        mutating func skipValue() throws {
            ws()
            var depth = 0
            repeat {
                guard i < b.count else { throw GiveUp() }
                switch b[i] {
                case UInt8(ascii: "\""): _ = try rawString(); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default:
                    if depth == 0 {
                        // A scalar at the top: up to the next delimiter.
                        while i < b.count, !",}] \n\r\t".utf8.contains(b[i]) { i += 1 }
                        return
                    }
                }
                i += 1
            } while depth > 0
        }

        /// At a string: the range of its raw contents and whether it holds escapes.
        mutating func rawString() throws -> (Int, Int, Bool) {
            ws()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw GiveUp() }
            i += 1
            let start = i
            var escaped = false
            while i < b.count {
                let c = b[i]
                if c == UInt8(ascii: "\"") {
                    i += 1
                    return (start, i - 1, escaped)
                }
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    i += 2
                } else {
                    i += 1
                }
            }
            throw GiveUp()
        }

        mutating func string() throws -> String {
            let (s, e, escaped) = try rawString()
            let raw = UnsafeBufferPointer(rebasing: b[s..<e])
            guard escaped else { return String(decoding: raw, as: UTF8.self) }
            return try unescape(raw)
        }

        /// A string or null.
        mutating func optionalString() throws -> String? {
            null() ? nil : try string()
        }

        /// `null` at the cursor: skipped, and true.
        mutating func null() -> Bool {
            ws()
            guard cur == UInt8(ascii: "n") else { return false }
            i += 4
            return true
        }

        mutating func bool() throws -> Bool? {
            ws()
            switch cur {
            case UInt8(ascii: "t"): i += 4; return true
            case UInt8(ascii: "f"): i += 5; return false
            case UInt8(ascii: "n"): i += 4; return nil
            default: throw GiveUp()
            }
        }

        /// A UUID straight from its 36 bytes; other spellings through `UUID(uuidString:)`.
        mutating func uuid() throws -> UUID {
            let (s, e, escaped) = try rawString()
            if !escaped, e - s == 36, let u = Cursor.hexUUID(UnsafeBufferPointer(rebasing: b[s..<e])) { return u }
            i = s - 1
            guard let u = UUID(uuidString: try string()) else { throw GiveUp() }
            return u
        }

        static func hexUUID(_ t: UnsafeBufferPointer<UInt8>) -> UUID? {
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let ok = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
                var k = 0
                for n in 0..<16 {
                    if k == 8 || k == 13 || k == 18 || k == 23 {
                        guard t[k] == UInt8(ascii: "-") else { return false }
                        k += 1
                    }
                    guard let hi = nibble(t[k]), let lo = nibble(t[k + 1]) else { return false }
                    out[n] = hi << 4 | lo
                    k += 2
                }
                return true
            }
            return ok ? UUID(uuid: bytes) : nil
        }

        static func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - 55
            default: return nil
            }
        }

        /// A date straight from `YYYY-MM-DDTHH:MM:SSZ` bytes; other spellings via `parseDate`.
        mutating func date() throws -> Date? {
            let (s, e, escaped) = try rawString()
            if !escaped, let d = StoreCoding.fastDate(UnsafeBufferPointer(rebasing: b[s..<e])) { return d }
            i = s - 1
            return StoreCoding.parseDate(try string())
        }

        /// Which of `names` the key at the cursor is (by bytes, no String made), or -1.
        mutating func key(_ names: [[UInt8]]) throws -> Int {
            let (s, e, escaped) = try rawString()
            guard !escaped else { throw GiveUp() }
            for (n, name) in names.enumerated() where name.count == e - s && b[s..<e].elementsEqual(name) { return n }
            return -1
        }

        mutating func messages() throws -> [Message] {
            var out: [Message] = []
            try expect(UInt8(ascii: "["))
            ws()
            if cur == UInt8(ascii: "]") { i += 1; return out }
            while true {
                out.append(try message())
                ws()
                if cur == UInt8(ascii: ",") { i += 1; continue }
                try expect(UInt8(ascii: "]"))
                return out
            }
        }

        /// Same order as the `case`s in `message()`.
        static let messageKeys: [[UInt8]] = ["id", "recruiterID", "direction", "channel", "at", "subject", "body", "noReplyNeeded"]
            .map { Array($0.utf8) }

        mutating func message() throws -> Message {
            var id: UUID?, recruiterID: UUID?, direction: Direction?, at: Date?
            var channel = Channel.email, subject: String?, body: String?, noReplyNeeded = false
            try expect(UInt8(ascii: "{"))
            ws()
            if cur != UInt8(ascii: "}") {
                while true {
                    let key = try key(Cursor.messageKeys)
                    try expect(UInt8(ascii: ":"))
                    switch key {
                    case 0: id = try uuid()
                    case 1: recruiterID = try uuid()
                    case 2: direction = Direction(rawValue: try string())
                    case 3:
                        // null means "absent" (the default), as with decodeIfPresent.
                        if let s = try optionalString() {
                            guard let c = Channel(rawValue: s) else { throw GiveUp() }
                            channel = c
                        }
                    case 4: at = try date()
                    case 5: subject = try optionalString()
                    case 6: body = try optionalString()
                    case 7: noReplyNeeded = try bool() ?? false
                    default: throw GiveUp()  // unknown keys: the JSONDecoder path keeps them
                    }
                    ws()
                    if cur == UInt8(ascii: ",") { i += 1; continue }
                    break
                }
            }
            try expect(UInt8(ascii: "}"))
            guard let id, let recruiterID, let direction, let at else { throw GiveUp() }
            return Message(id: id, recruiterID: recruiterID, direction: direction, channel: channel, at: at,
                           subject: subject, body: body, noReplyNeeded: noReplyNeeded)
        }

        private func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws -> String {
            var out = [UInt8]()
            out.reserveCapacity(raw.count)
            var k = 0
            func hex(_ at: Int) throws -> UInt32 {
                guard at + 4 <= raw.count, let v = UInt32(String(decoding: UnsafeBufferPointer(rebasing: raw[at..<(at + 4)]), as: UTF8.self), radix: 16) else { throw GiveUp() }
                return v
            }
            while k < raw.count {
                let c = raw[k]
                guard c == UInt8(ascii: "\\") else {
                    out.append(c)
                    k += 1
                    continue
                }
                let e = raw[k + 1]
                k += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex(k)
                    k += 4
                    if (0xD800...0xDBFF).contains(scalar) {
                        // Only a `\u` low surrogate completes the pair; anything else (a lone
                        // surrogate) is left to JSONDecoder.
                        guard k + 1 < raw.count, raw[k] == UInt8(ascii: "\\"), raw[k + 1] == UInt8(ascii: "u") else { throw GiveUp() }
                        let low = try hex(k + 2)
                        guard (0xDC00...0xDFFF).contains(low) else { throw GiveUp() }
                        k += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw GiveUp() }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: out.append(e)  // \" \\ \/
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

extension FastMessages {
    /// The pretty-printed `messages` array exactly as `JSONEncoder` (sorted keys,
    /// `.withoutEscapingSlashes`) writes it inside the snapshot, or nil when a message
    /// carries unknown fields (then `JSONEncoder` writes everything).
    static func encode(_ messages: [Message]) -> [UInt8]? {
        guard handled == Message.codingKeys, !messages.contains(where: { !$0.extra.isEmpty }) else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(messages.count * 400)
        func put(_ s: StaticString) {
            s.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        func string(_ s: String) {
            out.append(UInt8(ascii: "\""))
            // Most strings need no escaping: copied whole.
            var s = s
            let plain = s.withUTF8 { u -> Bool in
                guard !u.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
                out.append(contentsOf: u)
                return true
            }
            if plain {
                out.append(UInt8(ascii: "\""))
                return
            }
            for c in s.utf8 {
                switch c {
                case UInt8(ascii: "\""): put("\\\"")
                case UInt8(ascii: "\\"): put("\\\\")
                case 0x0A: put("\\n")
                case 0x0D: put("\\r")
                case 0x09: put("\\t")
                case 0x08: put("\\b")
                case 0x0C: put("\\f")
                case 0..<0x20:
                    put("\\u00")
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append(hex[Int(c >> 4)])
                    out.append(hex[Int(c & 0xF)])
                default: out.append(c)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        /// `uuidString` (uppercase) without a formatter.
        func uuid(_ id: UUID) {
            let hex: StaticString = "0123456789ABCDEF"
            out.append(UInt8(ascii: "\""))
            withUnsafeBytes(of: id.uuid) { raw in
                hex.withUTF8Buffer { h in
                    for (i, byte) in raw.enumerated() {
                        if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
                        out.append(h[Int(byte >> 4)])
                        out.append(h[Int(byte & 0x0F)])
                    }
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        put("[")
        for (k, m) in messages.enumerated() {
            put(k == 0 ? "\n    {\n      \"at\" : " : ",\n    {\n      \"at\" : ")
            StoreCoding.appendDate(m.at, to: &out)
            if let body = m.body {
                put(",\n      \"body\" : ")
                string(body)
            }
            put(",\n      \"channel\" : ")
            string(m.channel.rawValue)
            put(",\n      \"direction\" : ")
            string(m.direction.rawValue)
            put(",\n      \"id\" : ")
            uuid(m.id)
            put(m.noReplyNeeded ? ",\n      \"noReplyNeeded\" : true" : ",\n      \"noReplyNeeded\" : false")
            put(",\n      \"recruiterID\" : ")
            uuid(m.recruiterID)
            if let subject = m.subject {
                put(",\n      \"subject\" : ")
                string(subject)
            }
            put("\n    }")
        }
        put(messages.isEmpty ? "\n\n  ]" : "\n  ]")
        return out
    }
}

extension FastMessages {
    /// One journal line that `JSONCheck` accepted, when it is in the shape this store writes
    /// for the changes that logging, replying and marking done make: `putMessage` and
    /// `removeMessage`, for the change and its inverse, with the usual metadata. Nil for
    /// anything else (other changes, unknown or repeated keys, other spellings of a
    /// number): then `JSONDecoder` reads the line, with the same result and the same
    /// errors. The first `JSONDecoder` decode in a process costs about 8 M instructions
    /// (the runtime looks up the Codable conformances of every type it meets), which is
    /// most of what the first frame after another process's write paid for one line.
    static func journalLine(_ line: [UInt8]) -> JournalLine? {
        guard handled == Message.codingKeys else { return nil }
        return line.withUnsafeBufferPointer { b in
            var c = Cursor(b: b, i: 0)
            guard let jl = try? c.journalLine() else { return nil }
            c.ws()
            return c.i == b.count ? jl : nil
        }
    }
}

extension FastMessages.Cursor {
    /// Same order as the `case`s in `journalLine()`.
    static let lineKeys: [[UInt8]] = ["seq", "change", "group", "origin", "label", "at", "inverse", "undoes", "redoes"]
        .map { Array($0.utf8) }
    static let changeKeys: [[UInt8]] = ["putMessage", "removeMessage"].map { Array($0.utf8) }
    static let payloadKey: [[UInt8]] = [Array("_0".utf8)]

    /// A non-negative integer written as plain digits (what the store writes for `seq`).
    mutating func plainInt() throws -> Int {
        ws()
        var v = 0, digits = 0
        while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
            guard digits < 18 else { throw FastMessages.GiveUp() }  // far below Int.max
            v = v * 10 + Int(b[i] - UInt8(ascii: "0"))
            digits += 1
            i += 1
        }
        guard digits > 0, digits == 1 || b[i - digits] != UInt8(ascii: "0") else { throw FastMessages.GiveUp() }
        // A fraction or an exponent: JSONDecoder's reading of it decides.
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            throw FastMessages.GiveUp()
        }
        return v
    }

    /// One object's members: `body` is called with each key's index in `keys` (at the
    /// value); a key not in `keys`, or one given twice, gives up.
    mutating func members(_ keys: [[UInt8]], _ body: (inout Self, Int) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        ws()
        if cur == UInt8(ascii: "}") { i += 1; return }
        var seen: UInt64 = 0
        while true {
            let k = try key(keys)
            guard k >= 0, seen & (1 << UInt64(k)) == 0 else { throw FastMessages.GiveUp() }
            seen |= 1 << UInt64(k)
            try expect(UInt8(ascii: ":"))
            try body(&self, k)
            ws()
            if cur == UInt8(ascii: ",") { i += 1; continue }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    /// A `Change` as the synthesized coding writes it: `{"putMessage":{"_0":{…}}}` or
    /// `{"removeMessage":{"_0":"…"}}`.
    mutating func change() throws -> Change {
        var out: Change?
        try members(Self.changeKeys) { c, k in
            guard out == nil else { throw FastMessages.GiveUp() }  // one case per change
            try c.members(Self.payloadKey) { c, _ in
                out = k == 0 ? .putMessage(try c.message()) : .removeMessage(try c.uuid())
            }
        }
        guard let out else { throw FastMessages.GiveUp() }
        return out
    }

    mutating func optionalUUID() throws -> UUID? {
        null() ? nil : try uuid()
    }

    mutating func journalLine() throws -> JournalLine {
        var seq: Int?, change: Change?, group: UUID?, origin: Origin?, label: String?, at: Date?
        var inverse: Change?, undoes: UUID?, redoes: UUID?
        try members(Self.lineKeys) { c, k in
            switch k {
            case 0: seq = try c.plainInt()
            case 1: change = try c.change()
            case 2: group = try c.optionalUUID()
            case 3:
                if !c.null() {
                    guard let o = Origin(text: try c.string()) else { throw FastMessages.GiveUp() }
                    origin = o
                }
            case 4: label = try c.optionalString()
            case 5:
                if !c.null() {
                    guard let d = try c.date() else { throw FastMessages.GiveUp() }
                    at = d
                }
            case 6: inverse = c.null() ? nil : try c.change()
            case 7: undoes = try c.optionalUUID()
            default: redoes = try c.optionalUUID()
            }
        }
        guard let seq, let change else { throw FastMessages.GiveUp() }
        return JournalLine(seq: seq, change: change, group: group, origin: origin, label: label, at: at,
                           inverse: inverse, undoes: undoes, redoes: redoes)
    }
}
