// What a spell checker answered about a text, as plain values: the checker
// (RapportSpell) produces them and the pure TUI shows them, so neither needs the other.

/// A misspelt word: where it is (1-based line, 0-based column in characters) and what
/// the dictionary suggests.
public struct Misspelling: Sendable, Equatable, Codable {
    public var word: String
    public var line: Int
    public var column: Int
    public var suggestions: [String]

    public init(word: String, line: Int, column: Int, suggestions: [String]) {
        self.word = word
        self.line = line
        self.column = column
        self.suggestions = suggestions
    }
}

/// The outcome of a spell check. `unavailable` is not an error: the caller says so and
/// lets the user go on.
public enum SpellResult: Sendable, Equatable {
    case checked(engine: String, misspellings: [Misspelling])
    case unavailable(String)

    public var misspellings: [Misspelling] {
        if case .checked(_, let m) = self { return m }
        return []
    }
}
