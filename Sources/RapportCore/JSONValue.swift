import Foundation

/// Any JSON value, kept verbatim. Used to carry fields this build does not know
/// through a load/save round trip unchanged.
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    /// The number's text. Integers (64-bit) and decimals up to 38 significant digits keep
    /// their exact value; through `JSONDecoder` the text is normalised (`1.50` → `1.5`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .number(String(i))
        } else if let u = try? c.decode(UInt64.self) {
            self = .number(String(u))
        } else if let d = try? c.decode(Decimal.self), d.isFinite {
            self = .number(d.description)
        } else if let d = try? c.decode(Double.self) {
            guard d.isFinite else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "number out of range")
            }
            self = .number(d.description)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value. A number whose text is not a finite JSON number throws rather
    /// than writing invalid JSON (or silently turning into a string).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            guard JSONValue.isJSONNumber(n) else {
                throw EncodingError.invalidValue(n, .init(codingPath: c.codingPath, debugDescription: "'\(n)' is not a JSON number"))
            }
            if let i = Int64(n) {
                try c.encode(i)
            } else if let u = UInt64(n) {
                try c.encode(u)
            } else if let d = Decimal(string: n, locale: Locale(identifier: "en_US_POSIX")), d.isFinite,
                      JSONValue.significantDigits(n) <= 38, let dd = Double(n), dd.isFinite, abs(dd) < 1e100 {
                try c.encode(d)
            } else if let d = Double(n), d.isFinite {
                try c.encode(d)
            } else {
                throw EncodingError.invalidValue(n, .init(codingPath: c.codingPath, debugDescription: "the number \(n) is out of range"))
            }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// True when `text` is a number by the JSON grammar (RFC 8259 §6).
    public static func isJSONNumber(_ text: String) -> Bool {
        let b = Array(text.utf8)
        var i = 0
        func digits() -> Int {
            let s = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            return i - s
        }
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            if digits() == 0 { return false }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            if digits() == 0 { return false }
        }
        return i == b.count
    }

    private static func significantDigits(_ text: String) -> Int {
        let mantissa = text.split(whereSeparator: { $0 == "e" || $0 == "E" }).first ?? ""
        let ds = mantissa.filter(\.isNumber).drop { $0 == "0" }
        return ds.count
    }
}
