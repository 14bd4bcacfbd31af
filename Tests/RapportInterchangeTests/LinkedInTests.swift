import Foundation
import RapportCore
import Testing
@testable import RapportInterchange

let t0 = Date(timeIntervalSince1970: 1_700_000_000)

/// A messages.csv line with RFC 4180 quoting.
func csvLine(_ cells: [String]) -> String {
    cells.map { c in c.contains { ",\"\n\r".contains($0) } ? "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : c }
        .joined(separator: ",") + "\n"
}

let fullHeader = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT,IS CONVERSATION ARCHIVED\n"

func apply(_ result: ImportResult, to db: inout Database) throws {
    try db.apply(result.change)
}

/// Plans and selects; `activeSince` defaults to long ago so these format tests see every
/// thread as active (settling has its own tests).
func linkedIn(_ messages: String?, connections: String? = nil, db: Database = Database(), me: String? = nil,
              selection: LinkedInSelection = .all, activeSince: Date? = .distantPast) throws -> (LinkedInPlan, ImportResult) {
    let plan = try LinkedInImporter.plan(LinkedInFiles(messages: messages, connections: connections), into: db, me: me)
    return (plan, plan.result(selecting: selection, in: db, now: t0, activeSince: activeSince))
}

@Suite struct LinkedInQuirks {
    @Test func bomLowercaseHeaderAndMissingURLColumns() throws {
        // An older export: no profile URL columns, lower-case headers, a BOM.
        let text = "\u{FEFF}conversation id,conversation title,from,to,date,subject,content,folder\n"
            + csvLine(["c1", "", "Rita Recruiter", "Ada Lovelace", "2023-06-11 15:33:58 UTC", "", "Hi Ada, a role?", "INBOX"])
            + csvLine(["c1", "", "Ada Lovelace", "Rita Recruiter", "2023-06-12 09:00:00 UTC", "", "Tell me more", "INBOX"])
            + csvLine(["c2", "", "Bob Builder", "Ada Lovelace", "2023-06-13 10:00:00 UTC", "", "Hey", "INBOX"])
        let (plan, result) = try linkedIn(text)
        #expect(plan.me == "Ada Lovelace")
        var db = Database()
        try apply(result, to: &db)
        let rita = try #require(db.recruiters.values.first { $0.name == "Rita Recruiter" })
        let thread = db.thread(rita.id)
        #expect(thread.map(\.direction) == [.inbound, .outbound])
        #expect(thread.first?.at == Date(timeIntervalSince1970: 1_686_497_638))  // 2023-06-11T15:33:58Z
        #expect(thread.allSatisfy { $0.channel == .linkedin })
        #expect(result.report.newMessages == 3)
    }

    @Test func multilineContentHTMLEntitiesAndExtraColumns() throws {
        let body = "Hi Ada,\nI have a role &amp; a &quot;great&quot; team.\r\n\nCheers &#8211; Rita"
        let text = fullHeader
            + csvLine(["c1", "Role", "Rita Recruiter", "https://www.linkedin.com/in/rita", "Ada Lovelace", "https://www.linkedin.com/in/ada",
                       "2023-06-11 15:33:58 UTC", "Role", body, "INBOX", "", "No", "No"])
            + csvLine(["c1", "Role", "Ada Lovelace", "https://www.linkedin.com/in/ada", "Rita Recruiter", "https://www.linkedin.com/in/rita",
                       "2023-06-11 16:00:00 UTC", "", "Sure", "INBOX", "", "No", "No"])
        let rows = try LinkedInReader.messages(text).rows
        #expect(rows.count == 2)
        #expect(rows[0].content == "Hi Ada,\nI have a role & a \"great\" team.\r\n\nCheers \u{2013} Rita")
        // The second record starts after the three physical lines of the first.
        #expect(rows[0].line == 2)
        #expect(rows[1].line == 6)
        // One conversation: who is you cannot be told from it alone.
        let (_, result) = try linkedIn(text, me: "Ada Lovelace")
        var db = Database()
        try apply(result, to: &db)
        #expect(db.recruiters.values.first?.linkedin == "https://www.linkedin.com/in/rita")
    }

    @Test func mojibakeNamesAreRepaired() throws {
        let text = fullHeader
            + csvLine(["c1", "", "RenÃ©e FranÃ§ois", "", "Ada Lovelace", "", "2023-06-11 15:33:58 UTC", "", "Bonjour â€“ hi", "INBOX", "", "", ""])
            + csvLine(["c1", "", "Ada Lovelace", "", "RenÃ©e FranÃ§ois", "", "2023-06-11 16:33:58 UTC", "", "Hi", "INBOX", "", "", ""])
        let (_, result) = try linkedIn(text, me: "Ada Lovelace")
        #expect(result.report.newRecruiters == ["Renée François"])
        var db = Database()
        try apply(result, to: &db)
        let m = db.threads.values.first!.first!
        #expect(m.body == "Bonjour \u{2013} hi")
    }

    @Test func mojibakeRepairOnlyWhenUnambiguous() {
        #expect(TextRepair.repairMojibake("JosÃ©") == "José")
        #expect(TextRepair.repairMojibake("José") == "José")  // already fine
        #expect(TextRepair.repairMojibake("Ã") == "Ã")  // not a valid sequence
        #expect(TextRepair.repairMojibake("Ã© 漢") == "Ã© 漢")  // a character outside Latin-1: ambiguous
        #expect(TextRepair.repairMojibake("JosÃƒÂ©") == "JosÃƒÂ©")  // double-encoded: one step would still look broken → unchanged
    }

    @Test func hiddenMembersBecomeOneContactPerConversation() throws {
        let text = fullHeader
            + csvLine(["c1", "", "LinkedIn Member", "", "Ada Lovelace", "", "2023-06-11 15:33:58 UTC", "", "A great opportunity for your profile", "INBOX", "", "", ""])
            + csvLine(["c2", "", "LinkedIn Member", "", "Ada Lovelace", "", "2023-06-12 15:33:58 UTC", "", "Another hiring role", "INBOX", "", "", ""])
            + csvLine(["c3", "", "Ada Lovelace", "", "Zed", "", "2023-06-12 15:33:58 UTC", "", "Hi Zed", "INBOX", "", "", ""])
        let (plan, result) = try linkedIn(text)
        #expect(plan.me == "Ada Lovelace")
        #expect(plan.contacts.filter { $0.name == "LinkedIn Member" }.map(\.id).sorted() == ["hidden:c1", "hidden:c2"])
        var db = Database()
        try apply(result, to: &db)
        #expect(db.recruiters.values.filter { $0.name == "LinkedIn Member" }.count == 2)
        // Re-import: both conversations go back to their own recruiters, nothing new.
        let again = try linkedIn(text, db: db).1
        #expect(again.report.newMessages == 0)
        #expect(again.report.newRecruiters.isEmpty)
    }

    @Test func connectionsPreambleAndDates() throws {
        let text = """
        Notes:
        "When exporting your connection data, you may notice that some of the email addresses are missing."

        First Name,Last Name,URL,Email Address,Company,Position,Connected On
        Rita,Recruiter,https://www.linkedin.com/in/rita,rita@agency.example,Agency Ltd,Senior Technical Recruiter,15 Jan 2023
        Bob,Builder,https://www.linkedin.com/in/bob,,Builders,Engineer,02 Feb 2022
        Broken,"Row,https://x

        """
        let (rows, skipped, _) = try LinkedInReader.connections(text)
        #expect(rows.count == 2)
        #expect(rows[0].line == 5)
        #expect(rows[0].connectedOn == Date(timeIntervalSince1970: 1_673_740_800))  // 2023-01-15
        #expect(rows[0].position == "Senior Technical Recruiter")
        #expect(skipped.count == 1)
        #expect(skipped.first?.line == 7)
    }

    @Test func aConnectionWithAnUnreadableDateComesInWithoutItAndIsReported() throws {
        let text = """
        First Name,Last Name,URL,Email Address,Company,Position,Connected On
        Rita,Recruiter,https://www.linkedin.com/in/rita,,Agency Ltd,Recruiter,notadate
        Bob,Builder,https://www.linkedin.com/in/bob,,Builders,Engineer,

        """
        let (rows, skipped, notes) = try LinkedInReader.connections(text)
        #expect(rows.map(\.firstName) == ["Rita", "Bob"], "the date is optional: the row is kept")
        #expect(rows.map(\.connectedOn) == [nil, nil])
        #expect(skipped.isEmpty)
        #expect(notes.count == 1 && notes[0].hasPrefix("Connections.csv:2:") && notes[0].contains("notadate"))
    }

    @Test func recruiterEvidenceFromPositionAndOutreach() throws {
        let connections = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
            + "Rita,Recruiter,https://www.linkedin.com/in/rita,,Agency Ltd,Talent Acquisition Partner,15 Jan 2023\n"
            + "Sam,Sourcer,https://www.linkedin.com/in/sam,,Sourcing Co,Technical Sourcer,15 Jan 2023\n"
            + "Bob,Builder,https://www.linkedin.com/in/bob,,Builders,Engineer,15 Jan 2023\n"
        let text = fullHeader
            + csvLine(["c1", "", "Rita Recruiter", "https://www.linkedin.com/in/rita", "Ada Lovelace", "", "2023-06-11 15:33:58 UTC", "", "hello", "INBOX", "", "", ""])
            + csvLine(["c2", "", "Olga Outreach", "https://www.linkedin.com/in/olga", "Ada Lovelace", "", "2023-06-11 15:33:58 UTC", "",
                       "Hi Ada, my client is hiring for a senior role that fits your background.", "INBOX", "", "", ""])
            + csvLine(["c3", "", "Bob Builder", "https://www.linkedin.com/in/bob", "Ada Lovelace", "", "2023-06-11 15:33:58 UTC", "", "lunch?", "INBOX", "", "", ""])
            + csvLine(["c3", "", "Ada Lovelace", "", "Bob Builder", "", "2023-06-11 16:33:58 UTC", "", "yes", "INBOX", "", "", ""])
        let (plan, result) = try linkedIn(text, connections: connections, selection: .onlyRecruiters)
        let proposed = Set(plan.contacts.filter(\.isProposed).map(\.name))
        #expect(proposed == ["Rita Recruiter", "Olga Outreach", "Sam Sourcer"])
        #expect(!plan.contacts.first { $0.name == "Bob Builder" }!.isProposed)
        #expect(Set(result.report.newRecruiters) == ["Rita Recruiter", "Olga Outreach", "Sam Sourcer"])
        var db = Database()
        try apply(result, to: &db)
        let rita = try #require(db.recruiters.values.first { $0.name == "Rita Recruiter" })
        #expect(rita.firm == "Agency Ltd")
        #expect(rita.kind == .inHouse)
        #expect(result.report.notes.contains { $0.contains("1 person") })
    }

    @Test func duplicateRowsBrokenRowsAndDrafts() throws {
        let row = ["c1", "", "Rita Recruiter", "", "Ada Lovelace", "", "2023-06-11 15:33:58 UTC", "", "hello", "INBOX", "", "No", "No"]
        var draft = row
        draft[2] = "Ada Lovelace"; draft[4] = "Rita Recruiter"; draft[6] = "2023-06-12 10:00:00 UTC"; draft[11] = "Yes"
        var badDate = row
        badDate[6] = "yesterday"
        let text = fullHeader + csvLine(row) + csvLine(row) + "c1,only,three\n" + csvLine(draft) + csvLine(badDate)
        let (_, result) = try linkedIn(text, me: "Ada Lovelace")
        #expect(result.report.newMessages == 1)
        let reasons = result.report.skipped.map { "\($0.line ?? 0): \($0.reason)" }
        #expect(reasons.count == 4)
        #expect(reasons.contains("3: duplicate of line 2"))
        #expect(reasons.contains { $0.hasPrefix("4: 3 fields where the header has 13") })
        #expect(reasons.contains("5: draft, never sent"))
        #expect(reasons.contains { $0.hasPrefix("6: DATE \"yesterday\"") })
    }

    @Test func unterminatedQuoteSkipsTheRestAsOneBrokenRow() throws {
        let good = csvLine(["c1", "", "Rita Recruiter", "", "Ada Lovelace", "", "2023-06-11 15:33:58 UTC", "", "hello", "INBOX", "", "No", "No"])
        let text = fullHeader + good + "c2,,Bob,,Ada Lovelace,,2023-06-12 10:00:00 UTC,,\"never closed,INBOX,,No,No\nc3,,x\n"
        let (rows, skipped, _) = try LinkedInReader.messages(text)
        #expect(rows.count == 1)
        #expect(skipped.map(\.line) == [3])
    }

    @Test func loadsAFolderOrASingleFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("li-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data((fullHeader + csvLine(["c1", "", "A", "", "B", "", "2023-06-11 15:33:58 UTC", "", "x", "", "", "", ""])).utf8)
            .write(to: dir.appendingPathComponent("messages.csv"))
        let conns = "Notes:\nx\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nRita,R,,,,,\n"
        try Data(conns.utf8).write(to: dir.appendingPathComponent("Connections.csv"))
        try Data(conns.utf8).write(to: dir.appendingPathComponent("renamed.csv"))
        let folder = try LinkedInFiles.load(path: dir.path)
        #expect(folder.messages != nil && folder.connections != nil)
        let single = try LinkedInFiles.load(path: dir.appendingPathComponent("renamed.csv").path)
        #expect(single.messages == nil && single.connections == conns)
        #expect(throws: InterchangeError.self) { _ = try LinkedInFiles.load(path: dir.appendingPathComponent("nope").path) }
    }

    @Test func missingRequiredColumnIsAClearError() {
        #expect(throws: InterchangeError.self) {
            _ = try LinkedInReader.messages("CONVERSATION ID,FROM,CONTENT\nc1,a,b\n")
        }
    }

    @Test func meOverridesTheGuessAndUnknownMeIsAnError() throws {
        let text = fullHeader
            + csvLine(["c1", "", "Rita Recruiter", "", "Ada Lovelace", "", "2023-06-11 15:33:58 UTC", "", "x", "INBOX", "", "", ""])
            + csvLine(["c2", "", "Rita Recruiter", "", "Bob Builder", "", "2023-06-11 15:33:58 UTC", "", "y", "INBOX", "", "", ""])
        // Rita is the most frequent participant; --me says Ada.
        let (plan, result) = try linkedIn(text, me: "ada lovelace")
        #expect(plan.me == "Ada Lovelace")
        #expect(result.report.newRecruiters.contains("Rita Recruiter"))
        #expect(throws: InterchangeError.self) { _ = try linkedIn(text, me: "Nobody Here") }
    }

    @Test func reviewCommands() {
        #expect(ReviewSelection.apply("1 3", to: [0, 1], count: 4) == [1, 2])
        #expect(ReviewSelection.apply("2-4", to: [], count: 4) == [1, 2, 3])
        #expect(ReviewSelection.apply("a", to: [], count: 3) == [0, 1, 2])
        #expect(ReviewSelection.apply("n", to: [0], count: 3) == [])
        #expect(ReviewSelection.apply("9", to: [], count: 3) == nil)
        #expect(ReviewSelection.apply("x", to: [], count: 3) == nil)
    }
}

@Suite struct LinkedInScale {
    /// A generated export: 40 recruiters × 75 messages, alternating, some hidden members.
    static func export(people: Int = 40, perPerson: Int = 75) -> (text: String, expected: [String: [Direction]]) {
        var text = fullHeader
        var expected: [String: [Direction]] = [:]
        let base = 1_680_000_000
        for p in 0..<people {
            let name = "Recruiter \(p)"
            let url = "https://www.linkedin.com/in/r\(p)"
            for i in 0..<perPerson {
                let inbound = i == 0 || (i + p) % 3 != 0
                let date = Date(timeIntervalSince1970: TimeInterval(base + p * 100_000 + i * 600))
                let stamp = ISO8601.format(date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
                let content = i == 0 ? "Hi Ada, my client is hiring for a role that fits your profile.\nInterested?" : "Message \(i), with \"quotes\", commas\nand lines"
                text += csvLine([
                    "conv-\(p)", "", inbound ? name : "Ada Lovelace", inbound ? url : "", inbound ? "Ada Lovelace" : name,
                    inbound ? "" : url, stamp, "", content, "INBOX", "", "No", "No",
                ])
                expected[name, default: []].append(inbound ? .inbound : .outbound)
            }
        }
        return (text, expected)
    }

    @Test func thousandsOfMessagesImportIntoThreadsWithDirections() throws {
        let (text, expected) = Self.export()
        let (plan, result) = try linkedIn(text, selection: .onlyRecruiters)
        #expect(plan.me == "Ada Lovelace")
        #expect(result.report.newMessages == 3000)
        #expect(result.report.skipped.isEmpty)
        var db = Database()
        try apply(result, to: &db)
        #expect(db.recruiters.count == 40)
        #expect(db.messageCount == 3000)
        for r in db.recruiters.values {
            #expect(db.thread(r.id).map(\.direction) == expected[r.name])
            let last = db.thread(r.id).last!
            let status = Rules.status(of: r.id, in: db, now: t0, policy: .default)
            #expect(status.turn == (last.direction == .inbound ? .mine : .theirs))
        }
        // Second run of the same file: 0 new.
        let again = try linkedIn(text, db: db, selection: .onlyRecruiters).1
        #expect(again.report.isEmpty)
        #expect(again.report.alreadyPresent == 3000)
        #expect(again.report.summary.hasPrefix("0 new"))
        #expect(again.changes.isEmpty)
    }

    @Test func newerExportAddsOnlyTheNewMessages() throws {
        let (text, _) = Self.export(people: 3, perPerson: 5)
        var db = Database()
        try apply(try linkedIn(text).1, to: &db)
        let more = text + csvLine(["conv-1", "", "Recruiter 1", "https://www.linkedin.com/in/r1", "Ada Lovelace", "",
                                   "2024-01-01 10:00:00 UTC", "", "Any news?", "INBOX", "", "No", "No"])
        let result = try linkedIn(more, db: db).1
        #expect(result.report.newMessages == 1)
        #expect(result.report.newRecruiters.isEmpty)
        try apply(result, to: &db)
        let r1 = try #require(db.recruiters.values.first { $0.name == "Recruiter 1" })
        #expect(db.thread(r1.id).count == 6)
        #expect(db.thread(r1.id).last?.body == "Any news?")
    }
}
