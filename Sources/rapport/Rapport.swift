import ArgumentParser
import Foundation
import RapportCore
import RapportStore

/// `rapport` — keep recruiter relationships healthy.
struct Rapport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapport",
        abstract: "Keep your relationships with recruiters healthy: whose turn it is, what is overdue, who is at non-responsive risk.",
        subcommands: [TUICommand.self, ImportCommand.self, ExportCommand.self],
        defaultSubcommand: TUICommand.self
    )

    /// `--store DIR` may come before the subcommand name (as `git -C` users expect);
    /// ArgumentParser wants it after, so it is moved there.
    static func mainWithStoreHoisting() async {
        var args = Array(CommandLine.arguments.dropFirst())
        args = hoistGlobalOptions(args)
        await main(args)
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
        if rest.first.map({ !$0.hasPrefix("-") }) == true {
            return [rest[0]] + hoisted + rest.dropFirst()
        }
        return hoisted + rest
    }
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Store directory (default: $RAPPORT_STORE, else $XDG_DATA_HOME/rapport, else ~/.local/share/rapport).", valueName: "DIR"))
    var store: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    func paths() throws -> AppPaths { try AppPaths(storeOverride: store, environment: environment) }

    func clock() throws -> Clock { try Clock.from(environment: environment) }
}
