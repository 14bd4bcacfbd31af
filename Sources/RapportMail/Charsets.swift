import Foundation

/// Bytes in a named charset to text. UTF-8 and US-ASCII through Foundation's validating
/// decoder; ISO-8859-1 through Foundation; ISO-8859-15 and Windows-1252 by table (Foundation
/// on Linux has no ISO-8859-15, and its Windows-1252 refuses the five undefined bytes).
/// Never fails: undecodable bytes become U+FFFD and `lossy` says so.
enum Charsets {
    enum Known { case utf8, latin1, latin9, cp1252, utf16 }

    static func known(_ name: String) -> Known? {
        var n = name.trimmingCharacters(in: .whitespaces).lowercased()
        if let star = n.firstIndex(of: "*") { n = String(n[..<star]) }  // RFC 2231 language suffix
        n = n.replacingOccurrences(of: "_", with: "-")
        switch n {
        case "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "646", "": return .utf8
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819", "iso-8859-1:1987": return .latin1
        case "iso-8859-15", "iso8859-15", "latin-9", "latin9", "l9": return .latin9
        case "windows-1252", "cp1252", "win-1252", "x-cp1252": return .cp1252
        case "utf-16", "utf16": return .utf16
        default: return nil
        }
    }

    /// Decodes `bytes`. Unknown charsets are read as UTF-8 when valid, else Windows-1252
    /// (what mislabelled mail nearly always is); `note` says what happened.
    static func decode(_ bytes: ArraySlice<UInt8>, charset: String?) -> (text: String, note: String?) {
        let name = charset ?? "us-ascii"
        switch known(name) {
        case .utf8?:
            if let s = String(validating: bytes, as: UTF8.self) { return (s, nil) }
            // 8-bit text labelled ASCII or UTF-8 that is not UTF-8: most often Windows-1252.
            if !bytes.contains(where: { $0 >= 0x80 }) { return (String(decoding: bytes, as: UTF8.self), nil) }
            return (cp1252(bytes), "text labelled \(name) is not valid UTF-8: read as Windows-1252")
        case .latin1?: return (latin1(bytes), nil)
        case .latin9?: return (latin9(bytes), nil)
        case .cp1252?: return (cp1252(bytes), nil)
        case .utf16?:
            if let s = String(data: Data(bytes), encoding: .utf16) { return (s, nil) }
            return (String(decoding: bytes, as: UTF8.self), "text labelled UTF-16 could not be read")
        case nil:
            if let s = String(validating: bytes, as: UTF8.self) { return (s, "unknown charset \(visible(name)): read as UTF-8") }
            return (cp1252(bytes), "unknown charset \(visible(name)): read as Windows-1252")
        }
    }

    static func latin1(_ bytes: ArraySlice<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        return String(s)
    }

    private static let latin9Diff: [UInt8: UInt32] = [
        0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D, 0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153, 0xBE: 0x0178,
    ]

    static func latin9(_ bytes: ArraySlice<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes {
            if let d = latin9Diff[b], let u = Unicode.Scalar(d) { s.append(u) } else { s.append(Unicode.Scalar(b)) }
        }
        return String(s)
    }

    /// 0x80…0x9F of Windows-1252 (0 for the five undefined bytes, read as Latin-1 controls).
    private static let cp1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    static func cp1252(_ bytes: ArraySlice<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes {
            if b >= 0x80 && b <= 0x9F, cp1252High[Int(b - 0x80)] != 0, let u = Unicode.Scalar(cp1252High[Int(b - 0x80)]) {
                s.append(u)
            } else {
                s.append(Unicode.Scalar(b))
            }
        }
        return String(s)
    }

    /// A charset name from the mail, safe to print in a report.
    static func visible(_ s: String) -> String {
        String(s.unicodeScalars.prefix(40).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    }
}
