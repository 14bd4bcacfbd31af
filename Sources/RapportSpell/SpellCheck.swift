import Foundation
import RapportText

/// Spell checks text with hunspell or aspell through their ispell pipe protocol (`-a`):
/// each line is sent prefixed with `^` (so no line is taken as a command), and each word
/// comes back as `*` (correct), `& word count offset: suggestions` or `# word offset`
/// (misspelt), with an empty line after each input line.
///
/// Placeholders (`{role}`), URLs, email addresses, `ignoring` words (names) and the
/// `accepted` words (shipped tech words, the personal dictionary) are never reported. The environment (for PATH and dictionary paths) is a parameter.
public struct SpellChecker: Sendable {
    public struct Engine: Sendable, Equatable {
        public var name: String
        public var arguments: [String]
        public init(name: String, arguments: [String]) {
            self.name = name
            self.arguments = arguments
        }
    }

    public static let installHint = "spell check unavailable: install hunspell-en-us (apt-get install hunspell hunspell-en-us)"

    /// hunspell with the US English dictionary, then aspell with English.
    public static func defaultEngines(dictionary: String = "en_US") -> [Engine] {
        [Engine(name: "hunspell", arguments: ["-a", "-i", "utf-8", "-d", dictionary]),
         Engine(name: "aspell", arguments: ["-a", "--encoding=utf-8", "--lang=\(dictionary)"])]
    }

    public var engines: [Engine]
    public var environment: [String: String]
    /// Words accepted beyond the engine's dictionary (the shipped tech words and the
    /// personal dictionary), any case.
    public var accepted: WordList

    public init(environment: [String: String], engines: [Engine] = SpellChecker.defaultEngines(),
                accepted: WordList = WordList.standard(personal: [])) {
        self.environment = environment
        self.engines = engines
        self.accepted = accepted
    }

    /// The first engine that runs and has its dictionary; otherwise `.unavailable`.
    public func check(_ text: String, ignoring: Set<String> = []) -> SpellResult {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        let masked = lines.map(Self.mask)
        var reasons: [String] = []
        for engine in engines {
            guard let path = resolve(engine.name) else { continue }
            switch run(path: path, arguments: engine.arguments, lines: masked) {
            case .success(let output):
                let found = Self.parse(output, lines: masked)
                let ignore = Set(ignoring.map { $0.lowercased() })
                return .checked(engine: engine.name, misspellings: found.filter {
                    !ignore.contains($0.word.lowercased()) && !accepted.contains($0.word)
                })
            case .failure(let reason):
                reasons.append("\(engine.name): \(reason)")
            }
        }
        let detail = reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))"
        return .unavailable(Self.installHint + detail)
    }

    /// An absolute path, or the first executable `name` on the environment's PATH.
    func resolve(_ name: String) -> String? {
        let fm = FileManager.default
        if name.contains("/") { return fm.isExecutableFile(atPath: name) ? name : nil }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    enum RunResult {
        case success(String)
        case failure(String)
    }

    /// Runs the engine with the lines on standard input (a temporary file, so a large text
    /// cannot dead-lock the pipes) and returns its output.
    func run(path: String, arguments: [String], lines: [String]) -> RunResult {
        let fm = FileManager.default
        let tmp = URL(fileURLWithPath: environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp")
        let input = tmp.appendingPathComponent("rapport-spell-\(UUID().uuidString)")
        // stderr goes to a file too: reading two pipes one after the other can dead-lock
        // when the engine fills the one not being read.
        let errorFile = tmp.appendingPathComponent("rapport-spell-\(UUID().uuidString).err")
        defer {
            try? fm.removeItem(at: input)
            try? fm.removeItem(at: errorFile)
        }
        let body = lines.map { "^" + $0 + "\n" }.joined()
        do {
            try Data(body.utf8).write(to: input)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = arguments
            p.environment = environment
            let inHandle = try FileHandle(forReadingFrom: input)
            defer { try? inHandle.close() }
            guard fm.createFile(atPath: errorFile.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                return .failure("cannot create \(errorFile.path)")
            }
            let errHandle = try FileHandle(forWritingTo: errorFile)
            defer { try? errHandle.close() }
            let out = Pipe()
            p.standardInput = inHandle
            p.standardOutput = out
            p.standardError = errHandle
            try p.run()
            let o = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let e = (try? Data(contentsOf: errorFile)) ?? Data()
            let output = String(decoding: o, as: UTF8.self)
            let stderr = String(decoding: e, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            // Without its dictionary hunspell prints only to stderr; aspell exits non-zero.
            guard p.terminationStatus == 0, output.hasPrefix("@(#)") else {
                let first = stderr.split(separator: "\n").first.map(String.init) ?? "exit \(p.terminationStatus)"
                return .failure(first.isEmpty ? "no dictionary" : first)
            }
            return .success(output)
        } catch {
            return .failure("\(error)")
        }
    }

    /// Misspellings from ispell `-a` output for `lines` (one block per line, each ended by
    /// an empty line). Offsets count characters from the `^` prefix, so column = offset − 1.
    static func parse(_ output: String, lines: [String]) -> [Misspelling] {
        var out: [Misspelling] = []
        var rows = output.components(separatedBy: "\n")
        if rows.first?.hasPrefix("@(#)") == true { rows.removeFirst() }
        var line = 1
        for row in rows {
            if row.isEmpty { line += 1; continue }
            guard let kind = row.first, kind == "&" || kind == "#" else { continue }
            let head: Substring, tail: Substring
            if let colon = row.firstIndex(of: ":"), kind == "&" {
                head = row[..<colon]
                tail = row[row.index(after: colon)...]
            } else {
                head = Substring(row)
                tail = ""
            }
            let fields = head.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let word = String(fields[1])
            let offset = Int(fields.last!) ?? 1
            let suggestions = tail.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            out.append(Misspelling(word: word, line: line, column: max(offset - 1, 0), suggestions: suggestions))
        }
        return out
    }

    /// The line with placeholders, URLs and email addresses blanked out (same length in
    /// characters, so offsets still point into the original line).
    static func mask(_ line: String) -> String {
        var chars = Array(line)
        func blank(_ r: Range<Int>) { for i in r { chars[i] = " " } }
        // {placeholders}
        var i = 0
        while i < chars.count {
            if chars[i] == "{", let close = chars[i...].firstIndex(of: "}") {
                blank(i..<(close + 1))
                i = close + 1
            } else {
                i += 1
            }
        }
        // Whitespace-separated tokens that are URLs, emails or paths.
        var start = 0
        while start < chars.count {
            while start < chars.count, chars[start].isWhitespace { start += 1 }
            var end = start
            while end < chars.count, !chars[end].isWhitespace { end += 1 }
            if end > start {
                let token = String(chars[start..<end]).lowercased()
                if token.contains("://") || token.hasPrefix("www.") || token.contains("@") || token.contains("/") {
                    blank(start..<end)
                }
            }
            start = end
        }
        return String(chars)
    }
}
