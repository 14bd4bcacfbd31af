// rapport-bench STORE [N]: in-process timings of the store for `make bench`.
// Prints JSON: {"open_store": [s...], "compact": [s...], "append_fsync": [s...]}.
// rapport-bench STORE open|compact: does that once and exits (for callgrind and perf stat).
import Foundation
import RapportCore
import RapportStore
import RapportMail

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
if args.count > 2, args[2] == "open" || args[2] == "compact" {
    do {
        let store = try Store.open(paths)
        if args[2] == "compact" { try store.compact() }
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("rapport-bench: \(error)\n".utf8))
        exit(1)
    }
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
    let out = ["open_store": open, "append_fsync": append, "compact": compact]
    let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
    FileHandle.standardOutput.write(data)
} catch {
    FileHandle.standardError.write(Data("rapport-bench: \(error)\n".utf8))
    exit(1)
}
