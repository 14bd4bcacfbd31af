#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import RapportCore
@testable import RapportStore

@Suite struct StoreTests {
    @Test func changesSurviveReopenThroughTheJournalAndThroughCompaction() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        #expect(s.seq == 7)
        let journal = bytes(dir.paths.journal)!
        #expect(journal.filter { $0 == 0x0A }.count == 7, "one line per change")
        #expect(String(decoding: journal, as: UTF8.self).hasPrefix("{\"seq\":1,\"change\":{\"putRecruiter\":"))
        #expect(bytes(dir.paths.snapshot) == nil, "nothing compacted yet")
        let reopened = try Store.open(dir.paths)
        #expect(reopened.database == s.database)
        #expect(reopened.seq == 7)
        try s.close()
        #expect(bytes(dir.paths.journal) == [], "clean exit folds the journal into the snapshot")
        let afterClose = try Store.open(dir.paths)
        #expect(afterClose.database == s.database)
        #expect(afterClose.seq == 7)
    }

    @Test func memoryHoldsExactlyWhatOtherProcessesReadBack() throws {
        let dir = TempDir()
        let s = try Store.open(dir.paths)
        let r = Recruiter(name: "Fractional", created: t0.addingTimeInterval(0.75))
        try s.apply(.putRecruiter(r))
        #expect(s.database.recruiters[r.id]?.created == t0, "times are kept in whole seconds")
        #expect(try Store.open(dir.paths).database == s.database)
        #expect(throws: RapportError.self) {
            try s.apply(.putRecruiter(Recruiter(name: "Bad number", created: t0, extra: ["n": .number("1e400")])))
        }
        #expect(s.seq == 1)
    }

    @Test func aChangeThatDoesNotApplyIsRefusedAndNothingIsWritten() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let before = bytes(dir.paths.journal)
        #expect(throws: RapportError.self) {
            try s.apply(.putMessage(Message(recruiterID: UUID(), direction: .inbound, at: t0)))
        }
        #expect(bytes(dir.paths.journal) == before)
        #expect(s.seq == 7)
    }

    @Test func snapshotIsByteIdenticalWhenWrittenTwiceFromTheSameData() throws {
        let a = TempDir(), b = TempDir()
        let s = try makeSampleStore(a.paths)
        try s.compact()
        let first = bytes(a.paths.snapshot)!
        try s.compact()
        #expect(bytes(a.paths.snapshot)! == first)
        #expect(bytes(a.paths.backup)! == first, "the previous snapshot is kept as .bak")
        // The same data built in another order writes the same bytes.
        let other = try Store.open(b.paths, clock: .fixed(t0))
        let changes = try Store.open(a.paths).database
        for r in changes.recruitersByName.reversed() { try other.apply(.putRecruiter(r)) }
        for r in changes.recruiters.keys {
            for m in changes.thread(r).reversed() { try other.apply(.putMessage(m)) }
            for f in changes.followUps(of: r) { try other.apply(.putFollowUp(f)) }
            for e in changes.expectations(of: r) { try other.apply(.putExpectation(e)) }
            for o in changes.opportunities(of: r) { try other.apply(.putOpportunity(o)) }
        }
        try other.compact()
        var otherBytes = bytes(b.paths.snapshot)!
        // Only the seq differs (the number of changes that built it).
        let text = String(decoding: otherBytes, as: UTF8.self).replacingOccurrences(of: "\"seq\" : \(other.seq)", with: "\"seq\" : 7")
        otherBytes = Array(text.utf8)
        #expect(otherBytes == first)
        let snapshot = String(decoding: first, as: UTF8.self)
        #expect(snapshot.contains("\"schemaVersion\" : 2"))
        #expect(snapshot.contains("\"created\" : \"2027-01-15T08:00:00Z\""), "ISO 8601 times")
        #expect(snapshot.contains("\"phone\" : \"+44 20 7946 0000\""), "phone numbers are strings")
        #expect(snapshot.hasSuffix("}\n"))
    }

    @Test func flagsArePersistedWithTheMomentTheyWereFirstSeen() throws {
        let dir = TempDir()
        let s = try Store.open(dir.paths, clock: .fixed(t0))
        let r = Recruiter(name: "Blocked", status: .doNotContact, created: t0)
        try s.apply(.putRecruiter(r))
        try s.compact()
        #expect(s.persistedFlags[r.id] == [FlagRecord(flag: .doNotContact, since: t0)])
        let later = try Store.open(dir.paths, clock: .fixed(t0.addingTimeInterval(86400)))
        var renamed = r
        renamed.name = "Still blocked"
        renamed.flags = later.database.recruiters[r.id]!.flags
        try later.apply(.putRecruiter(renamed))
        try later.compact()
        #expect(later.persistedFlags[r.id] == [FlagRecord(flag: .doNotContact, since: t0)], "since is kept")
        let text = String(decoding: bytes(dir.paths.snapshot)!, as: UTF8.self)
        #expect(text.contains("\"flag\" : \"do-not-contact\""))
    }

    @Test func anotherStoreSeesAppendsAndCompactionsOnRefresh() throws {
        let dir = TempDir()
        let a = try makeSampleStore(dir.paths)
        let b = try Store.open(dir.paths)
        #expect(try b.refresh() == false, "nothing changed")
        let r = Recruiter(name: "New", created: t0)
        try a.apply(.putRecruiter(r))
        #expect(try b.refresh() == true)
        #expect(b.database.recruiters[r.id] != nil)
        #expect(try b.refresh() == false)
        try a.compact()
        let r2 = Recruiter(name: "After compaction", created: t0)
        try a.apply(.putRecruiter(r2))
        #expect(try b.refresh() == true)
        #expect(b.database == a.database)
        #expect(b.seq == a.seq)
        // b appends on top of what a did; a picks it up.
        let m = Message(recruiterID: r2.id, direction: .inbound, at: t0)
        try b.apply(.putMessage(m))
        #expect(b.seq == 10)
        #expect(try a.refresh() == true)
        #expect(a.database.message(m.id) != nil)
        // Appending from a without refreshing first still sees b's change (validated fresh).
        try b.apply(.removeMessage(m.id))
        try a.apply(.putMessage(Message(recruiterID: r2.id, direction: .outbound, at: t0)))
        #expect(a.database.message(m.id) == nil)
        #expect(a.seq == 12)
    }

    @Test func unknownFieldsSurviveARoundTrip() throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.paths.storeDirectory, withIntermediateDirectories: true)
        let snapshot = """
        {
          "schemaVersion": 1, "seq": 0, "futureTopLevel": {"a": [1, true, null, "x"]},
          "recruiters": [{"id": "00000000-0000-0000-0000-00000000000A", "name": "Dee", "created": "2026-03-09T10:00:00Z",
                          "nickname": "D", "score": 12345678901234567890, "ratio": 0.1, "neg": -42}],
          "messages": [{"id": "00000000-0000-0000-0000-0000000000C1", "recruiterID": "00000000-0000-0000-0000-00000000000A",
                        "direction": "in", "at": "2026-03-09T11:00:00.500Z", "sentiment": {"label": "warm"}}],
          "opportunities": [{"id": "00000000-0000-0000-0000-0000000000D1", "recruiterID": "00000000-0000-0000-0000-00000000000A",
                             "role": "SRE", "salaryBand": [100, 120]}],
          "followUps": [{"id": "00000000-0000-0000-0000-0000000000E1", "recruiterID": "00000000-0000-0000-0000-00000000000A",
                         "due": "2026-03-10T09:00:00+01:00", "channelHint": "phone"}],
          "expectations": [{"id": "00000000-0000-0000-0000-0000000000F1", "recruiterID": "00000000-0000-0000-0000-00000000000A",
                            "by": "2026-03-10", "confidence": "high"}]
        }
        """
        write(dir.paths.snapshot, Array(snapshot.utf8))
        let s = try Store.open(dir.paths, clock: .fixed(t0))
        let rid = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        #expect(s.database.extra["futureTopLevel"] == .object(["a": .array([.number("1"), .bool(true), .null, .string("x")])]))
        #expect(s.database.recruiters[rid]?.extra["score"] == .number("12345678901234567890"))
        #expect(s.database.followUps.values.first?.due == ISO8601.parse("2026-03-10T08:00:00Z"))
        var r = s.database.recruiters[rid]!
        r.name = "Dee Renamed"
        try s.apply(.putRecruiter(r))  // through the journal: extra travels in the Change line
        #expect(try Store.open(dir.paths).database.recruiters[rid]?.extra == r.extra)
        try s.compact()
        let out = try JSONSerialization.jsonObject(with: Data(bytes(dir.paths.snapshot)!)) as! [String: Any]
        let rec = (out["recruiters"] as! [[String: Any]])[0]
        #expect(rec["name"] as? String == "Dee Renamed")
        #expect(rec["nickname"] as? String == "D")
        #expect(rec["neg"] as? Int == -42)
        #expect(rec["ratio"] as? Double == 0.1)
        #expect(String(decoding: bytes(dir.paths.snapshot)!, as: UTF8.self).contains("\"score\" : 12345678901234567890"))
        #expect(String(decoding: bytes(dir.paths.snapshot)!, as: UTF8.self).contains("""
          "futureTopLevel" : {
            "a" : [
              1,
              true,
              null,
              "x"
            ]
          },
        """))
        #expect(((out["messages"] as! [[String: Any]])[0]["sentiment"] as? [String: String]) == ["label": "warm"])
        #expect(((out["opportunities"] as! [[String: Any]])[0]["salaryBand"] as? [Int]) == [100, 120])
        #expect(((out["followUps"] as! [[String: Any]])[0]["channelHint"] as? String) == "phone")
        #expect(((out["expectations"] as! [[String: Any]])[0]["confidence"] as? String) == "high")
        let again = try Store.open(dir.paths)
        #expect(again.database == s.database)
    }

    @Test func aSymlinkedSnapshotStaysASymlinkAndItsTargetIsUpdated() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        try s.close()
        let elsewhere = dir.path("synced")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let target = elsewhere + "/rapport.json"
        try FileManager.default.moveItem(atPath: dir.paths.snapshot, toPath: target)
        try FileManager.default.createSymbolicLink(atPath: dir.paths.snapshot, withDestinationPath: "../synced/rapport.json")
        let t = try Store.open(dir.paths, clock: .fixed(t0))
        #expect(t.database.recruiters.count == 2)
        let r = Recruiter(name: "Via link", created: t0)
        try t.apply(.putRecruiter(r))
        try t.close()
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir.paths.snapshot) == "../synced/rapport.json")
        #expect(String(decoding: bytes(target)!, as: UTF8.self).contains("Via link"))
        #expect(mode(target) == 0o600)
        #expect(try Store.open(dir.paths).database.recruiters[r.id] != nil)
        #expect(listing(elsewhere) == ["rapport.json"], "no temp files left behind")
    }

    @Test func aChmod600SnapshotStays600AndNewFilesAre600() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        try s.compact()
        chmod(dir.paths.snapshot, 0o600)
        try s.apply(.removeRecruiter(UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!))
        try s.compact()
        #expect(mode(dir.paths.storeDirectory) == 0o700)
        for f in [dir.paths.snapshot, dir.paths.backup, dir.paths.journal, dir.paths.lock] {
            #expect(mode(f) == 0o600, "\(f)")
        }
    }

    @Test func aTornLastLineIsSetAsideAndTheRestLoads() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let good = bytes(dir.paths.journal)!
        let torn = Array("{\"seq\":8,\"change\":{\"putRecru".utf8)
        write(dir.paths.journal, good + torn)
        let t = try Store.open(dir.paths, clock: .fixed(t0))
        #expect(t.database == s.database)
        #expect(t.notices.count == 1)
        #expect(t.notices.first?.contains("set aside to \(dir.paths.journal).torn-20270115T080000Z") == true)
        #expect(bytes(dir.paths.journal) == good)
        #expect(bytes(dir.paths.journal + ".torn-20270115T080000Z") == torn)
        #expect(mode(dir.paths.journal + ".torn-20270115T080000Z") == 0o600)
        try t.apply(.putRecruiter(Recruiter(name: "After", created: t0)))
        #expect(t.seq == 8)
        #expect(try Store.open(dir.paths).seq == 8)
    }

    @Test func aStoreSeesATornTailLeftByAKilledWriterWhenItNextAppends() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let fd = open(dir.paths.journal, O_WRONLY | O_APPEND)
        _ = "{\"seq\":8,\"chan".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        #expect(try s.refresh() == false, "a torn tail is not a change")
        try s.apply(.putRecruiter(Recruiter(name: "After", created: t0)))
        #expect(s.notices.contains { $0.contains("set aside") })
        #expect(try Store.open(dir.paths).seq == 8)
    }

    @Test func aBrokenLineInTheMiddleIsRefusedNamingTheLine() throws {
        let dir = TempDir()
        try makeSampleStore(dir.paths)
        var lines = String(decoding: bytes(dir.paths.journal)!, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        lines[2] = lines[2].dropLast(5)
        let broken = Array(lines.joined(separator: "\n").utf8)
        write(dir.paths.journal, broken)
        #expect {
            _ = try Store.open(dir.paths)
        } throws: { e in
            "\(e)".contains("\(dir.paths.journal): line 3, column") && "\(e)".contains("nothing was loaded")
        }
        #expect(bytes(dir.paths.journal) == broken)
        // A line that skips a seq is refused too.
        let skipping = String(decoding: bytes(dir.paths.journal)!, as: UTF8.self)
            .replacingOccurrences(of: "{\"seq\":3,", with: "{\"seq\":9,")
        write(dir.paths.journal, Array(skipping.utf8))
        #expect {
            _ = try Store.open(dir.paths)
        } throws: { e in "\(e)".contains("line 3") }
    }

    @Test func linesAlreadyInTheSnapshotAreSkippedAfterACrashBeforeTruncation() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        let journal = bytes(dir.paths.journal)!
        try s.compact()
        // As if the process died after the rename but before truncating the journal.
        write(dir.paths.journal, journal)
        let t = try Store.open(dir.paths)
        #expect(t.database == s.database)
        #expect(t.seq == 7)
        try t.apply(.removeRecruiter(UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!))
        #expect(try Store.open(dir.paths).seq == 8)
    }

    @Test func aNewerSchemaOpensReadOnlyAndIsNeverWritten() throws {
        let dir = TempDir()
        try makeSampleStore(dir.paths).close()
        let text = String(decoding: bytes(dir.paths.snapshot)!, as: UTF8.self)
            .replacingOccurrences(of: "\"schemaVersion\" : 2", with: "\"schemaVersion\" : 7")
        write(dir.paths.snapshot, Array(text.utf8))
        let before = listing(dir.paths.storeDirectory)
        let s = try Store.open(dir.paths)
        #expect(s.readOnly)
        #expect(s.notices.contains { $0.contains("newer Rapport (schema 7") && $0.contains("read-only") })
        #expect(s.database.recruiters.count == 2)
        #expect(throws: RapportError.self) { try s.apply(.putRecruiter(Recruiter(name: "x", created: t0))) }
        #expect(throws: RapportError.self) { try s.compact() }
        try s.close()
        #expect(String(decoding: bytes(dir.paths.snapshot)!, as: UTF8.self) == text)
        #expect(listing(dir.paths.storeDirectory) == before)
    }

    /// Persisted flags are derived: a flag name from a newer Rapport must not make the
    /// store unreadable (it is dropped and recomputed on the next save).
    @Test func anUnknownPersistedFlagDoesNotBlockOpening() throws {
        let dir = TempDir()
        try makeSampleStore(dir.paths).close()
        var json = try #require(try JSONSerialization.jsonObject(with: Data(bytes(dir.paths.snapshot)!)) as? [String: Any])
        var recruiters = try #require(json["recruiters"] as? [[String: Any]])
        recruiters[0]["flags"] = [["flag": "ghosted-by-aliens", "since": "2026-01-01T00:00:00Z"]]
        json["recruiters"] = recruiters
        let text = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
        write(dir.paths.snapshot, Array(text.utf8))
        let s = try Store.open(dir.paths)
        #expect(s.database.recruiters.count == 2)
        #expect(s.database.recruiters.values.allSatisfy { r in r.flags.allSatisfy { Flag.allCases.contains($0.flag) } })
    }

    /// A store opened writable by this build, then upgraded by a newer build from another
    /// process: the next write or compaction must notice under the lock and refuse.
    @Test func aStoreUpgradedElsewhereWhileOpenIsNeverDowngraded() throws {
        let dir = TempDir()
        try makeSampleStore(dir.paths).close()
        let s = try Store.open(dir.paths)
        #expect(!s.readOnly)
        let text = String(decoding: bytes(dir.paths.snapshot)!, as: UTF8.self)
            .replacingOccurrences(of: "\"schemaVersion\" : 2", with: "\"schemaVersion\" : 7")
        write(dir.paths.snapshot, Array(text.utf8))
        #expect(throws: RapportError.self) { try s.apply(.putRecruiter(Recruiter(name: "x", created: t0))) }
        #expect(s.readOnly)
        #expect(throws: RapportError.self) { try s.compact() }
        try? s.close()
        #expect(String(decoding: bytes(dir.paths.snapshot)!, as: UTF8.self) == text, "the newer snapshot is untouched")
        #expect((bytes(dir.paths.journal) ?? []).isEmpty, "no line of the old schema was appended")
    }

    @Test func anOlderSchemaIsBackedUpThenMigrated() throws {
        let dir = TempDir()
        try makeSampleStore(dir.paths).close()
        let text = String(decoding: bytes(dir.paths.snapshot)!, as: UTF8.self)
            .replacingOccurrences(of: "\"schemaVersion\" : 2", with: "\"schemaVersion\" : 0")
        write(dir.paths.snapshot, Array(text.utf8))
        let s = try Store.open(dir.paths)
        #expect(s.notices.contains { $0.contains("upgraded from schema 0 to 2") })
        #expect(String(decoding: bytes(dir.paths.path("store.json.v0.bak"))!, as: UTF8.self) == text)
        #expect(mode(dir.paths.path("store.json.v0.bak")) == 0o600)
        #expect(String(decoding: bytes(dir.paths.snapshot)!, as: UTF8.self).contains("\"schemaVersion\" : 2"))
        #expect(s.database.recruiters.count == 2)
    }

    @Test func aMissingSnapshotWithABackupIsNotTreatedAsEmpty() throws {
        let dir = TempDir()
        let s = try makeSampleStore(dir.paths)
        try s.compact()
        try s.compact()
        try FileManager.default.removeItem(atPath: dir.paths.snapshot)
        #expect {
            _ = try Store.open(dir.paths)
        } throws: { e in "\(e)".contains("missing, but \(dir.paths.backup) exists") }
    }

    @Test func automaticCompactionKeepsTheJournalSmall() throws {
        let dir = TempDir()
        let s = try Store.open(dir.paths, compactionThreshold: 2000)
        let r = Recruiter(name: "R", created: t0)
        try s.apply(.putRecruiter(r))
        for i in 0..<40 {
            try s.apply(.putMessage(Message(recruiterID: r.id, direction: .inbound, at: t0.addingTimeInterval(Double(i)))))
        }
        #expect((bytes(dir.paths.journal)?.count ?? 0) < 2000)
        #expect(bytes(dir.paths.snapshot) != nil)
        let t = try Store.open(dir.paths)
        #expect(t.database.messageCount == 40)
        #expect(t.seq == 41)
    }
}
