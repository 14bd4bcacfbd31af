import ArgumentParser
import Foundation
import RapportCore
import RapportStore
import RapportText

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync this store with your other devices through git or a shared folder.",
        discussion: """
            Each device appends its changes to its own log (sync/<device>.jsonl); a sync \
            publishes this device's log, brings in the others' and merges them: each field \
            keeps the latest edit, and an edit that lost to a concurrent one is reported as a \
            conflict. Git runs with your own configuration and never prompts. With [sync] \
            recipients in config.toml (or RAPPORT_SYNC_RECIPIENTS) the logs are encrypted with \
            age before they leave this machine; [sync] identity (or RAPPORT_SYNC_IDENTITY) names \
            the age identity file that reads them. \
            See docs/sync.md.
            """,
        subcommands: [SyncRun.self, SyncInit.self, SyncStatus.self, SyncAck.self],
        defaultSubcommand: SyncRun.self)
}

/// Prints a sync's report: the summary line, then notes.
func printSyncReport(_ r: SyncReport) throws {
    for n in r.notes { FileHandle.standardError.write(Data("rapport: \(Text.visible(n))\n".utf8)) }
    say(Text.visible(r.summary))
    for c in r.conflicts {
        let value = c.loserValue.map { "'\($0)'" } ?? "(none)"
        switch c.kind {
        case .field:
            let whole = ["message", "opportunity", "follow-up", "expectation"].contains(c.what)
            let kept = whole ? "the later version" : c.winnerValue.map { "'\($0)'" } ?? "the later edit"
            say(Text.visible("  conflict: \(c.summary): kept \(kept) from \(r.name(of: c.winner.device)); \(value) from \(r.name(of: c.loser.device)) lost"))
        case .deleteKept:
            say(Text.visible("  conflict: \(c.name): deleted on \(r.name(of: c.loser.device)), edited later on \(r.name(of: c.winner.device)): kept"))
        case .editLost:
            say(Text.visible("  conflict: \(c.summary): edited on \(r.name(of: c.loser.device)) (\(value)), deleted later on \(r.name(of: c.winner.device)): deleted"))
        }
    }
    if let e = r.publishError { throw RapportError.failure("merged, but not published: \(e); run rapport sync again") }
}

struct SyncRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Publish this device's changes, bring in the others', merge (the default).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Sync through this folder (Syncthing, Dropbox, a USB stick) instead of git.") var folder: String?
    @Flag(help: "Also write a checkpoint of the merged state.") var checkpoint = false
    @Flag(inversion: .prefixedNo, help: "Stop publishing this device's operations that every device's checkpoint includes (the default; git history keeps them).") var prune = true

    func run() async throws {
        let ctx = try Context(global)
        let engine = SyncEngine(store: try ctx.store, environment: ProcessInfo.processInfo.environment, settings: ctx.config.sync)
        try printSyncReport(try engine.sync(folder: folder, checkpoint: checkpoint, prune: prune))
    }
}

struct SyncInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Set up sync with a git remote (any URL git takes) or --folder DIR.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The git remote: a path, file://, ssh or https URL of a private repository.") var remote: String?
    @Option(help: "Sync through this folder instead of git.") var folder: String?
    @Option(help: "This device's name in reports (default: the host name).") var name: String?

    func validate() throws {
        if remote != nil && folder != nil { throw ValidationError("give a git remote or --folder, not both") }
        if remote == nil && folder == nil { throw ValidationError("sync init needs a git remote or --folder DIR") }
        if let n = name, n.isEmpty || n.contains(where: { $0.isNewline || $0.isASCII && $0.asciiValue! < 0x20 }) {
            throw ValidationError("--name must be a short name on one line")
        }
    }

    func run() async throws {
        let ctx = try Context(global)
        let engine = SyncEngine(store: try ctx.store, environment: ProcessInfo.processInfo.environment, settings: ctx.config.sync)
        try printSyncReport(try engine.initialize(remote: remote, folder: folder, name: name))
    }
}

struct SyncStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "This device, the remote, the last sync, unsynced changes, open conflicts.",
        discussion: "Each open conflict: the recruiter, the field, both values, the devices and when a sync found it.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print the status as JSON (conflicts with both values, devices and times).") var json = false

    func run() async throws {
        let ctx = try Context(global, forReading: true)
        guard ctx.hasStore else {
            if json { try printJSON([String: String]()) } else { say("sync is not set up (rapport sync init REMOTE, or --folder DIR)") }
            return
        }
        let engine = SyncEngine(store: try ctx.store, environment: ProcessInfo.processInfo.environment, settings: ctx.config.sync)
        if json {
            if let s = try engine.statusData() { try printJSON(s) } else { try printJSON([String: String]()) }
            return
        }
        for line in try engine.status() { say(Text.visible(line)) }
    }
}

struct SyncAck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Mark the open conflicts of a recruiter (or --all) as read: they leave sync status and the TUI.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The recruiter (name, part of it, or id).") var recruiter: String?
    @Flag(help: "Every open conflict.") var all = false

    func validate() throws {
        if (recruiter == nil) == !all { throw ValidationError("name a recruiter, or give --all") }
    }

    func run() async throws {
        let ctx = try Context(global)
        let id: UUID?
        if let recruiter {
            let store = try ctx.store
            if let r = try? ctx.recruiter(recruiter) {
                id = r.id
            } else if let c = SyncEngine.summary(store.paths)?.conflicts.first(where: {
                $0.conflict.name.localizedCaseInsensitiveContains(recruiter) || $0.conflict.recruiter.uuidString.lowercased().hasPrefix(recruiter.lowercased())
            }) {
                // A recruiter deleted since (a delete that won) is found by its conflict.
                id = c.conflict.recruiter
            } else {
                _ = try ctx.recruiter(recruiter)
                id = nil
            }
        } else {
            id = nil
        }
        let n = try SyncEngine.acknowledge(ctx.paths, recruiter: id)
        say(n == 0 ? "no open conflicts there" : "\(n) conflict\(n == 1 ? "" : "s") acknowledged")
    }
}
