import Foundation
import RapportCore
import RapportText
import Testing
@testable import RapportApp
@testable import RapportTUI

private func chars(_ s: String) -> [Key] {
    s.unicodeScalars.map { $0 == "\n" ? .enter : .char(Character($0)) }
}

@Suite("Bracketed paste: the decoder puts a paste together from the terminal's keys")
struct PasteDecoderTests {
    @Test("keys outside a paste pass through; a lone Esc at the end of a read is the Esc key at once")
    func keysPass() {
        var d = PasteDecoder()
        #expect(d.feed([.char("j"), .tab, .escape]) == [.key(.char("j")), .key(.tab), .key(.escape)])
        #expect(d.feed([.escape]) == [.key(.escape)])
        #expect(!d.inPaste)
    }

    @Test("everything between the markers is one paste: Enter a line break, Tab a tab, t d y r f text")
    func onePaste() {
        var d = PasteDecoder()
        let out = d.feed([.char("j"), .pasteStart] + chars("Hi\nt d y r f\n") + [.tab] + chars("end") + [.pasteEnd, .char("k")])
        #expect(out == [.key(.char("j")), .paste("Hi\nt d y r f\n\tend"), .key(.char("k"))])
        #expect(!d.inPaste)
    }

    @Test("markers split across reads (ncurses gave up after ESCDELAY) are still markers")
    func splitMarkers() {
        var d = PasteDecoder()
        // The start marker as raw keys, split in two reads: nothing comes out until it is clear.
        #expect(d.feed([.char("x"), .escape, .char("[")]) == [.key(.char("x"))])
        #expect(d.feed([.char("2"), .char("0"), .char("0"), .char("~"), .char("t")]) == [])
        #expect(d.inPaste)
        #expect(d.feed(chars("d y")) == [])
        // The end marker split across three reads.
        #expect(d.feed([.escape]) == [])
        #expect(d.feed([.char("["), .char("2"), .char("0")]) == [])
        #expect(d.feed([.char("1"), .char("~"), .char("q")]) == [.paste("td y"), .key(.char("q"))])
        // The recognized start with a split raw end marker, and the other way round.
        #expect(d.feed([.pasteStart, .char("a"), .escape, .char("[")]) == [])
        #expect(d.feed([.char("2"), .char("0"), .char("1"), .char("~")]) == [.paste("a")])
        #expect(d.feed([.escape, .char("["), .char("2"), .char("0"), .char("0"), .char("~"), .char("b"), .pasteEnd]) == [.paste("b")])
    }

    @Test("keys that only look like the start of a marker go out as keys, at the latest when a read times out")
    func notAMarker() {
        var d = PasteDecoder()
        #expect(d.feed([.escape, .char("["), .char("A")]) == [.key(.escape), .key(.char("[")), .key(.char("A"))])
        #expect(d.feed([.escape, .char("["), .char("2")]) == [])
        #expect(d.idle() == [.key(.escape), .key(.char("[")), .key(.char("2"))])
        #expect(d.feed([.escape, .char("j")]) == [.key(.escape), .key(.char("j"))])
    }

    @Test("escape sequences inside a paste are dropped whole, never run or read as keys")
    func escapesInPaste() {
        var d = PasteDecoder()
        var keys: [Key] = [.pasteStart, .char("a")]
        keys += [.escape] + chars("[31m") + [.char("b")]              // colour
        keys += [.up, .function(5), .ctrl("d"), .backspace]           // sequences ncurses decoded, control keys
        keys += [.escape] + chars("]0;title") + [.ctrl("g")]          // OSC to BEL
        keys += [.escape] + chars("]52;c;ZGF0YQ==") + [.escape, .char("\\")]  // OSC to ESC \
        keys += [.escape] + chars("[200~") + [.char("c")]             // a start marker in the text
        keys += [.mouse(MouseEvent(.click(button: 1), x: 1, y: 1)), .escape, .char("c"), .char("d"), .pasteEnd]
        #expect(d.feed(keys) == [.paste("abcd")])
    }

    @Test("a resize during a paste still goes through as a key")
    func resizeInPaste() {
        var d = PasteDecoder()
        #expect(d.feed([.pasteStart, .char("a"), .resize, .char("b"), .pasteEnd]) == [.key(.resize), .paste("ab")])
    }

    @Test("a paste whose end marker never comes ends after two idle reads, as text and not keys")
    func unterminated() {
        var d = PasteDecoder()
        #expect(d.feed([.pasteStart] + chars("t\nd y")) == [])
        #expect(d.idle() == [])
        #expect(d.inPaste)
        // More text resets the wait.
        #expect(d.feed(chars(" r")) == [])
        #expect(d.idle() == [])
        #expect(d.idle() == [.paste("t\nd y r")])
        #expect(!d.inPaste)
        #expect(d.feed([.char("j")]) == [.key(.char("j"))])
        #expect(d.idle() == [])
    }

    @Test("a huge paste is collected only up to just past the limit, and the field cuts it to the limit")
    func huge() throws {
        var d = PasteDecoder()
        let n = 3 * PasteText.limit
        var out = d.feed([.pasteStart])
        for _ in 0..<(n / 4096) { out += d.feed(Array(repeating: .char("é"), count: 4096)) }
        out += d.feed([.pasteEnd])
        try #require(out.count == 1)
        guard case .paste(let text) = out[0] else { Issue.record("no paste"); return }
        #expect(text.utf8.count > PasteText.limit && text.utf8.count <= PasteText.limit + 4)
        let clean = PasteText.clean(text, multiline: true)
        #expect(clean.cut)
        #expect(clean.text.utf8.count == PasteText.limit)
        #expect(clean.text.allSatisfy { $0 == "é" })
    }
}

@Suite("Pasted text made fit for a field")
struct PasteTextTests {
    @Test("one line: CRLF, CR and LF become spaces, trailing breaks go, tabs are spaces, controls dropped")
    func singleLine() {
        #expect(PasteText.clean("Dana\r\nt d y\rr f\nSmith\r\n\n", multiline: false) == ("Dana t d y r f Smith", false))
        #expect(PasteText.clean("a\tb\u{7}c\u{1B}d\u{9B}e\u{202E}f\u{7F}", multiline: false) == ("a bcdef", false))
        #expect(PasteText.clean("a\n\nb", multiline: false).text == "a  b")
    }

    @Test("several lines: every line break is LF, blank lines and tabs kept, controls dropped")
    func multiLine() {
        #expect(PasteText.clean("Hi Dana,\r\n\r\nt d y\r\n\tr f\rBest\n", multiline: true)
                == ("Hi Dana,\n\nt d y\n\tr f\nBest\n", false))
        #expect(PasteText.clean("x\u{0}y\u{1B}[2Jz", multiline: true).text == "xy[2Jz")
    }

    @Test("at most the limit in bytes, whole characters")
    func limit() {
        let text = "a" + String(repeating: "日", count: PasteText.limit)
        let clean = PasteText.clean(text, multiline: false)
        #expect(clean.cut)
        #expect(clean.text.utf8.count <= PasteText.limit && clean.text.utf8.count > PasteText.limit - 3)
        #expect(PasteText.clean(String(repeating: "a", count: PasteText.limit), multiline: false).cut == false)
    }
}

@Suite("A paste goes into the focused field as text, and runs no command")
@MainActor
struct PasteUpdateTests {
    let threeLines = "Hi Dana,\r\nt d y r f\r\nBest, me"

    @Test("the log form's body keeps the pasted lines; Enter is a new line there; Ctrl-S saves")
    func logBody() throws {
        var s = Session()
        s.select(1)
        let targeting = s.store.recruiters[Sample.id(1)]?.targeting
        s.send(.logMessage)
        #expect(s.state.keyMode == .form)
        for _ in 0..<4 { s.send(.nextField) }
        #expect(s.form?.fields[s.form!.focus].key == .body)
        #expect(s.state.keyMode == .formLines)
        s.runner.send(inputs: [.paste(threeLines)], keymap: .standard)
        #expect(s.form?.fields[4].field.text == "Hi Dana,\nt d y r f\nBest, me")
        #expect(s.persisted.isEmpty)
        // Enter and typing in the body: a new line, not a save.
        s.runner.send(keys: [.enter, .char("P"), .char("S")], keymap: .standard)
        #expect(s.form?.fields[4].field.text == "Hi Dana,\nt d y r f\nBest, me\nPS")
        #expect(s.persisted.isEmpty)
        s.runner.send(keys: [.ctrl("s")], keymap: .standard)
        #expect(s.state.overlays.isEmpty)
        let logged = try #require(s.store.thread(Sample.id(1)).last)
        #expect(logged.body == "Hi Dana,\nt d y r f\nBest, me\nPS")
        #expect(s.store.recruiters[Sample.id(1)]?.targeting == targeting)
        #expect(s.persisted.count == 1)
    }

    @Test("Tab leaves the body; Enter in the next field saves, as in every form")
    func leaveBody() {
        var s = Session()
        s.select(1)
        s.send(.logMessage)
        for _ in 0..<4 { s.send(.nextField) }
        s.runner.send(inputs: [.paste("one\ntwo")], keymap: .standard)
        s.runner.send(keys: [.tab], keymap: .standard)
        #expect(s.state.keyMode == .form && s.form?.focus == 0)
        s.runner.send(keys: [.enter], keymap: .standard)
        #expect(s.state.overlays.isEmpty)
        #expect(s.store.thread(Sample.id(1)).last?.body == "one\ntwo")
    }

    @Test("a one-line field: the lines become one, nothing is saved, no command runs")
    func singleLineField() {
        var s = Session()
        s.send(.addRecruiter)
        s.runner.send(inputs: [.paste(threeLines + "\n")], keymap: .standard)
        #expect(s.form?.fields[0].field.text == "Hi Dana, t d y r f Best, me")
        #expect(s.state.overlays.count == 1 && s.persisted.isEmpty)
        // A choice field takes no text: the paste is ignored and says so.
        s.send(.previousField)
        s.runner.send(inputs: [.paste("t")], keymap: .standard)
        #expect(s.form?.fields[8].choice == 0)
        #expect(s.state.statusMessage?.text == "Paste ignored: Targeting is a choice (←/→ changes it)")
        // Letters typed there in one read are keys: the first letter picks an option.
        s.runner.send(keys: [.char("t"), .char("b")], keymap: .standard)
        #expect(s.form?.fields[8].value == "blanket")
    }

    @Test("the search prompt and the inline editor take a paste as text")
    func searchAndEditor() {
        var s = Session()
        s.send(.search)
        s.runner.send(inputs: [.paste("Dana\r\n")], keymap: .standard)
        guard case .search(let q) = s.state.overlays.last else { Issue.record("no search"); return }
        #expect(q.field.text == "Dana")
        #expect(s.state.selectedRecruiterID == Sample.id(1))
        s.send(.cancel)
        s.runner.state.overlays.append(.editor(TextField("", multiline: true)))
        s.runner.send(inputs: [.paste(threeLines)], keymap: .standard)
        guard case .editor(let t) = s.state.overlays.last else { Issue.record("no editor"); return }
        #expect(t.text == "Hi Dana,\nt d y r f\nBest, me")
        #expect(s.persisted.isEmpty)
    }

    @Test("outside a field a paste is ignored with a notice: t d y r f run nothing")
    func panes() {
        var s = Session()
        s.select(1)
        let before = s.state
        s.runner.send(inputs: [.paste("t\nd\ny\nr\nf\n")], keymap: .standard)
        #expect(s.persisted.isEmpty)
        #expect(s.state.overlays.isEmpty)
        #expect(s.state.statusMessage == StatusMessage(PasteText.ignoredNotice))
        #expect(s.state.recruiterCursor == before.recruiterCursor && s.state.focus == before.focus)
        #expect(s.store == before.db)
        // Also over help and in a view: nothing but the notice.
        s.send(.toggleHelp)
        s.runner.send(inputs: [.paste("q")], keymap: .standard)
        #expect(s.state.keyMode == .help)
        #expect(s.state.statusMessage == StatusMessage(PasteText.ignoredNotice))
        // Keys after the paste still act.
        s.runner.send(inputs: [.key(.char("q"))], keymap: .standard)
        #expect(s.state.keyMode == .panes)
    }

    @Test("a paste longer than the limit is cut, with a one-line notice")
    func cut() {
        var s = Session()
        s.send(.addRecruiter)
        s.runner.send(inputs: [.paste(String(repeating: "a", count: PasteText.limit + 1))], keymap: .standard)
        #expect(s.form?.fields[0].field.text.count == PasteText.limit)
        #expect(s.state.statusMessage == StatusMessage(PasteText.cutNotice, isError: true))
    }

    @Test("the body's keys come from its mode's table: hints and ? help")
    func bodyKeys() {
        let hints = Keymap.standard.hints(mode: .formLines).map { "\($0.keys) \($0.label)" }
        #expect(hints.contains("Ctrl-S save") && hints.contains("Enter new line") && hints.contains("Tab leave"))
        #expect(Keymap.standard.command(for: .enter, mode: .formLines) == .input(.enter))
        #expect(Keymap.standard.command(for: .ctrl("s"), mode: .form) == .submit)
        let help = Keymap.standard.sections.flatMap(\.rows).map(\.help)
        #expect(help.contains("field of several lines: a new line"))
    }
}

@Suite("The log form's body on screen")
@MainActor
struct BodyFieldViewTests {
    @Test("a pasted e-mail shows its lines in the body, the view scrolls to the cursor, the footer lists the body's keys")
    func bodySnapshot() {
        var s = Session(width: 80, height: 24)
        s.select(1)
        s.send(.logMessage)
        for _ in 0..<4 { s.send(.nextField) }
        let mail = (1...9).map { "Line \($0) of the pasted mail: t d y r f" }.joined(separator: "\n")
        s.runner.send(inputs: [.paste("Hi Dana,\r\n\r\n" + mail)], keymap: .standard)
        let frame = Screen.render(s.state)
        expectSnapshot(frame, "form-log-body-80x24")
        let lines = frame.text.components(separatedBy: "\n")
        // Six rows of the body in view: the last six lines, the cursor's at the bottom.
        #expect(lines.contains { $0.contains("Line 9 of the pasted mail") })
        #expect(lines.contains { $0.contains("Line 4 of the pasted mail") })
        #expect(!lines.contains { $0.contains("Line 3 of the pasted mail") })
        #expect(lines.contains { $0.contains("Ctrl-S save · Enter new line · Esc cancel · Tab leave") })
        // Back to the top with ↑: the first lines come into view.
        for _ in 0..<10 { s.runner.send(keys: [.up], keymap: .standard) }
        let top = Screen.render(s.state).text.components(separatedBy: "\n")
        #expect(top.contains { $0.contains("Body") && $0.contains("Hi Dana,") })
        #expect(!top.contains { $0.contains("Line 9 of the pasted mail") })
    }
}
