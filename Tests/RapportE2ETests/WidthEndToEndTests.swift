import Foundation
import Testing

/// Names in scripts whose width terminals count differently from `String.count`: a
/// Devanagari name (conjuncts, spacing vowel signs), a CJK one, one with an emoji made
/// by VS16, one with combining accents, one with a skin-tone emoji (👍🏽, 4 columns in
/// tmux 3.3a, printed as its base 👍 in tables as the TUI draws it) and one with a ZWJ
/// sequence (👩🏽‍💻), beside a plain one. Where tmux itself puts
/// the firm after each name (its copy-mode cursor on a search, not our own width table)
/// must be one column for all of them, in the TUI's recruiter pane (and the pane border
/// after it) and in `rapport list`.
@Suite("Wide and combining names line up in tmux", .serialized, .enabled(if: Tmux.available, "tmux is not installed; `make test` installs it"))
struct WidthEndToEndTests {
    let binary = TUIEndToEndTests.binary
    static let names: [(name: String, firm: String)] = [
        ("प्रिया नायर", "FirmDeva"),
        ("王小明", "FirmCJK"),
        ("Lu ❤️ Heart", "FirmEmoji"),
        ("Jose\u{301} Garci\u{301}a", "FirmAccent"),
        ("Ada 👍🏽 Lovelace", "FirmSkin"),
        ("Priya 👩🏽‍💻 Raman", "FirmZWJ"),
        ("Plain Name", "FirmPlain"),
    ]

    func cli(_ store: String, _ args: String...) throws {
        let r = try Run.run(binary, args + ["--store", store], environment: ["RAPPORT_NOW": "2026-03-09T15:00:00Z", "TZ": "UTC", "PATH": "/usr/bin:/bin"])
        guard r.status == 0 else { throw E2EError("rapport \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)") }
    }

    /// Where tmux's copy-mode cursor lands after searching for `text` from the top of the
    /// screen, and on which row: tmux's own idea of the columns.
    func found(_ tmux: Tmux, _ text: String, after: Int = 0) throws -> (x: Int, y: Int) {
        try tmux.tmuxRun(["copy-mode"])
        defer { _ = try? tmux.tmuxRun(["send-keys", "-X", "cancel"]) }
        try tmux.tmuxRun(["send-keys", "-X", "top-line"])
        try tmux.tmuxRun(["send-keys", "-X", "start-of-line"])
        for _ in 0...after { try tmux.tmuxRun(["send-keys", "-X", "search-forward-text", text]) }
        let parts = try tmux.display("#{copy_cursor_x} #{copy_cursor_y}").split(separator: " ").compactMap { Int($0) }
        guard parts.count == 2 else { throw E2EError("no cursor position for \(text)") }
        return (parts[0], parts[1])
    }

    /// The column each firm starts at, by tmux's count (the cursor lands at the same
    /// offset from every match, so the search's own convention cancels out).
    func firmColumns(_ tmux: Tmux) throws -> [String: (x: Int, y: Int)] {
        var out: [String: (x: Int, y: Int)] = [:]
        for (_, firm) in WidthEndToEndTests.names {
            let p = try found(tmux, firm)
            out[firm] = (p.x - firm.count, p.y)
        }
        return out
    }

    @Test func namesLineUpInTheRecruiterPaneAndInList() throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-width-\(UUID().uuidString)").path
        for (name, firm) in WidthEndToEndTests.names { try cli(store, "add", name, "--firm", firm) }
        let tmux = try Tmux(width: 120, height: 40)

        // rapport list: the FIRM column.
        try tmux.type("clear; \(binary) list --store \(store)")
        try tmux.until(contains: "FirmPlain")
        let listed = try firmColumns(tmux)
        let listColumns = Set(listed.values.map(\.x))
        #expect(listColumns.count == 1, "rapport list: firm columns by tmux \(listed)")
        // The table prints the base emoji, and the name otherwise whole.
        let screen = try tmux.screen().joined(separator: "\n")
        #expect(screen.contains("Ada 👍 Lovelace") && screen.contains("Priya 👩 Raman"), "\(screen)")
        #expect(!screen.contains("🏽"))

        // The TUI: the firm column and the border after it, on every name's row.
        try tmux.type("clear; TZ=UTC RAPPORT_NOW=2026-03-09T15:00:00Z \(binary) --store \(store); echo EXIT=$?")
        try tmux.until(contains: "Recruiters \(WidthEndToEndTests.names.count)")
        try tmux.until(contains: "FirmPlain")
        let drawn = try firmColumns(tmux)
        #expect(Set(drawn.values.map(\.x)).count == 1, "TUI: firm columns by tmux \(drawn)")
        var borders: [Int: Int] = [:]
        for k in 0..<12 {
            let p = try found(tmux, "│", after: k)
            borders[p.y] = p.x
        }
        let rows = drawn.values.map(\.y)
        let atRows = rows.compactMap { borders[$0] }
        #expect(atRows.count == rows.count, "a border on every name's row: \(borders) rows \(rows)")
        #expect(Set(atRows).count == 1, "TUI: border columns by tmux \(borders)")
        try tmux.keys("q")
        try tmux.until(contains: "EXIT=0")
    }
}
