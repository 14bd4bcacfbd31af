import Glibc
import Foundation
import RapportCore

/// What `rapport check` prints and how it exits.
public struct CheckReport: Sendable, Equatable {
    /// Printable lines, in order ("ok: …", "problem: …", "repaired: …").
    public var lines: [String] = []
    /// Problems still present when the check ended.
    public var problems = 0
    /// 0 when the store is sound, 1 when a problem remains.
    public var exitStatus: Int32 { problems == 0 ? 0 : 1 }

    mutating func ok(_ s: String) { lines.append("ok: \(s)") }
    mutating func problem(_ s: String) {
        lines.append("problem: \(s)")
        problems += 1
    }
    mutating func did(_ s: String) { lines.append("repaired: \(s)") }
}

extension Store {
    /// Verifies a store without changing anything: permissions, the snapshot (syntax,
    /// schema, references), the journal (every line, sequence numbers, torn tail).
    public static func check(_ paths: AppPaths) -> CheckReport {
        var report = CheckReport()
        guard let dir = try? Sys.status(paths.storeDirectory) else {
            report.problem("\(paths.storeDirectory): no store here (nothing to check)")
            return report
        }
        // A shared lock (only if the lock file exists: check never creates files) keeps
        // a compaction from happening halfway through the read.
        let fd = Glibc.open(paths.lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 { flock(fd, LOCK_SH) }
        defer { if fd >= 0 { flock(fd, LOCK_UN); Glibc.close(fd) } }

        checkPermissions(paths, dirMode: dir.mode, into: &report)
        do {
            let l = try StoreLoader.load(paths)
            if try Sys.status(paths.snapshot) == nil {
                report.ok("\(paths.snapshot): not written yet (a new store)")
            } else if l.version > Snapshot.currentVersion {
                report.problem("\(paths.snapshot): written by a newer Rapport (schema \(l.version); this build knows \(Snapshot.currentVersion)); it opens read-only")
            } else {
                let r = l.db.recruiters.count, m = l.db.messageCount
                report.ok("\(paths.snapshot): schema \(l.version), seq \(l.snapshotSeq); with the journal: \(r) recruiter\(r == 1 ? "" : "s"), \(m) message\(m == 1 ? "" : "s")")
            }
            let pending = l.seq - l.snapshotSeq
            report.ok("\(paths.journal): \(l.journalLines) line\(l.journalLines == 1 ? "" : "s"), \(pending) change\(pending == 1 ? "" : "s") after the snapshot (seq \(l.seq))")
            if let torn = l.torn {
                report.problem("\(paths.journal): the last line is incomplete (\(torn.count) bytes, an interrupted write); `rapport check --repair` sets it aside")
            }
        } catch {
            report.problem("\(error)")
        }
        return report
    }

    private static func checkPermissions(_ paths: AppPaths, dirMode: UInt32, into report: inout CheckReport) {
        var wide: [String] = []
        if dirMode & 0o077 != 0 { wide.append("\(paths.storeDirectory) is \(String(dirMode & 0o777, radix: 8)) (expected 700)") }
        let target = Sys.writeTarget(paths.snapshot)
        for p in [target, paths.journal, paths.backup, paths.lock] {
            if let st = try? Sys.status(p), st.mode & 0o077 != 0 {
                wide.append("\(p) is \(String(st.mode & 0o777, radix: 8)) (expected 600)")
            }
        }
        if wide.isEmpty {
            report.ok("permissions: directory 700, files 600")
        } else {
            for w in wide { report.problem("permissions: \(w); others can read your data (chmod go-rwx)") }
        }
    }

    /// The directory back to 0700 and the store's files to 0600 (the user asked for repair).
    private static func tightenPermissions(_ paths: AppPaths, into report: inout CheckReport) {
        if let st = try? Sys.status(paths.storeDirectory), st.mode & 0o077 != 0, chmod(paths.storeDirectory, 0o700) == 0 {
            report.did("\(paths.storeDirectory): permissions set to 700")
        }
        for p in [Sys.writeTarget(paths.snapshot), paths.journal, paths.backup, paths.lock] {
            if let st = try? Sys.status(p), st.mode & 0o077 != 0, chmod(p, mode_t(st.mode & 0o700)) == 0 {
                report.did("\(p): permissions set to \(String(st.mode & 0o700, radix: 8))")
            }
        }
    }

    /// `rapport check --repair`: sets aside a torn journal tail; when store.json is
    /// broken or missing, rebuilds it from store.json.bak + the journal (the broken file
    /// is kept as store.json.broken-<time>). Then checks again.
    public static func repair(_ paths: AppPaths, clock: Clock = .system, fileSystem fs: FileSystem = .system) -> CheckReport {
        var report = CheckReport()
        guard (try? Sys.status(paths.storeDirectory)) != nil else {
            report.problem("\(paths.storeDirectory): no store here (nothing to repair)")
            return report
        }
        do {
            let fd = try openLock(paths, fs)
            defer { Glibc.close(fd) }
            while flock(fd, LOCK_EX) != 0 {
                if errno != EINTR { throw Sys.fail("lock", paths.lock) }
            }
            defer { flock(fd, LOCK_UN) }
            tightenPermissions(paths, into: &report)
            try repairLocked(paths, clock: clock, fs: fs, into: &report)
        } catch {
            report.problem("\(error)")
            return report
        }
        let after = check(paths)
        report.lines += after.lines
        report.problems += after.problems
        return report
    }

    private static func repairLocked(_ paths: AppPaths, clock: Clock, fs: FileSystem, into report: inout CheckReport) throws {
        let now = clock.now()
        do {
            let l = try StoreLoader.load(paths)
            if let torn = l.torn {
                let name = try StoreLoader.setAsideTorn(torn, at: l.journalConsumed, paths: paths, fs: fs, now: now)
                report.did("\(paths.journal): set aside the incomplete last line (\(torn.count) bytes) to \(name)")
            } else {
                report.did(report.lines.isEmpty ? "nothing to repair" : "nothing else to repair")
            }
            return
        } catch {
            let snapshotBroken: Bool
            if let b = (try? Sys.readFile(paths.snapshot)).flatMap({ $0 }) {
                snapshotBroken = (try? StoreLoader.decodeSnapshot(b, file: paths.snapshot, backup: paths.backup)) == nil
            } else {
                snapshotBroken = (try? Sys.status(paths.backup)).flatMap { $0 } != nil
            }
            // A sound snapshot and journal lines that cannot be applied: keep every line
            // that can, set the others aside.
            if !snapshotBroken { return try setAsideUnappliableLines(paths, fs: fs, now: now, into: &report) }
        }
        // Rebuild from the backup + the journal.
        guard let bak = try Sys.readFile(paths.backup) else {
            throw RapportError.failure("\(paths.snapshot) is broken and there is no \(paths.backup) to rebuild from; restore a copy by hand")
        }
        var (db, version, bakSeq, flags) = try StoreLoader.decodeSnapshot(bak, file: paths.backup, backup: paths.backup)
        guard version <= Snapshot.currentVersion else {
            throw RapportError.failure("\(paths.backup): written by a newer Rapport (schema \(version)); rebuild with that version")
        }
        var journal = try Sys.readFile(paths.journal) ?? []
        var firstSeq: Int?
        if let nl = journal.firstIndex(of: 0x0A),
           let first = try? StoreCoding.decoder.decode(JournalLine.self, from: Data(journal[..<nl])) {
            firstSeq = first.seq
        }
        var seq = bakSeq
        if let f = firstSeq, f > bakSeq + 1 {
            report.problem("changes \(bakSeq + 1)…\(f - 1) were only in the broken snapshot and are lost; the rebuilt store holds the backup plus seq \(f) onwards")
            seq = f - 1
        }
        var history = UndoHistory()
        let r = try StoreLoader.replay(journal, into: &db, seq: &seq, history: &history, snapshotSeq: bakSeq, lineBase: 0, file: paths.journal)
        if let torn = r.torn {
            let name = try StoreLoader.setAsideTorn(torn, at: r.consumed, paths: paths, fs: fs, now: now)
            report.did("\(paths.journal): set aside the incomplete last line (\(torn.count) bytes) to \(name)")
            journal.removeLast(torn.count)
        }
        let target = Sys.writeTarget(paths.snapshot)
        if try Sys.status(target) != nil {
            let kept = Sys.freshName("\(paths.snapshot).broken-\(Sys.stamp(now))")
            guard fs.rename(target, kept) == 0 else { throw Sys.fail("move aside", target) }
            report.did("\(paths.snapshot): the broken file was kept as \(kept)")
        }
        let bytes = try StoreCoding.encodeSnapshot(Snapshot(db, seq: seq, flags: flags))
        try Sys.replaceFile(fs, target, bytes)
        report.did("\(paths.snapshot): rebuilt from \(paths.backup) (seq \(bakSeq)) and \(r.lines) journal lines (now seq \(seq))")
        // The journal's lines are now in the snapshot (seq ≤ snapshot seq are skipped), so
        // it can stay as it is; `rapport` truncates it at the next compaction.
    }

    /// The snapshot is sound but some journal lines cannot be read or applied. Every line
    /// that can be applied (in order, seq increasing) is folded into a new snapshot; the
    /// others go, verbatim, to `journal.jsonl.rejected-<time>` (0600), named in the report.
    /// Order: rejected file, backup of the old snapshot, new snapshot, then the journal is
    /// emptied (its kept lines are in the snapshot, so an interruption loses nothing).
    private static func setAsideUnappliableLines(_ paths: AppPaths, fs: FileSystem, now: Date, into report: inout CheckReport) throws {
        // No snapshot yet (never compacted): the journal applies to an empty store.
        let snapBytes = try Sys.readFile(paths.snapshot)
        var (db, version, snapSeq, flags) = (Database(), Snapshot.currentVersion, 0, [UUID: [FlagRecord]]())
        if let snapBytes {
            (db, version, snapSeq, flags) = try StoreLoader.decodeSnapshot(snapBytes, file: paths.snapshot, backup: paths.backup)
        }
        guard version <= Snapshot.currentVersion else {
            throw RapportError.failure("\(paths.snapshot): written by a newer Rapport (schema \(version)); repair with that version")
        }
        let journal = try Sys.readFile(paths.journal) ?? []
        var seq = snapSeq
        var kept = 0
        var rejected: [UInt8] = []
        var reasons: [String] = []
        var lineNo = 0
        var pos = 0
        while pos < journal.count {
            let nl = journal[pos...].firstIndex(of: 0x0A)
            let end = nl ?? journal.count
            let line = Array(journal[pos..<end])
            lineNo += 1
            pos = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            func reject(_ why: String) {
                rejected += line + [0x0A]
                reasons.append("line \(lineNo): \(why)")
            }
            if nl == nil { reject("incomplete (an interrupted write)"); continue }
            if let f = JSONCheck.check(line) { reject("column \(f.offset + 1): \(f.message)"); continue }
            let jl: JournalLine
            do { jl = try StoreCoding.decoder.decode(JournalLine.self, from: Data(line)) } catch {
                reject(DecodingText.describe(error, in: Data(line))); continue
            }
            if jl.seq <= snapSeq { kept += 1; continue }
            guard jl.seq > seq else { reject("seq \(jl.seq) repeats an earlier seq"); continue }
            var next = db
            do { try next.apply(jl.change) } catch { reject("cannot be applied: \(error)"); continue }
            db = next
            seq = jl.seq
            kept += 1
        }
        guard !rejected.isEmpty else {
            report.did("nothing to repair")
            return
        }
        let name = Sys.freshName("\(paths.journal).rejected-\(Sys.stamp(now))")
        try Sys.createFile(fs, name, rejected)
        try Sys.fsyncDirectory(fs, paths.storeDirectory)
        let target = Sys.writeTarget(paths.snapshot)
        if let snapBytes { try Sys.replaceFile(fs, paths.backup, snapBytes) }
        let newSnapshot = try StoreCoding.encodeSnapshot(Snapshot(db, seq: seq, flags: flags), check: true)
        let journalTarget = Sys.writeTarget(paths.journal)
        do {
            try Sys.replaceFile(fs, target, newSnapshot)
            // The journal is replaced by an empty one (rename, so it is never half cut).
            try Sys.replaceFile(fs, journalTarget, [])
        } catch {
            // The rejected lines would still stop every command: put both files back, so
            // a failed repair leaves store.json and the journal as they were.
            if let snapBytes { try? Sys.replaceFile(fs, target, snapBytes) } else { unlink(target) }
            try? Sys.replaceFile(fs, journalTarget, journal)
            throw error
        }
        let n = reasons.count
        report.did("\(paths.journal): set aside \(n) line\(n == 1 ? "" : "s") that cannot be applied to \(name) (\(reasons.prefix(5).joined(separator: "; "))\(n > 5 ? "; …" : ""))")
        report.did("\(paths.snapshot): now holds the \(kept) journal line\(kept == 1 ? "" : "s") that could be applied (seq \(seq))\(snapBytes == nil ? "" : "; the previous snapshot is \(paths.backup)")")
    }
}
