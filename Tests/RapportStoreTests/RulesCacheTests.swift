#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import RapportCore
import RapportDemo
@testable import RapportStore

/// `rules.cache`: the rules' findings per recruiter beside the store. A status through it
/// must be exactly what the rules give, and an entry is used only for the same data, the
/// same duplicate bit, the same policy and inside its window.
@Suite(.serialized) struct RulesCacheTests {
    let base = Date(timeIntervalSince1970: 1_800_000_000)

    /// A demo store, compacted (so `store.cache` exists), and its database as a process
    /// loads it (with digests).
    func demoStore(_ p: AppPaths, recruiters: Int = 60, messages: Int = 600, seed: UInt64 = 7) throws -> (Store, Database) {
        let s = try Store.open(p, clock: .fixed(base))
        try s.apply(.batch(Demo.changes(recruiters: recruiters, messages: messages, seed: seed, now: base)))
        try s.compact()
        let db = try StoreLoader.load(p, useCache: true).db
        return (s, db)
    }

    /// The evaluation through the entries (kept across calls, through the file's bytes)
    /// against the rules: statuses, deadlines in order, counts, and the next change.
    func check(_ db: Database, _ now: Date, _ policy: Policy, _ entries: inout RulesCache.Entries?,
               _ context: String) -> RulesCache.Evaluation {
        let key = RulesCache.policyKey(policy)
        let e = RulesCache.evaluate(db, now: now, policy: policy, policyKey: key, cached: entries)
        let reference = Rules.evaluate(db, now: now, policy: policy)
        #expect(e.statuses == reference, "\(context)")
        if e.statuses != reference {
            for (id, s) in reference where e.statuses[id] != s {
                Issue.record("\(context): \(db.recruiters[id]?.name ?? "?") cached \(String(describing: e.statuses[id])) rules \(s)")
                break
            }
        }
        #expect(Rules.deadlines(of: e.statuses, now: now, policy: policy) == Rules.deadlines(in: db, now: now, policy: policy), "\(context)")
        #expect(Rules.counts(e.statuses, in: db, now: now, policy: policy) == Rules.counts(reference, in: db, now: now, policy: policy))
        // Never later than the rules' own next change (before midnight), never before now.
        let endOfToday = Rules.Sections(now: now, policy: policy).endOfToday
        #expect(min(e.nextChange, endOfToday) <= Rules.nextChange(in: db, now: now, policy: policy), "\(context)")
        #expect(e.nextChange >= now, "\(context)")
        // Counting from findings, without scores: the same counts.
        let counts = Rules.counts(reference, in: db, now: now, policy: policy)
        let found = Rules.findings(of: db.recruiterIDs, in: db, now: now, policy: policy, duplicates: Rules.duplicateSubmissions(in: db))
        #expect(Rules.counts(findings: found.mapValues(\.findings), now: now, policy: policy) == counts, "\(context)")
        // The status line's walk over the same file: the same counts, next change and
        // reuse, and a rewritten file that holds what `evaluate` keeps.
        let c = RulesCache.counts(db, now: now, policy: policy, policyKey: key, file: entries.map { RulesCache.encode($0) })
        #expect(c.counts == counts, "\(context)")
        #expect(c.nextChange == e.nextChange && c.reused == e.reused && c.computed == e.computed && c.changed == e.changed,
                "\(context)")
        if let rewrite = c.rewrite { #expect(RulesCache.decode(rewrite, policyKey: key) == e.entries, "\(context)") }
        // The interface's table over the same file: every status built from it, the
        // deadlines in order, the counts and the reuse are the rules' and `evaluate`'s.
        let file = entries.map { RulesCache.encode($0) } ?? []
        let walked = file.withUnsafeBytes { RulesCache.summaries($0, policyKey: key) }
        let (table, merged) = RulesCache.table(db, now: now, policy: policy, policyKey: key,
                                               file: walked == nil ? [] : file, walked: walked ?? RulesCache.Walked())
        #expect(table.count == reference.count, "\(context)")
        for (id, s) in reference where table[id] != s {
            Issue.record("\(context): \(db.recruiters[id]?.name ?? "?") table \(String(describing: table[id])) rules \(s)")
            break
        }
        #expect(table.counts == counts, "\(context)")
        #expect(Array(table.deadlines(now: now, policy: policy, until: .distantFuture)) == Rules.deadlines(in: db, now: now, policy: policy),
                "\(context)")
        #expect(merged.nextChange == e.nextChange && merged.reused == e.reused && merged.computed == e.computed
                && (merged.rewrite != nil) == e.changed, "\(context)")
        if let rewrite = merged.rewrite { #expect(RulesCache.decode(rewrite, policyKey: key) == e.entries, "\(context)") }
        let bytes = RulesCache.encode(e.entries)
        entries = RulesCache.decode(bytes, policyKey: key)
        #expect(entries == e.entries, "\(context): the entries survive the file")
        return e
    }

    @Test func throughTheCacheEveryStatusIsExactlyTheRulesAtEveryMomentPolicyAndChange() throws {
        let dir = TempDir()
        var (_, db) = try demoStore(dir.paths)
        #expect(db.storedDigests.count == db.recruiters.count, "every recruiter loaded from store.cache has a digest")
        var berlin = Policy(timeZone: "Europe/Berlin")
        berlin.replyBusinessDays = 2
        berlin.urgency.overduePerDay = 2.5
        var entries: RulesCache.Entries?
        var reusedSomewhere = 0
        for policy in [Policy.default, berlin, Policy.default] {
            var now = base.addingTimeInterval(-2 * 86_400)
            // Forward through the next-change moments (just before, at, just after each).
            for step in 0..<12 {
                let next = Rules.nextChange(in: db, now: now, policy: policy)
                for t in [now, next.addingTimeInterval(-0.001), next, next.addingTimeInterval(0.001)] where t >= now {
                    reusedSomewhere += check(db, t, policy, &entries, "step \(step) at \(t)").reused
                }
                now = max(next, now).addingTimeInterval(step % 3 == 0 ? 3 * 3600 : 1)
            }
            // Backwards: an earlier moment than the entries were made at.
            for back: Double in [3600, 86_400, 9 * 86_400] {
                _ = check(db, now.addingTimeInterval(-back), policy, &entries, "back \(back)")
            }
        }
        #expect(reusedSomewhere > 0, "entries are used at all")

        // Changes: each touches one recruiter, whose digest goes; the rest keep theirs.
        let ids = db.recruiters.keys.sorted(by: uuidLess)
        let now = base.addingTimeInterval(3600)
        _ = check(db, now, .default, &entries, "before the changes")
        var changes: [Change] = [
            .putMessage(Message(recruiterID: ids[0], direction: .inbound, channel: .email, at: now.addingTimeInterval(-60))),
            .putMessage(Message(recruiterID: ids[1], direction: .outbound, channel: .email, at: now.addingTimeInterval(-30))),
            .putFollowUp(FollowUp(recruiterID: ids[2], due: now.addingTimeInterval(-10))),
            .putExpectation(Expectation(recruiterID: ids[3], by: now.addingTimeInterval(7200), note: "will call")),
        ]
        var r4 = db.recruiters[ids[4]]!
        r4.status = .doNotContact
        changes.append(.putRecruiter(r4))
        // A duplicate submission: another recruiter puts the candidate forward for a role
        // an untouched one did, which flips the untouched one's duplicate bit.
        let duplicates = Rules.duplicateSubmissions(in: db)
        let victim = try #require(db.opportunities.values.sorted { uuidLess($0.id, $1.id) }.first {
            Rules.submissionKey(of: $0) != nil && !ids[0...5].contains($0.recruiterID) && !duplicates.contains($0.recruiterID)
        })
        changes.append(.putOpportunity(Opportunity(recruiterID: ids[5], role: " \(victim.role.uppercased()) ",
                                                   employer: victim.employer!.lowercased())))
        for (k, c) in changes.enumerated() {
            try db.apply(c)
            #expect(db.storedDigest(of: ids[k]) == nil)
            let e = check(db, now, .default, &entries, "after change \(k)")
            #expect(e.reused >= db.recruiters.count - 7, "the other recruiters come from the entries")
        }
        #expect(Rules.evaluate(db, now: now, policy: .default)[victim.recruiterID]!.flags.contains(.duplicateSubmission))
        #expect(db.storedDigest(of: victim.recruiterID) != nil, "its data did not change, only the duplicate bit")
        #expect(db.storedDigests.count == db.recruiters.count - 6)
    }

    /// A forged entry that holds is used as it is: what keeps a wrong one out is only the
    /// checks, each of which is tried here.
    @Test func anEntryIsUsedOnlyForTheSameDataDuplicateBitPolicyAndWindow() throws {
        let dir = TempDir()
        var (_, db) = try demoStore(dir.paths, recruiters: 12, messages: 80)
        let now = base.addingTimeInterval(600)
        let key = RulesCache.policyKey(.default)
        let id = db.recruiters.keys.sorted(by: uuidLess)[3]
        let fresh = RulesCache.evaluate(db, now: now, policy: .default, policyKey: key, cached: nil)
        #expect(fresh.computed == db.recruiters.count && fresh.reused == 0 && fresh.changed)
        var forged = fresh.entries
        forged.byRecruiter[id]!.findings.flagBits = 1 << 11  // do-not-contact
        forged.byRecruiter[id]!.findings.deadlines = []
        forged.byRecruiter[id]!.validUntil = now.addingTimeInterval(3600)
        func status(_ entries: RulesCache.Entries, at t: Date = now, policy: Policy = .default) -> RecruiterStatus {
            RulesCache.evaluate(db, now: t, policy: policy, policyKey: RulesCache.policyKey(policy), cached: entries).statuses[id]!
        }
        #expect(status(forged).flags == [.doNotContact], "a holding entry is used")
        #expect(status(forged, at: now.addingTimeInterval(3599)).flags == [.doNotContact])
        let truth = Rules.evaluate(db, now: now, policy: .default)[id]!
        #expect(truth.flags != [.doNotContact])
        #expect(status(forged, at: now.addingTimeInterval(3600)) == Rules.evaluate(db, now: now.addingTimeInterval(3600), policy: .default)[id]!,
                "at its validUntil")
        #expect(status(forged, at: now.addingTimeInterval(-1)) == Rules.evaluate(db, now: now.addingTimeInterval(-1), policy: .default)[id]!,
                "before it was made")
        var other = Policy.default
        other.awaitingBusinessDays = 3
        #expect(status(forged, policy: other) == Rules.evaluate(db, now: now, policy: other)[id]!, "another policy")
        var digest = forged
        digest.byRecruiter[id]!.digest &+= 1
        #expect(status(digest) == truth, "another digest")
        var duplicate = forged
        duplicate.byRecruiter[id]!.duplicate.toggle()
        #expect(status(duplicate) == truth, "another duplicate bit")
        // The recruiter changed since loading: no digest, never from an entry.
        var r = db.recruiters[id]!
        r.notes = "changed"
        try db.apply(.putRecruiter(r))
        #expect(db.storedDigest(of: id) == nil)
        #expect(status(forged) == truth)
        // At its own instant an entry holds even when its window is empty.
        var instant = fresh.entries
        let other2 = db.recruiters.keys.sorted(by: uuidLess)[5]
        instant.byRecruiter[other2]!.validUntil = now
        instant.byRecruiter[other2]!.findings.flagBits = 1 << 11
        let at = RulesCache.evaluate(db, now: now, policy: .default, policyKey: key, cached: instant).statuses[other2]!
        #expect(at.flags == [.doNotContact])
        let after = RulesCache.evaluate(db, now: now.addingTimeInterval(0.001), policy: .default, policyKey: key, cached: instant)
        #expect(after.statuses[other2]!.flags != [.doNotContact])
    }

    @Test func aDamagedTruncatedForeignOrOtherPolicyFileIsIgnored() throws {
        let dir = TempDir()
        let (s, db) = try demoStore(dir.paths, recruiters: 10, messages: 60)
        let key = RulesCache.policyKey(.default)
        let e = RulesCache.evaluate(db, now: base, policy: .default, policyKey: key, cached: nil)
        let good = RulesCache.encode(e.entries)
        #expect(RulesCache.decode(good, policyKey: key) == e.entries)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var b = good
            let i = Int.random(in: 0..<b.count, using: &rng)
            b[i] ^= UInt8.random(in: 1...255, using: &rng)
            #expect(RulesCache.decode(b, policyKey: key) == nil, "byte \(i) changed")
        }
        for n in [0, 1, 8, 23, 24, 40, good.count / 2, good.count - 1] {
            #expect(RulesCache.decode(Array(good.prefix(n)), policyKey: key) == nil, "cut at \(n)")
        }
        #expect(RulesCache.decode(good + [0], policyKey: key) == nil, "extended")
        // The status line's walk refuses what `decode` refuses: nothing reused.
        let truth = Rules.counts(Rules.evaluate(db, now: base, policy: .default), in: db, now: base, policy: .default)
        #expect(RulesCache.counts(db, now: base, policy: .default, policyKey: key, file: good).reused == db.recruiters.count)
        for _ in 0..<100 {
            var b = good
            let i = Int.random(in: 0..<b.count, using: &rng)
            b[i] ^= UInt8.random(in: 1...255, using: &rng)
            let c = RulesCache.counts(db, now: base, policy: .default, policyKey: key, file: b)
            #expect(c.reused == 0 && c.counts == truth, "byte \(i) changed")
        }
        for cut in [Array(good.prefix(good.count / 2)), good + [0], RulesCache.encode(e.entries, build: 42)] {
            #expect(RulesCache.counts(db, now: base, policy: .default, policyKey: key, file: cut).reused == 0)
        }
        // Entries out of id order (the checksum made to hold): refused by both.
        var swapped = e.entries.byRecruiter.keys.sorted(by: uuidLess)
        swapped.swapAt(0, 1)
        var w = RulesCache.head(policyKey: key, count: swapped.count, build: RulesCache.buildIdentity, capacity: 0)
        for id in swapped { RulesCache.encodeEntry(&w, id: id, e.entries.byRecruiter[id]!) }
        let unordered = RulesCache.sealed(w.out)
        #expect(RulesCache.counts(db, now: base, policy: .default, policyKey: key, file: unordered).reused == 0)
        #expect(RulesCache.decode(good, policyKey: RulesCache.policyKey(Policy(timeZone: "Asia/Tokyo"))) == nil, "other policy")
        #expect(RulesCache.decode(RulesCache.encode(e.entries, build: 42), policyKey: key) == nil, "another build")
        // Another format version, with a checksum that holds: still not read.
        var v2 = good
        v2[8] = 2
        let sum = v2.withUnsafeBytes { DatabaseCache.hash(UnsafeRawBufferPointer(rebasing: $0[24...])) }
        withUnsafeBytes(of: sum.littleEndian) { for k in 0..<8 { v2[16 + k] = $0[k] } }
        #expect(RulesCache.decode(v2, policyKey: key) == nil, "another format version")
        var magic = good
        magic[0] = UInt8(ascii: "X")
        #expect(RulesCache.decode(magic, policyKey: key) == nil)

        // On disk: written 0600 by the store, and whatever is in place that fails a check
        // is ignored (all recomputed, the result still right) and replaced.
        _ = s
        let o = try Store.open(dir.paths, clock: .fixed(base))
        let first = o.evaluateThroughRulesCache(now: base)
        let path = dir.paths.path(RulesCache.fileName)
        #expect(mode(path) == 0o600)
        #expect(first.computed == db.recruiters.count)
        for junk in [[], Array(good.prefix(good.count / 2)), Array("not a cache".utf8), Array(repeating: 0, count: 4096)] {
            write(path, junk)
            let again = o.evaluateThroughRulesCache(now: base)
            #expect(again.reused == 0 && again.statuses == Rules.evaluate(o.database, now: base, policy: .default))
            #expect(RulesCache.read(dir.paths, policyKey: key) != nil, "rewritten")
        }
        unlink(path)
        #expect(symlink("/etc/passwd", path) == 0)
        #expect(RulesCache.read(dir.paths, policyKey: key) == nil, "a symlink is not followed")
        unlink(path)
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp-") })
    }

    @Test func aProcessReusesTheEntriesOfTheLastAndEvaluatesOnlyWhatChanged() throws {
        let dir = TempDir()
        let (s, db) = try demoStore(dir.paths, recruiters: 40, messages: 300)
        let now = base.addingTimeInterval(120)
        let first = try Store.open(dir.paths, clock: .fixed(now)).evaluateThroughRulesCache(now: now)
        #expect(first.computed == db.recruiters.count && first.reused == 0)
        let second = try Store.open(dir.paths, clock: .fixed(now)).evaluateThroughRulesCache(now: now.addingTimeInterval(1))
        #expect(second.computed < 5, "only findings that ran out of time in that second")
        #expect(second.statuses == Rules.evaluate(db, now: now.addingTimeInterval(1), policy: .default))
        // Another process logs one message: the next open evaluates that recruiter only
        // (and those whose window closed).
        let target = db.recruiters.keys.sorted(by: uuidLess)[0]
        try s.apply(.putMessage(Message(recruiterID: target, direction: .inbound, channel: .email, at: now)))
        let reopened = try Store.open(dir.paths, clock: .fixed(now))
        #expect(reopened.database.storedDigest(of: target) == nil)
        let third = reopened.evaluateThroughRulesCache(now: now.addingTimeInterval(2))
        #expect(third.computed >= 1 && third.computed <= 1 + second.computed)
        #expect(third.statuses == Rules.evaluate(reopened.database, now: now.addingTimeInterval(2), policy: .default))
        // After a compaction the unchanged recruiters keep their digests (the same bytes).
        try s.compact()
        let compacted = try StoreLoader.load(dir.paths, useCache: true).db
        for (id, d) in db.storedDigests where id != target { #expect(compacted.storedDigest(of: id) == d) }
        #expect(compacted.storedDigest(of: target) != nil && compacted.storedDigest(of: target) != db.storedDigest(of: target))
    }

    @Test func digestsFollowEachRecruitersOwnDataOnly() throws {
        let dir = TempDir()
        let (s, db) = try demoStore(dir.paths, recruiters: 20, messages: 120)
        let ids = db.recruiters.keys.sorted(by: uuidLess)
        func reload() throws -> [UUID: UInt64] {
            try s.compact()
            return try StoreLoader.load(dir.paths, useCache: true).db.storedDigests
        }
        #expect(try reload() == db.storedDigests, "the same data, the same digests")
        // A new recruiter moves everyone's position in the file: no digest changes.
        try s.apply(.putRecruiter(Recruiter(id: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!, name: "First", created: base)))
        var now = try reload()
        #expect(now.count == ids.count + 1)
        for id in ids { #expect(now[id] == db.storedDigest(of: id)) }
        let before = now
        let changes: [(UUID, Change)] = [
            (ids[1], .putOpportunity(Opportunity(recruiterID: ids[1], role: "R", employer: "E"))),
            (ids[2], .putFollowUp(FollowUp(recruiterID: ids[2], due: base))),
            (ids[3], .putExpectation(Expectation(recruiterID: ids[3], by: base))),
            (ids[4], .putMessage(Message(recruiterID: ids[4], direction: .inbound, at: base, body: "x"))),
        ]
        for (id, c) in changes {
            try s.apply(c)
            let next = try reload()
            #expect(next[id] != now[id])
            for other in next.keys where other != id { #expect(next[other] == now[other]) }
            now = next
        }
        #expect(now != before)
    }

    /// Writers and readers at once: a reader sees no file or a whole one, never a mix.
    @Test func concurrentWritersAndReadersSeeWholeFilesOnly() async throws {
        let dir = TempDir()
        let (_, db) = try demoStore(dir.paths, recruiters: 30, messages: 200)
        let key = RulesCache.policyKey(.default)
        let sets = (0..<4).map { k in
            RulesCache.evaluate(db, now: base.addingTimeInterval(Double(k) * 7200), policy: .default, policyKey: key, cached: nil).entries
        }
        let paths = dir.paths
        try await withThrowingTaskGroup(of: Int.self) { group in
            for k in 0..<4 {
                group.addTask {
                    for _ in 0..<25 { RulesCache.write(sets[k], paths: paths) }
                    return 0
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    var bad = 0
                    for _ in 0..<100 {
                        if let e = RulesCache.read(paths, policyKey: key), !sets.contains(e) { bad += 1 }
                    }
                    return bad
                }
            }
            var bad = 0
            for try await b in group { bad += b }
            #expect(bad == 0)
        }
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp-") })
    }

    @Test func aWriterKilledWhileWritingTheFileLeavesItUnusedAndTheNextOneRight() throws {
        let dir = TempDir()
        let (s, db) = try demoStore(dir.paths, recruiters: 30, messages: 200)
        let stall = dir.path("stalled")
        let run = try killWriterMidWrite([dir.paths.storeDirectory, "--rules-cache"], stallKey: RulesCache.stallKey, stall: stall)
        #expect(run.reached, "the writer reached the write")
        #expect(run.killed)
        let temps = listing(dir.paths.storeDirectory).filter { $0.hasPrefix(".\(RulesCache.fileName).tmp-") }
        #expect(temps.count == 1, "\(listing(dir.paths.storeDirectory))")
        let path = dir.paths.path(RulesCache.fileName)
        #expect(!FileManager.default.fileExists(atPath: path))
        // As if the half-written file had been renamed into place (a crash of the machine).
        if let t = temps.first { write(path, bytes(dir.paths.path(t))!) }
        let key = RulesCache.policyKey(.default)
        #expect(RulesCache.read(dir.paths, policyKey: key) == nil)
        let e = try Store.open(dir.paths, clock: .fixed(base)).evaluateThroughRulesCache(now: base)
        #expect(e.reused == 0 && e.statuses == Rules.evaluate(db, now: base, policy: .default))
        #expect(RulesCache.read(dir.paths, policyKey: key) != nil)
        try s.compact()
        #expect(!listing(dir.paths.storeDirectory).contains { $0.contains(".tmp-") }, "a compaction removes the leftover")
    }
}
