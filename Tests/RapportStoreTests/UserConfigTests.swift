import Foundation
import RapportCore
import RapportStore
import Testing

@Suite struct UserConfigTests {
    func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func directoryFollowsXDGThenHome() throws {
        #expect(try UserConfig(environment: ["XDG_CONFIG_HOME": "/x/cfg", "HOME": "/home/u"]).directory == "/x/cfg/rapport")
        #expect(try UserConfig(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/home/u"]).directory == "/home/u/.config/rapport",
                "a relative XDG value is ignored, per the spec")
        #expect(try UserConfig(environment: ["HOME": "/home/u"]).templatesDirectory == "/home/u/.config/rapport/templates")
        #expect(throws: RapportError.self) { try UserConfig(environment: [:]) }
    }

    @Test func userTemplatesLoadOverrideAndReportUnreadableFiles() throws {
        let root = try tempDir()
        let config = try UserConfig(environment: ["XDG_CONFIG_HOME": root])
        #expect(config.userTemplates().templates.isEmpty, "no directory: no templates, no problem")
        try FileManager.default.createDirectory(atPath: config.templatesDirectory, withIntermediateDirectories: true)
        try "Subject: Quick no\n\nNo thanks, {first_name}.".write(toFile: config.templatesDirectory + "/decline.txt", atomically: true, encoding: .utf8)
        try "Hello {first_name}".write(toFile: config.templatesDirectory + "/hello.txt", atomically: true, encoding: .utf8)
        try "not a template".write(toFile: config.templatesDirectory + "/notes.md", atomically: true, encoding: .utf8)
        try Data([0x48, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: config.templatesDirectory + "/broken.txt"))
        let (templates, problems) = config.templates()
        #expect(templates.map(\.name) == ["accept-call", "check-in", "decline", "follow-up", "hello", "not-now", "referral", "thank-you"])
        let decline = try #require(templates.first { $0.name == "decline" })
        #expect(decline.subject == "Quick no" && decline.body == "No thanks, {first_name}.")
        #expect(decline.source == .user(config.templatesDirectory + "/decline.txt"))
        #expect(problems == ["the template \(config.templatesDirectory)/broken.txt is not UTF-8 text"])
    }

    @Test func myNameFromTheEnvironmentThenSettings() throws {
        let root = try tempDir()
        let config = try UserConfig(environment: ["XDG_CONFIG_HOME": root])
        #expect(try config.myName(environment: [:]) == nil)
        try FileManager.default.createDirectory(atPath: config.directory, withIntermediateDirectories: true)
        try #"{"my_name": " Sam Lee "}"#.write(toFile: config.settingsFile, atomically: true, encoding: .utf8)
        #expect(try config.myName(environment: [:]) == "Sam Lee")
        #expect(try config.myName(environment: ["RAPPORT_MY_NAME": "Alex"]) == "Alex")
        try "[1, 2".write(toFile: config.settingsFile, atomically: true, encoding: .utf8)
        #expect(throws: RapportError.self) { try config.myName(environment: [:]) }
    }
}
