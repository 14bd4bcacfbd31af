import Foundation
import RapportCore
@testable import RapportStore
import Testing

@Suite struct ConfigFileTests {
    func tempConfig(_ text: String? = nil, settings: String? = nil) throws -> UserConfig {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-cfg-\(UUID().uuidString)").path
        let config = try UserConfig(environment: ["XDG_CONFIG_HOME": root])
        try FileManager.default.createDirectory(atPath: config.directory, withIntermediateDirectories: true)
        if let text { try text.write(toFile: config.configFile, atomically: true, encoding: .utf8) }
        if let settings { try settings.write(toFile: config.settingsFile, atomically: true, encoding: .utf8) }
        return config
    }

    func usageMessage(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let RapportError.usage(message) {
            return message
        } catch {
            return "other error: \(error)"
        }
    }

    @Test func noFileIsEveryDefaultInTheSystemZone() throws {
        let dir = try tempConfig()
        let c = try dir.load(environment: [:], systemTimeZone: "Europe/Berlin")
        #expect(!c.fileExists && c.file == dir.configFile)
        var expected = Policy(timeZone: "Europe/Berlin")
        expected.urgency = .default
        #expect(c.policy == expected)
        #expect(c.me == RapportConfig.Me() && c.ui == RapportConfig.UI())
        #expect(c.entries.allSatisfy { $0.origin == .default })
        #expect(c.entries.first { $0.key == "policy.timeZone" }?.value == "\"Europe/Berlin\"")
    }

    @Test func theShippedExampleParsesAndMatchesTheDefaults() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/config.example.toml").path
        let text = try String(contentsOfFile: example, encoding: .utf8)
        let c = try RapportConfig.parse(text, file: example)
        // Every number in the example is the default (only the zone and [me] are examples).
        #expect(c.policy == Policy(timeZone: "America/New_York"))
        #expect(c.me.name == "Sam Lee" && c.me.addresses == ["sam@example.com", "sam.lee@work.example"])
        #expect(c.me.linkedin == "https://www.linkedin.com/in/sam-lee")
        #expect(c.ui == RapportConfig.UI(color: .auto, sort: .urgency))
        #expect(c.sync == RapportConfig.SyncSettings(recipients: ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"],
                                                     identity: "~/.config/rapport/sync.key", autoSyncMinutes: 0))
        // … and it sets every key there is.
        let unset = c.entries.filter { c.origin($0.key) != .file }.map(\.key)
        #expect(unset.isEmpty, "keys missing from docs/config.example.toml: \(unset)")
    }

    @Test func fileValuesOverrideDefaultsKeyByKey() throws {
        let c = try RapportConfig.parse("""
            [policy]
            timeZone = "Asia/Tokyo"
            businessDayStartHour = 8
            businessWeekdays = [1, 2, 3, 4]
            replyBusinessDays = 2
            quickChannels = ["phone"]
            urgency.blanket = -8
            urgency.flag.cold = -3
            urgency.flag."reply-due" = 2.5

            [policy.urgency.deadlineKind]
            check-in = 0.1

            [ui]
            sort = "last-contact"
            """, file: "/c.toml")
        #expect(c.policy.timeZone == "Asia/Tokyo" && c.policy.businessDayStartHour == 8 && c.policy.businessDayEndHour == 18)
        #expect(c.policy.businessWeekdays == [1, 2, 3, 4] && c.policy.replyBusinessDays == 2)
        #expect(c.policy.quickChannels == [.phone])
        #expect(c.policy.urgency.blanket == -8 && c.policy.urgency.flag["cold"] == -3 && c.policy.urgency.flag["reply-due"] == 2.5)
        #expect(c.policy.urgency.flag["non-responsive"] == 50, "other flags keep their weights")
        #expect(c.policy.urgency.deadlineKind["check-in"] == 0.1 && c.policy.urgency.deadlineKind["reply"] == 1)
        #expect(c.ui.sort == .lastContact && c.ui.color == .auto)
        #expect(c.origin("policy.urgency.flag.cold") == .file && c.origin("policy.urgency.flag.no-show") == .default)
        #expect(c.origin("policy.businessDayEndHour") == .default)
    }

    @Test func theEnvironmentWinsAndSettingsJSONStillWorks() throws {
        let dir = try tempConfig("[policy]\ntimeZone = \"Asia/Tokyo\"\n", settings: #"{"my_name": "Old Name"}"#)
        var c = try dir.load(environment: [:], systemTimeZone: "UTC")
        #expect(c.policy.timeZone == "Asia/Tokyo" && c.origin("policy.timeZone") == .file)
        #expect(c.me.name == "Old Name" && c.origin("me.name") == .settings && c.legacyName == "Old Name")
        c = try dir.load(environment: ["TZ": ":Europe/Berlin", "RAPPORT_MY_NAME": " Env Name "], systemTimeZone: "UTC")
        #expect(c.policy.timeZone == "Europe/Berlin" && c.origin("policy.timeZone") == .environment)
        #expect(c.me.name == "Env Name" && c.origin("me.name") == .environment)
        c = try dir.load(environment: ["TZ": "Not/AZone"], systemTimeZone: "UTC")
        #expect(c.policy.timeZone == "Asia/Tokyo", "an unknown TZ is ignored")
        // config.toml's name beats settings.json.
        let both = try tempConfig("[me]\nname = \"New Name\"\n", settings: #"{"my_name": "Old Name"}"#)
        #expect(try both.load(environment: [:]).me.name == "New Name")
        #expect(try both.myName(environment: [:]) == "New Name")
    }

    @Test(arguments: [
        ("[policy]\nriskOpenCount = \"three\"\n", 2, "policy.riskOpenCount: a whole number of at least 1, got \"three\""),
        ("# hours\n[policy]\n\nbusinessDayStartHour = 25\n", 4, "policy.businessDayStartHour: an hour from 0 to 23, got 25"),
        ("[policy]\ntimeZone = \"Mars/Olympus\"\n", 2, "policy.timeZone: an IANA time zone name"),
        ("[policy]\nriskOpenCnt = 3\n", 2, "policy.riskOpenCnt: unknown key"),
        ("[policy]\nx = 1\n[policy.urgency.flag]\nfreezing = 3\n", 4, "policy.urgency.flag.freezing: unknown key (flags: non-responsive,"),
        ("[policy]\n  urgency.blanket = \"low\"\n", 2, "policy.urgency.blanket: a number, got \"low\""),
        ("[policy]\nbusinessWeekdays = [1, 8]\n", 2, "policy.businessWeekdays: a list of ISO weekdays"),
        ("[policy]\nquickChannels = [\"pigeon\"]\n", 2, "policy.quickChannels: a list of channels (email, linkedin, phone, text, other), got [\"pigeon\"]"),
        ("[policy]\nreplyBusinessDays = 0\n", 2, "policy.replyBusinessDays: a number greater than 0, got 0"),
        ("[policy]\nbusinessDayStartHour = 18\nbusinessDayEndHour = 9\n", 3, "policy.businessDayEndHour: business hours must start before they end (18 to 9)"),
        ("[me]\naddresses = [\"not an address\"]\n", 2, "me.addresses: a list of e-mail addresses"),
        ("[me]\nnickname = \"Sam\"\n", 2, "me.nickname: unknown key ([me] takes name, addresses and linkedin)"),
        ("[ui]\ncolor = \"sometimes\"\n", 2, "ui.color: auto, always or never, got \"sometimes\""),
        ("[theme]\ncolor = 1\n", 1, "theme: unknown section"),
        ("title = \"x\"\n", 1, "title: unknown section"),
        ("[policy]\nurgency = { blanket = \"x\" }\n", 2, "policy.urgency.blanket: a number, got \"x\""),
    ] as [(String, Int, String)])
    func badValuesNameTheFileLineAndKey(_ text: String, _ line: Int, _ message: String) throws {
        let got = usageMessage { _ = try RapportConfig.parse(text, file: "/home/u/.config/rapport/config.toml") }
        let m = try #require(got)
        #expect(m.hasPrefix("/home/u/.config/rapport/config.toml:\(line): \(message)"), "\(m)")
        #expect(!m.contains("\n"))
    }

    @Test func syntaxErrorsGiveTheParsersLine() throws {
        let m = try #require(usageMessage { _ = try RapportConfig.parse("[policy]\nriskOpenCount = 2\nbusinessDayStartHour = = 9\n", file: "/c.toml") })
        #expect(m.hasPrefix("/c.toml:3: "), "\(m)")
        #expect(!m.contains("\n"))
    }

    @Test func aBrokenFileFailsTheLoadNotSilently() throws {
        let dir = try tempConfig("[policy]\nriskOpenCount = 0\n")
        let m = try #require(usageMessage { _ = try dir.load(environment: [:]) })
        #expect(m == "\(dir.configFile):2: policy.riskOpenCount: a whole number of at least 1, got 0")
    }

    @Test func migrationAddsTheNameToMeOnceAndKeepsTheRest() throws {
        let fresh = try #require(RapportConfig.migrated(currentText: "", name: "Sam \"S\" Lee"))
        #expect(fresh == "[me]\nname = \"Sam \\\"S\\\" Lee\"\n")
        #expect(try RapportConfig.parse(fresh, file: "/c").me.name == "Sam \"S\" Lee")
        let existing = "[policy]\nriskOpenCount = 3\n\n[me]\naddresses = [\"a@b.example\"]\n"
        let moved = try #require(RapportConfig.migrated(currentText: existing, name: "Sam"))
        let c = try RapportConfig.parse(moved, file: "/c")
        #expect(c.me.name == "Sam" && c.me.addresses == ["a@b.example"] && c.policy.riskOpenCount == 3)
        #expect(RapportConfig.migrated(currentText: moved, name: "Other") == nil, "a name already there is kept")
        let noMe = try #require(RapportConfig.migrated(currentText: "[ui]\nsort = \"name\"", name: "Sam"))
        #expect(noMe == "[ui]\nsort = \"name\"\n\n[me]\nname = \"Sam\"\n")
    }

    @Test func lineFinderHandlesHeadersDottedAndQuotedKeys() {
        let lines = ConfigLines("""
            # comment = 1
            [policy]
            "riskOpenCount" = 2
            urgency . flag . "no-show" = 1
            [ policy.urgency ]
            blanket = -5 # trailing
            """)
        #expect(lines.line(of: ["policy", "riskOpenCount"]) == 3)
        #expect(lines.line(of: ["policy", "urgency", "flag", "no-show"]) == 4)
        #expect(lines.line(of: ["policy", "urgency", "blanket"]) == 6)
        #expect(lines.line(of: ["policy", "nothing"]) == 2, "falls back to the table's line")
    }

    // MARK: - [sync]

    static let recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"

    @Test func syncSectionIsReadAndTheVariablesWin() throws {
        let dir = try tempConfig("""
            [sync]
            recipients = ["\(Self.recipient)", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHbQ me@laptop"]
            identity = "~/.config/rapport/sync.key"
            autoSyncMinutes = 15
            """)
        let c = try dir.load(environment: ["HOME": "/home/sam"], systemTimeZone: "UTC")
        #expect(c.sync.recipients == [Self.recipient, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHbQ me@laptop"])
        #expect(c.sync.identity == "/home/sam/.config/rapport/sync.key")
        #expect(c.sync.autoSyncMinutes == 15)
        #expect(c.origin("sync.recipients") == .file && c.origin("sync.identity") == .file)
        #expect(SyncCrypto.from(c.sync)?.recipients.count == 2)
        let env = try dir.load(environment: ["HOME": "/home/sam", "RAPPORT_SYNC_RECIPIENTS": "age1other000000000000000000000000000000000000000000000000000, age1second00000000000000000000000000000000000000000000000000",
                                             "RAPPORT_SYNC_IDENTITY": "/keys/k"], systemTimeZone: "UTC")
        #expect(env.sync.recipients.count == 2 && env.sync.recipients[0].hasPrefix("age1other"))
        #expect(env.sync.identity == "/keys/k")
        #expect(env.origin("sync.recipients") == .environment && env.origin("sync.identity") == .environment)
        #expect(env.entries.contains { $0.key == "sync.autoSyncMinutes" && $0.value == "15" && $0.origin == .file })
        // Without recipients nothing is encrypted.
        #expect(SyncCrypto.from(RapportConfig.SyncSettings()) == nil)
    }

    @Test func badSyncValuesNameTheFileLineAndKey() throws {
        let cases: [(String, String)] = [
            ("[sync]\nrecipients = \"\(Self.recipient)\"\n", "cfg.toml:2: sync.recipients: a list of age recipients"),
            ("[sync]\n\nrecipients = [\"AGE-SECRET-KEY-1QQQ\"]\n", "cfg.toml:3: sync.recipients: a list of age recipients"),
            ("[sync]\nrecipients = []\n", "cfg.toml:2: sync.recipients: a list of age recipients"),
            ("[sync]\nidentity = \"sync.key\"\n", "cfg.toml:2: sync.identity: the path of your age identity file"),
            ("[sync]\nidentity = 3\n", "cfg.toml:2: sync.identity: a string in quotes"),
            ("[sync]\nautoSyncMinutes = -5\n", "cfg.toml:2: sync.autoSyncMinutes: a whole number of minutes"),
            ("[sync]\nautoSyncMinutes = \"10m\"\n", "cfg.toml:2: sync.autoSyncMinutes: a whole number of minutes"),
            ("[sync]\nremote = \"git@example.com:me/r.git\"\n", "cfg.toml:2: sync.remote: unknown key ([sync] takes recipients, identity and autoSyncMinutes)"),
        ]
        for (text, expected) in cases {
            let message = usageMessage { _ = try RapportConfig.parse(text, file: "cfg.toml") }
            #expect(message?.hasPrefix(expected) == true, "\(text): \(message ?? "no error")")
        }
    }
}
