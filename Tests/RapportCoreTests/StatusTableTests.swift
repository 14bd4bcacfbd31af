import Foundation
import RapportDemo
import Testing
@testable import RapportCore

/// The interface's table of statuses: its deadline order without building the deadlines
/// equals `Rules.displayOrder`, and what it builds equals the statuses it was made from.
@Suite("status table: the order and the statuses it builds")
struct StatusTableTests {
    /// Ids that are hard to order by their first bytes: equal up to and past 32 bytes,
    /// one a prefix of another, a NUL, non-ASCII letters, composed and decomposed accents.
    static let trickyIDs = [
        "", "a", "a\u{0}", "ab", "b", "reply:0000", "reply:00000000-0000-0000-0000-000000000000",
        "reply:00000000-0000-0000-0000-000000000001", "reply:00000000-0000-0000-0000-00000000000",
        "check-in:ffffffff-ffff-ffff-ffff-ffffffffffff", "check-in:ffffffff-ffff-ffff-ffff-fffffffffffe",
        String(repeating: "x", count: 32), String(repeating: "x", count: 31), String(repeating: "x", count: 33),
        String(repeating: "x", count: 32) + "a", String(repeating: "x", count: 32) + "\u{0}",
        "é", "e\u{301}", "e", "f", "ü", "ü" + String(repeating: "x", count: 40), "Z", "z", "~", "\u{7F}", "😀", "日本",
    ]

    @Test("an id's first bytes order ids as String's < does, or say they cannot")
    func prefixOrder() {
        for a in StatusTableTests.trickyIDs {
            for b in StatusTableTests.trickyIDs {
                let want = a < b ? -1 : a == b ? 0 : 1
                if let got = IDPrefix.compare(IDPrefix(a), IDPrefix(b)) {
                    #expect(got == want, "\(a.debugDescription) vs \(b.debugDescription)")
                } else {
                    #expect(!(a.utf8.allSatisfy { $0 < 0x80 } && b.utf8.allSatisfy { $0 < 0x80 }) || (a.utf8.count > 32 || b.utf8.count > 32),
                            "undecided only for non-ASCII or long ids: \(a.debugDescription) vs \(b.debugDescription)")
                }
            }
        }
    }

    @Test("numbers made orderable keep the order of the doubles")
    func orderable() {
        let xs: [Double] = [-Double.greatestFiniteMagnitude, -1e9, -2.5, -1, -Double.leastNonzeroMagnitude, -0.0, 0, Double.leastNonzeroMagnitude,
                            1e-9, 0.5, 1, 2.5, 1e9, Double.greatestFiniteMagnitude]
        for a in xs {
            for b in xs {
                #expect((a < b) == (StatusTable.orderable(a) < StatusTable.orderable(b)), "\(a) < \(b)")
                #expect((a == b) == (StatusTable.orderable(a) == StatusTable.orderable(b)), "\(a) == \(b)")
            }
        }
    }

    /// Statuses whose deadlines tie on section, urgency and due time in many ways, with
    /// the tricky ids.
    static func tiedStatuses(seed: UInt64, now: Date) -> [UUID: RecruiterStatus] {
        var rng = SeededGenerator(state: seed)
        var out: [UUID: RecruiterStatus] = [:]
        let dues = [-86_400.0 * 3, -3600, 0, 3600, 86_400 * 2, 86_400 * 10].map { now.addingTimeInterval($0) }
        let urgencies: [Double] = [0, -0.0, 1, 2.5, 7]
        var ids = StatusTableTests.trickyIDs
        for k in 0..<200 { ids.append("follow-up:\(k % 7)-\(UUID(uuid: (UInt8(k % 3), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, UInt8(k))).uuidString.lowercased())") }
        ids.shuffle(using: &rng)
        var next = 0
        while next < ids.count {
            let rid = UUID()
            var s = RecruiterStatus(recruiterID: rid, turn: .mine, urgency: urgencies.randomElement(using: &rng)!)
            for _ in 0..<Int.random(in: 0...4, using: &rng) where next < ids.count {
                s.deadlines.append(Deadline(id: ids[next], kind: .followUp, recruiterID: rid, due: dues.randomElement(using: &rng)!,
                                            title: "t", urgency: urgencies.randomElement(using: &rng)!))
                next += 1
            }
            out[rid] = s
        }
        return out
    }

    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let until = now.addingTimeInterval(7 * 86_400)

    /// The tied statuses of `seed` as a table, and the week's deadlines the rules put in order.
    static func tiedTable(seed: UInt64) -> (statuses: [UUID: RecruiterStatus], table: StatusTable, want: [Deadline]) {
        let statuses = StatusTableTests.tiedStatuses(seed: seed, now: now)
        let table = StatusTable(statuses, isBlanket: { _ in false }, now: now, policy: .default)
        return (statuses, table, Rules.deadlines(of: statuses, now: now, policy: .default).filter { $0.due <= until })
    }

    @Test("the deadlines in display order equal Rules.displayOrder, ties and all", arguments: [1, 2, 3] as [UInt64])
    func deadlineOrder(seed: UInt64) {
        let (_, table, want) = StatusTableTests.tiedTable(seed: seed)
        let got = table.deadlines(now: StatusTableTests.now, policy: .default, until: StatusTableTests.until)
        #expect(Array(got) == want)
        #expect(got.indices.allSatisfy { got.recruiterID(at: $0) == want[$0].recruiterID && got.kind(at: $0) == want[$0].kind })
    }

    @Test("tied deadlines are ordered when first read, in any order of reading; lookups equal plain scans",
          arguments: [4, 5] as [UInt64])
    func lazyTies(seed: UInt64) {
        let (statuses, table, want) = StatusTableTests.tiedTable(seed: seed)
        let now = StatusTableTests.now, until = StatusTableTests.until
        var rng = SeededGenerator(state: seed)
        let list = table.deadlines(now: now, policy: .default, until: until)
        for i in list.indices.shuffled(using: &rng) { #expect(list[i] == want[i], "at \(i)") }
        // A fresh list for the lookups: nothing ordered before them.
        for d in want.shuffled(using: &rng).prefix(40) {
            let fresh = table.deadlines(now: now, policy: .default, until: until)
            #expect(fresh.index(of: d.id, recruiter: d.recruiterID) == want.firstIndex { $0.id == d.id && $0.recruiterID == d.recruiterID })
        }
        for rid in statuses.keys {
            let fresh = table.deadlines(now: now, policy: .default, until: until)
            #expect(fresh.firstIndex(ofRecruiter: rid) == want.firstIndex { $0.recruiterID == rid })
        }
        #expect(list.index(of: "no such id", recruiter: want.first?.recruiterID ?? UUID()) == nil)
    }

    @Test("a table gives back each status it was made from, and finds rows by id")
    func statusesBack() {
        let now = StatusTableTests.now
        let statuses = StatusTableTests.tiedStatuses(seed: 9, now: now)
        let table = StatusTable(statuses, isBlanket: { $0.uuid.0 & 1 == 1 }, now: now, policy: .default)
        #expect(table.count == statuses.count)
        for (id, s) in statuses {
            #expect(table[id] == s)
            let row = try! #require(table.summary(of: id))
            #expect(row.urgency == s.urgency && row.turn == s.turn && row.blanket == (id.uuid.0 & 1 == 1))
            #expect(table.flags(of: id) == s.flags)
        }
        #expect(table[UUID()] == nil)
    }
}
