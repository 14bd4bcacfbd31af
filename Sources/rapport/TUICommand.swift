import ArgumentParser
import Foundation
import RapportCore
import RapportStore
import RapportApp
import RapportText

/// Opens the full-screen terminal interface (the default command).
struct TUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Open the full-screen terminal interface (the default)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Use colours: always, never or auto (auto honours NO_COLOR and the terminal; default: [ui] color in config.toml, else auto).", valueName: "WHEN"))
    var color: String?

    func run() async throws {
        if let color, ColorMode(rawValue: color) == nil {
            fail("rapport: --color must be always, never or auto (got '\(color)')", code: 2)
        }
        let env = global.environment
        // No terminal: say so before touching the store or ncurses (no escape bytes).
        if let problem = App.terminalProblem(environment: env) { fail(problem, code: 2) }
        let paths: AppPaths, clock: Clock, config: RapportConfig
        do {
            paths = try global.paths()
            clock = try global.clock()
            config = try global.config()
        } catch let e as RapportError {
            fail("rapport: \(e.description)", code: e.exitCode)
        }
        let mode = ColorMode(rawValue: color ?? config.ui.color.rawValue) ?? .auto
        let code = await MainActor.run {
            // The same policy as every other command (Context), so flags agree.
            App.run(paths: paths, clock: clock, policy: config.policy,
                    colorMode: mode, environment: env)
        }
        if code != 0 { throw ExitCode(code) }
    }

    private func fail(_ line: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((line + "\n").utf8))
        Foundation.exit(code)
    }
}
