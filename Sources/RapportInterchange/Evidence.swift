import Foundation

/// Evidence that someone is (or is not) a recruiter, from titles and message text.
///
/// Matching is by whole words: a term matches only where it stands as one or more whole
/// words of the text, after lower-casing and removing accents ("Recruiter" matches
/// "Senior Technical Recruiter" but "talent" alone never matches, so a music-industry
/// "Talent Manager" or "Associate, Mergers & Acquisitions" is no evidence). Terms in
/// scripts written without spaces (Japanese, Chinese) match as contained text.
/// The vocabulary is documented in docs/import-export.md; keep the two in step.
public enum RecruiterEvidence {
    /// Titles and company names that say "recruiter", by language.
    public static let titleTerms: [String] = [
        // English
        "recruiter", "recruiters", "recruiting", "recruitment", "recruitment consultant", "sourcer", "sourcing specialist",
        "talent acquisition", "talent partner", "talent sourcer", "talent scout", "headhunter", "head hunter", "headhunting",
        "staffing", "executive search", "search consultant", "resourcer",
        // German
        "recruiterin", "personalberater", "personalberaterin", "personalvermittler", "personalvermittlerin",
        "personalvermittlung", "personalberatung", "headhunterin", "talentakquise",
        // French
        "recruteur", "recruteuse", "recrutement", "charge de recrutement", "chargee de recrutement", "chasseur de tetes",
        "chasseuse de tetes",
        // Spanish / Portuguese / Italian
        "reclutador", "reclutadora", "reclutamiento", "seleccion de personal", "cazatalentos", "recrutador", "recrutadora",
        "selezionatore", "selezionatrice",
        // Japanese, Chinese, Korean (contained match)
        "リクルーター", "採用担当", "人材紹介", "ヘッドハンター", "転職エージェント", "キャリアアドバイザー", "猎头", "招聘", "헤드헌터", "채용담당",
    ]

    /// Phrases of recruiting outreach in a message, by language.
    public static let outreachTerms: [String] = [
        // English
        "my client", "our client", "a client of mine", "an opportunity", "new opportunity", "exciting opportunity",
        "job opportunity", "open to new opportunities", "open to a call", "open to a chat", "a role", "this role",
        "a new role", "a position", "this position", "your profile", "your background", "your experience", "hiring for",
        "we are hiring", "we're hiring", "quick call", "a quick chat", "salary", "compensation", "job description",
        "recruiting for", "i am a recruiter", "i'm a recruiter", "permanent role", "contract role", "headcount",
        // German
        "mein kunde", "meinen kunden", "unser kunde", "ihr profil", "dein profil", "eine position", "spannende position",
        "eine stelle", "neue herausforderung", "gehalt",
        // French
        "mon client", "notre client", "votre profil", "ton profil", "un poste", "une opportunite", "salaire",
        // Spanish
        "mi cliente", "nuestro cliente", "tu perfil", "su perfil", "una posicion", "una oportunidad", "vacante", "salario",
        // Japanese
        "求人", "ポジション", "ご経歴", "スカウト", "転職", "年収",
    ]

    /// Small talk between friends: evidence against, when it outweighs outreach.
    public static let smallTalkTerms: [String] = [
        "congrats", "congratulations", "happy birthday", "grab a beer", "grabbing a beer", "a beer", "beers", "drinks",
        "catch up", "long time no see", "how have you been", "herzlichen gluckwunsch", "felicitations", "felicidades",
        "おめでとう",
    ]

    /// The title terms found in a position or company name (`"Senior Technical Recruiter"` → `["recruiter"]`).
    public static func titleHits(_ title: String?) -> [String] {
        guard let title, !title.isEmpty else { return [] }
        return hits(titleVocabulary, in: title)
    }

    /// The outreach phrases in a message.
    public static func outreachHits(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        return hits(outreachVocabulary, in: text)
    }

    /// The small-talk phrases in a message.
    public static func smallTalkHits(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        return hits(smallTalkVocabulary, in: text)
    }

    /// Whether their first message reads like outreach: at least two different outreach
    /// phrases (a recruiter title word in the text counts as one), and more of them than
    /// small-talk phrases.
    public static func readsLikeOutreach(_ text: String?) -> Bool {
        let n = outreachHits(text).count + (titleHits(text).isEmpty ? 0 : 1)
        return n >= 2 && n > smallTalkHits(text).count
    }

    /// "Talent Acquisition" and "in-house" titles suggest an in-house recruiter.
    public static func inHouse(title: String?) -> Bool {
        guard let title else { return false }
        return !hits(inHouseVocabulary, in: title).isEmpty
    }

    // MARK: Sponsored and spam

    /// Sponsored InMail and marketing: LinkedIn's `spinmail` HTML, an unfilled
    /// `%FIRSTNAME%`-style placeholder, or a folder that says so.
    public static func isSponsored(content: String?, folder: String?) -> Bool {
        if let f = folder?.lowercased(), f.contains("sponsored") || f.contains("promot") { return true }
        guard let c = content else { return false }
        return hasPlaceholder(c) || occurs(spinmail, in: Array(c.utf8).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 })
    }

    private static let spinmail = Array("spinmail".utf8)

    /// `%FIRSTNAME%`, `%LAST_NAME%`: letters or `_` between two `%`.
    static func hasPlaceholder(_ s: String) -> Bool {
        var run = -1  // letters since the last `%`, or -1 when not after a `%`
        for u in s.utf8 {
            if u == UInt8(ascii: "%") {
                if run > 0 { return true }
                run = 0
            } else if run >= 0, (u >= 65 && u <= 90) || (u >= 97 && u <= 122) || u == 95 {
                run += 1
            } else {
                run = -1
            }
        }
        return false
    }

    public static func isSpam(folder: String?) -> Bool {
        guard let f = folder?.lowercased() else { return false }
        return f == "spam" || f == "junk"
    }

    /// A sponsored body without its markup: style blocks, CSS rules, tags and unfilled
    /// placeholders removed (`%FIRSTNAME%` becomes `firstName` when known).
    public static func cleanSponsored(_ body: String?, firstName: String?) -> String? {
        guard var t = body else { return nil }
        t = t.replacingOccurrences(of: #"(?is)<(style|script|head)\b.*?</\1>"#, with: "", options: .regularExpression)
        t = t.replacingOccurrences(of: #"(?i)<br\s*/?>|</p>|</div>|</tr>"#, with: "\n", options: .regularExpression)
        t = t.replacingOccurrences(of: #"<[^>]*>"#, with: "", options: .regularExpression)
        // CSS rules left as text: `.spinmail-x { color: red; }`, `@media … { … }`.
        t = t.replacingOccurrences(of: #"[^\n{}]*\{[^{}]*\}"#, with: "", options: .regularExpression)
        t = t.replacingOccurrences(of: #"(?i)%FIRST_?NAME%"#, with: firstName ?? "", options: .regularExpression)
        t = t.replacingOccurrences(of: #"%[A-Za-z_]+%"#, with: "", options: .regularExpression)
        t = TextRepair.decodeHTML(t)
        let lines = t.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.replacingOccurrences(of: #"[ \t]+"#, with: " ", options: .regularExpression).trimmingCharacters(in: .whitespaces) }
        var out: [String] = []
        for l in lines where !(l.isEmpty && (out.last?.isEmpty ?? true)) { out.append(l) }
        let s = out.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }

    // MARK: Whole-word matching

    /// Lower-cased, accents removed, every run of non-alphanumerics one space, padded with
    /// a space at both ends: `" senior technical recruiter "`.
    static func words(_ s: String) -> String {
        let folded = s.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var out = " "
        var lastSpace = true
        for ch in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(ch) {
                out.unicodeScalars.append(ch)
                lastSpace = false
            } else if !lastSpace {
                out += " "
                lastSpace = true
            }
        }
        if !lastSpace { out += " " }
        return out
    }

    /// Terms in a script without spaces between words match as contained text.
    private static func unspaced(_ term: String) -> Bool {
        term.unicodeScalars.contains { (0x3040...0x30FF).contains($0.value) || (0x4E00...0x9FFF).contains($0.value) || (0xAC00...0xD7AF).contains($0.value) }
    }

    /// A vocabulary prepared once: each term with its whole-word form.
    struct Vocabulary: Sendable {
        var terms: [(term: String, form: [UInt8], unspaced: Bool)]
        init(_ list: [String]) {
            terms = list.map { ($0, Array(RecruiterEvidence.words($0).utf8), RecruiterEvidence.unspaced($0)) }
        }
    }

    /// Whether `needle` occurs in `haystack` (byte search; the texts are short).
    static func occurs(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    static let titleVocabulary = Vocabulary(titleTerms)
    static let outreachVocabulary = Vocabulary(outreachTerms)
    static let smallTalkVocabulary = Vocabulary(smallTalkTerms)
    static let inHouseVocabulary = Vocabulary(["talent acquisition", "in house", "inhouse", "talent partner", "talentakquise", "採用担当"])

    /// The terms of `vocabulary` found in `text`, each once, in vocabulary order.
    static func hits(_ vocabulary: Vocabulary, in text: String) -> [String] {
        let w = Array(words(text).utf8)
        var raw: [UInt8]?
        return vocabulary.terms.compactMap { t in
            if t.unspaced {
                if raw == nil { raw = Array(text.lowercased().utf8) }
                return occurs(Array(t.term.utf8), in: raw!) ? t.term : nil
            }
            return occurs(t.form, in: w) ? t.term : nil
        }
    }
}
