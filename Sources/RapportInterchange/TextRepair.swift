import Foundation

/// Turning the bytes and strings other tools write into clean text.
public enum TextRepair {
    /// Decodes a file: strips a UTF-8 BOM; UTF-8 if valid, else Windows-1252 (what
    /// spreadsheet programs write), so no input is refused for its encoding.
    public static func decode(_ data: Data) -> String {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return String(bytes.map { cp1252Scalar($0) }.map(Character.init))
    }

    // MARK: - Mojibake

    /// Windows-1252's 0x80–0x9F block (undefined bytes map to the C1 control of the same value).
    private static let cp1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    private static func cp1252Scalar(_ b: UInt8) -> Unicode.Scalar {
        if (0x80...0x9F).contains(b) { return Unicode.Scalar(cp1252High[Int(b) - 0x80])! }
        return Unicode.Scalar(b)
    }

    /// The byte a scalar stands for when UTF-8 was misread as Latin-1 / Windows-1252.
    private static func misreadByte(_ s: Unicode.Scalar) -> UInt8? {
        if s.value < 0x100 { return UInt8(s.value) }
        if let i = cp1252High.firstIndex(of: s.value) { return UInt8(0x80 + i) }
        return nil
    }

    /// True when the text holds a lead byte of a UTF-8 sequence (Â–ô) followed by what
    /// reads as a continuation byte: the fingerprint of UTF-8 read as Latin-1.
    public static func looksMisdecoded(_ s: String) -> Bool {
        var previousWasLead = false
        for u in s.unicodeScalars {
            let b = misreadByte(u)
            if previousWasLead, let b, (0x80...0xBF).contains(b) { return true }
            previousWasLead = b.map { (0xC2...0xF4).contains($0) } ?? false
        }
        return false
    }

    /// Repairs `Ã©` → `é` when that is unambiguous: the text looks misdecoded, every
    /// character maps back to one byte, the bytes are valid UTF-8, and the result does
    /// not itself look misdecoded. Otherwise the text is returned unchanged.
    public static func repairMojibake(_ s: String) -> String {
        guard looksMisdecoded(s) else { return s }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            guard let b = misreadByte(u) else { return s }
            bytes.append(b)
        }
        guard let fixed = String(validating: bytes, as: UTF8.self), !looksMisdecoded(fixed) else { return s }
        return fixed
    }

    // MARK: - HTML

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}",
        "ndash": "\u{2013}", "mdash": "\u{2014}", "hellip": "\u{2026}", "lsquo": "\u{2018}",
        "rsquo": "\u{2019}", "ldquo": "\u{201C}", "rdquo": "\u{201D}", "euro": "\u{20AC}",
        "copy": "\u{00A9}", "reg": "\u{00AE}", "trade": "\u{2122}", "bull": "\u{2022}",
    ]

    /// Decodes HTML entities (`&amp;`, `&#39;`, `&#x2019;`, …) and turns `<br>`, `</p>`
    /// and `</div>` into line breaks; other tags are removed only when the text is
    /// clearly HTML (it has a `<p>`, `<div>` or `<br>`). Unknown entities stay as written.
    public static func decodeHTML(_ s: String) -> String {
        guard s.contains("&") || s.contains("<") else { return s }
        var text = s
        if text.range(of: #"<(br|p|div)\b[^>]*>"#, options: [.regularExpression, .caseInsensitive]) != nil {
            text = text.replacingOccurrences(of: #"<br\s*/?>"#, with: "\n", options: [.regularExpression, .caseInsensitive])
            text = text.replacingOccurrences(of: #"</(p|div)>"#, with: "\n", options: [.regularExpression, .caseInsensitive])
            text = text.replacingOccurrences(of: #"<[a-zA-Z/][^>]*>"#, with: "", options: .regularExpression)
            text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard text.contains("&") else { return text }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(12).firstIndex(of: ";"), let decoded = entity(String(after[..<semi])) {
                out += decoded
                rest = after[after.index(after: semi)...]
            } else {
                out += "&"
                rest = after
            }
        }
        out += rest
        return out
    }

    private static func entity(_ name: String) -> String? {
        if name.hasPrefix("#x") || name.hasPrefix("#X") {
            return UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        if name.hasPrefix("#") {
            return UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        return namedEntities[name.lowercased()]
    }

    /// Trims, repairs mojibake, and returns nil for an empty result.
    public static func clean(_ s: String?) -> String? {
        guard let s else { return nil }
        let t = repairMojibake(s).trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }
}
