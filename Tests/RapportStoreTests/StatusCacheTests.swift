#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import RapportCore
@testable import RapportStore

/// `status.cache`: used only while the store's files, the policy and the time window match.
struct StatusCacheTests {
    let key = StatusCache.policyKey(.default)
    let until = t0.addingTimeInterval(3600)

    @Test func aWrittenLineIsReadBackWithinItsWindowOnly() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        #expect(StatusCache.read(dir.paths, policyKey: key, now: t0) == nil)
        s.writeStatusCache(line: "2 overdue · 1 today", policyKey: key, from: t0, until: until)
        #expect(StatusCache.read(dir.paths, policyKey: key, now: t0) == "2 overdue · 1 today")
        #expect(StatusCache.read(dir.paths, policyKey: key, now: until.addingTimeInterval(-1)) == "2 overdue · 1 today")
        #expect(StatusCache.read(dir.paths, policyKey: key, now: until) == nil)
        #expect(StatusCache.read(dir.paths, policyKey: key, now: t0.addingTimeInterval(-1)) == nil)
        #expect(StatusCache.read(dir.paths, policyKey: StatusCache.policyKey(Policy(timeZone: "Asia/Tokyo")), now: t0) == nil)
        #expect(mode(dir.paths.path(StatusCache.fileName)) == 0o600)
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp-") })
    }

    @Test func anEmptyWindowStillAnswersAtItsOwnInstant() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        s.writeStatusCache(line: "1 today", policyKey: key, from: t0, until: t0)
        #expect(StatusCache.read(dir.paths, policyKey: key, now: t0) == "1 today")
        #expect(StatusCache.read(dir.paths, policyKey: key, now: t0.addingTimeInterval(0.001)) == nil)
    }

    @Test func anEmptyLineIsCachedToo() throws {
        let dir = TempDir()
        let s = try Store.open(dir.paths, clock: .fixed(t0))
        s.writeStatusCache(line: "", policyKey: key, from: t0, until: until)
        #expect(StatusCache.read(dir.paths, policyKey: key, now: t0) == "")
    }

    @Test func anyChangeToTheStoreInvalidatesIt() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        s.writeStatusCache(line: "1 overdue", policyKey: key, from: t0, until: until)
        let other = try Store.open(dir.paths, clock: .fixed(t0))
        try other.apply(.putRecruiter(Recruiter(name: "New", created: t0)))
        #expect(StatusCache.read(dir.paths, policyKey: key, now: t0) == nil)
        // A store that missed that append does not write a line for files it did not load.
        s.writeStatusCache(line: "stale", policyKey: key, from: t0, until: until)
        #expect(StatusCache.read(dir.paths, policyKey: key, now: t0) == nil)
        other.writeStatusCache(line: "fresh", policyKey: key, from: t0, until: until)
        #expect(StatusCache.read(dir.paths, policyKey: key, now: t0) == "fresh")
        try other.compact()
        #expect(StatusCache.read(dir.paths, policyKey: key, now: t0) == nil)
    }

    @Test func aDamagedCacheIsIgnored() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        s.writeStatusCache(line: "1 overdue", policyKey: key, from: t0, until: until)
        let path = dir.paths.path(StatusCache.fileName)
        let good = bytes(path)!
        for bad in [Array(good.dropLast()), Array(good.prefix(10)), [], Array("rapport status cache 2".utf8) + good.drop { $0 != 0x0A }] {
            write(path, bad)
            #expect(StatusCache.read(dir.paths, policyKey: key, now: t0) == nil)
        }
        write(path, good)
        #expect(StatusCache.read(dir.paths, policyKey: key, now: t0) == "1 overdue")
    }

    @Test func entriesRoundTrip() {
        let e = StatusCache.Entry(identity: "store.json=1:2:3:4.5 journal.jsonl=-", policy: "abc", from: t0.addingTimeInterval(0.25),
                                  until: until, line: "3 at risk")
        #expect(StatusCache.decode(StatusCache.encode(e)) == e)
    }
}
