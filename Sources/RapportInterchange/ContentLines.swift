import Foundation
import RapportCore

/// The content-line syntax vCard (RFC 6350 / 2426) and iCalendar (RFC 5545) share:
/// `group.NAME;PARAM=VALUE:value`, folded at 75 octets with CRLF + one space.
public struct ContentLine: Sendable, Equatable {
    public var group: String?
    /// Upper-cased property name.
    public var name: String
    /// Upper-cased parameter names → values (quotes removed; repeated names joined with ",").
    public var parameters: [String: String]
    /// The raw value, still escaped.
    public var value: String
    /// Line of the first physical line (1-based).
    public var line: Int

    public init(group: String? = nil, name: String, parameters: [String: String] = [:], value: String, line: Int = 0) {
        self.group = group
        self.name = name
        self.parameters = parameters
        self.value = value
        self.line = line
    }

    /// Parses one unfolded line; nil when it has no `:` or no name.
    public static func parse(_ text: String, line: Int = 0) -> ContentLine? {
        // The value starts at the first ':' outside a quoted parameter value.
        var inQuotes = false
        var colon: String.Index?
        for i in text.indices {
            let c = text[i]
            if c == "\"" { inQuotes.toggle() } else if c == ":" && !inQuotes { colon = i; break }
        }
        guard let colon else { return nil }
        let head = text[..<colon]
        let value = String(text[text.index(after: colon)...])
        var pieces: [Substring] = []
        var current = head.startIndex
        inQuotes = false
        for i in head.indices {
            if head[i] == "\"" { inQuotes.toggle() } else if head[i] == ";" && !inQuotes {
                pieces.append(head[current..<i])
                current = head.index(after: i)
            }
        }
        pieces.append(head[current...])
        var nameToken = String(pieces[0])
        var group: String?
        if let dot = nameToken.lastIndex(of: ".") {
            group = String(nameToken[..<dot])
            nameToken = String(nameToken[nameToken.index(after: dot)...])
        }
        guard !nameToken.isEmpty else { return nil }
        var params: [String: String] = [:]
        for p in pieces.dropFirst() {
            let (k, v): (String, String)
            if let eq = p.firstIndex(of: "=") {
                k = p[..<eq].uppercased()
                v = p[p.index(after: eq)...].replacingOccurrences(of: "\"", with: "")
            } else {
                // vCard 2.1 style bare parameter: `TEL;CELL:` or `;QUOTED-PRINTABLE:`.
                let bare = p.uppercased()
                if ["QUOTED-PRINTABLE", "BASE64", "B", "8BIT"].contains(bare) { (k, v) = ("ENCODING", bare) } else { (k, v) = ("TYPE", bare) }
            }
            params[k] = params[k].map { $0 + "," + v } ?? v
        }
        return ContentLine(group: group, name: nameToken.uppercased(), parameters: params, value: value, line: line)
    }

    /// The line as text (not folded): parameters in sorted order.
    public var rendered: String {
        var s = (group.map { $0 + "." } ?? "") + name
        for (k, v) in parameters.sorted(by: { $0.key < $1.key }) {
            let needsQuotes = v.contains { ":;,".contains($0) }
            s += ";\(k)=" + (needsQuotes ? "\"\(v)\"" : v)
        }
        return s + ":" + value
    }
}

public enum ContentLines {
    /// Splits into logical lines, unfolding continuation lines (CRLF or LF followed by a
    /// space or tab). Quoted-printable soft breaks (a value ending in `=`) are joined too.
    /// Returns each logical line with the physical line number it starts on.
    public static func unfold(_ text: String) -> [(line: Int, text: String)] {
        var out: [(line: Int, text: String)] = []
        // The logical line being built; appended to `out` when the next one starts, so
        // continuation lines are added to a local string (amortized constant time each).
        var current: (line: Int, text: String)?
        var currentIsQP = false
        var lineNo = 0
        var joiningQP = false
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            lineNo += 1
            var physical = raw
            if physical.first == "\u{FEFF}" { physical = physical.dropFirst() }
            if let first = physical.first, first == " " || first == "\t", current != nil {
                current!.text += physical.dropFirst()
            } else if joiningQP, current != nil {
                current!.text += physical
            } else if physical.isEmpty {
                continue
            } else {
                if let done = current { out.append(done) }
                current = (lineNo, String(physical))
                // Only the name and parameters (before the first ':') say quoted-printable.
                let head = physical.prefix { $0 != ":" }
                currentIsQP = head.uppercased().contains("QUOTED-PRINTABLE")
            }
            // A quoted-printable value continues on the next line when it ends with '='.
            joiningQP = currentIsQP && current?.text.hasSuffix("=") == true
            if joiningQP { current!.text.removeLast() }
        }
        if let done = current { out.append(done) }
        return out
    }

    /// Folds one logical line at 75 octets: CRLF + space, never splitting a UTF-8
    /// sequence (nor a grapheme cluster when it fits). The result ends with CRLF.
    public static func fold(_ line: String, limit: Int = 75) -> String {
        var out = ""
        var used = 0
        var budget = limit
        for ch in line {
            let n = ch.utf8.count
            if used + n > budget {
                if n <= limit - 1 {
                    out += "\r\n "
                    used = 0
                    budget = limit - 1
                } else {
                    // A grapheme longer than a whole line: split it at scalar boundaries.
                    for u in ch.unicodeScalars {
                        let un = String(u).utf8.count
                        if used + un > budget {
                            out += "\r\n "
                            used = 0
                            budget = limit - 1
                        }
                        out.unicodeScalars.append(u)
                        used += un
                    }
                    continue
                }
            }
            out.append(ch)
            used += n
        }
        return out + "\r\n"
    }

    /// TEXT escaping (RFC 5545 §3.3.11, RFC 6350 §3.4): backslash, semicolon, comma and
    /// line breaks; other control characters (C0 but tab, DEL, C1) and bidi controls,
    /// which the formats cannot carry, are written in their visible form (`^[`, `<U+202E>`).
    public static func escape(_ s: String) -> String {
        var out = ""
        var previousCR = false
        for u in s.unicodeScalars {
            defer { previousCR = u == "\r" }
            switch u {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousCR { out += "\\n" }
            case "\t": out.unicodeScalars.append(u)
            default:
                if ControlText.mustEscape(u.value) { out += ControlText.visibleForm(u.value); continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// Undoes `escape`: `\n`/`\N` → newline, `\\`, `\;`, `\,`, `\:` → the character.
    public static func unescape(_ s: Substring) -> String {
        var out = ""
        var escaping = false
        for c in s {
            if escaping {
                out += (c == "n" || c == "N") ? "\n" : String(c)
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        if escaping { out += "\\" }
        return out
    }

    /// Splits a structured value on unescaped `separator` and unescapes each part.
    public static func split(_ s: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var start = s.startIndex
        var escaping = false
        for i in s.indices {
            if escaping { escaping = false; continue }
            if s[i] == "\\" { escaping = true } else if s[i] == separator {
                parts.append(unescape(s[start..<i]))
                start = s.index(after: i)
            }
        }
        parts.append(unescape(s[start...]))
        return parts
    }

    /// Decodes quoted-printable text (`=C3=A9` → bytes) as UTF-8, or Latin-1 when the
    /// bytes are not UTF-8.
    public static func decodeQuotedPrintable(_ s: String, charset: String?) -> String {
        var bytes: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "="), i + 2 < u.count,
               let b = UInt8(String(decoding: u[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(b)
                i += 3
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        let cs = charset?.lowercased() ?? "utf-8"
        if cs != "iso-8859-1" && cs != "latin1" && cs != "windows-1252", let s = String(validating: bytes, as: UTF8.self) {
            return s
        }
        return TextRepair.decode(Data(bytes))
    }
}
