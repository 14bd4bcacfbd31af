import Foundation
import RapportTestSupport

/// Runs the real `rapport` binary (built next to the test bundle) against a private store.
struct CLI {
    let store: String
    var now = "2026-11-20T15:00:00Z"  // a Friday
    var timeZone = "UTC"

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    init() throws {
        store = FileManager.default.temporaryDirectory
            .appendingPathComponent("rapport-cli-\(UUID().uuidString)").path
    }

    static var binary: String { BuiltBinary.path }

    @discardableResult
    func run(_ args: [String], stdin: String? = nil, env extra: [String: String] = [:], cwd: String? = nil,
             executable: String = CLI.binary) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env["RAPPORT_STORE"] = store
        env["RAPPORT_NOW"] = now
        env["TZ"] = timeZone
        env["NO_COLOR"] = "1"
        // Never the real user's config.toml, templates or dictionary.
        env["XDG_CONFIG_HOME"] = store + "-config"
        for (k, v) in extra { env[k] = v }
        let r = try BuiltBinary.run(args, environment: env, stdin: stdin, cwd: cwd, executable: executable)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// Runs and requires success.
    @discardableResult
    func ok(_ args: String..., stdin: String? = nil) throws -> String {
        let r = try run(args, stdin: stdin)
        guard r.status == 0 else {
            throw Failure("rapport \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)")
        }
        return r.stdout
    }

    func json(_ args: String...) throws -> Any {
        let out = try run(args)
        guard out.status == 0 else { throw Failure("exit \(out.status): \(out.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(out.stdout.utf8))
    }

    func snapshotBytes() -> Data? { FileManager.default.contents(atPath: store + "/store.json") }
    func journalBytes() -> Data? { FileManager.default.contents(atPath: store + "/journal.jsonl") }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
