import Foundation
import Testing
import RapportCore
import RapportDemo
@testable import RapportStore

/// The pieces of the fast snapshot writer that do not go through Foundation.
@Suite struct EncodingFastPathTests {
    @Test func appendDateWritesWhatFormatDateWrites() {
        var rng = SeededGenerator(seed: 42)
        var moments: [Double] = [0, -1, 86_399, 86_400, -86_401, 951_782_400, 4_107_542_399, -62_135_596_800, 253_402_300_799]
        for _ in 0..<2_000 { moments.append(Double(Int.random(in: -5_000_000_000...10_000_000_000, using: &rng))) }
        for t in moments {
            let d = Date(timeIntervalSince1970: t)
            var out: [UInt8] = []
            StoreCoding.appendDate(d, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "\"\(StoreCoding.formatDate(d))\"", "\(t)")
        }
    }

    @Test func aCheckedSnapshotIsTheSameBytesAsAnUncheckedOne() throws {
        var db = Database()
        for c in Demo.changes(recruiters: 12, messages: 90, seed: 4, now: t0) { try db.apply(c) }
        let snap = Snapshot(db, seq: 5)
        let checked = try StoreCoding.encodeSnapshot(snap, check: true)
        #expect(checked == (try StoreCoding.encodeSnapshot(snap, fast: false)))
        #expect(JSONCheck.check(checked) == nil)
    }
}
