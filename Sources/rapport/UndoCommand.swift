import ArgumentParser
import Foundation
import RapportCore
import RapportStore

/// Finds an undo group by a unique prefix of its id (as `rapport undo --list` shows it).
private func findGroup(_ query: String, in store: Store) throws -> UndoGroup {
    let q = query.lowercased().trimmingCharacters(in: .whitespaces)
    guard q.count >= 4 else { throw RapportError.usage("ID '\(query)' is too short: give at least 4 characters of the id shown by `rapport undo --list`") }
    let matches = store.undoHistory.filter { $0.id.uuidString.lowercased().hasPrefix(q) }
    switch matches.count {
    case 1: return matches[0]
    case 0: throw RapportError.failure("no undo step has the id '\(query)' (see `rapport undo --list`; the last \(store.undoHistory.count) are kept)")
    default: throw RapportError.usage("'\(query)' matches \(matches.count) undo steps; give more of the id")
    }
}

struct UndoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Take back the latest change made by a rapport command or an import (a whole import is one step).",
        discussion: """
            Undo appends the inverse change to the journal; nothing is removed, and `rapport redo` \
            puts it back. Changes from mail ingest, sync, tools and the TUI (whose `u` takes back its own) are taken back only by id. An \
            undo that a later change depends on is refused, saying what changed and by whom.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "An undo step's id (or a unique prefix) from --list; default: the latest.") var id: String?
    @Flag(help: "List the recent undo steps (id, time, origin, what) instead.") var list = false

    func run() async throws {
        if list {
            let ctx = try Context(global, forReading: true)
            guard ctx.hasStore else { return say("Nothing to undo yet") }
            let store = try ctx.store
            let dates = DateText(timeZone: ctx.timeZone)
            var table = Table(header: ["ID", "WHEN", "ORIGIN", "WHAT", "STATE"])
            for g in store.undoSteps.reversed() {
                let state = g.undone ? "undone" : ""
                table.rows.append([shortID(g.id), dates.absolute(g.at), g.origin.description, g.label, state])
            }
            say(table.rows.isEmpty ? "Nothing to undo yet" : table.render())
            return
        }
        let ctx = try Context(global)
        let store = try ctx.store
        let applied: Applied
        if let id {
            applied = try store.undo(group: try findGroup(id, in: store).id, origin: .cli("undo"))
        } else {
            applied = try store.undoLatest(matching: \.isUndoableFromCLI, origin: .cli("undo"))
        }
        let label = store.undoHistory.last { $0.id == applied.group }?.label ?? "Undo"
        say("\(label) · rapport redo puts it back")
    }
}

struct RedoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redo", abstract: "Put back the change `rapport undo` took back last.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "An undone step's id (or a unique prefix) from `rapport undo --list`; default: the latest undone.") var id: String?

    func run() async throws {
        let ctx = try Context(global)
        let store = try ctx.store
        let applied: Applied
        if let id {
            applied = try store.redo(group: try findGroup(id, in: store).id, origin: .cli("redo"))
        } else {
            applied = try store.redoLatest(matching: \.isUndoableFromCLI, origin: .cli("redo"))
        }
        let label = store.undoHistory.last { $0.id == applied.group }?.label ?? "Redo"
        say(label)
    }
}
