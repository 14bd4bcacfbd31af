import ArgumentParser
import Foundation
import RapportCore
import RapportStore

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify the store (syntax, schema, journal, permissions) without changing anything.",
        discussion: """
            Exits 0 when the store is sound and 1 when a problem remains. With --repair, torn \
            journal tails are set aside, journal lines that cannot be applied are set aside (every \
            other line is kept), and a broken snapshot is rebuilt from store.json.bak plus the \
            journal; the damaged files and lines are kept beside it, never deleted.
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Repair what can be repaired (set aside torn tails and unappliable journal lines, rebuild from the backup).") var repair = false
    @Flag(help: "Then fold the journal into store.json (do this before editing store.json by hand).") var compact = false

    func run() async throws {
        let paths = try global.paths()
        let report = repair
            ? Store.repair(paths, clock: try global.clock(), fileSystem: FileSystem.from(environment: global.environment))
            : Store.check(paths)
        for line in report.lines { say(line) }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
        if compact {
            let store = try Store.open(paths, clock: try global.clock(), fileSystem: FileSystem.from(environment: global.environment))
            try store.close()
            say("\(paths.journal): folded into \(paths.snapshot); the journal is empty")
        }
    }
}
