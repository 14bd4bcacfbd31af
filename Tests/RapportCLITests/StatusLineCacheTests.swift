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

    /// `rules.cache` (the rules' findings per recruiter) changes no answer: the status line
    /// without status.cache, `due --json` and `list --json` are the same with the file as
    /// without it, at several moments and after a change.
    @Test func rulesCacheAnswersExactlyWhatTheRulesDo() throws {
        let cli = try CLI()
        try cli.ok("demo", "--force", "--recruiters", "12", "--messages", "90")
        let rules = cli.store + "/rules.cache", status = cli.store + "/status.cache"
        func answers(_ now: String) throws -> [String] {
            try? FileManager.default.removeItem(atPath: status)
            let env = ["RAPPORT_NOW": now]
            return try [["due", "--statusline"], ["due", "--json", "--within", "30d"], ["list", "--json"]].map { args in
                let r = try cli.run(args, env: env)
                #expect(r.status == 0, "\(args): \(r.stderr)")
                return r.stdout
            }
        }
        let nows = ["2026-11-20T15:00:00Z", "2026-11-20T15:01:00Z", "2026-11-23T09:30:00Z", "2026-11-19T08:00:00Z"]
        for round in 0..<2 {
            for now in nows {
                let with = try answers(now)
                #expect(FileManager.default.fileExists(atPath: rules), "written by the first evaluation")
                try FileManager.default.removeItem(atPath: rules)
                #expect(try answers(now) == with, "round \(round) at \(now)")
            }
            let name = try #require((try cli.json("list", "--json") as? [[String: Any]])?.first?["name"] as? String)
            try cli.ok("log", name, "--in", "--subject", "ping")
        }
    }
}
