import Foundation

/// The built `rapport` executable, for the tests that run it: found next to the test
/// bundle (.build/<config>/rapport), else in .build/debug of this checkout. The one place
/// the test targets locate and run it.
public enum BuiltBinary {
    public static var path: String {
        var dirs = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(), Bundle.main.bundleURL]
        dirs.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug"))
        for d in dirs {
            var dir = d
            for _ in 0..<4 {
                let candidate = dir.appendingPathComponent("rapport").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        return dirs[2].appendingPathComponent("rapport").path
    }

    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs it with exactly `environment`, `stdin` written to its input (then closed), in `cwd`.
    /// `executable` runs another program the same way (e.g. `script` around the binary).
    public static func run(_ args: [String], environment: [String: String], stdin: String? = nil,
                           cwd: String? = nil, executable: String? = nil) throws -> Output {
        let p = Process()
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        p.executableURL = URL(fileURLWithPath: executable ?? path)
        p.arguments = args
        p.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }
}
