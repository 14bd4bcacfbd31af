import Foundation
import RapportDemo
import Testing
@testable import RapportCore


/// Devices that edit their own copy, each edit valid against what that device sees, and
/// now and then merge what another device has written, as sync does.
struct Simulation {
    struct Device {
        var id: String
        var ops: [SyncOperation] = []
        /// Operations of every device this device has merged (its own included).
        var known: [String: [SyncOperation]] = [:]
        var db = Database()
        var last: HLC?
    }

    var rng: SeededGenerator
    var devices: [Device]
    var now = Date(timeIntervalSince1970: 1_780_000_000)
    let base = Date(timeIntervalSince1970: 1_780_000_000)
    /// Recruiters come from a small pool of stable keys, so devices create the same ids.
    let pool = (0..<6).map { StableID.make(.recruiter, "email:r\($0)@example.com") }

    init(seed: UInt64, devices n: Int = 3) {
        rng = SeededGenerator(state: seed)
        devices = (0..<n).map { Device(id: "dev\($0)") }
    }

    var allOps: [SyncOperation] { devices.flatMap(\.ops) }

    func seen(_ d: Device) -> [String: Int] {
        var v: [String: Int] = [:]
        for (dev, ops) in d.known where dev != d.id { v[dev] = ops.count }
        return v
    }

    /// A random change valid on `db`, or nil when none was picked.
    mutating func randomChange(_ db: Database) -> Change? {
        let live = db.recruiters.keys.sorted(by: uuidLess)
        let at = base.addingTimeInterval(Double(Int.random(in: 0...50_000, using: &rng)))
        if live.isEmpty || Int.random(in: 0..<8, using: &rng) == 0 {
            let id = pool.randomElement(using: &rng)!
            if let r = db.recruiters[id] { return .setField(recruiter: r.id, field: .notes, value: "again \(Int.random(in: 0..<9, using: &rng))") }
            return .putRecruiter(Recruiter(id: id, name: "R \(Int.random(in: 0..<4, using: &rng))", created: base))
        }
        let rid = live.randomElement(using: &rng)!
        let r = db.recruiters[rid]!
        let v = Int.random(in: 0..<4, using: &rng)
        switch Int.random(in: 0..<16, using: &rng) {
        case 0: return .setField(recruiter: rid, field: .firm, value: v == 0 ? nil : "Firm \(v)")
        case 1: return .setField(recruiter: rid, field: .name, value: "Name \(v)")
        case 2: return .setField(recruiter: rid, field: .phone, value: "+1 555 000\(v)")
        case 3: return .setStatus(recruiter: rid, status: RelationshipStatus.allCases[v], until: v == 2 ? at : nil)
        case 4: return .addTag(recruiter: rid, tag: "t\(v)")
        case 5: return r.tags.randomElement(using: &rng).map { .removeTag(recruiter: rid, tag: $0) }
        case 6: return .addEmail(recruiter: rid, email: "x\(v)@example.com")
        case 7: return r.emails.randomElement(using: &rng).map { .removeEmail(recruiter: rid, email: $0) }
        case 8: return .setChecklistItem(recruiter: rid, item: "profile", done: v == 0 ? nil : at)
        case 9: return .setAgenda(recruiter: rid, agenda: v == 0 ? nil : "agenda \(v)")
        case 10:
            let mid = StableID.make(.message, "mail:<\(rid)-\(v)@x>")
            return .putMessage(Message(id: mid, recruiterID: rid, direction: v % 2 == 0 ? .inbound : .outbound, at: at, subject: "s\(v)"))
        case 11: return db.thread(rid).randomElement(using: &rng).map { .removeMessage($0.id) }
        case 12:
            let fid = StableID.make(.followUp, "\(rid)-\(v)")
            return .putFollowUp(FollowUp(id: fid, recruiterID: rid, due: at, note: "n\(Int.random(in: 0..<3, using: &rng))"))
        case 13: return Int.random(in: 0..<3, using: &rng) == 0 ? .removeRecruiter(rid) : nil
        case 14:
            // An undo: the inverse of a change, as the store's undo appends it.
            let c = Change.setField(recruiter: rid, field: .firm, value: "Undone \(v)")
            guard let inv = try? db.inverse(of: c) else { return nil }
            return .batch([c, inv, .addTag(recruiter: rid, tag: "u\(v)")])
        default:
            return .addReferral(recruiter: rid, referral: Referral(id: StableID.make(.expectation, "ref\(v)"), name: "Ref \(v)", at: at))
        }
    }

    /// Device `i` makes one change: it must apply to its database exactly as merging its
    /// log does (the store shows the same thing before and after a sync).
    mutating func edit(_ i: Int) throws {
        guard let c = randomChange(devices[i].db) else { return }
        now = now.addingTimeInterval(Double(Int.random(in: 0...3, using: &rng)))
        // Devices' clocks disagree by up to a few seconds.
        let skew = Double(i) * 2
        var d = devices[i]
        let clock = HLC.next(after: d.last, now: now.addingTimeInterval(-skew), device: d.id)
        let op = SyncOperation(clock: clock, number: d.ops.count + 1, change: c, seen: seen(d))
        try d.db.apply(c)
        d.ops.append(op)
        d.known[d.id] = d.ops
        d.last = clock
        devices[i] = d
    }

    /// Device `i` merges everything device `j` knows.
    mutating func pull(_ i: Int, from j: Int) {
        var d = devices[i]
        for (dev, ops) in devices[j].known where dev != d.id && ops.count > d.known[dev]?.count ?? 0 {
            d.known[dev] = ops
        }
        let all = d.known.values.flatMap { $0 }
        d.db = SyncMerge.merge(all).database
        if let top = all.map(\.clock).max() { d.last = max(d.last ?? top, top) }
        devices[i] = d
    }
}

@Suite struct SyncMergeTests {
    @Test func clockOrdersAndParses() throws {
        let a = HLC(wall: 10, counter: 0, device: "b")
        let b = HLC.next(after: a, now: Date(timeIntervalSince1970: 0.005), device: "a")
        #expect(b > a)
        #expect(b == HLC(wall: 10, counter: 1, device: "a"))
        let c = HLC.next(after: b, now: Date(timeIntervalSince1970: 1), device: "a")
        #expect(c == HLC(wall: 1000, counter: 0, device: "a"))
        #expect(HLC("1000.3@dev-1") == HLC(wall: 1000, counter: 3, device: "dev-1"))
        #expect(HLC("1000@x") == nil)
        #expect(HLC("a.b@x") == nil)
        let data = try JSONEncoder().encode(c)
        #expect(try JSONDecoder().decode(HLC.self, from: data) == c)
    }

    @Test func concurrentEditsOfDifferentFieldsBothSurvive() throws {
        let rid = StableID.make(.recruiter, "email:dana@x")
        let create = SyncOperation(clock: HLC(wall: 1, device: "a"), number: 1,
                                   change: .putRecruiter(Recruiter(id: rid, name: "Dana Smith", created: Date(timeIntervalSince1970: 0))))
        let firm = SyncOperation(clock: HLC(wall: 5, device: "a"), number: 2, change: .setField(recruiter: rid, field: .firm, value: "Acme"))
        let phone = SyncOperation(clock: HLC(wall: 4, device: "b"), number: 1, change: .setField(recruiter: rid, field: .phone, value: "123"), seen: ["a": 1])
        let s = SyncMerge.merge([phone, firm, create])
        #expect(s.database.recruiters[rid]?.firm == "Acme")
        #expect(s.database.recruiters[rid]?.phone == "123")
        #expect(s.conflicts.isEmpty)
    }

    @Test func sameFieldLaterWinsAndLoserIsKept() throws {
        let rid = StableID.make(.recruiter, "email:dana@x")
        let create = SyncOperation(clock: HLC(wall: 1, device: "a"), number: 1,
                                   change: .putRecruiter(Recruiter(id: rid, name: "Dana Smith", created: Date(timeIntervalSince1970: 0))))
        let a = SyncOperation(clock: HLC(wall: 5, device: "a"), number: 2, change: .setField(recruiter: rid, field: .firm, value: "Acme"))
        let b = SyncOperation(clock: HLC(wall: 7, device: "b"), number: 1, change: .setField(recruiter: rid, field: .firm, value: "Globex"), seen: ["a": 1])
        let s = SyncMerge.merge([b, a, create])
        #expect(s.database.recruiters[rid]?.firm == "Globex")
        #expect(s.conflicts.count == 1)
        #expect(s.conflicts.first?.summary == "Dana Smith firm")
        #expect(s.conflicts.first?.loserValue == "Acme")
        #expect(s.conflicts.first?.loser.device == "a")
        // Had b seen a's edit, b's is simply the newer value: no conflict.
        var seenB = b
        seenB.seen = ["a": 2]
        #expect(SyncMerge.merge([create, a, seenB]).conflicts.isEmpty)
    }

    @Test func deleteAgainstLaterEditKeepsTheRecord() throws {
        let rid = StableID.make(.recruiter, "email:dana@x")
        let create = SyncOperation(clock: HLC(wall: 1, device: "a"), number: 1,
                                   change: .putRecruiter(Recruiter(id: rid, name: "Dana Smith", created: Date(timeIntervalSince1970: 0))))
        let msg = Message(recruiterID: rid, direction: .inbound, at: Date(timeIntervalSince1970: 0))
        let log = SyncOperation(clock: HLC(wall: 2, device: "a"), number: 2, change: .putMessage(msg))
        let delete = SyncOperation(clock: HLC(wall: 5, device: "a"), number: 3, change: .removeRecruiter(rid))
        let edit = SyncOperation(clock: HLC(wall: 9, device: "b"), number: 1, change: .setField(recruiter: rid, field: .firm, value: "Acme"), seen: ["a": 2])
        let kept = SyncMerge.merge([edit, delete, log, create])
        #expect(kept.database.recruiters[rid]?.firm == "Acme")
        #expect(kept.database.thread(rid).map(\.id) == [msg.id])
        #expect(kept.conflicts.map(\.kind) == [.deleteKept])
        // The edit earlier than the delete: the delete wins, the edit is recorded as lost.
        var early = edit
        early.clock = HLC(wall: 4, device: "b")
        let gone = SyncMerge.merge([delete, early, log, create])
        #expect(gone.database.recruiters[rid] == nil)
        #expect(gone.conflicts.map(\.kind) == [.editLost])
        #expect(gone.conflicts.first?.loserValue == "Acme")
    }

    @Test func stateRoundTripsThroughJSON() throws {
        var sim = Simulation(seed: 7)
        for step in 0..<120 {
            try sim.edit(step % 3)
            if step % 10 == 9 { sim.pull(step % 3, from: (step + 1) % 3) }
        }
        let s = SyncMerge.merge(sim.allOps)
        let data = try JSONEncoder().encode(s)
        let back = try JSONDecoder().decode(MergeState.self, from: data)
        #expect(back == s)
    }

    /// Any arrival order of the same operations gives the same database and conflicts; a
    /// device's own edits apply to its database exactly as merging them does; folding onto
    /// a checkpoint of a prefix (by clock) gives the same as folding everything.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func anyOrderGivesTheSameDatabase(seed: UInt64) throws {
        var sim = Simulation(seed: seed)
        for _ in 0..<150 {
            let i = Int.random(in: 0..<3, using: &sim.rng)
            if Int.random(in: 0..<6, using: &sim.rng) == 0 {
                let j = (i + Int.random(in: 1...2, using: &sim.rng)) % 3
                sim.pull(i, from: j)
                // After merging, the device's database is the merge of what it knows.
                let d = sim.devices[i]
                #expect(d.db == SyncMerge.merge(d.known.values.flatMap { $0 }).database)
            } else {
                try sim.edit(i)
                let d = sim.devices[i]
                #expect(d.db == SyncMerge.merge(d.known.values.flatMap { $0 }).database,
                        "local edit \(d.ops.last!.change) differs from its merge")
            }
        }
        let ops = sim.allOps
        let reference = SyncMerge.merge(ops)
        #expect(!reference.database.recruiters.isEmpty)
        #expect(!reference.conflicts.isEmpty)
        #expect(reference.conflicts.contains { $0.kind != .field })
        var rng = SeededGenerator(state: seed &* 31)
        for _ in 0..<12 {
            let s = SyncMerge.merge(ops.shuffled(using: &rng))
            #expect(s.database == reference.database)
            #expect(s.conflicts == reference.conflicts)
        }
        // Duplicates (a log read twice) change nothing.
        #expect(SyncMerge.merge(ops + ops.shuffled(using: &rng)).database == reference.database)
        // A checkpoint at a clock cut, then the rest in any order.
        let sorted = ops.sorted(by: SyncMerge.precedes)
        var cp = SyncMerge.merge(Array(sorted.prefix(sorted.count / 2)))
        cp.cut = sorted[sorted.count / 2 - 1].clock
        let resumed = SyncMerge.merge(ops.shuffled(using: &rng), onto: cp)
        #expect(resumed.database == reference.database)
        #expect(resumed.conflicts == reference.conflicts)
        // The change a sync applies to a device's database brings it to the merge exactly.
        for d in sim.devices {
            var db = d.db
            if let c = SyncMerge.diff(from: db, to: reference.database) { try db.apply(c) }
            #expect(db == reference.database)
            #expect(SyncMerge.diff(from: db, to: reference.database) == nil)
        }
        // Everyone merges everything: all devices agree.
        for i in 0..<3 { for j in 0..<3 where i != j { sim.pull(i, from: j) } }
        for i in 0..<3 { sim.pull(i, from: (i + 1) % 3); sim.pull(i, from: (i + 2) % 3) }
        for d in sim.devices { #expect(d.db == reference.database) }
    }
}
