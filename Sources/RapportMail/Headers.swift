import Foundation

/// One header field as it came (unfolded: the line breaks of folding removed), with its
/// raw bytes read as UTF-8 (RFC 6532) or, when not UTF-8, as Windows-1252.
public struct HeaderField: Sendable, Equatable {
    public var name: String
    public var raw: String
}

/// The header section of a message or a MIME part.
public struct Headers: Sendable, Equatable {
    public var fields: [HeaderField] = []

    public init(fields: [HeaderField] = []) { self.fields = fields }

    /// The first field named `name` (case-insensitive), unfolded, not decoded.
    public func raw(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.raw
    }

    /// Every field named `name`.
    public func all(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.raw)
    }

    /// The first field named `name` with RFC 2047 encoded-words decoded and white space trimmed.
    public func text(_ name: String) -> String? {
        raw(name).map { EncodedWords.decode($0).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Parses the header lines of `bytes[range]` (no blank line in it). Lines without a
    /// colon are reported in `problems` and skipped.
    static func parse(_ bytes: [UInt8], _ range: Range<Int>, problems: inout [String]) -> Headers {
        var out = Headers()
        var current: (name: String, value: [UInt8])?
        var bad = 0
        func flush() {
            if let c = current {
                let text: String
                if let s = String(validating: c.value, as: UTF8.self) { text = s } else {
                    text = Charsets.cp1252(c.value[...])
                    problems.append("8-bit bytes in the \(c.name) header: read as Windows-1252")
                }
                out.fields.append(HeaderField(name: c.name, raw: text))
            }
            current = nil
        }
        var i = range.lowerBound
        while i < range.upperBound {
            var end = i
            while end < range.upperBound && bytes[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > i && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let first = bytes[i]
            if first == 0x20 || first == 0x09 {
                // Folding: the line break goes, the white space stays.
                if current != nil { current!.value.append(contentsOf: bytes[i..<lineEnd]) }
            } else if let colon = bytes[i..<lineEnd].firstIndex(of: 0x3A), colon > i {
                flush()
                var nameEnd = colon
                while nameEnd > i && (bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x09) { nameEnd -= 1 }
                let name = String(decoding: bytes[i..<nameEnd], as: UTF8.self)
                var v = colon + 1
                while v < lineEnd && (bytes[v] == 0x20 || bytes[v] == 0x09) { v += 1 }
                current = (name, Array(bytes[v..<lineEnd]))
            } else if lineEnd > i {
                bad += 1
            }
            i = end + 1
        }
        flush()
        if bad > 0 { problems.append("\(bad) header line\(bad == 1 ? "" : "s") without a field name skipped") }
        return out
    }
}

/// RFC 2047 encoded-words (`=?charset?Q?…?=`, `=?charset?B?…?=`) anywhere in a header,
/// mixed with plain text. White space between two adjacent encoded-words is dropped, and
/// the bytes of adjacent words in one charset are joined before decoding, so a character
/// split across two words comes out whole.
public enum EncodedWords {
    public static func decode(_ s: String) -> String {
        guard s.contains("=?") else { return s }
        let u = Array(s.utf8)
        var out = ""
        var plain: [UInt8] = []  // text since the last encoded word
        var pending: (charset: String, bytes: [UInt8])?
        func flushPending() {
            if let p = pending { out += Charsets.decode(p.bytes[...], charset: p.charset).text }
            pending = nil
        }
        var i = 0
        while i < u.count {
            if u[i] == 0x3D, i + 1 < u.count, u[i + 1] == 0x3F, let word = parseWord(u, at: i) {
                let onlySpace = plain.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
                if pending != nil && onlySpace {
                    // adjacent encoded-words: the white space between them is not text
                } else {
                    flushPending()
                    out += String(decoding: plain, as: UTF8.self)
                }
                plain.removeAll(keepingCapacity: true)
                if let p = pending, p.charset.lowercased() == word.charset.lowercased() {
                    pending!.bytes.append(contentsOf: word.bytes)
                } else {
                    flushPending()
                    pending = (word.charset, word.bytes)
                }
                i = word.end
                continue
            }
            plain.append(u[i])
            i += 1
        }
        if !plain.isEmpty {
            flushPending()
            out += String(decoding: plain, as: UTF8.self)
        } else {
            flushPending()
        }
        return out
    }

    /// One encoded-word starting at `start` ("=?"), or nil when it is not one.
    static func parseWord(_ u: [UInt8], at start: Int) -> (charset: String, bytes: [UInt8], end: Int)? {
        var i = start + 2
        let csStart = i
        while i < u.count && u[i] != 0x3F && u[i] > 0x20 && i - csStart < 64 { i += 1 }
        guard i < u.count, u[i] == 0x3F, i > csStart else { return nil }
        let charset = String(decoding: u[csStart..<i], as: UTF8.self)
        i += 1
        guard i + 1 < u.count, u[i + 1] == 0x3F else { return nil }
        let enc = u[i] | 0x20
        guard enc == 0x71 || enc == 0x62 else { return nil }  // q or b
        i += 2
        let textStart = i
        // The text ends at "?="; it holds no white space (RFC 2047 section 5) and is short
        // (75 characters by the RFC; 2 KiB tolerated), which keeps decoding linear.
        while i + 1 < u.count && !(u[i] == 0x3F && u[i + 1] == 0x3D) && u[i] != 0x20 && u[i] != 0x09 && i - textStart < 2048 { i += 1 }
        guard i + 1 < u.count, u[i] == 0x3F, u[i + 1] == 0x3D else { return nil }
        let text = u[textStart..<i]
        let bytes: [UInt8]
        if enc == 0x62 {
            bytes = TransferEncoding.base64(text)
        } else {
            var b: [UInt8] = []
            var j = text.startIndex
            while j < text.endIndex {
                let c = text[j]
                if c == 0x5F { b.append(0x20); j += 1; continue }
                if c == 0x3D, j + 2 < text.endIndex, let h = TransferEncoding.hex(text[j + 1]), let l = TransferEncoding.hex(text[j + 2]) {
                    b.append(h << 4 | l)
                    j += 3
                    continue
                }
                b.append(c)
                j += 1
            }
            bytes = b
        }
        return (charset, bytes, i + 2)
    }
}

/// A mailbox: a display name (decoded) and an address.
public struct MailAddress: Sendable, Equatable, Hashable {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// The address lower-cased, for matching.
    public var key: String { address.lowercased() }

    /// The domain after the last `@`, lower-cased.
    public var domain: String { address.split(separator: "@").last.map { $0.lowercased() } ?? "" }

    /// Parses an address-list header (`To`, `Cc`, `From`): quoted names with commas,
    /// comments, groups (`team: a@x, b@y;`), bare addresses. Encoded-words in names are
    /// decoded. Entries without an `@` are left out.
    public static func list(_ raw: String) -> [MailAddress] {
        var out: [MailAddress] = []
        var item = ""
        var inQuote = false, inAngle = false, comment = 0, escaped = false
        func finish() {
            if let a = one(item) { out.append(a) }
            item = ""
        }
        for ch in raw {
            if escaped { item.append(ch); escaped = false; continue }
            switch ch {
            case "\\" where inQuote || comment > 0: item.append(ch); escaped = true
            case "\"" where comment == 0: inQuote.toggle(); item.append(ch)
            case "(" where !inQuote: comment += 1; item.append(ch)
            case ")" where !inQuote && comment > 0: comment -= 1; item.append(ch)
            case "<" where !inQuote && comment == 0: inAngle = true; item.append(ch)
            case ">" where !inQuote && comment == 0: inAngle = false; item.append(ch)
            case "," where !inQuote && !inAngle && comment == 0: finish()
            case ";" where !inQuote && !inAngle && comment == 0: finish()
            case ":" where !inQuote && !inAngle && comment == 0 && !item.contains("@"):
                item = ""  // a group's name
            default: item.append(ch)
            }
        }
        finish()
        return out
    }

    /// One mailbox: `Name <a@b>`, `"Last, First" <a@b>`, `a@b (Name)`, `a@b`.
    static func one(_ text: String) -> MailAddress? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else { return nil }
        if let lt = t.lastIndex(of: "<"), let gt = t[lt...].firstIndex(of: ">") {
            let addr = String(t[t.index(after: lt)..<gt]).trimmingCharacters(in: .whitespaces)
            guard addr.contains("@") else { return nil }
            let name = cleanName(String(t[..<lt]))
            return MailAddress(name: name, address: stripRoute(addr))
        }
        // addr (Comment Name)
        var addrPart = t, name: String?
        if let open = t.firstIndex(of: "("), let close = t.lastIndex(of: ")"), open < close {
            name = cleanName(String(t[t.index(after: open)..<close]))
            addrPart = String(t[..<open]) + String(t[t.index(after: close)...])
        }
        let addr = addrPart.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard addr.contains("@"), !addr.contains(" ") else { return nil }
        return MailAddress(name: name, address: addr)
    }

    private static func stripRoute(_ a: String) -> String {
        // obsolete source routes: <@relay:user@host>
        if a.hasPrefix("@"), let colon = a.firstIndex(of: ":") { return String(a[a.index(after: colon)...]) }
        return a
    }

    private static func cleanName(_ raw: String) -> String? {
        var n = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if n.hasPrefix("\"") && n.hasSuffix("\"") && n.count >= 2 {
            n = String(n.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        n = EncodedWords.decode(n).trimmingCharacters(in: .whitespacesAndNewlines)
        if n.hasPrefix("\"") && n.hasSuffix("\"") && n.count >= 2 { n = String(n.dropFirst().dropLast()) }
        if n.hasPrefix("'") && n.hasSuffix("'") && n.count >= 2 { n = String(n.dropFirst().dropLast()) }
        return n.isEmpty ? nil : n
    }
}

/// Message-ID lists (`References`, `In-Reply-To`): the `<…>` tokens, without the brackets.
public enum MessageIDs {
    public static func list(_ raw: String?) -> [String] {
        guard let raw else { return [] }
        var out: [String] = []
        var current: String?
        for ch in raw {
            if ch == "<" { current = "" } else if ch == ">" {
                if let c = current?.trimmingCharacters(in: .whitespaces), !c.isEmpty { out.append(c) }
                current = nil
            } else if current != nil, !ch.isWhitespace {
                current!.append(ch)
            }
        }
        if out.isEmpty {
            let bare = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if !bare.isEmpty && !bare.contains(" ") { out.append(bare) }
        }
        return out
    }
}

/// RFC 5322 dates, with the obsolete forms (two-digit years, named zones, no weekday).
public enum MailDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6,
        "pst": -8, "pdt": -7, "cet": 1, "cest": 2, "bst": 1,
    ]

    public static func parse(_ raw: String?) -> Date? {
        guard var s = raw?.lowercased() else { return nil }
        if let comma = s.firstIndex(of: ",") { s = String(s[s.index(after: comma)...]) }
        if let paren = s.firstIndex(of: "(") { s = String(s[..<paren]) }
        let parts = s.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count >= 4 else { return nil }
        var idx = 0
        // Tolerate a leading weekday without a comma.
        if Int(parts[0]) == nil { idx = 1 }
        guard parts.count >= idx + 4, let day = Int(parts[idx]), (1...31).contains(day) else { return nil }
        guard let month = months.firstIndex(of: String(parts[idx + 1].prefix(3))) else { return nil }
        guard var year = Int(parts[idx + 2]) else { return nil }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }
        let hms = parts[idx + 3].split(separator: ":").compactMap { Int($0) }
        guard hms.count >= 2, (0...23).contains(hms[0]), (0...59).contains(hms[1]) else { return nil }
        let sec = hms.count > 2 ? min(hms[2], 60) : 0
        var offset = 0
        if parts.count > idx + 4 {
            let z = parts[idx + 4]
            if let sign = z.first, sign == "+" || sign == "-", z.count == 5, let v = Int(z.dropFirst()) {
                offset = (v / 100 * 3600 + v % 100 * 60) * (sign == "-" ? -1 : 1)
            } else if let h = zones[z] {
                offset = h * 3600
            }
        }
        var c = DateComponents()
        c.year = year; c.month = month + 1; c.day = day; c.hour = hms[0]; c.minute = hms[1]; c.second = sec
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        guard let utc = cal.date(from: c) else { return nil }
        return utc.addingTimeInterval(TimeInterval(-offset))
    }
}
