import Foundation
import RapportApp
import RapportCore
import RapportDemo
import RapportText
import Testing
@testable import RapportStore
@testable import RapportTUI

/// The interface over a store opened lazily (as `rapport` opens it): the first screen reads
/// the names, the statuses from rules.cache and only the records it shows, and every
/// screen and key gives what the same state over the whole database gives.
@Suite("the interface over a lazily opened store", .serialized)
struct LazyFrameTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    /// A compacted demo store (store.cache written) of `recruiters` recruiters.
    final class Dir {
        let paths = AppPaths(storeDirectory: FileManager.default.temporaryDirectory
            .appendingPathComponent("rapport-lazyframe-\(UUID().uuidString)").path)
        deinit { try? FileManager.default.removeItem(atPath: paths.storeDirectory) }
    }

    static func demoStore(_ recruiters: Int, _ messages: Int, seed: UInt64) throws -> (Dir, AppPaths) {
        let dir = Dir()
        let s = try Store.open(dir.paths, clock: .fixed(now))
        try s.apply(.batch(Demo.changes(recruiters: recruiters, messages: messages, seed: seed, now: now)))
        try s.compact()
        try s.close()
        return (dir, dir.paths)
    }

    static func rulesCache(_ paths: AppPaths) -> StatusSource { StatusSource.throughRulesCache(paths) }

    static func state(_ db: Database, _ rules: StatusSource, sort: SortMode = .urgency, height: Int = 40) -> AppState {
        AppState(db: db, now: now, width: 120, height: height, rules: rules, sort: sort)
    }

    static func press(_ s: inout AppState, _ keys: [Key]) {
        for key in keys {
            if let input = Keymap.standard.input(for: key, mode: s.keyMode, size: (s.width, s.height)) { _ = update(&s, input) }
        }
    }

    static func expectSame(_ a: AppState, _ b: AppState, _ context: String) {
        #expect(a.order == b.order, "\(context): order")
        #expect(a.deadlines == b.deadlines, "\(context): deadlines")
        #expect(a.counts == b.counts && a.recruiterTotal == b.recruiterTotal, "\(context): counts")
        #expect(a.deadlineTitlesNameRecruiter == b.deadlineTitlesNameRecruiter, "\(context)")
        #expect(a.selectedRecruiterID == b.selectedRecruiterID && a.keyMode == b.keyMode, "\(context): selection")
        let ra = Screen.render(a), rb = Screen.render(b)
        #expect(ra == rb, "\(context): screen\n\(ra.text)\n---\n\(rb.text)")
    }

    @Test("the first screen reads only the records it shows, and equals the whole database's", arguments: [11, 12] as [UInt64])
    func firstScreen(seed: UInt64) throws {
        let (dir, paths) = try LazyFrameTests.demoStore(300, 3_000, seed: seed)
        defer { _ = dir }
        let eager = try StoreLoader.load(paths, useCache: false).db
        for round in 0..<2 {  // rules.cache missing, then written by the first round
            let lazy = try StoreLoader.load(paths, useCache: true, lazy: true).db
            let blocks = try #require(lazy.base as? StoredBlocks)
            let rules = LazyFrameTests.rulesCache(paths)
            let s = LazyFrameTests.state(lazy, rules)
            let screen = Screen.render(s)
            if round == 1 {
                // Rows in view (recruiters and deadlines, whose zones are looked at), the
                // selected one's thread; never the 300.
                let l = s.layout
                let shown = l.bodyRows(.recruiters) + l.bodyRows(.deadlines) + 1
                #expect(blocks.recordsRead + blocks.decodedCount <= shown,
                        "read \(blocks.recordsRead) records and \(blocks.decodedCount) blocks for \(shown) rows")
                #expect(blocks.decodedCount <= 1, "only the selected recruiter's thread is read whole")
            }
            let whole = LazyFrameTests.state(eager, .standard)
            LazyFrameTests.expectSame(s, whole, "round \(round)")
            #expect(screen.text.contains("300 recruiters"))
        }
    }

    @Test("keys, filters, sorts and searches give the same screens over both", arguments: [13] as [UInt64])
    func keys(seed: UInt64) throws {
        let (dir, paths) = try LazyFrameTests.demoStore(200, 2_000, seed: seed)
        defer { _ = dir }
        let eager = try StoreLoader.load(paths, useCache: false).db
        _ = LazyFrameTests.state(try StoreLoader.load(paths, useCache: true, lazy: true).db, LazyFrameTests.rulesCache(paths))
        let sequences: [(String, [Key])] = [
            ("moves", [.char("j"), .char("j"), .char("j"), .tab, .tab, .char("j"), .tab, .enter, .escape]),
            ("search", [.char("/"), .char("d"), .char("a"), .char("n"), .enter, .char("n"), .char("N")]),
            ("search miss", [.char("/"), .char("z"), .char("q"), .char("x"), .enter]),
            ("sort", [.char("S"), .char("j"), .char("S"), .char("S")]),
            ("filter menu", [.char("F")]),
        ] + (1...RecruiterFilter.menu.count).map { n in
            ("filter \(n)", [.char("F")] + Array(repeating: Key.char("j"), count: n) + [.enter, .char("j")])
        }
        for (name, keys) in sequences {
            var a = LazyFrameTests.state(try StoreLoader.load(paths, useCache: true, lazy: true).db, LazyFrameTests.rulesCache(paths))
            var b = LazyFrameTests.state(eager, .standard)
            LazyFrameTests.press(&a, keys)
            LazyFrameTests.press(&b, keys)
            LazyFrameTests.expectSame(a, b, name)
        }
    }
}
