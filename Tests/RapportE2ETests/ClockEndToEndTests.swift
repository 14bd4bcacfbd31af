import Foundation
import Testing

/// `rapport show` and the TUI read "now" the same way (`RAPPORT_NOW`, else the system
/// clock) and compute a deadline's relative time with the same function, so under the
/// same RAPPORT_NOW they print the same "overdue 48w". A program started inside tmux
/// gets the tmux server's environment, not the environment of the shell that asked
/// for the session: that is how one follow-up read "overdue 47w" in `show` and
/// "overdue 9w" in the TUI. Both now say which clock they use, so such a mix-up shows.
@Suite("show and the TUI agree on now", .serialized, .enabled(if: Tmux.available, "tmux is not installed; `make test` installs it"))
struct ClockEndToEndTests {
    let binary = TUIEndToEndTests.binary
    let now = "2026-03-09T15:00:00Z"

    func cli(_ store: String, _ now: String, _ args: String...) throws -> String {
        let r = try Run.run(binary, args + ["--store", store], environment: ["RAPPORT_NOW": now, "TZ": "UTC", "PATH": "/usr/bin:/bin"])
        guard r.status == 0 else { throw E2EError("rapport \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)") }
        return String(decoding: r.stdout, as: UTF8.self)
    }

    @Test func showAndTheTUIPrintTheSameOverdueUnderOneClock() throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-clock-\(UUID().uuidString)").path
        _ = try cli(store, now, "add", "Fu Old")
        _ = try cli(store, now, "follow-up", "Fu Old", "--due", "2025-04-07", "--note", "send the portfolio")
        let shown = try cli(store, now, "show", "Fu Old")
        #expect(shown.contains("Deadlines (as of 2026-03-09 15:00, RAPPORT_NOW):"))
        let showRow = try #require(shown.split(separator: "\n").first { $0.contains("follow-up:") })
        #expect(showRow.contains("overdue 48w"))
        let due = try cli(store, now, "due")
        #expect(due.contains("overdue 48w"))

        // A tmux server whose own environment holds another RAPPORT_NOW, as when it was
        // started earlier for another test.
        let tmux = try Tmux(width: 120, height: 30, environment: ["RAPPORT_NOW": "2025-06-09T15:00:00Z", "TZ": "UTC"])
        // Given on the command line, RAPPORT_NOW is the same as show's: the same row.
        try tmux.type("RAPPORT_NOW=\(now) \(binary) --store \(store); echo EXIT=$?")
        let screen = try tmux.until(contains: "Deadlines 1")
        #expect(screen.contains { $0.contains("overdue 48w") && $0.contains("Follow up with Fu Old") }, "\(screen)")
        #expect(screen[0].contains("Mon 9 Mar 2026 15:00 · RAPPORT_NOW"))
        try tmux.keys("q")
        try tmux.until(contains: "EXIT=0")
        // Left to the server's environment, the TUI runs at that other time, and its
        // title says which: nine weeks after the due date, in June 2025.
        try tmux.type("clear; \(binary) --store \(store); echo EXIT=$?")
        let other = try tmux.until(contains: "Deadlines 1")
        #expect(other.contains { $0.contains("overdue 9w") })
        #expect(other[0].contains("Mon 9 Jun 2025 15:00 · RAPPORT_NOW"))
        try tmux.keys("q")
        try tmux.until(contains: "EXIT=0")
    }
}
