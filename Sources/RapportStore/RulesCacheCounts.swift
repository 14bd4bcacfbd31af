import Foundation
import RapportCore

/// The status line's reading of `rules.cache`: the counts (`Rules.counts`) and the next
/// moment they can change, without building the entries. The file is checked as
/// `RulesCache.decode` checks it (magic, version, checksum, layout, build, policy key,
/// every entry read within bounds with valid values, ids in order, nothing after the last
/// entry), but each entry is only walked over: the counts read whose turn, the flags, the
/// blanket bit and the deadlines' kinds and due times; the titles, ids and open messages
/// are skipped. When recruiters had to be evaluated, the file is rewritten from the
/// entries that held (copied as bytes) and the new ones.
extension RulesCache {
    /// The counts of every recruiter at one moment, and the file to write.
    public struct CountsEvaluation: Sendable {
        /// Exactly `Rules.counts` of `RulesCache.evaluate`'s statuses and blanket set.
        public var counts: Rules.Counts
        /// As `Evaluation.nextChange`.
        public var nextChange: Date
        public var reused: Int
        public var computed: Int
        /// The file to write: entries were computed for recruiters with a digest (nil: none).
        public var rewrite: [UInt8]?
        public var changed: Bool { rewrite != nil }
    }

    /// One entry of the file as the counts and the status table read it.
    struct EntrySummary {
        /// The id's bytes as two big-endian numbers: ordered as `uuidLess` orders ids.
        var id: IDKey
        var digest: UInt64
        var duplicate: Bool
        var evaluatedAt: Date
        var validUntil: Date
        var turn: Turn
        var lastContact: Date?
        var flagBits: UInt32
        var blanket: Bool
        var owesReply: Bool
        /// Its deadlines' due times in `dues`, and its bytes in the file.
        var dues: Range<Int>
        var bytes: Range<Int>

        /// `Entry.holds`.
        @inline(__always) func holds(digest current: UInt64?, duplicate: Bool, now: Date) -> Bool {
            guard let current, current == digest, duplicate == self.duplicate else { return false }
            return now == evaluatedAt || (evaluatedAt < now && now < validUntil)
        }
    }

    typealias IDKey = (UInt64, UInt64)

    @inline(__always) static func idKey(_ id: UUID) -> IDKey {
        withUnsafeBytes(of: id.uuid) {
            (UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
             UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    /// A file's entries as walked: each entry's summary, and its deadlines' kinds and due
    /// times (`EntrySummary.dues` ranges over both).
    struct Walked: Sendable {
        var entries: [EntrySummary] = []
        var kinds: [DeadlineKind] = []
        var dues: [Date] = []
        /// Where each deadline's id (a string) starts in the file.
        var idAt: [Int] = []
    }

    /// The entries of `raw` (every check of `decode`, and ids strictly ascending, as the
    /// writer sorts them), the deadlines' kinds and due times; nil when any check fails.
    static func summaries(_ raw: UnsafeRawBufferPointer, policyKey: String, build: UInt64 = buildIdentity) -> Walked? {
        guard var r = afterHeader(raw, policyKey: policyKey, build: build),
              let out = try? walk(&r), r.at == raw.count else { return nil }
        return out
    }

    private static func walk(_ r: inout DatabaseCache.Reader) throws -> Walked {
        let n = try r.count()
        var entries: [EntrySummary] = []
        entries.reserveCapacity(n)
        var dues: [Date] = [], dueKinds: [DeadlineKind] = []
        dues.reserveCapacity(n)
        dueKinds.reserveCapacity(n)
        var idAt: [Int] = []
        idAt.reserveCapacity(n)
        let flagCount = UInt32(Flag.allCases.count)
        for _ in 0..<n {
            let start = r.at
            let idBytes = try r.bytes(16)
            let id = (UInt64(bigEndian: idBytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                      UInt64(bigEndian: idBytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            if let last = entries.last, !(last.id < id) { throw DatabaseCache.Bad() }
            let digest = try r.u64(), duplicate = try r.bool()
            let evaluatedAt = try r.date(), validUntil = try r.date()
            let turn = try r.pick(turns)
            let lastContact = try r.optionalDate()
            let no = try r.count()
            _ = try r.bytes(no * 16)
            let bits = try r.u32(), blanket = try r.bool()
            guard bits >> flagCount == 0 else { throw DatabaseCache.Bad() }
            let nd = try r.count()
            let first = dues.count
            var owesReply = false
            for _ in 0..<nd {
                idAt.append(r.at)
                try r.skipString()
                let kind = try r.pick(kinds), due = try r.date()
                if kind == .reply { owesReply = true }
                dues.append(due)
                dueKinds.append(kind)
                try r.skipOptionalID(); try r.skipOptionalID(); try r.skipOptionalID(); try r.skipOptionalID()
                try r.skipString()
                _ = try r.int()
                try r.skipOptionalID()
                _ = try r.bool()
            }
            entries.append(EntrySummary(id: id, digest: digest, duplicate: duplicate, evaluatedAt: evaluatedAt,
                                        validUntil: validUntil, turn: turn, lastContact: lastContact, flagBits: bits,
                                        blanket: blanket, owesReply: owesReply, dues: first..<dues.count, bytes: start..<r.at))
        }
        return Walked(entries: entries, kinds: dueKinds, dues: dues, idAt: idAt)
    }

    /// Every recruiter's counts at `now`: from the entries of `file` (the bytes of
    /// `rules.cache`) that hold, from the rules otherwise. Pure; the counts and next change
    /// are exactly those of `evaluate` with the same file decoded, and `rewrite` decodes
    /// to the entries `evaluate` keeps.
    public static func counts(_ db: Database, now: Date, policy: Policy, policyKey: String, file: [UInt8]?) -> CountsEvaluation {
        counts(db, now: now, policy: policy, policyKey: policyKey, file: file, build: buildIdentity)
    }

    static func counts(_ db: Database, now: Date, policy: Policy, policyKey: String, file: [UInt8]?,
                       build: UInt64) -> CountsEvaluation {
        let bytes = file ?? []
        return bytes.withUnsafeBytes { raw -> CountsEvaluation in
            let walked = (file == nil ? nil : summaries(raw, policyKey: policyKey, build: build)) ?? Walked()
            var tally = Rules.CountTally(now: now, policy: policy)
            let m = merge(db, recruiters: db.recruiterDigests(), now: now, policy: policy, policyKey: policyKey, walked: walked, raw: raw, build: build,
                          held: { _, k in
                              let e = walked.entries[k]
                              tally.recruiter(turn: e.turn, flagBits: e.flagBits, blanket: e.blanket, owesReply: e.owesReply)
                              for due in walked.dues[e.dues] { tally.deadline(due: due) }
                          },
                          computed: { _, f in
                              tally.recruiter(turn: f.turn, flagBits: f.flagBits, blanket: f.blanket,
                                              owesReply: f.deadlines.contains { $0.kind == .reply })
                              for d in f.deadlines { tally.deadline(due: d.due) }
                          })
            return CountsEvaluation(counts: tally.counts, nextChange: m.nextChange, reused: m.reused,
                                    computed: m.computed, rewrite: m.rewrite)
        }
    }

    /// What `merge` found besides what it reported.
    struct Merged {
        /// As `Evaluation.nextChange`.
        var nextChange: Date
        var reused: Int
        var computed: Int
        /// The file to write when entries were computed for recruiters with a digest:
        /// the entries that held (copied as bytes) and the new ones, in id order.
        var rewrite: [UInt8]?
    }

    /// Every recruiter of `db` (`recruiters`: its `recruiterDigests`, a position in them each) met
    /// with the entry of `walked` (the walk of `raw`) that holds for it at `now`:
    /// `held(position, entry index)` for each; the others are evaluated and reported with
    /// `computed(position, findings)`.
    static func merge(_ db: Database, recruiters: [(id: UUID, digest: UInt64?, duplicate: Bool)], now: Date, policy: Policy,
                      policyKey: String, walked: Walked, raw: UnsafeRawBufferPointer, build: UInt64,
                      held: (Int, Int) -> Void, computed: (Int, RuleFindings) -> Void) -> Merged {
        let entries = walked.entries
        var next = Date.distantFuture
        var earliestDue = Date.distantFuture
        var cursor = 0
        var kept: [Int] = []
        kept.reserveCapacity(entries.count)
        var missing: [UUID] = []
        var missingAt: [UUID: (position: Int, digest: UInt64?)] = [:]
        var duplicates = Set<UUID>()  // among the missing
        for (position, (uuid, digest, duplicate)) in recruiters.enumerated() {
            // The entry for this id: the next one when ids come in order (the stored
            // recruiters do), else found by bisection.
            let id = idKey(uuid)
            var found: Int?
            if cursor < entries.count, entries[cursor].id == id {
                found = cursor
            } else {
                var lo = 0, hi = entries.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if entries[mid].id < id { lo = mid + 1 } else { hi = mid }
                }
                if lo < entries.count, entries[lo].id == id { found = lo }
            }
            if let k = found { cursor = k + 1 }
            if let k = found, entries[k].holds(digest: digest, duplicate: duplicate, now: now) {
                let e = entries[k]
                kept.append(k)
                held(position, k)
                for due in walked.dues[e.dues] where due >= now && due < earliestDue { earliestDue = due }
                next = min(next, max(e.validUntil, now))
            } else {
                missing.append(uuid)
                missingAt[uuid] = (position, digest)
                if duplicate { duplicates.insert(uuid) }
            }
        }
        var fresh: [(UUID, Entry)] = []
        var evaluated = 0
        if !missing.isEmpty {
            for (id, found) in Rules.findings(of: missing, in: db, now: now, policy: policy, duplicates: duplicates) {
                evaluated += 1
                let f = found.findings
                let at = missingAt[id]!
                computed(at.position, f)
                for d in f.deadlines where d.due >= now && d.due < earliestDue { earliestDue = d.due }
                next = min(next, found.validUntil)
                if let digest = at.digest {
                    fresh.append((id, Entry(digest: digest, duplicate: duplicates.contains(id), evaluatedAt: now,
                                            validUntil: found.validUntil, findings: f)))
                }
            }
        }
        var rewrite: [UInt8]?
        if !fresh.isEmpty {
            kept.sort()
            fresh.sort { uuidLess($0.0, $1.0) }
            var w = head(policyKey: policyKey, count: kept.count + fresh.count, build: build,
                         capacity: 64 + kept.reduce(0) { $0 + entries[$1].bytes.count } + fresh.count * 256)
            var j = 0
            for k in kept {
                while j < fresh.count, idKey(fresh[j].0) < entries[k].id {
                    encodeEntry(&w, id: fresh[j].0, fresh[j].1)
                    j += 1
                }
                w.out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[entries[k].bytes]))
            }
            while j < fresh.count {
                encodeEntry(&w, id: fresh[j].0, fresh[j].1)
                j += 1
            }
            rewrite = sealed(w.out)
        }
        return Merged(nextChange: min(next, earliestDue), reused: kept.count, computed: evaluated, rewrite: rewrite)
    }
}

extension DatabaseCache.Reader {
    /// Steps over a string that must be present.
    @inline(__always) mutating func skipString() throws {
        let n = try u32()
        guard n != UInt32.max else { throw DatabaseCache.Bad() }
        _ = try bytes(Int(n))
    }

    /// Steps over an optional id (a tag 0 or 1, then the id).
    @inline(__always) mutating func skipOptionalID() throws {
        switch try u8() {
        case 0: break
        case 1: _ = try bytes(16)
        default: throw DatabaseCache.Bad()
        }
    }
}

extension Store {
    /// The counts of every recruiter at `now` through `rules.cache` (what the status line
    /// shows), as `evaluateThroughRulesCache` with `Rules.counts` but without building
    /// or scoring the entries that hold; the file is rewritten as there.
    public func countThroughRulesCache(now: Date, policyKey: String? = nil) -> RulesCache.CountsEvaluation {
        let key = policyKey ?? RulesCache.policyKey(policy)
        let e = RulesCache.counts(database, now: now, policy: policy, policyKey: key, file: RulesCache.readBytes(paths))
        if let bytes = e.rewrite, !readOnly {
            DatabaseCache.writeDerived(bytes, named: RulesCache.fileName, paths: paths, fs: fs, stallKey: RulesCache.stallKey)
        }
        return e
    }
}
