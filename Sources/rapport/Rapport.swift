import ArgumentParser
import Foundation
import RapportCore
import RapportStore
import RapportText

/// `rapport` — keep recruiter relationships healthy.
struct Rapport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapport",
        abstract: "Keep your relationships with recruiters healthy: whose turn it is, what is overdue, who is at non-responsive risk.",
        subcommands: [
            TUICommand.self, AddCommand.self, LogCommand.self, ReplyCommand.self, DeclineCommand.self,
            InterviewCommand.self, FollowUpCommand.self, ExpectCommand.self, DoneCommand.self, SnoozeCommand.self,
            DismissCommand.self, StatusCommand.self,
            ListCommand.self, ShowCommand.self, DueCommand.self, WeekCommand.self, DemoCommand.self, CheckCommand.self, ImportCommand.self, ExportCommand.self,
            StatsCommand.self, TemplateCommand.self, SpellCommand.self, ChecklistCommand.self, ReferralCommand.self,
            UndoCommand.self, RedoCommand.self,
            IngestCommand.self, QueryCommand.self,
            EditCommand.self, RemoveCommand.self, ConfigCommand.self,
            SyncCommand.self,
        ],
        defaultSubcommand: TUICommand.self
    )

    /// `--store DIR` may come before the subcommand name (as `git -C` users expect);
    /// ArgumentParser wants it after, so it is moved there.
    static func mainWithStoreHoisting() async {
        var args = Array(CommandLine.arguments.dropFirst())
        args = hoistGlobalOptions(args)
        do {
            // The interface with only `--store` and `--color` (how it is opened nearly
            // always): parsed as the one command it is, without building the tree of every
            // subcommand first (a good part of an empty store's first frame).
            if isPlainTUI(args) {
                let tui = try TUICommand.parse(args.first == "tui" ? Array(args.dropFirst()) : args)
                try await tui.run()
                return
            }
            var command = try parseAsRoot(args)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withCode: report(error))
        }
    }

    /// One line on stderr; 2 for usage errors, 1 for anything else, 0 for --help.
    static func report(_ error: any Error) -> Int32 {
        if let e = error as? RapportError {
            FileHandle.standardError.write(Data("rapport: \(Text.visible(e.description))\n".utf8))
            return e.exitCode
        }
        if let e = error as? ExitCode { return e.rawValue }
        let code = exitCode(for: error)
        if code == .success {
            print(fullMessage(for: error))
            return 0
        }
        // One line: ArgumentParser puts the choices of a bad value on the following lines.
        let text = message(for: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        let line = text.hasPrefix("Error: ") ? String(text.dropFirst(7)) : text
        if code == .validationFailure {
            FileHandle.standardError.write(Data("rapport: \(Text.visible(line)) (see `rapport help`)\n".utf8))
            return 2
        }
        FileHandle.standardError.write(Data("rapport: \(Text.visible(line))\n".utf8))
        return code.rawValue == 0 ? 1 : code.rawValue
    }

    static func exit(withCode code: Int32) -> Never {
        Foundation.exit(code)
    }

    /// Whether `args` open the interface with nothing but `--store DIR` and `--color WHEN`
    /// (each as two words or with `=`), after an optional `tui`.
    static func isPlainTUI(_ args: [String]) -> Bool {
        var i = args.first == "tui" ? 1 : 0
        while i < args.count {
            let a = args[i]
            if a == "--store" || a == "--color", i + 1 < args.count, !args[i + 1].hasPrefix("-") {
                i += 2
            } else if a.hasPrefix("--store="), a.count > 8 {
                i += 1
            } else if a.hasPrefix("--color="), a.count > 8 {
                i += 1
            } else {
                return false
            }
        }
        return true
    }

    static func hoistGlobalOptions(_ args: [String]) -> [String] {
        var hoisted: [String] = []
        var rest: [String] = []
        var i = 0
        var seenSubcommand = false
        while i < args.count {
            let a = args[i]
            if !seenSubcommand, a == "--store" || a == "--color", i + 1 < args.count {
                hoisted += [a, args[i + 1]]
                i += 2
                continue
            }
            if !seenSubcommand, a.hasPrefix("--store=") || a.hasPrefix("--color=") {
                hoisted.append(a)
                i += 1
                continue
            }
            if !a.hasPrefix("-") { seenSubcommand = true }
            rest.append(a)
            i += 1
        }
        if hoisted.isEmpty { return args }
        // Every command (and every subcommand of a group such as `template`) takes the
        // global options, so they go last, after the full command path. Before a `--`
        // they stay options.
        if let dashes = rest.firstIndex(of: "--") {
            return Array(rest[..<dashes]) + hoisted + rest[dashes...]
        }
        return rest + hoisted
    }
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Store directory (default: $RAPPORT_STORE, else $XDG_DATA_HOME/rapport, else ~/.local/share/rapport).", valueName: "DIR"))
    var store: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    func paths() throws -> AppPaths { try AppPaths(storeOverride: store, environment: environment) }

    func clock() throws -> Clock { try Clock.from(environment: environment) }

    /// The settings: config.toml over the defaults, the environment on top
    /// (`RapportConfig.load`). A broken file is a usage error naming its line.
    func config() throws -> RapportConfig {
        try RapportConfig.load(try? UserConfig(environment: environment), environment: environment,
                               systemTimeZone: TimeZone.current.identifier)
    }

    /// The rules' numbers, the one place the CLI and the TUI get them: config.toml's
    /// `[policy]`; the time zone is `TZ` when it names a zone (`Europe/Berlin`,
    /// `:Europe/Berlin`), else config.toml's `timeZone`, else the system's zone.
    func policy() throws -> Policy { try config().policy }
}
