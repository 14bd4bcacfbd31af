import Foundation
import RapportCore
import Testing
@testable import RapportMail

/// Mail written and delivered by software that is not ours: Python's `email` package,
/// neomutt (or mutt) in batch mode, procmail, maildrop, and notmuch with a post-new hook.
/// Each test is skipped only when its program is not installed (`make test` and CI
/// install them).
@Suite(.serialized) struct RealToolsTests {
    static let joerg = StableID.make(.recruiter, "email:joerg@headhunt.example")
    static let python = Sandbox.which("python3")
    static let mutt = Sandbox.which("neomutt") ?? Sandbox.which("mutt")

    /// Python's email package writes eight messages in every encoding into a maildir.
    func pythonMaildir(_ box: Sandbox) throws -> String {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gen_mail.py").path
        let dir = box.root.appendingPathComponent("Mail/inbox").path
        try FileManager.default.createDirectory(atPath: box.root.appendingPathComponent("Mail").path, withIntermediateDirectories: true)
        let out = try box.run(Self.python!, [script, dir])
        #expect(out.status == 0, "\(out.stderr)")
        return dir
    }

    @Test(.enabled(if: python != nil)) func everyEncodingFromPythonsEmailPackage() throws {
        let box = try Sandbox()
        defer { box.cleanUp() }
        let dir = try pythonMaildir(box)
        let first = try box.rapport(["ingest", "--maildir", dir, "--me", "me@example.com"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("8 new messages (7 in, 1 out, 0 LinkedIn), 1 new recruiter"), "\(first.stdout)")
        let doc = try box.document()
        let joerg = try #require(doc.recruiters.first { $0.id == Self.joerg })
        #expect(joerg.name == "Jörg Müller")
        #expect(joerg.tags == ["from-mail"])
        #expect(joerg.emails == ["joerg@headhunt.example"])
        let byID = Dictionary(doc.messages.map { ($0.extra[MailKeys.messageID], $0) }, uniquingKeysWith: { a, _ in a })
        func msg(_ n: Int) throws -> Message { try #require(byID[.string("py\(n)@test.example")], "py\(n)") }
        #expect(try msg(1).subject == "Rolle in Zürich — iOS")
        #expect(try msg(1).body == "Grüße! Ich habe eine spannende Rolle für Sie, open to a chat?")
        #expect(try msg(2).subject == "Café à Paris")
        #expect(try msg(2).body == "Café à Paris: the role is still open.")
        #expect(try msg(3).subject == "Salaire en €")
        #expect(try msg(3).body == "Salaire: 90 000 € par an.")
        #expect(try msg(4).subject == "“Quick” question")
        #expect(try msg(4).body == "“Quick” question – still interested?")
        #expect(try msg(5).body == "Plain twin wins.")
        let html = try msg(6).body ?? ""
        #expect(html.contains("Only HTML & entities!"))
        #expect(!html.contains("<") && !html.contains("color"))
        #expect(try msg(7).body == "This paragraph is flowed into one line.")
        let reply = try msg(8)
        #expect(reply.direction == .outbound)
        #expect(reply.body == "Danke, gerne!")
        #expect(try msg(1).extra[MailKeys.file].map { if case .string(let p) = $0 { FileManager.default.fileExists(atPath: p) } else { false } } == true)
        #expect(doc.messages.allSatisfy { $0.recruiterID == Self.joerg })

        // A re-scan finds nothing new and writes nothing.
        let storeBefore = box.storeBytes()
        let again = try box.rapport(["ingest", "--maildir", dir, "--me", "me@example.com"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("0 new messages"), "\(again.stdout)")
        #expect(box.storeBytes() == storeBefore)

        // Without the state file everything is read again, and nothing is added twice.
        try FileManager.default.removeItem(atPath: box.store + "/" + "mail-scan.state")
        let full = try box.rapport(["ingest", "--maildir", dir, "--me", "me@example.com"])
        #expect(full.stdout.contains("8 already in Rapport"), "\(full.stdout)")
        #expect(try box.document().messages.count == 8)

        // A damaged state file is noticed and ignored.
        _ = try box.write("rapport-mail-scan 1\nmaildir x\n", to: "store/mail-scan.state")
        let damaged = try box.rapport(["ingest", "--maildir", dir])
        #expect(damaged.status == 0)
        #expect(damaged.stderr.contains("not a mail scan state"))
    }

    /// A no-reply mail signed by a recruiter, a call, an interview re-sent at a new time
    /// and the call cancelled, all written by Python's email package.
    @Test(.enabled(if: python != nil)) func signatureNameAndCalendarFromPythonsEmailPackage() throws {
        let box = try Sandbox()
        defer { box.cleanUp() }
        let added = try box.rapport(["add", "Priya Nair", "--email", "priya@acme.example", "--firm", "Acme"])
        #expect(added.status == 0, "\(added.stderr)")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gen_calendar.py").path
        let dir = box.root.appendingPathComponent("Mail/acme").path
        try FileManager.default.createDirectory(atPath: box.root.appendingPathComponent("Mail").path, withIntermediateDirectories: true)
        let gen = try box.run(Self.python!, [script, dir])
        try #require(gen.status == 0, "\(gen.stderr)")
        // Only the first four: the call is still on.
        let all = box.files(in: dir + "/new").sorted()
        try #require(all.count == 5)
        let held = box.root.appendingPathComponent("held").path
        try FileManager.default.createDirectory(atPath: held, withIntermediateDirectories: true)
        var cancellation: String?
        for f in all {
            let text = try String(contentsOfFile: dir + "/new/" + f, encoding: .utf8)
            if text.contains("<cal5@test.example>") {
                cancellation = f
                try FileManager.default.moveItem(atPath: dir + "/new/" + f, toPath: held + "/" + f)
            }
        }
        let cancelName = try #require(cancellation)
        let first = try box.rapport(["ingest", "--maildir", dir, "--me", "me@example.com", "-v"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("4 new messages (4 in, 0 out, 0 LinkedIn)"), "\(first.stdout)")
        #expect(first.stdout.contains("1 call"), "\(first.stdout)")
        #expect(!first.stdout.contains("new recruiter"), "\(first.stdout)")
        var doc = try box.document()
        let priya = try #require(doc.recruiters.first { $0.name == "Priya Nair" })
        #expect(doc.recruiters.count == 1)
        #expect(priya.emails == ["priya@acme.example"], "no address guessed from the no-reply sender")
        let signed = try #require(doc.messages.first { $0.extra[MailKeys.messageID] == .string("cal1@test.example") })
        #expect(signed.recruiterID == priya.id)
        let call = try #require(doc.expectations.first)
        #expect(call.recruiterID == priya.id)
        #expect(call.note == "Call: Intro call with Acme")
        #expect(ISO8601.format(call.by) == "2026-12-02T15:00:00Z")
        let interviews = doc.opportunities.flatMap(\.interviews)
        #expect(interviews.count == 1)
        #expect(interviews.first.map { ISO8601.format($0.at) } == "2026-12-04T10:00:00Z")
        #expect(interviews.first?.durationMinutes == 45)

        // The cancellation arrives: the call goes; the interview stays.
        try FileManager.default.moveItem(atPath: held + "/" + cancelName, toPath: dir + "/new/" + cancelName)
        let second = try box.rapport(["ingest", "--maildir", dir, "--me", "me@example.com"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("1 new message (1 in, 0 out, 0 LinkedIn), 1 cancelled"), "\(second.stdout)")
        doc = try box.document()
        #expect(doc.expectations.isEmpty)
        #expect(doc.opportunities.flatMap(\.interviews).count == 1)
        // Reading everything again changes nothing (idempotent).
        let again = try box.rapport(["ingest", "--maildir", dir, "--me", "me@example.com", "--rescan"])
        #expect(again.stdout.contains("5 already in Rapport"), "\(again.stdout)")
        #expect(try box.document().expectations.isEmpty)
    }

    @Test(.enabled(if: python != nil)) func dryRunWritesNothingAndBadInputIsOneLine() throws {
        let box = try Sandbox()
        defer { box.cleanUp() }
        let dir = try pythonMaildir(box)
        _ = try box.rapport(["add", "Someone"])
        let before = box.storeBytes()
        let dry = try box.rapport(["ingest", "--maildir", dir, "--dry-run", "--me", "me@example.com"])
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("would add recruiter Jörg Müller"), "\(dry.stdout)")
        #expect(dry.stdout.contains("dry run, nothing written"))
        #expect(box.storeBytes() == before)
        #expect(!FileManager.default.fileExists(atPath: box.store + "/mail-scan.state"))

        let notDir = try box.rapport(["ingest", "--maildir", box.root.appendingPathComponent("nope").path])
        #expect(notDir.status == 2)
        #expect(notDir.stderr.split(separator: "\n").count == 1)
        #expect(notDir.stderr.contains("no such folder"))
        let notMaildir = try box.rapport(["ingest", "--maildir", box.root.path])
        #expect(notMaildir.stderr.contains("not a maildir"))
        let badMe = try box.rapport(["ingest", "--me", "nobody"], input: "From: a@b.c\n\nx")
        #expect(badMe.status == 2)
        #expect(badMe.stderr.contains("--me: 'nobody' is not an e-mail address"))
        #expect(box.storeBytes() == before)
    }

    @Test(.enabled(if: mutt != nil && python != nil)) func replySentWithNeomuttClosesTheThread() throws {
        var box = try Sandbox()
        // neomutt dates the mail with the real clock; "now" must be after it.
        box.now = ISO8601.format(Date().addingTimeInterval(3600))
        defer { box.cleanUp() }
        let inbox = try pythonMaildir(box)
        let sent = try box.makeMaildir("Mail/Sent")
        let rc = try box.write("""
            set mbox_type=Maildir
            set folder=\(box.root.path)/Mail
            set record=\(sent)
            set copy=yes
            set from="Me <me@example.com>"
            set use_from=yes
            set sendmail="/bin/true"
            set charset="utf-8"
            set send_charset="utf-8"
            """, to: "muttrc")
        let out = try box.run(Self.mutt!, ["-n", "-F", rc, "-s", "Re: Rolle in Zürich", "-e", "my_hdr In-Reply-To: <py1@test.example>",
                                           "--", "joerg@headhunt.example"], input: Data("Danke, Jörg — Dienstag passt.\n".utf8))
        #expect(out.status == 0, "\(out.stderr)")
        #expect(!box.files(in: sent + "/cur").isEmpty || !box.files(in: sent + "/new").isEmpty)
        // Who you are comes from config.toml's [me] addresses.
        let configDir = box.root.appendingPathComponent("config/rapport")
        try FileManager.default.createDirectory(at: configDir, withIntermediateDirectories: true)
        try Data("[me]\naddresses = [\"Me@Example.com\"]\n".utf8).write(to: configDir.appendingPathComponent("config.toml"))
        let r = try box.rapport(["ingest", "--maildir", inbox, "--maildir", sent])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("2 out"), "\(r.stdout)")
        let thread = try box.document().messages.filter { $0.recruiterID == Self.joerg }.sorted { $0.at < $1.at }
        let last = try #require(thread.last)
        #expect(last.direction == .outbound)
        #expect(last.subject == "Re: Rolle in Zürich")
        #expect(last.body == "Danke, Jörg — Dienstag passt.")
        // Nobody is waiting on the candidate.
        let due = try box.rapport(["show", "Jörg", "--json"])
        #expect(due.status == 0)
        #expect(due.stdout.contains("\"turn\" : \"theirs\""), "\(due.stdout)")
    }

    static let recruiterMail = """
        From: Jane Doe <jane@acme-talent.example>
        To: me@example.com
        Subject: A role for you
        Message-ID: <deliver1@acme>
        Date: Mon, 23 Nov 2026 10:00:00 +0000

        Hi! I came across your profile: my client is hiring, open to a quick call?

        --\u{20}
        Jane Doe, Technical Recruiter

        """

    @Test(.enabled(if: Sandbox.which("procmail") != nil)) func procmailDeliversAndIngests() throws {
        let box = try Sandbox()
        defer { box.cleanUp() }
        let inbox = try box.makeMaildir("Mail/inbox")
        // procmail clears the environment (but for TZ): the recipe sets what rapport needs.
        let rc = try box.write("""
            RAPPORT_STORE=\(box.store)
            RAPPORT_NOW=\(box.now)
            MAILDIR=\(box.root.path)/Mail
            DEFAULT=\(inbox)/
            LOGFILE=\(box.root.path)/procmail.log
            :0c
            | \(Sandbox.rapport ?? "rapport") ingest

            :0
            \(inbox)/

            """, to: "procmailrc", mode: 0o600)
        let out = try box.run(Sandbox.which("procmail")!, ["-m", rc], input: Data(Self.recruiterMail.utf8))
        let log = (try? String(contentsOfFile: box.root.path + "/procmail.log", encoding: .utf8)) ?? ""
        #expect(out.status == 0, "\(out.stderr) \(log)")
        #expect(box.files(in: inbox + "/new").count == 1)
        let doc = try box.document()
        let jane = try #require(doc.recruiters.first { $0.emails == ["jane@acme-talent.example"] }, "\(log)")
        #expect(jane.tags == ["from-mail"])
        #expect(doc.messages.first?.body == "Hi! I came across your profile: my client is hiring, open to a quick call?")
        // The same mail delivered again is not added twice.
        _ = try box.run(Sandbox.which("procmail")!, ["-m", rc], input: Data(Self.recruiterMail.utf8))
        #expect(try box.document().messages.count == 1)
    }

    @Test(.enabled(if: Sandbox.which("maildrop") != nil)) func maildropDeliversAndIngests() throws {
        let box = try Sandbox()
        defer { box.cleanUp() }
        let inbox = try box.makeMaildir("Mail/inbox")
        let filter = try box.write("""
            RAPPORT_STORE="\(box.store)"
            RAPPORT_NOW="\(box.now)"
            cc "| \(Sandbox.rapport ?? "rapport") ingest"
            to "\(inbox)/"

            """, to: "mailfilter", mode: 0o600)
        let out = try box.run(Sandbox.which("maildrop")!, [filter], input: Data(Self.recruiterMail.utf8))
        #expect(out.status == 0, "\(out.stdout) \(out.stderr)")
        #expect(box.files(in: inbox + "/new").count == 1)
        #expect(try box.document().messages.count == 1)
    }

    @Test(.enabled(if: Sandbox.which("notmuch") != nil)) func notmuchPostNewHookIngests() throws {
        let box = try Sandbox()
        defer { box.cleanUp() }
        let mail = box.root.appendingPathComponent("Mail").path
        let inbox = try box.makeMaildir("Mail/inbox")
        let config = try box.write("""
            [database]
            path=\(mail)
            [user]
            name=Me
            primary_email=me@example.com
            [new]
            tags=unread;inbox;
            [maildir]
            synchronize_flags=true

            """, to: "notmuch-config")
        _ = try box.write("""
            #!/bin/sh
            exec rapport ingest --maildir "\(inbox)" --me me@example.com

            """, to: "Mail/.notmuch/hooks/post-new", mode: 0o755)
        let env = ["NOTMUCH_CONFIG": config]
        let notmuch = Sandbox.which("notmuch")!
        let first = try box.run(notmuch, ["new"], env: env)
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        #expect(try box.document().messages.isEmpty)
        // A message arrives (as a fetcher writes it: tmp/ then new/), then `notmuch new`.
        let name = "1796000000.M1P1.test"
        try Data(Self.recruiterMail.utf8).write(to: URL(fileURLWithPath: inbox + "/tmp/" + name))
        try FileManager.default.moveItem(atPath: inbox + "/tmp/" + name, toPath: inbox + "/new/" + name)
        let second = try box.run(notmuch, ["new"], env: env)
        #expect(second.status == 0, "\(second.stdout) \(second.stderr)")
        let count = try box.run(notmuch, ["count", "from:jane@acme-talent.example"], env: env)
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        let doc = try box.document()
        #expect(doc.messages.count == 1)
        #expect(doc.recruiters.first?.name == "Jane Doe")
        // notmuch moves nothing, but a client marking the mail read renames it into cur/:
        // that is the same message, not a new one.
        try FileManager.default.moveItem(atPath: inbox + "/new/" + name, toPath: inbox + "/cur/" + name + ":2,S")
        let third = try box.run(notmuch, ["new"], env: env)
        #expect(third.status == 0)
        #expect(try box.document().messages.count == 1)
    }

    @Test func stdinQueryAndLinkedIn() throws {
        let box = try Sandbox()
        defer { box.cleanUp() }
        let r = try box.rapport(["ingest"], input: Self.recruiterMail)
        #expect(r.status == 0, "\(r.stderr)")
        let q = try box.rapport(["query", "jane"])
        #expect(q.stdout == "rapport: 1 address\njane@acme-talent.example\tJane Doe\tAcme-talent\n")
        let aerc = try box.rapport(["query", "--no-header", "acme"])
        #expect(aerc.stdout == "jane@acme-talent.example\tJane Doe\tAcme-talent\n")
        let none = try box.rapport(["query", "zzz"])
        #expect(none.stdout == "rapport: no recruiter matches\n")
        let li = try box.rapport(["ingest"], input: """
            From: Jane Doe via LinkedIn <messages-noreply@linkedin.com>
            Subject: Jane Doe sent you a message
            Message-ID: <li@linkedin.com>
            Date: Tue, 24 Nov 2026 10:00:00 +0000

            Jane Doe
            Did you see my mail? Happy to talk this week.
            View message
            """)
        #expect(li.status == 0, "\(li.stderr)")
        #expect(li.stdout.contains("1 LinkedIn"))
        let m = try #require(try box.document().messages.first { $0.channel == .linkedin })
        #expect(m.body == "Did you see my mail? Happy to talk this week.")
        #expect(m.extra[MailKeys.linkedinSnippet] == .bool(true))
        let empty = try box.rapport(["ingest"], input: "")
        #expect(empty.status == 2)
    }

    @Test func mboxWithGrowth() throws {
        let box = try Sandbox()
        defer { box.cleanUp() }
        let one = "From jane@acme-talent.example Mon Nov 23 10:00:00 2026\n" + Self.recruiterMail + "\n"
        let path = try box.write(one, to: "mbox")
        let r1 = try box.rapport(["ingest", "--mbox", path])
        #expect(r1.stdout.contains("1 new message"), "\(r1.stdout) \(r1.stderr)")
        let two = one + "From jane@acme-talent.example Tue Nov 24 10:00:00 2026\nFrom: jane@acme-talent.example\nSubject: Re: A role for you\nMessage-ID: <deliver2@acme>\nDate: Tue, 24 Nov 2026 10:00:00 +0000\n\n>From the client: yes.\n\n"
        try Data(two.utf8).write(to: URL(fileURLWithPath: path))
        let r2 = try box.rapport(["ingest", "--mbox", path])
        #expect(r2.stdout.contains("1 new message"), "\(r2.stdout) \(r2.stderr)")
        #expect(!r2.stdout.contains("already"), "only the new part is read: \(r2.stdout)")
        let bodies = try box.document().messages.compactMap(\.body)
        #expect(bodies.contains("From the client: yes."))
    }

    @Test func controlCharactersInMailAreNotPrintedRaw() throws {
        let box = try Sandbox()
        defer { box.cleanUp() }
        let mail = Self.recruiterMail.replacingOccurrences(of: "Subject: A role for you", with: "Subject: =?utf-8?q?evil=1B]0;title=07?=")
        let dry = try box.rapport(["ingest", "--dry-run"], input: mail)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would add recruiter Jane Doe"))
        #expect(!dry.stdout.contains("\u{1B}") && !dry.stdout.contains("\u{07}"))
        #expect(!FileManager.default.fileExists(atPath: box.store + "/journal.jsonl"))
    }
}

