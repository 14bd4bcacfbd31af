import Foundation

/// A decoding failure in the user's words: which record, which field, which value and
/// what was expected ("recruiter 3 (Dana Smith): kind 'spy' is not agency, in-house or
/// independent"), and for a JSON syntax error the line and column. Never a Swift type name.
public enum DecodingText {
    /// `error` from decoding `data` (the whole document the decoder was given).
    public static func describe(_ error: any Error, in data: Data) -> String {
        guard let e = error as? DecodingError else {
            if let r = error as? RapportError { return r.description }
            return "\(error)"
        }
        switch e {
        case .dataCorrupted(let c):
            if c.codingPath.isEmpty {
                // Not JSON at all, or a syntax error: where.
                if let (line, column) = syntaxPosition(data) {
                    return "line \(line), column \(column): not valid JSON"
                }
                return "not valid JSON"
            }
            let value = rendered(lookUp(c.codingPath, in: data))
            return "\(place(c.codingPath, data)) \(value) is not \(expected(c))"
        case .keyNotFound(let key, let c):
            let where_ = c.codingPath.isEmpty ? "" : place(c.codingPath, data, field: false) + ": "
            return "\(where_)the field \"\(key.stringValue)\" is missing"
        case .typeMismatch(let type, let c):
            let value = rendered(lookUp(c.codingPath, in: data))
            return "\(place(c.codingPath, data)) \(value) is not \(typeName(type))"
        case .valueNotFound(let type, let c):
            return "\(place(c.codingPath, data)) is null where \(typeName(type)) is expected"
        @unknown default:
            return "the data does not match what Rapport expects"
        }
    }

    /// Record-level words for a top-level collection key.
    private static let recordNames: [String: String] = [
        "recruiters": "recruiter", "messages": "message", "opportunities": "opportunity",
        "followUps": "follow-up", "expectations": "expectation",
    ]

    /// "recruiter 3 (Dana Smith): kind" (or, with `field: false`, just the record part).
    static func place(_ path: [any CodingKey], _ data: Data, field: Bool = true) -> String {
        var parts: [String] = []
        var i = 0
        var fieldKeys: [String] = []
        while i < path.count {
            let k = path[i]
            if k.intValue == nil, let record = recordNames[k.stringValue], i + 1 < path.count, let n = path[i + 1].intValue {
                var text = "\(record) \(n + 1)"
                if let name = lookUp(Array(path[...(i + 1)]), in: data) as? [String: Any],
                   let label = (name["name"] ?? name["subject"]) as? String, !label.isEmpty {
                    text += " (\(label.prefix(60)))"
                }
                parts.append(text)
                fieldKeys = []
                i += 2
                continue
            }
            if let n = k.intValue { fieldKeys.append("item \(n + 1)") } else if !k.stringValue.hasPrefix("_") {
                fieldKeys.append(k.stringValue)
            }
            i += 1
        }
        let fieldText = fieldKeys.joined(separator: " ")
        if !field || fieldText.isEmpty { return parts.joined(separator: ": ") }
        return (parts + [fieldText]).joined(separator: ": ")
    }

    /// What the field had to be, from the decoder's own note.
    private static func expected(_ c: DecodingError.Context) -> String {
        let d = c.debugDescription
        if let r = d.range(of: "Cannot initialize "), let from = d.range(of: " from invalid", range: r.upperBound..<d.endIndex) {
            let type = String(d[r.upperBound..<from.lowerBound])
            if let values = allowedValues[type] { return oneOf(values) }
            return "one of the allowed values"
        }
        if d.contains("UUID") { return "an id (a UUID such as 6f1c2d3e-…)" }
        if d.lowercased().contains("date") { return "a date and time (ISO 8601, e.g. 2026-03-09T10:00:00Z)" }
        if d.lowercased().contains("url") { return "a web address" }
        return "a value Rapport can read"
    }

    /// The raw values of the store's enumerations, by type name.
    private static let allowedValues: [String: [String]] = [
        "RecruiterKind": RecruiterKind.allCases.map(\.rawValue),
        "Targeting": Targeting.allCases.map(\.rawValue),
        "RelationshipStatus": RelationshipStatus.allCases.map(\.rawValue),
        "Direction": Direction.allCases.map(\.rawValue),
        "Channel": Channel.allCases.map(\.rawValue),
        "Stage": Stage.allCases.map(\.rawValue),
        "ChecklistItem": ChecklistItem.allCases.map(\.rawValue),
        "RecruiterField": RecruiterField.allCases.map(\.rawValue),
        "Flag": Flag.allCases.map(\.rawValue),
        "Turn": Turn.allCases.map(\.rawValue),
        "DeadlineKind": DeadlineKind.allCases.map(\.rawValue),
    ]

    /// "agency, in-house or independent".
    static func oneOf(_ values: [String]) -> String {
        guard values.count > 1 else { return values.first ?? "" }
        return values.dropLast().joined(separator: ", ") + " or " + values.last!
    }

    private static func typeName(_ t: Any.Type) -> String {
        switch t {
        case is String.Type: return "text"
        case is Int.Type, is Double.Type, is Int64.Type, is Int32.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is Date.Type: return "a date and time (ISO 8601)"
        case is UUID.Type: return "an id (a UUID)"
        default:
            let n = "\(t)"
            if n.hasPrefix("Array") || n.hasPrefix("Set") { return "a list" }
            if let values = allowedValues[n] { return oneOf(values) }
            return "an object"
        }
    }

    /// The JSON value at `path`, or nil.
    static func lookUp(_ path: [any CodingKey], in data: Data) -> Any? {
        guard var node = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        for k in path {
            if let i = k.intValue, let a = node as? [Any] {
                guard i < a.count else { return nil }
                node = a[i]
            } else if let o = node as? [String: Any], let v = o[k.stringValue] {
                node = v
            } else {
                return nil
            }
        }
        return node
    }

    /// A value as the user wrote it: 'spy', 42, true, null, a list, an object.
    static func rendered(_ value: Any?) -> String {
        switch value {
        case let s as String: return "'\(s.count > 80 ? s.prefix(80) + "…" : s)'"
        case let n as NSNumber: return n.stringValue
        case is NSNull: return "null"
        case is [Any]: return "a list"
        case is [String: Any]: return "an object"
        default: return "the value"
        }
    }

    /// Line and column (1-based) of the first byte where `data` stops being valid JSON.
    public static func syntaxPosition(_ data: Data) -> (line: Int, column: Int)? {
        guard let offset = JSONSyntax.firstError(in: [UInt8](data)) else { return nil }
        var line = 1, column = 1, i = 0
        for b in data {
            if i == offset { break }
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }
}

/// A minimal JSON syntax walker, used only to place an error (the decoder already refused).
enum JSONSyntax {
    static func firstError(in b: [UInt8]) -> Int? {
        var i = 0
        func ws() { while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }
        func lit(_ s: String) -> Bool {
            for u in s.utf8 { guard i < b.count, b[i] == u else { return false }; i += 1 }
            return true
        }
        func string() -> Bool {
            guard i < b.count, b[i] == 0x22 else { return false }
            i += 1
            while i < b.count {
                let c = b[i]
                if c == 0x22 { i += 1; return true }
                if c < 0x20 { return false }
                if c == 0x5C {
                    i += 1
                    guard i < b.count else { return false }
                    if b[i] == UInt8(ascii: "u") {
                        for _ in 0..<4 {
                            i += 1
                            guard i < b.count, (b[i] >= 0x30 && b[i] <= 0x39) || (b[i] | 0x20 >= 0x61 && b[i] | 0x20 <= 0x66) else { return false }
                        }
                    } else if !"\"\\/bfnrt".utf8.contains(b[i]) { return false }
                }
                i += 1
            }
            return false
        }
        func number() -> Bool {
            let start = i
            if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
            while i < b.count, (b[i] >= 0x30 && b[i] <= 0x39) || ".eE+-".utf8.contains(b[i]) { i += 1 }
            return i > start
        }
        func value(_ depth: Int) -> Bool {
            guard depth < 512 else { return false }
            ws()
            guard i < b.count else { return false }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1; ws()
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return true }
                while true {
                    ws()
                    guard string() else { return false }
                    ws()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
                    i += 1
                    guard value(depth + 1) else { return false }
                    ws()
                    guard i < b.count else { return false }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return true }
                    return false
                }
            case UInt8(ascii: "["):
                i += 1; ws()
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return true }
                while true {
                    guard value(depth + 1) else { return false }
                    ws()
                    guard i < b.count else { return false }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return true }
                    return false
                }
            case 0x22: return string()
            case UInt8(ascii: "t"): return lit("true")
            case UInt8(ascii: "f"): return lit("false")
            case UInt8(ascii: "n"): return lit("null")
            default: return number()
            }
        }
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        if !value(0) { return min(i, max(b.count - 1, 0)) }
        ws()
        return i < b.count ? i : nil
    }
}
