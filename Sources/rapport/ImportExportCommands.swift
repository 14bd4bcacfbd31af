import ArgumentParser
import Foundation
import RapportApp
import RapportCore
import RapportInterchange
import RapportTUI
import RapportStore
import RapportText
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - import

/// `rapport import linkedin|vcard|csv|json` — take in history from other tools.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import recruiters and messages (LinkedIn export, vCard, Rapport CSV or JSON).",
        discussion: "Every import is one undoable step. --dry-run shows what would change and writes nothing.",
        subcommands: [ImportLinkedInCommand.self, ImportVCardCommand.self, ImportCSVCommand.self, ImportJSONCommand.self]
    )
}

/// Options every import takes.
struct ImportOptions: ParsableArguments {
    @ArgumentParser.Flag(name: .long, help: "Print what would change; write nothing.")
    var dryRun = false
}

struct ImportLinkedInCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linkedin",
        abstract: "Import a LinkedIn data export: the zip, the unzipped folder, messages.csv, Connections.csv or Invitations.csv.",
        discussion: """
            Conversations become threads with the other participant; an incoming invitation's \
            note is the first message of that person's thread. You are --me, else the name in \
            Profile.csv, else the one participant in every conversation (otherwise a terminal \
            asks, and without one the import exits 2 naming the candidates). In a terminal you \
            review the proposed recruiters in a list (a accept, r reject, A all, Enter commit, \
            q cancel); \
            without a terminal, --all or --only-recruiters decides (default: --only-recruiters); \
            --dry-run prints the review list. Threads whose last message is older than \
            --active-since (default: 30 days ago) come in settled: no deadlines, recruiter \
            dormant. Messages already imported are not added again.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ImportOptions

    @Argument(help: ArgumentHelp("The export zip, its folder, or one CSV file.", valueName: "PATH"))
    var path: String

    @Option(help: ArgumentHelp("Your name as LinkedIn shows it (default: Profile.csv, else the participant in every conversation).", valueName: "NAME"))
    var me: String?

    @Option(help: ArgumentHelp("Threads with no message since DATE come in settled (default: 30 days ago).", valueName: "DATE"))
    var activeSince: String?

    @ArgumentParser.Flag(help: "Import everyone you exchanged messages with, not only recruiters.")
    var all = false

    @ArgumentParser.Flag(help: "Import only the people with recruiter evidence (the default without a terminal).")
    var onlyRecruiters = false

    func run() async throws {
        try await reportingErrors {
            if all && onlyRecruiters { throw RapportError.usage("--all and --only-recruiters exclude each other") }
            let files = try LinkedInFiles.load(path: path)
            let ctx = try Context(global)
            let store = try ctx.store, now = ctx.now
            let progress = ImportProgress(label: "reading \(files.messagesName)", enabled: files.size > 1 << 20)
            let since = try activeSince.map { try ctx.past($0, option: "--active-since") }
            // A person can answer (stdin and stdout are a terminal) unless --all,
            // --only-recruiters or --dry-run already decided.
            let interactive = !all && !onlyRecruiters && !options.dryRun && App.hasTerminal(environment: global.environment)
            var plan: LinkedInPlan
            do {
                plan = try LinkedInImporter.plan(files, into: store.database, me: me, progress: progress.update)
            } catch let e as LinkedInMeUnknown {
                progress.finish()
                guard interactive, !e.candidates.isEmpty, let chosen = askWhoYouAre(e) else {
                    if interactive && !e.candidates.isEmpty {
                        say("cancelled, nothing written")
                        return
                    }
                    throw RapportError.usage(e.description)
                }
                plan = try LinkedInImporter.plan(files, into: store.database, me: chosen)
            }
            progress.finish()
            let selection: LinkedInSelection
            if all {
                selection = .all
            } else if onlyRecruiters {
                selection = .onlyRecruiters
            } else if interactive {
                let items = plan.review(now: now, activeSince: since)
                let review = ImportReview(source: "LinkedIn import", entries: items.map(ReviewEntry.init))
                let policy = ctx.policy, clock = ctx.clock, env = global.environment
                switch await MainActor.run(body: {
                    ReviewApp.run(review, policy: policy, clock: clock, colorMode: .auto, environment: env)
                }) {
                case .commit(let ids)?:
                    selection = .chosen(Set(ids))
                case .cancel?:
                    say("cancelled, nothing written")
                    return
                case nil:
                    note("no terminal to review in: importing only recruiters (--only-recruiters); --all takes everyone")
                    selection = .onlyRecruiters
                }
            } else {
                note("no terminal to review in: importing only recruiters (--only-recruiters); --all takes everyone")
                selection = .onlyRecruiters
            }
            var preview: [String] = []
            if options.dryRun {
                let items = plan.review(now: now, activeSince: since)
                if !items.isEmpty { preview.append("People in the LinkedIn export ([x]: would be imported):") }
                for item in items { preview.append("  " + Text.visible(item.line(checked: item.isTaken(by: selection)))) }
                try finish(plan.result(selecting: selection, in: store.database, now: now, activeSince: since),
                           store: store, source: "linkedin", dryRun: true, preview: preview)
                return
            }
            // The import is built on the store's data under its lock and written as one
            // undo group: `rapport undo` takes it back in one step.
            var planned: ImportResult?
            let label = "Import linkedin \((path as NSString).lastPathComponent)"
            try store.applyAcknowledged(origin: .importer("linkedin"), label: label) { db in
                let result = plan.result(selecting: selection, in: db, now: now, activeSince: since)
                planned = result
                return result.changes.isEmpty ? .batch([]) : result.change
            }
            if let planned { try finish(planned, store: store, source: "linkedin", dryRun: false, applied: true) }
        }
    }

    /// Who you are could not be told from the export: a numbered choice among the
    /// candidates on the terminal. Nil when the user cancels.
    private func askWhoYouAre(_ e: LinkedInMeUnknown) -> String? {
        let shown = Array(e.candidates.prefix(20))
        while true {
            var text = "\n\(Text.visible(e.file)): which of these participants is you?\n"
            for (i, name) in shown.enumerated() { text += "  \(i + 1). \(Text.visible(name))\n" }
            text += "Number (1-\(shown.count)), or q to cancel: "
            FileHandle.standardError.write(Data(text.utf8))
            guard let answer = readLine() else { return nil }
            let t = answer.trimmingCharacters(in: .whitespaces).lowercased()
            if t == "q" || t == "quit" { return nil }
            if let n = Int(t), shown.indices.contains(n - 1) { return shown[n - 1] }
            FileHandle.standardError.write(Data("? a number from 1 to \(shown.count), or q\n".utf8))
        }
    }
}

extension ReviewEntry {
    /// The importer's review item as the TUI's review list shows it.
    init(_ item: ImportReviewItem) {
        self.init(id: item.id, name: item.name, firm: item.firm, title: item.title, messageCount: item.messageCount,
                  lastContact: item.lastContact, evidence: item.evidence, against: item.against, proposed: item.proposed,
                  settled: item.settled, alreadyInRapport: item.alreadyInRapport, blocked: item.blocked)
    }
}

struct ImportVCardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vcard",
        abstract: "Import contacts from a vCard file (3.0 or 4.0) as recruiters."
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ImportOptions
    @Argument(help: ArgumentHelp("A .vcf file with one or more cards.", valueName: "FILE")) var file: String

    func run() async throws {
        try await importFile(file, source: "vcard", global: global, dryRun: options.dryRun) { data, db, now, _ in
            try InputLimits.checkContentLines(data, file: file)
            return VCardImporter.plan(TextRepair.decode(data), into: db, now: now)
        }
    }
}

struct ImportCSVCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv",
        abstract: "Import a CSV written by `rapport export csv` (recruiters, or messages with --messages)."
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ImportOptions
    @Argument(help: ArgumentHelp("The CSV file.", valueName: "FILE")) var file: String

    func run() async throws {
        try await importFile(file, source: "csv", global: global, dryRun: options.dryRun, checkingCSV: true) { data, db, now, name in
            try RapportCSV.plan(TextRepair.decode(data), into: db, now: now, file: name)
        }
    }
}

struct ImportJSONCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Import a file written by `rapport export json` (or a store.json): adds what is missing, by id."
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ImportOptions
    @Argument(help: ArgumentHelp("The JSON file.", valueName: "FILE")) var file: String

    func run() async throws {
        try await importFile(file, source: "json", global: global, dryRun: options.dryRun) { data, db, _, name in
            try RapportJSON.plan(data, into: db, file: name)
        }
    }
}

// MARK: - export

enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case json, csv, vcard, ics
}

/// `rapport export json|csv|vcard|ics` — give the data back in formats other tools read.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export as json (everything), csv (recruiters, or --messages), vcard (4.0) or ics (deadlines and interviews).",
        discussion: "Writes to stdout, or with -o FILE atomically to FILE (mode 0600)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("json, csv, vcard or ics.", valueName: "FORMAT"))
    var format: ExportFormat

    @ArgumentParser.Flag(help: "With csv: export messages instead of recruiters.")
    var messages = false

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to FILE (atomically, mode 0600) instead of stdout; - is stdout.", valueName: "FILE"))
    var output: String?

    func run() async throws {
        try await reportingErrors {
            if messages && format != .csv { throw RapportError.usage("--messages goes with `export csv` only") }
            let ctx = try Context(global, forReading: true)
            let db = ctx.db, now = ctx.now
            let data: Data
            switch format {
            case .json: data = try RapportJSON.export(db)
            case .csv: data = Data((messages ? RapportCSV.messages(db) : RapportCSV.recruiters(db, now: now, policy: ctx.policy)).utf8)
            case .vcard: data = Data(VCardWriter.write(db.recruitersByName).utf8)
            case .ics: data = Data(ICalendarWriter.write(db, now: now, policy: ctx.policy).utf8)
            }
            if let output, output != "-" {
                try AtomicFile.write(data, to: output, fileSystem: FileSystem.from(environment: global.environment))
            } else {
                FileHandle.standardOutput.write(data)
            }
        }
    }
}

// MARK: - shared

/// Runs `body`, turning library errors into `RapportError.failure` so the root command
/// reports them as one line on stderr with exit 1 (usage errors keep exit 2).
private func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let e as ExitCode {
        throw e
    } catch let e as RapportError {
        throw e
    } catch let e as InterchangeError {
        throw RapportError.failure(e.message)
    } catch {
        throw RapportError.failure(String(describing: error))
    }
}

private func note(_ s: String) {
    FileHandle.standardError.write(Data("rapport: \(Text.visible(s))\n".utf8))
}

private func readData(_ path: String, checkingCSV: Bool) throws -> Data {
    if path == "-" { return try InputLimits.readFile("/dev/stdin", displayName: "stdin", checkingCSV: checkingCSV) }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw RapportError.failure("\(path): no such file") }
    guard !isDir.boolValue else { throw RapportError.failure("\(path): is a folder, not a file") }
    return try InputLimits.readFile(path, checkingCSV: checkingCSV)
}

/// The shape of every single-file import: read FILE, open the store, plan, finish. The
/// plan is made under the store's lock, against its fresh data, and the whole import is
/// written as one undo group (`rapport undo` takes it back in one step).
private func importFile(
    _ file: String, source: String, global: GlobalOptions, dryRun: Bool, checkingCSV: Bool = false,
    plan: (_ data: Data, _ db: Database, _ now: Date, _ name: String) throws -> ImportResult
) async throws {
    try await reportingErrors {
        let data = try readData(file, checkingCSV: checkingCSV)
        let ctx = try Context(global)
        let name = (file as NSString).lastPathComponent
        if dryRun {
            try finish(try plan(data, ctx.db, ctx.now, name), store: try ctx.store, source: source, dryRun: true)
            return
        }
        var planned: ImportResult?
        try ctx.store.applyAcknowledged(origin: .importer(source), label: "Import \(source) \(name)") { db in
            let result = try plan(data, db, ctx.now, name)
            planned = result
            return result.changes.isEmpty ? .batch([]) : result.change
        }
        if let planned { try finish(planned, store: try ctx.store, source: source, dryRun: false, applied: true) }
    }
}

/// Prints the report (skipped rows and notes on stderr, the plan on stdout), applies the
/// batch unless this is a dry run, and ends with the summary line.
private func finish(_ result: ImportResult, store: Store, source: String, dryRun: Bool, preview: [String] = [],
                    applied: Bool = false) throws {
    let report = result.report
    for n in report.notes { note(n) }
    let shown = report.skipped.prefix(50)
    for s in shown { note("skipped \(Text.visible(s.description))") }
    if report.skipped.count > shown.count { note("… and \(report.skipped.count - shown.count) more skipped rows") }
    if dryRun {
        var lines: [String] = []
        for name in report.newRecruiters { lines.append("would add recruiter \(Text.visible(name))") }
        for name in report.updatedRecruiters { lines.append("would fill in recruiter \(Text.visible(name))") }
        lines += preview
        if !lines.isEmpty { say(lines.joined(separator: "\n")) }
        say("dry run, nothing written: \(report.summary)")
        return
    }
    if !applied, !result.changes.isEmpty {
        try store.applyAcknowledged(origin: .importer(source), label: "Import \(source)") { _ in result.change }
    }
    say("imported: \(report.summary)")
}

/// A percentage on stderr, redrawn in place, only on a terminal and for large inputs.
final class ImportProgress {
    private let label: String
    private let enabled: Bool
    private var lastPercent = -1

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let pct = min(100, done * 100 / total)
        guard pct != lastPercent else { return }
        lastPercent = pct
        let filled = pct / 5
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(pct)%".utf8))
    }

    func finish() {
        guard enabled, lastPercent >= 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
