import ArgumentParser
import Foundation
import RapportCore
import RapportStore
import RapportText

/// Everything a command needs at run time, built once from the global options.
struct Context {
    let paths: AppPaths
    let clock: Clock
    let now: Date
    let policy: Policy
    /// config.toml with the environment on top; `policy` is `config.policy`.
    let config: RapportConfig
    /// Nil only for a read that found no store directory (nothing is created for a read).
    private let opened: Store?

    /// Opens the store. A read (`forReading`) of a store directory that does not exist
    /// sees an empty database and creates nothing, so a mistyped `--store` for `list` or
    /// a status bar polling before the first `add` leaves no directories behind.
    ///
    /// `lazy` (the commands that change one recruiter: log, reply, done) reads each
    /// recruiter from the store's cache only when it is needed (`Store.open(…lazy:)`).
    init(_ global: GlobalOptions, forReading: Bool = false, lazy: Bool = false) throws {
        paths = try global.paths()
        clock = try global.clock()
        now = clock.now()
        config = try global.config()
        policy = config.policy
        if forReading && !FileManager.default.fileExists(atPath: paths.storeDirectory) {
            opened = nil
            return
        }
        let store = try Store.open(paths, policy: policy, clock: clock, fileSystem: FileSystem.from(environment: global.environment),
                                   lazy: lazy)
        opened = store
        for notice in store.notices {
            FileHandle.standardError.write(Data("rapport: \(Text.visible(notice))\n".utf8))
        }
    }

    /// The store, for writes.
    var store: Store {
        get throws {
            guard let opened else { throw RapportError.failure("\(paths.storeDirectory): no store here yet") }
            return opened
        }
    }

    /// True when there is a store on disk (false for a read of a directory that is not there).
    var hasStore: Bool { opened != nil }

    /// The candidate's zone: one rule everywhere (`Policy.resolvedTimeZone`).
    var timeZone: TimeZone { policy.resolvedTimeZone }
    var db: Database { opened?.database ?? Database() }

    /// Parses a date word (`tomorrow 10:00`, `+3d`, ISO 8601) in the candidate's zone.
    func when(_ text: String, option: String) throws -> Date {
        try naming(option) { try When.parse(text, now: now, timeZone: timeZone) }
    }

    /// A date for something that has already happened (`When.parsePast`).
    func past(_ text: String, option: String) throws -> Date {
        try naming(option) { try When.parsePast(text, now: now, timeZone: timeZone) }
    }

    /// Usage errors from the date words, prefixed with the option they came from.
    private func naming(_ option: String, _ parse: () throws -> Date) throws -> Date {
        do { return try parse() } catch let e as RapportError {
            throw RapportError.usage("\(option): \(e.description)")
        }
    }

    /// Finds a recruiter by id, unique id prefix, or unique case-insensitive part of the name.
    func recruiter(_ query: String) throws -> Recruiter {
        try RecruiterLookup.find(query, in: db)
    }

    /// Decides and applies a change through the one mutation path: `build` runs under the
    /// store's lock on its fresh data (a `Workflows` builder), and the journal line records
    /// the command as its origin (`rapport undo` takes it back).
    /// Once the journal line is on disk the change is acknowledged: a failure of later
    /// housekeeping (an automatic compaction) is a warning on stderr (see
    /// `Store.applyAcknowledged`).
    @discardableResult
    func apply(_ command: String, _ label: String, _ build: (Database) throws -> Change) throws -> Applied {
        try store.applyAcknowledged(origin: .cli(command), label: label, build)
    }

    /// Applies a change built by `build` (see `apply`) and prints what happened.
    func commit(_ command: String, _ summary: String, _ build: (Database) throws -> Change) throws {
        try apply(command, summary, build)
        say(summary)
    }

    func status(_ id: UUID) -> RecruiterStatus { Rules.status(of: id, in: db, now: now, policy: policy) }

    /// Every recruiter's status at `now` (exactly `Rules.evaluate`), through `rules.cache`
    /// when there is a store, and the next moment a status or a deadline's section can
    /// change by time alone (before midnight; nil without a store: not computed).
    /// `policyKey`: `StatusCache.policyKey(policy)` when the caller has it.
    func statuses(policyKey: String? = nil) -> (statuses: [UUID: RecruiterStatus], nextChange: Date?) {
        let e = evaluation(policyKey: policyKey)
        return (e.statuses, e.nextChange)
    }

    /// `statuses`, with the blanket recruiters among them (from the findings).
    func evaluation(policyKey: String? = nil) -> (statuses: [UUID: RecruiterStatus], nextChange: Date?, blanket: Set<UUID>) {
        guard let opened else {
            let s = Rules.evaluate(db, now: now, policy: policy)
            return (s, nil, Set(s.keys.filter { db.recruiter($0)?.targeting == .blanket }))
        }
        let e = opened.evaluateThroughRulesCache(now: now, policyKey: policyKey)
        return (e.statuses, e.nextChange, e.blanket)
    }

    /// `Rules.counts` of `evaluation`, and its next change, without scoring: through
    /// `rules.cache` the entries that hold are only read for what the counts need.
    func counts(policyKey: String? = nil) -> (counts: Rules.Counts, nextChange: Date?) {
        guard let opened else {
            let s = Rules.evaluate(db, now: now, policy: policy)
            return (Rules.counts(s, in: db, now: now, policy: policy), nil)
        }
        let e = opened.countThroughRulesCache(now: now, policyKey: policyKey)
        return (e.counts, e.nextChange)
    }
}

enum RecruiterLookup {
    static func find(_ query: String, in db: Database) throws -> Recruiter {
        let q = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !q.isEmpty else { throw RapportError.usage("RECRUITER is empty: give an id, an id prefix or part of a name") }
        if let id = UUID(uuidString: q), let r = db.recruiter(id) { return r }
        let lower = q.lowercased()
        // An id prefix (what scripts pass) is found without reading every recruiter, and
        // a name among the names alone (a lazily opened store reads no other field).
        var hits: [(key: String, id: UUID, name: String)] = db.recruiters(withIDPrefix: q).map { ($0.name.lowercased(), $0.id, $0.name) }
        if hits.isEmpty {
            let named = db.recruiterNames.map { (key: $0.name.lowercased(), id: $0.id, name: $0.name) }
            if let exact = named.filter({ $0.key == lower }).onlyElement, let r = db.recruiter(exact.id) { return r }
            hits = named.filter { $0.key.contains(lower) }
        }
        hits.sort { $0.key != $1.key ? $0.key < $1.key : uuidLess($0.id, $1.id) }
        switch hits.count {
        case 1:
            guard let r = db.recruiter(hits[0].id) else { fallthrough }
            return r
        case 0: throw RapportError.failure("no recruiter matches '\(q)' (try `rapport list`)")
        default:
            let names = hits.prefix(8).map { "\($0.name) (\(shortID($0.id)))" }.joined(separator: ", ")
            let more = hits.count > 8 ? ", and \(hits.count - 8) more" : ""
            throw RapportError.usage("'\(q)' matches \(hits.count) recruiters: \(names)\(more); use more of the name or the id")
        }
    }
}

extension Collection {
    var onlyElement: Element? { count == 1 ? first : nil }
}

func shortID(_ id: UUID) -> String { String(id.uuidString.lowercased().prefix(8)) }

/// How dates read in tables: the candidate's zone, to the minute.
struct DateText {
    let timeZone: TimeZone
    private let formatter: DateFormatter

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
        formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
    }

    func absolute(_ d: Date) -> String { formatter.string(from: d) }

    /// "overdue 2d", "due in 3h", "due now": the interface's own words (`RelativeTime`).
    static func relative(_ due: Date, now: Date) -> String { RelativeTime.due(due, now: now) }
}

/// Aligned plain-text tables for people (scripts use --json).
struct Table {
    var header: [String]
    var rows: [[String]] = []

    /// A cell as printed: controls made visible, and emoji with a skin tone or a ZWJ
    /// sequence printed as their base emoji (as the TUI draws them), so the columns
    /// after it line up in tmux and wcswidth-counting terminals too.
    static func cell(_ text: String) -> String { Text.baseEmoji(Text.visible(text)) }

    func render() -> String {
        let widths = header.indices.map { i in
            ([header[i]] + rows.map { i < $0.count ? $0[i] : "" }).map { DisplayWidth.of(Table.cell($0)) }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, c) in cells.enumerated() {
                let clean = Table.cell(c)
                out += clean
                if i < cells.count - 1 { out += String(repeating: " ", count: widths[i] - DisplayWidth.of(clean) + 2) }
            }
            return out
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

/// Stable JSON for scripts: sorted keys, ISO 8601 times.
func printJSON<T: Encodable>(_ value: T) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    e.dateEncodingStrategy = .iso8601
    let data = ControlText.escapingJSON(try e.encode(value))
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

extension Channel: ExpressibleByArgument {}
extension RecruiterKind: ExpressibleByArgument {}
extension RapportCore.Flag: ExpressibleByArgument {}

/// `@Flag` in this target is ArgumentParser's; the domain's flag is `RapportFlag`.
typealias Flag<Value> = ArgumentParser.Flag<Value>
typealias RapportFlag = RapportCore.Flag

/// Prints text for a person: control characters and escape sequences from the data are
/// shown visibly (`^[`), never sent to the terminal raw; line breaks are kept.
func say(_ text: String) {
    print(text.split(separator: "\n", omittingEmptySubsequences: false).map { Text.visible($0) }.joined(separator: "\n"))
}

/// A warning on stderr (the command still succeeds).
func warn(_ text: String) {
    FileHandle.standardError.write(Data("rapport: warning: \(Text.visible(text))\n".utf8))
}

extension Store {
    /// Applies the change `build` decides (under the lock, see `Store.apply`). Once its
    /// journal line is on disk the change is acknowledged: a failure of later housekeeping
    /// (an automatic compaction) is a warning on stderr, and the command exits 0. A
    /// failure before that throws, and nothing was written.
    @discardableResult
    func applyAcknowledged(origin: Origin, label: String, _ build: (Database) throws -> Change) throws -> Applied {
        let before = notices.count
        let applied = try apply(origin: origin, label: label, build)
        for n in notices.dropFirst(before) { warn(n) }
        return applied
    }

    /// Housekeeping after an acknowledged change (a compaction): a failure is a warning.
    func compactAfterAcknowledged() {
        let before = notices.count
        defer { for n in notices.dropFirst(before) { warn(n) } }
        do { try compact() } catch {
            warn("the change is saved in \(paths.journal), but compacting it into \(paths.snapshot) failed (\(error)); the next command retries")
        }
    }
}
