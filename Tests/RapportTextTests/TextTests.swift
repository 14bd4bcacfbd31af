import RapportTerminal
import RapportText
import Testing

@Suite("Display width and text")
struct TextTests {
    @Test("ASCII, CJK, Hangul and fullwidth")
    func basicWidths() {
        #expect(DisplayWidth.of("Dana") == 4)
        #expect(DisplayWidth.of("佐藤 花子") == 9)
        #expect(DisplayWidth.of("한국어") == 6)
        #expect(DisplayWidth.of("ＡＢ") == 4)
        #expect(DisplayWidth.of("ｱｲ") == 2) // halfwidth katakana
    }

    @Test("emoji: single, ZWJ sequences, flags and skin tones are two columns; VS16 and keycaps keep the base's one, as tmux")
    func emojiWidths() {
        #expect(DisplayWidth.of(Character("😀")) == 2)
        #expect(DisplayWidth.of(Character("👨‍👩‍👧‍👦")) == 2)
        #expect(DisplayWidth.of(Character("👩🏽‍💻")) == 2)
        #expect(DisplayWidth.of(Character("🇯🇵")) == 2)
        #expect(DisplayWidth.of(Character("👍🏽")) == 2)
        // Measured in tmux 3.3a (the cursor after printing each): ❤️ 1, ✔️ 1, 1️⃣ 1.
        #expect(DisplayWidth.of(Character("❤️")) == 1)
        #expect(DisplayWidth.of(Character("✔️")) == 1)
        #expect(DisplayWidth.of(Character("❤")) == 1)
        #expect(DisplayWidth.of(Character("1️⃣")) == 1)
        // A base that is wide already stays 2 with VS16.
        #expect(DisplayWidth.of(Character("⌚️")) == 2)
        #expect(DisplayWidth.of("Olu 🇳🇬 👍🏽") == 9)
    }

    @Test("combining marks and format characters take no columns")
    func zeroWidth() {
        #expect(DisplayWidth.of("Zoe\u{308}") == 3)
        #expect(DisplayWidth.of("e\u{301}\u{301}\u{301}") == 1)
        #expect(DisplayWidth.of("a\u{200B}b") == 2)
        #expect(DisplayWidth.of(Character("\u{301}")) == 0)
        #expect(DisplayWidth.of("각") == 2)
        #expect(DisplayWidth.of("\u{1100}\u{1161}\u{11A8}") == 2) // conjoining jamo as one syllable
    }

    @Test("spacing marks count a column each, as terminals draw them (Devanagari)")
    func spacingMarks() {
        // न्या is one grapheme: na + virama (0) + ya + the vowel sign aa (spacing, 1).
        #expect(DisplayWidth.of("अनन्या") == 5)
        #expect(DisplayWidth.of("शर्मा") == 4)
        #expect(DisplayWidth.of(Character("\u{0915}\u{093E}")) == 2) // का
        let t = Text.truncate("अनन्या शर्मा", to: 6)
        #expect(DisplayWidth.of(t) <= 6)
        #expect(t.hasSuffix("…"))
    }

    @Test("control characters and escape sequences are made visible")
    func visibleControls() {
        #expect(Text.visible("a\u{1B}[31mred") == "a^[[31mred")
        #expect(Text.visible("bell\u{07}") == "bell^G")
        #expect(Text.visible("del\u{7F}") == "del^?")
        #expect(Text.visible("c1\u{9B}2J") == "c1<9B>2J")
        #expect(Text.visible("tab\there") == "tab here")
        #expect(Text.visible("two\nlines") == "two⏎lines")
        #expect(Text.visible("plain 佐藤") == "plain 佐藤")
        for s in [Text.visible("\u{1B}]0;x\u{07}\u{1B}[2J\r\n\u{85}")] {
            #expect(!s.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) })
        }
    }

    @Test("truncation fits the width, ends in an ellipsis and never splits a grapheme")
    func truncation() {
        #expect(Text.truncate("Dana Smith", to: 20) == "Dana Smith")
        #expect(Text.truncate("Dana Smith", to: 6) == "Dana …")
        #expect(Text.truncate("佐藤花子", to: 5) == "佐藤…")
        #expect(Text.truncate("佐藤花子", to: 4) == "佐…")
        #expect(Text.truncate("👨‍👩‍👧abc", to: 3) == "👨‍👩‍👧…")
        #expect(Text.truncate("👨‍👩‍👧abc", to: 2) == "…")
        #expect(Text.truncate("e\u{301}e\u{301}e\u{301}", to: 2) == "e\u{301}…")
        #expect(Text.truncate("🇯🇵🇩🇪🇫🇷", to: 5) == "🇯🇵🇩🇪…")
        #expect(Text.truncate("abc", to: 0) == "")
        for w in 1...12 {
            let t = Text.truncate("Priya Raman 👩🏽‍💻 佐藤", to: w)
            #expect(DisplayWidth.of(t) <= w)
        }
    }

    @Test("fit pads to the exact width, also after a wide character that did not fit")
    func fit() {
        #expect(Text.fit("ab", to: 4) == "ab  ")
        #expect(Text.fit("佐藤花子", to: 4) == "佐… ")
        #expect(DisplayWidth.of(Text.fit("佐藤花子", to: 4)) == 4)
    }

    @Test("wrapping by display width breaks long words between graphemes")
    func wrap() {
        #expect(Text.wrap("the quick brown fox", width: 10) == ["the quick", "brown fox"])
        #expect(Text.wrap("東京のスタートアップ", width: 6) == ["東京の", "スター", "トアッ", "プ"])
        #expect(Text.wrap("👍🏽👍🏽👍🏽", width: 4) == ["👍🏽👍🏽", "👍🏽"])
        #expect(Text.wrap("", width: 5) == [""])
        #expect(Text.wrapLines("one\r\ntwo\nthree", width: 10) == ["one", "two", "three"])
        for line in Text.wrap("Café chat 佐藤 花子 Ça vous dit 👩🏽‍💻 next week", width: 7) {
            #expect(DisplayWidth.of(line) <= 7)
        }
    }

    @Test("baseEmoji keeps the base of skin-tone and ZWJ emoji and leaves the rest alone; its width is every terminal's")
    func baseEmoji() {
        #expect(Text.baseEmoji("Olu 👍🏽") == "Olu 👍")
        #expect(Text.baseEmoji("Priya 👩🏽‍💻 Raman") == "Priya 👩 Raman")
        #expect(Text.baseEmoji("👨‍👩‍👧‍👦 family") == "👨 family")
        #expect(Text.baseEmoji("❤️‍🔥") == "❤️")
        // Unchanged: flags, keycaps, VS16 symbols, plain emoji, CJK and combining accents.
        for kept in ["🇯🇵 Tokyo", "1️⃣", "Lu ❤️ Heart", "😀", "佐藤 花子", "Jose\u{301}", "Zoë", "plain"] {
            #expect(Text.baseEmoji(kept) == kept, "\(kept)")
        }
        // The width as printed is the base's, the same in DisplayWidth and in tmux
        // (which counts 👍🏽 as 4: 👍 2 + 🏽 2).
        #expect(DisplayWidth.of(Text.baseEmoji("👍🏽👍🏿")) == 4)
        #expect(DisplayWidth.of(Text.baseEmoji("a👩🏽‍💻b")) == 4)
        #expect(DisplayWidth.of(Text.baseEmoji("❤️‍🔥")) == 1)
    }
}

@Suite("CellBuffer")
struct CellBufferTests {
    @Test("wide characters take two cells and keep later columns aligned")
    func wide() {
        var b = CellBuffer(width: 10, height: 2)
        b.put("佐藤|", x: 0, y: 0)
        b.put("ab|", x: 0, y: 1)
        #expect(b[0, 0].width == 2 && b[1, 0].isContinuation)
        #expect(b[4, 0].text == "|")
        #expect(b.line(0) == "佐藤|     ")
    }

    @Test("a wide character that does not fit at the edge leaves a space")
    func wideAtEdge() {
        var b = CellBuffer(width: 5, height: 1)
        let used = b.put("abcd佐", x: 0, y: 0)
        #expect(used == 5)
        #expect(b.line(0) == "abcd ")
        var c = CellBuffer(width: 6, height: 1)
        c.put("佐藤花子", x: 0, y: 0, maxWidth: 3)
        #expect(c.line(0) == "佐    ")
    }

    @Test("overwriting half of a wide character blanks the other half")
    func overwriteHalf() {
        var b = CellBuffer(width: 6, height: 1)
        b.put("佐藤", x: 0, y: 0)
        b.put("x", x: 1, y: 0)
        #expect(b.line(0) == " x藤  ")
        b.put("y", x: 2, y: 0)
        #expect(b.line(0) == " xy   ")
        #expect(!b.cells.contains { $0.isContinuation })
    }

    @Test("a cluster three columns wide keeps every letter and is replaced whole")
    func threeColumns() {
        var b = CellBuffer(width: 8, height: 1)
        b.put("अनन्या|", x: 0, y: 0)
        #expect(b[2, 0].text == "न्या" && b[2, 0].width == 3)
        #expect(b[3, 0].isContinuation && b[4, 0].isContinuation)
        #expect(b[5, 0].text == "|")
        #expect(b.line(0) == "अनन्या|  ")
        b.put("x", x: 3, y: 0)
        #expect(b.line(0) == "अन x |  ")
        var c = CellBuffer(width: 4, height: 1)
        c.put("अनन्या", x: 0, y: 0)
        #expect(c.line(0) == "अन  ")
    }

    @Test("combining marks ride on the previous cell; controls never reach a cell")
    func combiningAndControls() {
        var b = CellBuffer(width: 12, height: 1)
        b.put("Zoe\u{308} \u{1B}[2J", x: 0, y: 0)
        #expect(b[2, 0].text == "e\u{308}")
        #expect(b.line(0) == "Zoë ^[[2J   ")
        for cell in b.cells {
            #expect(!cell.text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        }
    }
}

@Suite("Colour mode")
struct ColorModeTests {
    @Test("auto honours NO_COLOR and the terminal; never and always are explicit")
    func modes() {
        #expect(ColorMode.auto.useColors(terminalHasColors: true, environment: [:]))
        #expect(!ColorMode.auto.useColors(terminalHasColors: true, environment: ["NO_COLOR": "1"]))
        #expect(ColorMode.auto.useColors(terminalHasColors: true, environment: ["NO_COLOR": ""]))
        #expect(!ColorMode.auto.useColors(terminalHasColors: false, environment: [:]))
        #expect(!ColorMode.never.useColors(terminalHasColors: true, environment: [:]))
        #expect(ColorMode.always.useColors(terminalHasColors: true, environment: ["NO_COLOR": "1"]))
        #expect(ColorMode(rawValue: "sometimes") == nil)
    }
}

@Suite("Key decoding and styles")
struct KeyDecodingTests {
    @Test("wget_wch characters become keys: controls, Enter, Tab, Esc, Backspace, Unicode")
    func decode() {
        #expect(Terminal.decodeCharacter(9) == .tab)
        #expect(Terminal.decodeCharacter(10) == .enter)
        #expect(Terminal.decodeCharacter(13) == .enter)
        #expect(Terminal.decodeCharacter(27) == .escape)
        #expect(Terminal.decodeCharacter(127) == .backspace)
        #expect(Terminal.decodeCharacter(8) == .backspace)
        #expect(Terminal.decodeCharacter(12) == .ctrl("l"))
        #expect(Terminal.decodeCharacter(26) == .ctrl("z"))
        #expect(Terminal.decodeCharacter(3) == .ctrl("c"))
        #expect(Terminal.decodeCharacter(UInt32(UInt8(ascii: "q"))) == .char("q"))
        #expect(Terminal.decodeCharacter(0x4F50) == .char("佐"))
        #expect(Terminal.decodeCharacter(0x1F600) == .char("😀"))
        #expect(Terminal.decodeCharacter(0xD800) == .unknown(0xD800))
    }

    @Test("keys are named the way help shows them")
    func names() {
        #expect(Key.ctrl("l").description == "Ctrl-L")
        #expect(Key.backTab.description == "Shift-Tab")
        #expect(Key.pageDown.description == "PgDn")
        #expect(Key.down.description == "↓")
    }
}
