import Foundation
import RapportCore
import RapportText
import Testing
@testable import RapportTUI

@Suite("TextField: editing by grapheme")
struct TextFieldTests {
    @Test("the cursor moves by grapheme over CJK, emoji sequences and combining marks")
    func graphemes() {
        var f = TextField("a佐👩🏽‍💻e\u{301}")
        #expect(f.cursor == 4)
        f.left()
        f.backspace() // the whole emoji sequence
        #expect(f.text == "a佐e\u{301}")
        f.end()
        f.backspace() // é with its combining mark
        #expect(f.text == "a佐")
        f.home()
        f.right()
        f.deleteForward()
        #expect(f.text == "a" && f.cursor == 1)
    }

    @Test("a combining mark typed after a letter joins it; the cursor stays after it")
    func combiningTyped() {
        var f = TextField()
        for key: Key in [.char("e"), .char("\u{301}"), .char("x")] { f.handle(key) }
        #expect(f.text == "éx")
        #expect(f.cursor == 2)
        #expect(f.text.count == 2)
    }

    @Test("Ctrl-A/Ctrl-E, Ctrl-W deletes a word, Ctrl-U to the start, Ctrl-K to the end")
    func emacsKeys() {
        var f = TextField("hello big  world")
        f.handle(.ctrl("w"))
        #expect(f.text == "hello big  ")
        f.handle(.ctrl("w"))
        #expect(f.text == "hello ")
        f.handle(.ctrl("a"))
        #expect(f.cursor == 0)
        f.handle(.ctrl("e"))
        #expect(f.cursor == 6)
        f.handle(.left)
        f.handle(.left)
        f.handle(.ctrl("k"))
        #expect(f.text == "hell")
        f.handle(.ctrl("u"))
        #expect(f.text == "" && f.cursor == 0)
    }

    @Test("a paste of long text inserts at the cursor; a one-line field turns line breaks into spaces")
    func paste() {
        var f = TextField("[]")
        f.left()
        let long = String(repeating: "日本語 text ", count: 200)
        f.insert(long + "\nend")
        #expect(f.text == "[" + long + " end]")
        #expect(f.cursor == f.text.count - 1)
        var m = TextField("", multiline: true)
        m.insert("a\nb")
        #expect(m.text == "a\nb")
    }

    @Test("multi-line: Enter breaks the line, ↑/↓ keep the column where it fits, Home/End stay on the line")
    func multiline() {
        var m = TextField("first line\nab\nthird line", multiline: true)
        #expect(m.lineAndColumn == (2, 10))
        m.handle(.up)
        #expect(m.lineAndColumn == (1, 2))
        m.handle(.up)
        #expect(m.lineAndColumn == (0, 2))
        m.handle(.end)
        #expect(m.lineAndColumn == (0, 10))
        m.handle(.enter)
        #expect(m.text == "first line\n\nab\nthird line")
        m.handle(.home)
        #expect(m.lineAndColumn == (1, 0))
    }

    @Test("the window keeps the cursor in view by display width, wide glyphs whole, controls visible")
    func window() {
        let f = TextField("東京東京東京東京")
        let w = f.window(width: 7)
        #expect(w.text == "京東京")
        #expect(w.cursorColumn == 6)
        #expect(DisplayWidth.of(w.text) <= 7)
        var g = TextField("a\u{1B}b")
        g.home()
        #expect(g.window(width: 10).text == "a^[b")
    }

    @Test("time zones complete from a prefix or a city name")
    func zones() {
        let names = ["Asia/Tokyo", "Asia/Taipei", "America/New_York", "Europe/Berlin"]
        #expect(TimeZones.complete("asia/to", in: names).candidates == ["Asia/Tokyo"])
        #expect(TimeZones.complete("Asia/T", in: names).candidates.count == 2)
        #expect(TimeZones.complete("berlin", in: names).candidates == ["Europe/Berlin"])
        #expect(TimeZones.complete("new york", in: names).candidates == ["America/New_York"])
        #expect(TimeZones.complete("zz", in: names).candidates.isEmpty)
        #expect(TimeZones.all.contains("Europe/Berlin"))
    }

    @Test("OSC 52 carries the text base64-encoded")
    func osc52() {
        #expect(OSC52.base64(Array("Ma".utf8)) == "TWE=")
        #expect(OSC52.base64(Array("Man".utf8)) == "TWFu")
        #expect(OSC52.base64(Array("M".utf8)) == "TQ==")
        #expect(OSC52.sequence(for: "hi ✓") == "\u{1B}]52;c;" + Data("hi ✓".utf8).base64EncodedString() + "\u{07}")
    }
}

@Suite("TextField: a long paste")
struct TextFieldPasteTests {
    @Test("a paste of 14 000 graphemes, one scalar per key, lands whole and in order, the cursor at the end")
    func longPaste() {
        var f = TextField()
        let text = String(repeating: "Grüße 東京 👍🏽 e\u{301} ", count: 1000)
        for u in text.unicodeScalars { f.handle(.char(Character(u))) }
        #expect(f.text == text)
        #expect(f.cursor == text.count)
        #expect(DisplayWidth.of(f.window(width: 40).text) <= 40)
    }
}

@Suite("Forms: dates for things that already happened")
struct PastDateFieldTests {
    @Test("the log form refuses a time in the future, as rapport log does")
    func logFormRefusesTheFuture() throws {
        let db = Sample.database
        let r = try #require(db.recruitersByName.first)
        let utc = TimeZone(identifier: "UTC")!
        for (text, ok) in [("+2d", false), ("tomorrow 10:00", false), ("-2h", true), ("now", true)] {
            var form = Forms.logMessage(r, in: db)
            let i = try #require(form.fields.firstIndex { $0.key == .at })
            form.fields[i].field = TextField(text)
            switch Forms.submit(form, db: db, now: Sample.now, timeZone: utc) {
            case .invalid(let checked):
                #expect(!ok, "\(text) was refused: \(checked.fields[i].error ?? "")")
                #expect(checked.fields[i].error?.contains("future") == true)
            case .change:
                #expect(ok, "\(text) was accepted")
            default:
                Issue.record("unexpected outcome for \(text)")
            }
        }
    }
}

@Suite("Forms: snooze only puts off")
struct SnoozeFormTests {
    @Test("snoozing to before the follow-up's due time is refused next to the field, as rapport snooze does")
    func snoozeEarlierIsRefused() throws {
        var db = Sample.database
        let r = try #require(db.recruitersByName.first)
        let f = FollowUp(recruiterID: r.id, due: Sample.now.addingTimeInterval(7 * 86_400), note: "CV")
        try db.apply(.putFollowUp(f))
        let utc = TimeZone(identifier: "UTC")!
        for (text, ok) in [("+1d", false), ("+8d", true)] {
            var form = Forms.snooze(f, name: r.name)
            let i = try #require(form.fields.firstIndex { $0.key == .until })
            form.fields[i].field = TextField(text)
            switch Forms.submit(form, db: db, now: Sample.now, timeZone: utc) {
            case .invalid(let checked):
                #expect(!ok, "\(text) refused: \(checked.fields[i].error ?? "")")
                #expect(checked.fields[i].error?.contains("not later") == true)
            case .change:
                #expect(ok, "\(text) was accepted")
            default:
                Issue.record("unexpected outcome for \(text)")
            }
        }
    }
}

@Suite("Forms: a re-engage date in minutes is caught")
struct ReengageFormTests {
    @Test("+3m (minutes) is refused next to the field, as rapport decline does; +12w is a draft")
    func reengageMinutes() throws {
        let db = Sample.database
        let r = try #require(db.recruitersByName.first)
        let utc = TimeZone(identifier: "UTC")!
        for (text, ok) in [("+3m", false), ("+12w", true)] {
            var form = Forms.decline(r)
            let i = try #require(form.fields.firstIndex { $0.key == .reengage })
            form.fields[i].field = TextField(text)
            switch Forms.submit(form, db: db, now: Sample.now, timeZone: utc) {
            case .invalid(let checked):
                #expect(!ok, "\(text) refused: \(checked.fields[i].error ?? "")")
                #expect(checked.fields[i].error?.contains("minutes") == true)
            case .declineDraft:
                #expect(ok, "\(text) was accepted")
            default:
                Issue.record("unexpected outcome for \(text)")
            }
        }
    }
}
