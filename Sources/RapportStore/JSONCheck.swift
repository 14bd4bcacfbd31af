import Foundation

/// A strict JSON (RFC 8259) syntax checker that says *where* a document is broken.
///
/// `JSONDecoder` reports no position, keeps the first of two duplicate keys and recurses
/// on nesting, so every file is checked here first: UTF-8, grammar, duplicate keys,
/// nesting depth (bounded, no recursion) and numbers that do not fit a Double (`1e400`).
/// It allocates nothing per value; decoding itself stays with `JSONDecoder`.
public enum JSONCheck {
    /// Deeper nesting than this is refused (the store's own files nest 4 levels).
    public static let maxDepth = 256

    public struct Failure: Error, Equatable, Sendable {
        /// Byte offset of the problem (0-based).
        public var offset: Int
        public var message: String
    }

    /// Line and column (1-based, column in bytes) of `offset`.
    public static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, lineStart = 0
        let end = min(offset, bytes.count)
        var i = 0
        while i < end {
            if bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
            i += 1
        }
        return (line, offset - lineStart + 1)
    }

    /// Checks one complete JSON document. Returns nil when it is valid.
    public static func check(_ bytes: [UInt8]) -> Failure? {
        bytes.withUnsafeBufferPointer { check($0) }
    }

    private enum State { case value, valueOrClose, keyOrClose, key, afterValue }

    private struct Key { var start: Int; var end: Int; var hash: Int; var escaped: Bool }

    public static func check(_ b: UnsafeBufferPointer<UInt8>) -> Failure? {
        let n = b.count
        if n == 0 { return Failure(offset: 0, message: "the file is empty") }
        var i = 0
        var stack: [Bool] = []  // true = object
        var frameBase: [Int] = []  // per open object: index of its first key in `keys`
        var keys: [Key] = []
        var state = State.value
        var afterComma = false

        func fail(_ at: Int, _ m: String) -> Failure { Failure(offset: at, message: m) }
        func describe(_ c: UInt8) -> String {
            switch c {
            case 0: return "NUL byte"
            case 0x20...0x7E: return "'\(Character(Unicode.Scalar(c)))'"
            default: return String(format: "byte 0x%02X", c)
            }
        }

        while true {
            while i < n, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
            if i == n {
                if state == .afterValue && stack.isEmpty { return nil }
                if stack.isEmpty && state == .value { return fail(i, "the file holds only white space") }
                return fail(i, "the file ends in the middle of the JSON (truncated?)")
            }
            let c = b[i]
            switch state {
            case .afterValue:
                if stack.isEmpty { return fail(i, "unexpected \(describe(c)) after the end of the JSON value") }
                let inObject = stack[stack.count - 1]
                if c == UInt8(ascii: ",") {
                    i += 1
                    state = inObject ? .key : .value
                    afterComma = true
                    continue
                }
                if inObject && c == UInt8(ascii: "}") {
                    keys.removeSubrange(frameBase.removeLast()...)
                    stack.removeLast()
                    i += 1
                    continue
                }
                if !inObject && c == UInt8(ascii: "]") {
                    stack.removeLast()
                    i += 1
                    continue
                }
                return fail(i, "expected ',' or '\(inObject ? "}" : "]")' but found \(describe(c))")
            case .keyOrClose, .key:
                if c == UInt8(ascii: "}") {
                    if state == .key { return fail(i, "trailing comma before '}'") }
                    frameBase.removeLast()
                    stack.removeLast()
                    i += 1
                    state = .afterValue
                    continue
                }
                guard c == UInt8(ascii: "\"") else { return fail(i, "expected a key in double quotes but found \(describe(c))") }
                let start = i
                switch scanString(b, &i) {
                case .failure(let f): return f
                case .success(let escaped):
                    var h = 5381
                    for k in (start + 1)..<(i - 1) { h = (h &* 33) &+ Int(b[k]) }
                    let key = Key(start: start + 1, end: i - 1, hash: h, escaped: escaped)
                    for other in keys[frameBase[frameBase.count - 1]...] where same(other, key, b) {
                        return fail(start, "duplicate key \(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))")
                    }
                    keys.append(key)
                }
                while i < n, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
                guard i < n else { return fail(i, "the file ends in the middle of the JSON (truncated?)") }
                guard b[i] == UInt8(ascii: ":") else { return fail(i, "expected ':' after the key but found \(describe(b[i]))") }
                i += 1
                state = .value
                afterComma = false
            case .value, .valueOrClose:
                if c == UInt8(ascii: "]") {
                    if state == .valueOrClose {
                        stack.removeLast()
                        i += 1
                        state = .afterValue
                        continue
                    }
                    return fail(i, afterComma ? "trailing comma before ']'" : "unexpected ']'")
                }
                afterComma = false
                switch c {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if stack.count >= maxDepth { return fail(i, "nesting deeper than \(maxDepth) levels") }
                    let isObject = c == UInt8(ascii: "{")
                    stack.append(isObject)
                    if isObject { frameBase.append(keys.count) }
                    i += 1
                    state = isObject ? .keyOrClose : .valueOrClose
                case UInt8(ascii: "\""):
                    if case .failure(let f) = scanString(b, &i) { return f }
                    state = .afterValue
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    if let f = scanNumber(b, &i) { return f }
                    state = .afterValue
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    let word: [UInt8] = c == UInt8(ascii: "t") ? Array("true".utf8) : c == UInt8(ascii: "f") ? Array("false".utf8) : Array("null".utf8)
                    guard i + word.count <= n, Array(b[i..<(i + word.count)]) == word else {
                        return fail(i, "unexpected \(describe(c)) (not true, false or null)")
                    }
                    i += word.count
                    state = .afterValue
                default:
                    if (c == UInt8(ascii: "N") && i + 2 < n && b[i + 1] == UInt8(ascii: "a") && b[i + 2] == UInt8(ascii: "N"))
                        || (c == UInt8(ascii: "I") && i + 2 < n && b[i + 1] == UInt8(ascii: "n") && b[i + 2] == UInt8(ascii: "f")) {
                        return fail(i, "NaN and Infinity are not JSON numbers")
                    }
                    if c == 0xEF, i + 2 < n, b[i + 1] == 0xBB, b[i + 2] == 0xBF {
                        return fail(i, "the file starts with a byte-order mark")
                    }
                    return fail(i, "unexpected \(describe(c)) where a value should be")
                }
            }
        }
    }

    private static func same(_ a: Key, _ k: Key, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if a.escaped || k.escaped { return unescaped(a, b) == unescaped(k, b) }
        guard a.hash == k.hash, a.end - a.start == k.end - k.start else { return false }
        var x = a.start, y = k.start
        while x < a.end {
            if b[x] != b[y] { return false }
            x += 1
            y += 1
        }
        return true
    }

    private static func unescaped(_ k: Key, _ b: UnsafeBufferPointer<UInt8>) -> String? {
        try? JSONDecoder().decode(String.self, from: Data(b[(k.start - 1)...k.end]))
    }

    /// Scans a string starting at the opening quote; on success `i` is past the closing
    /// quote and the result says whether it held escapes.
    private static func scanString(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Result<Bool, Failure> {
        let n = b.count
        let open = i
        i += 1
        var escaped = false
        while i < n {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                return .success(escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                guard i + 1 < n else { return .failure(Failure(offset: open, message: "a string that never ends (truncated?)")) }
                let e = b[i + 1]
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard let u = hex4(b, i + 2) else {
                        return .failure(Failure(offset: i, message: "bad \\u escape in a string"))
                    }
                    if (0xD800...0xDBFF).contains(u) {
                        guard i + 11 < n, b[i + 6] == UInt8(ascii: "\\"), b[i + 7] == UInt8(ascii: "u"),
                              let lo = hex4(b, i + 8), (0xDC00...0xDFFF).contains(lo) else {
                            return .failure(Failure(offset: i, message: "a lone UTF-16 surrogate escape in a string"))
                        }
                        i += 12
                    } else if (0xDC00...0xDFFF).contains(u) {
                        return .failure(Failure(offset: i, message: "a lone UTF-16 surrogate escape in a string"))
                    } else {
                        i += 6
                    }
                default:
                    return .failure(Failure(offset: i, message: "bad escape in a string"))
                }
            case 0..<0x20:
                return .failure(Failure(offset: i, message: c == 0 ? "a NUL byte in a string" : "a raw control character in a string (must be escaped)"))
            case 0x80...:
                let len = utf8Length(b, i)
                guard len > 0 else { return .failure(Failure(offset: i, message: "invalid UTF-8")) }
                i += len
            default:
                i += 1
            }
        }
        return .failure(Failure(offset: open, message: "a string that never ends (truncated?)"))
    }

    private static func hex4(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int? {
        guard at + 4 <= b.count else { return nil }
        var v = 0
        for k in at..<(at + 4) {
            let c = b[k]
            let d: Int
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = Int(c) - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = Int(c) - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = Int(c) - 55
            default: return nil
            }
            v = v * 16 + d
        }
        return v
    }

    /// Length of the well-formed UTF-8 sequence at `i`, or 0 when it is not well formed.
    private static func utf8Length(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let n = b.count
        let c = b[i]
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool { k < n && b[k] >= lo && b[k] <= hi }
        switch c {
        case 0xC2...0xDF: return cont(i + 1) ? 2 : 0
        case 0xE0: return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(i + 1) && cont(i + 2) ? 3 : 0
        case 0xED: return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0
        case 0xF0: return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF1...0xF3: return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF4: return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0
        default: return 0
        }
    }

    private static func scanNumber(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Failure? {
        let n = b.count
        let start = i
        func isDigit(_ k: Int) -> Bool { k < n && b[k] >= 0x30 && b[k] <= 0x39 }
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { return Failure(offset: start, message: "a '-' that is not followed by a digit") }
        if b[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { return Failure(offset: start, message: "a number with a leading zero") }
        } else {
            while isDigit(i) { i += 1 }
        }
        let intDigits = i - start
        var hasExponent = false
        if i < n, b[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { return Failure(offset: i, message: "a '.' in a number not followed by a digit") }
            while isDigit(i) { i += 1 }
        }
        if i < n, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            hasExponent = true
            i += 1
            if i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { return Failure(offset: i, message: "an exponent without digits") }
            while isDigit(i) { i += 1 }
        }
        if hasExponent || intDigits > 300 {
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
            if let d = Double(text), !d.isFinite {
                return Failure(offset: start, message: "the number \(text.prefix(40)) is out of range")
            }
        }
        return nil
    }
}
