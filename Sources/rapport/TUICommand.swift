import ArgumentParser
import Foundation
import RapportCore
import RapportStore

/// Opens the full-screen terminal interface (the default command).
struct TUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Open the full-screen terminal interface (the default)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Use colours: always, never or auto (auto honours NO_COLOR and the terminal).")
    var color: String = "auto"

    func run() async throws {
        FileHandle.standardError.write(Data("rapport: the terminal interface is not built yet\n".utf8))
        throw ExitCode(1)
    }
}
