import Foundation
import RapportCore
import RapportText
import Testing
@testable import RapportApp
@testable import RapportTUI

@Suite("Commands and events: one table per key mode, events at the top")
@MainActor
struct CommandEventTests {
    @Test("no key is bound twice in one mode, and a table that does so is caught")
    func uniqueKeys() {
        let standard = Keymap.standard
        #expect(standard.duplicates.isEmpty, "bound twice: \(standard.duplicates.map { "\($0.key) in \($0.mode)" })")
        // Every mode has a table, and every row of it carries its mode.
        for mode in KeyMode.allCases {
            #expect(ModeTable.of(mode).mode == mode)
            #expect(ModeTable.of(mode).bindings.allSatisfy { $0.modes == [mode] })
        }
        var twice = standard
        twice.bindings.append(Binding([.char("j")], .bottom, modes: [.panes], section: "Move", help: "again"))
        #expect(twice.duplicates.count == 1)
        #expect(twice.duplicates.first?.mode == .panes && twice.duplicates.first?.key == .char("j"))
        // The same key in two different modes is fine.
        #expect(!standard.duplicates.contains { $0.key == .char("q") })
    }

    @Test("the keys reserved for coming features are free in the panes and the views")
    func reservedKeys() {
        // Y (sync) was reserved until it was bound.
        #expect(!Keymap.reserved.map(\.key).contains(.char("Y")))
        for (key, purpose) in Keymap.reserved {
            for mode in [KeyMode.panes, .insight, .callPrep, .help] {
                #expect(Keymap.standard.command(for: key, mode: mode) == nil, "\(key) (\(purpose)) is bound in \(mode)")
            }
        }
    }

    @Test("a resize while ? is open over the insight view reaches the insight table's clamp")
    func resizeUnderHelp() throws {
        var s = InsightSample.state(width: 120, height: 40)
        _ = update(&s, .toggleInsight)
        _ = update(&s, .bottom)
        let cursor = s.full.insightCursor
        try #require(cursor > 0)
        _ = update(&s, .toggleHelp)
        #expect(s.keyMode == .help)
        _ = update(&s, .resize(width: 60, height: 18))
        let rows = InsightLayout(content: s.layout.content).tableRows
        try #require(rows > 0 && rows <= cursor, "the table must be shorter than the cursor for the test to mean something")
        #expect(s.full.insightTop <= cursor && cursor < s.full.insightTop + rows)
        _ = update(&s, .close)
        #expect(s.keyMode == .insight)
    }

    @Test("events act in every mode; a command acts only in its mode's handler")
    func eventsEverywhere() {
        var s = Session()
        s.select(1)
        let later = Sample.now.addingTimeInterval(120)
        for open in [Command.addRecruiter, .search, .toggleHelp, .toggleInsight, .openCallPrep, .filterMenu] {
            s.send(open)
            s.send(.tick(later))
            #expect(s.state.now == later, "tick not handled in \(s.state.keyMode)")
            s.send(.failed("disk gone"))
            #expect(s.state.statusMessage == StatusMessage("disk gone", isError: true))
            while !s.state.overlays.isEmpty || s.state.full.view != nil { s.send(.cancel) }
        }
        // `t` is a pane command: with help on top it changes nothing.
        s.send(.toggleHelp)
        s.send(.toggleTargeting)
        #expect(s.persisted.isEmpty)
    }

    @Test("keys read in one go: a run of typed characters is one paste, bound keys still act")
    func pasteFromKeys() {
        var s = Session()
        s.send(.addRecruiter)
        let keys: [Key] = Array("Zoë Ångström").map { .char($0) } + [.tab] + Array("Initech").map { .char($0) }
        s.runner.send(keys: keys, keymap: .standard)
        #expect(s.form?.fields[0].field.text == "Zoë Ångström")
        #expect(s.form?.fields[1].field.text == "Initech")
        #expect(s.form?.focus == 1)
        // Enter is bound in the form: it saves, it is not pasted.
        s.runner.send(keys: [.enter], keymap: .standard)
        #expect(s.state.overlays.isEmpty)
        #expect(s.store.recruiters.values.contains { $0.name == "Zoë Ångström" && $0.firm == "Initech" })
    }

    @Test("a paste into the search prompt searches once; a paste on the panes does nothing")
    func pasteEvent() {
        var s = Session()
        let before = s.state.recruiterCursor
        s.send(.paste("dana"))
        #expect(s.state.recruiterCursor == before && s.state.overlays.isEmpty)
        s.send(.search)
        s.send(.paste("Dana"))
        #expect(s.state.selectedRecruiterID == Sample.id(1))
        guard case .search(let q) = s.state.overlays.last else { Issue.record("no search"); return }
        #expect(q.field.text == "Dana" && !q.miss)
        // A paste into a one-line field turns line breaks into spaces.
        s.send(.cancel)
        s.send(.addRecruiter)
        s.send(.paste("Dana\nSmith"))
        #expect(s.form?.fields[0].field.text == "Dana Smith")
    }
}

@Suite("Intents: the store builds each change on its own data, under its lock")
@MainActor
struct IntentTests {
    let dana = Sample.id(1)

    /// Another process writes to the store; the screen has not reloaded yet.
    func writeElsewhere(_ s: inout Session, _ change: Change) {
        try! s.store.apply(change)
    }

    @Test("rapport log, then d, y, u before the screen reloads: the recruiter comes back with the logged message")
    func deleteUndoKeepsOtherWrite() {
        var s = Session()
        s.select(1)
        let logged = Message(recruiterID: dana, direction: .inbound, channel: .email, at: Sample.now,
                             subject: "Logged from the CLI", body: nil)
        writeElsewhere(&s, .putMessage(logged))
        #expect(s.state.db.message(logged.id) == nil)
        s.send(.delete)
        s.send(.submit)
        #expect(s.store.recruiters[dana] == nil && s.store.message(logged.id) == nil)
        s.send(.undo)
        #expect(s.store.recruiters[dana] != nil)
        #expect(s.store.message(logged.id) == logged)
        #expect(s.state.db.message(logged.id) == logged)
    }

    @Test("rapport decline, then t before the screen reloads: the decline stays")
    func toggleKeepsOtherWrite() {
        var s = Session()
        s.select(1)
        let before = s.store.recruiters[dana]!
        writeElsewhere(&s, .setStatus(recruiter: dana, status: .declined, until: nil))
        s.send(.toggleTargeting)
        #expect(s.store.recruiters[dana]?.status == .declined)
        #expect(s.store.recruiters[dana]?.targeting != before.targeting)
    }

    @Test("an edit made in the form writes only the fields it changed; a note written elsewhere stays")
    func editKeepsOtherFields() {
        var s = Session()
        s.select(1)
        writeElsewhere(&s, .setField(recruiter: dana, field: .notes, value: "met at the meetup"))
        s.send(.editRecruiter)
        s.send(.nextField)
        s.send(.input(.ctrl("u")))
        s.type("Globex")
        s.send(.submit)
        #expect(s.store.recruiters[dana]?.firm == "Globex")
        #expect(s.store.recruiters[dana]?.notes == "met at the meetup")
        guard case .setField(_, .firm, "Globex")? = s.persisted.last else {
            Issue.record("expected a field-level edit, got \(String(describing: s.persisted.last))")
            return
        }
    }

    @Test("a tag added elsewhere while the edit form is open, and reloaded under it, stays when the form is saved")
    func editFormKeepsTagReloadedUnderIt() {
        var s = Session()
        s.select(1)
        s.send(.editRecruiter)
        writeElsewhere(&s, .addTag(recruiter: dana, tag: "added-elsewhere"))
        _ = s.send(.reload(s.store, notices: [], readOnly: false))
        s.send(.nextField)
        s.send(.input(.ctrl("u")))
        s.type("Globex")
        s.send(.submit)
        #expect(s.store.recruiters[dana]?.firm == "Globex")
        #expect(s.store.recruiters[dana]?.tags.contains("added-elsewhere") == true)
    }

    @Test("an undo that would overwrite a newer write elsewhere is refused by the store's check, and stays in its history")
    func undoRefusedUnderLock() {
        var s = Session()
        s.select(1)
        s.send(.toggleTargeting)
        let targeting = s.store.recruiters[dana]!.targeting
        writeElsewhere(&s, .setTargeting(recruiter: dana, targeting: targeting == .targeted ? .blanket : .targeted))
        let persisted = s.persisted.count
        s.send(.undo)
        #expect(s.persisted.count == persisted)
        #expect(s.store.recruiters[dana]?.targeting != targeting)
        #expect(s.history.done.count == 1 && s.history.undone.isEmpty)
        #expect(s.state.statusMessage?.isError == true)
        #expect(s.state.statusMessage?.text.hasPrefix("Not undone: ") == true)
    }
}
