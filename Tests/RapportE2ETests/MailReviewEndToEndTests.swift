import Foundation
import RapportCore
import RapportStore
import Testing

/// `rapport ingest` creates recruiters from mail (tagged `from-mail`); `M` in the TUI
/// (a real terminal, tmux) reviews them: keep two, reject one, commit; the store has the
/// two without the tag and not the third; ingest does not create the third again; and
/// `rapport undo` takes the review back whole.
@Suite("Mail review in tmux", .serialized, .enabled(if: Tmux.available, "tmux is not installed; `make test` installs it"))
struct MailReviewEndToEndTests {
    static let now = TUIEndToEndTests.now

    /// A maildir with one message from each of three unknown senders with recruiter
    /// evidence (a recruiter title in the signature, an ATS "via" sender, outreach).
    static func maildir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-mail-e2e-\(UUID().uuidString)").path
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        let mails = [
            ("1", "Sam Sample <sam@bigsearch.example>", "Mon, 02 Mar 2026 10:00:00 +0000",
             "Hello, I came across your profile.\n\n-- \nSam Sample\nSenior Technical Recruiter, BigSearch\n"),
            ("2", "Rita Recruiter via Greenhouse <no-reply@greenhouse.io>", "Tue, 03 Mar 2026 10:00:00 +0000",
             "Could we talk on Thursday about the platform role?\n"),
            ("3", "Tess Talent <tess@talentco.example>", "Wed, 04 Mar 2026 10:00:00 +0000",
             "I came across your profile and have an exciting opportunity with my client: are you open to a new role?\n"),
        ]
        for (n, from, date, body) in mails {
            let text = "From: \(from)\nTo: Ada <ada@example.com>\nSubject: Role \(n)\nDate: \(date)\nMessage-ID: <rev\(n)@e2e>\n\n\(body)"
            try text.write(toFile: "\(dir)/cur/17000000\(n).M\(n)P1.e2e:2,S", atomically: true, encoding: .utf8)
        }
        return dir
    }

    func database(_ dir: String) throws -> Database {
        let store = try Store.open(AppPaths(storeDirectory: dir))
        defer { try? store.close() }
        return store.database
    }

    func rapport(_ args: [String]) throws -> Run {
        try Run.run(TUIEndToEndTests.binary, args, environment: ["RAPPORT_NOW": Self.now, "PATH": "/usr/bin:/bin", "HOME": "/nonexistent"])
    }

    @Test("M: keep two, reject one, commit; ingest does not bring the third back; rapport undo restores the store")
    func keepTwoRejectOneCommitUndo() throws {
        let store = try TUIEndToEndTests.makeStore()
        let mail = try Self.maildir()
        let ingest = try rapport(["ingest", "--maildir", mail, "--store", store])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let before = try database(store)
        let fromMail = before.recruiters.values.filter { $0.tags.contains("from-mail") }
        try #require(Set(fromMail.map(\.name)) == ["Sam Sample", "Rita Recruiter", "Tess Talent"], "\(String(decoding: ingest.stdout, as: UTF8.self))")

        let tmux = try Tmux(width: 110, height: 32)
        try tmux.type("RAPPORT_NOW=\(Self.now) \(TUIEndToEndTests.binary) --store \(store); echo EXIT=$?")
        try tmux.until(contains: "Recruiters 9")
        try tmux.keys("M")
        try tmux.until(contains: "Recruiters from mail: 3 people · 3 to keep")
        // Oldest first: Sam, Rita, Tess. The selected person's evidence is shown.
        try tmux.until(contains: "signature: Senior Technical Recruiter, BigSearch")
        try tmux.keys("a")
        try tmux.until(contains: "sent through Greenhouse")
        try tmux.keys("a")
        try tmux.until(contains: "outreach")
        try tmux.keys("r")
        try tmux.until(contains: "3 people · 2 to keep")
        try tmux.until("Tess rejected") { $0.contains { $0.hasPrefix("[ ] ") && $0.contains("Tess Talent") } }
        try tmux.keys("Enter")
        try tmux.until(contains: "kept 2, rejected 1")
        try tmux.keys("q")
        try tmux.until(contains: "EXIT=0")

        let after = try database(store)
        let sam = try #require(after.recruiters.values.first { $0.name == "Sam Sample" })
        let rita = try #require(after.recruiters.values.first { $0.name == "Rita Recruiter" })
        #expect(!sam.tags.contains("from-mail") && !rita.tags.contains("from-mail"))
        #expect(sam.notes?.contains("Found in mail") == true, "the evidence stays in the notes")
        #expect(!after.recruiters.values.contains { $0.name == "Tess Talent" })
        #expect(after.messageCount == before.messageCount - 1, "Tess's message goes with her")
        let tess = try #require(fromMail.first { $0.name == "Tess Talent" })
        let rejected = try String(contentsOfFile: store + "/mail-rejected", encoding: .utf8)
        #expect(rejected.contains(tess.id.uuidString.lowercased()))

        // Reading all the mail again does not create Tess again.
        let again = try rapport(["ingest", "--maildir", mail, "--store", store, "--rescan"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!(try database(store)).recruiters.values.contains { $0.name == "Tess Talent" })

        // The review is one undo step, taken back by its id.
        let list = try rapport(["undo", "--list", "--store", store])
        let line = try #require(String(decoding: list.stdout, as: UTF8.self).split(separator: "\n")
            .first { $0.contains("Review recruiters from mail") }, "\(String(decoding: list.stdout, as: UTF8.self))")
        let id = String(line.split(separator: " ").first ?? "")
        let undo = try rapport(["undo", id, "--store", store])
        #expect(undo.status == 0, "\(undo.stderr)")
        let restored = try database(store)
        #expect(restored.recruiters == before.recruiters)
        #expect(restored.threads == before.threads)
    }

    @Test("M then u: the TUI's undo takes the whole review back through the store")
    func undoInTheTUI() throws {
        let store = try TUIEndToEndTests.makeStore()
        let mail = try Self.maildir()
        let ingest = try rapport(["ingest", "--maildir", mail, "--store", store])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let before = try database(store)
        let tmux = try Tmux(width: 110, height: 32)
        try tmux.type("RAPPORT_NOW=\(Self.now) \(TUIEndToEndTests.binary) --store \(store); echo EXIT=$?")
        try tmux.until(contains: "Recruiters 9")
        try tmux.keys("M")
        try tmux.until(contains: "Recruiters from mail: 3 people · 3 to keep")
        try tmux.keys("r", "a", "a")
        try tmux.until(contains: "3 people · 2 to keep")
        try tmux.keys("Enter")
        try tmux.until(contains: "kept 2, rejected 1")
        try tmux.until(contains: "Recruiters 8")
        try tmux.keys("u")
        try tmux.until(contains: "Undone: Review recruiters from mail")
        try tmux.until(contains: "Recruiters 9")
        try tmux.keys("q")
        try tmux.until(contains: "EXIT=0")
        let restored = try database(store)
        #expect(restored.recruiters == before.recruiters)
        #expect(restored.threads == before.threads)
    }
}

