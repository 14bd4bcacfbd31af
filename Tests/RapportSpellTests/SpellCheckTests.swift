import Foundation
import Testing
@testable import RapportSpell
import RapportText

private let env = ProcessInfo.processInfo.environment

/// True when hunspell with en_US is installed (the Makefile installs it for `make test`).
private let hunspellReady: Bool = {
    let checker = SpellChecker(environment: env, engines: [SpellChecker.defaultEngines()[0]])
    if case .checked = checker.check("hello") { return true }
    return false
}()

@Suite struct SpellCheckTests {
    @Test(.enabled(if: hunspellReady, "needs hunspell and hunspell-en-us (make deps installs them)"))
    func realHunspellFindsTyposWithSuggestionsAndPositions() throws {
        let checker = SpellChecker(environment: env, engines: [SpellChecker.defaultEngines()[0]])
        let text = "Hi Dana,\n\nThank you for recieve the role. I am intrested.\nBest, Sam"
        let result = checker.check(text)
        guard case .checked(let engine, let found) = result else {
            Issue.record("expected a check, got \(result)")
            return
        }
        #expect(engine == "hunspell")
        #expect(found.map(\.word) == ["recieve", "intrested"])
        let first = try #require(found.first)
        #expect(first.line == 3 && first.column == 14)
        #expect(first.suggestions.contains("receive"))
        #expect(found[1].line == 3 && found[1].suggestions.contains("interested"))
        let clean = checker.check("Thank you for the interview today.")
        #expect(clean == .checked(engine: "hunspell", misspellings: []))
    }

    @Test(.enabled(if: hunspellReady, "needs hunspell and hunspell-en-us"))
    func placeholdersUrlsEmailsAndNamesAreNotReported() {
        let checker = SpellChecker(environment: env, engines: [SpellChecker.defaultEngines()[0]])
        let text = "Hi {first_nme}, see https://exmple.com/jbos or mail me at smaple@exmple.org. Thanks, Xochitlzz Qwertyova"
        let found = checker.check(text, ignoring: ["Xochitlzz", "qwertyova"]).misspellings
        #expect(found.isEmpty, "got \(found.map(\.word))")
        // Without the ignore list the names are reported, at their columns in the original line.
        let names = checker.check(text).misspellings
        #expect(names.map(\.word) == ["Xochitlzz", "Qwertyova"])
        #expect(names.first.map { String(Array(text)[$0.column..<($0.column + 9)]) } == "Xochitlzz")
    }

    @Test(.enabled(if: hunspellReady, "needs hunspell and hunspell-en-us"))
    func nonAsciiWordsKeepTheirColumns() {
        let checker = SpellChecker(environment: env, engines: [SpellChecker.defaultEngines()[0]])
        let found = checker.check("Café déjà vu teh end").misspellings
        let teh = found.first { $0.word == "teh" }
        #expect(teh?.column == 13)
        #expect(teh?.suggestions.first == "the")
    }

    @Test func missingBinaryIsUnavailableAndSaysWhatToInstall() {
        let checker = SpellChecker(environment: ["PATH": "/nonexistent-dir"])
        let result = checker.check("Thank you for recieve")
        guard case .unavailable(let why) = result else {
            Issue.record("expected unavailable, got \(result)")
            return
        }
        #expect(why.contains("install hunspell-en-us"))
        #expect(result.misspellings.isEmpty, "the caller can go on with no findings")
    }

    @Test(.enabled(if: hunspellReady, "needs hunspell to show that a missing dictionary is detected"))
    func missingDictionaryIsUnavailableNotClean() {
        let engines = [SpellChecker.Engine(name: "hunspell", arguments: ["-a", "-d", "xx_NOWHERE"])]
        let result = SpellChecker(environment: env, engines: engines).check("Thank you for recieve")
        guard case .unavailable(let why) = result else {
            Issue.record("expected unavailable, got \(result)")
            return
        }
        #expect(why.contains("install hunspell-en-us") && why.contains("xx_NOWHERE"))
    }

    @Test func ispellOutputIsParsedPerLine() {
        let output = """
        @(#) International Ispell Version 3.2.06 (but really Hunspell 1.7.1)
        *
        & wrld 4 7: weld, world

        # Zzyzx 1

        """
        let found = SpellChecker.parse(output, lines: ["Hello wrld", "Zzyzx"])
        #expect(found == [
            Misspelling(word: "wrld", line: 1, column: 6, suggestions: ["weld", "world"]),
            Misspelling(word: "Zzyzx", line: 2, column: 0, suggestions: []),
        ])
    }

    @Test func maskingKeepsLengthAndBlanksWhatIsNotProse() {
        let line = "Hi {first_name}, see www.acme.io and a@b.co or /tmp/x ok"
        let masked = SpellChecker.mask(line)
        #expect(masked.count == line.count)
        #expect(masked.split(separator: " ") == ["Hi", ",", "see", "and", "or", "ok"])
    }
}
