import Foundation
import Testing
@testable import RapportSpell

private let env = ProcessInfo.processInfo.environment

private let hunspellReady: Bool = {
    let checker = SpellChecker(environment: env, engines: [SpellChecker.defaultEngines()[0]])
    if case .checked = checker.check("hello") { return true }
    return false
}()

@Suite struct DictionaryTests {
    @Test func wordsAreOneALineWithCommentsAndBlanksSkipped() {
        #expect(PersonalDictionary.words(in: "# mine\nGrafana\n\n  Zoë  \r\nk3s\n") == ["Grafana", "Zoë", "k3s"])
        #expect(PersonalDictionary.words(in: "").isEmpty)
    }

    @Test func addingAWordAppendsItOnceKeepingTheText() {
        #expect(PersonalDictionary.adding("Grafana", to: "") == "Grafana\n")
        #expect(PersonalDictionary.adding("Zoë", to: "# mine\nGrafana") == "# mine\nGrafana\nZoë\n", "a missing final newline is added")
        #expect(PersonalDictionary.adding(" k3s ", to: "Grafana\n") == "Grafana\nk3s\n")
        #expect(PersonalDictionary.adding("GRAFANA", to: "Grafana\n") == nil, "already there, any case")
        #expect(PersonalDictionary.adding("two words", to: "") == nil)
        #expect(PersonalDictionary.adding("", to: "") == nil)
        #expect(PersonalDictionary.adding("bad\u{1B}[2J", to: "") == nil)
        #expect(PersonalDictionary.problem(with: "two words") == "one word at a time (no spaces)")
        #expect(PersonalDictionary.problem(with: "#tag") == "a word cannot start with #")
    }

    @Test func addWritesTheFileAndItsDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-dict-\(UUID().uuidString)").path
        let path = dir + "/rapport/dictionary"
        #expect(PersonalDictionary.load(path: path).isEmpty, "no file: no words")
        #expect(try PersonalDictionary.add("Grafana", path: path))
        #expect(try !PersonalDictionary.add("grafana", path: path))
        #expect(try PersonalDictionary.add("Zoë", path: path))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "Grafana\nZoë\n")
        #expect(PersonalDictionary.load(path: path) == ["Grafana", "Zoë"])
        #expect(throws: DictionaryError(message: "cannot add 'a b': one word at a time (no spaces)")) {
            try PersonalDictionary.add("a b", path: path)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir + "/rapport")
        #expect(leftovers == ["dictionary"], "no temporary files left")
    }

    @Test func theShippedListAndThePersonalWordsMatchAnyCase() {
        let list = WordList.standard(personal: ["Qwertyova"])
        #expect(list.contains("Backend") && list.contains("KUBERNETES") && list.contains("qwertyova"))
        #expect(!list.contains("recieve"))
    }

    @Test(.enabled(if: hunspellReady, "needs hunspell and hunspell-en-us"))
    func techWordsAndPersonalWordsAreNotReported() {
        let text = "Backend role on Kubernetes with Terraform at Qwertyova, recieve"
        let plain = SpellChecker(environment: env, engines: [SpellChecker.defaultEngines()[0]], accepted: WordList([]))
        let flagged = plain.check(text).misspellings.map(\.word)
        #expect(flagged.contains("Qwertyova") && flagged.contains("recieve"))
        let checker = SpellChecker(environment: env, engines: [SpellChecker.defaultEngines()[0]],
                                   accepted: .standard(personal: ["Qwertyova"]))
        #expect(checker.check(text).misspellings.map(\.word) == ["recieve"])
        // The default checker knows the shipped words.
        let standard = SpellChecker(environment: env, engines: [SpellChecker.defaultEngines()[0]])
        #expect(standard.check(text).misspellings.map(\.word) == ["Qwertyova", "recieve"])
    }
}
