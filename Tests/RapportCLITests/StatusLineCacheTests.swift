import Foundation
import Testing

/// `due --statusline` answers from `status.cache` while it is valid, and only then.
@Suite struct StatusLineCacheTests {
    @Test func theCacheAnswersUntilTheStoreOrTheTimeChanges() throws {
        let cli = try CLI()
        try cli.ok("demo", "--force", "--recruiters", "6", "--messages", "40")
        let cachePath = cli.store + "/status.cache"
        let first = try cli.ok("due", "--statusline")
        #expect(first.contains("overdue"))
        let cached = try String(contentsOfFile: cachePath, encoding: .utf8)
        #expect(try cli.ok("due", "--statusline") == first)
        // Prove the second answer can come from the file: doctor its line.
        let lines = cached.split(separator: "\n", omittingEmptySubsequences: false)
        try (lines.dropLast(2).joined(separator: "\n") + "\nFROM CACHE\n").write(toFile: cachePath, atomically: false, encoding: .utf8)
        #expect(try cli.ok("due", "--statusline") == "FROM CACHE\n")
        // Another moment outside the window, or another time zone: computed again.
        let later = try cli.run(["due", "--statusline"], env: ["RAPPORT_NOW": "2026-12-20T15:00:00Z"])
        #expect(later.status == 0 && later.stdout != "FROM CACHE\n")
        try (lines.dropLast(2).joined(separator: "\n") + "\nFROM CACHE\n").write(toFile: cachePath, atomically: false, encoding: .utf8)
        let zone = try cli.run(["due", "--statusline"], env: ["TZ": "Asia/Tokyo"])
        #expect(zone.status == 0 && zone.stdout != "FROM CACHE\n")
        // Any change to the store: computed again, and the same as without a cache.
        try (lines.dropLast(2).joined(separator: "\n") + "\nFROM CACHE\n").write(toFile: cachePath, atomically: false, encoding: .utf8)
        let name = try #require((try cli.json("list", "--json") as? [[String: Any]])?.first?["name"] as? String)
        try cli.ok("log", name, "--in", "--subject", "ping")
        let fresh = try cli.ok("due", "--statusline")
        #expect(fresh != "FROM CACHE\n")
        try FileManager.default.removeItem(atPath: cachePath)
        #expect(try cli.ok("due", "--statusline") == fresh)
        #expect(FileManager.default.fileExists(atPath: cachePath))
    }
}
