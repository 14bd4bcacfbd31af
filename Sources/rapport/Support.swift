import ArgumentParser
import Foundation
import RapportCore
import RapportStore

/// Everything a command needs at run time, built once from the global options.
struct Context {
    let paths: AppPaths
    let clock: Clock
    let now: Date
    let policy: Policy
    let store: Store

    init(_ global: GlobalOptions) throws {
        paths = try global.paths()
        clock = try global.clock()
        now = clock.now()
        policy = Context.currentPolicy()
        store = try Store.open(paths, policy: policy, clock: clock)
        for notice in store.notices {
            FileHandle.standardError.write(Data("rapport: \(notice)\n".utf8))
        }
    }

    /// The rules' policy for this run: the defaults in the local time zone.
    static func currentPolicy() -> Policy { Policy(timeZone: TimeZone.current.identifier) }

    var timeZone: TimeZone { TimeZone(identifier: policy.timeZone) ?? .current }
    var db: Database { store.database }

    /// Parses a date word (`tomorrow 10:00`, `+3d`, ISO 8601) in the candidate's zone.
    func when(_ text: String, option: String) throws -> Date {
        do { return try When.parse(text, now: now, timeZone: timeZone) } catch let e as RapportError {
            throw RapportError.usage("\(option): \(e.description)")
        }
    }

    /// Finds a recruiter by id, unique id prefix, or unique case-insensitive part of the name.
    func recruiter(_ query: String) throws -> Recruiter {
        try RecruiterLookup.find(query, in: db)
    }

    /// Applies a change through the one mutation path and prints what happened.
    func commit(_ change: Change, _ summary: String) throws {
        try store.apply(change)
        print(summary)
    }

    func status(_ id: UUID) -> RecruiterStatus { Rules.status(of: id, in: db, now: now, policy: policy) }
}

enum RecruiterLookup {
    static func find(_ query: String, in db: Database) throws -> Recruiter {
        let q = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !q.isEmpty else { throw RapportError.usage("RECRUITER is empty: give an id, an id prefix or part of a name") }
        if let id = UUID(uuidString: q), let r = db.recruiters[id] { return r }
        let lower = q.lowercased()
        let all = db.recruitersByName
        var matches = all.filter { $0.id.uuidString.lowercased().hasPrefix(lower) }
        if matches.isEmpty {
            if let exact = all.filter({ $0.name.lowercased() == lower }).onlyElement { return exact }
            matches = all.filter { $0.name.lowercased().contains(lower) }
        }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw RapportError.failure("no recruiter matches '\(q)' (try `rapport list`)")
        default:
            let names = matches.prefix(8).map { "\($0.name) (\(shortID($0.id)))" }.joined(separator: ", ")
            let more = matches.count > 8 ? ", and \(matches.count - 8) more" : ""
            throw RapportError.usage("'\(q)' matches \(matches.count) recruiters: \(names)\(more); use more of the name or the id")
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

    /// "overdue 2d", "due in 3h", "due in 20m".
    static func relative(_ due: Date, now: Date) -> String {
        let s = due.timeIntervalSince(now)
        return s < 0 ? "overdue \(span(-s))" : "due in \(span(s))"
    }

    static func span(_ s: TimeInterval) -> String {
        if s >= 86_400 { return "\(Int(s / 86_400))d" }
        if s >= 3_600 { return "\(Int(s / 3_600))h" }
        return "\(max(1, Int(s / 60)))m"
    }
}

/// Aligned plain-text tables for people (scripts use --json).
struct Table {
    var header: [String]
    var rows: [[String]] = []

    func render() -> String {
        let widths = header.indices.map { i in
            ([header[i]] + rows.map { i < $0.count ? $0[i] : "" }).map(TextWidth.of).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, c) in cells.enumerated() {
                let clean = TextWidth.visible(c)
                out += clean
                if i < cells.count - 1 { out += String(repeating: " ", count: widths[i] - TextWidth.of(clean) + 2) }
            }
            return out
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

/// Minimal display-width helper for CLI tables.
enum TextWidth {
    static func of(_ s: String) -> Int {
        visible(s).reduce(0) { $0 + width(of: $1) }
    }

    static func width(of c: Character) -> Int {
        guard let first = c.unicodeScalars.first else { return 0 }
        if c.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation }) { return 2 }
        switch first.value {
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default:
            return first.properties.generalCategory == .nonspacingMark ? 0 : 1
        }
    }

    /// Control characters shown visibly (never sent raw to a terminal).
    static func visible(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += scalar == "\n" ? "⏎" : "^" + String(UnicodeScalar(UInt8((scalar.value + 0x40) & 0x7F)))
            } else if (0x80...0x9F).contains(scalar.value) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Stable JSON for scripts: sorted keys, ISO 8601 times.
func printJSON<T: Encodable>(_ value: T) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    e.dateEncodingStrategy = .iso8601
    let data = try e.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

extension Channel: ExpressibleByArgument {}
extension RecruiterKind: ExpressibleByArgument {}
extension RapportCore.Flag: ExpressibleByArgument {}

/// `@Flag` in this target is ArgumentParser's; the domain's flag is `RapportFlag`.
typealias Flag<Value> = ArgumentParser.Flag<Value>
typealias RapportFlag = RapportCore.Flag
