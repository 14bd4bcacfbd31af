// rapport-bench STORE [N]: in-process timings of the store for `make bench`.
// Prints JSON: {"open_store": [s...], "compact": [s...], "append_fsync": [s...]}.
// rapport-bench STORE open|compact|log|status|undolist: does that once and exits (for
// callgrind and perf stat; `rapport` itself exits through dispatchMain, which valgrind
// does not survive). `log` is what `rapport log ID --in` does (open, append one message
// under the lock, fsync); `status` what `due --statusline` does without its cache (open,
// evaluate the rules, the next moment a count changes); `undolist` what `undo --list` reads;
// `frame` what the TUI computes before its first frame (open, state, render at 120×40);
// `keys` that frame and then a key sequence (j, Tab, Enter, /dana), one profile dump per key.
// `statusline` what `due --statusline` does when status.cache does not hold (settings,
// open, statuses through rules.cache, counts, status.cache written); `rulescache` only the
// open and the evaluation through rules.cache (writing it when something was computed);
// `framecache` the first frame as the TUI makes it: the store opened lazily, the statuses
// through rules.cache; `keys` starts from that frame too.
// `log`, `reply` and `done` open the store as those commands do (each recruiter read from
// store.cache when needed), pick the recruiter with the lowest id (`done`: its most urgent
// deadline, or its last inbound message), make the change and evaluate that recruiter's
// status for the line printed after it.
import Foundation
import Synchronization
import RapportCore
import RapportStore
import RapportMail
import RapportText
import RapportTUI

let args = CommandLine.arguments
// rapport-bench mail-rescan STATE STOREDIR MAILDIR [full]: the check a re-scan with no new
// mail makes, once (for callgrind: `rapport` itself exits through dispatchMain, which
// valgrind does not survive). `full` decodes the whole state as `--rescan`-less runs did
// before the quick check. Exit 0: nothing new.
if args.count >= 5, args[1] == "mail-rescan" {
    let state = args[2], dir = args[4]
    guard let identity = Maildir.identity(args[3]) else { exit(2) }
    if args.count > 5, args[5] == "full" {
        guard let data = FileManager.default.contents(atPath: state), let text = String(data: data, encoding: .utf8),
              let s = ScanState.decode(text), s.store == identity, let old = s.maildirs[dir] else { exit(1) }
        var next = s
        let cur = Maildir.mtime(dir + "/cur"), new = Maildir.mtime(dir + "/new")
        guard old.curMtime != 0, old.curMtime == cur, old.newMtime == new else { exit(1) }
        next.maildirs[dir] = old
        exit(next == s ? 0 : 1)
    }
    exit(ScanState.nothingNew(stateFile: state, folders: [dir], files: [], store: identity) ? 0 : 1)
}
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: rapport-bench STORE [N]\n".utf8))
    exit(2)
}
let paths = AppPaths(storeDirectory: args[1])
/// Marks where one key's work ends and the next one's starts, for
/// `valgrind --tool=callgrind --dump-before='*rapportBenchKeyBoundary*'` (bench/keys-callgrind.sh):
/// each dump then holds one key's instructions.
@inline(never)
func rapportBenchKeyBoundary(_ label: String) {
    FileHandle.standardError.write(Data(label.utf8 + [10]))
}

/// The keys the `keys` op replays (as `make bench` types them in the pty): moves, the panes,
/// opening a thread, a search for "dana".
let benchKeys: [(label: String, key: Key)] = [
    ("j", .char("j")), ("j", .char("j")), ("j", .char("j")), ("j", .char("j")), ("j", .char("j")),
    ("tab", .tab), ("tab", .tab), ("tab", .tab), ("enter", .enter), ("esc", .escape),
    ("/", .char("/")), ("d", .char("d")), ("a", .char("a")), ("n", .char("n")), ("a", .char("a")), ("esc", .escape),
]

if args.count > 2, ["open", "compact", "log", "reply", "done", "status", "undolist", "undolistfull", "frame", "keys", "statusline", "rulescache", "framecache"].contains(args[2]) {
    do {
        if args[2] == "statusline" {
            // As `runStatusLine` after status.cache missed.
            let env = ProcessInfo.processInfo.environment
            let config = try RapportConfig.load(try? UserConfig(environment: env), environment: env,
                                                systemTimeZone: TimeZone.current.identifier)
            let policy = config.policy
            let key = StatusCache.policyKey(policy)
            let now = try Clock.from(environment: env).now()
            if let line = StatusCache.read(paths, policyKey: key, now: now) { print(line); exit(0) }
            let store = try Store.open(paths, policy: policy, clock: try Clock.from(environment: env), lazy: true)
            let e = store.countThroughRulesCache(now: now, policyKey: key)
            let c = e.counts
            let line = "\(c.overdue) overdue · \(c.atRisk) at risk · \(c.today) today"
            let until = min(Rules.Sections(now: now, policy: policy).endOfToday, e.nextChange)
            store.writeStatusCache(line: line, policyKey: key, from: now, until: until)
            print(line, SyncEngine.hasUnsynced(paths), e.reused, e.computed)
            exit(0)
        }
        let lazy = ["log", "reply", "done", "framecache", "keys"].contains(args[2])
        let store = try Store.open(paths, lazy: lazy)
        let now = Clock.system.now()
        /// The recruiter a command names by id: the lowest id, found as an id prefix is.
        func target() -> Recruiter? {
            guard let id = store.database.recruiterIDs.min(by: uuidLess) else { return nil }
            return store.database.recruiters(withIDPrefix: String(id.uuidString.prefix(8))).first
        }
        func turnLine(_ id: UUID) {
            print(Rules.status(of: id, in: store.database, now: now, policy: store.policy).turn)
        }
        /// The statuses as the TUI takes them (`StatusSource.throughRulesCache` in RapportApp,
        /// which this tool does not link: it would bring ncurses into every measured run).
        func tuiRules() -> StatusSource {
            let session = RulesCacheSession(paths: store.paths, writable: !store.readOnly)
            return StatusSource(table: { session.table($0, now: $1, policy: $2) })
        }
        switch args[2] {
        case "rulescache":
            let e = store.evaluateThroughRulesCache(now: try Clock.from(environment: ProcessInfo.processInfo.environment).now())
            print(e.statuses.count, e.reused, e.computed, e.nextChange)
        case "framecache":
            let rules = tuiRules()
            let now = try Clock.from(environment: ProcessInfo.processInfo.environment).now()
            let state = AppState(db: store.database, policy: store.policy, now: now, width: 120, height: 40,
                                 storePath: store.paths.storeDirectory, notices: store.notices, readOnly: store.readOnly,
                                 rules: rules)
            print(Screen.render(state).width)
        case "compact": try store.compact()
        case "log":
            guard let r = target() else { exit(1) }
            try store.apply(origin: .cli("log"), label: "Log message from \(r.name)") { db in
                try Workflows.log(r.id, in: db, direction: .inbound, channel: .email, at: now, subject: "bench", body: nil)
            }
            turnLine(r.id)
        case "reply":
            guard let r = target() else { exit(1) }
            try store.apply(origin: .cli("reply"), label: "Reply to \(r.name)") { db in
                Workflows.reply(recruiter: r, in: db, now: now, body: "Thanks")
            }
            turnLine(r.id)
        case "done":
            guard let r = target() else { exit(1) }
            let policy = store.policy
            if let d = Rules.status(of: r.id, in: store.database, now: now, policy: policy).deadlines.first {
                let found = try Workflows.deadline(d.shortID, in: store.database, now: now, policy: policy)
                try store.apply(origin: .cli("done"), label: "done") { db in
                    let fresh = try Workflows.deadline(found.id, in: db, now: now, policy: policy)
                    guard let change = Workflows.done(fresh, in: db, now: now) else { throw RapportError.failure("nothing to mark done") }
                    return change
                }
            } else if let m = store.database.thread(r.id).last(where: { $0.direction == .inbound }) {
                let id = String(m.id.uuidString.prefix(8))
                guard let found = store.database.messages(withIDPrefix: id).first else { exit(1) }
                try store.apply(origin: .cli("done"), label: "done") { db in try Workflows.done(id: found.id, in: db, now: now) }
            } else {
                exit(1)
            }
            turnLine(r.id)
        case "status":
            let statuses = Rules.evaluate(store.database, now: now, policy: store.policy)
            var n = 0
            for s in statuses.values { n += s.deadlines.count }
            let next = Rules.nextChange(in: store.database, now: now, policy: store.policy)
            print(n, next)
        case "frame":
            // What the TUI does before its first doupdate, without a terminal: the state
            // (rules, indexes) and the first screen at 120×40.
            let state = AppState(db: store.database, policy: store.policy, now: Clock.system.now(), width: 120, height: 40,
                                 storePath: store.paths.storeDirectory, notices: store.notices, readOnly: store.readOnly)
            print(Screen.render(state).width)
        case "keys":
            // The first frame, then each key of `benchKeys` through the pure `update` and
            // `Screen.render` at 120×40 (what the loop does per key, without the terminal).
            // Prints each key's wall time; the boundaries split a callgrind profile per key.
            var state = AppState(db: store.database, policy: store.policy, now: Clock.system.now(), width: 120, height: 40,
                                 storePath: store.paths.storeDirectory, notices: store.notices, readOnly: store.readOnly,
                                 rules: tuiRules())
            var cells = Screen.render(state).width
            let clock = ContinuousClock()
            for (label, key) in benchKeys {
                rapportBenchKeyBoundary(label)
                let t = clock.now
                if let input = Keymap.standard.input(for: key, mode: state.keyMode, size: (120, 40)) {
                    _ = update(&state, input)
                }
                cells += Screen.render(state).width
                let d = clock.now - t
                print(label, Double(d.components.attoseconds) / 1e12 + Double(d.components.seconds) * 1e6, "us")
            }
            rapportBenchKeyBoundary("end")
            print(cells)
        case "undolist":
            print(store.undoSteps.count)
        case "undolistfull":
            // How `undo --list` read the history before: every group decoded whole.
            print(store.undoHistory.filter { store.isUndone($0) }.count)
        default: break
        }
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("rapport-bench: \(error)\n".utf8))
        exit(1)
    }
}
if args.count > 2, Int(args[2]) == nil {
    FileHandle.standardError.write(Data("rapport-bench: unknown operation '\(args[2])'\n".utf8))
    exit(2)
}
let n = args.count > 2 ? Int(args[2]) ?? 20 : 20
let clock = ContinuousClock()

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

do {
    var open: [Double] = []
    for _ in 0..<max(3, n / 4) {
        let t = clock.now
        _ = try Store.open(paths)
        open.append(seconds(clock.now - t))
    }
    let store = try Store.open(paths)
    guard let target = store.database.recruitersByName.first else {
        FileHandle.standardError.write(Data("rapport-bench: the store is empty\n".utf8))
        exit(1)
    }
    var append: [Double] = []
    let now = Clock.system.now()
    for i in 0..<n {
        let m = Message(recruiterID: target.id, direction: .inbound, channel: .email,
                        at: now.addingTimeInterval(Double(i)), subject: "bench \(i)")
        let t = clock.now
        try store.apply(.putMessage(m))
        append.append(seconds(clock.now - t))
    }
    var compact: [Double] = []
    for _ in 0..<3 {
        let t = clock.now
        try store.compact()
        compact.append(seconds(clock.now - t))
    }
    // A write made while another store compacts (what the TUI's thread does while its
    // background compaction runs): appends one after another until the compaction ends,
    // each timed; the longest is what the interface could have waited. Five compactions:
    // the longest write of one is a maximum, one fsync's noise on this machine decides it,
    // so bench.py takes the median of the five (and prints them all).
    var during: [Double] = []
    for round in 0..<5 {
        for k in 0..<3 {
            try store.apply(.putMessage(Message(recruiterID: target.id, direction: .inbound, channel: .email,
                                                at: now.addingTimeInterval(Double(n + 100 * round + k)), subject: "before compaction")))
        }
        // As the TUI does: BackgroundCompaction compacts with a store of its own on a thread
        // of its own, and this store adopts what it left instead of reloading.
        let done = Mutex(false)
        let handoff = Mutex<Store.FileState?>(nil)
        store.adoptable = { handoff.withLock { $0 } }
        struct Handover: @unchecked Sendable { let store: Store }
        let own = Handover(store: try store.forked())
        let compactor = Thread {
            do {
                let own = own.store
                own.onCompacted = { state in handoff.withLock { $0 = state } }
                try own.compactInBackground()
            } catch { FileHandle.standardError.write(Data("rapport-bench: \(error)\n".utf8)) }
            done.withLock { $0 = true }
        }
        compactor.start()
        var i = 0
        var longest = 0.0
        var total = 0.0
        let started = clock.now
        while !done.withLock({ $0 }) {
            let m = Message(recruiterID: target.id, direction: .inbound, channel: .email,
                            at: now.addingTimeInterval(Double(n + 100 * round + 10 + i)), subject: "during compaction \(i)")
            let t = clock.now
            try store.apply(.putMessage(m))
            let d = seconds(clock.now - t)
            longest = max(longest, d)
            i += 1
            total = seconds(clock.now - started)
        }
        during.append(longest)
        FileHandle.standardError.write(Data("rapport-bench: \(i) writes during a compaction of \(String(format: "%.0f", total * 1000)) ms, the longest \(String(format: "%.1f", longest * 1000)) ms\n".utf8))
    }
    let out = ["open_store": open, "append_fsync": append, "compact": compact, "write_during_compaction": during]
    let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
    FileHandle.standardOutput.write(data)
} catch {
    FileHandle.standardError.write(Data("rapport-bench: \(error)\n".utf8))
    exit(1)
}
