import Foundation
import RapportCore
import TOMLKit

/// The settings Rapport runs with: `config.toml` over the defaults, with the environment
/// on top (`TZ` for the time zone, `RAPPORT_MY_NAME` for your name), and the older
/// `settings.json` (`my_name`) still read. Built once per command and passed along as a
/// value; nothing reads it globally. Every key is described in docs/rules.md ("The
/// configuration file") and docs/config.example.toml.
public struct RapportConfig: Sendable, Equatable {
    /// Where a value came from.
    public enum Origin: String, Sendable, Codable {
        case `default`
        case file
        case environment
        /// The older `settings.json`.
        case settings = "settings.json"
    }

    /// `[me]`: the candidate.
    public struct Me: Sendable, Equatable {
        /// Fills `{my_name}`.
        public var name: String?
        /// The candidate's own e-mail addresses (mail from them is outbound).
        public var addresses: [String] = []
        /// The candidate's LinkedIn profile URL.
        public var linkedin: String?

        public init(name: String? = nil, addresses: [String] = [], linkedin: String? = nil) {
            self.name = name
            self.addresses = addresses
            self.linkedin = linkedin
        }
    }

    public enum ColorSetting: String, Sendable, CaseIterable { case auto, always, never }
    public enum Sort: String, Sendable, CaseIterable {
        case urgency, name
        case lastContact = "last-contact"
    }

    /// `[ui]`.
    public struct UI: Sendable, Equatable {
        public var color: ColorSetting = .auto
        /// The recruiter list's order (`rapport list`, the TUI's first order).
        public var sort: Sort = .urgency
        public init(color: ColorSetting = .auto, sort: Sort = .urgency) {
            self.color = color
            self.sort = sort
        }
    }

    /// `[sync]`: how `rapport sync` encrypts what it shares, and how often the TUI syncs
    /// on its own.
    public struct SyncSettings: Sendable, Equatable {
        /// age recipients (`age1…`, or an ssh public key): with any, device logs and
        /// checkpoints are encrypted before they leave this machine.
        public var recipients: [String] = []
        /// The age identity file that reads what the devices encrypted (`~` allowed).
        public var identity: String?
        /// Minutes between automatic syncs while the TUI is open (0: only on `Y`).
        public var autoSyncMinutes = 0

        public init(recipients: [String] = [], identity: String? = nil, autoSyncMinutes: Int = 0) {
            self.recipients = recipients
            self.identity = identity
            self.autoSyncMinutes = autoSyncMinutes
        }
    }

    public var policy: Policy
    public var me = Me()
    public var ui = UI()
    public var sync = SyncSettings()
    /// The config.toml path (whether or not it exists).
    public var file: String
    public var fileExists = false
    /// The origin of every key that did not keep its default ("policy.timeZone" → .environment).
    public var origins: [String: Origin] = [:]
    /// `my_name` from the older settings.json, when that file has one (to offer a move).
    public var legacyName: String?

    public init(policy: Policy = Policy(), file: String) {
        self.policy = policy
        self.file = file
    }

    public func origin(_ key: String) -> Origin { origins[key] ?? .default }

    // MARK: - Loading

    /// Loads `config.toml` from `directory` (a missing file is all defaults), then applies
    /// the environment: `TZ` (an IANA name, `:` prefix allowed) overrides `timeZone`, and
    /// `RAPPORT_MY_NAME` the name; `settings.json` gives the name when neither the file nor
    /// the environment does. `systemTimeZone` is the zone used when nothing names one.
    /// A broken file throws a usage error naming the file, the line and the key.
    /// With no config directory (neither HOME nor XDG_CONFIG_HOME set), only the defaults
    /// and the environment apply, and `file` is empty.
    public static func load(_ directory: UserConfig?, environment: [String: String],
                            systemTimeZone: String) throws -> RapportConfig {
        var config = RapportConfig(file: directory?.configFile ?? "")
        if let path = directory?.configFile {
            if let data = FileManager.default.contents(atPath: path) {
                guard let text = String(data: data, encoding: .utf8) else {
                    throw RapportError.usage("\(path): not UTF-8 text")
                }
                config = try parse(text, file: path)
                config.fileExists = true
            } else {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                    throw RapportError.usage("\(path): cannot read it\(isDir.boolValue ? " (a directory)" : "")")
                }
            }
        }
        if config.origins["policy.timeZone"] == nil {
            config.policy.timeZone = TimeZone(identifier: systemTimeZone) != nil ? systemTimeZone : "UTC"
        }
        var tz = environment["TZ"] ?? ""
        if tz.hasPrefix(":") { tz.removeFirst() }
        if !tz.isEmpty, TimeZone(identifier: tz) != nil {
            config.policy.timeZone = tz
            config.origins["policy.timeZone"] = .environment
        }
        config.legacyName = try directory?.settingsName()
        if let n = environment["RAPPORT_MY_NAME"]?.trimmingCharacters(in: .whitespaces), !n.isEmpty {
            config.me.name = n
            config.origins["me.name"] = .environment
        } else if config.me.name == nil, let legacy = config.legacyName {
            config.me.name = legacy
            config.origins["me.name"] = .settings
        }
        // The sync variables win over [sync].
        let recipients = SyncSettings.splitRecipients(environment["RAPPORT_SYNC_RECIPIENTS"] ?? "")
        if !recipients.isEmpty {
            config.sync.recipients = recipients
            config.origins["sync.recipients"] = .environment
        }
        if let id = environment["RAPPORT_SYNC_IDENTITY"], !id.isEmpty {
            config.sync.identity = id
            config.origins["sync.identity"] = .environment
        }
        if let home = environment["HOME"], !home.isEmpty, let id = config.sync.identity {
            if id == "~" { config.sync.identity = home } else if id.hasPrefix("~/") { config.sync.identity = home + id.dropFirst() }
        }
        return config
    }

    /// Reads config.toml text. Pure apart from TOMLKit; `file` only names the file in errors.
    public static func parse(_ text: String, file: String) throws -> RapportConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw RapportError.usage("\(file):\(e.source.begin.line): \(ConfigText.oneLine(e.description))")
        }
        let root = ConfigValue(table)
        let lines = ConfigLines(text)
        var config = RapportConfig(file: file)
        guard case .table(let sections) = root else { return config }
        for (key, value) in sections.sorted(by: { $0.key < $1.key }) {
            try config.apply(section: key, value, lines: lines, file: file)
        }
        try config.checkTogether(lines: lines, file: file)
        return config
    }

    private mutating func apply(section: String, _ value: ConfigValue, lines: ConfigLines, file: String) throws {
        guard ["policy", "me", "ui", "sync"].contains(section) else {
            throw ConfigText.error(file, lines.line(of: [section]), section,
                                   "unknown section (use [policy], [me], [ui] or [sync])")
        }
        guard case .table(let entries) = value else {
            throw ConfigText.error(file, lines.line(of: [section]), section, "must be a table ([\(section)])")
        }
        for (path, leaf) in ConfigValue.flatten(entries, prefix: [section]) {
            let key = path.joined(separator: ".")
            let line = lines.line(of: path)
            do {
                try set(path, leaf)
            } catch let ConfigProblem.unknown(hint) {
                throw ConfigText.error(file, line, key, "unknown key\(hint.map { " (\($0))" } ?? "")")
            } catch let ConfigProblem.bad(expected) {
                throw ConfigText.error(file, line, key, "\(expected), got \(leaf.shown)")
            }
            origins[key] = .file
        }
    }

    /// Checks that need two keys: business hours must open before they close.
    private func checkTogether(lines: ConfigLines, file: String) throws {
        if policy.businessDayStartHour >= policy.businessDayEndHour {
            let key = origins["policy.businessDayEndHour"] != nil ? "businessDayEndHour" : "businessDayStartHour"
            throw ConfigText.error(file, lines.line(of: ["policy", key]), "policy.\(key)",
                                   "business hours must start before they end (\(policy.businessDayStartHour) to \(policy.businessDayEndHour))")
        }
    }

    enum ConfigProblem: Error {
        case unknown(String?)
        case bad(String)
    }

    /// Every key a file may set (urgency tables: one key per flag and per deadline kind).
    public static let policyKeys: [String] = [
        "timeZone", "businessDayStartHour", "businessDayEndHour", "businessWeekdays",
        "replyBusinessDays", "quickReplyBusinessHours", "quickChannels",
        "riskOpenCount", "riskOpenBusinessDays", "nonResponsiveOpenCount", "nonResponsiveOpenDays",
        "thankYouBusinessDays", "awaitingBusinessDays", "coldAfterCheckIns", "expectationEarlyHours",
        "allyCheckInDays",
    ]
    public static let urgencyKeys: [String] = [
        "blanket", "overduePerDay", "overdueMaxDays", "deadlineOverdue", "deadlineDueSoon", "dueSoonDays",
        "deadlineNonResponsive", "deadlineNonResponsiveRisk",
    ]

    private mutating func set(_ path: [String], _ v: ConfigValue) throws {
        switch (path[0], Array(path.dropFirst())) {
        case ("policy", let rest): try setPolicy(rest, v)
        case ("me", ["name"]): me.name = try v.text(nonEmpty: true)
        case ("me", ["addresses"]):
            me.addresses = try v.strings().map { a in
                let t = a.trimmingCharacters(in: .whitespaces)
                guard ConfigText.looksLikeAddress(t) else { throw ConfigProblem.bad("a list of e-mail addresses (\"me@example.com\")") }
                return t
            }
        case ("me", ["linkedin"]):
            let url = try v.text(nonEmpty: true)
            guard url.lowercased().contains("linkedin.com/") else {
                throw ConfigProblem.bad("your LinkedIn profile URL (\"https://www.linkedin.com/in/you\")")
            }
            me.linkedin = url
        case ("me", _): throw ConfigProblem.unknown("[me] takes name, addresses and linkedin")
        case ("ui", ["color"]):
            guard let c = ColorSetting(rawValue: try v.text(nonEmpty: true)) else { throw ConfigProblem.bad("auto, always or never") }
            ui.color = c
        case ("ui", ["sort"]):
            guard let s = Sort(rawValue: try v.text(nonEmpty: true)) else { throw ConfigProblem.bad("urgency, name or last-contact") }
            ui.sort = s
        case ("ui", _): throw ConfigProblem.unknown("[ui] takes color and sort")
        case ("sync", ["recipients"]):
            let expected = "a list of age recipients (\"age1…\" from age-keygen, or an ssh public key)"
            guard case .array = v else { throw ConfigProblem.bad(expected) }
            let list = try v.strings()
            guard !list.isEmpty, list.allSatisfy(SyncSettings.looksLikeRecipient) else { throw ConfigProblem.bad(expected) }
            sync.recipients = list
        case ("sync", ["identity"]):
            let path = try v.text(nonEmpty: true)
            guard path.hasPrefix("/") || path.hasPrefix("~/") else {
                throw ConfigProblem.bad("the path of your age identity file, absolute or from ~ (\"~/.config/rapport/sync.key\")")
            }
            sync.identity = path
        case ("sync", ["autoSyncMinutes"]):
            sync.autoSyncMinutes = try v.integer(in: 0...1440, "a whole number of minutes from 0 (off) to 1440")
        case ("sync", _): throw ConfigProblem.unknown("[sync] takes recipients, identity and autoSyncMinutes")
        default: throw ConfigProblem.unknown(nil)
        }
    }

    private mutating func setPolicy(_ path: [String], _ v: ConfigValue) throws {
        guard let first = path.first else { throw ConfigProblem.unknown(nil) }
        if first == "urgency" {
            return try setUrgency(Array(path.dropFirst()), v)
        }
        guard path.count == 1 else { throw ConfigProblem.unknown(nil) }
        switch first {
        case "timeZone":
            let name = try v.text(nonEmpty: true)
            guard TimeZone(identifier: name) != nil else {
                throw ConfigProblem.bad("an IANA time zone name (\"America/New_York\", \"Asia/Tokyo\", \"UTC\")")
            }
            policy.timeZone = name
        case "businessDayStartHour": policy.businessDayStartHour = try v.integer(in: 0...23, "an hour from 0 to 23")
        case "businessDayEndHour": policy.businessDayEndHour = try v.integer(in: 1...24, "an hour from 1 to 24")
        case "businessWeekdays":
            let expected = "a list of ISO weekdays, 1 = Monday … 7 = Sunday ([1, 2, 3, 4, 5])"
            guard case .array(let items) = v, !items.isEmpty else { throw ConfigProblem.bad(expected) }
            let days = try items.map { try $0.integer(in: 1...7, expected) }
            guard Set(days).count == days.count else { throw ConfigProblem.bad(expected + " without repeats") }
            policy.businessWeekdays = days
        case "replyBusinessDays": policy.replyBusinessDays = try v.number(positive: true)
        case "quickReplyBusinessHours": policy.quickReplyBusinessHours = try v.number(positive: true)
        case "quickChannels":
            let names = Channel.allCases.map(\.rawValue).joined(separator: ", ")
            policy.quickChannels = try v.strings().map { s in
                guard let c = Channel(rawValue: s) else { throw ConfigProblem.bad("a list of channels (\(names))") }
                return c
            }
        case "riskOpenCount": policy.riskOpenCount = try v.integer(in: 1...1000, "a whole number of at least 1")
        case "riskOpenBusinessDays": policy.riskOpenBusinessDays = try v.number(positive: true)
        case "nonResponsiveOpenCount": policy.nonResponsiveOpenCount = try v.integer(in: 1...1000, "a whole number of at least 1")
        case "nonResponsiveOpenDays": policy.nonResponsiveOpenDays = try v.integer(in: 1...3650, "a whole number of days, at least 1")
        case "thankYouBusinessDays": policy.thankYouBusinessDays = try v.number(positive: true)
        case "awaitingBusinessDays": policy.awaitingBusinessDays = try v.number(positive: true)
        case "coldAfterCheckIns": policy.coldAfterCheckIns = try v.integer(in: 0...1000, "a whole number, 0 or more")
        case "expectationEarlyHours": policy.expectationEarlyHours = try v.number(positive: false)
        case "allyCheckInDays": policy.allyCheckInDays = try v.integer(in: 1...3650, "a whole number of days, at least 1")
        default: throw ConfigProblem.unknown("[policy] keys are listed in docs/config.example.toml")
        }
    }

    private mutating func setUrgency(_ path: [String], _ v: ConfigValue) throws {
        switch path.count {
        case 1:
            let n = try v.number(positive: false, allowNegative: true)
            switch path[0] {
            case "blanket": policy.urgency.blanket = n
            case "overduePerDay": policy.urgency.overduePerDay = n
            case "overdueMaxDays": policy.urgency.overdueMaxDays = try v.number(positive: false)
            case "deadlineOverdue": policy.urgency.deadlineOverdue = n
            case "deadlineDueSoon": policy.urgency.deadlineDueSoon = n
            case "dueSoonDays": policy.urgency.dueSoonDays = try v.number(positive: true)
            case "deadlineNonResponsive": policy.urgency.deadlineNonResponsive = n
            case "deadlineNonResponsiveRisk": policy.urgency.deadlineNonResponsiveRisk = n
            default: throw ConfigProblem.unknown("urgency keys: \(Self.urgencyKeys.joined(separator: ", ")), flag.NAME, deadlineKind.NAME")
            }
        case 2 where path[0] == "flag":
            guard RapportCore.Flag(rawValue: path[1]) != nil else {
                throw ConfigProblem.unknown("flags: \(RapportCore.Flag.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            policy.urgency.flag[path[1]] = try v.number(positive: false, allowNegative: true)
        case 2 where path[0] == "deadlineKind":
            guard DeadlineKind(rawValue: path[1]) != nil else {
                throw ConfigProblem.unknown("deadline kinds: \(DeadlineKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            policy.urgency.deadlineKind[path[1]] = try v.number(positive: false, allowNegative: true)
        default:
            throw ConfigProblem.unknown(nil)
        }
    }

    // MARK: - Showing

    /// One effective setting, for `rapport config`.
    public struct Entry: Sendable, Equatable, Codable {
        public var key: String
        /// The value as TOML would write it (`"Asia/Tokyo"`, `9`, `[1, 2, 3]`); empty when unset.
        public var value: String
        public var origin: Origin
    }

    /// Every setting with its effective value and origin, in the file's order.
    public var entries: [Entry] {
        let p = policy, u = p.urgency
        var rows: [(String, String)] = [
            ("policy.timeZone", ConfigText.quoted(p.timeZone)),
            ("policy.businessDayStartHour", String(p.businessDayStartHour)),
            ("policy.businessDayEndHour", String(p.businessDayEndHour)),
            ("policy.businessWeekdays", "[" + p.businessWeekdays.map(String.init).joined(separator: ", ") + "]"),
            ("policy.replyBusinessDays", ConfigText.number(p.replyBusinessDays)),
            ("policy.quickReplyBusinessHours", ConfigText.number(p.quickReplyBusinessHours)),
            ("policy.quickChannels", "[" + p.quickChannels.map { ConfigText.quoted($0.rawValue) }.joined(separator: ", ") + "]"),
            ("policy.riskOpenCount", String(p.riskOpenCount)),
            ("policy.riskOpenBusinessDays", ConfigText.number(p.riskOpenBusinessDays)),
            ("policy.nonResponsiveOpenCount", String(p.nonResponsiveOpenCount)),
            ("policy.nonResponsiveOpenDays", String(p.nonResponsiveOpenDays)),
            ("policy.thankYouBusinessDays", ConfigText.number(p.thankYouBusinessDays)),
            ("policy.awaitingBusinessDays", ConfigText.number(p.awaitingBusinessDays)),
            ("policy.coldAfterCheckIns", String(p.coldAfterCheckIns)),
            ("policy.expectationEarlyHours", ConfigText.number(p.expectationEarlyHours)),
            ("policy.allyCheckInDays", String(p.allyCheckInDays)),
            ("policy.urgency.blanket", ConfigText.number(u.blanket)),
            ("policy.urgency.overduePerDay", ConfigText.number(u.overduePerDay)),
            ("policy.urgency.overdueMaxDays", ConfigText.number(u.overdueMaxDays)),
            ("policy.urgency.deadlineOverdue", ConfigText.number(u.deadlineOverdue)),
            ("policy.urgency.deadlineDueSoon", ConfigText.number(u.deadlineDueSoon)),
            ("policy.urgency.dueSoonDays", ConfigText.number(u.dueSoonDays)),
            ("policy.urgency.deadlineNonResponsive", ConfigText.number(u.deadlineNonResponsive)),
            ("policy.urgency.deadlineNonResponsiveRisk", ConfigText.number(u.deadlineNonResponsiveRisk)),
        ]
        for f in RapportCore.Flag.allCases {
            rows.append(("policy.urgency.flag.\(f.rawValue)", ConfigText.number(u.flag[f.rawValue] ?? 0)))
        }
        for k in DeadlineKind.allCases {
            rows.append(("policy.urgency.deadlineKind.\(k.rawValue)", ConfigText.number(u.deadlineKind[k.rawValue] ?? 0)))
        }
        rows += [
            ("me.name", me.name.map(ConfigText.quoted) ?? ""),
            ("me.addresses", "[" + me.addresses.map(ConfigText.quoted).joined(separator: ", ") + "]"),
            ("me.linkedin", me.linkedin.map(ConfigText.quoted) ?? ""),
            ("ui.color", ConfigText.quoted(ui.color.rawValue)),
            ("ui.sort", ConfigText.quoted(ui.sort.rawValue)),
            ("sync.recipients", "[" + sync.recipients.map(ConfigText.quoted).joined(separator: ", ") + "]"),
            ("sync.identity", sync.identity.map(ConfigText.quoted) ?? ""),
            ("sync.autoSyncMinutes", String(sync.autoSyncMinutes)),
        ]
        return rows.map { Entry(key: $0.0, value: $0.1, origin: origin($0.0)) }
    }

    // MARK: - Moving the older settings

    /// What `rapport config --migrate` would do: the config.toml text with `[me] name` set
    /// from settings.json or `RAPPORT_MY_NAME`, or nil when there is nothing to move (no
    /// older name, or config.toml already names you). Pure: takes the current file text.
    public static func migrated(currentText: String, name: String) -> String? {
        var lines = currentText.isEmpty ? [] : currentText.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        let header = lines.firstIndex { ConfigLines.header($0) == ["me"] }
        let entry = "name = \(ConfigText.quoted(name))"
        if let header {
            var i = header + 1
            while i < lines.count, ConfigLines.header(lines[i]) == nil {
                if ConfigLines.keyPath(lines[i]) == ["name"] { return nil }
                i += 1
            }
            lines.insert(entry, at: header + 1)
        } else {
            if !lines.isEmpty { lines.append("") }
            lines += ["[me]", entry]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension RapportConfig.SyncSettings {
    /// `RAPPORT_SYNC_RECIPIENTS`: recipients separated by commas or spaces (an ssh key's
    /// own space is kept: "ssh-ed25519 AAAA…" is one recipient).
    public static func splitRecipients(_ text: String) -> [String] {
        var out: [String] = []
        for part in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init) {
            if let last = out.last, ["ssh-ed25519", "ssh-rsa"].contains(last) { out[out.count - 1] += " " + part } else { out.append(part) }
        }
        return out
    }

    /// An age X25519 recipient (`age1` and bech32 letters), a plugin's (`age1name1…`), or
    /// an ssh public key.
    static func looksLikeRecipient(_ r: String) -> Bool {
        if r.hasPrefix("ssh-ed25519 ") || r.hasPrefix("ssh-rsa ") { return r.split(separator: " ").count >= 2 }
        let bech32 = Set("0123456789")
        return r.hasPrefix("age1") && r.count >= 40 && r.count <= 200 && r.dropFirst(4).allSatisfy { bech32.contains($0) || ($0.isASCII && $0.isLowercase) }
    }
}

/// A TOML value as plain Swift data, so checking it needs no TOMLKit.
indirect enum ConfigValue: Equatable {
    case string(String)
    case integer(Int)
    case double(Double)
    case bool(Bool)
    case array([ConfigValue])
    case table([String: ConfigValue])
    /// Dates and times: not used by any key.
    case other(String)

    init(_ v: any TOMLValueConvertible) {
        switch v.type {
        case .string: self = .string(v.string ?? "")
        case .int: self = .integer(v.int ?? 0)
        case .double: self = .double(v.double ?? 0)
        case .bool: self = .bool(v.bool ?? false)
        case .array: self = .array((v.array.map(Array.init) ?? []).map { ConfigValue($0) })
        case .table:
            var out: [String: ConfigValue] = [:]
            if let t = v.table { for (k, value) in t { out[k] = ConfigValue(value) } }
            self = .table(out)
        default: self = .other(v.type.description)
        }
    }

    /// Leaf values with their key paths (`urgency.flag.cold` inside [policy]).
    static func flatten(_ table: [String: ConfigValue], prefix: [String]) -> [([String], ConfigValue)] {
        var out: [([String], ConfigValue)] = []
        for (k, v) in table.sorted(by: { $0.key < $1.key }) {
            if case .table(let inner) = v {
                out += flatten(inner, prefix: prefix + [k])
            } else {
                out.append((prefix + [k], v))
            }
        }
        return out
    }

    /// How a bad value is quoted back in an error.
    var shown: String {
        switch self {
        case .string(let s): return ConfigText.quoted(ConfigText.oneLine(String(s.prefix(60))))
        case .integer(let i): return String(i)
        case .double(let d): return ConfigText.number(d)
        case .bool(let b): return String(b)
        case .array(let a): return "[" + a.prefix(8).map(\.shown).joined(separator: ", ") + (a.count > 8 ? ", …" : "") + "]"
        case .table: return "a table"
        case .other(let kind): return "a \(kind)"
        }
    }

    func text(nonEmpty: Bool) throws -> String {
        guard case .string(let s) = self else { throw RapportConfig.ConfigProblem.bad("a string in quotes") }
        let t = s.trimmingCharacters(in: .whitespaces)
        if nonEmpty, t.isEmpty { throw RapportConfig.ConfigProblem.bad("a non-empty string") }
        guard !t.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw RapportConfig.ConfigProblem.bad("text without control characters")
        }
        return t
    }

    func strings() throws -> [String] {
        guard case .array(let items) = self else { throw RapportConfig.ConfigProblem.bad("a list of strings ([\"…\", \"…\"])") }
        return try items.map { try $0.text(nonEmpty: true) }
    }

    func integer(in range: ClosedRange<Int>, _ expected: String) throws -> Int {
        guard case .integer(let i) = self, range.contains(i) else { throw RapportConfig.ConfigProblem.bad(expected) }
        return i
    }

    /// A finite number (integer or decimal); `positive` demands > 0, otherwise ≥ 0 unless
    /// `allowNegative`.
    func number(positive: Bool, allowNegative: Bool = false) throws -> Double {
        let d: Double
        switch self {
        case .integer(let i): d = Double(i)
        case .double(let x): d = x
        default: d = .nan
        }
        let expected = positive ? "a number greater than 0" : allowNegative ? "a number" : "a number, 0 or more"
        guard d.isFinite, !positive || d > 0, allowNegative || d >= 0 else { throw RapportConfig.ConfigProblem.bad(expected) }
        return d
    }
}

/// Finds the line a key is set on. TOMLKit reports positions only for syntax errors, so
/// the text is scanned: `[table]` headers and `dotted.key = value` lines, quotes removed.
struct ConfigLines {
    /// Full key path ("policy.urgency.blanket") → 1-based line; headers too.
    private var lines: [String: Int] = [:]

    init(_ text: String) {
        var table: [String] = []
        for (i, raw) in text.components(separatedBy: "\n").enumerated() {
            if let h = Self.header(raw) {
                table = h
                let key = h.joined(separator: ".")
                if lines[key] == nil { lines[key] = i + 1 }
            } else if let k = Self.keyPath(raw) {
                let full = (table + k).joined(separator: ".")
                if lines[full] == nil { lines[full] = i + 1 }
            }
        }
    }

    /// The line of `path`, or of its longest prefix that has one (a key inside an inline
    /// table is reported on the table's line); 1 when nothing matches.
    func line(of path: [String]) -> Int {
        var p = path
        while !p.isEmpty {
            if let l = lines[p.joined(separator: ".")] { return l }
            p.removeLast()
        }
        return 1
    }

    /// `[a.b]` or `[[a.b]]` → ["a", "b"].
    static func header(_ line: String) -> [String]? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("["), let close = t.lastIndex(of: "]") else { return nil }
        let inner = t[t.index(after: t.startIndex)..<close].trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
        let parts = splitKey(inner)
        return parts.isEmpty ? nil : parts
    }

    /// `a.b = …` → ["a", "b"]; nil for comments, blank lines and continuation lines.
    static func keyPath(_ line: String) -> [String]? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard let first = t.first, first != "#", first != "[" else { return nil }
        var inQuote: Character?
        for (offset, ch) in t.enumerated() {
            if let q = inQuote {
                if ch == q { inQuote = nil }
            } else if ch == "\"" || ch == "'" {
                inQuote = ch
            } else if ch == "=" {
                let parts = splitKey(String(t.prefix(offset)))
                return parts.isEmpty ? nil : parts
            } else if !(ch.isLetter || ch.isNumber || ch == "_" || ch == "-" || ch == "." || ch == " " || ch == "\t") {
                return nil
            }
        }
        return nil
    }

    /// `a . "b.c" . d` → ["a", "b.c", "d"].
    static func splitKey(_ s: String) -> [String] {
        var out: [String] = [], current = ""
        var inQuote: Character?
        for ch in s {
            if let q = inQuote {
                if ch == q { inQuote = nil } else { current.append(ch) }
            } else if ch == "\"" || ch == "'" {
                inQuote = ch
            } else if ch == "." {
                out.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(ch)
            }
        }
        out.append(current.trimmingCharacters(in: .whitespaces))
        return out.contains(where: \.isEmpty) ? [] : out
    }
}

enum ConfigText {
    static func error(_ file: String, _ line: Int, _ key: String, _ problem: String) -> RapportError {
        .usage("\(file):\(line): \(key): \(problem)")
    }

    static func oneLine(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u == "\n" || u == "\r" || u == "\t" { out += " " } else if u.properties.generalCategory == .control {
                out += u.escaped(asASCII: true)
            } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.properties.generalCategory == .control || u.properties.generalCategory == .format {
                    out += String(format: "\\u%04X", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// 9 → "9", 1.5 → "1.5", -5 → "-5".
    static func number(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }

    static func looksLikeAddress(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !s.contains(where: \.isWhitespace)
    }
}
