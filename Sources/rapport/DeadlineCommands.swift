import ArgumentParser
import Foundation
import RapportCore
import RapportStore
import RapportTerminal
import RapportText

// `rapport done`, `snooze`, `dismiss`, `status`, `week`: ending deadlines, the
// relationship status, and the week's agenda. The rows of `rapport due` carry the ids
// these commands take.

/// One row of `due --json` (a flat array in display order) and of `show --json`.
struct DeadlineJSON: Encodable {
    var id: String
    var shortId: String
    var kind: String
    var section: String
    var recruiterId: String
    var recruiter: String
    var due: Date
    var overdue: Bool
    var snoozed: Bool
    var title: String
    var unanswered: Int?
    var itemId: String?
    var messageId: String?
    var urgency: Double

    init(_ d: Deadline, db: Database, sections: Rules.Sections) {
        id = d.id
        shortId = d.shortID
        kind = d.kind.rawValue
        section = sections.section(of: d).rawValue
        recruiterId = d.recruiterID.uuidString.lowercased()
        recruiter = db.recruiters[d.recruiterID]?.name ?? ""
        due = d.due
        overdue = d.isOverdue(at: sections.now)
        snoozed = d.snoozed
        title = d.title
        unanswered = d.kind == .reply ? d.count : nil
        itemId = (d.followUpID ?? d.expectationID ?? d.interviewID ?? d.messageID)?.uuidString.lowercased()
        messageId = d.messageID?.uuidString.lowercased()
        urgency = (d.urgency * 100).rounded() / 100
    }
}

/// Finds the deadline a `done`, `snooze` or `dismiss` ID names among the current ones.
/// Nil when no deadline matches (the caller may then look for a bare record id).
func findDeadline(_ query: String, _ ctx: Context) throws -> Deadline? {
    do {
        return try Workflows.deadline(query, in: ctx.db, now: ctx.now, policy: ctx.policy)
    } catch let e as RapportError where e.exitCode == 1 {
        return nil
    }
}

/// The due time in the candidate's zone, and in the recruiter's when it differs:
/// "Tue 2026-12-01 10:00 (16:00 Europe/Berlin)".
struct BothZones {
    let candidate: TimeZone
    private let long: DateFormatter
    private let short: DateFormatter
    private let withDay: DateFormatter

    init(candidate: TimeZone) {
        self.candidate = candidate
        func f(_ format: String) -> DateFormatter {
            let d = DateFormatter()
            d.locale = Locale(identifier: "en_US_POSIX")
            d.dateFormat = format
            return d
        }
        long = f("EEE yyyy-MM-dd HH:mm")
        long.timeZone = candidate
        short = f("HH:mm")
        withDay = f("EEE HH:mm")
    }

    func candidateTime(_ d: Date) -> String { long.string(from: d) }

    /// "16:00 Europe/Berlin", "Wed 02:00 Asia/Tokyo" (the weekday when the day differs);
    /// nil when the recruiter has no zone or the same offset as the candidate then.
    func recruiterTime(_ d: Date, zone name: String?) -> String? {
        guard let name, let zone = TimeZone(identifier: name),
              zone.secondsFromGMT(for: d) != candidate.secondsFromGMT(for: d) else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = candidate
        var theirs = Calendar(identifier: .gregorian)
        theirs.timeZone = zone
        let sameDay = cal.component(.day, from: d) == theirs.component(.day, from: d)
        let fmt = sameDay ? short : withDay
        fmt.timeZone = zone
        return "\(fmt.string(from: d)) \(name)"
    }

    func both(_ d: Date, zone: String?) -> String {
        candidateTime(d) + (recruiterTime(d, zone: zone).map { " (\($0))" } ?? "")
    }
}

struct DoneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "done",
        abstract: "Mark a deadline done (any row of `rapport due`).",
        discussion: """
        A follow-up is marked done; a promise kept closes the expectation; a reply \
        deadline's messages are marked as needing no reply; a thank-you or a check-in logs \
        the message you sent; an interview row is ended. ID is the id `rapport due` shows \
        (reply:1a2b3c4d), the full id, or its hex prefix; the id of a follow-up, message or \
        expectation works too.
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The id shown by `rapport due` (or a unique prefix).") var id: String

    func run() async throws {
        let ctx = try Context(global, lazy: true)
        if let d = try findDeadline(id, ctx) {
            let who = ctx.db.recruiter(d.recruiterID)?.name ?? "?"
            let what: String
            switch d.kind {
            case .reply: what = "\(d.count == 1 ? "Message" : "\(d.count) messages") from \(who) marked as needing no reply"
            case .thankYou: what = "Thank-you to \(who) logged"
            case .checkIn: what = "Check-in with \(who) logged"
            case .followUp: what = "Follow-up with \(who) done"
            case .expectation: what = "Expectation of \(who) closed"
            case .interview: what = "Interview row ended"
            }
            try ctx.apply("done", what) { db in
                // Decided again on the fresh data: the deadline may have moved since.
                let fresh = try Workflows.deadline(d.id, in: db, now: ctx.now, policy: ctx.policy)
                guard let change = Workflows.done(fresh, in: db, now: ctx.now) else {
                    throw RapportError.failure("nothing to mark done for \(d.shortID)")
                }
                return change
            }
            say("\(what) · \(turnLine(ctx, d.recruiterID))")
            return
        }
        let item = try ItemLookup.find(id, in: ctx.db)
        let who = ctx.db.recruiter(item.recruiterID)?.name ?? "?"
        let label: String
        switch item {
        case .followUp: label = "Follow-up with \(who) done"
        case .message: label = "Message from \(who) marked as needing no reply"
        case .expectation: label = "Expectation of \(who) closed"
        }
        try ctx.apply("done", label) { db in try Workflows.done(id: item.id, in: db, now: ctx.now) }
        say("\(label) · \(turnLine(ctx, item.recruiterID))")
    }
}

struct SnoozeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snooze", abstract: "Put a deadline off until later (any row of `rapport due`).",
        discussion: "It comes back due at the --until time.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The id shown by `rapport due` (or a unique prefix).") var id: String
    @Option(parsing: .unconditional, help: "Until when.") var until: String

    func run() async throws {
        let ctx = try Context(global)
        let dates = DateText(timeZone: ctx.timeZone)
        guard let deadline = try findDeadline(id, ctx) else {
            // A follow-up that is not listed (snoozed beyond the list, say): as before.
            guard case .followUp(let f) = try ItemLookup.find(id, in: ctx.db) else {
                throw RapportError.failure("no deadline has the id '\(id)' (see `rapport due`)")
            }
            let d = try ctx.when(until, option: "--until")
            if let problem = Workflows.snoozeProblem(f, until: d, now: ctx.now) {
                throw RapportError.usage("--until \(dates.absolute(d)) \(problem) (due \(dates.absolute(max(f.due, f.snoozedUntil ?? f.due))))")
            }
            let who = ctx.db.recruiters[f.recruiterID]?.name ?? "?"
            try ctx.commit("snooze", "Follow-up with \(who) snoozed until \(dates.absolute(d))") { db in
                try Workflows.snooze(id: f.id, in: db, until: d, now: ctx.now)
            }
            return
        }
        let d = try ctx.when(until, option: "--until")
        if let problem = Workflows.snoozeProblem(deadline, until: d, now: ctx.now) {
            throw RapportError.usage("--until \(dates.absolute(d)) \(problem) (due \(dates.absolute(deadline.due)))")
        }
        try ctx.commit("snooze", "Snoozed until \(dates.absolute(d)): \(deadline.title)") { db in
            let fresh = try Workflows.deadline(deadline.id, in: db, now: ctx.now, policy: ctx.policy)
            guard let change = Workflows.snooze(fresh, in: db, until: d, now: ctx.now) else {
                throw RapportError.failure("\(deadline.shortID) cannot be snoozed")
            }
            return change
        }
    }
}

struct DismissCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dismiss", abstract: "End a deadline without doing it, with a reason (any row of `rapport due`).",
        discussion: "The dismissal is kept on the recruiter with its reason; `rapport undo` brings it back.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The id shown by `rapport due` (or a unique prefix).") var id: String
    @Option(help: "Why (kept with the dismissal).") var reason: String?

    func run() async throws {
        let ctx = try Context(global)
        let d = try Workflows.deadline(id, in: ctx.db, now: ctx.now, policy: ctx.policy)
        try ctx.commit("dismiss", "Dismissed: \(d.title)\(reason?.nilIfBlank.map { " (\($0))" } ?? "")") { db in
            let fresh = try Workflows.deadline(d.id, in: db, now: ctx.now, policy: ctx.policy)
            return Workflows.dismiss(fresh, in: db, now: ctx.now, reason: reason)
        }
    }
}

extension RelationshipStatus: ExpressibleByArgument {}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Set the relationship status: active, ally, dormant, declined or do-not-contact.",
        discussion: """
        dormant and declined raise no reply, check-in or thank-you deadline and no risk flag \
        until --until passes or the recruiter writes again; the messages still open count as \
        answered. ally gets a gentle keep-in-touch check-in (see docs/rules.md). Without a \
        status, prints the current one.
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String
    @Argument(help: "active, ally, dormant, declined or do-not-contact.") var status: RelationshipStatus?
    @Option(parsing: .unconditional, help: "When a dormant or declined status lapses by itself (a date).") var until: String?

    func run() async throws {
        let ctx = try Context(global, forReading: status == nil)
        let r = try ctx.recruiter(recruiter)
        let dates = DateText(timeZone: ctx.timeZone)
        guard let status else {
            if until != nil { throw RapportError.usage("--until goes with a status (dormant or declined)") }
            let lapse = r.statusUntil.map { " until \(dates.absolute($0))" } ?? ""
            say("\(r.name): \(r.status.rawValue)\(lapse)")
            return
        }
        let untilDate = try until.map { try ctx.when($0, option: "--until") }
        if let u = untilDate, let problem = Workflows.statusUntilProblem(status, until: u, now: ctx.now) {
            throw RapportError.usage("--until \(until ?? "") \(problem)")
        }
        let lapse = untilDate.map { " until \(dates.absolute($0))" } ?? ""
        try ctx.apply("status", "\(r.name) \(status.rawValue)\(lapse)") { db in
            Workflows.status(r.id, status, until: untilDate, in: db, now: ctx.now)
        }
        say("\(r.name) is now \(status.rawValue)\(lapse) · \(turnLine(ctx, r.id))")
    }
}

struct WeekCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "week",
        abstract: "Today and the coming days: interviews, promised calls and deadlines, with times in both zones.",
        discussion: "Interviews and promised calls show the research checklist and whether the agenda is written.")

    @OptionGroup var global: GlobalOptions
    @Option(parsing: .unconditional, help: "How far ahead to look, like 7d or 14d (default 7d).") var within: String = "7d"
    @Flag(help: "Stable JSON for scripts.") var json = false

    struct ItemJSON: Encodable {
        var id: String
        var kind: String
        var section: String
        var day: String?
        var at: Date
        var end: Date?
        var local: String
        var recruiterLocal: String?
        var recruiterId: String
        var recruiter: String
        var title: String
        var overdue: Bool
        var checklistMissing: [String]?
        var checklistComplete: Bool?
        var agendaWritten: Bool?
        var deadline: String?
    }

    func run() async throws {
        let horizon = try When.parseDuration(within)
        let ctx = try Context(global, forReading: true)
        let items = Week.items(in: ctx.db, now: ctx.now, policy: ctx.policy, within: horizon)
        let zones = BothZones(candidate: ctx.timeZone)
        let dayFormat = DateFormatter()
        dayFormat.locale = Locale(identifier: "en_US_POSIX")
        dayFormat.timeZone = ctx.timeZone
        dayFormat.dateFormat = "yyyy-MM-dd"
        if json {
            try printJSON(items.map { i in
                let r = ctx.db.recruiters[i.recruiterID]
                return ItemJSON(
                    id: i.id, kind: i.kind.rawValue, section: i.section.rawValue,
                    day: Week.day(of: i, policy: ctx.policy, now: ctx.now).map(dayFormat.string), at: i.at, end: i.end,
                    local: zones.candidateTime(i.at), recruiterLocal: zones.recruiterTime(i.at, zone: r?.timeZone),
                    recruiterId: i.recruiterID.uuidString.lowercased(), recruiter: r?.name ?? "", title: i.title,
                    overdue: i.section == .overdue, checklistMissing: i.missing?.map(\.rawValue),
                    checklistComplete: i.missing.map(\.isEmpty), agendaWritten: i.agendaWritten, deadline: i.deadline?.shortID)
            })
            return
        }
        say(WeekText.render(items, db: ctx.db, now: ctx.now, policy: ctx.policy, within: within))
    }
}

/// The week as text, for `rapport week`: a heading per day, one line per item.
enum WeekText {
    static func render(_ items: [Week.Item], db: Database, now: Date, policy: Policy, within: String) -> String {
        if items.isEmpty { return "Nothing planned or due in the next \(within)." }
        let zone = policy.resolvedTimeZone
        let zones = BothZones(candidate: zone)
        let heading = DateFormatter()
        heading.locale = Locale(identifier: "en_US_POSIX")
        heading.timeZone = zone
        heading.dateFormat = "EEEE yyyy-MM-dd"
        let time = DateFormatter()
        time.locale = Locale(identifier: "en_US_POSIX")
        time.timeZone = zone
        time.dateFormat = "HH:mm"
        var lines: [String] = []
        var current: Date?? = .none
        var table = Table(header: ["", "", "", "", ""])
        func flush() {
            if !table.rows.isEmpty { lines.append(contentsOf: table.render().split(separator: "\n").dropFirst().map { "  " + $0 }) }
            table = Table(header: ["", "", "", "", ""])
        }
        let today = BusinessCalendar(policy: policy, anchor: now).startOfDay(now)
        for item in items {
            let day = Week.day(of: item, policy: policy, now: now)
            if current == nil || current! != day {
                flush()
                if !lines.isEmpty { lines.append("") }
                if let day {
                    lines.append(heading.string(from: day) + (day == today ? " (today)" : ""))
                } else {
                    lines.append("Overdue")
                }
                current = .some(day)
            }
            let r = db.recruiters[item.recruiterID]
            let when = item.section == .overdue
                ? RelativeTime.due(item.at, now: now)
                : time.string(from: item.at) + (item.end.map { "–" + time.string(from: $0) } ?? "")
            let theirs = item.section == .overdue
                ? zones.both(item.at, zone: r?.timeZone)
                : zones.recruiterTime(item.at, zone: r?.timeZone).map { "(\($0))" } ?? ""
            var what = item.title
            if let agenda = item.agendaWritten { what += agenda ? " · agenda written" : " · no agenda yet" }
            if let missing = item.missing {
                what += missing.isEmpty ? " · research done" : " · research missing: \(missing.map(\.rawValue).joined(separator: ", "))"
            }
            let label: String
            switch item.kind {
            case .interview: label = "interview"
            case .promised: label = "promised"
            case .deadline: label = item.deadline?.kind.rawValue ?? "deadline"
            }
            table.rows.append([when, theirs, label, what, item.deadline?.shortID ?? ""])
        }
        flush()
        return lines.joined(separator: "\n")
    }
}
