import Foundation
import RapportCore
import RapportSpell
import RapportText
import Testing
@testable import RapportApp
@testable import RapportTUI

/// A review list like a LinkedIn import's: three proposed recruiters, a friend, a SPAM
/// sender, one already in Rapport, and enough filler to scroll at 80×24.
enum ReviewSample {
    static let now = Sample.now

    static func day(_ n: Int) -> Date { now.addingTimeInterval(-Double(n) * 86_400) }

    static var entries: [ReviewEntry] {
        var out = [
            ReviewEntry(id: "rita", name: "Rita Recruiter", firm: "Hays", title: "Senior Technical Recruiter", messageCount: 4,
                        lastContact: day(3), evidence: ["position: Senior Technical Recruiter (recruiter)"], proposed: true),
            ReviewEntry(id: "sam", name: "Sam Sourcer", firm: "Initech", title: "Talent Acquisition Partner", messageCount: 2,
                        lastContact: day(400), evidence: ["position: Talent Acquisition Partner (talent acquisition)",
                                                          "first message reads like outreach (my client, a role)"],
                        proposed: true, settled: true),
            ReviewEntry(id: "jane", name: "Jane Doe, SHRM-CP", firm: "Globex Staffing", title: "Recruitment Consultant",
                        messageCount: 1, lastContact: day(10), evidence: ["position: Recruitment Consultant (recruitment consultant)"],
                        proposed: true),
            ReviewEntry(id: "fred", name: "Fred Friend", firm: "Acme", title: "Engineer", messageCount: 6, lastContact: day(1),
                        against: ["small talk (congrats)"], proposed: false),
            ReviewEntry(id: "spam", name: "Sponsored Sender", messageCount: 1, lastContact: day(20),
                        against: ["in the SPAM folder"], proposed: false, blocked: true),
            ReviewEntry(id: "dana", name: "Dana Smith", firm: "Acme Talent", title: "Recruiter", messageCount: 3,
                        lastContact: day(2), evidence: ["already in Rapport"], proposed: true, alreadyInRapport: true),
        ]
        for i in 1...14 {
            out.append(ReviewEntry(id: "p\(i)", name: "Person \(i)", firm: "Firm \(i)", title: "Developer", messageCount: i,
                                   lastContact: day(40 + i), proposed: false, settled: true))
        }
        return out
    }

    static func state(width: Int, height: Int) -> AppState {
        var s = AppState(db: Database(), now: now, width: width, height: height)
        s.review = ImportReview(source: "LinkedIn import", entries: entries)
        return s
    }
}

/// The outside world of a review: nothing to write.
struct ReviewFakePorts: AppPorts {
    var width = 80, height = 24
    var database: Database { Database() }
    var storeNotices: [String] { [] }
    var readOnly: Bool { true }
    var size: (width: Int, height: Int) { (width, height) }
    func refresh() throws -> Bool { false }
    func apply(label: String, _ build: (Database) throws -> Change) throws -> (change: Change, inverse: Change) {
        Issue.record("the review wrote to the store")
        throw FakeWriteError(message: "no store")
    }
    func undo() throws -> String? {
        Issue.record("the review asked the store to undo")
        return nil
    }
    func redo() throws -> String? {
        Issue.record("the review asked the store to redo")
        return nil
    }
    func copyToClipboard(_ text: String) {}
    func editExternally(_ text: String) -> EditorResult { .noEditor }
    func spellCheck(_ text: String, ignoring: Set<String>) -> SpellResult { .unavailable("none") }
    func invalidate() {}
    func suspend() {}
}

@Suite("Import review list: state, keys, view")
@MainActor
struct ImportReviewTests {
    func runner(width: Int = 80, height: Int = 24) -> EffectRunner<ReviewFakePorts> {
        EffectRunner(state: ReviewSample.state(width: width, height: height), ports: ReviewFakePorts(width: width, height: height))
    }

    @Test("the proposed people start accepted; the review has its own key mode")
    func startsWithProposed() {
        let s = ReviewSample.state(width: 80, height: 24)
        #expect(s.keyMode == .review)
        #expect(s.review?.acceptedIDs == ["rita", "sam", "jane", "dana"])
    }

    @Test("keys from the terminal: accept two, reject one, commit gives those ids in list order")
    func acceptTwoRejectOneCommit() {
        var r = runner()
        // Reject all, then: a (Rita) a (Sam) r (Jane), Enter.
        r.send(keys: [.char("R"), .char("a"), .char("a"), .char("r"), .enter], keymap: .standard)
        #expect(!r.running)
        #expect(r.reviewOutcome == .commit(["rita", "sam"]))
    }

    @Test("x rejects like r, Space flips in place, A accepts everyone")
    func marks() {
        var r = runner()
        r.send(keys: [.char("x")], keymap: .standard)
        #expect(r.state.review?.cursor == 1)
        #expect(r.state.review?.accepted.contains("rita") == false)
        r.send(keys: [.char(" ")], keymap: .standard)
        #expect(r.state.review?.cursor == 1)
        #expect(r.state.review?.accepted.contains("sam") == false)
        r.send(keys: [.char(" ")], keymap: .standard)
        #expect(r.state.review?.accepted.contains("sam") == true)
        r.send(keys: [.char("A")], keymap: .standard)
        #expect(r.state.review?.accepted.count == ReviewSample.entries.count)
        // Accepting the last person stays on the last row.
        r.send(keys: [.char("G"), .char("a")], keymap: .standard)
        #expect(r.state.review?.cursor == ReviewSample.entries.count - 1)
        #expect(r.running)
    }

    @Test("Esc and q cancel: nothing committed, whatever was marked")
    func cancel() {
        for key: Key in [.escape, .char("q")] {
            var r = runner()
            r.send(keys: [.char("A"), key], keymap: .standard)
            #expect(!r.running)
            #expect(r.reviewOutcome == .cancel)
        }
    }

    @Test("? opens help listing only the review's keys; q there closes help, not the review")
    func help() {
        var r = runner()
        r.send(keys: [.char("?")], keymap: .standard)
        #expect(r.state.keyMode == .help)
        let text = Screen.render(r.state).text
        #expect(text.contains("accept: import this person"))
        #expect(text.contains("commit: import the accepted people"))
        #expect(!text.contains("log a message"))
        let lines = HelpView.lines(.standard, review: true).map(\.0)
        // Every review row is in help, generated from the same rows as dispatch.
        for b in ModeTable.review.bindings { #expect(lines.contains { $0.contains(b.help) }, "\(b.help) missing") }
        r.send(keys: [.char("q")], keymap: .standard)
        #expect(r.running && r.state.keyMode == .review)
    }

    @Test("status bar hints come from the review's rows")
    func hints() {
        let text = Screen.render(ReviewSample.state(width: 120, height: 40)).text
        let status = text.components(separatedBy: "\n").last ?? ""
        for (keys, label) in Keymap.standard.hints(mode: .review) {
            #expect(status.contains("\(keys) \(label)"), "hint \(keys) \(label) missing in \(status)")
        }
        #expect(status.contains("a accept") && status.contains("Enter commit"))
    }

    @Test("moving past the bottom scrolls; a resize keeps the cursor in view")
    func scrolling() throws {
        var s = ReviewSample.state(width: 80, height: 24)
        for _ in 0..<15 { _ = update(&s, .move(1)) }
        let rows = ImportReviewView.listRows(s.layout.content)
        let r = try #require(s.review)
        try #require(rows < 16, "the list must be taller than the screen for the test to mean something")
        #expect(r.top > 0 && r.cursor >= r.top && r.cursor < r.top + rows)
        _ = update(&s, .resize(width: 60, height: 14))
        let r2 = try #require(s.review)
        let rows2 = ImportReviewView.listRows(s.layout.content)
        #expect(r2.cursor >= r2.top && r2.cursor < r2.top + rows2)
    }

    @Test("a click selects a person, a double-click flips them")
    func mouse() throws {
        var s = ReviewSample.state(width: 80, height: 24)
        let list = ImportReviewView.listRect(s.layout.content)
        _ = update(&s, .mouse(MouseEvent(.click(button: 1), x: 10, y: list.y + 2)))
        #expect(s.review?.cursor == 2)
        _ = update(&s, .mouse(MouseEvent(.doubleClick(button: 1), x: 10, y: list.y + 3)))
        #expect(s.review?.cursor == 3)
        #expect(s.review?.accepted.contains("fred") == true)
    }

    @Test("control and bidi characters in names are never drawn raw")
    func controls() {
        var s = AppState(db: Database(), now: ReviewSample.now, width: 80, height: 24)
        s.review = ImportReview(source: "LinkedIn import", entries: [
            ReviewEntry(id: "evil", name: "Eve\u{1B}[31m \u{202E}lirpA", firm: "Bad\u{7}Corp", messageCount: 1,
                        evidence: ["title\u{0}x"], proposed: true),
        ])
        let text = Screen.render(s).text
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!text.unicodeScalars.contains { $0.value == 0x202E })
        #expect(text.contains("Eve^[[31m lirpA"))
    }

    @Test("snapshots at 80x24 and 120x40, one person rejected and the cursor moved")
    func snapshots() {
        for (w, h) in [(80, 24), (120, 40)] {
            var s = ReviewSample.state(width: w, height: h)
            _ = update(&s, .review(.reject))
            _ = update(&s, .move(1))
            expectSnapshot(Screen.render(s), "import-review-\(w)x\(h)")
        }
        var s = ReviewSample.state(width: 80, height: 24)
        _ = update(&s, .toggleHelp)
        expectSnapshot(Screen.render(s), "import-review-help-80x24")
    }

    @Test("an empty review says so and commits nobody")
    func empty() {
        var r = EffectRunner(state: {
            var s = AppState(db: Database(), now: ReviewSample.now, width: 80, height: 24)
            s.review = ImportReview(source: "LinkedIn import", entries: [])
            return s
        }(), ports: ReviewFakePorts())
        #expect(Screen.render(r.state).text.contains("Nobody to import"))
        r.send(keys: [.char("a"), .char(" "), .enter], keymap: .standard)
        #expect(r.reviewOutcome == .commit([]))
    }
}
