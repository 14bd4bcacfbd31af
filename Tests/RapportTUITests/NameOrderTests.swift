import Foundation
import RapportApp
import RapportCore
import RapportDemo
import Testing
@testable import RapportStore
@testable import RapportTUI

/// The list's order over a store opened lazily, whose names' sort keys come from
/// `store.cache`: the order the names themselves give, with recruiters changed and added
/// since the cache was written.
@Suite("the list's order from the names' keys kept in store.cache", .serialized)
struct NameOrderTests {
    @Test("the order over a lazily opened store is the order the names give, for every sort")
    func lazyOrder() throws {
        let now = LazyFrameTests.now
        let (dir, paths) = try LazyFrameTests.demoStore(60, 400, seed: 9)
        defer { _ = dir }
        let s = try Store.open(paths, clock: .fixed(now))
        try s.apply(.batch((IndexTests.trickyNames + IndexTests.trickyNames).map { .putRecruiter(Recruiter(name: $0, created: now)) }))
        try s.compact()
        try s.close()
        let lazy = try Store.open(paths, clock: .fixed(now), lazy: true)
        #expect((lazy.database.base as? StoredBlocks)?.nameKeysUsable == true, "the keys come from the cache")
        func check(_ context: String) {
            let db = lazy.database
            let whole = db.materialized()
            for sort in SortMode.allCases {
                let state = LazyFrameTests.state(db, LazyFrameTests.rulesCache(paths), sort: sort)
                // The keys made now from every record's name (the whole database's).
                let fromNames = AppState.recruiterOrder(NameTable(whole.recruiters.values.map { ($0.id, $0.name) }),
                                                        statuses: state.statuses, filter: nil, sort: sort, ally: nil,
                                                        isBlanket: { _ in false }, record: { whole.recruiters[$0] })
                #expect(state.order == fromNames, "\(context) \(sort)")
                let fromTable = AppState.recruiterOrder(db.recruiterNameTable, statuses: state.statuses, filter: nil, sort: sort,
                                                        ally: nil, isBlanket: { _ in false }, record: { db.recruiter($0) })
                #expect(fromTable == fromNames, "\(context) \(sort)")
            }
        }
        check("as stored")
        // Renamed, removed and added since the cache was written.
        let stored = lazy.database.recruiterNames.filter { IndexTests.trickyNames.contains($0.name) }.map(\.id)
        for (k, id) in stored.prefix(12).enumerated() {
            var r = try #require(lazy.database.recruiter(id))
            r.name = IndexTests.trickyNames[(k * 5 + 2) % IndexTests.trickyNames.count].uppercased()
            try lazy.apply(.putRecruiter(r))
        }
        try lazy.apply(.removeRecruiter(stored[20]))
        for n in ["élodie", "E\u{301}LODIE", "ǆemal", "\u{212B}ngström"] { try lazy.apply(.putRecruiter(Recruiter(name: n, created: now))) }
        #expect(lazy.database.base != nil)
        check("changed since")
    }
}
