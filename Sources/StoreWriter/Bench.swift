import Foundation
import RapportCore
import RapportStore

/// `rapport-store-writer bench DIR [RECRUITERS MESSAGES]`: builds a store of the given
/// size in DIR (default 10 000 recruiters, 200 000 messages) and prints how long opening,
/// one acknowledged append (p50/p99 over 200) and a compaction take.
func bench(_ args: [String]) {
    guard let dir = args.first else {
        FileHandle.standardError.write(Data("usage: rapport-store-writer bench DIR [RECRUITERS MESSAGES]\n".utf8))
        exit(2)
    }
    let nR = args.count > 1 ? Int(args[1]) ?? 10_000 : 10_000
    let nM = args.count > 2 ? Int(args[2]) ?? 200_000 : 200_000
    func ms(_ since: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - since.uptimeNanoseconds) / 1e6 }
    func say(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
    do {
        let paths = AppPaths(storeDirectory: dir)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var start = DispatchTime.now()
        let store = try Store.open(paths, compactionThreshold: Int.max)
        if store.database.recruiters.count < nR {
            var changes: [Change] = []
            var ids: [UUID] = []
            for i in 0..<nR {
                let r = Recruiter(name: "Recruiter \(i)", firm: "Firm \(i % 300)", email: "r\(i)@example.test", created: t0)
                ids.append(r.id)
                changes.append(.putRecruiter(r))
            }
            for i in 0..<nM {
                changes.append(.putMessage(Message(recruiterID: ids[i % nR], direction: i % 3 == 0 ? .outbound : .inbound,
                                                   at: t0.addingTimeInterval(Double(i * 60)), subject: "Subject line \(i)",
                                                   body: "A short body of a message, about as long as a typical recruiter note \(i).")))
            }
            try store.apply(.batch(changes))
            try store.compact()
            say("built \(nR) recruiters / \(nM) messages in \(Int(ms(start))) ms; store.json is \((try? FileManager.default.attributesOfItem(atPath: paths.snapshot)[.size] as? Int) ?? 0) bytes")
        }
        try store.close()

        start = DispatchTime.now()
        let s = try Store.open(paths, compactionThreshold: Int.max)
        say("open: \(String(format: "%.1f", ms(start))) ms (\(s.database.recruiters.count) recruiters, \(s.database.messageCount) messages)")

        let rid = s.database.recruiters.keys.first!
        var times: [Double] = []
        for i in 0..<200 {
            let m = Message(recruiterID: rid, direction: .inbound, at: t0.addingTimeInterval(Double(-i)), subject: "bench \(i)")
            let t = DispatchTime.now()
            try s.apply(.putMessage(m))
            times.append(ms(t))
        }
        times.sort()
        say("append+fsync: p50 \(String(format: "%.2f", times[100])) ms, p99 \(String(format: "%.2f", times[197])) ms, max \(String(format: "%.2f", times[199])) ms")

        // The same without fsync: what the store itself costs per change (CPU only).
        var noSync = FileSystem.system
        noSync.fsync = { _ in 0 }
        let cpu = try Store.open(paths, fileSystem: noSync, compactionThreshold: Int.max)
        times = []
        for i in 0..<200 {
            let m = Message(recruiterID: rid, direction: .outbound, at: t0.addingTimeInterval(Double(-1000 - i)), subject: "cpu \(i)")
            let t = DispatchTime.now()
            try cpu.apply(.putMessage(m))
            times.append(ms(t))
        }
        times.sort()
        say("append without fsync: p50 \(String(format: "%.2f", times[100])) ms, p99 \(String(format: "%.2f", times[197])) ms")

        start = DispatchTime.now()
        _ = try s.refresh()
        say("refresh (picks up 200 appended changes): \(String(format: "%.2f", ms(start))) ms")
        start = DispatchTime.now()
        _ = try s.refresh()
        say("refresh (nothing changed): \(String(format: "%.3f", ms(start))) ms")

        start = DispatchTime.now()
        try s.compact()
        say("compaction: \(String(format: "%.1f", ms(start))) ms")
    } catch {
        FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
        exit(1)
    }
}
