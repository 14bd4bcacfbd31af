import Foundation

/// Content-Transfer-Encoding decoders. Both are tolerant and linear: bytes that do not
/// belong are skipped (base64) or kept as they are (quoted-printable).
public enum TransferEncoding {
    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    private static let b64: [Int8] = {
        var t = [Int8](repeating: -1, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { t[Int(c)] = Int8(i) }
        t[Int(UInt8(ascii: "-"))] = 62  // base64url, seen in broken mail
        t[Int(UInt8(ascii: "_"))] = 63
        return t
    }()

    /// Base64, ignoring line breaks and any byte outside the alphabet; stops at `=`.
    public static func base64<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3 / 4)
        var acc: UInt32 = 0, n = 0
        for c in bytes {
            if c == 0x3D { break }
            let v = b64[Int(c)]
            if v < 0 { continue }
            acc = acc << 6 | UInt32(v)
            n += 1
            if n == 4 {
                out.append(UInt8(acc >> 16 & 0xFF)); out.append(UInt8(acc >> 8 & 0xFF)); out.append(UInt8(acc & 0xFF))
                acc = 0; n = 0
            }
        }
        if n == 2 { out.append(UInt8(acc >> 4 & 0xFF)) }
        if n == 3 { out.append(UInt8(acc >> 10 & 0xFF)); out.append(UInt8(acc >> 2 & 0xFF)) }
        return out
    }

    /// Quoted-printable (RFC 2045 section 6.7): `=XX`, soft line breaks `=` at a line's
    /// end, trailing white space on a line dropped. A stray `=` is kept as it is.
    public static func quotedPrintable(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        let end = bytes.endIndex
        var lineStart = out.count
        while i < end {
            let c = bytes[i]
            if c == 0x3D {
                // soft break: "=" then optional white space then LF / CRLF
                var j = i + 1
                while j < end && (bytes[j] == 0x20 || bytes[j] == 0x09) { j += 1 }
                if j < end && bytes[j] == 0x0D { j += 1 }
                if j < end && bytes[j] == 0x0A { i = j + 1; continue }
                if j == end { i = j; continue }
                if i + 2 < end, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                out.append(c)
                i += 1
                continue
            }
            if c == 0x0A {
                // trailing white space before a hard break was added in transport
                var k = out.count
                while k > lineStart && (out[k - 1] == 0x20 || out[k - 1] == 0x09 || out[k - 1] == 0x0D) { k -= 1 }
                out.removeSubrange(k...)
                out.append(0x0A)
                lineStart = out.count
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }
}

/// `type/subtype; key=value; key="quoted value"`, with RFC 2231 `key*=charset''%XX` and
/// continuations (`key*0`, `key*1*`).
public struct ContentType: Sendable, Equatable {
    public var type: String
    public var subtype: String
    public var params: [String: String]

    public var mime: String { "\(type)/\(subtype)" }

    public init(type: String, subtype: String, params: [String: String] = [:]) {
        self.type = type
        self.subtype = subtype
        self.params = params
    }

    /// Parses a Content-Type (or Content-Disposition, with `type` only) value.
    public static func parse(_ raw: String?, default def: ContentType = ContentType(type: "text", subtype: "plain")) -> ContentType {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return def }
        let items = splitParams(raw)
        guard let head = items.first else { return def }
        let ts = head.lowercased().trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1)
        var ct = ContentType(type: ts.first.map(String.init) ?? def.type, subtype: ts.count > 1 ? String(ts[1]).trimmingCharacters(in: .whitespaces) : "")
        if ts.count < 2 || ct.type.isEmpty { ct = ContentType(type: def.type, subtype: def.subtype) }
        var continued: [String: [(Int, String, Bool)]] = [:]
        for item in items.dropFirst() {
            guard let eq = item.firstIndex(of: "=") else { continue }
            var key = item[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var value = item[item.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            var extended = false
            if key.hasSuffix("*") { extended = true; key.removeLast() }
            if let star = key.firstIndex(of: "*"), let n = Int(key[key.index(after: star)...]) {
                continued[String(key[..<star]), default: []].append((n, value, extended))
                continue
            }
            ct.params[key] = extended ? rfc2231(value, first: true) : EncodedWords.decode(value)
        }
        for (key, pieces) in continued {
            let sorted = pieces.sorted { $0.0 < $1.0 }
            ct.params[key] = sorted.map { p in p.2 ? rfc2231(p.1, first: p.0 == 0) : p.1 }.joined()
        }
        return ct
    }

    static func splitParams(_ raw: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var inQuote = false
        for ch in raw {
            if ch == "\"" { inQuote.toggle() }
            if ch == ";" && !inQuote { out.append(cur); cur = ""; continue }
            cur.append(ch)
        }
        out.append(cur)
        return out.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty || out.first == $0 }
    }

    /// `utf-8'en'%E2%82%AC` → "€".
    static func rfc2231(_ v: String, first: Bool) -> String {
        var charset = "us-ascii"
        var body = Substring(v)
        if first {
            let parts = v.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count == 3 { charset = String(parts[0]); body = parts[2] }
        }
        var bytes: [UInt8] = []
        let u = Array(body.utf8)
        var i = 0
        while i < u.count {
            if u[i] == 0x25, i + 2 < u.count, let h = TransferEncoding.hex(u[i + 1]), let l = TransferEncoding.hex(u[i + 2]) {
                bytes.append(h << 4 | l); i += 3
            } else { bytes.append(u[i]); i += 1 }
        }
        return Charsets.decode(bytes[...], charset: charset).text
    }
}

/// One MIME entity: its headers, content type, and either decoded content or children.
public struct MIMEPart: Sendable {
    public var headers: Headers
    public var contentType: ContentType
    /// Content after the transfer encoding is undone (empty for multiparts).
    public var content: [UInt8]
    public var children: [MIMEPart]

    public var isAttachment: Bool {
        (headers.raw("Content-Disposition")?.lowercased().trimmingCharacters(in: .whitespaces).hasPrefix("attachment")) ?? false
    }

    public var charset: String? { contentType.params["charset"] }

    /// The content as text in its charset.
    public func text(problems: inout [String]) -> String {
        let r = Charsets.decode(content[...], charset: charset)
        if let n = r.note { problems.append(n) }
        return r.text
    }
}

enum MIMEParser {
    static let maxDepth = 16
    static let maxParts = 500

    /// Splits `bytes[range]` at its first blank line into headers and body.
    static func headerEnd(_ bytes: [UInt8], _ range: Range<Int>) -> (headers: Range<Int>, body: Range<Int>) {
        var i = range.lowerBound
        // A part that starts with a blank line has no headers.
        if i < range.upperBound && bytes[i] == 0x0A { return (i..<i, (i + 1)..<range.upperBound) }
        if i + 1 < range.upperBound && bytes[i] == 0x0D && bytes[i + 1] == 0x0A { return (i..<i, (i + 2)..<range.upperBound) }
        while i < range.upperBound {
            if bytes[i] == 0x0A {
                var j = i + 1
                if j < range.upperBound && bytes[j] == 0x0D { j += 1 }
                if j < range.upperBound && bytes[j] == 0x0A { return (range.lowerBound..<i, (j + 1)..<range.upperBound) }
                if j == range.upperBound { return (range.lowerBound..<i, range.upperBound..<range.upperBound) }
            }
            i += 1
        }
        return (range, range.upperBound..<range.upperBound)
    }

    static func parse(_ bytes: [UInt8], _ range: Range<Int>, depth: Int, count: inout Int, problems: inout [String],
                      defaultType: ContentType = ContentType(type: "text", subtype: "plain")) -> MIMEPart {
        count += 1
        let split = headerEnd(bytes, range)
        let headers = Headers.parse(bytes, split.headers, problems: &problems)
        let ct = ContentType.parse(headers.raw("Content-Type"), default: defaultType)
        var part = MIMEPart(headers: headers, contentType: ct, content: [], children: [])
        if ct.type == "multipart" {
            guard let boundary = ct.params["boundary"], !boundary.isEmpty else {
                problems.append("a multipart part has no boundary: read as plain text")
                part.contentType = ContentType(type: "text", subtype: "plain", params: ct.params)
                part.content = Array(bytes[split.body])
                return part
            }
            if depth >= maxDepth {
                problems.append("MIME parts nested deeper than \(maxDepth) skipped")
                return part
            }
            let childDefault = ct.subtype == "digest" ? ContentType(type: "message", subtype: "rfc822") : ContentType(type: "text", subtype: "plain")
            let pieces = splitMultipart(bytes, split.body, boundary: boundary, problems: &problems)
            for piece in pieces {
                if count >= maxParts {
                    problems.append("more than \(maxParts) MIME parts: the rest skipped")
                    break
                }
                part.children.append(parse(bytes, piece, depth: depth + 1, count: &count, problems: &problems, defaultType: childDefault))
            }
            return part
        }
        let body = bytes[split.body]
        let cte = headers.raw("Content-Transfer-Encoding")?.lowercased().trimmingCharacters(in: .whitespaces) ?? "7bit"
        switch cte {
        case "base64": part.content = TransferEncoding.base64(body)
        case "quoted-printable": part.content = TransferEncoding.quotedPrintable(body)
        case "7bit", "8bit", "binary", "": part.content = Array(body)
        default:
            problems.append("unknown transfer encoding \(Charsets.visible(cte)): read as it is")
            part.content = Array(body)
        }
        return part
    }

    /// The byte ranges between `--boundary` lines. A missing closing boundary is reported
    /// and the last part runs to the end.
    static func splitMultipart(_ bytes: [UInt8], _ range: Range<Int>, boundary: String, problems: inout [String]) -> [Range<Int>] {
        let delim = Array("--".utf8) + Array(boundary.utf8)
        var out: [Range<Int>] = []
        var partStart: Int?
        var closed = false
        var i = range.lowerBound
        while i < range.upperBound {
            var end = i
            while end < range.upperBound && bytes[end] != 0x0A { end += 1 }
            if end - i >= delim.count && bytes[i] == 0x2D && bytes[i + 1] == 0x2D && bytes[i..<(i + delim.count)].elementsEqual(delim) {
                var rest = i + delim.count
                let isClose = rest + 1 < end && bytes[rest] == 0x2D && bytes[rest + 1] == 0x2D
                if isClose { rest += 2 }
                // only white space may follow the delimiter on its line
                var onlySpace = true
                var k = rest
                while k < end { if bytes[k] != 0x20 && bytes[k] != 0x09 && bytes[k] != 0x0D { onlySpace = false; break }; k += 1 }
                if onlySpace {
                    if let s = partStart {
                        // the line break before the delimiter belongs to it
                        var e = i
                        if e > s && bytes[e - 1] == 0x0A { e -= 1 }
                        if e > s && bytes[e - 1] == 0x0D { e -= 1 }
                        out.append(s..<max(s, e))
                    }
                    if isClose { closed = true; partStart = nil; break }
                    partStart = min(end + 1, range.upperBound)
                    i = end + 1
                    continue
                }
            }
            i = end + 1
        }
        if !closed {
            if let s = partStart {
                problems.append("a multipart has no closing boundary: read to the end")
                out.append(s..<range.upperBound)
            } else if out.isEmpty {
                problems.append("a multipart's boundary never appears: its parts were skipped")
            }
        }
        return out
    }
}
