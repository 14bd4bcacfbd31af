import ArgumentParser
import Foundation
import RapportCore
import RapportStore
import RapportText

/// `rapport config`: the effective settings and where each came from.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show the effective settings and where each came from (default, file, environment).",
        discussion: "Settings live in $XDG_CONFIG_HOME/rapport/config.toml (else ~/.config/rapport/config.toml); docs/config.example.toml lists every key. TZ overrides [policy] timeZone and RAPPORT_MY_NAME overrides [me] name. The older settings.json (my_name) is still read; --migrate moves your name into config.toml.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Stable JSON for scripts.") var json = false
    @Flag(help: "Move my_name from settings.json (or RAPPORT_MY_NAME) into config.toml's [me] name.") var migrate = false
    @Flag(help: "Print only the config file's path.") var path = false

    struct Output: Encodable {
        var file: String
        var exists: Bool
        var settings: [Setting]
        var migration: String?
    }

    struct Setting: Encodable {
        var key: String
        var value: JSONValue
        var origin: String
    }

    func run() async throws {
        let env = global.environment
        let config = try global.config()
        if path || migrate {
            let dir = try UserConfig(environment: env)
            if path { return say(dir.configFile) }
            return try runMigrate(config, dir: dir)
        }
        let offer = migrationOffer(config)
        if json {
            let settings = config.entries.map { e in
                Setting(key: e.key, value: e.value.isEmpty ? .null : (try? JSONDecoder().decode(JSONValue.self, from: Data(e.value.utf8))) ?? .string(e.value),
                        origin: e.origin.rawValue)
            }
            try printJSON(Output(file: config.file, exists: config.fileExists, settings: settings, migration: offer))
            return
        }
        if config.file.isEmpty {
            say("# no config directory (set HOME or XDG_CONFIG_HOME): defaults and the environment only")
        } else {
            say("# \(config.file)\(config.fileExists ? "" : " (not there: every value is a default)")")
        }
        var t = Table(header: ["KEY", "VALUE", "FROM"])
        for e in config.entries {
            t.rows.append([e.key, e.value.isEmpty ? "(not set)" : e.value, e.origin.rawValue])
        }
        say(t.render())
        if let offer { say("\n" + offer) }
    }

    /// A note when the name comes the older way and config.toml does not set one.
    func migrationOffer(_ config: RapportConfig) -> String? {
        guard config.origins["me.name"] != .file, let (name, from) = legacy(config) else { return nil }
        return "Your name (\(ConfigTextOut.quoted(name))) comes from \(from), the older way; `rapport config --migrate` moves it into \(config.file)."
    }

    /// The name to move and where it is now: RAPPORT_MY_NAME first, then settings.json.
    func legacy(_ config: RapportConfig) -> (String, String)? {
        if config.origins["me.name"] == .environment, let n = config.me.name { return (n, "RAPPORT_MY_NAME") }
        if let n = config.legacyName { return (n, "settings.json") }
        return nil
    }

    func runMigrate(_ config: RapportConfig, dir: UserConfig) throws {
        guard let (name, from) = legacy(config) else {
            say("Nothing to move: neither settings.json nor RAPPORT_MY_NAME gives a name.")
            return
        }
        let fm = FileManager.default
        let current = fm.contents(atPath: config.file).map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard let text = RapportConfig.migrated(currentText: current, name: name) else {
            say("Nothing to move: \(config.file) already sets [me] name.\(from == "settings.json" ? " You may delete \(dir.settingsFile)." : "")")
            return
        }
        // The new text must read back as the same settings plus the name.
        let check = try RapportConfig.parse(text, file: config.file)
        guard check.me.name == name else { throw RapportError.failure("could not move the name into \(config.file)") }
        do {
            try fm.createDirectory(atPath: dir.directory, withIntermediateDirectories: true)
            let tmp = config.file + ".tmp-\(shortID(UUID()))"
            try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
            guard rename(tmp, config.file) == 0 else {
                try? fm.removeItem(atPath: tmp)
                throw RapportError.failure("cannot write \(config.file): \(String(cString: strerror(errno)))")
            }
        } catch let e as RapportError {
            throw e
        } catch {
            throw RapportError.failure("cannot write \(config.file): \(error.localizedDescription)")
        }
        let after = from == "settings.json"
            ? "settings.json is no longer needed for it; you may delete \(dir.settingsFile)."
            : "remove RAPPORT_MY_NAME from your shell profile (while set, it still wins)."
        say("Moved your name (\(ConfigTextOut.quoted(name))) from \(from) to [me] name in \(config.file); \(after)")
    }
}

enum ConfigTextOut {
    static func quoted(_ s: String) -> String { "\"" + Text.visible(s) + "\"" }
}
