import Foundation
import RapportCore
import RapportStore
import Testing

/// `rapport import linkedin PATH` in a real terminal (tmux): the review list before
/// anything is written, then `rapport undo` takes the whole import back.
@Suite("Import review in tmux", .serialized, .enabled(if: Tmux.available, "tmux is not installed; `make test` installs it"))
struct ImportReviewEndToEndTests {
    static let now = TUIEndToEndTests.now
    static let header = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT,IS CONVERSATION ARCHIVED\n"

    /// Writes an export folder with one conversation per recruiter (each asked Ada
    /// about a role this week) and returns its path.
    static func export(_ people: [(name: String, slug: String)]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-li-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var text = header
        for (i, p) in people.enumerated() {
            text += "c\(i),,\(p.name),https://www.linkedin.com/in/\(p.slug),Ada Lovelace,https://www.linkedin.com/in/ada,"
                + "2026-03-0\(i + 5) 10:00:00 UTC,,\"My client has a role, are you open to a call?\",INBOX,,No,No\n"
        }
        try text.write(toFile: dir + "/messages.csv", atomically: true, encoding: .utf8)
        return dir
    }

    func database(_ dir: String) throws -> Database {
        let store = try Store.open(AppPaths(storeDirectory: dir))
        defer { try? store.close() }
        return store.database
    }

    func importCommand(_ store: String, _ path: String) -> String {
        "RAPPORT_NOW=\(Self.now) \(TUIEndToEndTests.binary) import linkedin \(path) --store \(store); echo EXIT=$?"
    }

    @Test("accept two, reject one, commit: two recruiters come in; rapport undo restores the store")
    func acceptTwoRejectOneCommitUndo() throws {
        let tmux = try Tmux(width: 100, height: 30)
        let store = try TUIEndToEndTests.makeStore()
        let before = try database(store)
        let export = try Self.export([("Rita Recruiter", "rita"), ("Sam Sourcer", "sam"), ("Tess Talent", "tess")])
        try tmux.type(importCommand(store, export))
        try tmux.until(contains: "LinkedIn import: 3 people · 3 to import")
        try tmux.until(contains: "a accept")
        // The list's rows, top to bottom: which name is third (the one rejected).
        let screen = try tmux.screen()
        let rows = screen.filter { $0.hasPrefix("[x] ") }
        try #require(rows.count == 3, "three proposed rows expected: \(screen)")
        let names = ["Rita Recruiter", "Sam Sourcer", "Tess Talent"]
        let order = rows.compactMap { row in names.first { row.contains($0) } }
        try #require(order.count == 3)
        try tmux.keys("a")
        try tmux.keys("a")
        try tmux.keys("r")
        try tmux.until(contains: "3 people · 2 to import")
        try tmux.until("the third rejected") { $0.contains { $0.hasPrefix("[ ] ") && $0.contains(order[2]) } }
        // ? lists the review's keys; q closes help, not the review.
        try tmux.keys("?")
        try tmux.until(contains: "commit: import the accepted people")
        try tmux.keys("q")
        try tmux.until(contains: "3 people · 2 to import")
        try tmux.keys("Enter")
        try tmux.until(contains: "EXIT=0")
        let out = try tmux.screen().joined(separator: "\n")
        #expect(out.contains("imported: 2 new recruiters"))
        let after = try database(store)
        let added = Set(after.recruiters.values.map(\.name)).subtracting(before.recruiters.values.map(\.name))
        #expect(added == Set(order.prefix(2)))
        #expect(after.recruiters.count == before.recruiters.count + 2)

        let undo = try Run.run(TUIEndToEndTests.binary, ["undo", "--store", store],
                               environment: ["RAPPORT_NOW": Self.now, "PATH": "/usr/bin:/bin"])
        #expect(undo.status == 0, "\(undo.stderr)")
        let restored = try database(store)
        #expect(restored.recruiters == before.recruiters)
        #expect(restored.threads == before.threads)
        #expect(restored == before)
    }

    @Test("q cancels: nothing is written")
    func cancelWritesNothing() throws {
        let tmux = try Tmux(width: 80, height: 24)
        let store = try TUIEndToEndTests.makeStore()
        let before = try database(store)
        let export = try Self.export([("Rita Recruiter", "rita"), ("Sam Sourcer", "sam")])
        try tmux.type(importCommand(store, export))
        try tmux.until(contains: "LinkedIn import: 2 people")
        try tmux.keys("q")
        try tmux.until(contains: "EXIT=0")
        #expect(try tmux.screen().contains { $0.contains("cancelled, nothing written") })
        #expect(try database(store) == before)
    }

    @Test("who you are cannot be told: the terminal asks, then the review opens")
    func asksWhoYouAre() throws {
        let tmux = try Tmux(width: 80, height: 24)
        let store = try TUIEndToEndTests.makeStore(empty: true)
        // One conversation: both participants are in every conversation.
        let export = try Self.export([("Rita Recruiter", "rita")])
        try tmux.type(importCommand(store, export))
        try tmux.until(contains: "which of these participants is you?")
        let screen = try tmux.screen()
        let adaLine = try #require(screen.first { $0.contains(". Ada Lovelace") })
        let number = adaLine.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber }
        try tmux.type(String(number))
        try tmux.until(contains: "LinkedIn import: 1 person · 1 to import")
        try tmux.keys("Enter")
        try tmux.until(contains: "EXIT=0")
        #expect(try database(store).recruiters.values.map(\.name) == ["Rita Recruiter"])
    }
}
