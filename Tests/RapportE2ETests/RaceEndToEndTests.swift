import Foundation
import RapportCore
import RapportStore
import Testing

/// A `rapport` command run on another thread while the test drives the TUI.
final class Background: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Run?
    private let done = DispatchSemaphore(value: 0)

    init(_ binary: String, _ args: [String], environment: [String: String]) {
        DispatchQueue.global().async { [self] in
            let r = (try? Run.run(binary, args, environment: environment)) ?? Run(status: -1, stdout: Data(), stderr: "did not start")
            lock.lock()
            result = r
            lock.unlock()
            done.signal()
        }
    }

    /// Waits for the command to end.
    func wait() -> Run {
        done.wait()
        done.signal()
        lock.lock()
        defer { lock.unlock() }
        return result!
    }
}

/// A CLI writer (`rapport log`, `decline`, `follow-up`, `edit`) and the TUI in tmux
/// change the same recruiter at the same moment, for every TUI mutation key that acts on
/// a recruiter and for undo/redo. Rounds alternate the order: the command first (the
/// TUI's copy is then up to a second stale when the key arrives), or the key first with
/// the command started while the TUI applies it. After every round the store is read and
/// the round's acknowledged changes checked; at the end every acknowledged message,
/// follow-up, interview and tag is there exactly once and the message count adds up.
@Suite("Race: a CLI writer and the TUI on one recruiter", .serialized, .enabled(if: Tmux.available, "tmux is not installed; `make test` installs it"))
struct RaceEndToEndTests {
    /// The TUI side of a round, in the order they run (r, u, C-r undo and redo one reply;
    /// each f puts an overdue follow-up first for the s or x after it).
    enum Kind: CaseIterable {
        case deleteUndo, targeting, doNotContact, reply, undo, redo, logForm
        case followUpForSnooze, snooze, followUpForDone, done, decline, interview, edit, checklist
    }

    static let roundsPerKind = 14
    static var rounds: Int { Kind.allCases.count * roundsPerKind }

    struct Tally {
        var rounds = 0
        var checked = 0
    }

    /// Polls the screen quickly (the round loop waits here most of its time).
    @discardableResult
    func wait(_ tmux: Tmux, _ what: String, _ condition: ([String]) -> Bool) throws -> [String] {
        let deadline = Date().addingTimeInterval(10)
        var last: [String] = []
        while Date() < deadline {
            last = try tmux.screen()
            if condition(last) { return last }
            usleep(15_000)
        }
        Issue.record(Comment(rawValue: "timed out waiting for \(what); last screen:\n\(last.joined(separator: "\n"))"))
        throw E2EError("timed out waiting for \(what)")
    }

    @discardableResult
    func wait(_ tmux: Tmux, contains text: String) throws -> [String] {
        try wait(tmux, "'\(text)'") { $0.contains { $0.contains(text) } }
    }

    func database(_ dir: String) throws -> Database {
        let store = try Store.open(AppPaths(storeDirectory: dir))
        defer { try? store.close() }
        return store.database
    }

    func type(_ tmux: Tmux, _ text: String) throws {
        try tmux.tmuxRun(["send-keys", "-l", text])
    }

    @Test("CLI writes and TUI keys at once on one recruiter: nothing acknowledged is lost or duplicated")
    func race() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-race-\(UUID().uuidString)").path
        let target = Recruiter(name: "Race Target", firm: "Concurrent Ltd", created: ISO8601.parse("2026-03-01T09:00:00Z")!)
        let seedStore = try Store.open(AppPaths(storeDirectory: dir))
        try seedStore.apply(.batch([
            .putRecruiter(target),
            .putMessage(Message(recruiterID: target.id, direction: .inbound, channel: .email,
                                at: ISO8601.parse("2026-03-06T10:00:00Z")!, subject: "Staff Engineer role", body: "Interested?")),
        ]))
        try seedStore.close()
        let id = target.id.uuidString
        let name = target.name
        let now = ISO8601.parse(TUIEndToEndTests.now)!
        let env = ProcessInfo.processInfo.environment.merging(["RAPPORT_NOW": TUIEndToEndTests.now]) { $1 }
        let binary = TUIEndToEndTests.binary

        let tmux = try Tmux()
        // The decline's draft goes through an editor that keeps it as it is.
        try tmux.type("RAPPORT_NOW=\(TUIEndToEndTests.now) RAPPORT_MY_NAME=Tester EDITOR=true VISUAL= \(binary) --store \(dir); echo EXIT=$?")
        try wait(tmux, "the recruiter") { $0.contains { $0.hasPrefix("› Race Target") } }

        var tally = Tally()
        var cli = Acknowledged()
        var tuiLogs: [String] = []      // subjects logged through the l form, confirmed
        var tuiFollowUps: [String] = [] // notes of follow-ups scheduled through the f form
        var tuiDeclines: [String] = []  // reasons of declines logged through c
        var interviewers: [String] = [] // interviewers of interviews logged through i
        var replies = 0                 // r confirmed, minus undone, plus redone
        var firm: String?               // the firm the e form saved last
        var perKind: [String: Int] = [:]
        let started = Date()

        for n in 0..<Self.rounds {
            let kind = Kind.allCases[n % Kind.allCases.count]
            let commandFirst = (n / Kind.allCases.count) % 2 == 0
            perKind["\(kind)", default: 0] += 1
            // What the other process runs this round.
            let args: [String]
            switch kind {
            case .targeting: args = ["--store", dir, "decline", id]
            case .doNotContact, .redo, .decline: args = ["--store", dir, "follow-up", id, "--due", "+3d", "--note", "F\(n)"]
            case .reply, .interview: args = ["--store", dir, "log", id, "--out", "--subject", "L\(n)"]
            case .edit: args = n % 2 == 0 ? ["--store", dir, "edit", id, "--notes", "N\(n)"] : ["--store", dir, "edit", id, "--tag", "tag\(n)"]
            default: args = ["--store", dir, "log", id, "--in", "--subject", "L\(n)"]
            }
            var background: Background?
            if commandFirst {
                // The command is acknowledged, then the key arrives within a second, before
                // the TUI's once-a-second reload.
                cli.record(Background(binary, args, environment: env).wait(), args, n)
            }
            // Key first: the command starts right after the keys are sent, while the TUI
            // applies them.
            func startCommand() {
                if !commandFirst { background = Background(binary, args, environment: env) }
            }
            let before = try database(dir)
            var expectStatus: RecruiterStatusCheck = .any
            var expectTargeting: Targeting?
            var snoozed: String?
            var doneTitle: String?
            var ticked: (item: String, done: Bool)?
            switch kind {
            case .deleteUndo:
                // d, y, u in one burst (the confirmation takes the y).
                try tmux.keys("d", "y", "u")
                startCommand()
                try wait(tmux, contains: "Undone: Deleted Race Target")
            case .targeting:
                try tmux.keys("t")
                startCommand()
                let s = try wait(tmux, "t confirmed") { $0.contains { $0.contains("Race Target is now ") } }
                expectTargeting = s.contains { $0.contains("is now targeted") } ? .targeted : .blanket
                expectStatus = .declined
            case .doNotContact:
                try tmux.keys("D")
                startCommand()
                let s = try wait(tmux, "D confirmed") { $0.contains { $0.contains("marked do-not-contact") || $0.contains("may be contacted again") } }
                expectStatus = .notDoNotContact
                if s.contains(where: { $0.contains("marked do-not-contact") }) {
                    // Checked now, then lifted: a do-not-contact recruiter has no deadlines
                    // for the s and x rounds to act on.
                    if let b = background {
                        cli.record(b.wait(), args, n)
                        background = nil
                    }
                    let status = try database(dir).recruiters[target.id]?.status
                    #expect(status == .doNotContact, "round \(n): D's do-not-contact is not in the store (\(String(describing: status)))")
                    tally.checked += 1
                    try tmux.keys("D")
                    try wait(tmux, contains: "Race Target may be contacted again")
                }
            case .reply:
                try tmux.keys("r")
                startCommand()
                try wait(tmux, contains: "Reply to Race Target logged · u undo")
                replies += 1
            case .undo:
                try tmux.keys("u")
                startCommand()
                try wait(tmux, contains: "Undone: Reply to Race Target logged")
                replies -= 1
            case .redo:
                try tmux.keys("C-r")
                startCommand()
                try wait(tmux, contains: "Redone: Reply to Race Target logged")
                replies += 1
            case .logForm:
                // The form opens on l and takes the keys queued behind it.
                try tmux.keys("l", "Tab", "Tab", "Tab")
                try type(tmux, "T\(n)")
                try tmux.keys("Enter")
                startCommand()
                try wait(tmux, contains: "Message from Race Target logged")
                tuiLogs.append("T\(n)")
            case .followUpForSnooze, .followUpForDone:
                // Overdue, so that it is the recruiter's most urgent deadline for s and x.
                try tmux.keys("f", "C-u")
                try type(tmux, "2026-01-01T09:00")
                try tmux.keys("Tab")
                try type(tmux, "G\(n)")
                try tmux.keys("Enter")
                startCommand()
                try wait(tmux, contains: "Follow-up with Race Target scheduled")
                tuiFollowUps.append("G\(n)")
            case .snooze:
                try tmux.keys("s")
                let s = try wait(tmux, contains: "Snooze · ")
                snoozed = s.lazy.compactMap { line -> String? in
                    guard let r = line.range(of: "Snooze · ") else { return nil }
                    return line[r.upperBound...].components(separatedBy: " · ").first
                }.first
                try tmux.keys("Enter")
                startCommand()
                try wait(tmux, contains: "Follow-up with Race Target snoozed")
            case .done:
                try tmux.keys("x")
                startCommand()
                let s = try wait(tmux, contains: "Done: ")
                doneTitle = s.lazy.compactMap { line -> String? in
                    guard let r = line.range(of: "Done: ") else { return nil }
                    return String(line[r.upperBound...]).components(separatedBy: " · ").first?.trimmingCharacters(in: .whitespaces)
                }.first
            case .decline:
                try tmux.keys("c")
                try type(tmux, "reason\(n)x")
                try tmux.keys("Enter")
                try wait(tmux, contains: "Enter copies and logs it")
                try tmux.keys("Enter")
                startCommand()
                try wait(tmux, contains: "Courtesy decline to Race Target copied and logged")
                tuiDeclines.append("reason\(n)x")
                expectStatus = .declined
            case .interview:
                try tmux.keys("i")
                try type(tmux, "2026-12-01T10:00")
                try tmux.keys("Tab", "Tab", "Tab")
                try type(tmux, "I\(n)")
                try tmux.keys("Enter")
                startCommand()
                try wait(tmux, contains: "Interview with Race Target logged")
                interviewers.append("I\(n)")
            case .edit:
                try tmux.keys("e", "Tab", "C-u")
                try type(tmux, "Firm\(n)")
                try tmux.keys("Enter")
                startCommand()
                try wait(tmux, contains: "Race Target saved")
                firm = "Firm\(n)"
            case .checklist:
                try tmux.keys("p", "Space")
                startCommand()
                let s = try wait(tmux, "the tick") { $0.contains { $0.contains("ticked for Race Target") } }
                ticked = s.lazy.compactMap { line -> (item: String, done: Bool)? in
                    for (word, done) in [(" unticked for Race Target", false), (" ticked for Race Target", true)] {
                        if let r = line.range(of: word) {
                            return (line[..<r.lowerBound].components(separatedBy: " ").last ?? "", done)
                        }
                    }
                    return nil
                }.first
                try tmux.keys("q")
                try wait(tmux, "the panes") { $0.contains { $0.hasPrefix("› Race Target") } }
            }
            if let background {
                cli.record(background.wait(), args, n)
            }
            // The round's changes, read from the store.
            let db = try database(dir)
            guard let r = db.recruiters[target.id] else {
                Issue.record("round \(n): the recruiter is gone")
                break
            }
            let subjects = db.thread(target.id).compactMap(\.subject)
            func followUps(_ note: String) -> [FollowUp] { db.followUps.values.filter { $0.note == note } }
            if let last = cli.logs.last, last == "L\(n)" {
                #expect(subjects.filter { $0 == last }.count == 1, "round \(n): rapport log \(last) lost or duplicated")
                tally.checked += 1
            }
            if let last = cli.followUps.last, last == "F\(n)" {
                #expect(followUps(last).count == 1, "round \(n): follow-up \(last) lost or duplicated")
                tally.checked += 1
            }
            if let last = cli.notes.last, last == "N\(n)" {
                #expect(r.notes == last, "round \(n): rapport edit --notes \(last) lost (notes: \(r.notes ?? "none"))")
                tally.checked += 1
            }
            if let last = cli.tags.last, last == "tag\(n)" {
                #expect(r.tags.filter { $0 == last }.count == 1, "round \(n): rapport edit --tag \(last) lost (tags: \(r.tags))")
                tally.checked += 1
            }
            switch kind {
            case .logForm:
                #expect(subjects.filter { $0 == "T\(n)" }.count == 1, "round \(n): the form's message T\(n) lost or duplicated")
                tally.checked += 1
            case .followUpForSnooze, .followUpForDone:
                #expect(followUps("G\(n)").count == 1, "round \(n): the f form's follow-up G\(n) lost or duplicated")
                tally.checked += 1
            case .snooze:
                let until = now.addingTimeInterval(86_400)
                #expect(snoozed == "G\(n - 1)", "round \(n): s snoozed '\(snoozed ?? "?")', not the follow-up G\(n - 1)")
                let f = followUps(snoozed ?? "")
                #expect(f.count == 1 && f.allSatisfy { $0.snoozedUntil == until || $0.due == until },
                        "round \(n): the snooze of '\(snoozed ?? "?")' is not in the store: \(f)")
                tally.checked += 1
            case .done:
                // The overdue follow-up of the round before is the most urgent deadline.
                let note = "G\(n - 1)"
                #expect(doneTitle?.hasSuffix(note) == true, "round \(n): x marked '\(doneTitle ?? "?")', not the follow-up \(note)")
                #expect(followUps(note).count == 1 && followUps(note).allSatisfy { $0.done != nil },
                        "round \(n): x's done on \(note) is not in the store")
                tally.checked += 1
            case .decline:
                let reason = "reason\(n)x"
                let found = db.thread(target.id).filter { ($0.body ?? "").contains(reason) }
                #expect(found.count == 1 && found.allSatisfy { $0.direction == .outbound },
                        "round \(n): the decline with \(reason) lost or duplicated (\(found.count))")
                tally.checked += 1
            case .interview:
                let found = db.opportunities.values.filter { $0.recruiterID == target.id }
                    .flatMap(\.interviews).filter { $0.interviewers.contains("I\(n)") }
                #expect(found.count == 1, "round \(n): the interview with I\(n) lost or duplicated (\(found.count))")
                tally.checked += 1
            case .edit:
                #expect(r.firm == firm, "round \(n): the e form's firm \(firm ?? "?") is not in the store (\(r.firm ?? "none"))")
                tally.checked += 1
            case .checklist:
                if let t = ticked, let item = ChecklistItem(rawValue: t.item) {
                    #expect(r.checklist.isDone(item) == t.done, "round \(n): \(t.item) \(t.done ? "ticked" : "unticked") is not in the store")
                    #expect(before.recruiters[target.id]?.checklist.isDone(item) != t.done, "round \(n): the tick did not flip \(t.item)")
                } else {
                    Issue.record("round \(n): no checklist item in the confirmation")
                }
                tally.checked += 1
            default:
                break
            }
            if let t = expectTargeting {
                #expect(r.targeting == t, "round \(n): t said \(t), the store has \(r.targeting)")
                tally.checked += 1
            }
            switch expectStatus {
            case .any: break
            case .declined:
                #expect(r.status == .declined, "round \(n): the decline did not survive (status \(r.status))")
                tally.checked += 1
            case .doNotContact:
                #expect(r.status == .doNotContact, "round \(n): D's do-not-contact is not in the store")
                tally.checked += 1
            case .notDoNotContact:
                #expect(r.status != .doNotContact, "round \(n): D's lifting is not in the store")
                tally.checked += 1
            }
            tally.rounds += 1
        }
        #expect(cli.failures.isEmpty, "commands that failed: \(cli.failures.prefix(5))")

        try TUIEndToEndTests().quit(tmux)
        let db = try database(dir)
        let r = try #require(db.recruiters[target.id])
        let thread = db.thread(target.id)
        let subjects = thread.compactMap(\.subject)
        for s in cli.logs + tuiLogs { #expect(subjects.filter { $0 == s }.count == 1, "\(s) lost or duplicated at the end") }
        for f in cli.followUps + tuiFollowUps {
            #expect(db.followUps.values.filter { $0.note == f }.count == 1, "follow-up \(f) lost or duplicated at the end")
        }
        for reason in tuiDeclines {
            #expect(thread.filter { ($0.body ?? "").contains(reason) }.count == 1, "decline \(reason) lost or duplicated at the end")
        }
        let events = db.opportunities.values.filter { $0.recruiterID == target.id }.flatMap(\.interviews)
        for i in interviewers { #expect(events.filter { $0.interviewers.contains(i) }.count == 1, "interview \(i) lost or duplicated at the end") }
        for t in cli.tags { #expect(r.tags.filter { $0 == t }.count == 1, "tag \(t) lost or duplicated at the end") }
        #expect(r.notes == cli.notes.last, "the last acknowledged notes \(cli.notes.last ?? "?") are not in the store")
        #expect(r.firm == firm, "the last firm saved in the form \(firm ?? "?") is not in the store")
        #expect(Set(thread.map(\.id)).count == thread.count)
        // The first message, every acknowledged log and decline, the form's logs, the
        // TUI's declines and the net replies.
        let expected = 1 + cli.logs.count + cli.declines + tuiLogs.count + tuiDeclines.count + replies
        #expect(thread.count == expected, "messages: \(thread.count), acknowledged: \(expected)")
        tally.checked += cli.logs.count + tuiLogs.count + cli.followUps.count + tuiFollowUps.count + tuiDeclines.count
            + interviewers.count + cli.tags.count + 3
        #expect(tally.rounds == Self.rounds)
        #expect(cli.refused <= Self.roundsPerKind)
        let kinds = Kind.allCases.map { "\($0) \(perKind["\($0)", default: 0])" }.joined(separator: ", ")
        print("race: \(tally.rounds) rounds (\(kinds)) in \(Int(Date().timeIntervalSince(started))) s, \(cli.refused) commands refused while deleted, \(tally.checked) changes checked, \(cli.logs.count) CLI logs, \(cli.declines) CLI declines, \(cli.followUps.count) CLI follow-ups, \(cli.notes.count) CLI notes, \(cli.tags.count) CLI tags, \(tuiLogs.count) TUI logs, \(tuiFollowUps.count) TUI follow-ups, \(tuiDeclines.count) TUI declines, \(interviewers.count) interviews, \(replies) net replies; \(name)")
    }

    enum RecruiterStatusCheck { case any, declined, doNotContact, notDoNotContact }

    /// What the other process's commands were acknowledged for.
    struct Acknowledged {
        var logs: [String] = []         // subjects of `rapport log` that exited 0
        var followUps: [String] = []    // notes of `rapport follow-up` that exited 0
        var notes: [String] = []        // `rapport edit --notes` that exited 0
        var tags: [String] = []         // `rapport edit --tag` that exited 0
        var declines = 0                // `rapport decline` that exited 0 (each logs one message)
        var refused = 0                 // refused while the TUI had the recruiter deleted
        var failures: [String] = []

        mutating func record(_ r: Run, _ args: [String], _ n: Int) {
            // Between the TUI's d y and its u the recruiter is gone: a command refuses, exit 1,
            // and writes nothing (not acknowledged, so not expected in the store).
            if r.status == 1, r.stderr.contains("no recruiter matches") || r.stderr.contains("that recruiter is gone") {
                refused += 1
                return
            }
            guard r.status == 0 else {
                failures.append("round \(n): rapport \(args.dropFirst(2).joined(separator: " ")) exited \(r.status): \(r.stderr)")
                return
            }
            switch (args[2], args[args.count - 2]) {
            case ("log", _): logs.append(args.last!)
            case ("follow-up", _): followUps.append(args.last!)
            case ("edit", "--notes"): notes.append(args.last!)
            case ("edit", "--tag"): tags.append(args.last!)
            case ("decline", _): declines += 1
            default: break
            }
        }
    }
}
