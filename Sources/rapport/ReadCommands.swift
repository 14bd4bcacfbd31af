import ArgumentParser
import Foundation
import RapportCore
import RapportDemo
import RapportStore
import RapportText

enum SortOrder: String, ExpressibleByArgument, CaseIterable {
    case urgency, name
    case lastContact = "last-contact"
}

/// One recruiter as `list --json` and `show --json` print it.
struct RecruiterJSON: Encodable {
    var id: String
    var name: String
    var firm: String?
    var kind: String
    var targeting: String
    var status: String
    var email: String?
    /// Every address, primary first (`email` is the first).
    var emails: [String]
    var phone: String?
    var linkedin: String?
    var timeZone: String?
    var tags: [String]
    var turn: String
    var flags: [String]
    var lastContact: Date?
    var urgency: Double
    var messages: Int

    init(_ r: Recruiter, _ s: RecruiterStatus, messages: Int) {
        id = r.id.uuidString.lowercased()
        name = r.name
        firm = r.firm
        kind = r.kind.rawValue
        targeting = r.targeting.rawValue
        status = r.status.rawValue
        email = r.email
        emails = r.emails
        phone = r.phone
        linkedin = r.linkedin
        timeZone = r.timeZone
        tags = r.tags
        turn = s.turn.rawValue
        flags = s.flags.map(\.rawValue)
        lastContact = s.lastContact
        urgency = (s.urgency * 100).rounded() / 100
        self.messages = messages
    }
}

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List recruiters with whose turn it is and their flags.")

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Only recruiters with this flag: \(RapportFlag.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "FLAG"))
    var flag: RapportFlag?
    @Option(help: "urgency, name or last-contact (default: [ui] sort in config.toml, else urgency).") var sort: SortOrder?
    @Flag(help: "Stable JSON for scripts.") var json = false

    func run() async throws {
        let ctx = try Context(global, forReading: true)
        let statuses = ctx.statuses().statuses
        var rows: [(Recruiter, RecruiterStatus)] = ctx.db.recruitersByName.compactMap { r in
            statuses[r.id].map { (r, $0) }
        }
        if let flag { rows = rows.filter { $0.1.flags.contains(flag) } }
        switch sort ?? SortOrder(rawValue: ctx.config.ui.sort.rawValue) ?? .urgency {
        case .name: break
        case .urgency: rows.sort { $0.1.urgency > $1.1.urgency }  // stable: ties stay by name
        case .lastContact:
            rows.sort { ($0.1.lastContact ?? .distantPast) > ($1.1.lastContact ?? .distantPast) }
        }
        if json {
            try printJSON(rows.map { RecruiterJSON($0.0, $0.1, messages: ctx.db.thread($0.0.id).count) })
            return
        }
        if rows.isEmpty {
            say(ctx.db.recruiters.isEmpty ? "No recruiters yet. Add one with `rapport add NAME`, or try `rapport demo`." : "No recruiter has the flag \(flag?.rawValue ?? "").")
            return
        }
        let dates = DateText(timeZone: ctx.timeZone)
        var t = Table(header: ["ID", "NAME", "FIRM", "TURN", "FLAGS", "LAST CONTACT"])
        for (r, s) in rows {
            t.rows.append([shortID(r.id), r.name, r.firm ?? "", turnWord(s.turn), s.flags.map(\.rawValue).joined(separator: ","),
                           s.lastContact.map(dates.absolute) ?? "—"])
        }
        say(t.render())
    }
}

func turnWord(_ t: Turn) -> String {
    switch t {
    case .mine: return "yours"
    case .theirs: return "theirs"
    case .none: return "—"
    }
}

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one recruiter: details, thread, deadlines.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String
    @Flag(help: "Stable JSON for scripts.") var json = false

    struct MessageJSON: Encodable {
        var id: String, direction: String, channel: String, at: Date, subject: String?, body: String?, noReplyNeeded: Bool
    }
    struct FollowUpJSON: Encodable { var id: String, due: Date, note: String?, done: Date?, snoozedUntil: Date? }
    struct ShowJSON: Encodable {
        var recruiter: RecruiterJSON
        var notes: String?
        var messages: [MessageJSON]
        var opportunities: [OpportunityJSON]
        var followUps: [FollowUpJSON]
        var deadlines: [DeadlineJSON]
        /// Each flag that is up, with when it came up and why.
        var flags: [FlagJSON]
    }
    struct FlagJSON: Encodable { var flag: String, since: Date?, why: String }
    struct OpportunityJSON: Encodable {
        var id: String, role: String, employer: String?, stage: String, interviews: [Date], nextStep: String?
    }

    func run() async throws {
        let ctx = try Context(global, forReading: true)
        let r = try ctx.recruiter(recruiter)
        let s = ctx.status(r.id)
        let thread = ctx.db.thread(r.id)
        let reasons = Rules.reasons(of: r.id, in: ctx.db, now: ctx.now, policy: ctx.policy)
        let sections = Rules.Sections(now: ctx.now, policy: ctx.policy)
        if json {
            try printJSON(ShowJSON(
                recruiter: RecruiterJSON(r, s, messages: thread.count), notes: r.notes,
                messages: thread.map { MessageJSON(id: $0.id.uuidString.lowercased(), direction: $0.direction.rawValue, channel: $0.channel.rawValue, at: $0.at, subject: $0.subject, body: $0.body, noReplyNeeded: $0.noReplyNeeded) },
                opportunities: ctx.db.opportunities(of: r.id).map { OpportunityJSON(id: $0.id.uuidString.lowercased(), role: $0.role, employer: $0.employer, stage: $0.stage.rawValue, interviews: $0.interviews.map(\.at), nextStep: $0.nextStep) },
                followUps: ctx.db.followUps(of: r.id).map { FollowUpJSON(id: $0.id.uuidString.lowercased(), due: $0.due, note: $0.note, done: $0.done, snoozedUntil: $0.snoozedUntil) },
                deadlines: s.deadlines.map { DeadlineJSON($0, db: ctx.db, sections: sections) },
                flags: reasons.map { FlagJSON(flag: $0.flag.rawValue, since: $0.since, why: $0.why) }))
            return
        }
        let dates = DateText(timeZone: ctx.timeZone)
        var lines: [String] = []
        lines.append("\(r.name)\(r.firm.map { " · \($0)" } ?? "")  [\(r.kind.rawValue), \(r.targeting.rawValue), \(r.status.rawValue)]  id \(r.id.uuidString.lowercased())")
        let contact = [r.email, r.phone, r.linkedin, r.timeZone].compactMap { $0 }
        if !contact.isEmpty { lines.append(contact.joined(separator: " · ")) }
        if !r.tags.isEmpty { lines.append("tags: " + r.tags.joined(separator: ", ")) }
        if let n = r.notes { lines.append("notes: " + n) }
        let lapse = r.statusUntil.map { " until \(dates.absolute($0))" } ?? ""
        lines.append("turn: \(turnWord(s.turn))   status: \(r.status.rawValue)\(lapse)   flags:\(s.flags.isEmpty ? " none" : "")")
        for reason in reasons { lines.append("  \(reason.flag.rawValue) — \(reason.why)") }
        lines.append("")
        if thread.isEmpty { lines.append("No messages yet.") }
        for m in thread.suffix(50) {
            let arrow = m.direction == .inbound ? "←" : "→"
            let open = m.noReplyNeeded ? " (no reply needed)" : ""
            lines.append("\(dates.absolute(m.at))  \(arrow) \(m.channel.rawValue)\(open)  \(m.subject ?? "")")
            for line in (m.body ?? "").split(separator: "\n", omittingEmptySubsequences: false) where m.body != nil {
                lines.append("    " + line)
            }
        }
        if thread.count > 50 { lines.append("(\(thread.count - 50) earlier messages not shown; --json prints all)") }
        for o in ctx.db.opportunities(of: r.id) {
            lines.append("")
            lines.append("Opportunity: \(o.role)\(o.employer.map { " at \($0)" } ?? "") — \(o.stage.rawValue)")
            for i in o.interviews { lines.append("  interview \(dates.absolute(i.at))\(i.interviewers.isEmpty ? "" : " with " + i.interviewers.joined(separator: ", "))") }
        }
        if !s.deadlines.isEmpty {
            lines.append("")
            // "Now" said with the rows: a relative time is only comparable with another
            // (the TUI's title, `due`) at the same now, and RAPPORT_NOW may fix it.
            let fixed = (global.environment["RAPPORT_NOW"] ?? "").isEmpty ? "" : ", RAPPORT_NOW"
            lines.append("Deadlines (as of \(dates.absolute(ctx.now))\(fixed)):")
            let zones = BothZones(candidate: ctx.timeZone)
            var t = Table(header: ["", "", "", "", ""])
            for d in s.deadlines.sorted(by: { a, b in
                let sa = sections.section(of: a), sb = sections.section(of: b)
                return sa != sb ? sa < sb : Rules.moreUrgent(a, b)
            }) {
                t.rows.append([DateText.relative(d.due, now: ctx.now), zones.both(d.due, zone: r.timeZone), d.kind.rawValue, d.title, d.shortID])
            }
            lines += t.render().split(separator: "\n").dropFirst().map { "  " + $0 }
        }
        say(lines.map { Text.visible($0) }.joined(separator: "\n"))
    }
}

struct DueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due", abstract: "What is due, in sections: Overdue, Today, This week, Later; by urgency within each.",
        discussion: """
        Each row shows its due time (and the recruiter's when their zone differs) and the id \
        that `rapport done`, `snooze` and `dismiss` take. --json prints a flat array in the \
        same order, each row with "section" and "overdue". --statusline prints one short \
        line for tmux or polybar, empty when nothing is due.
        """)

    @OptionGroup var global: GlobalOptions
    @Option(parsing: .unconditional, help: "How far ahead to look, like 7d or 36h (default 7d).") var within: String = "7d"
    @Flag(help: "Stable JSON for scripts.") var json = false
    @Flag(help: "One short line for a status bar.") var statusline = false

    func validate() throws {
        if json && statusline { throw ValidationError("--json and --statusline cannot be used together") }
    }

    func run() async throws {
        let horizon = try When.parseDuration(within)
        if statusline { return try runStatusLine() }
        let ctx = try Context(global, forReading: true)
        let statuses = ctx.statuses().statuses
        let all = Rules.deadlines(of: statuses, now: ctx.now, policy: ctx.policy)
        let shown = all.filter { $0.due <= ctx.now.addingTimeInterval(horizon) }
        let sections = Rules.Sections(now: ctx.now, policy: ctx.policy)
        if json {
            try printJSON(shown.map { DeadlineJSON($0, db: ctx.db, sections: sections) })
            return
        }
        if shown.isEmpty {
            say("Nothing due in the next \(within).")
            return
        }
        say(DueText.render(shown, db: ctx.db, now: ctx.now, timeZone: ctx.timeZone, sections: sections))
    }

    /// The status line from `status.cache` when it is valid for the store's files, the
    /// policy and now (no store load); otherwise computed from the store (the rules run
    /// only for recruiters `rules.cache` holds nothing valid for) and cached until the
    /// next moment a count can change (a status's or a deadline's next change, or midnight).
    func runStatusLine() throws {
        let policy = try global.policy()
        let key = StatusCache.policyKey(policy)
        let paths = try global.paths()
        // This device has changes no sync has published: a mark before the counts.
        let mark = { (line: String) in
            SyncEngine.hasUnsynced(paths) ? (line.isEmpty ? "\u{2191}" : "\u{2191} " + line) : line
        }
        if let line = StatusCache.read(paths, policyKey: key, now: try global.clock().now()) {
            say(mark(line))
            return
        }
        // Opened lazily: a recruiter whose findings rules.cache holds is never read.
        let ctx = try Context(global, forReading: true, lazy: true)
        let (counts, next) = ctx.counts(policyKey: key)
        let (line, endOfToday) = statusLine(ctx, counts: counts)
        say(mark(line))
        guard ctx.hasStore, let next else { return }
        let until = min(endOfToday, next)
        try ctx.store.writeStatusCache(line: line, policyKey: key, from: ctx.now, until: until)
    }

    /// `2 overdue · 1 at risk · 3 today` (empty when nothing is due), and the end of today:
    /// the counts of `Rules.counts`, the same as the interface's title bar.
    func statusLine(_ ctx: Context, counts c: Rules.Counts) -> (String, Date) {
        var parts: [String] = []
        if c.overdue > 0 { parts.append("\(c.overdue) overdue") }
        if c.atRisk > 0 { parts.append("\(c.atRisk) at risk") }
        if c.today > 0 { parts.append("\(c.today) today") }
        return (parts.joined(separator: " · "), Rules.Sections(now: ctx.now, policy: ctx.policy).endOfToday)
    }
}

/// The deadline list as text, in sections (Overdue · Today · This week · Later), one
/// aligned table: relative time, absolute time (the recruiter's too when it differs),
/// kind, recruiter, what, and the id `done`, `snooze` and `dismiss` take.
enum DueText {
    static func render(_ shown: [Deadline], db: Database, now: Date, timeZone: TimeZone, sections: Rules.Sections) -> String {
        let zones = BothZones(candidate: timeZone)
        var t = Table(header: ["WHEN", "DUE", "KIND", "RECRUITER", "WHAT", "ID"])
        for d in shown {
            let r = db.recruiters[d.recruiterID]
            let when = RelativeTime.due(d.due, now: now) + (d.snoozed ? " (snoozed)" : "")
            t.rows.append([when, zones.both(d.due, zone: r?.timeZone), d.kind.rawValue, r?.name ?? "", d.title, d.shortID])
        }
        let lines = t.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let inSection = shown.map { sections.section(of: $0) }
        var counts: [DeadlineSection: Int] = [:]
        for section in inSection { counts[section, default: 0] += 1 }
        var out: [String] = []
        var current: DeadlineSection?
        for (i, section) in inSection.enumerated() {
            if section != current {
                if current != nil { out.append("") }
                let n = counts[section] ?? 0
                out.append("\(section.title) (\(n))")
                if current == nil { out.append("  " + lines[0]) }
                current = section
            }
            out.append("  " + lines[i + 1])
        }
        return out.joined(separator: "\n")
    }
}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Fill the store with realistic sample data (deterministic per seed).")

    @OptionGroup var global: GlobalOptions
    @Option(parsing: .unconditional, help: "How many recruiters.") var recruiters: Int = 40
    @Option(parsing: .unconditional, help: "About how many messages in all.") var messages: Int = 240
    @Option(help: "The seed: the same seed gives the same data.") var seed: UInt64 = 1
    @Flag(help: "Add to a store that already has recruiters.") var force = false

    func validate() throws {
        guard (1...1_000_000).contains(recruiters) else { throw ValidationError("--recruiters must be between 1 and 1000000") }
        guard (0...10_000_000).contains(messages) else { throw ValidationError("--messages must be between 0 and 10000000") }
    }

    func run() async throws {
        let ctx = try Context(global)
        if !ctx.db.recruiters.isEmpty && !force {
            throw RapportError.usage("the store at \(ctx.paths.storeDirectory) already has \(ctx.db.recruiters.count) recruiters; use --force to add sample data anyway, or --store DIR for a fresh one")
        }
        let changes = Demo.changes(recruiters: recruiters, messages: messages, seed: seed, now: ctx.now)
        try ctx.apply("demo", "Demo data (\(recruiters) recruiters)") { _ in .batch(changes) }
        try ctx.store.compactAfterAcknowledged()
        say("Added \(recruiters) sample recruiters and \(ctx.db.messageCount) messages to \(ctx.paths.storeDirectory) · open it with `rapport`")
    }
}
