import Foundation
import RapportCore
import Testing
@testable import RapportInterchange

/// A LinkedIn export spanning 2021–2026 as a new user brings it: recruiters with years of
/// old threads and a few live ones, friends, a sponsored InMail, a SPAM sender, and
/// people whose titles only look like recruiting.
enum SeveralYearExport {
    struct Expected {
        var recruiters: Set<String> = []
        var waiting: Set<String> = []
        var settled: Set<String> = []
    }

    static func make() -> (files: LinkedInFiles, expected: Expected) {
        var messages = fullHeader
        var connections = "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\n"
            + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        var expected = Expected()
        let titles = ["Senior Technical Recruiter", "Talent Acquisition Partner", "Recruitment Consultant", "Headhunter",
                      "Personalberaterin", "Chargée de recrutement", "Sourcer"]
        let openers = [
            "Hi Ada, my client is hiring for a role that fits your background. Open to a call?",
            "Hallo Ada, mein Kunde sucht eine Senior-Entwicklerin, Ihr Profil passt sehr gut.",
            "Bonjour Ada, mon client recrute et votre profil correspond.",
            "Hi Ada, I came across your profile: an exciting opportunity at my client, interested?",
        ]
        for p in 0..<60 {
            let first = "Rec\(p)", last = "Ruiter"
            let name = "\(first) \(last)"
            let url = "https://www.linkedin.com/in/rec-\(p)"
            let titled = p % 3 != 0
            connections += csvLine([first, last, url, "", "Firm \(p)", titled ? titles[p % titles.count] : "Consultant",
                                    p % 2 == 0 ? "4-Apr-2\(p % 5)" : "15/0\(p % 9 + 1)/202\(p % 5)"])
            // The thread starts between 5 years and 40 days ago; some end recently.
            let startDaysAgo = 40 + Double((p * 37) % 1800)
            let live = p % 10 == 0 ? "waiting" : p % 10 == 5 ? "answered" : "old"
            var dates = [startDaysAgo, startDaysAgo - 1, startDaysAgo - 2]
            if live != "old" { dates += [Double(4 + p % 20)] }
            for (i, d) in dates.enumerated() {
                let mine = (i == 1) || (live == "answered" && i == dates.count - 1)
                let content = i == 0 ? openers[p % openers.count] : mine ? "Thanks, tell me more" : "Any news on your side?"
                if mine {
                    messages += row("conv-\(p)", "Ada Lovelace", ada, to: name, toURL: url, stamp(daysAgo: d), content)
                } else {
                    messages += row("conv-\(p)", name, url, stamp(daysAgo: d), content)
                }
            }
            expected.recruiters.insert(name)
            if live == "waiting" { expected.waiting.insert(name) } else if live == "old" { expected.settled.insert(name) }
        }
        // Friends: small talk, some recently.
        for f in 0..<12 {
            let name = "Friend \(f)", url = "https://www.linkedin.com/in/friend-\(f)"
            connections += csvLine(["Friend", "\(f)", url, "", "Acme", f % 2 == 0 ? "Growth Lead, User Acquisition" : "Talent Manager", "1 Jan 2022"])
            messages += row("friend-\(f)", name, url, stamp(daysAgo: Double(3 + f * 90)), "Congrats on the new job! Are you open to grabbing a beer?")
            if f % 2 == 0 { messages += row("friend-\(f)", "Ada Lovelace", ada, to: name, toURL: url, stamp(daysAgo: Double(2 + f * 90)), "Sure!") }
        }
        messages += row("promo", "Premium Careers", "", stamp(daysAgo: 6), SponsoredSpamAndFriends.spinmail)
        messages += row("spam", "Sam Spammer", "https://www.linkedin.com/in/sam", stamp(daysAgo: 7),
                        "My client has an exciting opportunity, your profile fits. Quick call?", folder: "SPAM")
        let profile = "First Name,Last Name,Maiden Name,Address,Birth Date,Headline\nAda,Lovelace,,,,Engineer\n"
        return (LinkedInFiles(messages: messages, connections: connections, profile: profile), expected)
    }
}

@Suite struct HistoryEndToEnd {
    @Test func aSeveralYearExportImportsHeadlessIntoACleanCurrentPicture() throws {
        let (files, expected) = SeveralYearExport.make()
        let plan = try LinkedInImporter.plan(files, into: Database())
        #expect(plan.me == "Ada Lovelace")
        // Headless without flags: only the recruiters.
        let result = plan.result(selecting: .onlyRecruiters, in: Database(), now: historyNow)
        #expect(Set(result.report.newRecruiters) == expected.recruiters)
        #expect(result.report.skipped.isEmpty)
        #expect(result.report.settledThreads == expected.settled.count)
        #expect(result.report.threadsNeedingAnswer == expected.waiting.count)
        var db = Database()
        try db.apply(result.change)

        // The overdue count equals the threads truly waiting within the cutoff.
        let deadlines = Rules.deadlines(in: db, now: historyNow, policy: .default)
        let overdueReplies = Set(deadlines.filter { $0.kind == .reply && $0.due < historyNow }.compactMap { db.recruiters[$0.recruiterID]?.name })
        #expect(overdueReplies == expected.waiting)
        #expect(deadlines.filter { $0.kind == .reply }.count == expected.waiting.count)
        // Settled recruiters are dormant, with no deadline and no flag.
        for r in db.recruiters.values where expected.settled.contains(r.name) {
            #expect(r.status == .dormant)
            #expect(Rules.status(of: r.id, in: db, now: historyNow, policy: .default).flags.isEmpty, "\(r.name)")
            #expect(!deadlines.contains { $0.recruiterID == r.id })
        }
        // A waiting thread has one open message: the one within the cutoff.
        let statuses = Rules.evaluate(db, now: historyNow, policy: .default)
        for r in db.recruiters.values where expected.waiting.contains(r.name) {
            #expect(statuses[r.id]?.openMessageIDs == [db.thread(r.id).last!.id])
        }
        // Re-import of the same export: nothing new.
        let again = try LinkedInImporter.plan(files, into: db).result(selecting: .onlyRecruiters, in: db, now: historyNow)
        #expect(again.report.newMessages == 0 && again.report.newRecruiters.isEmpty)
    }
}
