import ArgumentParser
import Foundation
import RapportCore
import RapportStore

/// Reads a text option; `-` means standard input (for mail filters).
private func text(_ value: String?) -> String? {
    guard let value else { return nil }
    if value == "-" {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return value
}

struct AddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a recruiter.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The recruiter's name.") var name: String
    @Option(help: "Firm or company.") var firm: String?
    @Option(help: "Email address.") var email: String?
    @Option(help: "Phone number.") var phone: String?
    @Option(help: "LinkedIn profile URL.") var linkedin: String?
    @Option(help: "IANA time zone, e.g. Europe/Berlin.") var timezone: String?
    @Option(name: .customLong("tag"), help: "A tag (repeatable).") var tags: [String] = []
    @Option(help: "agency, in-house or independent.") var kind: RecruiterKind = .agency
    @Flag(help: "A mass mailer: never raises risk flags, sorts low.") var blanket = false
    @Flag(help: "Add even when a recruiter with this name exists.") var force = false

    func run() async throws {
        if let p = Workflows.timeZoneProblem(timezone) { throw RapportError.usage("--timezone: \(p)") }
        let new = newRecruiter
        // Checked before the store is opened: bad input creates nothing.
        _ = try Workflows.add(new, now: Date())
        let ctx = try Context(global)
        let force = force, name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        // Decided under the lock, against the store's current names.
        let applied = try ctx.apply("add", "Add \(new.name)") { db in
            let existing = sameName(name, in: db)
            if !existing.isEmpty, !force {
                throw RapportError.usage("'\(name)' exists: \(describe(existing)); use `rapport edit` to change it, or --force to add another")
            }
            return try Workflows.add(new, now: ctx.now)
        }
        guard case .putRecruiter(let r) = applied.change else { return }
        let firmText = r.firm.map { " (\($0))" } ?? ""
        say("Added \(r.name)\(firmText) · id \(shortID(r.id))")
    }

    /// What was typed, as the add workflow takes it.
    var newRecruiter: Workflows.NewRecruiter {
        Workflows.NewRecruiter(name: name, firm: firm, kind: kind, targeting: blanket ? .blanket : .targeted,
                               emails: email.map { [$0] } ?? [], phone: phone, linkedin: linkedin,
                               timeZone: timezone, tags: tags)
    }
}

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Log a message to or from a recruiter.",
        discussion: "Use --body - to read the body from standard input (e.g. from a mail filter).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String
    @Flag(name: .customLong("in"), help: "The recruiter wrote to you.") var inbound = false
    @Flag(name: .customLong("out"), help: "You wrote to the recruiter.") var outbound = false
    @Option(help: "email, linkedin, phone, text or other.") var channel: Channel = .email
    @Option(parsing: .unconditional, help: "When (default now): ISO 8601, today, -2h, tuesday 13:00 …") var at: String?
    @Option(help: "Subject line.") var subject: String?
    @Option(help: "Message text, or - to read standard input.") var body: String?
    @Flag(name: .customLong("no-reply-needed"), help: "An inbound message that needs no answer.") var noReplyNeeded = false

    func validate() throws {
        if inbound == outbound { throw ValidationError("give exactly one of --in or --out") }
        if outbound && noReplyNeeded { throw ValidationError("--no-reply-needed goes with --in") }
    }

    func run() async throws {
        let ctx = try Context(global, lazy: true)
        let r = try ctx.recruiter(recruiter)
        let time = try at.map { try ctx.past($0, option: "--at") } ?? ctx.now
        let bodyText = text(body)
        try ctx.apply("log", inbound ? "Log message from \(r.name)" : "Log message to \(r.name)") { db in
            try Workflows.log(r.id, in: db, direction: inbound ? .inbound : .outbound, channel: channel, at: time,
                              subject: subject?.nilIfBlank, body: bodyText?.nilIfBlank, noReplyNeeded: noReplyNeeded)
        }
        let what = inbound ? "Message from \(r.name)" : "Message to \(r.name)"
        say("\(what) logged (\(channel.rawValue), \(DateText(timeZone: ctx.timeZone).absolute(time))) · \(turnLine(ctx, r.id))")
    }
}

/// "your turn: reply overdue 1d" / "their turn" / "nothing open", after a change.
func turnLine(_ ctx: Context, _ id: UUID) -> String {
    let s = ctx.status(id)
    let flags = s.flags.isEmpty ? "" : " [\(s.flags.map(\.rawValue).joined(separator: ", "))]"
    switch s.turn {
    case .mine: return "your turn\(flags)"
    case .theirs: return "their turn\(flags)"
    case .none: return "nothing open\(flags)"
    }
}

struct ReplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reply", abstract: "Mark a reply sent: logs an outbound message, which closes the open ones.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String
    @Option(help: "Channel (default: the channel of their last message).") var channel: Channel?
    @Option(parsing: .unconditional, help: "When (default now).") var at: String?
    @Option(help: "What you wrote, or - to read standard input.") var body: String?

    func run() async throws {
        let ctx = try Context(global, lazy: true)
        let r = try ctx.recruiter(recruiter)
        let time = try at.map { try ctx.past($0, option: "--at") } ?? ctx.now
        let bodyText = text(body)?.nilIfBlank
        let applied = try ctx.apply("reply", "Reply to \(r.name)") { db in
            Workflows.reply(recruiter: r, in: db, now: time, channel: channel, body: bodyText)
        }
        guard case .putMessage(let m) = applied.change else { return }
        say("Reply to \(r.name) logged (\(m.channel.rawValue)) · \(turnLine(ctx, r.id))")
    }
}

struct DeclineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decline",
        abstract: "Send a courtesy decline instead of silence: logs the outbound, status becomes declined.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String
    @Option(help: "Why (kept in the logged message).") var reason: String?
    @Option(parsing: .unconditional, help: "When to get back in touch (adds a follow-up).") var reengage: String?

    func run() async throws {
        let ctx = try Context(global)
        let r = try ctx.recruiter(recruiter)
        let reengageAt = try reengage.map { try ctx.when($0, option: "--reengage") }
        if let d = reengageAt, let problem = Workflows.reengageProblem(d, now: ctx.now) {
            throw RapportError.usage("--reengage \(reengage ?? "") \(problem)")
        }
        try ctx.apply("decline", "Decline \(r.name)") { db in
            Workflows.decline(recruiter: r, in: db, now: ctx.now, reason: reason, reengage: reengageAt)
        }
        let again = reengageAt.map { " · re-engage \(DateText(timeZone: ctx.timeZone).absolute($0))" } ?? ""
        say("Courtesy decline to \(r.name) logged · status declined\(again)")
    }
}

struct InterviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interview", abstract: "Log an interview; the thank-you note falls due after it.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String
    @Option(parsing: .unconditional, help: "When the interview starts.") var at: String
    @Option(help: "The role.") var role: String?
    @Option(help: "The employer (may be unknown for agency roles).") var employer: String?
    @Option(name: .customLong("with"), help: "Interviewers, comma-separated.") var with: String?
    @Option(parsing: .unconditional, help: "Length in minutes.") var minutes: Int = 60

    func run() async throws {
        guard minutes > 0 && minutes <= 24 * 60 else { throw RapportError.usage("--minutes must be between 1 and 1440") }
        let ctx = try Context(global)
        let r = try ctx.recruiter(recruiter)
        let time = try ctx.when(at, option: "--at")
        let applied = try ctx.apply("interview", "Interview with \(r.name)") { db in
            try Workflows.interview(recruiter: r, in: db, at: time, minutes: minutes, role: role,
                                    employer: employer, interviewers: Workflows.names(with ?? ""))
        }
        guard case .putOpportunity(let opp) = applied.change else { return }
        let at = DateText(timeZone: ctx.timeZone).absolute(time)
        say("Interview with \(r.name) logged for \(at) (\(opp.role)\(opp.employer.map { " at \($0)" } ?? "")) · a thank-you falls due after it")
    }
}

struct FollowUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow-up", abstract: "Schedule something you owe a recruiter.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String
    @Option(parsing: .unconditional, help: "When it is due.") var due: String
    @Option(help: "What to do.") var note: String?

    func run() async throws {
        let ctx = try Context(global)
        let r = try ctx.recruiter(recruiter)
        let d = try ctx.when(due, option: "--due")
        let applied = try ctx.apply("follow-up", "Follow-up with \(r.name)") { _ in Workflows.followUp(r.id, due: d, note: note) }
        say("Follow-up with \(r.name) due \(DateText(timeZone: ctx.timeZone).absolute(d)) · id \(shortID(applied.change.recordID))")
    }
}

struct ExpectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expect", abstract: "Note something the recruiter promised (\"I'll call Tuesday at 1pm\").")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String
    @Option(parsing: .unconditional, help: "By when they said they would.") var by: String
    @Option(help: "What they promised.") var note: String?

    func run() async throws {
        let ctx = try Context(global)
        let r = try ctx.recruiter(recruiter)
        let d = try ctx.when(by, option: "--by")
        let applied = try ctx.apply("expect", "Expect \(r.name)") { _ in Workflows.expect(r.id, by: d, note: note) }
        say("Expecting \(r.name) by \(DateText(timeZone: ctx.timeZone).absolute(d)) · id \(shortID(applied.change.recordID))")
    }
}

/// Finds a follow-up, an inbound message or an expectation by id or unique id prefix.
enum ItemLookup {
    enum Item {
        case followUp(FollowUp), message(Message), expectation(Expectation)

        var id: UUID {
            switch self {
            case .followUp(let f): return f.id
            case .message(let m): return m.id
            case .expectation(let e): return e.id
            }
        }

        var recruiterID: UUID {
            switch self {
            case .followUp(let f): return f.recruiterID
            case .message(let m): return m.recruiterID
            case .expectation(let e): return e.recruiterID
            }
        }
    }

    static func find(_ query: String, in db: Database) throws -> Item {
        let q = query.lowercased().trimmingCharacters(in: .whitespaces)
        guard q.count >= 4 else { throw RapportError.usage("ID '\(query)' is too short: give at least 4 characters of the id shown by `rapport due`") }
        var found: [Item] = []
        // Compared as id ranges: no id is formatted, and the messages come from the id index.
        if UUIDPrefixRange(q) != nil {
            let records = db.records(withIDPrefix: q)
            found += records.followUps.map(Item.followUp)
            found += records.expectations.map(Item.expectation)
            found += db.messages(withIDPrefix: q).map(Item.message)
        }
        switch found.count {
        case 1: return found[0]
        case 0: throw RapportError.failure("nothing has the id '\(query)' (see `rapport due`)")
        default: throw RapportError.usage("'\(query)' matches \(found.count) items; give more of the id")
        }
    }
}

extension String {
    var nilIfBlank: String? {
        let t = trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }
}

extension Change {
    /// The id of the one record a put creates (for "· id 1a2b3c4d" after a command).
    var recordID: UUID {
        switch self {
        case .putRecruiter(let r): return r.id
        case .putMessage(let m): return m.id
        case .putOpportunity(let o): return o.id
        case .putFollowUp(let f): return f.id
        case .putExpectation(let e): return e.id
        default: return UUID()
        }
    }
}
