import Foundation

/// Words the spell check accepts beyond the engine's dictionary: a shipped list of common
/// technical words and the user's personal dictionary (`$XDG_CONFIG_HOME/rapport/dictionary`,
/// one word a line; `#` starts a comment). Matching ignores case.
public struct WordList: Sendable, Equatable {
    public private(set) var words: Set<String>

    public init<S: Sequence>(_ words: S) where S.Element == String {
        self.words = Set(words.map { $0.lowercased() })
    }

    public func contains(_ word: String) -> Bool { words.contains(word.lowercased()) }

    /// The shipped technical words plus the personal dictionary's.
    public static func standard(personal: [String]) -> WordList {
        WordList(techWords + personal)
    }

    /// Common words of the trade that English dictionaries flag.
    public static let techWords: [String] = [
        "backend", "backends", "frontend", "frontends", "fullstack", "devops", "devsecops", "sre", "sres",
        "kubernetes", "k8s", "kubectl", "helm", "docker", "dockerfile", "containerd", "istio", "terraform",
        "ansible", "pulumi", "jenkins", "gitlab", "github", "bitbucket", "jira", "confluence", "slack",
        "aws", "gcp", "azure", "ec2", "s3", "lambda", "serverless", "cloudformation", "eks", "gke", "aks",
        "postgres", "postgresql", "mysql", "mongodb", "redis", "kafka", "rabbitmq", "elasticsearch", "opensearch",
        "snowflake", "databricks", "bigquery", "dbt", "airflow", "spark", "hadoop", "etl", "elt",
        "javascript", "typescript", "nodejs", "react", "vue", "angular", "svelte", "nextjs",
        "golang", "rust", "kotlin", "swift", "swiftui", "scala", "elixir", "haskell", "clojure", "erlang",
        "django", "flask", "fastapi", "rails", "laravel", "springboot", "dotnet", "graphql", "grpc", "protobuf",
        "api", "apis", "sdk", "sdks", "cli", "ui", "ux", "saas", "paas", "iaas", "fintech", "insurtech",
        "healthtech", "edtech", "proptech", "b2b", "b2c", "ml", "ai", "llm", "llms", "mlops", "nlp", "pytorch",
        "tensorflow", "numpy", "pandas", "scikit", "jupyter", "cto", "vp", "ic", "okr", "okrs", "kpi", "kpis",
        "onboarding", "offboarding", "microservice", "microservices", "monorepo", "monorepos", "codebase",
        "codebases", "observability", "prometheus", "grafana", "datadog", "splunk", "opentelemetry",
        "linux", "unix", "macos", "ios", "android", "webassembly", "wasm", "oauth", "saml", "sso", "ci", "cd",
        "nginx", "ssl", "tls", "http", "https", "json", "yaml", "toml", "csv",
        "startup", "startups", "scaleup", "scaleups", "remote-first", "hybrid", "on-site", "onsite",
        "linkedin", "zoom", "calendly", "glassdoor", "recruiter", "recruiters", "hiring", "rockstar",
    ]
}

/// The personal dictionary file: reading it and adding a word.
public enum PersonalDictionary {
    /// The words in the file's text: one a line, surrounding spaces and `#` comments ignored.
    public static func words(in text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.isEmpty || t.hasPrefix("#") ? nil : t
        }
    }

    /// Why `word` cannot go in the dictionary, or nil when it can (one word: no spaces,
    /// no control characters, at most 100 characters).
    public static func problem(with word: String) -> String? {
        let w = word.trimmingCharacters(in: .whitespaces)
        if w.isEmpty { return "the word is empty" }
        if w.count > 100 { return "the word is longer than 100 characters" }
        if w.contains(where: \.isWhitespace) { return "one word at a time (no spaces)" }
        if w.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            return "the word has control characters"
        }
        if w.hasPrefix("#") { return "a word cannot start with #" }
        return nil
    }

    /// The file text with `word` added on its own line (a final newline kept), or nil when
    /// the dictionary already has it (case-insensitively) or it is not one word. Pure.
    public static func adding(_ word: String, to text: String) -> String? {
        let w = word.trimmingCharacters(in: .whitespaces)
        guard problem(with: w) == nil else { return nil }
        if words(in: text).contains(where: { $0.lowercased() == w.lowercased() }) { return nil }
        var out = text
        if !out.isEmpty, !out.hasSuffix("\n") { out += "\n" }
        return out + w + "\n"
    }

    /// Reads the dictionary at `path`; a missing file is an empty dictionary.
    public static func load(path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return words(in: String(decoding: data, as: UTF8.self))
    }

    /// Adds `word` to the file at `path` (creating it and its directory), written to a
    /// temporary file and renamed into place. Returns false when the word was already there.
    /// Throws a one-line message when the word is not a word or the file cannot be written.
    @discardableResult
    public static func add(_ word: String, path: String) throws -> Bool {
        if let p = problem(with: word) { throw DictionaryError(message: "cannot add '\(word)': \(p)") }
        let fm = FileManager.default
        let current = fm.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard let next = adding(word, to: current) else { return false }
        let dir = (path as NSString).deletingLastPathComponent
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let tmp = path + ".tmp-\(UUID().uuidString.prefix(8))"
            try Data(next.utf8).write(to: URL(fileURLWithPath: tmp))
            if rename(tmp, path) != 0 {
                try? fm.removeItem(atPath: tmp)
                throw DictionaryError(message: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch let e as DictionaryError {
            throw e
        } catch {
            throw DictionaryError(message: "cannot write \(path): \(error.localizedDescription)")
        }
        return true
    }
}

public struct DictionaryError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
