#if canImport(Glibc)
import Glibc
#endif
import Foundation
import RapportCore
import RapportStore

// rapport-store-writer: a tiny writer for the store's crash and concurrency tests.
//
//   rapport-store-writer DIR COUNT [--compact-every K] [--threshold BYTES] [--umask OOO]
//   rapport-store-writer DIR --rules-cache
//   rapport-store-writer DIR --status-counts
//
// Opens the store in DIR, adds one recruiter, then appends COUNT messages, printing
// "ack SEQ MESSAGE-ID" after each change is acknowledged (durable). Exits 1 with the
// error on stderr when anything fails.

func out(_ s: String) {
    let line = Array((s + "\n").utf8)
    line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
}

var args = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, in args: inout [String]) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    let v = args[i + 1]
    args.removeSubrange(i...(i + 1))
    return v
}
// --rules-cache: only open the store and evaluate every status through rules.cache
// (writing it), then exit.
if let i = args.firstIndex(of: "--rules-cache") {
    args.remove(at: i)
    do {
        let store = try Store.open(AppPaths(storeDirectory: args[0]))
        let e = store.evaluateThroughRulesCache(now: Date(timeIntervalSince1970: 1_800_000_000))
        out("rules \(e.reused) \(e.computed)")
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("rapport-store-writer: \(error)\n".utf8))
        exit(1)
    }
}
// --status-counts: open the store lazily and count through rules.cache, as the status
// line does, print the counts, then exit.
if let i = args.firstIndex(of: "--status-counts") {
    args.remove(at: i)
    do {
        let store = try Store.open(AppPaths(storeDirectory: args[0]), lazy: true)
        let c = store.countThroughRulesCache(now: Date(timeIntervalSince1970: 1_800_000_000)).counts
        out("counts \(c.overdue) \(c.today) \(c.atRisk) \(c.yourTurn) \(c.blanketWaiting)")
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("rapport-store-writer: \(error)\n".utf8))
        exit(1)
    }
}
let compactEvery = option("--compact-every", in: &args).flatMap { Int($0) } ?? 0
let threshold = option("--threshold", in: &args).flatMap { Int($0) } ?? Store.defaultCompactionThreshold
if let m = option("--umask", in: &args), let v = mode_t(m, radix: 8) { umask(v) }
guard args.count == 2, let count = Int(args[1]) else {
    FileHandle.standardError.write(Data("usage: rapport-store-writer DIR COUNT [--compact-every K] [--threshold BYTES] [--umask OOO]\n".utf8))
    exit(2)
}
do {
    let store = try Store.open(AppPaths(storeDirectory: args[0]), compactionThreshold: threshold)
    for n in store.notices { out("notice \(n)") }
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let r = Recruiter(name: "Writer \(getpid())", created: t0)
    try store.apply(.putRecruiter(r))
    out("recruiter \(store.seq) \(r.id.uuidString)")
    for i in 0..<count {
        let m = Message(recruiterID: r.id, direction: i % 2 == 0 ? .inbound : .outbound,
                        at: t0.addingTimeInterval(Double(i)), subject: "message \(i)")
        try store.apply(.putMessage(m))
        out("ack \(store.seq) \(m.id.uuidString)")
        if compactEvery > 0, (i + 1) % compactEvery == 0 {
            try store.compact()
            out("compacted \(store.seq)")
        }
    }
    try store.close()
    out("done \(store.seq)")
} catch {
    FileHandle.standardError.write(Data("rapport-store-writer: \(error)\n".utf8))
    exit(1)
}
