#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import RapportCore
@testable import RapportStore

/// Real processes: writers killed with SIGKILL at many points, two writers at once,
/// permissions under different umasks.
@Suite(.serialized) struct ProcessTests {
    /// Opens the store after a writer died and checks that every acknowledged change is
    /// there, at most one unacknowledged one landed, and every record is whole.
    func expectIntact(_ dir: borrowing TempDir, _ run: WriterRun, context: String) throws {
        let s: Store
        do { s = try Store.open(dir.paths) } catch {
            Issue.record("\(context): the store does not open after the kill: \(error)\n\(run.stdout)")
            return
        }
        let ids = Set(s.database.threads.values.flatMap { $0 }.map(\.id))
        let acked = run.acked
        for id in acked where !ids.contains(id) {
            Issue.record("\(context): acknowledged message \(id) is missing")
        }
        #expect(ids.count <= acked.count + 1, "\(context): \(ids.count) messages, \(acked.count) acknowledged")
        if let r = run.recruiter { #expect(s.database.recruiters[r] != nil, "\(context)") }
        for m in s.database.threads.values.flatMap({ $0 }) {
            #expect(m.subject?.hasPrefix("message ") == true, "\(context): a half-written record")
        }
        #expect(s.seq == s.database.recruiters.count + s.database.messageCount, "\(context): seq counts every change once")
        #expect(Store.check(dir.paths).exitStatus == 0, "\(context): \(Store.check(dir.paths).lines)")
        try s.compact()
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp-") }, "\(context): leftover temp files are removed: \(listing(dir.paths.storeDirectory))")
        #expect(try Store.open(dir.paths).database == s.database, "\(context)")
    }

    @Test func aWriterKilledAtRandomMomentsLosesNoAcknowledgedChange() throws {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<16 {
            let dir = TempDir()
            let delay = UInt32.random(in: 20_000...400_000, using: &rng)
            let run = try run([writerPath, dir.paths.storeDirectory, "400", "--compact-every", "15", "--threshold", "3000"],
                              killAfterMicroseconds: delay)
            try expectIntact(dir, run, context: "round \(round), killed after \(delay) µs, \(run.acked.count) acks")
        }
    }

    @Test(arguments: ["write", "fsync", "rename", "ftruncate", "link"])
    func aWriterKilledAtEverySyscallLosesNoAcknowledgedChange(syscall: String) throws {
        let strace = "/usr/bin/strace"
        guard FileManager.default.isExecutableFile(atPath: strace) else { return }  // optional tool
        let points = syscall == "write" ? Array(stride(from: 1, through: 120, by: 3)) : Array(1...24)
        var killedRuns = 0
        for n in points {
            let dir = TempDir()
            let run = try run([strace, "-f", "-o", "/dev/null", "-e", "inject=\(syscall):signal=KILL:when=\(n)",
                               writerPath, dir.paths.storeDirectory, "30", "--compact-every", "7"])
            if run.status != 0 { killedRuns += 1 }
            if run.stdout.contains("done ") { continue }  // fewer calls than n: nothing to check
            try expectIntact(dir, run, context: "killed at \(syscall) #\(n)")
        }
        #expect(killedRuns > 0, "strace killed the writer at least once")
    }

    @Test func twoWritersAppending200EachLoseNothing() throws {
        let dir = TempDir()
        _ = try Store.open(dir.paths)  // create the directory first
        let argv = [writerPath, dir.paths.storeDirectory, "200", "--threshold", "20000"]
        let ra = try Running(argv), rb = try Running(argv)
        let a = ra.wait(), b = rb.wait()
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        let s = try Store.open(dir.paths)
        #expect(s.database.recruiters.count == 2)
        #expect(s.database.messageCount == 400)
        #expect(s.seq == 402)
        let ids = Set(s.database.threads.values.flatMap { $0 }.map(\.id))
        #expect(Set(a.acked + b.acked) == ids)
    }

    @Test(arguments: ["000", "022", "077"])
    func filesAre600AndTheDirectory700WhateverTheUmask(umask: String) throws {
        let dir = TempDir()
        let run = try run([writerPath, dir.paths.storeDirectory, "3", "--compact-every", "1", "--umask", umask])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(mode(dir.paths.storeDirectory) == 0o700)
        #expect(listing(dir.paths.storeDirectory) == ["journal.jsonl", "store.cache", "store.json", "store.json.bak", "store.lock", "undo.jsonl"])
        for f in listing(dir.paths.storeDirectory) {
            #expect(mode(dir.paths.path(f)) == 0o600, "\(f) under umask \(umask)")
        }
    }
}
