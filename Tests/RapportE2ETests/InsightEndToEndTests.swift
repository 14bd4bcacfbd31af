import Foundation
import RapportCore
import RapportStore
import Testing

extension TUIEndToEndTests {
    @Test("4 opens the insight view with the reply-time line; call prep ticks a checklist item through the store")
    func insightAndCallPrep() throws {
        let tmux = try Tmux()
        let dir = try Self.makeStore()
        try start(tmux, store: dir)
        try tmux.until(contains: "Recruiters 6")
        try tmux.keys("4")
        // Dana's thread alternates in and out every 7 hours: replies in 7.0h, faster than the norm.
        try tmux.until("the reply-time line") { s in
            s.contains { $0.contains("Your reply time") && $0.contains("norm 24–48h") && $0.contains("faster than the norm") }
        }
        try tmux.until(contains: "Opportunities by stage")
        try tmux.keys("4")
        try tmux.until("back to the panes") { s in
            s.contains { $0.contains("Recruiters 6") } && !s.contains { $0.contains("Your reply time") }
        }
        // Call prep for the selected recruiter; Space ticks the first item, stored and shown.
        try tmux.keys("p")
        try tmux.until(contains: "[ ] profile reviewed")
        try tmux.keys("Space")
        try tmux.until(contains: "[x] profile reviewed")
        try tmux.keys("Escape")
        try tmux.until(contains: "Recruiters 6")
        try quit(tmux)
        let store = try Store.open(AppPaths(storeDirectory: dir))
        defer { try? store.close() }
        #expect(store.database.recruiters.values.filter { $0.checklist.isDone(.profileReviewed) }.count == 1)
    }
}
