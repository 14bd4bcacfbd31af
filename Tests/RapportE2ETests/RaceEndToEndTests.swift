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

/// A CLI writer (`rapport log`, `decline`, `follow-up`) and the TUI in tmux change the
/// same recruiter at the same moment, for every TUI mutation key that acts on a
/// recruiter and for undo/redo. Rounds alternate the order: the command first (the TUI's
/// copy is then up to a second stale when the key arrives), or the key first with the
/// command started while the TUI applies it. After every round the store is read and
/// the round's acknowledged changes checked; at the end every acknowledged message and
/// follow-up is there exactly once and the message count adds up.
@Suite("Race: a CLI writer and the TUI on one recruiter", .serialized, .enabled(if: Tmux.available, "tmux is not installed; `make test` installs it"))
struct RaceEndToEndTests {
    static let rounds = 208

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

    @Test("CLI writes and TUI keys at once on one recruiter: nothing acknowledged is lost or duplicated")
    func race() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-race-\(UUID().uuidString)").path
        let target = Recruiter(name: "Race Target", firm: "Concurrent Ltd", created: ISO8601.parse("2026-03-01T09:00:00Z")!)
        let seedStore = try Store.open(AppPaths(storeDirectory: dir))
        try seedStore.apply(.batch([
            .putRecruiter(target),
            .putMessage(Message(recruiterID: target.id, direction: .inbound, channel: .email,
                                at: ISO8601.parse("2026-03-06T10:00:00Z")!, subject: "A role", body: "Interested?")),
        ]))
        try seedStore.close()
        let id = target.id.uuidString
        let name = target.name
        let env = ProcessInfo.processInfo.environment.merging(["RAPPORT_NOW": TUIEndToEndTests.now]) { $1 }
        let binary = TUIEndToEndTests.binary

        let tmux = try Tmux()
        try tmux.type("RAPPORT_NOW=\(TUIEndToEndTests.now) \(binary) --store \(dir); echo EXIT=$?")
        try wait(tmux, "the recruiter") { $0.contains { $0.hasPrefix("› Race Target") } }

        var tally = Tally()
        var cliLogs: [String] = []      // subjects of `rapport log` that exited 0
        var tuiLogs: [String] = []      // subjects logged through the l form, confirmed
        var followUps: [String] = []    // notes of `rapport follow-up` that exited 0
        var declines = 0                // `rapport decline` that exited 0 (each logs one message)
        var replies = 0                 // r confirmed, minus undone, plus redone
        var failures: [String] = []
        var refused = 0                 // `rapport log` refused while the TUI had the recruiter deleted
        let started = Date()

        for n in 0..<Self.rounds {
            let kind = n % 8
            let commandFirst = (n / 8) % 2 == 0
            // What the other process runs this round.
            let args: [String]
            switch kind {
            case 1, 7: args = ["--store", dir, "decline", id]
            case 2, 5: args = ["--store", dir, "follow-up", id, "--due", "+3d", "--note", "F\(n)"]
            case 3: args = ["--store", dir, "log", id, "--out", "--subject", "L\(n)"]
            default: args = ["--store", dir, "log", id, "--in", "--subject", "L\(n)"]
            }
            var cli: Background?
            if commandFirst {
                // The command is acknowledged, then the key arrives within a second, before
                // the TUI's once-a-second reload.
                let r = Background(binary, args, environment: env).wait()
                record(r, args, n, &cliLogs, &followUps, &declines, &refused, &failures)
            }
            // Key first: the command starts right after the keys are sent, while the TUI
            // applies them.
            func startCommand() {
                if !commandFirst { cli = Background(binary, args, environment: env) }
            }
            var expectStatus: RecruiterStatusCheck = .any
            var expectTargeting: Targeting?
            switch kind {
            case 0:
                // d, y, u in one burst (the confirmation takes the y).
                try tmux.keys("d", "y", "u")
                startCommand()
                try wait(tmux, contains: "Undone: Deleted Race Target")
            case 1, 7:
                try tmux.keys("t")
                startCommand()
                let s = try wait(tmux, "t confirmed") { $0.contains { $0.contains("Race Target is now ") } }
                expectTargeting = s.contains { $0.contains("is now targeted") } ? .targeted : .blanket
                expectStatus = .declined
            case 2:
                try tmux.keys("D")
                startCommand()
                let s = try wait(tmux, "D confirmed") { $0.contains { $0.contains("marked do-not-contact") || $0.contains("may be contacted again") } }
                expectStatus = s.contains { $0.contains("marked do-not-contact") } ? .doNotContact : .notDoNotContact
            case 3:
                try tmux.keys("r")
                startCommand()
                try wait(tmux, contains: "Reply to Race Target logged · u undo")
                replies += 1
            case 4:
                try tmux.keys("u")
                startCommand()
                try wait(tmux, contains: "Undone: Reply to Race Target logged")
                replies -= 1
            case 5:
                try tmux.keys("C-r")
                startCommand()
                try wait(tmux, contains: "Redone: Reply to Race Target logged")
                replies += 1
            default:
                // The form opens on l and takes the keys queued behind it.
                try tmux.keys("l", "Tab", "Tab", "Tab")
                try tmux.tmuxRun(["send-keys", "-l", "T\(n)"])
                try tmux.keys("Enter")
                startCommand()
                try wait(tmux, contains: "Message from Race Target logged")
                tuiLogs.append("T\(n)")
            }
            if let cli {
                record(cli.wait(), args, n, &cliLogs, &followUps, &declines, &refused, &failures)
            }
            // The round's changes, read from the store.
            let db = try database(dir)
            guard let r = db.recruiters[target.id] else {
                Issue.record("round \(n): the recruiter is gone")
                break
            }
            let subjects = db.thread(target.id).compactMap(\.subject)
            if let last = cliLogs.last, last == "L\(n)" {
                #expect(subjects.filter { $0 == last }.count == 1, "round \(n): rapport log \(last) lost or duplicated")
                tally.checked += 1
            }
            if let last = tuiLogs.last, last == "T\(n)" {
                #expect(subjects.filter { $0 == last }.count == 1, "round \(n): the form's message \(last) lost or duplicated")
                tally.checked += 1
            }
            if let last = followUps.last, last == "F\(n)" {
                #expect(db.followUps.values.filter { $0.note == last }.count == 1, "round \(n): follow-up \(last) lost or duplicated")
                tally.checked += 1
            }
            if let t = expectTargeting {
                #expect(r.targeting == t, "round \(n): t said \(t), the store has \(r.targeting)")
                tally.checked += 1
            }
            switch expectStatus {
            case .any: break
            case .declined:
                #expect(r.status == .declined, "round \(n): the decline did not survive t (status \(r.status))")
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
        #expect(failures.isEmpty, "commands that failed: \(failures.prefix(5))")

        try TUIEndToEndTests().quit(tmux)
        let db = try database(dir)
        let thread = db.thread(target.id)
        let subjects = thread.compactMap(\.subject)
        for s in cliLogs + tuiLogs { #expect(subjects.filter { $0 == s }.count == 1, "\(s) lost or duplicated at the end") }
        for f in followUps { #expect(db.followUps.values.filter { $0.note == f }.count == 1, "follow-up \(f) lost or duplicated at the end") }
        #expect(Set(thread.map(\.id)).count == thread.count)
        // The first message, every acknowledged log and decline, the form's logs and the net replies.
        let expected = 1 + cliLogs.count + declines + tuiLogs.count + replies
        #expect(thread.count == expected, "messages: \(thread.count), acknowledged: \(expected)")
        tally.checked += cliLogs.count + tuiLogs.count + followUps.count + 1
        #expect(tally.rounds == Self.rounds)
        #expect(refused <= Self.rounds / 8)
        print("race: \(tally.rounds) rounds in \(Int(Date().timeIntervalSince(started))) s, \(refused) commands refused while deleted, \(tally.checked) changes checked, \(cliLogs.count) CLI logs, \(declines) declines, \(followUps.count) follow-ups, \(tuiLogs.count) TUI logs, \(replies) net replies; \(name)")
    }

    enum RecruiterStatusCheck { case any, declined, doNotContact, notDoNotContact }

    func record(_ r: Run, _ args: [String], _ n: Int, _ logs: inout [String], _ followUps: inout [String],
                _ declines: inout Int, _ refused: inout Int, _ failures: inout [String]) {
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
        switch args[2] {
        case "log": logs.append(args.last!)
        case "follow-up": followUps.append(args.last!)
        case "decline": declines += 1
        default: break
        }
    }
}
