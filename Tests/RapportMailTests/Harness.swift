import Foundation
import RapportCore
import RapportInterchange

/// Runs the built `rapport` and other programs against a private store and folder.
struct Sandbox {
    let root: URL
    var store: String { root.appendingPathComponent("store").path }
    var now = "2026-11-25T12:00:00Z"

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    static var rapport: String? {
        var dirs: [URL] = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(), Bundle.main.bundleURL]
        dirs.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug"))
        for d in dirs {
            for candidate in [d, d.deletingLastPathComponent()] {
                let u = candidate.appendingPathComponent("rapport")
                if FileManager.default.isExecutableFile(atPath: u.path) { return u.path }
            }
        }
        return nil
    }

    /// The folder the `rapport` binary is in (for PATH in hooks and recipes).
    static var binDir: String { ((rapport ?? "/nonexistent/rapport") as NSString).deletingLastPathComponent }

    /// The full path of a program on PATH, or nil when it is not installed.
    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/bin", "/usr/sbin", "/bin"] {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    var environment: [String: String] {
        [
            "RAPPORT_STORE": store, "RAPPORT_NOW": now, "TZ": "UTC", "HOME": root.path, "LANG": "C.UTF-8",
            "XDG_CONFIG_HOME": root.appendingPathComponent("config").path,
            "PATH": Sandbox.binDir + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        ]
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    func run(_ exe: String, _ args: [String], input: Data? = nil, env extra: [String: String] = [:], cwd: String? = nil) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = environment.merging(extra) { $1 }
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        // Write and read on other threads so a large input or output cannot dead-lock.
        let writer = Thread {
            if let input { inp.fileHandleForWriting.write(input) }
            try? inp.fileHandleForWriting.close()
        }
        writer.start()
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let errDone = DispatchSemaphore(value: 0)
        Thread { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); errDone.signal() }.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        errDone.wait()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    @discardableResult
    func rapport(_ args: [String], input: String? = nil, env: [String: String] = [:]) throws -> Output {
        guard let exe = Sandbox.rapport else { throw SandboxError("rapport binary not found next to the tests") }
        return try run(exe, args, input: input.map { Data($0.utf8) }, env: env)
    }

    /// The store as the JSON export shows it.
    func document() throws -> RapportDocument {
        let out = try rapport(["export", "json"])
        guard out.status == 0 else { throw SandboxError("export failed: \(out.stderr)") }
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return try d.decode(RapportDocument.self, from: Data(out.stdout.utf8))
    }

    func write(_ text: String, to name: String, mode: Int = 0o644) throws -> String {
        let u = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: u)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: u.path)
        return u.path
    }

    func makeMaildir(_ name: String) throws -> String {
        let base = root.appendingPathComponent(name)
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(at: base.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        return base.path
    }

    func files(in dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// The store's data files (snapshot and journal), for "nothing was written".
    func storeBytes() -> Data {
        var out = Data()
        for name in ["store.json", "journal.jsonl"] {
            out += Data(name.utf8) + ((try? Data(contentsOf: URL(fileURLWithPath: store + "/" + name))) ?? Data())
        }
        return out
    }

    func cleanUp() { try? FileManager.default.removeItem(at: root) }
}

struct SandboxError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
