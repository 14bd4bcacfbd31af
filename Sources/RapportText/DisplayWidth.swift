/// Display width of text in terminal columns, over grapheme clusters (Swift `Character`),
/// never `String.count`. Pure and table-driven, so tests and views agree on every platform.
///
/// - East Asian wide and fullwidth characters (CJK, Hangul, kana) take 2 columns.
/// - Emoji take 2 columns, including ZWJ sequences, flags (a pair of regional
///   indicators) and skin-tone modifiers. A text symbol turned emoji by U+FE0F alone
///   (❤️, keycaps) keeps its base's width, 1, as wcwidth and tmux count it.
/// - Combining marks, format characters (ZWJ, ZWSP, bidi controls) and variation
///   selectors take 0 columns; they ride on the character before them. Spacing marks
///   (Devanagari vowel signs, category Mc) take a column each, as in wcswidth, so a
///   cluster may be 3 columns or more.
/// - Control characters must be made visible first (`Text.visible`); raw, they count 0.
public enum DisplayWidth {
    /// Columns taken by one grapheme cluster.
    public static func of(_ c: Character) -> Int {
        let scalars = c.unicodeScalars
        var it = scalars.makeIterator()
        guard let first = it.next() else { return 0 }
        if it.next() == nil { return of(first) }
        var sum = 0
        var emojiSequence = false, joined = false
        for s in scalars {
            sum += of(s)
            if s.value == 0x200D || isSkinTone(s) { joined = true }
            if s.value == 0xFE0F || s.value == 0x200D || isSkinTone(s) { emojiSequence = true }
        }
        // A text symbol turned emoji by VS16 alone (❤️, ✔️, the keycap 1️⃣) keeps the
        // width of its base, as wcwidth, tmux, xterm and VTE place it: the selector does
        // not widen it. (Some terminals draw it two columns wide; the columns follow the
        // terminal's count, which is what keeps the cells after it in place.)
        if emojiSequence && !joined && first.properties.isEmoji && of(first) == 1 { return sum }
        // A ZWJ sequence, a skin-tone modifier or a flag shows as one wide glyph.
        if emojiSequence && first.properties.isEmoji { return 2 }
        if isRegionalIndicator(first) { return 2 }
        // Otherwise the columns of the scalars, as terminals count them (wcswidth):
        // combining marks add nothing, spacing marks (Devanagari vowel signs) add one.
        return sum
    }

    /// Columns taken by one scalar on its own.
    public static func of(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        // A simple scalar's width needs no property (tested to agree with what follows).
        let simple = simpleWidth(v)
        if simple > 0 { return simple }
        return ofByProperties(s)
    }

    /// `of(_:)` for one scalar through its Unicode properties (what the simple ranges'
    /// answer is tested against).
    static func ofByProperties(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control:
            return 0
        default: break
        }
        if (0xFE00...0xFE0F).contains(v) || (0xE0100...0xE01EF).contains(v) { return 0 }
        if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 } // Hangul jamo medial/final
        if isWide(v) { return 2 }
        if s.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Columns taken by a string (after making controls visible, if the caller did).
    public static func of(_ text: String) -> Int { ofText(text) }

    /// Columns taken by a substring or other string type.
    public static func of(_ text: some StringProtocol) -> Int { ofText(text) }

    static func ofText(_ text: some StringProtocol) -> Int {
        if isPrintableASCII(text) { return text.utf8.count }
        return simpleColumns(text) ?? ofGraphemes(text)
    }

    /// The columns of `s` when it is a "simple" scalar, else 0. A simple scalar is always
    /// a grapheme of its own (no combining mark, joiner, selector, modifier, regional
    /// indicator, Hangul jamo or prepended mark is one, and none joins with its neighbours
    /// unless one of those is there), needs no making visible (no control, no bidi control)
    /// and takes 1 or 2 columns. Text made only of simple scalars is measured, cut,
    /// wrapped and drawn scalar by scalar, with the same result as grapheme by grapheme
    /// and at a fraction of the cost: Latin (Vietnamese too), Greek, Cyrillic, Hebrew and
    /// Arabic letters, punctuation (— … “ ”),
    /// arrows, box drawing, symbols (› ✓), kana, CJK, Hangul syllables, fullwidth forms
    /// and most emoji.
    ///
    /// No Unicode property is looked up: in the simple ranges a scalar is 2 columns
    /// exactly when it is East Asian wide (every emoji-presentation scalar there is), else
    /// 1, which a test checks against `of(_:)` for every scalar of those ranges.
    @inline(__always)
    public static func simpleWidth(_ s: Unicode.Scalar) -> Int { simpleWidth(s.value) }

    /// `simpleWidth` of a scalar value.
    @inline(__always)
    static func simpleWidth(_ v: UInt32) -> Int {
        if v < 0x7F { return v >= 0x20 ? 1 : 0 }
        if v < 0xA0 { return 0 }
        if v < 0x300 { return 1 }
        guard isSimpleRange(v) else { return 0 }
        return isWide(v) ? 2 : 1
    }

    /// `simpleWidth` through `of(_:)` (the reference the table-free answer is tested against).
    static func simpleWidthReference(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v < 0x7F { return v >= 0x20 ? 1 : 0 }
        if v < 0xA0 { return 0 }
        if v < 0x300 { return 1 }
        guard isSimpleRange(v) else { return 0 }
        return ofByProperties(s)
    }

    static func isSimpleRange(_ v: UInt32) -> Bool {
        switch v {
        case 0x370...0x482, 0x48A...0x52F,                      // Greek, Cyrillic (not its combining marks)
             0x5D0...0x5EA, 0x5EF...0x5F2,                       // Hebrew letters (not its points)
             0x620...0x64A, 0x660...0x66F, 0x671...0x6D3,        // Arabic letters and digits (not its marks)
             0x1E00...0x1EFF,                                    // Latin extended additional (Vietnamese)
             0x2010...0x2027, 0x2030...0x205E,                   // punctuation (not the separators, bidi and format controls)
             0x20A0...0x20C0, 0x2100...0x218B,                   // currency, letterlike, number forms
             0x2190...0x23FF, 0x2460...0x27BF, 0x27C0...0x2BFF, // arrows, technical, enclosed, box drawing, shapes, symbols, dingbats
             0x3000...0x3029, 0x3030...0x303F,                   // CJK punctuation (not its tone marks)
             0x3041...0x3096, 0x309B...0x30FF,                   // kana (not the voicing marks)
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3,  // CJK ideographs, Hangul syllables
             0xFF01...0xFF60, 0xFFE0...0xFFE6,                   // fullwidth forms
             0x1F300...0x1F3FA, 0x1F400...0x1F64F, 0x1F680...0x1F6FF, 0x1F900...0x1F9FF:  // emoji (not the skin tones)
            return true
        default:
            return false
        }
    }

    /// Whether every scalar of `text` is simple (`simpleWidth` > 0).
    public static func isSimple(_ text: String) -> Bool { isSimpleText(text) }

    /// Whether every scalar of `text` is simple (`simpleWidth` > 0).
    public static func isSimple(_ text: some StringProtocol) -> Bool { isSimpleText(text) }

    static func isSimpleText(_ text: some StringProtocol) -> Bool {
        if isPrintableASCII(text) { return true }
        return simpleColumns(text) != nil
    }

    /// The columns of `text` when every scalar of it is simple, else nil: read from its
    /// UTF-8 when that is contiguous (a native string or substring), else scalar by scalar.
    static func simpleColumns(_ text: some StringProtocol) -> Int? {
        if let columns = text.utf8.withContiguousStorageIfAvailable({ simpleColumns($0) }) { return columns }
        var w = 0
        for s in text.unicodeScalars {
            let sw = simpleWidth(s)
            if sw == 0 { return nil }
            w += sw
        }
        return w
    }

    static func simpleColumns(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0, w = 0
        while i < bytes.count {
            let (v, len) = scalar(bytes, i)
            let sw = simpleWidth(v)
            if sw == 0 { return nil }
            w += sw
            i += len
        }
        return w
    }

    /// The scalar at byte `i` of valid UTF-8, and its length in bytes.
    @inline(__always)
    static func scalar(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(b[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F), 3) }
        return ((b0 & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6 | UInt32(b[i + 3] & 0x3F), 4)
    }

    /// `of(_:)` grapheme by grapheme, whatever the text (the fast path's reference).
    static func ofGraphemes(_ text: some StringProtocol) -> Int {
        var w = 0
        for c in text { w += of(c) }
        return w
    }

    /// Whether every byte of `text` is printable ASCII (space to tilde): then each byte
    /// is one grapheme of one column, nothing needs making visible, and the text helpers
    /// and `CellBuffer` go byte by byte instead of grapheme by grapheme.
    public static func isPrintableASCII(_ text: some StringProtocol) -> Bool {
        if let all = text.utf8.withContiguousStorageIfAvailable({ bytes in
            bytes.allSatisfy { $0 &- 0x20 < 0x5F }
        }) { return all }
        return text.utf8.allSatisfy { $0 &- 0x20 < 0x5F }
    }

    public static func isRegionalIndicator(_ s: Unicode.Scalar) -> Bool { (0x1F1E6...0x1F1FF).contains(s.value) }
    public static func isSkinTone(_ s: Unicode.Scalar) -> Bool { (0x1F3FB...0x1F3FF).contains(s.value) }

    /// East Asian Wide (W) and Fullwidth (F) ranges, as wcwidth uses them: each range's
    /// first and last scalar, in order (plain integers, so the table costs nothing to make).
    static let wideRanges: [UInt32] = [
        0x1100, 0x115F, 0x231A, 0x231B, 0x2329, 0x232A, 0x23E9, 0x23EC, 0x23F0, 0x23F0,
        0x23F3, 0x23F3, 0x25FD, 0x25FE, 0x2614, 0x2615, 0x2648, 0x2653, 0x267F, 0x267F,
        0x2693, 0x2693, 0x26A1, 0x26A1, 0x26AA, 0x26AB, 0x26BD, 0x26BE, 0x26C4, 0x26C5,
        0x26CE, 0x26CE, 0x26D4, 0x26D4, 0x26EA, 0x26EA, 0x26F2, 0x26F3, 0x26F5, 0x26F5,
        0x26FA, 0x26FA, 0x26FD, 0x26FD, 0x2705, 0x2705, 0x270A, 0x270B, 0x2728, 0x2728,
        0x274C, 0x274C, 0x274E, 0x274E, 0x2753, 0x2755, 0x2757, 0x2757, 0x2795, 0x2797,
        0x27B0, 0x27B0, 0x27BF, 0x27BF, 0x2B1B, 0x2B1C, 0x2B50, 0x2B50, 0x2B55, 0x2B55,
        0x2E80, 0x303E, 0x3041, 0x33FF, 0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xA000, 0xA4CF,
        0xA960, 0xA97F, 0xAC00, 0xD7A3, 0xF900, 0xFAFF, 0xFE10, 0xFE19, 0xFE30, 0xFE6F,
        0xFF00, 0xFF60, 0xFFE0, 0xFFE6, 0x16FE0, 0x16FE4, 0x17000, 0x18CFF, 0x1B000, 0x1B2FF,
        0x1F004, 0x1F004, 0x1F0CF, 0x1F0CF, 0x1F18E, 0x1F18E, 0x1F191, 0x1F19A, 0x1F200, 0x1F251,
        0x1F300, 0x1F64F, 0x1F680, 0x1F6FF, 0x1F7E0, 0x1F7EB, 0x1F90C, 0x1F9FF, 0x1FA70, 0x1FAFF,
        0x20000, 0x2FFFD, 0x30000, 0x3FFFD,
    ]

    static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        var lo = 0, hi = wideRanges.count / 2 - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < wideRanges[2 * mid] { hi = mid - 1 } else if v > wideRanges[2 * mid + 1] { lo = mid + 1 } else { return true }
        }
        return false
    }
}

/// Text helpers that keep columns right: visible controls, truncation and wrapping by
/// display width, never splitting a grapheme.
public enum Text {
    /// Replaces control characters with a visible form so they never reach the
    /// terminal raw: C0 as caret notation (`^[` for ESC, `^A`…), DEL as `^?`, C1 as
    /// `<85>`-style hex, a tab as one space. Newlines become `⏎` (callers that want
    /// line breaks split first). Bidi overrides and isolates (U+202A–U+202E,
    /// U+2066–U+2069) show as `<U+202E>`.
    public static func visible(_ text: String) -> String { visibleText(text) }

    /// `visible` for a substring or other string type.
    public static func visible(_ text: some StringProtocol) -> String { visibleText(text) }

    static func visibleText(_ text: some StringProtocol) -> String {
        if DisplayWidth.isPrintableASCII(text) { return String(text) }
        var needs = false
        for s in text.unicodeScalars where s.value < 0x20 || (s.value >= 0x7F && s.value < 0xA0) || isBidiControl(s.value) {
            needs = true
            break
        }
        if !needs { return String(text) }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for s in text.unicodeScalars {
            let v = s.value
            switch v {
            case 0x09: out += " "
            case 0x0A: out += "⏎"
            case 0x0D: continue
            case 0..<0x20: out += "^" + String(Unicode.Scalar(UInt8(v) + 0x40))
            case 0x7F: out += "^?"
            case 0x80..<0xA0:
                let hex = String(v, radix: 16, uppercase: true)
                out += "<" + hex + ">"
            case _ where isBidiControl(v):
                // Overrides and isolates reorder what follows: shown, never obeyed.
                out += "<U+" + String(v, radix: 16, uppercase: true) + ">"
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// `text` with every emoji whose width terminals disagree on reduced to its base, as
    /// the TUI draws it: a skin-tone modifier is dropped (👍🏽 → 👍) and a ZWJ sequence
    /// keeps its first emoji (👩🏽‍💻 → 👩). `DisplayWidth` counts such a sequence as one
    /// wide glyph, as modern terminals draw it, but tmux 3.3a and wcswidth give each part
    /// its own columns (👍🏽 takes 4), so an aligned table that printed the whole
    /// sequence would be off by two columns there. The base emoji takes the same columns
    /// everywhere, and `DisplayWidth` of the result is what every terminal shows. Flags,
    /// keycaps and VS16 symbols (❤️) are kept: their widths agree already.
    public static func baseEmoji(_ text: some StringProtocol) -> String {
        var needs = false
        for s in text.unicodeScalars where s.value == 0x200D || DisplayWidth.isSkinTone(s) {
            needs = true
            break
        }
        if !needs { return String(text) }
        var out = ""
        for c in text {
            let scalars = c.unicodeScalars
            guard let first = scalars.first, first.properties.isEmoji, scalars.count > 1,
                  scalars.contains(where: { $0.value == 0x200D || DisplayWidth.isSkinTone($0) })
            else {
                out.append(c)
                continue
            }
            // The base and the selector or marks riding on it, up to the first joiner
            // or skin tone.
            var base = String.UnicodeScalarView()
            for s in scalars {
                if s.value == 0x200D || DisplayWidth.isSkinTone(s) { break }
                if !base.isEmpty && DisplayWidth.of(s) > 0 { break }
                base.append(s)
            }
            out.unicodeScalars.append(contentsOf: base)
        }
        return out
    }

    static func isBidiControl(_ v: UInt32) -> Bool { (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) }

    /// The longest prefix of `text` that fits in `width` columns, ending in `…` when
    /// something was cut. Never splits a grapheme cluster.
    public static func truncate(_ text: String, to width: Int) -> String { truncateText(text, to: width) }

    /// `truncate` for a substring or other string type.
    public static func truncate(_ text: some StringProtocol, to width: Int) -> String { truncateText(text, to: width) }

    static func truncateText(_ text: some StringProtocol, to width: Int) -> String {
        guard width > 0 else { return "" }
        if DisplayWidth.isPrintableASCII(text) {
            if text.utf8.count <= width { return String(text) }
            return String(decoding: text.utf8.prefix(width - 1), as: UTF8.self) + "…"
        }
        // Simple scalars: each is a grapheme.
        guard let total = DisplayWidth.simpleColumns(text) else { return truncateGraphemes(text, to: width) }
        if total <= width { return String(text) }
        var out = String.UnicodeScalarView()
        var used = 0
        for s in text.unicodeScalars {
            let w = DisplayWidth.simpleWidth(s)
            if used + w > width - 1 { break }
            out.append(s)
            used += w
        }
        return String(out) + "…"
    }

    /// `truncate` grapheme by grapheme, whatever the text (the fast path's reference).
    static func truncateGraphemes(_ text: some StringProtocol, to width: Int) -> String {
        guard width > 0 else { return "" }
        // The prefix that fits in a column less, and whether the whole fits: measured
        // only as far as the cut.
        var cut = text.startIndex
        var used = 0, total = 0
        var cutting = true
        for i in text.indices {
            let w = DisplayWidth.of(text[i])
            if cutting {
                if used + w > width - 1 {
                    cutting = false
                } else {
                    used += w
                    cut = text.index(after: i)
                }
            }
            total += w
            if total > width { return String(text[..<cut]) + "…" }
        }
        return String(text)
    }

    /// `text` cut or padded with spaces to exactly `width` columns.
    public static func fit(_ text: String, to width: Int) -> String { fitText(text, to: width) }

    /// `fit` for a substring or other string type.
    public static func fit(_ text: some StringProtocol, to width: Int) -> String { fitText(text, to: width) }

    static func fitText(_ text: some StringProtocol, to width: Int) -> String {
        let t = truncate(text, to: width)
        let w = DisplayWidth.of(t)
        return w < width ? t + String(repeating: " ", count: width - w) : t
    }

    /// Word-wraps one paragraph (no newlines) into lines of at most `width` columns.
    /// Words longer than a line are broken between graphemes.
    public static func wrap(_ paragraph: String, width: Int) -> [String] { wrapText(paragraph, width: width) }

    /// `wrap` for a substring or other string type.
    public static func wrap(_ paragraph: some StringProtocol, width: Int) -> [String] { wrapText(paragraph, width: width) }

    static func wrapText(_ paragraph: some StringProtocol, width: Int) -> [String] {
        guard width > 0 else { return [] }
        if DisplayWidth.isPrintableASCII(paragraph) { return wrapASCII(Array(paragraph.utf8), width: width) }
        if DisplayWidth.isSimple(paragraph) { return wrapSimple(paragraph, width: width) }
        return wrapGraphemes(paragraph, width: width)
    }

    /// `wrap` for printable ASCII, byte by byte: the same lines as `wrapGraphemes`.
    static func wrapASCII(_ bytes: [UInt8], width: Int) -> [String] {
        var lines: [String] = []
        var line: [UInt8] = []
        var i = 0
        let n = bytes.count
        while i < n {
            while i < n, bytes[i] == 0x20 { i += 1 }
            if i >= n { break }
            var j = i
            while j < n, bytes[j] != 0x20 { j += 1 }
            var word = bytes[i..<j]
            i = j
            if !line.isEmpty && line.count + 1 + word.count <= width {
                line.append(0x20)
                line.append(contentsOf: word)
                continue
            }
            if !line.isEmpty {
                lines.append(String(decoding: line, as: UTF8.self))
                line.removeAll(keepingCapacity: true)
            }
            while word.count > width {
                lines.append(String(decoding: word.prefix(width), as: UTF8.self))
                word = word.dropFirst(width)
            }
            line.append(contentsOf: word)
        }
        if !line.isEmpty || lines.isEmpty { lines.append(String(decoding: line, as: UTF8.self)) }
        return lines
    }

    /// `wrap` for simple scalars (`DisplayWidth.simpleWidth`), scalar by scalar: the same
    /// lines as `wrapGraphemes`, whose steps it follows; lines are built from the text's
    /// UTF-8 bytes.
    static func wrapSimple(_ paragraph: some StringProtocol, width: Int) -> [String] {
        let bytes = Array(paragraph.utf8)
        var starts: [Int] = []  // the byte offset of each scalar, and the end
        var widths: [Int] = []
        starts.reserveCapacity(bytes.count + 1)
        widths.reserveCapacity(bytes.count)
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                let (v, len) = DisplayWidth.scalar(b, i)
                starts.append(i)
                widths.append(v == 0x20 ? 0 : DisplayWidth.simpleWidth(v))
                i += len
            }
        }
        starts.append(bytes.count)
        let n = widths.count
        var lines: [String] = []
        var line: [UInt8] = []
        var lineWidth = 0
        var i = 0
        while i < n {
            while i < n, widths[i] == 0 { i += 1 }  // spaces (the only width 0 here)
            if i >= n { break }
            var j = i
            var w = 0
            while j < n, widths[j] != 0 {
                w += widths[j]
                j += 1
            }
            var from = i
            i = j
            if lineWidth > 0 && lineWidth + 1 + w <= width {
                line.append(0x20)
                line.append(contentsOf: bytes[starts[from]..<starts[j]])
                lineWidth += 1 + w
                continue
            }
            if lineWidth > 0 {
                lines.append(String(decoding: line, as: UTF8.self))
                line.removeAll(keepingCapacity: true)
                lineWidth = 0
            }
            while w > width {
                var pw = 0
                var k = from
                while k < j {
                    if pw + widths[k] > width && pw > 0 { break }
                    pw += widths[k]
                    k += 1
                }
                lines.append(String(decoding: bytes[starts[from]..<starts[k]], as: UTF8.self))
                from = k
                w -= pw
            }
            line.append(contentsOf: bytes[starts[from]..<starts[j]])
            lineWidth = w
        }
        if lineWidth > 0 || lines.isEmpty { lines.append(String(decoding: line, as: UTF8.self)) }
        return lines
    }

    /// `wrap` grapheme by grapheme, whatever the text (the fast path's reference).
    static func wrapGraphemes(_ paragraph: some StringProtocol, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
            var w = DisplayWidth.of(word)
            var word = Substring(word)
            if lineWidth > 0 && lineWidth + 1 + w <= width {
                line += " " + word
                lineWidth += 1 + w
                continue
            }
            if lineWidth > 0 {
                lines.append(line)
                line = ""
                lineWidth = 0
            }
            while w > width {
                var piece = ""
                var pw = 0
                var idx = word.startIndex
                while idx < word.endIndex {
                    let cw = DisplayWidth.of(word[idx])
                    if pw + cw > width && pw > 0 { break }
                    piece.append(word[idx])
                    pw += cw
                    idx = word.index(after: idx)
                }
                lines.append(piece)
                word = word[idx...]
                w -= pw
            }
            line = String(word)
            lineWidth = w
        }
        if lineWidth > 0 || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// Wraps text with line breaks: each line is made visible and wrapped on its own.
    public static func wrapLines(_ text: String, width: Int) -> [String] {
        // No control character, so no line break: one paragraph.
        if DisplayWidth.isSimple(text) { return wrap(text, width: width) }
        var out: [String] = []
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            out += wrap(visible(raw), width: width)
        }
        return out
    }
}
