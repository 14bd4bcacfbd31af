import Foundation
import RapportCore
import Testing
@testable import RapportInterchange

/// 2026-11-30 12:00 UTC: "now" for the history tests.
let historyNow = Date(timeIntervalSince1970: 1_796_040_000)

/// `2026-11-02 10:00:00 UTC`, `days` before `historyNow` (plus `minutes`).
func stamp(daysAgo days: Double, minutes: Double = 0) -> String {
    let d = historyNow.addingTimeInterval(-days * 86_400 + minutes * 60)
    return ISO8601.format(d).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
}

/// A messages.csv row in the current format (with URLs); `to`/`toURL` default to Ada.
func row(_ conv: String, _ from: String, _ fromURL: String, to: String = "Ada Lovelace", toURL: String = "https://www.linkedin.com/in/ada",
         _ date: String, _ content: String, folder: String = "INBOX", subject: String = "", attachments: String = "",
         draft: String = "No") -> String {
    csvLine([conv, "", from, fromURL, to, toURL, date, subject, content, folder, attachments, draft, "No"])
}

func historyPlan(_ files: LinkedInFiles, db: Database = Database(), me: String? = nil) throws -> LinkedInPlan {
    try LinkedInImporter.plan(files, into: db, me: me)
}

let rita = "https://www.linkedin.com/in/rita-recruiter"
let ada = "https://www.linkedin.com/in/ada"

@Suite struct RecruiterVocabulary {
    @Test func titlesMatchWholeWordsOnly() {
        for title in ["Senior Technical Recruiter", "Talent Acquisition Partner", "Recruitment Consultant", "Executive Headhunter",
                      "Sourcer, Engineering", "Personalberaterin IT", "Chargée de recrutement", "Reclutadora IT", "採用担当マネージャー",
                      "IT-Recruiterin"] {
            #expect(!RecruiterEvidence.titleHits(title).isEmpty, "\(title)")
        }
        for title in ["Growth Lead, User Acquisition", "Associate, Mergers & Acquisitions", "Talent Manager", "Staff Engineer",
                      "Sourcing Manager, Procurement", "Head of Data Acquisition"] {
            #expect(RecruiterEvidence.titleHits(title).isEmpty, "\(title)")
        }
    }

    @Test func outreachIsTwoPhrasesAndFriendsSmallTalkIsNot() {
        #expect(RecruiterEvidence.readsLikeOutreach("Hi Ada, my client is hiring for a role that fits your background. Open to a call?"))
        #expect(RecruiterEvidence.readsLikeOutreach("Hallo Ada, mein Kunde sucht jemanden, Ihr Profil passt gut."))
        #expect(RecruiterEvidence.readsLikeOutreach("Bonjour Ada, mon client cherche quelqu'un, votre profil m'intéresse."))
        #expect(RecruiterEvidence.readsLikeOutreach("Hola Ada, mi cliente busca perfiles como tu perfil."))
        #expect(RecruiterEvidence.readsLikeOutreach("Ada様、ご経歴を拝見しました。求人のご紹介です。"))
        #expect(!RecruiterEvidence.readsLikeOutreach("Congrats on the new job! Are you open to grabbing a beer?"))
        // Substrings of words are no evidence: "roles" in "controles", "job" alone.
        #expect(!RecruiterEvidence.readsLikeOutreach("The jobserver controls the payroles of the opportunistic."))
    }
}

@Suite struct SponsoredSpamAndFriends {
    static let spinmail = """
        <html><head><style>.spinmail-body { color: #333; font-family: Arial; }</style></head>\
        <body><div class="spinmail-body"><p>Hi %FIRSTNAME%, upgrade to Premium and find your next role!</p>\
        <p>An opportunity awaits.</p></div></body></html>
        """

    static func export() -> String {
        fullHeader
            + row("c1", "Premium Offers", "", stamp(daysAgo: 3), spinmail, folder: "INBOX")
            + row("c2", "Sam Spammer", "https://www.linkedin.com/in/sam", stamp(daysAgo: 4),
                  "My client has an exciting opportunity, your profile fits. Quick call?", folder: "SPAM")
            + row("c3", "Fred Friend", "https://www.linkedin.com/in/fred", stamp(daysAgo: 5),
                  "Congrats on the new job! Are you open to grabbing a beer?")
            + row("c3", "Ada Lovelace", ada, to: "Fred Friend", toURL: "https://www.linkedin.com/in/fred", stamp(daysAgo: 5, minutes: 30),
                  "Sure, Friday?")
            + row("c4", "Rita Recruiter", rita, stamp(daysAgo: 6), "Hi Ada, my client is hiring for a role that fits your background.")
    }

    @Test func sponsoredAndSpamAreNeverOutreachAndFriendsAreNotRecruiters() throws {
        let plan = try historyPlan(LinkedInFiles(messages: Self.export()))
        #expect(plan.me == "Ada Lovelace")
        let byName = Dictionary(uniqueKeysWithValues: plan.contacts.map { ($0.name, $0) })
        let promo = try #require(byName["Premium Offers"])
        #expect(promo.blocked && !promo.isProposed)
        #expect(promo.against.contains { $0.contains("sponsored") })
        let spam = try #require(byName["Sam Spammer"])
        #expect(spam.blocked && !spam.isProposed && spam.against == ["in the SPAM folder"])
        let fred = try #require(byName["Fred Friend"])
        #expect(!fred.isProposed)
        #expect(fred.against.contains { $0.hasPrefix("small talk") })
        #expect(byName["Rita Recruiter"]?.isProposed == true)

        let only = plan.result(selecting: .onlyRecruiters, in: Database(), now: historyNow)
        #expect(only.report.newRecruiters == ["Rita Recruiter"])
        // --all takes the friend, never the SPAM or sponsored senders.
        let all = plan.result(selecting: .all, in: Database(), now: historyNow)
        #expect(Set(all.report.newRecruiters) == ["Rita Recruiter", "Fred Friend"])
        #expect(all.report.notes.contains { $0.contains("SPAM or sponsored") })
        // The review list says the same.
        let items = plan.review(now: historyNow)
        #expect(Set(items.filter { $0.isTaken(by: .all) }.map(\.name)) == ["Rita Recruiter", "Fred Friend"])
        #expect(items.filter { $0.isTaken(by: .onlyRecruiters) }.map(\.name) == ["Rita Recruiter"])
        #expect(items.first { $0.name == "Sam Spammer" }?.line(checked: false).hasSuffix("against: in the SPAM folder") == true)
    }

    @Test func aSponsoredBodyIsStoredWithoutCSSOrPlaceholders() throws {
        let plan = try historyPlan(LinkedInFiles(messages: Self.export()))
        let promo = try #require(plan.contacts.first { $0.name == "Premium Offers" })
        var db = Database()
        try db.apply(plan.result(selecting: .chosen([promo.id]), in: db, now: historyNow).change)
        let body = try #require(db.threads.values.flatMap { $0 }.first?.body)
        #expect(!body.contains("%FIRSTNAME%") && !body.contains("{") && !body.contains("spinmail") && !body.contains("<"))
        #expect(body.hasPrefix("Hi Ada, upgrade to Premium"))
        #expect(body.contains("An opportunity awaits."))
    }
}

@Suite struct HistorySettles {
    static func export() -> String {
        fullHeader
            // Old thread, theirs last: 400 days ago.
            + row("old", "Olga Old", "https://www.linkedin.com/in/olga", stamp(daysAgo: 400), "My client has a role for you, interested?")
            // Old thread, mine last.
            + row("mine", "Mia Mine", "https://www.linkedin.com/in/mia", stamp(daysAgo: 300), "My client has an opportunity, your profile fits")
            + row("mine", "Ada Lovelace", ada, to: "Mia Mine", toURL: "https://www.linkedin.com/in/mia", stamp(daysAgo: 299), "Tell me more")
            // Active: an old unanswered message and a recent one.
            + row("act", "Rita Recruiter", rita, stamp(daysAgo: 90), "My client has a role, open to a call?")
            + row("act", "Rita Recruiter", rita, stamp(daysAgo: 10), "Following up on the role")
            // Active, answered.
            + row("done", "Dan Done", "https://www.linkedin.com/in/dan", stamp(daysAgo: 12), "An opportunity at my client, your background fits")
            + row("done", "Ada Lovelace", ada, to: "Dan Done", toURL: "https://www.linkedin.com/in/dan", stamp(daysAgo: 11), "Thanks, not now")
    }

    @Test func oldThreadsComeInSettledWithoutDeadlinesOrFlags() throws {
        let plan = try historyPlan(LinkedInFiles(messages: Self.export()))
        let result = plan.result(selecting: .onlyRecruiters, in: Database(), now: historyNow)
        #expect(result.report.newRecruiters.count == 4)
        #expect(result.report.settledThreads == 2)
        #expect(result.report.threadsNeedingAnswer == 1)
        #expect(result.report.summary.contains("2 threads settled"))
        #expect(result.report.summary.contains("1 needs an answer now"))
        var db = Database()
        try db.apply(result.change)
        let byName = Dictionary(uniqueKeysWithValues: db.recruiters.values.map { ($0.name, $0) })
        #expect(byName["Olga Old"]?.status == .dormant)
        #expect(byName["Mia Mine"]?.status == .dormant)
        #expect(byName["Rita Recruiter"]?.status == .active)
        #expect(byName["Dan Done"]?.status == .active)
        let deadlines = Rules.deadlines(in: db, now: historyNow, policy: .default)
        // Only Rita's recent message waits (one reply deadline, none for her message from
        // before the cutoff), and Dan, answered 11 days ago, is due a check-in.
        let ritaID = try #require(byName["Rita Recruiter"]?.id)
        let danID = try #require(byName["Dan Done"]?.id)
        #expect(deadlines.filter { $0.kind == .reply }.map(\.messageID) == [db.thread(ritaID).last?.id])
        #expect(deadlines.filter { $0.kind != .reply }.map(\.recruiterID) == [danID])
        #expect(Rules.status(of: ritaID, in: db, now: historyNow, policy: .default).openMessageIDs == [db.thread(ritaID).last!.id])
        for name in ["Olga Old", "Mia Mine"] {
            let id = try #require(byName[name]?.id)
            #expect(Rules.status(of: id, in: db, now: historyNow, policy: .default).flags.isEmpty, "\(name)")
            #expect(!deadlines.contains { $0.recruiterID == id })
        }
        // Settled messages say so.
        let oldMessage = try #require(db.thread(ritaID).first)
        #expect(oldMessage.noReplyNeeded && oldMessage.extra[LinkedInImporter.settledField] == .bool(true))
    }

    @Test func activeSinceMovesTheCutoff() throws {
        let plan = try historyPlan(LinkedInFiles(messages: Self.export()))
        let since = historyNow.addingTimeInterval(-500 * 86_400)
        let result = plan.result(selecting: .onlyRecruiters, in: Database(), now: historyNow, activeSince: since)
        #expect(result.report.settledThreads == 0)
        var db = Database()
        try db.apply(result.change)
        #expect(db.recruiters.values.allSatisfy { $0.status == .active })
        // One reply deadline per thread; together they wait on all three messages.
        #expect(Rules.deadlines(in: db, now: historyNow, policy: .default).filter { $0.kind == .reply }.reduce(0) { $0 + $1.count } == 3)
    }

    @Test func theReviewListIsAPureValue() throws {
        let plan = try historyPlan(LinkedInFiles(messages: Self.export()))
        let items = plan.review(now: historyNow)
        let rita = try #require(items.first { $0.name == "Rita Recruiter" })
        #expect(rita.messageCount == 2 && rita.proposed && !rita.settled)
        #expect(rita.lastContact == LinkedInReader.parseDate(stamp(daysAgo: 10)))
        #expect(rita.evidence.first?.hasPrefix("first message reads like outreach") == true)
        let olga = try #require(items.first { $0.name == "Olga Old" })
        #expect(olga.settled)
        #expect(olga.line(checked: true).hasPrefix("[x] Olga Old — 1 message, last "))
        #expect(olga.line(checked: true).contains("(settled)"))
    }
}

@Suite struct InvitationsAndMe {
    static let invitations = """
        From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl
        Irene Invite,Ada Lovelace,"1/29/26, 2:37 PM","Hi Ada, I'm a recruiter at Hays. My client has a Swift role that fits your background.",INCOMING,https://www.linkedin.com/in/irene,https://www.linkedin.com/in/ada
        Ada Lovelace,Bob Builder,"12/3/25, 9:05 AM",Great meeting you at the meetup!,OUTGOING,https://www.linkedin.com/in/ada,https://www.linkedin.com/in/bob
        Carl Quiet,Ada Lovelace,"11/2/25, 11:00 AM",,INCOMING,https://www.linkedin.com/in/carl,https://www.linkedin.com/in/ada

        """

    @Test func sentAtReadsAsMonthFirstWithAMPM() {
        #expect(LinkedInReader.parseDateTime("1/29/26, 2:37 PM") == ISO8601.parse("2026-01-29T14:37:00Z"))
        #expect(LinkedInReader.parseDateTime("12/3/25, 12:05 AM") == ISO8601.parse("2025-12-03T00:05:00Z"))
        #expect(LinkedInReader.parseDateTime("13/29/26, 2:37 PM") == nil)
    }

    @Test func anIncomingNoteIsTheFirstMessageOfTheirThread() throws {
        let messages = fullHeader
            + row("c1", "Irene Invite", "https://www.linkedin.com/in/irene", "2026-02-01 10:00:00 UTC", "Did you see my note?")
            + row("c1", "Ada Lovelace", ada, to: "Irene Invite", toURL: "https://www.linkedin.com/in/irene", "2026-02-01 11:00:00 UTC", "Yes!")
        let plan = try historyPlan(LinkedInFiles(messages: messages, invitations: Self.invitations))
        let irene = try #require(plan.contacts.first { $0.name == "Irene Invite" })
        #expect(irene.newMessages == 3)
        #expect(irene.isProposed)
        #expect(irene.evidence.contains { $0.hasPrefix("invitation note reads like outreach") })
        var db = Database()
        try db.apply(plan.result(selecting: .onlyRecruiters, in: db, now: historyNow).change)
        let r = try #require(db.recruiters.values.first { $0.name == "Irene Invite" })
        let thread = db.thread(r.id)
        #expect(thread.map(\.direction) == [.inbound, .inbound, .outbound])
        #expect(thread[0].channel == .linkedin && thread[0].body?.hasPrefix("Hi Ada, I'm a recruiter") == true)
        #expect(thread[0].at == ISO8601.parse("2026-01-29T14:37:00Z"))
        // The evidence is recorded on the recruiter.
        #expect(r.extra[LinkedInImporter.evidenceField] != nil)
        // The outgoing note is yours, in Bob's thread (taken with --all).
        let all = plan.result(selecting: .all, in: Database(), now: historyNow)
        let bobMessages = all.changes.compactMap { if case .putMessage(let m) = $0, m.body == "Great meeting you at the meetup!" { return m } else { return nil } }
        #expect(bobMessages.map(\.direction) == [.outbound])
        // Re-import: nothing new.
        let again = try historyPlan(LinkedInFiles(messages: messages, invitations: Self.invitations), db: db)
        #expect(again.result(selecting: .onlyRecruiters, in: db, now: historyNow).report.newMessages == 0)
    }

    @Test func profileNamesYouEvenInOneConversation() throws {
        let messages = fullHeader + row("c1", "Rita Recruiter", rita, "2026-11-20 10:00:00 UTC", "My client has a role for you, interested?")
        // Without Profile.csv, one conversation has two candidates: no guess.
        #expect(throws: LinkedInMeUnknown.self) { try historyPlan(LinkedInFiles(messages: messages)) }
        do {
            _ = try historyPlan(LinkedInFiles(messages: messages))
        } catch let e as LinkedInMeUnknown {
            #expect(Set(e.candidates) == ["Ada Lovelace", "Rita Recruiter"])
        }
        let profile = "First Name,Last Name,Maiden Name,Address,Birth Date,Headline\nAda,Lovelace,,London,,Engineer\n"
        let plan = try historyPlan(LinkedInFiles(messages: messages, profile: profile))
        #expect(plan.me == "Ada Lovelace")
        #expect(plan.contacts.map(\.name) == ["Rita Recruiter"])
        // --me also settles it.
        #expect(try historyPlan(LinkedInFiles(messages: messages), me: "Ada Lovelace").contacts.map(\.name) == ["Rita Recruiter"])
    }

    @Test func theParticipantInEveryConversationIsYou() throws {
        let messages = fullHeader
            + row("c1", "Rita Recruiter", rita, "2026-11-20 10:00:00 UTC", "x")
            + row("c2", "Bob Builder", "https://www.linkedin.com/in/bob", "2026-11-21 10:00:00 UTC", "y")
        let plan = try historyPlan(LinkedInFiles(messages: messages))
        #expect(plan.me == "Ada Lovelace")
        #expect(plan.notes.contains { $0.contains("in every conversation") })
    }
}

@Suite struct StableIdentity {
    @Test func aRenamedRecruiterAndARenamedYouAddNothingOnReimport() throws {
        let first = fullHeader
            + row("c1", "Rita Recruiter", rita, "2026-11-20 10:00:00 UTC", "My client has a role for you, interested?")
            + row("c1", "Ada Lovelace", ada, to: "Rita Recruiter", toURL: rita, "2026-11-20 11:00:00 UTC", "Tell me more")
        var db = Database()
        let plan = try historyPlan(LinkedInFiles(messages: first), me: "Ada Lovelace")
        try db.apply(plan.result(selecting: .onlyRecruiters, in: db, now: historyNow).change)
        #expect(db.messageCount == 2)
        // Both renamed themselves before the next export.
        let second = fullHeader
            + row("c1", "Rita Recruiter 🟢 Hiring", rita, to: "Ada L.", "2026-11-20 10:00:00 UTC", "My client has a role for you, interested?")
            + row("c1", "Ada L.", ada, to: "Rita Recruiter 🟢 Hiring", toURL: rita, "2026-11-20 11:00:00 UTC", "Tell me more")
            + row("c2", "Bob Builder", "https://www.linkedin.com/in/bob", to: "Ada L.", "2026-11-21 10:00:00 UTC", "hi")
        let again = try historyPlan(LinkedInFiles(messages: second), db: db)
        let result = again.result(selecting: .onlyRecruiters, in: db, now: historyNow)
        #expect(result.report.newMessages == 0)
        #expect(result.report.newRecruiters.isEmpty)
        #expect(result.report.alreadyPresent == 2)
    }

    @Test func sameNameDifferentProfilesAreTwoPeopleWithStableIDs() throws {
        let text = fullHeader
            + row("c1", "John Smith", "https://www.linkedin.com/in/john-smith-1", "2026-11-20 10:00:00 UTC", "My client has a role, interested?")
            + row("c2", "John Smith", "https://www.linkedin.com/in/john-smith-2", "2026-11-21 10:00:00 UTC", "My client has an opportunity, your profile fits")
        let plan = try historyPlan(LinkedInFiles(messages: text))
        #expect(plan.contacts.filter { $0.name == "John Smith" }.count == 2)
        let a = plan.result(selecting: .all, in: Database(), now: historyNow)
        let b = try historyPlan(LinkedInFiles(messages: text)).result(selecting: .all, in: Database(), now: historyNow)
        // Two devices importing the same export create the same records.
        #expect(a.changes == b.changes)
        var db = Database()
        try db.apply(a.change)
        #expect(db.recruiters.count == 2)
        #expect(db.recruiters[StableID.make(.recruiter, "linkedin:linkedin.com/in/john-smith-1")] != nil)
        // A third John Smith with another URL in a later export is not merged into either.
        let later = fullHeader + row("c3", "John Smith", "https://www.linkedin.com/in/john-smith-3", "2026-11-22 10:00:00 UTC", "Hi")
        let third = try historyPlan(LinkedInFiles(messages: later), db: db, me: "Ada Lovelace")
        #expect(third.contacts.first?.existingID == nil)
    }

    @Test func twoMessagesInTheSameSecondWithDifferentTextAreBothKept() throws {
        let text = fullHeader
            + row("c1", "Rita Recruiter", rita, "2026-11-20 10:00:00 UTC", "My client has a role.")
            + row("c1", "Rita Recruiter", rita, "2026-11-20 10:00:00 UTC", "Open to a call about it?")
            + row("c1", "Rita Recruiter", rita, "2026-11-20 10:00:00 UTC", "Open to a call about it?")
        let plan = try historyPlan(LinkedInFiles(messages: text), me: "Ada Lovelace")
        #expect(plan.contacts.first?.newMessages == 2)
        #expect(plan.skipped.map(\.reason) == ["duplicate of line 3"])
    }

    @Test func aNameWithACommaIsOnePerson() throws {
        let text = fullHeader
            + row("c1", "Jane Doe, SHRM-CP", "https://www.linkedin.com/in/jane", "2026-11-20 10:00:00 UTC", "My client has a role, interested?")
            + row("c1", "Ada Lovelace", ada, to: "Jane Doe, SHRM-CP", toURL: "https://www.linkedin.com/in/jane", "2026-11-20 11:00:00 UTC", "Yes")
            + row("c2", "Ada Lovelace", ada, to: "Kim Lee, PhD", toURL: "https://www.linkedin.com/in/kim", "2026-11-21 11:00:00 UTC", "Hi Kim")
        let rows = try LinkedInReader.messages(text).rows
        #expect(rows[1].to == ["Jane Doe, SHRM-CP"])
        #expect(rows[2].to == ["Kim Lee, PhD"])
        let plan = try historyPlan(LinkedInFiles(messages: text))
        #expect(Set(plan.contacts.map(\.name)) == ["Jane Doe, SHRM-CP", "Kim Lee, PhD"])
        #expect(LinkedInReader.splitNames("Ann Ames, Bo Berg", known: [], count: 2) == ["Ann Ames", "Bo Berg"])
    }
}

@Suite struct ExportsAsPeopleWriteThem {
    @Test func excelResavedDatesDecidedPerFile() throws {
        let dayFirst = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
            + "Ann,Ames,https://www.linkedin.com/in/ann,,Hays,Recruiter,4-Apr-21\n"
            + "Bo,Berg,https://www.linkedin.com/in/bo,,Hays,Recruiter,15/01/2023\n"
            + "Cy,Cole,https://www.linkedin.com/in/cy,,Hays,Recruiter,04/05/2023\n"
        let (rows, skipped, notes) = try LinkedInReader.connections(dayFirst)
        #expect(skipped.isEmpty && notes.isEmpty)
        #expect(rows.map(\.connectedOn) == ["2021-04-04", "2023-01-15", "2023-05-04"].map { ISO8601.parse($0 + "T00:00:00Z") })
        // Only ambiguous values: read month first, and said.
        let ambiguous = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\nCy,Cole,,,,,04/05/2023\n"
        let r2 = try LinkedInReader.connections(ambiguous)
        #expect(r2.rows.first?.connectedOn == ISO8601.parse("2023-04-05T00:00:00Z"))
        #expect(r2.notes.count == 1 && r2.notes[0].contains("04/05/2023") && r2.notes[0].contains("month/day/year"))
    }

    @Test func aResavedMessagesFileHasItsDayOrderDecidedToo() throws {
        let text = "CONVERSATION ID,FROM,TO,DATE,CONTENT\n"
            + "c1,Rita Recruiter,Ada Lovelace,11/06/2023 15:33,My client has a role\n"
            + "c1,Ada Lovelace,Rita Recruiter,25/06/2023 09:00,Tell me more\n"
        let (rows, skipped, notes) = try LinkedInReader.messages(text)
        #expect(skipped.isEmpty && notes.isEmpty)
        #expect(rows.map(\.date) == [ISO8601.parse("2023-06-11T15:33:00Z"), ISO8601.parse("2023-06-25T09:00:00Z")])
        let ambiguous = "CONVERSATION ID,FROM,TO,DATE,CONTENT\nc1,Rita Recruiter,Ada Lovelace,04/05/2023 10:00,x\n"
        let r2 = try LinkedInReader.messages(ambiguous)
        #expect(r2.rows.first?.date == ISO8601.parse("2023-04-05T10:00:00Z"))
        #expect(r2.notes == ["messages.csv: dates like 04/05/2023 10:00 read as month/day/year (no day over 12 settles it)"])
    }

    @Test func anUnreadableOptionalDateKeepsTheRowAndSaysSo() throws {
        let text = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\nAnn,Ames,,,Hays,Recruiter,sometime\n"
        let (rows, skipped, notes) = try LinkedInReader.connections(text)
        #expect(rows.count == 1 && rows[0].connectedOn == nil && skipped.isEmpty)
        #expect(notes == ["Connections.csv:2: Connected On 'sometime' is not a date like 15 Jan 2023; imported without it"])
    }

    @Test func oldConnectionsWithPreambleAndNoURLColumn() throws {
        let text = "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\n"
            + "First Name,Last Name,Email Address,Company,Position,Connected On\n"
            + "Rita,Recruiter,rita@hays.example,Hays,Senior Technical Recruiter,12 Mar 2021\n"
            + "Greg,Growth,,Acme,\"Growth Lead, User Acquisition\",13 Mar 2021\n"
        let (rows, _, _) = try LinkedInReader.connections(text)
        #expect(rows.map(\.fullName) == ["Rita Recruiter", "Greg Growth"])
        #expect(rows[0].line == 5)
        let plan = try historyPlan(LinkedInFiles(connections: text))
        #expect(plan.contacts.map(\.name) == ["Rita Recruiter"])
        #expect(plan.contacts[0].id == "email:rita@hays.example")
    }

    @Test func attachmentsAreKeptAndDraftsSkippedAndCounted() throws {
        let text = fullHeader
            + row("c1", "Rita Recruiter", rita, "2026-11-20 10:00:00 UTC", "", attachments: "https://www.linkedin.com/dms/jd.pdf")
            + row("c1", "Ada Lovelace", ada, to: "Rita Recruiter", toURL: rita, "2026-11-20 11:00:00 UTC", "unsent", draft: "Yes")
        let plan = try historyPlan(LinkedInFiles(messages: text), me: "Ada Lovelace")
        #expect(plan.skipped.map(\.reason) == [LinkedInReader.draftReason])
        #expect(plan.notes.contains("1 draft (never sent) skipped"))
        var db = Database()
        try db.apply(plan.result(selecting: .all, in: db, now: historyNow).change)
        let m = try #require(db.threads.values.flatMap { $0 }.first)
        #expect(m.body == "Attachment: https://www.linkedin.com/dms/jd.pdf")
        #expect(m.extra[LinkedInImporter.attachmentsField] == .array([.string("https://www.linkedin.com/dms/jd.pdf")]))
        // A conversation draft too.
        let convDraft = "CONVERSATION ID,FROM,TO,DATE,CONTENT,IS CONVERSATION DRAFT\nc9,Ada Lovelace,Rita Recruiter,2026-11-20 10:00:00 UTC,draft,Yes\n"
        #expect(try LinkedInReader.messages(convDraft).skipped.map(\.reason) == [LinkedInReader.draftReason])
    }
}

@Suite struct NotificationSnippets {
    @Test func theExportReplacesASnippetFromMailInsteadOfDuplicatingIt() throws {
        var db = Database()
        let r = Recruiter(name: "Rita Recruiter", linkedin: rita, created: historyNow)
        let snippet = Message(id: StableID.make(.message, "mail:<n1@linkedin.com>"), recruiterID: r.id, direction: .inbound,
                              channel: .linkedin, at: ISO8601.parse("2026-11-20T10:01:30Z")!, body: "Hi Ada, my client is hiring for a role…",
                              extra: [LinkedInImporter.snippetField: .bool(true)])
        let other = Message(recruiterID: r.id, direction: .inbound, channel: .linkedin, at: ISO8601.parse("2026-11-25T10:00:00Z")!,
                            body: "Something else entirely", extra: [LinkedInImporter.snippetField: .bool(true)])
        try db.apply(.batch([.putRecruiter(r), .putMessage(snippet), .putMessage(other)]))
        let text = fullHeader
            + row("c1", "Rita Recruiter", rita, "2026-11-20 10:00:00 UTC", "Hi Ada, my client is hiring for a role that fits your background.\nCall?")
            + row("c1", "Ada Lovelace", ada, to: "Rita Recruiter", toURL: rita, "2026-11-20 11:00:00 UTC", "Sure")
        let plan = try historyPlan(LinkedInFiles(messages: text), db: db, me: "Ada Lovelace")
        let result = plan.result(selecting: .onlyRecruiters, in: db, now: historyNow)
        #expect(result.report.notes.contains("1 LinkedIn notification snippet from mail replaced by the full message"))
        try db.apply(result.change)
        let thread = db.thread(r.id)
        #expect(thread.count == 3)
        #expect(db.message(snippet.id) == nil)
        #expect(db.message(other.id) != nil)
        #expect(thread.first?.body?.hasSuffix("Call?") == true)
    }
}
