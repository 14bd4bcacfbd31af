import Foundation
import RapportCore
import RapportText
import Testing
@testable import RapportTUI

/// `M` in the panes: the recruiters ingest created from mail, in the review list.
@Suite("Mail review: M, keep, reject, one change")
struct MailReviewTests {
    static let now = Date(timeIntervalSince1970: 1_773_000_000)

    static func recruiter(_ name: String, _ email: String, evidence: [String], minutes: Double) -> Recruiter {
        Recruiter(name: name, emails: [email], tags: ["from-mail"], notes: "Found in mail: " + evidence.joined(separator: "; "),
                  created: now.addingTimeInterval(minutes * 60), extra: ["mail.evidence": .array(evidence.map(JSONValue.string))])
    }

    static let sam = recruiter("Sam Sourcer", "sam@bigsearch.example", evidence: ["signature: Senior Recruiter, BigSearch"], minutes: 1)
    static let rita = recruiter("Rita Recruiter", "rita@gmail.com", evidence: ["outreach: my client, new role"], minutes: 2)
    static let dana = Recruiter(name: "Dana Known", emails: ["dana@acme.example"], created: now)

    static func state() throws -> AppState {
        var db = Database()
        try db.apply(.batch([.putRecruiter(sam), .putRecruiter(rita), .putRecruiter(dana),
                             .putMessage(Message(recruiterID: rita.id, direction: .inbound, channel: .email, at: now, subject: "Hi"))]))
        return AppState(db: db, now: now, width: 100, height: 30)
    }

    @Test("M lists only recruiters tagged from-mail, oldest first, with evidence for and against")
    func opens() throws {
        var s = try Self.state()
        let keys = Keymap.standard
        #expect(keys.command(for: .char("M"), mode: .panes) == .reviewMail)
        _ = update(&s, .reviewMail)
        let r = try #require(s.review)
        #expect(s.keyMode == .review)
        #expect(r.purpose == .mail)
        #expect(r.entries.map(\.name) == ["Sam Sourcer", "Rita Recruiter"])
        #expect(r.acceptedIDs.count == 2)
        #expect(r.entries[0].title == "Senior Recruiter, BigSearch")
        #expect(r.entries[1].against.contains("outreach wording is the only evidence"))
        #expect(r.entries[1].against.contains("a free-mail address (rita@gmail.com)"))
        #expect(r.entries[1].against.contains("one message only"))
        let screen = Screen.render(s, keymap: keys).text
        #expect(screen.contains("Recruiters from mail: 2 people · 2 to keep"))
        #expect(screen.contains("for: signature: Senior Recruiter, BigSearch"))
    }

    @Test("keep one, reject one, Enter: one change (tag off, recruiter removed), remembered, undoable")
    func commit() throws {
        var s = try Self.state()
        let before = s.db
        _ = update(&s, .reviewMail)
        _ = update(&s, .review(.accept))
        _ = update(&s, .review(.reject))
        let effects = update(&s, .submit)
        #expect(s.review == nil)
        #expect(effects.count == 2)
        guard case .persist(let intent, let label)? = effects.first else { Issue.record("no persist: \(effects)"); return }
        #expect(intent == .reviewMail(keep: [Self.sam.id], reject: [Self.rita.id]))
        #expect(label == "Review recruiters from mail: kept 1, rejected 1")
        #expect(effects.last == .rejectMailSenders([Self.rita]))
        let change = try intent.change(in: before, now: Self.now)
        var after = before
        let inverse = try after.applyReturningInverse(change)
        #expect(after.recruiters[Self.sam.id]?.tags == [])
        #expect(after.recruiters[Self.rita.id] == nil)
        #expect(after.thread(Self.rita.id).isEmpty)
        #expect(after.recruiters[Self.dana.id] == Self.dana)
        try after.apply(inverse)
        #expect(after == before)
        // One store step, which u takes back.
        #expect(s.statusMessage?.text == label + " · u undo")
    }

    @Test("Esc closes the mail review and changes nothing; M with nobody to review says so")
    func cancelAndEmpty() throws {
        var s = try Self.state()
        _ = update(&s, .reviewMail)
        let effects = update(&s, .cancel)
        #expect(effects.isEmpty)
        #expect(s.review == nil)
        #expect(s.keyMode == .panes)
        var empty = AppState(db: Database(), now: Self.now, width: 80, height: 24)
        _ = update(&empty, .reviewMail)
        #expect(empty.review == nil)
        #expect(empty.statusMessage?.text.contains("No recruiters from mail") == true)
    }
}
