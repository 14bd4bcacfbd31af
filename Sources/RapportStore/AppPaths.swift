import Foundation
import RapportCore

/// Where Rapport keeps its data. One place decides, from arguments and an environment
/// passed in (never read globally), so tests need no global state.
///
/// Order: `--store DIR`, else `RAPPORT_STORE`, else `$XDG_DATA_HOME/rapport` (absolute
/// values only, per the XDG spec), else `~/.local/share/rapport`.
public struct AppPaths: Sendable, Equatable {
    public var storeDirectory: String

    public init(storeDirectory: String) { self.storeDirectory = storeDirectory }

    public init(storeOverride: String?, environment: [String: String]) throws {
        if let s = storeOverride, !s.isEmpty {
            storeDirectory = AppPaths.absolute(s, environment: environment)
        } else if let s = environment["RAPPORT_STORE"], !s.isEmpty {
            storeDirectory = AppPaths.absolute(s, environment: environment)
        } else if let x = environment["XDG_DATA_HOME"], x.hasPrefix("/") {
            storeDirectory = (x as NSString).appendingPathComponent("rapport")
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            storeDirectory = (home as NSString).appendingPathComponent(".local/share/rapport")
        } else {
            throw RapportError.usage("cannot find the store: set HOME, XDG_DATA_HOME or RAPPORT_STORE, or pass --store DIR")
        }
    }

    public var snapshot: String { path("store.json") }
    public var backup: String { path("store.json.bak") }
    public var journal: String { path("journal.jsonl") }
    public var lock: String { path("store.lock") }
    /// The undo history kept beside the snapshot (the last 100 groups), rewritten at each compaction.
    public var undo: String { path("undo.jsonl") }

    public func path(_ name: String) -> String { (storeDirectory as NSString).appendingPathComponent(name) }

    static func absolute(_ p: String, environment: [String: String]) -> String {
        var p = p
        if p == "~" || p.hasPrefix("~/"), let home = environment["HOME"] {
            p = home + p.dropFirst()
        }
        if p.hasPrefix("/") { return (p as NSString).standardizingPath }
        // The process's real working directory: $PWD is kept current only by shells, and a
        // parent that changed directory (make -C, subprocess with cwd=) passes a stale one.
        let cwd = FileManager.default.currentDirectoryPath
        return ((cwd as NSString).appendingPathComponent(p) as NSString).standardizingPath
    }
}
