import RapportDemo
import Testing
@testable import RapportText

/// The fast paths of the text helpers and `CellBuffer.put` (printable ASCII byte by byte,
/// simple scalars one by one) against the grapheme-by-grapheme code they skip: the same
/// widths, lines, cuts and cells.
@Suite("printable ASCII and simple scalars: the fast paths equal the grapheme paths")
struct ASCIIFastPathTests {

    /// Words of 1 to 30 letters and punctuation, runs of spaces (leading and trailing too).
    static func texts(_ n: Int, seed: UInt64) -> [String] {
        var rng = SeededGenerator(state: seed)
        let chars = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"()[]{}<>/\\|@#$%^&*-_=+~`")
        var out = ["", " ", "   ", "a", "a b", " lead", "trail ", "exactly ten"]
        for _ in 0..<n {
            var s = ""
            for _ in 0..<Int.random(in: 0..<12, using: &rng) {
                s += String(repeating: " ", count: Int.random(in: 0..<4, using: &rng))
                for _ in 0..<Int.random(in: 1...30, using: &rng) { s.append(chars.randomElement(using: &rng)!) }
            }
            out.append(s)
        }
        return out
    }

    /// Words of simple scalars (accents, Greek, Cyrillic, dashes, arrows, box drawing,
    /// kana, CJK, Hangul, fullwidth, emoji) and ASCII; with `complex`, now and then a
    /// scalar that is not simple (a combining mark, a joiner, a skin tone, a flag half, a jamo, a control).
    static func mixed(_ n: Int, seed: UInt64, complex: Bool) -> [String] {
        var rng = SeededGenerator(state: seed)
        let simple: [Character] = Array("abcXYZ019 .,éüßñøÆΩλжЖ—–…“”‘’€→←↑│─━›✓✗★☎◆↻∅≡⊘かなカナ日本語東京한국어ＡＢ！😀🚀🍕🧠") + ["\u{00A0}", "\u{00AD}"]
        let other: [String] = ["\u{0301}", "\u{200D}", "\u{FE0F}", "\u{1F3FD}", "\u{1F1E9}", "\u{1100}", "\u{0009}", "\u{202E}", "\u{0915}\u{094D}", "\u{3099}"]
        var out: [String] = []
        for _ in 0..<n {
            var s = ""
            for _ in 0..<Int.random(in: 0..<10, using: &rng) {
                s += String(repeating: " ", count: Int.random(in: 0..<3, using: &rng))
                for _ in 0..<Int.random(in: 1...14, using: &rng) {
                    if complex, Int.random(in: 0..<25, using: &rng) == 0 { s += other.randomElement(using: &rng)! }
                    else { s.append(simple.randomElement(using: &rng)!) }
                }
            }
            out.append(s)
        }
        return out
    }

    @Test("simple scalars and the rest: widths, cuts, wrapped lines and cells as grapheme by grapheme")
    func simpleScalars() {
        var rng = SeededGenerator(state: 5)
        for t in ASCIIFastPathTests.mixed(300, seed: 4, complex: false) + ASCIIFastPathTests.mixed(300, seed: 6, complex: true) {
            #expect(DisplayWidth.of(t) == DisplayWidth.ofGraphemes(t), "'\(t)'")
            for w in [0, 1, 2, 3, 5, 8, 13, 40] {
                #expect(Text.truncate(t, to: w) == Text.truncateGraphemes(t, to: w), "'\(t)' \(w)")
                #expect(Text.wrap(t, width: w) == Text.wrapGraphemes(t, width: w), "'\(t)' \(w)")
            }
            ASCIIFastPathTests.expectPutAsGraphemes(t, &rng)
        }
        #expect(DisplayWidth.isSimple("Chloé — 日本 → ✓ 😀"))
        for t in ["e\u{301}", "👍🏽", "🇩🇪", "a\tb", "x\u{202E}y", "\u{1100}\u{1161}"] { #expect(!DisplayWidth.isSimple(t), "\(t)") }
    }

    @Test("widths, visible text, cuts and wrapped lines")
    func helpers() {
        for t in ASCIIFastPathTests.texts(300, seed: 1) {
            #expect(DisplayWidth.isPrintableASCII(t))
            #expect(DisplayWidth.of(t) == DisplayWidth.ofGraphemes(t))
            #expect(Text.visible(t) == t)
            for w in [0, 1, 2, 3, 5, 8, 13, 40, 200] {
                #expect(Text.truncate(t, to: w) == Text.truncateGraphemes(t, to: w), "'\(t)' \(w)")
                #expect(Text.wrap(t, width: w) == Text.wrapGraphemes(t, width: w), "'\(t)' \(w)")
                #expect(Text.wrapLines(t, width: w) == Text.wrapGraphemes(Text.visible(t), width: w), "'\(t)' \(w)")
            }
        }
        // Not printable ASCII: a control, a newline, DEL, an accent.
        for t in ["a\tb", "a\nb", "x\u{7F}", "café", "\u{1B}[2J"] { #expect(!DisplayWidth.isPrintableASCII(t)) }
    }

    /// `put` of `t` at a random column and width writes the cells `putGraphemes` writes, on
    /// a row with wide glyphs under the text (each one overwritten in part is blanked whole).
    static func expectPutAsGraphemes(_ t: String, _ rng: inout SeededGenerator) {
        let x = Int.random(in: -3..<20, using: &rng)
        let maxWidth: Int? = Bool.random(using: &rng) ? Int.random(in: 0..<25, using: &rng) : nil
        var base = CellBuffer(width: 24, height: 2)
        base.put("日本語のテキスト", x: Int.random(in: 0..<6, using: &rng), y: 1, style: Style(.accent))
        var fast = base, slow = base
        let a = fast.put(t, x: x, y: 1, maxWidth: maxWidth, style: Style(.warning))
        let limit = min(24, maxWidth.map { x + max(0, $0) } ?? 24)
        let b = x < 24 ? slow.putGraphemes(t, x: x, y: 1, limit: limit, style: Style(.warning)) : 0
        #expect(a == b, "'\(t)' at \(x)")
        #expect(fast == slow, "'\(t)' at \(x)")
    }

    @Test("put writes the same cells byte by byte as grapheme by grapheme, over wide glyphs too")
    func put() {
        var rng = SeededGenerator(state: 2)
        for t in ASCIIFastPathTests.texts(200, seed: 3) {
            ASCIIFastPathTests.expectPutAsGraphemes(t, &rng)
        }
    }
}
