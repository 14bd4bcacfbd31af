import Foundation
import RapportCore

/// The user's configuration directory and what Rapport reads from it: `config.toml` (see
/// `RapportConfig`), reply templates (`templates/NAME.txt`), the spell-check
/// `dictionary`, and the older `settings.json` (`{"my_name": "…"}`). The environment is a
/// parameter, never read globally.
///
/// Directory: `$XDG_CONFIG_HOME/rapport` (absolute values only, per the XDG spec), else
/// `~/.config/rapport`.
public struct UserConfig: Sendable, Equatable {
    public var directory: String

    public init(directory: String) { self.directory = directory }

    public init(environment: [String: String]) throws {
        if let x = environment["XDG_CONFIG_HOME"], x.hasPrefix("/") {
            directory = (x as NSString).appendingPathComponent("rapport")
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            directory = (home as NSString).appendingPathComponent(".config/rapport")
        } else {
            throw RapportError.usage("cannot find the config directory: set HOME or XDG_CONFIG_HOME")
        }
    }

    public var templatesDirectory: String { (directory as NSString).appendingPathComponent("templates") }
    public var settingsFile: String { (directory as NSString).appendingPathComponent("settings.json") }
    public var configFile: String { (directory as NSString).appendingPathComponent("config.toml") }
    /// The personal spell-check dictionary: one word a line.
    public var dictionaryFile: String { (directory as NSString).appendingPathComponent("dictionary") }

    /// `my_name` from the older settings.json, or nil (no file, no name). A broken file is
    /// an error, not a silent nil.
    public func settingsName() throws -> String? {
        guard let data = FileManager.default.contents(atPath: settingsFile) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
            throw RapportError.failure("\(settingsFile) is not a JSON object (expected {\"my_name\": \"Your Name\"})")
        }
        return (dict["my_name"] as? String)?.trimmingCharacters(in: .whitespaces).nilIfEmpty
    }

    /// Loads config.toml with the environment on top (`RapportConfig.load`).
    public func load(environment: [String: String], systemTimeZone: String = TimeZone.current.identifier) throws -> RapportConfig {
        try RapportConfig.load(self, environment: environment, systemTimeZone: systemTimeZone)
    }

    /// The user's templates (`*.txt`, name = file name without `.txt`), sorted by name, and
    /// one line per file that could not be read. A missing directory is no templates.
    public func userTemplates() -> (templates: [MessageTemplate], problems: [String]) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: templatesDirectory) else { return ([], []) }
        var out: [MessageTemplate] = [], problems: [String] = []
        for file in names.sorted() where file.hasSuffix(".txt") && !file.hasPrefix(".") {
            let path = (templatesDirectory as NSString).appendingPathComponent(file)
            let name = String(file.dropLast(4))
            guard let data = fm.contents(atPath: path) else {
                problems.append("cannot read the template \(path)")
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                problems.append("the template \(path) is not UTF-8 text")
                continue
            }
            out.append(MessageTemplate.parse(name: name, text: text, source: .user(path)))
        }
        return (out, problems)
    }

    /// Shipped templates with the user's on top (same name replaces).
    public func templates() -> (templates: [MessageTemplate], problems: [String]) {
        let user = userTemplates()
        return (Templates.merged(user: user.templates), user.problems)
    }

    /// The candidate's name for `{my_name}`: `RAPPORT_MY_NAME`, else `[me] name` in
    /// config.toml, else `my_name` in the older settings.json, else nil. A broken file is an
    /// error, not a silent nil.
    public func myName(environment: [String: String]) throws -> String? {
        try load(environment: environment, systemTimeZone: "UTC").me.name
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
