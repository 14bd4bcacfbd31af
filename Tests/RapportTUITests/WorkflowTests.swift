import Foundation
import RapportCore
import RapportApp
import RapportSpell
import RapportText
import Testing
@testable import RapportTUI

/// The store's undo history for one TUI session, in memory: every write through
/// `FakePorts` is one step of this session; `u` takes the latest back, Ctrl-R puts back
/// the one undone last, and a new change drops what was undone. A step is refused when it
/// would not give the data back exactly (a write "elsewhere" changed what it touches).
/// The real history and its wording are the store's (`Store.undoLatest(of:)`), tested
/// through `StorePorts`.
struct FakeUndoHistory {
    struct Step: Equatable {
        var change: Change
        var inverse: Change
        var label: String
    }
    /// Steps in effect, oldest first.
    var done: [Step] = []
    /// Steps taken back, the one undone last at the end.
    var undone: [Step] = []
}

/// The outside world for `EffectRunner`, in memory: `.persist` is applied to a
/// `Database` "store" with an undo history; the editor and spell checker answer with
/// canned results; the clipboard is recorded.
struct FakePorts: AppPorts {
    var db: Database
    var history = FakeUndoHistory()
    var clipboard: [String] = []
    /// Every change written, undos and redos included (the journal's lines).
    var persisted: [Change] = []
    /// What `$EDITOR` returns (nil: no editor, the inline editor opens).
    var editorResult: (String) -> String? = { _ in nil }
    var spelling: SpellResult = .checked(engine: "test", misspellings: [])
    /// When set, the next store write fails with this message.
    var failNextWrite: String?
    /// When set, `$EDITOR` fails with this line (whatever `editorResult` says).
    var editorFailure: String?
    /// The drafts beside the store, as the saves and removals left them, and every call.
    var drafts: [UUID: String] = [:]
    var draftWrites: [String] = []
    /// The personal dictionary.
    var dictionary: [String] = []
    var width: Int
    var height: Int

    var database: Database { db }
    var storeNotices: [String] { [] }
    var readOnly: Bool { false }
    var size: (width: Int, height: Int) { (width, height) }

    func refresh() throws -> Bool { false }
    mutating func apply(label: String, _ build: (Database) throws -> Change) throws -> (change: Change, inverse: Change) {
        if let why = failNextWrite {
            failNextWrite = nil
            throw FakeWriteError(message: why)
        }
        let change = try build(db)
        let inverse = try db.inverse(of: change)
        try db.apply(change)
        persisted.append(change)
        history.done.append(.init(change: change, inverse: inverse, label: label))
        history.undone.removeAll()
        return (change, inverse)
    }
    mutating func undo() throws -> String? { try replay(back: true) }
    mutating func redo() throws -> String? { try replay(back: false) }
    private mutating func replay(back: Bool) throws -> String? {
        guard let step = back ? history.done.last : history.undone.last else { return nil }
        if let why = failNextWrite {
            failNextWrite = nil
            throw FakeWriteError(message: why)
        }
        let (forth, mirror) = back ? (step.inverse, step.change) : (step.change, step.inverse)
        var d = db
        try d.apply(forth)
        var check = d
        try check.apply(mirror)
        guard check == db else {
            throw FakeWriteError(message: "\(back ? "Not undone" : "Not redone"): \(step.label) changed since")
        }
        db = d
        persisted.append(forth)
        if back {
            history.undone.append(history.done.removeLast())
        } else {
            history.done.append(history.undone.removeLast())
        }
        return step.label
    }
    mutating func copyToClipboard(_ text: String) { clipboard.append(text) }
    mutating func editExternally(_ text: String) -> EditorResult {
        if let why = editorFailure { return .failed(why) }
        return editorResult(text).map { .edited($0) } ?? .noEditor
    }
    mutating func saveDraft(_ text: String, for recruiterID: UUID) {
        drafts[recruiterID] = text
        draftWrites.append("save")
    }
    mutating func removeDraft(for recruiterID: UUID) {
        drafts[recruiterID] = nil
        draftWrites.append("remove")
    }
    func draftProblems() -> [String] { [] }
    func flushDrafts() {}
    mutating func addToDictionary(_ word: String) throws -> Bool {
        if dictionary.contains(where: { $0.lowercased() == word.lowercased() }) { return false }
        dictionary.append(word)
        return true
    }
    func spellCheck(_ text: String, ignoring: Set<String>) -> SpellResult { spelling }
    func invalidate() {}
    func suspend() {}
}

struct FakeWriteError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Runs `update` through the event loop's own effect runner, with `FakePorts`.
@MainActor
struct Session {
    var runner: EffectRunner<FakePorts>

    init(width: Int = 120, height: Int = 40, db: Database = Sample.database) {
        runner = EffectRunner(state: Sample.state(width: width, height: height, db: db),
                              ports: FakePorts(db: db, width: width, height: height))
    }

    var state: AppState {
        get { runner.state }
        set { runner.state = newValue }
    }
    var store: Database {
        get { runner.ports.db }
        set { runner.ports.db = newValue }
    }
    var history: FakeUndoHistory { runner.ports.history }
    var clipboard: [String] { runner.ports.clipboard }
    var persisted: [Change] { runner.ports.persisted }
    var editorResult: (String) -> String? {
        get { runner.ports.editorResult }
        set { runner.ports.editorResult = newValue }
    }
    var spelling: SpellResult {
        get { runner.ports.spelling }
        set { runner.ports.spelling = newValue }
    }
    var failNextWrite: String? {
        get { runner.ports.failNextWrite }
        set { runner.ports.failNextWrite = newValue }
    }

    @discardableResult
    mutating func send(_ command: Command) -> [Effect] { runner.send(command) }

    @discardableResult
    mutating func send(_ event: Event) -> [Effect] { runner.send(event) }

    mutating func type(_ text: String) {
        for c in text { send(.input(.char(c))) }
    }

    /// Selects the recruiter with this sample number.
    mutating func select(_ n: Int) {
        state.focus = .recruiters
        state.recruiterCursor = state.order.firstIndex(of: Sample.id(n))!
    }

    var form: Form? {
        if case .form(let f) = state.overlays.last { return f }
        return nil
    }
}

@Suite("Workflows: every action, its change, and its undo")
@MainActor
struct WorkflowTests {
    let dana = Sample.id(1)

    @Test("r logs an outbound on the thread's channel, clears the reply flag; u brings it back; Ctrl-R redoes")
    func markReplied() {
        var s = Session()
        s.select(1)
        let before = s.store
        #expect(s.state.statuses[dana]?.flags.contains(.replyOverdue) == true)
        s.send(.markReplied)
        guard case .putMessage(let m)? = s.persisted.last else { Issue.record("nothing persisted"); return }
        #expect(m.direction == .outbound && m.channel == .email && m.at == Sample.now)
        #expect(m.subject == "Re: Take-home exercise")
        #expect(s.state.statuses[dana]?.flags.contains(.replyOverdue) == false)
        #expect(s.state.statusMessage?.text == "Reply to Dana Smith logged · u undo")
        #expect(s.state.selectedRecruiterID == dana)
        s.send(.undo)
        #expect(s.store == before)
        #expect(s.state.statuses[dana]?.flags.contains(.replyOverdue) == true)
        #expect(s.state.statusMessage?.text == "Undone: Reply to Dana Smith logged · Ctrl-R redo")
        s.send(.redo)
        #expect(s.store.thread(dana).last?.direction == .outbound)
        #expect(s.state.statusMessage?.text == "Redone: Reply to Dana Smith logged · u undo")
        #expect(s.history.done.map(\.label) == ["Reply to Dana Smith logged"] && s.history.undone.isEmpty)
    }

    @Test("undo goes back through many changes in order, to the state before all of them")
    func manyLevels() {
        var s = Session()
        let before = s.store
        s.select(1)
        s.send(.markReplied)
        s.send(.toggleTargeting)
        s.send(.toggleDoNotContact)
        s.select(7)
        s.send(.markReplied)
        #expect(s.history.done.count == 4)
        for _ in 0..<4 { s.send(.undo) }
        #expect(s.store == before)
        #expect(s.history.done.isEmpty && s.history.undone.count == 4)
        s.send(.undo)
        #expect(s.state.statusMessage?.text == "Nothing to undo in this session · rapport undo --list shows older steps")
        for _ in 0..<4 { s.send(.redo) }
        #expect(s.store.recruiters[dana]?.status == .doNotContact)
        #expect(s.store.recruiters[dana]?.targeting == .blanket)
        s.send(.redo)
        #expect(s.state.statusMessage?.text == "Nothing to redo")
    }

    @Test("u and Ctrl-R only ask the store: update emits the effect and changes no data; the store's answer goes to the status line")
    func undoIsTheStoresDecision() {
        var s = Session()
        s.select(1)
        s.send(.toggleTargeting)
        var state = s.state
        #expect(update(&state, .undo) == [.undo])
        #expect(update(&state, .redo) == [.redo])
        #expect(state.db == s.state.db)
        _ = update(&state, .replayed(back: true, label: "Dana Smith is now blanket"))
        #expect(state.statusMessage == StatusMessage("Undone: Dana Smith is now blanket · Ctrl-R redo"))
        _ = update(&state, .replayRefused("Not undone: Dana Smith's targeting changed since by rapport edit"))
        #expect(state.statusMessage == StatusMessage("Not undone: Dana Smith's targeting changed since by rapport edit", isError: true))
        // Read-only: nothing is asked.
        state.readOnly = true
        #expect(update(&state, .undo).isEmpty)
        #expect(state.statusMessage?.isError == true)
    }

    @Test("draft review shows misspellings at the 1-based line:column of the shown draft, as `rapport spell` does")
    func spellingPositions() {
        var s = Session()
        s.select(1)
        // The checker's answer is about the body: line 2 (1-based), column 7 (0-based).
        s.spelling = .checked(engine: "test", misspellings: [Misspelling(word: "verry", line: 2, column: 7, suggestions: ["very"])])
        s.editorResult = { _ in "Subject: Re: hello\n\nThanks Dana,\nthat's verry kind." }
        s.send(.writeReply)
        s.send(.submit) // blank
        let screen = Screen.render(s.state).text
        #expect(screen.contains("4:8 verry → very"))
        // Without a subject line the body is the whole draft.
        #expect(ReviewView.bodyLineOffset("Thanks Dana,\nthat's verry kind.") == 0)
        #expect(ReviewView.bodyLineOffset("Subject: x\nbody") == 1)
    }

    @Test("a write the store refuses is not in the history and is shown in red; so is a failed undo")
    func failedWrite() {
        var s = Session()
        s.select(1)
        s.failNextWrite = "disk full"
        s.send(.markReplied)
        #expect(s.history.done.isEmpty)
        #expect(s.state.statusMessage == StatusMessage("Not saved: disk full", isError: true))
        s.send(.toggleTargeting)
        let store = s.store
        s.failNextWrite = "disk full"
        s.send(.undo)
        #expect(s.state.statusMessage == StatusMessage("disk full", isError: true))
        #expect(s.store == store)
        #expect(s.history.done.count == 1 && s.history.undone.isEmpty)
    }

    @Test("a read-only store changes nothing and says so")
    func readOnly() {
        var s = Session()
        s.state.readOnly = true
        s.select(1)
        #expect(s.send(.markReplied).isEmpty)
        #expect(s.state.statusMessage?.isError == true)
    }

    @Test("a adds a recruiter through the form (CJK and emoji typed one scalar at a time), selected after; u removes it")
    func addRecruiter() {
        var s = Session()
        s.send(.addRecruiter)
        #expect(s.form?.purpose == .addRecruiter)
        // A terminal delivers one scalar per key: the skin tone and ZWJ join the emoji.
        for u in "佐藤 👩🏽‍💻".unicodeScalars { s.send(.input(.char(Character(u)))) }
        s.send(.nextField)
        s.type("Acme")
        for _ in 0..<4 { s.send(.nextField) }
        s.type("Asia/Tok")
        s.send(.nextField) // completes
        #expect(s.form?.fields[5].field.text == "Asia/Tokyo")
        s.send(.submit)
        #expect(s.form == nil)
        guard case .putRecruiter(let r)? = s.persisted.last else { Issue.record("not added"); return }
        #expect(r.name == "佐藤 👩🏽‍💻" && r.firm == "Acme" && r.timeZone == "Asia/Tokyo")
        #expect(s.state.selectedRecruiterID == r.id)
        #expect(s.state.statusMessage?.text == "佐藤 👩🏽‍💻 added · u undo")
        s.send(.undo)
        #expect(s.store.recruiters[r.id] == nil)
    }

    @Test("the form shows errors next to the fields: empty name, unknown zone, bad date; Esc changes nothing")
    func validation() {
        var s = Session()
        s.send(.addRecruiter)
        for _ in 0..<5 { s.send(.nextField) }
        s.type("Mars/Olympus")
        s.send(.submit)
        #expect(s.form?.fields[0].error == "required")
        #expect(s.form?.fields[5].error == "unknown time zone (Tab completes)")
        #expect(s.form?.focus == 0)
        s.type("X")
        #expect(s.form?.fields[0].error == nil)
        s.send(.cancel)
        #expect(s.state.overlays.isEmpty && s.persisted.isEmpty)
        #expect(s.state.statusMessage?.text == "Cancelled: nothing changed")

        s.select(1)
        s.send(.followUp)
        s.send(.input(.ctrl("u")))
        s.type("next blursday")
        s.send(.submit)
        #expect(s.form?.fields[0].error == "not a date (try tomorrow 14:00, in 3 days, next week)")
        #expect(s.persisted.isEmpty)
    }

    @Test("e edits the selected recruiter; saving unchanged says so; u restores the old value")
    func editRecruiter() {
        var s = Session()
        s.select(1)
        s.send(.editRecruiter)
        #expect(s.form?.fields[0].field.text == "Dana Smith")
        s.send(.submit)
        #expect(s.persisted.isEmpty)
        #expect(s.state.statusMessage?.text == "No changes")
        s.send(.editRecruiter)
        s.send(.nextField)
        s.send(.input(.ctrl("w")))
        s.send(.input(.ctrl("w")))
        s.type("Globex")
        s.send(.submit)
        #expect(s.store.recruiters[dana]?.firm == "Globex")
        s.send(.undo)
        #expect(s.store.recruiters[dana]?.firm == "Acme Talent")
    }

    @Test("l logs a message: direction, channel, time (default now), subject, body")
    func logMessage() {
        var s = Session()
        s.select(3)
        s.send(.logMessage)
        s.send(.input(.right)) // from you → … back: from them is first; right makes it "from you"
        s.send(.input(.left))  // and back to "from them"
        s.send(.nextField)
        s.send(.input(.char("l"))) // linkedin
        s.send(.nextField)
        s.send(.input(.ctrl("u")))
        s.type("-2h")
        s.send(.nextField)
        s.type("Hello")
        s.send(.nextField)
        s.type(String(repeating: "long pasted text ", count: 50))
        s.send(.submit)
        guard case .putMessage(let m)? = s.persisted.last else { Issue.record("not logged"); return }
        #expect(m.direction == .inbound && m.channel == .linkedin)
        #expect(m.at == Sample.now.addingTimeInterval(-7200))
        #expect(m.subject == "Hello" && m.body?.count == 17 * 50 - 1)
        #expect(s.state.statusMessage?.text.hasPrefix("Message from Zoë Łukasiewicz logged") == true)
        s.send(.undo)
        #expect(s.store.message(m.id) == nil)
    }

    @Test("i logs an interview on a new opportunity; f schedules a follow-up; both undo")
    func interviewAndFollowUp() {
        var s = Session()
        s.select(1)
        s.send(.logInterview)
        s.type("tomorrow 10:00")
        s.send(.nextField)
        s.type("iOS Lead")
        s.send(.nextField)
        s.type("Fintech GmbH")
        s.send(.nextField)
        s.type("Alex, Sam")
        s.send(.submit)
        let opps = s.store.opportunities(of: dana)
        #expect(opps.count == 1)
        #expect(opps.first?.interviews.first?.interviewers == ["Alex", "Sam"])
        #expect(opps.first?.stage == .interview && opps.first?.employer == "Fintech GmbH")
        s.send(.followUp)
        s.send(.nextField)
        s.type("Send the CV")
        s.send(.submit)
        #expect(s.store.followUps(of: dana).map(\.note) == ["Send the CV"])
        s.send(.undo)
        s.send(.undo)
        #expect(s.store.opportunities(of: dana).isEmpty && s.store.followUps(of: dana).isEmpty)
    }

    @Test("x marks the selected deadline done, s snoozes a follow-up; both undo")
    func doneAndSnooze() {
        var s = Session()
        s.state.focus = .deadlines
        let fu = Sample.id(2001)
        s.state.deadlineCursor = s.state.deadlines.firstIndex { $0.followUpID == fu }!
        s.send(.snooze)
        s.send(.submit) // +1d
        #expect(s.store.followUps[fu]?.snoozedUntil == Sample.now.addingTimeInterval(86400))
        s.send(.undo)
        #expect(s.store.followUps[fu]?.snoozedUntil == nil)
        s.state.deadlineCursor = s.state.deadlines.firstIndex { $0.followUpID == fu }!
        s.send(.markDone)
        #expect(s.store.followUps[fu]?.done == Sample.now)
        s.send(.undo)
        #expect(s.store.followUps[fu]?.done == nil)
        // A reply deadline: s snoozes it too (a form); done means the message needs no reply.
        s.state.deadlineCursor = s.state.deadlines.firstIndex { $0.kind == .reply }!
        let mid = s.state.selectedDeadline!.messageID!
        s.send(.snooze)
        guard case .form(let f)? = s.state.overlays.last, case .snoozeDeadline = f.purpose else {
            Issue.record("no snooze form for a reply deadline")
            return
        }
        s.send(.cancel)
        s.send(.markDone)
        #expect(s.store.message(mid)?.noReplyNeeded == true)
    }

    @Test("d asks before deleting a recruiter; n keeps it; y deletes; u brings it back with its thread")
    func deleteRecruiter() {
        var s = Session()
        s.select(1)
        let before = s.store
        s.send(.delete)
        guard case .confirm(let c)? = s.state.overlays.last else { Issue.record("no confirmation"); return }
        #expect(c.question == "Delete Dana Smith and 4 messages?")
        s.send(.cancel)
        #expect(s.store == before)
        s.send(.delete)
        s.send(.submit)
        #expect(s.store.recruiters[dana] == nil)
        s.send(.undo)
        #expect(s.store == before)
    }

    @Test("d in Deadlines deletes only the selected follow-up; on other deadlines it refuses and deletes nothing")
    func deleteInDeadlines() {
        var s = Session()
        s.select(1) // Dana is selected in Recruiters: d in Deadlines must never offer her
        s.state.focus = .deadlines
        s.state.deadlineCursor = s.state.deadlines.firstIndex { $0.kind == .reply }!
        let before = s.store
        s.send(.delete)
        #expect(s.state.overlays.isEmpty)
        #expect(s.state.statusMessage == StatusMessage("Only follow-ups can be deleted here; x marks a deadline done", isError: true))
        s.send(.submit)
        #expect(s.store == before)
        let fu = Sample.id(2001)
        s.state.deadlineCursor = s.state.deadlines.firstIndex { $0.followUpID == fu }!
        s.send(.delete)
        guard case .confirm(let c)? = s.state.overlays.last else { Issue.record("no confirmation"); return }
        #expect(c.question == "Delete the follow-up \"Check in about the CV\"?")
        s.send(.submit)
        #expect(s.store.followUps[fu] == nil)
        #expect(s.store.recruiters[dana] != nil && s.store.recruiters.count == before.recruiters.count)
    }

    @Test("d in Messages deletes the selected message (the newest in view)")
    func deleteMessage() {
        var s = Session()
        s.select(1)
        s.state.focus = .messages
        #expect(s.state.selectedMessageID == Sample.id(1004))
        s.send(.delete)
        s.send(.submit)
        #expect(s.store.message(Sample.id(1004)) == nil)
        s.send(.undo)
        #expect(s.store.message(Sample.id(1004)) != nil)
    }

    @Test("c: decline form → draft from the decline template → review → Enter copies and logs; status declined; undo")
    func declineWithTemplate() {
        var s = Session()
        s.state.templates = [MessageTemplate(name: "decline", subject: "Re: your note",
                                             body: "Hi {first_name}, not for me because {reason}.")]
        s.select(1)
        let before = s.store
        s.send(.decline)
        s.type("I just started a new job")
        s.send(.nextField)
        s.type("+90d")
        s.send(.submit)
        // No $EDITOR: the inline editor opens on top of the review.
        guard case .editor(let t)? = s.state.overlays.last else { Issue.record("no editor"); return }
        #expect(t.text == "Subject: Re: your note\n\nHi Dana, not for me because I just started a new job.")
        s.send(.submit)
        guard case .review(let d)? = s.state.overlays.last else { Issue.record("no review"); return }
        #expect(d.spelling == .checked(engine: "test", misspellings: []))
        s.send(.submit)
        #expect(s.clipboard == ["Hi Dana, not for me because I just started a new job."])
        #expect(s.store.recruiters[dana]?.status == .declined)
        #expect(s.store.thread(dana).last?.subject == "Re: your note")
        #expect(s.store.followUps(of: dana).first?.due == Sample.now.addingTimeInterval(90 * 86400))
        #expect(s.state.statusMessage?.text.hasPrefix("Courtesy decline to Dana Smith copied and logged") == true)
        s.send(.undo)
        #expect(s.store == before)
    }

    @Test("R: template menu, $EDITOR's text, misspellings listed, placeholders block sending until fixed")
    func writeReply() {
        var s = Session()
        s.select(1)
        s.editorResult = { $0 + " Thnaks" }
        s.spelling = .checked(engine: "test", misspellings: [Misspelling(word: "Thnaks", line: 1, column: 5, suggestions: ["Thanks"])])
        s.send(.writeReply)
        guard case .menu(let m)? = s.state.overlays.last else { Issue.record("no menu"); return }
        #expect(m.items.first == "blank" && m.items.contains("check-in"))
        s.send(.move(m.items.firstIndex(of: "check-in")!))
        s.send(.submit)
        guard case .review(let d)? = s.state.overlays.last else { Issue.record("no review"); return }
        #expect(d.text.hasSuffix(" Thnaks"))
        // {role} comes from the thread's subject; {my_name} is not set in the session.
        #expect(d.problems.contains("{my_name} is not filled in") && !d.problems.contains("{role} is not filled in"))
        let screen = Screen.render(s.state).text
        #expect(screen.contains("Thnaks → Thanks"))
        s.send(.submit)
        #expect(s.persisted.isEmpty && s.clipboard.isEmpty)
        #expect(s.state.statusMessage?.isError == true)
        // Edit again: the editor now returns a clean text.
        s.editorResult = { _ in "Subject: Re: Take-home\n\nHi Dana, I'll do it by Friday." }
        s.spelling = .unavailable(SpellChecker.installHint)
        s.send(.editDraft)
        #expect(Screen.render(s.state).text.contains("spell check unavailable"))
        s.send(.copy)
        #expect(s.clipboard == ["Hi Dana, I'll do it by Friday."])
        s.send(.submit)
        #expect(s.store.thread(dana).last?.body == "Hi Dana, I'll do it by Friday.")
        #expect(s.store.thread(dana).last?.subject == "Re: Take-home")
        #expect(s.clipboard.count == 2)
    }

    @Test("a recruiter in another zone: the header shows their time, the draft warns outside their hours")
    func sendTime() {
        var db = Sample.database
        var r = db.recruiters[dana]!
        r.timeZone = "Asia/Tokyo" // 15:00Z is 00:00 in Tokyo
        try! db.apply(.putRecruiter(r))
        var s = Session(db: db)
        s.select(1)
        #expect(Screen.render(s.state).text.contains("Dana Smith · 00:00 their time (outside business hours)"))
        s.editorResult = { $0 }
        s.send(.writeReply)
        s.send(.submit)
        guard case .review(let d)? = s.state.overlays.last else { Issue.record("no review"); return }
        #expect(d.sendWarning?.hasPrefix("It's 00:00 Thu for Dana Smith (Asia/Tokyo); send after 09:00 Thu their time") == true)
    }

    @Test("/ searches names, firms and message text incrementally; no match keeps the selection and says so; n/N cycle")
    func search() {
        var s = Session()
        s.select(9)
        s.send(.search)
        s.type("take-home") // in Dana's messages
        #expect(s.state.selectedRecruiterID == dana)
        s.type("zzz")
        #expect(s.state.selectedRecruiterID == Sample.id(9))
        guard case .search(let q)? = s.state.overlays.last else { Issue.record("no prompt"); return }
        #expect(q.miss)
        #expect(Screen.render(s.state).line(39).contains("no match"))
        for _ in 0..<3 { s.send(.input(.backspace)) }
        s.send(.submit)
        #expect(s.state.selectedRecruiterID == dana)
        #expect(s.state.lastSearch == "take-home")
        s.send(.search)
        s.type("example") // emails are not searched; firms, names, text are
        s.send(.cancel)
        #expect(s.state.selectedRecruiterID == dana)
        s.send(.search)
        s.type("ŁUKASIEWICZ")
        s.send(.submit)
        #expect(s.state.selectedRecruiterID == Sample.id(3))
        s.state.lastSearch = "e"
        let here = s.state.recruiterCursor
        s.send(.searchNext(1))
        #expect(s.state.recruiterCursor != here)
        s.send(.searchNext(-1))
        #expect(s.state.recruiterCursor == here)
    }

    @Test("F filters by flag, says when the selection leaves the list, refuses an empty filter; S cycles the sort")
    func filterAndSort() {
        var s = Session()
        s.select(9) // Sam: no messages, only a follow-up
        s.send(.filterMenu)
        let overdue = Flag.allCases.firstIndex(of: .replyOverdue)! + 1
        s.send(.move(overdue))
        s.send(.submit)
        #expect(s.state.filter == .flag(.replyOverdue))
        #expect(s.state.order.allSatisfy { s.state.statuses[$0]?.flags.contains(.replyOverdue) == true })
        #expect(s.state.statusMessage?.text.contains("Sam O'Neil is not in the list") == true)
        // Replying clears the flag: the list says where the recruiter went.
        s.state.recruiterCursor = s.state.order.firstIndex(of: dana)!
        s.send(.markReplied)
        #expect(s.state.statusMessage?.text.contains("Dana Smith is no longer flagged reply-overdue") == true)
        s.send(.filterMenu)
        s.send(.move(Flag.allCases.firstIndex(of: .noShow)! + 1 - s.stateMenuCursor))
        s.send(.submit)
        #expect(s.state.filter == .flag(.replyOverdue))
        #expect(s.state.statusMessage?.text == "No recruiter is flagged no-show; the filter is unchanged")
        s.state.filter = nil
        s.send(.cycleSort)
        #expect(s.state.sort == .name)
        let names = s.state.order.map { s.store.recruiters[$0]!.name.lowercased() }
        #expect(names == names.sorted())
        s.send(.cycleSort)
        #expect(s.state.sort == .lastContact)
        let last = s.state.order.compactMap { s.state.statuses[$0]?.lastContact }
        #expect(last == last.sorted(by: >))
        s.send(.cycleSort)
        #expect(s.state.sort == .urgency)
    }

    @Test("y copies the selected message; Enter on a deadline jumps to its recruiter and message")
    func copyAndJump() {
        var s = Session(width: 80, height: 24)
        s.state.focus = .deadlines
        let i = s.state.deadlines.firstIndex { $0.recruiterID == dana && $0.kind == .reply }!
        s.state.deadlineCursor = i
        s.send(.open)
        #expect(s.state.focus == .messages)
        #expect(s.state.selectedRecruiterID == dana)
        #expect(s.state.selectedMessageID == s.state.deadlines[i].messageID)
        s.send(.copy)
        #expect(s.clipboard.last?.hasPrefix("Here is the exercise.") == true)
        s.send(.move(-100)) // scroll up to the oldest message
        s.send(.copy)
        #expect(s.clipboard.last != s.clipboard.first || s.clipboard.count == 1)
    }

    @Test("in a menu, a click selects an item and a double-click chooses it")
    func menuMouse() {
        var s = Session()
        s.select(1)
        s.send(.filterMenu)
        guard case .menu(let m)? = s.state.overlays.last else { Issue.record("no menu"); return }
        let box = MenuView.box(s.state, m)
        let row = Flag.allCases.firstIndex(of: .replyOverdue)! + 1
        s.send(.mouse(MouseEvent(.click(button: 1), x: box.x + 4, y: box.y + 2 + row)))
        #expect(s.stateMenuCursor == row)
        s.send(.mouse(MouseEvent(.doubleClick(button: 1), x: box.x + 4, y: box.y + 2 + row)))
        #expect(s.state.overlays.isEmpty)
        #expect(s.state.filter == .flag(.replyOverdue))
    }

    @Test("a checklist tick in call prep is undoable with u, like every change")
    func checklistUndo() {
        var s = Session()
        s.select(1)
        s.send(.openCallPrep)
        #expect(s.state.keyMode == .callPrep)
        #expect(Keymap.standard.command(for: .char("u"), mode: .callPrep) == .undo)
        let before = s.store
        s.send(.toggleChecklistItem)
        #expect(s.store != before)
        #expect(s.state.statusMessage?.text.hasSuffix("· u undo") == true)
        s.send(.undo)
        #expect(s.store == before)
    }

    @Test("1 2 3 jump to the panes")
    func paneKeys() {
        let k = Keymap.standard
        #expect(k.command(for: .char("2"), mode: .panes) == .focus(.messages))
        var s = Session()
        s.send(.focus(.deadlines))
        #expect(s.state.focus == .deadlines)
    }

    @Test("typed keys go into the field in forms, search and the editor; the table's keys act elsewhere")
    @MainActor
    func appMapsText() {
        var s = Session()
        s.send(.addRecruiter)
        let k = Keymap.standard
        #expect(k.input(for: .char("q"), mode: s.state.keyMode, size: (120, 40)) == .command(.input(.char("q"))))
        #expect(k.input(for: .enter, mode: s.state.keyMode, size: (120, 40)) == .command(.submit))
        #expect(k.input(for: .escape, mode: s.state.keyMode, size: (120, 40)) == .command(.cancel))
        #expect(k.input(for: .tab, mode: s.state.keyMode, size: (120, 40)) == .command(.nextField))
        s.send(.cancel)
        #expect(k.input(for: .char("q"), mode: s.state.keyMode, size: (120, 40)) == .command(.close))
        #expect(k.input(for: .char("u"), mode: s.state.keyMode, size: (120, 40)) == .command(.undo))
    }
}

extension Session {
    var stateMenuCursor: Int {
        if case .menu(let m) = state.overlays.last { return m.cursor }
        return 0
    }
}
