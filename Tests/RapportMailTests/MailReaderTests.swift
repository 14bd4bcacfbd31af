import Foundation
import Testing
@testable import RapportMail

private func read(_ s: String) -> MailMessage { MailReader.read(Array(s.utf8)) }

@Suite struct HeaderTests {
    @Test func foldedHeadersAreUnfolded() {
        let m = read("Subject: a long\r\n subject\r\n\tline\r\nFrom: x@y.z\r\n\r\nbody\r\n")
        #expect(m.subject == "a long subject\tline")
        #expect(m.text == "body\n")
    }

    @Test func encodedWordsMixedWithPlainText() {
        #expect(EncodedWords.decode("Re: =?UTF-8?Q?Caf=C3=A9?= meeting") == "Re: Café meeting")
        #expect(EncodedWords.decode("=?ISO-8859-1?Q?J=F6rg?= <j@x.de>") == "Jörg <j@x.de>")
        #expect(EncodedWords.decode("=?utf-8?b?w6k=?=") == "é")
        // adjacent words: the space between them goes
        #expect(EncodedWords.decode("=?UTF-8?Q?a?= =?UTF-8?Q?b?=") == "ab")
        // but not the space before plain text
        #expect(EncodedWords.decode("=?UTF-8?Q?a?= b") == "a b")
        // a UTF-8 character split across two words comes out whole
        #expect(EncodedWords.decode("=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=") == "€")
        // underscores are spaces in Q
        #expect(EncodedWords.decode("=?iso-8859-15?q?100_=A4?=") == "100 €")
        // windows-1252 curly quotes
        #expect(EncodedWords.decode("=?windows-1252?Q?=93hi=94?=") == "“hi”")
        // not an encoded word: left alone
        #expect(EncodedWords.decode("a =?broken") == "a =?broken")
        #expect(EncodedWords.decode("=?utf-8?X?abc?=") == "=?utf-8?X?abc?=")
    }

    @Test func addresses() {
        let list = MailAddress.list("\"Doe, Jane\" <jane@acme.com>, bob@x.org (Bob B), =?UTF-8?Q?J=C3=B6rg?= <j@x.de>, team: a@b.c, d@e.f;, nobody")
        #expect(list.map(\.address) == ["jane@acme.com", "bob@x.org", "j@x.de", "a@b.c", "d@e.f"])
        #expect(list[0].name == "Doe, Jane")
        #expect(list[1].name == "Bob B")
        #expect(list[2].name == "Jörg")
    }

    @Test func dates() {
        let d = MailDate.parse("Tue, 1 Jul 2003 10:52:37 +0200")
        #expect(d == Date(timeIntervalSince1970: 1_057_049_557))
        #expect(MailDate.parse("1 Jul 03 08:52:37 GMT") == d)
        #expect(MailDate.parse("Tue, 1 Jul 2003 04:52:37 EDT (comment)") == d)
        #expect(MailDate.parse("garbage") == nil)
    }

    @Test func eightBitHeadersAreReadAndReported() {
        var bytes = Array("Subject: caf".utf8)
        bytes.append(0xE9)  // Latin-1 é, not UTF-8
        bytes += Array("\nFrom: a@b.c\n\nx".utf8)
        let m = MailReader.read(bytes)
        #expect(m.subject == "café")
        #expect(m.problems.contains { $0.contains("8-bit") })
    }
}

@Suite struct BodyTests {
    @Test func quotedPrintableAndSoftBreaks() {
        let qp = TransferEncoding.quotedPrintable(Array("Caf=C3=A9 au l=\nait  \r\n=3D done=".utf8)[...])
        #expect(String(decoding: qp, as: UTF8.self) == "Café au lait\n= done")
        // a stray "=" stays
        #expect(String(decoding: TransferEncoding.quotedPrintable(Array("a=zz".utf8)[...]), as: UTF8.self) == "a=zz")
    }

    @Test func base64IgnoresJunk() {
        #expect(String(decoding: TransferEncoding.base64(Array("aGVs\nbG8h*".utf8)), as: UTF8.self) == "hello!")
        #expect(String(decoding: TransferEncoding.base64(Array("aGk".utf8)), as: UTF8.self) == "hi")
    }

    @Test func charsets() {
        #expect(Charsets.decode([0xE9][...], charset: "iso-8859-1").text == "é")
        #expect(Charsets.decode([0xA4][...], charset: "ISO-8859-15").text == "€")
        #expect(Charsets.decode([0x80, 0x93][...], charset: "windows-1252").text == "€“")
        let bad = Charsets.decode([0x93, 0x41][...], charset: "utf-8")
        #expect(bad.text == "“A")
        #expect(bad.note != nil)
        #expect(Charsets.decode([0x41][...], charset: "x-unknown").note?.contains("unknown charset") == true)
    }

    @Test func alternativePrefersPlain() {
        let m = read("""
            From: a@b.c
            Content-Type: multipart/alternative; boundary="XX"

            --XX
            Content-Type: text/html; charset=utf-8

            <p>HTML version</p>
            --XX
            Content-Type: text/plain; charset=utf-8

            Plain version
            --XX--
            """)
        #expect(m.text.trimmingCharacters(in: .newlines) == "Plain version")
        #expect(!m.textFromHTML)
    }

    @Test func htmlOnlyBecomesReadableText() {
        let m = read("""
            From: a@b.c
            Content-Type: multipart/mixed; boundary=outer

            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/html; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            <html><head><style>p { color: red }</style><script>alert(1)</script></head>
            <body><p>Hello J=F6rg &amp; team&nbsp;&#8212; see&#x21;</p><ul><li>one</li><li>two</li></ul>
            <blockquote>old text</blockquote></body></html>
            --inner--
            --outer
            Content-Type: application/pdf; name="cv.pdf"
            Content-Disposition: attachment; filename="cv.pdf"
            Content-Transfer-Encoding: base64

            JVBERi0=
            --outer--
            """)
        #expect(m.textFromHTML)
        #expect(m.text.contains("Hello Jörg & team — see!"))
        #expect(m.text.contains("- one\n- two"))
        #expect(!m.text.contains("color"))
        #expect(!m.text.contains("alert"))
        #expect(!m.text.contains("<"))
        #expect(m.split.newText.contains("Hello"))
        #expect(!m.split.newText.contains("old text"))
        #expect(m.attachments == ["cv.pdf"])
    }

    @Test func formatFlowed() {
        let t = FlowedText.unflow("This is a \nflowed line.\n> quoted \n> more\n \nSpace-stuffed\n-- \nsig", delSp: false)
        #expect(t == "This is a flowed line.\n> quoted more\n\nSpace-stuffed\n-- \nsig")
        #expect(FlowedText.unflow("abc \ndef", delSp: true) == "abcdef")
    }

    @Test func missingBoundaryAndUnclosedMultipartAreReported() {
        let noParam = read("From: a@b.c\nContent-Type: multipart/mixed\n\nhello")
        #expect(noParam.text == "hello")
        #expect(noParam.problems.contains { $0.contains("no boundary") })
        let unclosed = read("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nstill here")
        #expect(unclosed.text == "still here")
        #expect(unclosed.problems.contains { $0.contains("no closing boundary") })
    }

    @Test func garbageNeverCrashes() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let n = Int.random(in: 0..<400, using: &rng)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = MailReader.read(bytes)
            _ = MailReader.read(Array("Content-Type: multipart/mixed; boundary=a\n\n--a\n".utf8) + bytes)
        }
        _ = read("")
        _ = read("\n\n\n")
        _ = read("Content-Type: multipart/mixed; boundary=a\n\n" + String(repeating: "--a\nContent-Type: multipart/mixed; boundary=a\n\n", count: 100))
    }

    @Test func deepNestingStops() {
        var s = "From: a@b.c\n"
        for i in 0..<40 { s += "Content-Type: multipart/mixed; boundary=b\(i)\n\n--b\(i)\n" }
        s += "Content-Type: text/plain\n\ndeep\n"
        let m = read(s)
        #expect(m.problems.contains { $0.contains("nested deeper") })
    }
}

@Suite struct SplitTests {
    @Test func cutsQuotesAttributionAndSignature() {
        let s = TextSplit.split("""
            Thanks, Tuesday works.

            Best,
            Jane
            --\u{20}
            Jane Doe | Senior Technical Recruiter
            Acme Talent

            On Mon, Nov 23, 2026 at 10:00 AM Candidate <me@example.com> wrote:
            > Would Tuesday work?
            """)
        #expect(s.newText == "Thanks, Tuesday works.\n\nBest,\nJane")
        #expect(s.signature == "Jane Doe | Senior Technical Recruiter\nAcme Talent")
    }

    @Test func attributionOnTwoLinesAndOutlook() {
        let a = TextSplit.split("Sure.\nOn Mon, 23 Nov 2026 at 10:00, Some Body\n<some@body.com> wrote:\n> old")
        #expect(a.newText == "Sure.")
        #expect(a.cutHistory)
        let b = TextSplit.split("Yes.\n\n-----Original Message-----\nFrom: x\nSent: y\n\nold")
        #expect(b.newText == "Yes.")
        let c = TextSplit.split("Ja.\n\nFrom: Jane Doe <jane@acme.com>\nSent: Monday\nSubject: x\n\nold")
        #expect(c.newText == "Ja.")
    }

    @Test func interleavedQuotesKeepTheAnswers() {
        let s = TextSplit.split("> Are you free?\nYes.\n> Salary?\n100k.")
        #expect(s.newText == "Yes.\n100k.")
    }
}

@Suite struct MailboxTests {
    @Test func mboxSplitsAndUnescapes() {
        let text = "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\n>From here\n>>From there\nFrom the text\n\nFrom b@c Mon Jan  1 00:00:00 2024\nSubject: two\n\nbody\n"
        let parts = Mbox.split(Array(text.utf8))
        #expect(parts.count == 2)
        let first = String(decoding: parts[0].bytes, as: UTF8.self)
        #expect(first == "Subject: one\n\nFrom here\n>From there\nFrom the text\n")
        #expect(String(decoding: parts[1].bytes, as: UTF8.self) == "Subject: two\n\nbody\n")
        // from an offset: only what follows
        let later = Mbox.split(Array(text.utf8), from: parts[1].offset)
        #expect(later.count == 1)
    }

    @Test func scanStateRoundTripsAndRejectsDamage() {
        var s = ScanState()
        s.marker = UUID()
        s.maildirs["/m"] = .init(curMtime: 5, newMtime: 6, seen: ["a", "b"])
        s.mboxes["/x y"] = .init(size: 10, mtime: 3, offset: 10)
        let text = s.encoded()
        #expect(ScanState.decode(text) == s)
        #expect(ScanState.decode(String(text.dropLast(5))) == nil)  // truncated
        #expect(ScanState.decode(text.replacingOccurrences(of: "maildir 5", with: "maildir x")) == nil)
        #expect(ScanState.decode("") == nil)
        #expect(ScanState.decode("rapport-mail-scan 9\nend 1\n") == nil)
    }

    /// The re-scan's quick check reads only the folder lines and agrees with the full
    /// decode: unchanged only when every folder and file asked about is there with the
    /// same times and sizes, for the same store, in a file written whole.
    @Test func scanStateQuickCheck() {
        var s = ScanState()
        s.marker = UUID()
        s.store = "1:2"
        // A message name that looks like a folder line is skipped as a name.
        s.maildirs["/m"] = .init(curMtime: 5, newMtime: 6, seen: ["a", "maildir 1 1 0 /other", "mbox 1 1 0 /x"])
        s.maildirs["/racy"] = .init(curMtime: 0, newMtime: 6, seen: [])
        s.mboxes["/x y"] = .init(size: 10, mtime: 3, offset: 10)
        let bytes = Array(s.encoded().utf8)
        func check(_ dirs: [String: (cur: Int64, new: Int64)], _ boxes: [String: (size: Int64, mtime: Int64)] = [:],
                   store: String? = "1:2", _ b: [UInt8]? = nil) -> Bool {
            ScanState.unchanged(b ?? bytes, maildirs: dirs, mboxes: boxes, store: store)
        }
        #expect(check(["/m": (5, 6)]))
        #expect(check(["/m": (5, 6)], ["/x y": (10, 3)]))
        #expect(check([:], ["/x y": (10, 3)]))
        #expect(!check(["/m": (5, 7)]), "new/ changed")
        #expect(!check(["/m": (4, 6)]), "cur/ changed")
        #expect(!check(["/m": (5, 6)], ["/x y": (11, 3)]), "the mbox grew")
        #expect(!check(["/m": (5, 6), "/n": (1, 1)]), "a folder never scanned")
        #expect(!check(["/other": (1, 1)]), "a message name is not a folder line")
        #expect(!check(["/racy": (0, 6)]), "a time not trusted (racy) means look again")
        #expect(!check(["/m": (5, 6)], store: "9:9"), "another store")
        #expect(!check(["/m": (5, 6)], [:], Array(bytes.dropLast(3))), "truncated")
        #expect(!check(["/m": (5, 6)], [:], Array("rapport-mail-scan 9\nend 1\n".utf8)))
        #expect(!check(["/m": (5, 6)], [:], []))
        var noStore = s
        noStore.store = nil
        #expect(!check(["/m": (5, 6)], [:], Array(noStore.encoded().utf8)), "a state without its store is not trusted")
    }

    @Test func maildirUniqueName() {
        #expect(Maildir.unique("1700.M1P2.host:2,RS") == "1700.M1P2.host")
        #expect(Maildir.unique("1700.M1P2.host") == "1700.M1P2.host")
    }

    @Test func calendarInvite() {
        let ev = CalendarInvite.events("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:abc@x\r\nSUMMARY:Interview\\, round 1\r\nDTSTART;TZID=Europe/Berlin:20261201T150000\r\nDURATION:PT45M\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        #expect(ev.count == 1)
        #expect(ev[0].summary == "Interview, round 1")
        #expect(ev[0].minutes == 45)
        #expect(ev[0].start == Date(timeIntervalSince1970: 1_796_133_600))  // 2026-12-01T14:00:00Z
        #expect(!ev[0].cancelled)
    }
}

@Suite struct LinearityTests {
    /// Inputs that make naive readers quadratic; these finish (and read right) because each
    /// step looks ahead a bounded distance or once.
    @Test func pathologicalInputsReadRight() {
        let lt = String(repeating: "a < b ", count: 20_000)
        #expect(HTMLText.text(lt).hasPrefix("a < b a < b"))
        let words = String(repeating: "=?a?q?", count: 20_000)
        #expect(!EncodedWords.decode(words).isEmpty)  // read in one pass (each word is bounded)
        let tags = String(repeating: "<b>x</b> ", count: 20_000)
        #expect(HTMLText.text(tags).hasPrefix("x x x"))
    }
}
