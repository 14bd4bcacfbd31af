import Foundation
import RapportTestSupport
import Testing

/// Two stores syncing through a bare git repository (Debian's git), the TUI driven in
/// tmux: device B changes something, device A presses `Y`, the change and the conflict
/// show on A's screen.
@Suite("Sync from the TUI end to end", .serialized,
       .enabled(if: Tmux.available && Tmux.which("git") != nil, "tmux or git is not installed; `make test` installs them"))
struct SyncEndToEndTests {
    static let now = "2026-03-11T15:00:00Z"

    let root = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-sync-e2e-\(UUID().uuidString)").path
    var remote: String { root + "/remote.git" }
    var storeA: String { root + "/a" }
    var storeB: String { root + "/b" }
    /// Git with no user or system configuration (the identity comes from sync init).
    var env: [String: String] {
        var e = ProcessInfo.processInfo.environment
        e["GIT_CONFIG_GLOBAL"] = "/dev/null"
        e["GIT_CONFIG_NOSYSTEM"] = "1"
        e["RAPPORT_NOW"] = Self.now
        e["XDG_CONFIG_HOME"] = root + "/config"
        return e
    }

    @discardableResult
    func rapport(_ store: String, _ args: String...) throws -> String {
        let r = try Run.run(BuiltBinary.path, ["--store", store] + args, environment: env)
        let out = String(decoding: r.stdout, as: UTF8.self)
        if r.status != 0 { throw E2EError("rapport \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)\(out)") }
        return out
    }

    @Test("device B edits and syncs; A presses Y: the new recruiter appears, the conflict shows on Dana, C clears it")
    func pressYOnA() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let git = try Run.run(Tmux.which("git")!, ["init", "-q", "--bare", "-b", "main", remote], environment: env)
        #expect(git.status == 0)
        try rapport(storeA, "add", "Dana Smith", "--firm", "Acme Talent", "--email", "dana@acme.example")
        try rapport(storeA, "sync", "init", remote, "--name", "laptop")
        try rapport(storeB, "sync", "init", remote, "--name", "desktop")
        #expect(try rapport(storeB, "list").contains("Dana Smith"))
        // Both change Dana's firm without seeing each other's change; B also adds someone.
        try rapport(storeB, "edit", "Dana", "--firm", "Globex")
        try rapport(storeB, "add", "Lee Park", "--firm", "Initech")
        try rapport(storeB, "sync")
        try rapport(storeA, "edit", "Dana", "--firm", "Umbrella")
        #expect(try rapport(storeA, "due", "--statusline").hasPrefix("↑"))

        let tmux = try Tmux(width: 160, environment: ["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
                                          "XDG_CONFIG_HOME": root + "/config"])
        try tmux.type("RAPPORT_NOW=\(Self.now) \(BuiltBinary.path) --store \(storeA); echo EXIT=$?")
        try tmux.until(contains: "Recruiters 1")
        try tmux.until(contains: "↑ 1 unsent")
        try tmux.keys("Y")
        // The report on the status line; the new recruiter on screen; the title says when.
        let after = try tmux.until(contains: "changes from desktop, 1 conflict: Dana Smith firm")
        #expect(after.contains { $0.contains("2 changes from desktop") }, "\(after.joined(separator: "\n"))")
        try tmux.until(contains: "Lee Park")
        try tmux.until(contains: "Recruiters 2")
        try tmux.until(contains: "synced just now · 1 conflict")
        // Dana's thread header shows the conflict: the field, both values, who won.
        let rows = try tmux.screen()
        let danaRow = try #require(rows.firstIndex { $0.contains("Dana Smith") && !$0.contains("conflict") })
        let selectedRow = rows.firstIndex { $0.contains("› ") }
        if selectedRow != danaRow { try tmux.keys("j") }
        let shown = try tmux.until(contains: "⚠ conflict: firm:")
        let line = try #require(shown.first { $0.contains("⚠ conflict: firm:") })
        #expect(line.contains("'Globex' (desktop)") && line.contains("'Umbrella' (laptop)"), "\(line)")
        #expect(line.contains("won over"))
        // C clears it: gone from the screen and from sync status.
        try tmux.keys("C")
        try tmux.until(contains: "1 sync conflict on Dana Smith cleared")
        try tmux.until("the conflict line to go") { !$0.contains { $0.contains("⚠ conflict") } }
        try tmux.keys("q")
        try tmux.until(contains: "EXIT=0")
        #expect(try rapport(storeA, "sync", "status").contains("no open conflicts"))
        // A's edit went out with the sync: B finds the same conflict, and both devices
        // export the same data.
        try rapport(storeB, "sync")
        let status = try rapport(storeB, "sync", "status")
        #expect(status.contains("open conflicts: 1") && status.contains("Dana Smith: firm:"), "\(status)")
        #expect(try rapport(storeA, "export", "json") == rapport(storeB, "export", "json"))
    }
}
