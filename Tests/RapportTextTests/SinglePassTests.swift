import Testing
@testable import RapportText

/// The single pass of `CellBuffer.put` and `putPadded` over a string's UTF-8 and the
/// table-free `DisplayWidth.simpleWidth` against the general paths: `putPadded` through
/// `Text.visible`, `Text.truncate`, `put` and `fill`, `put` grapheme by grapheme, and the
/// widths `DisplayWidth.of` finds through Unicode properties.
@Suite("single-pass drawing: the same cells as the grapheme paths")
struct SinglePassTests {
    /// Text where the paths could part: combining marks, ZWJ emoji, skin tones, flags, wide
    /// CJK, controls and bidi controls made visible, tabs, prepended marks, Hebrew, Arabic,
    /// Vietnamese, Devanagari, empty strings.
    static let tricky: [String] = [
        "", " ", "a", "…", "—", "›", "日", "😀", "ab", "日本", "A日", "日A", "Dana Whitfield", "Acme — Talent",
        "e\u{301}", "Zoe\u{308}lle", "\u{301}lead", "e\u{301}\u{301}\u{301}x", "👍🏽", "👩🏽‍💻 dev", "👨‍👩‍👧‍👦 family",
        "🇩🇪🇯🇵", "🇩", "❤️ love", "1️⃣2️⃣", "a\tb", "\ttab", "line\nbreak", "cr\r\nlf", "\u{1B}[2Jclear", "bell\u{07}",
        "del\u{7F}", "c1\u{9B}x", "x\u{202E}evil\u{202C}y", "\u{2066}iso\u{2069}", "a\u{200B}b", "a\u{200D}b",
        "\u{0600}1\u{0600}", "x\u{0600}", "\u{1100}\u{1161}\u{11A8}각", "अनन्या शर्मा", "नमस्ते", "שלום עולם", "مرحبا بالعالم",
        "Nguyễn Thị Minh Khai", "Ελληνικά", "Привет мир", "株式会社テック", "김민준", "佐藤 花子 様", "ＡＢＣ！",
        "〿x", "🤍🤌🧠🚀", "x\u{3099}", "か\u{3099}", "\u{FE0F}", "a\u{FE0F}", "↩ ♥ ↻ ∅ ≡ ⊘ ✗ ✓",
        "━━━ Recruiters ━━━", "│─┼", "“quoted” ‘single’ – dash", "€ 100 ₹", "ﬁ ligature", "\u{00AD}soft",
        "日本語のテキストがとても長い場合", "wide at the edge 日", "edge日", "x日日日日日日日日日日",
        String(repeating: "a", count: 130), String(repeating: "日", count: 70),
    ]

    static let widths = [0, 1, 2, 3, 4, 5, 7, 10, 13, 20, 40, 130]

    /// A row with wide glyphs and a three-column cluster under the text, so that blanking
    /// a glyph overwritten in part is compared too.
    static func base(_ width: Int, seed: Int) -> CellBuffer {
        var b = CellBuffer(width: width, height: 3)
        _ = b.putGraphemes("日本語のテキスト", x: seed % 5, y: 1, limit: width, style: Style(.accent))
        _ = b.putGraphemes("न्या😀x", x: 14 + seed % 3, y: 1, limit: width, style: Style(.muted))
        return b
    }

    @Test("putPadded in one pass writes the cells the four passes write")
    func putPadded() {
        var seed = 0
        for t in SinglePassTests.tricky {
            for w in SinglePassTests.widths {
                for x in [-3, -1, 0, 1, 2, 9, 17, 23, 24, 30] {
                    seed += 1
                    let start = SinglePassTests.base(24, seed: seed)
                    var fast = start, slow = start
                    fast.putPadded(t, x: x, y: 1, width: w, style: Style(.warning, bold: true))
                    slow.putPaddedGraphemes(t, x: x, y: 1, width: w, style: Style(.warning, bold: true))
                    #expect(fast == slow, "'\(t)' x \(x) width \(w)")
                    // A substring takes the same path to the same cells.
                    var sub = start
                    sub.putPadded(t[...], x: x, y: 1, width: w, style: Style(.warning, bold: true))
                    #expect(sub == slow, "'\(t)' x \(x) width \(w) (substring)")
                }
            }
        }
    }

    @Test("put in one pass writes the cells put writes grapheme by grapheme, and returns the same columns")
    func put() {
        var seed = 0
        for t in SinglePassTests.tricky {
            for x in [-3, -1, 0, 1, 2, 9, 17, 22, 23, 24, 40] {
                for maxWidth in [nil, 0, 1, 2, 3, 5, 11, 40] as [Int?] {
                    seed += 1
                    let start = SinglePassTests.base(24, seed: seed)
                    var fast = start, slow = start, generic = start
                    let a = fast.put(t, x: x, y: 1, maxWidth: maxWidth, style: Style(.good))
                    let limit = min(24, maxWidth.map { x + max(0, $0) } ?? 24)
                    let b = x < 24 ? slow.putGraphemes(t, x: x, y: 1, limit: limit, style: Style(.good)) : 0
                    let c = generic.put(t[...], x: x, y: 1, maxWidth: maxWidth, style: Style(.good))
                    #expect(a == b && c == b, "'\(t)' x \(x) max \(String(describing: maxWidth))")
                    #expect(fast == slow && generic == slow, "'\(t)' x \(x) max \(String(describing: maxWidth))")
                }
            }
        }
    }

    @Test("the wide table: ordered ranges that do not overlap, each end inside and each neighbour outside unless the next range starts there")
    func wideTable() {
        let t = DisplayWidth.wideRanges
        #expect(t.count % 2 == 0 && t.count >= 100)
        for k in stride(from: 0, to: t.count, by: 2) {
            #expect(t[k] <= t[k + 1])
            if k > 0 { #expect(t[k - 1] < t[k], "ranges \(k / 2 - 1) and \(k / 2) overlap") }
            #expect(DisplayWidth.isWide(t[k]) && DisplayWidth.isWide(t[k + 1]))
            // Outside a range's ends, unless the next range starts there (CJK blocks touch).
            if k == 0 || t[k - 1] + 1 < t[k] { #expect(!DisplayWidth.isWide(t[k] - 1)) }
            if k + 2 == t.count || t[k + 1] + 1 < t[k + 2] { #expect(!DisplayWidth.isWide(t[k + 1] + 1)) }
        }
        for c in ["日", "한", "Ａ", "😀", "⌚", "🤌", "𠀀"] { #expect(DisplayWidth.isWide(Character(c).unicodeScalars.first!.value), "\(c)") }
        for c in ["a", "é", "ｱ", "─", "→", "🤀", "\u{303F}"] { #expect(!DisplayWidth.isWide(Character(c).unicodeScalars.first!.value), "\(c)") }
    }

    @Test("truncate measures only as far as the cut: the same strings as measuring the whole first")
    func truncateEarly() {
        for t in SinglePassTests.tricky {
            for w in SinglePassTests.widths {
                let whole = DisplayWidth.ofGraphemes(t) <= w ? t : {
                    var out = "", used = 0
                    for c in t {
                        if used + DisplayWidth.of(c) > w - 1 { break }
                        out.append(c)
                        used += DisplayWidth.of(c)
                    }
                    return out + "…"
                }()
                #expect(Text.truncateGraphemes(t, to: w) == (w > 0 ? whole : ""), "'\(t)' \(w)")
                #expect(Text.truncate(t, to: w) == Text.truncateGraphemes(t, to: w), "'\(t)' \(w)")
                #expect(Text.truncate(t[...], to: w) == Text.truncateGraphemes(t, to: w), "'\(t)' \(w)")
            }
        }
    }

    @Test("putRepeated writes the cells put writes for the repeated string")
    func putRepeated() {
        var seed = 0
        for glyph: Unicode.Scalar in ["━", "─", "·", "a", " ", "日", "\u{301}", "\t"] {
            for count in [-1, 0, 1, 2, 5, 23, 40] {
                for x in [-3, -1, 0, 1, 9, 22, 23, 24] {
                    seed += 1
                    let start = SinglePassTests.base(24, seed: seed)
                    var fast = start, slow = start
                    let a = fast.putRepeated(glyph, count: count, x: x, y: 1, style: Style(.accent, bold: true))
                    let b = slow.put(String(repeating: String(glyph), count: max(0, count)), x: x, y: 1, style: Style(.accent, bold: true))
                    #expect(a == b && fast == slow, "U+\(String(glyph.value, radix: 16)) ×\(count) at \(x)")
                }
            }
        }
    }

    @Test("putPadded pads, cuts with an ellipsis and clips at the edge as before")
    func putPaddedExamples() {
        var b = CellBuffer(width: 12, height: 1)
        b.putPadded("Dana Whitfield", x: 0, y: 0, width: 8)
        #expect(b.line(0) == "Dana Wh…    ")
        b.putPadded("日本語テキスト", x: 0, y: 0, width: 6)
        #expect(b.line(0) == "日本… h…    ")
        b.putPadded("ab", x: 8, y: 0, width: 6, style: Style(.muted))
        #expect(b.line(0) == "日本… h…ab  ")
        #expect(b[11, 0].style == Style(.muted))
        // A wide glyph cut by the buffer's edge leaves a space.
        b.putPadded("x日", x: 10, y: 0, width: 4)
        #expect(b.line(0) == "日本… h…abx ")
        #expect(b[10, 0].text == "x" && b[11, 0].text == " ")
        b.putPadded("a\tb\u{202E}", x: 0, y: 0, width: 12)
        #expect(b.line(0) == "a b<U+202E> ")
    }

    @Test("simpleWidth without Unicode properties: the width of(_:) gives, for every scalar of the simple ranges")
    func simpleWidthTable() {
        var simple = 0
        for v in UInt32(0)...0x1FFFF {
            guard let s = Unicode.Scalar(v) else { continue }
            let fast = DisplayWidth.simpleWidth(s)
            #expect(fast == DisplayWidth.simpleWidthReference(s), "U+\(String(v, radix: 16))")
            guard fast > 0 else { continue }
            simple += 1
            #expect(fast == 1 || fast == 2, "U+\(String(v, radix: 16))")
            // A grapheme of its own, beside letters, wide letters, itself and a space.
            for other in ["a", "日", " ", String(s)] {
                #expect((String(s) + other).count == 2, "U+\(String(v, radix: 16)) + '\(other)'")
                #expect((other + String(s)).count == 2, "'\(other)' + U+\(String(v, radix: 16))")
            }
            // Nothing to make visible.
            #expect(Text.visible(String(s)) == String(s), "U+\(String(v, radix: 16))")
        }
        #expect(simple > 40_000)
        // Every scalar's width is the one its Unicode properties give.
        for v in UInt32(0)...0x10FFFF {
            guard let s = Unicode.Scalar(v) else { continue }
            if DisplayWidth.of(s) != DisplayWidth.ofByProperties(s) {
                Issue.record("U+\(String(v, radix: 16)): \(DisplayWidth.of(s)) against \(DisplayWidth.ofByProperties(s))")
            }
        }
        // Controls, marks, joiners, selectors, skin tones, flag halves, jamo and prepended
        // marks are not simple.
        for v: UInt32 in [0x09, 0x7F, 0x85, 0x301, 0x5B0, 0x64B, 0x670, 0x600, 0x6DD, 0x94D, 0x93E, 0x200D, 0x202E,
                          0x2066, 0xFE0F, 0x1F3FD, 0x1F1E9, 0x1100, 0x1161, 0x3099] {
            #expect(DisplayWidth.simpleWidth(Unicode.Scalar(v)!) == 0, "U+\(String(v, radix: 16))")
        }
    }
}
