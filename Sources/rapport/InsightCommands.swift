import ArgumentParser
import Foundation
import RapportCore
import RapportSpell
import RapportStore
import RapportText

// `rapport stats`, `template`, `spell`, `checklist`, `referral`: the non-TUI half of
// "replies worth sending, prep worth doing, and a picture of how you're doing".

private func hours(_ h: Double?) -> String {
    guard let h else { return "—" }
    return h >= 48 ? String(format: "%.1fd", h / 24) : String(format: "%.1fh", h)
}

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Reply times, ally scores, weekly activity and the opportunity funnel.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Stable JSON for scripts.") var json = false

    struct RecruiterJSON: Encodable {
        var id: String, name: String, them: ReplyTimes, you: ReplyTimes, outboundJudged: Int, silences: Int
        var silenceRate: Double?, lastContact: Date?, referrals: Int, stageReached: String?, allyScore: Int
        var allyParts: AllyScoreParts
    }
    struct StatsJSON: Encodable {
        var now: Date, normHours: [Double], you: ReplyTimes, monthly: [MonthlyReplies]
        var recruiters: [RecruiterJSON], weekly: [WeekActivity], funnel: [FunnelStep]
    }

    func run() async throws {
        let ctx = try Context(global, forReading: true)
        let s = Stats.compute(ctx.db, now: ctx.now, policy: ctx.policy)
        if json {
            try printJSON(StatsJSON(
                now: s.now, normHours: s.normHours, you: s.you, monthly: s.monthly,
                recruiters: s.recruiters.map {
                    RecruiterJSON(id: $0.id.uuidString.lowercased(), name: $0.name, them: $0.them, you: $0.you,
                                  outboundJudged: $0.outboundJudged, silences: $0.silences, silenceRate: $0.silenceRate,
                                  lastContact: $0.lastContact, referrals: $0.referrals, stageReached: $0.stageReached?.rawValue,
                                  allyScore: $0.allyScore, allyParts: $0.allyParts)
                },
                weekly: s.weekly, funnel: s.funnel))
            return
        }
        say(Self.text(s, timeZone: ctx.timeZone).map { Text.visible($0) }.joined(separator: "\n"))
    }

    static func text(_ s: Insight, timeZone: TimeZone) -> [String] {
        var lines: [String] = []
        let verdict = Insight.normVerdict(s.you.medianHours)
        lines.append("Your replies: median \(hours(s.you.medianHours)) over \(s.you.replies) (norm 24–48h): \(verdict)")
        let first = s.monthly.first?.month ?? "", last = s.monthly.last?.month ?? ""
        let spark = Sparkline.render(s.monthly.map(\.medianHours), lower: 0)
        lines.append("  per month \(first)…\(last)  \(spark)  (blank: no replies; taller: slower)")
        let dates = DateText(timeZone: timeZone)
        let from = s.weekly.first.map { String(dates.absolute($0.start).prefix(10)) } ?? ""
        lines.append("")
        lines.append("Weekly activity, \(s.weekly.count) weeks from \(from):")
        let top = Double(s.weekly.map { max($0.inbound, $0.outbound) }.max() ?? 0)
        lines.append("  in   " + Sparkline.render(s.weekly.map { Double($0.inbound) }, lower: 0, upper: top) + "  \(s.weekly.map(\.inbound).reduce(0, +))")
        lines.append("  out  " + Sparkline.render(s.weekly.map { Double($0.outbound) }, lower: 0, upper: top) + "  \(s.weekly.map(\.outbound).reduce(0, +))")
        lines.append("")
        lines.append("Funnel: " + s.funnel.map { "\($0.stage.rawValue) \($0.count)" }.joined(separator: " · "))
        lines.append("")
        if s.recruiters.isEmpty {
            lines.append("No recruiters yet.")
            return lines
        }
        var t = Table(header: ["NAME", "ALLY", "THEY REPLY", "YOU REPLY", "SILENT", "LAST CONTACT", "REFERRALS", "STAGE"])
        for r in s.recruiters {
            let silent = r.outboundJudged == 0 ? "—" : "\(r.silences)/\(r.outboundJudged)"
            t.rows.append([r.name, "\(r.allyScore)", hours(r.them.medianHours), hours(r.you.medianHours), silent,
                           r.lastContact.map(dates.absolute) ?? "—", "\(r.referrals)", r.stageReached?.rawValue ?? "—"])
        }
        lines += t.render().components(separatedBy: "\n")
        return lines
    }
}

struct TemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Reply templates: list them, or show one filled for a recruiter.",
        discussion: "Your own templates live in $XDG_CONFIG_HOME/rapport/templates/NAME.txt (else ~/.config/rapport/templates); a first line `Subject: …` is optional. They replace shipped templates of the same name.",
        subcommands: [TemplateList.self, TemplateShow.self])
}

struct TemplateList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the templates (shipped and yours).")

    /// Accepted like everywhere else; templates live in the config directory, not the store.
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let config = try UserConfig(environment: global.environment)
        let (templates, problems) = config.templates()
        for p in problems { FileHandle.standardError.write(Data("rapport: \(Text.visible(p))\n".utf8)) }
        var t = Table(header: ["NAME", "SOURCE", "PLACEHOLDERS"])
        for tpl in templates {
            let source: String
            if case .user(let path) = tpl.source { source = path } else { source = "shipped" }
            let names = Templates.placeholderNames(in: (tpl.subject ?? "") + "\n" + tpl.body)
            t.rows.append([tpl.name, source, names.map { "{\($0)}" }.joined(separator: " ")])
        }
        say(t.render())
    }
}

struct TemplateShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a template filled for a recruiter.",
        discussion: "Exits 1 (after printing) when a placeholder is unknown or has no data; those stay as {name}.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Template name (see `rapport template list`).") var name: String
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String?
    @Option(help: "Fills {reason}.") var reason: String?
    @Option(help: "Fills {months}.") var months: Int?
    @Option(parsing: .unconditional, help: "Fills {reengage}: when to get back in touch (in 3 months, 2027-01-15).") var reengage: String?
    @Option(name: .customLong("set"), help: ArgumentHelp("Fills any placeholder (repeatable).", valueName: "KEY=VALUE"))
    var sets: [String] = []

    func run() async throws {
        let env = global.environment
        let config = try UserConfig(environment: env)
        let (templates, problems) = config.templates()
        for p in problems { FileHandle.standardError.write(Data("rapport: \(Text.visible(p))\n".utf8)) }
        guard let template = templates.first(where: { $0.name == name }) else {
            throw RapportError.usage("no template named '\(name)' (have: \(templates.map(\.name).joined(separator: ", ")))")
        }
        var extra: [String: String] = [:]
        for s in sets {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                throw RapportError.usage("--set \(s): use KEY=VALUE, like --set reason=\"the role is on-site\"")
            }
            extra[String(s[..<eq])] = String(s[s.index(after: eq)...])
        }
        if let reason { extra["reason"] = reason }
        if let months {
            guard months > 0 else { throw RapportError.usage("--months must be a positive number of months") }
            extra["months"] = String(months)
        }
        let myName = try config.myName(environment: env)
        var values = extra
        var warning: String?
        if let recruiter {
            let ctx = try Context(global, forReading: true)
            let r = try ctx.recruiter(recruiter)
            let reengageAt = try reengage.map { try ctx.when($0, option: "--reengage") }
            values = Templates.values(for: r, in: ctx.db, now: ctx.now, myName: myName, reengage: reengageAt,
                                      timeZone: ctx.timeZone, extra: extra)
            warning = SendTime.check(r, now: ctx.now, policy: ctx.policy)?.warning(name: r.name, yourZone: ctx.timeZone)
        } else {
            if let myName { values["my_name"] = values["my_name"] ?? myName }
            if let reengage {
                let ctx = try Context(global, forReading: true)
                values["reengage"] = Templates.longDate(try ctx.when(reengage, option: "--reengage"), timeZone: ctx.timeZone)
            }
        }
        let filled = Templates.fill(template, values: values)
        if let subject = filled.subject { say("Subject: \(subject)\n") }
        say(filled.body)
        if let warning { FileHandle.standardError.write(Data("rapport: note: \(warning)\n".utf8)) }
        guard filled.isComplete else {
            for p in filled.problems { FileHandle.standardError.write(Data("rapport: \(name): \(p)\n".utf8)) }
            throw ExitCode(1)
        }
    }
}

struct SpellCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spell", abstract: "Spell check a draft with hunspell or aspell (English).",
        discussion: "Exits 1 when a word is misspelt, 0 when none is, and 0 with a note on stderr when no spell checker is installed. Placeholders, URLs and email addresses are skipped, and so are common tech words (Backend, Kubernetes …) and the words in your dictionary, $XDG_CONFIG_HOME/rapport/dictionary (one a line; --add WORD adds one).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The draft file, or - for standard input.") var file: String = "-"
    @Option(name: .customLong("ignore"), help: "A word (a name) never reported (repeatable).") var ignore: [String] = []
    @Option(name: .customLong("for"), help: "A recruiter: their name, firm, employer and interviewers, and yours, are never reported.")
    var recruiter: String?
    @Option(name: .customLong("add"), help: "Add a word to your dictionary and stop (repeatable).") var add: [String] = []

    func run() async throws {
        let userConfig = try UserConfig(environment: global.environment)
        if !add.isEmpty {
            for w in add {
                if let problem = PersonalDictionary.problem(with: w) {
                    throw RapportError.usage("--add '\(w)': \(problem)")
                }
            }
            for w in add {
                do {
                    let added = try PersonalDictionary.add(w, path: userConfig.dictionaryFile)
                    say(added ? "Added '\(w)' to \(userConfig.dictionaryFile)" : "'\(w)' is already in \(userConfig.dictionaryFile)")
                } catch let e as DictionaryError {
                    throw RapportError.failure(e.message)
                }
            }
            return
        }
        let text: String
        if file == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw RapportError.failure("cannot read \(file)")
            }
            text = String(decoding: data, as: UTF8.self)
        }
        var names = ignore
        if let recruiter {
            let ctx = try Context(global, forReading: true)
            let r = try ctx.recruiter(recruiter)
            let myName = try userConfig.myName(environment: global.environment)
            let v = Templates.values(for: r, in: ctx.db, now: ctx.now, myName: myName)
            names += ["name", "firm", "employer", "interviewers", "my_name"].compactMap { v[$0] }
        }
        let personal = PersonalDictionary.load(path: userConfig.dictionaryFile)
        let checker = SpellChecker(environment: global.environment, accepted: .standard(personal: personal))
        let ignoring = Set(names.flatMap { $0.split(whereSeparator: { !$0.isLetter && $0 != "'" }).map(String.init) })
        switch checker.check(text, ignoring: ignoring) {
        case .unavailable(let why):
            FileHandle.standardError.write(Data("rapport: \(why)\n".utf8))
        case .checked(_, let found):
            for m in found {
                let hint = m.suggestions.isEmpty ? "no suggestions" : m.suggestions.prefix(5).joined(separator: ", ")
                say(Text.visible("\(m.line):\(m.column + 1): \(m.word) → \(hint)"))
            }
            if !found.isEmpty { throw ExitCode(1) }
        }
    }
}

struct ChecklistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checklist", abstract: "Research before a call: tick items, set the agenda, see what is missing.",
        discussion: "Items: \(ChecklistItem.allCases.map { "\($0.rawValue) (\($0.label), per \($0.scope.rawValue))" }.joined(separator: "; ")). A call or interview within 24 hours with items missing raises the flag `unprepared`.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String
    @Option(help: "Tick an item (repeatable).") var done: [String] = []
    @Option(help: "Untick an item (repeatable).") var untick: [String] = []
    @Option(help: "What you mean to get across (strengths, results); an empty text clears it.") var agenda: String?
    @Option(help: "The opportunity (part of the role or employer, or an id prefix); default: the next interview's, else the latest.")
    var opportunity: String?

    func items(_ names: [String], option: String) throws -> [ChecklistItem] {
        try names.map { n in
            guard let item = ChecklistItem(rawValue: n.lowercased()) else {
                throw RapportError.usage("\(option) \(n): not a checklist item (use \(ChecklistItem.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return item
        }
    }

    func run() async throws {
        let tick = try items(done, option: "--done"), untick = try items(self.untick, option: "--untick")
        let ctx = try Context(global)
        let r = try ctx.recruiter(recruiter)
        let opportunities = ctx.db.opportunities(of: r.id)
        let calls = Preparation.upcomingCalls(recruiterID: r.id, opportunities: opportunities,
                                              expectations: ctx.db.expectations(of: r.id), now: ctx.now)
        let opp = try pickOpportunity(opportunities, calls: calls)
        let needsOpportunity = (tick + untick).contains { $0.scope == .opportunity } || (opportunity != nil && agenda != nil)
        if needsOpportunity, opp == nil {
            throw RapportError.usage("\(r.name) has no opportunity for company-site-read; add one (rapport interview …) or use --opportunity")
        }
        if !tick.isEmpty || !untick.isEmpty || agenda != nil {
            let onOpportunity = opportunity != nil
            try ctx.apply("checklist", "Checklist of \(r.name)") { db in
                try Workflows.checklist(recruiter: r.id, opportunity: opp?.id, tick: tick, untick: untick,
                                        agenda: agenda.map { .some($0) } ?? .none, agendaOnOpportunity: onOpportunity,
                                        in: db, now: ctx.now)
            }
        }
        let now = ctx.db.recruiters[r.id] ?? r
        let oppNow = opp.flatMap { ctx.db.opportunities[$0.id] } ?? opp
        say(render(now, opp: oppNow, calls: calls, ctx: ctx).map { Text.visible($0) }.joined(separator: "\n"))
    }

    func pickOpportunity(_ all: [Opportunity], calls: [Preparation.Call]) throws -> Opportunity? {
        if let q = opportunity?.lowercased() {
            let matches = all.filter {
                $0.id.uuidString.lowercased().hasPrefix(q) || $0.role.lowercased().contains(q)
                    || ($0.employer?.lowercased().contains(q) ?? false)
            }
            guard let one = matches.onlyElement else {
                throw RapportError.usage(matches.isEmpty ? "--opportunity \(q): no opportunity matches"
                    : "--opportunity \(q): matches \(matches.count) opportunities: \(matches.map(\.role).joined(separator: ", "))")
            }
            return one
        }
        if let id = calls.compactMap(\.opportunityID).first { return all.first { $0.id == id } }
        return Templates.latestOpportunity(all)
    }

    func render(_ r: Recruiter, opp: Opportunity?, calls: [Preparation.Call], ctx: Context) -> [String] {
        var lines: [String] = []
        let mine = DateText(timeZone: ctx.timeZone)
        func box(_ done: Bool) -> String { done ? "[x]" : "[ ]" }
        lines.append("Research for \(r.name)\(r.firm.map { " · \($0)" } ?? ""):")
        for item in ChecklistItem.items(for: .recruiter) { lines.append("  \(box(r.checklist.isDone(item))) \(item.rawValue)  (\(item.label))") }
        if let agenda = r.checklist.agenda { lines.append("  agenda: \(agenda)") }
        if let o = opp {
            lines.append("\(o.role)\(o.employer.map { " at \($0)" } ?? ""):")
            for item in ChecklistItem.items(for: .opportunity) { lines.append("  \(box(o.checklist.isDone(item))) \(item.rawValue)  (\(item.label))") }
            if let agenda = o.checklist.agenda { lines.append("  agenda: \(agenda)") }
        }
        if let next = calls.first {
            var when = mine.absolute(next.at) + " your time"
            if let zone = r.timeZone.flatMap(TimeZone.init(identifier:)), zone.identifier != ctx.timeZone.identifier {
                when += ", " + DateText(timeZone: zone).absolute(next.at) + " \(zone.identifier)"
            }
            lines.append("Next call: \(next.title), \(when) (\(DateText.relative(next.at, now: ctx.now).replacingOccurrences(of: "due ", with: "")))")
            let missing = Preparation.missing(for: next, recruiter: r, opportunities: ctx.db.opportunities(of: r.id))
            lines.append(missing.isEmpty ? "Ready." : "Still to do: " + missing.map(\.rawValue).joined(separator: ", "))
        }
        lines.append(turnLine(ctx, r.id))
        return lines
    }
}

struct ReferralCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referral", abstract: "Log a referral you gave a recruiter (it counts toward the ally score).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String
    @Option(help: "Who you referred.") var name: String
    @Option(help: "A note (the role, how you know them).") var note: String?
    @Option(parsing: .unconditional, help: "When (default now).") var at: String?

    func run() async throws {
        guard let who = name.nilIfBlank else { throw RapportError.usage("--name is empty") }
        let ctx = try Context(global)
        let r = try ctx.recruiter(recruiter)
        let time = try at.map { try ctx.when($0, option: "--at") } ?? ctx.now
        try ctx.apply("referral", "Referral of \(who) to \(r.name)") { db in
            try Workflows.referral(r.id, name: who, at: time, note: note, in: db)
        }
        let n = ctx.db.recruiters[r.id]?.referrals.count ?? 0
        say("Referral of \(who) to \(r.name) logged · \(n) referral\(n == 1 ? "" : "s") given")
    }
}
