import Foundation

/// Control characters that must never reach a terminal (or a spreadsheet) raw: C0 (but
/// tab, CR and LF, which formats use as structure), DEL, C1 and the bidirectional
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069).
public enum ControlText {
    public static func isBidiControl(_ v: UInt32) -> Bool { (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) }

    /// True for a scalar that must be escaped: C0 except tab/CR/LF, DEL, C1, bidi controls.
    public static func mustEscape(_ v: UInt32) -> Bool {
        (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || (0x7F...0x9F).contains(v) || isBidiControl(v)
    }

    /// The visible form of one such scalar: `^[` for ESC, `^?` for DEL, `<9B>` for a C1
    /// control, `<U+202E>` for a bidi control (the forms the terminal views use).
    public static func visibleForm(_ v: UInt32) -> String {
        switch v {
        case 0..<0x20: return "^" + String(Unicode.Scalar(UInt8(v) + 0x40))
        case 0x7F: return "^?"
        case 0x80...0x9F: return "<" + String(v, radix: 16, uppercase: true) + ">"
        default: return "<U+" + String(v, radix: 16, uppercase: true) + ">"
        }
    }

    /// `s` with every scalar `mustEscape` names in its visible form; tab, CR and LF kept.
    public static func visible(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { mustEscape($0.value) }) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            if mustEscape(u.value) { out += visibleForm(u.value) } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// JSON text (UTF-8) with DEL, C1 and bidi controls written as `\uXXXX` escapes: the
    /// same data for a JSON reader, no raw control byte for a terminal. (JSONEncoder
    /// already escapes C0.) These characters can only occur inside JSON strings.
    public static func escapingJSON(_ data: Data) -> Data {
        guard let text = String(data: data, encoding: .utf8),
              text.unicodeScalars.contains(where: { mustEscape($0.value) }) else { return data }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 16)
        for u in text.unicodeScalars {
            if mustEscape(u.value) {
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return Data(out.utf8)
    }
}
