import Foundation
import Testing

/// A week of a candidate's work — messages in, replies, an interview and its thank-you, a
/// courtesy decline, a recruiter put to sleep — through the CLI day by day, then the
/// interface on the next Monday: the last overdue deadline is done with `x` and the
/// Overdue section is empty, in the interface and in `rapport due`.
@Suite("A week of work ends with nothing overdue", .serialized, .enabled(if: Tmux.available, "tmux is not installed; `make test` installs it"))
struct DeadlineWeekEndToEndTests {
    let binary = TUIEndToEndTests.binary

    @discardableResult
    func cli(_ store: String, _ now: String, _ args: String...) throws -> String {
        let r = try Run.run(binary, args + ["--store", store], environment: ["RAPPORT_NOW": now, "TZ": "UTC", "PATH": "/usr/bin:/bin"])
        let out = String(decoding: r.stdout, as: UTF8.self)
        guard r.status == 0 else {
            throw WeekFailure("rapport \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)")
        }
        return out
    }

    func rows(_ store: String, _ now: String) throws -> [[String: Any]] {
        let json = try cli(store, now, "due", "--json", "--within", "30d")
        return try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
    }

    func overdueRows(_ store: String, _ now: String) throws -> [[String: Any]] {
        try rows(store, now).filter { $0["overdue"] as? Bool == true }
    }

    @Test func aWeekOfWork() throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-week-\(UUID().uuidString)").path
        // Monday: four recruiters write.
        let mon = "2026-03-02T09:00:00Z"
        for name in ["Ana Active", "Ben Interview", "Cy Decline", "Dee Dormant"] { try cli(store, mon, "add", name) }
        for name in ["ana", "ben", "cy", "dee"] { try cli(store, mon, "log", name, "--in", "--subject", "A role") }
        // Tuesday: replies to Ana and Ben; Ben sets up an interview on Wednesday.
        let tue = "2026-03-03T10:00:00Z"
        try cli(store, tue, "reply", "ana")
        try cli(store, tue, "reply", "ben")
        try cli(store, tue, "interview", "ben", "--at", "2026-03-04T14:00:00Z", "--role", "Engineer", "--employer", "Acme")
        // Thursday: the thank-you (done on its row logs it), a courtesy decline, Ana writes again.
        let thu = "2026-03-05T09:00:00Z"
        let thanks = try rows(store, thu).filter { $0["kind"] as? String == "thank-you" }
        let thankYouID = try #require(thanks.first?["shortId"] as? String)
        try cli(store, thu, "done", thankYouID)
        try cli(store, thu, "decline", "cy", "--reason", "not my field")
        try cli(store, "2026-03-05T11:00:00Z", "log", "ana", "--in", "--subject", "Any news?")
        // Friday: Dee goes dormant until April; her open message counts as answered.
        try cli(store, "2026-03-06T09:00:00Z", "status", "dee", "dormant", "--until", "2026-04-01")

        // The next Monday: only Ana's reply is overdue.
        let next = "2026-03-09T10:00:00Z"
        let overdue = try overdueRows(store, next)
        #expect(overdue.map { $0["recruiter"] as? String } == ["Ana Active"], "\(overdue)")

        let tmux = try Tmux()
        try tmux.type("TZ=UTC RAPPORT_NOW=\(next) \(binary) --store \(store); echo EXIT=$?")
        try tmux.until(contains: "Recruiters 4")
        try tmux.until(contains: "Overdue")
        try tmux.keys("3")      // the Deadlines pane; the overdue reply is the first row
        try tmux.keys("x")      // done: her messages need no reply
        try tmux.until("the Overdue section is gone") { screen in
            !screen.contains { $0.contains("Overdue") } && screen.contains { $0.contains("Done:") }
        }
        try tmux.keys("q")
        try tmux.until(contains: "EXIT=0")
        #expect(try overdueRows(store, next).isEmpty)
        let text = try cli(store, next, "due", "--within", "30d")
        #expect(!text.contains("Overdue"))
    }
}

struct WeekFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
