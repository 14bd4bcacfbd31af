import Glibc
import Foundation
import RapportCore

/// Runs git and age: Debian's binaries, the user's own configuration, never a prompt
/// (`GIT_TERMINAL_PROMPT=0`, ssh in batch mode). Output goes to a temp file, so a chatty
/// command never blocks on a full pipe.
struct Tool {
    let sp: SyncPaths
    var environment: [String: String]

    struct Result {
        var status: Int32
        var output: String
        var ok: Bool { status == 0 }
        /// git's own error line (the `fatal:` or `error:` one, else the first), for a message.
        var lastLine: String {
            let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let line = lines.first { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") } ?? lines.first { $0.contains("rejected") } ?? lines.first
            return line ?? "exit status \(status)"
        }
    }

    init(_ sp: SyncPaths, environment: [String: String]) {
        self.sp = sp
        var env = environment
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_ASKPASS"] = env["GIT_ASKPASS"] ?? "/bin/false"
        env["SSH_ASKPASS_REQUIRE"] = "never"
        if env["GIT_SSH_COMMAND"] == nil { env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes" }
        env["LC_ALL"] = "C"
        env["GIT_MERGE_AUTOEDIT"] = "no"
        self.environment = env
    }

    static func find(_ name: String, _ env: [String: String]) -> String? {
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if access(p, X_OK) == 0 { return p }
        }
        return nil
    }

    func run(_ name: String, _ args: [String], in dir: String? = nil, input: String? = nil) throws -> Result {
        guard let exe = Tool.find(name, environment) else {
            throw RapportError.failure("\(name) is not installed (Debian: apt-get install \(name))")
        }
        let out = sp.store.path(".sync-output-\(getpid())")
        _ = FileManager.default.createFile(atPath: out, contents: nil, attributes: [.posixPermissions: 0o600])
        defer { unlink(out) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        defer { try? handle.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = environment
        if let dir { p.currentDirectoryURL = URL(fileURLWithPath: dir) }
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = input.map { FileHandle(forReadingAtPath: $0) ?? FileHandle.nullDevice } ?? FileHandle.nullDevice
        do { try p.run() } catch {
            throw RapportError.failure("cannot run \(exe): \(error.localizedDescription)")
        }
        if name == "git" { try? Sys.replaceFile(.system, sp.gitPID, Array("\(p.processIdentifier)\n".utf8)) }
        p.waitUntilExit()
        if name == "git" { unlink(sp.gitPID) }
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return Result(status: p.terminationStatus, output: text)
    }

    func git(_ args: String..., check: Bool = true) throws -> Result {
        let r = try run("git", args, in: sp.shared)
        if check && !r.ok {
            throw RapportError.failure("git \(args.first ?? "") in \(sp.shared) failed: \(r.lastLine)")
        }
        return r
    }
}

/// Encryption of what is shared with age: to the recipients in the config, read back
/// with this device's identity file.
public struct SyncCrypto: Sendable {
    public var recipients: [String]
    public var identity: String?

    public init(recipients: [String], identity: String?) {
        self.recipients = recipients
        self.identity = identity
    }

    /// `RAPPORT_SYNC_RECIPIENTS` (space or comma separated age recipients) and
    /// `RAPPORT_SYNC_IDENTITY` (an age identity file).
    public static func from(environment env: [String: String]) -> SyncCrypto? {
        let r = RapportConfig.SyncSettings.splitRecipients(env["RAPPORT_SYNC_RECIPIENTS"] ?? "")
        guard !r.isEmpty else { return nil }
        return SyncCrypto(recipients: r, identity: env["RAPPORT_SYNC_IDENTITY"].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// From the config's `[sync]` (which already has the variables on top); nil without
    /// recipients.
    public static func from(_ settings: RapportConfig.SyncSettings) -> SyncCrypto? {
        settings.recipients.isEmpty ? nil : SyncCrypto(recipients: settings.recipients, identity: settings.identity)
    }

    func encrypt(_ bytes: [UInt8], tool: Tool) throws -> [UInt8] {
        try withTemp(tool.sp, bytes) { plain, out in
            var args: [String] = []
            for r in recipients { args += ["-r", r] }
            let r = try tool.run("age", args + ["-o", out, plain])
            guard r.ok else { throw RapportError.failure("age could not encrypt: \(r.lastLine)") }
        }
    }

    func decrypt(_ bytes: [UInt8], file: String, tool: Tool) throws -> [UInt8] {
        guard let identity else {
            throw RapportError.failure("\(file) is encrypted: set [sync] identity in config.toml (or RAPPORT_SYNC_IDENTITY) to your age identity file to read it")
        }
        return try withTemp(tool.sp, bytes) { sealed, out in
            let r = try tool.run("age", ["-d", "-i", identity, "-o", out, sealed])
            guard r.ok else { throw RapportError.failure("\(file): age could not decrypt it (\(r.lastLine))") }
        }
    }

    private func withTemp(_ sp: SyncPaths, _ bytes: [UInt8], _ body: (String, String) throws -> Void) throws -> [UInt8] {
        let a = sp.store.path(".sync-in-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let b = a + ".out"
        defer { unlink(a); unlink(b) }
        try Sys.createFile(.system, a, bytes)
        try body(a, b)
        return try Sys.readFile(b) ?? []
    }
}
