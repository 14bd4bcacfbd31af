import Foundation
import RapportCore
import RapportDemo
import RapportText
import Testing
@testable import RapportTUI

/// The TUI's indexes against the plain computations they replace: the same order, the
/// same matches, the same reasons, on demo data and on random values with many ties.
@Suite("indexes: recruiter order, deadline order, search, reasons")
struct IndexTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func demo(_ recruiters: Int, _ messages: Int, seed: UInt64) throws -> Database {
        var db = Database()
        for c in Demo.changes(recruiters: recruiters, messages: messages, seed: seed, now: now) { try db.apply(c) }
        return db
    }


    @Test("deadlines in display order: the keyed sort equals sorting by section, then moreUrgent", arguments: [1, 2, 3, 4] as [UInt64])
    func deadlineOrder(seed: UInt64) {
        var rng = SeededGenerator(state: seed)
        let sections = Rules.Sections(now: IndexTests.now, policy: .default)
        // Few distinct urgencies and due times: ties all the way down to the id.
        let dues = (0..<6).map { IndexTests.now.addingTimeInterval(Double($0 - 2) * 43_200 * 3) }
        let ids = (0..<40).map { "reply:\($0 % 17)-\($0)" }
        let all = (0..<400).map { i in
            Deadline(id: ids.randomElement(using: &rng)! + "#\(i % 7)", kind: .reply, recruiterID: UUID(),
                     due: dues.randomElement(using: &rng)!, title: "t\(i)",
                     urgency: [0, 1.5, 2, -1, 30][Int.random(in: 0..<5, using: &rng)])
        }
        let plain = all.map { (sections.section(of: $0), $0) }
            .sorted { a, b in a.0 != b.0 ? a.0 < b.0 : Rules.moreUrgent(a.1, b.1) }
            .map(\.1)
        #expect(Rules.displayOrder(all, sections: sections) == plain)
    }

    @Test("the deadlines of demo data come in the same order as before", arguments: [5, 6] as [UInt64])
    func demoDeadlines(seed: UInt64) throws {
        let db = try IndexTests.demo(300, 3_000, seed: seed)
        let statuses = Rules.evaluate(db, now: IndexTests.now, policy: .default)
        let sections = Rules.Sections(now: IndexTests.now, policy: .default)
        let plain = statuses.values.flatMap(\.deadlines)
            .map { (sections.section(of: $0), $0) }
            .sorted { a, b in a.0 != b.0 ? a.0 < b.0 : Rules.moreUrgent(a.1, b.1) }
            .map(\.1)
        #expect(plain.count > 100)
        #expect(Rules.deadlines(of: statuses, now: IndexTests.now, policy: .default) == plain)
    }

    @Test("the recruiter order equals a plain sort, for every sort, filter and the ally order", arguments: [7, 8] as [UInt64])
    func recruiterOrder(seed: UInt64) throws {
        let db = try IndexTests.demo(250, 2_500, seed: seed)
        var statuses = Rules.evaluate(db, now: IndexTests.now, policy: .default)
        // Ties: many recruiters at one urgency, some names equal but for case.
        var rng = SeededGenerator(state: seed)
        for id in statuses.keys where Bool.random(using: &rng) { statuses[id]?.urgency = 3 }
        let ally = Dictionary(uniqueKeysWithValues: db.recruiters.keys.map { ($0, Int.random(in: 0..<4, using: &rng)) })
        func plain(_ filter: RecruiterFilter?, _ sort: SortMode, ally: [UUID: Int]?) -> [UUID] {
            db.recruiters.values.filter { filter?.admits($0, statuses[$0.id]) ?? true }.sorted { a, b in
                let sa = statuses[a.id], sb = statuses[b.id]
                func key(_ r: Recruiter, _ s: RecruiterStatus?) -> (Double, Int) {
                    if let ally { return (Double(ally[r.id] ?? 0), s?.turn == .mine ? 0 : 1) }
                    switch sort {
                    case .urgency: return (s?.urgency ?? 0, s?.turn == .mine ? 0 : 1)
                    case .name: return (0, 0)
                    case .lastContact: return (s?.lastContact?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude, 0)
                    }
                }
                let ka = key(a, sa), kb = key(b, sb)
                if ka.0 != kb.0 { return ka.0 > kb.0 }
                if ka.1 != kb.1 { return ka.1 < kb.1 }
                if a.name.lowercased() != b.name.lowercased() { return a.name.lowercased() < b.name.lowercased() }
                return a.id.uuidString < b.id.uuidString
            }.map(\.id)
        }
        for filter in [nil] + RecruiterFilter.menu {
            for sort in SortMode.allCases {
                let got = AppState.recruiterOrder(db.recruiters, statuses: statuses, filter: filter, sort: sort, ally: nil)
                #expect(got == plain(filter, sort, ally: nil), "\(String(describing: filter)) \(sort)")
            }
            let got = AppState.recruiterOrder(db.recruiters, statuses: statuses, filter: filter, sort: .urgency, ally: ally)
            #expect(got == plain(filter, .urgency, ally: ally), "\(String(describing: filter)) ally")
        }
    }

    @Test("names are lowered as lowercased() lowers them")
    func lowercasedNames() throws {
        let db = try IndexTests.demo(200, 200, seed: 14)
        for n in db.recruiters.values.map(\.name) + IndexTests.trickyNames {
            let l = AppState.lowercasedName(n)
            #expect(String(decoding: l, as: UTF8.self) == n.lowercased(), "\(n)")
            #expect(l == Array(n.lowercased().precomposedStringWithCanonicalMapping.utf8), "\(n)")
        }
    }

    /// Names whose order is easy to get wrong: case, composed and decomposed accents
    /// (equal as strings), a lowercase mapping that adds a combining mark (İ), scripts,
    /// emoji, empty.
    static let trickyNames = ["", "dana", "Dana", "DANA SMITH", "dana smith", "O'Brien-McKay 2", "ÉLODIE", "élodie",
                              "e\u{301}lodie", "E\u{301}LODIE", "Elodie", "İlkay", "ilkay", "i\u{307}lkay", "ΣΟΦΙΑ", "σοφια",
                              "株式会社", "이서연", "\u{1112}\u{1161}\u{11AB}", "한", "Nguyễn Văn An", "Nguye\u{302}\u{303}n", "Мария", "мария",
                              "محمد العلي", "अनन्या शर्मा", "क़", "\u{915}\u{93C}", "Ω", "\u{2126}", "Å", "\u{212B}", "Zoë", "Zoe\u{308}", "zoë", "Åsa", "A\u{30A}sa", "Ångström", "Øystein", "😀 Smile",
                              "ß", "SS", "ǅemal", "Ǆemal", "ﬁne", "fine"]

    @Test("names that are hard to order come in String's order (lowered), then by id", arguments: [21, 22, 23] as [UInt64])
    func trickyNameOrder(seed: UInt64) {
        var rng = SeededGenerator(state: seed)
        var names: [(id: UUID, name: String)] = []
        for _ in 0..<3 {
            for n in IndexTests.trickyNames.shuffled(using: &rng) { names.append((UUID(), n)) }
        }
        var statuses: [UUID: RecruiterStatus] = [:]
        for (id, _) in names where Bool.random(using: &rng) {
            statuses[id] = RecruiterStatus(recruiterID: id, turn: Bool.random(using: &rng) ? .mine : .theirs,
                                           urgency: [0, 2][Int.random(in: 0..<2, using: &rng)])
        }
        for sort in SortMode.allCases {
            let table = StatusTable(statuses, isBlanket: { _ in false }, now: Date(timeIntervalSince1970: 0), policy: .default)
            let got = AppState.recruiterOrder(NameTable(names), statuses: table, filter: nil, sort: sort, ally: nil,
                                              isBlanket: { _ in false }, record: { _ in nil })
            let plain = names.sorted { a, b in
                let sa = statuses[a.id], sb = statuses[b.id]
                let ka = sort == .urgency ? (sa?.urgency ?? 0, sa?.turn == .mine ? 0 : 1) : (0, 0)
                let kb = sort == .urgency ? (sb?.urgency ?? 0, sb?.turn == .mine ? 0 : 1) : (0, 0)
                if ka.0 != kb.0 { return ka.0 > kb.0 }
                if ka.1 != kb.1 { return ka.1 < kb.1 }
                let la = a.name.lowercased(), lb = b.name.lowercased()
                if la != lb { return la < lb }
                return a.id.uuidString < b.id.uuidString
            }.map(\.id)
            #expect(got == plain, "\(sort)")
        }
    }

    /// The search as it was: Foundation's search in each field.
    static func plainMatch(_ db: Database, _ id: UUID, _ q: String) -> Bool {
        guard let r = db.recruiters[id] else { return false }
        func has(_ s: String?) -> Bool { s.map { $0.range(of: q, options: [.caseInsensitive, .diacriticInsensitive]) != nil } ?? false }
        if has(r.name) || has(r.firm) || has(r.notes) || r.tags.contains(where: has) { return true }
        return db.thread(id).contains { has($0.subject) || has($0.body) }
    }

    @Test("folded text matches where Foundation's case- and diacritic-insensitive search does")
    func foldedMatches() {
        let texts = ["Chloé Haddad", "CHLOÉ", "Zoë Müller", "株式会社テック", "Café chat next week? Ça vous dit ?",
                     "Platform team lead 🚀", "다음 주 화요일 면접 가능하신가요?", "Ångström", "İstanbul", "Straße",
                     "naïve résumé", "Ｆｕｌｌｗｉｄｔｈ", "plain ascii Text"]
        let queries = ["chloe", "CHLOÉ", "zoe", "mull", "müll", "テック", "cafe", "ça", "ca vous", "🚀", "면접", "angstrom",
                       "istanbul", "strasse", "straße", "naive resume", "RÉSUMÉ", "fullwidth", "ascii t", "x", "é", "e"]
        for t in texts {
            let hay = SearchText.folded(t)
            for q in queries {
                let expected = t.range(of: q, options: [.caseInsensitive, .diacriticInsensitive]) != nil
                #expect(SearchText.contains(hay, SearchText.folded(q)) == expected, "'\(q)' in '\(t)'")
            }
        }
    }

    @Test("folding simple text scalar by scalar equals Foundation's folding of the whole text")
    func scalarFolding() throws {
        let db = try IndexTests.demo(300, 3_000, seed: 13)
        var texts = ["Chloé Haddad", "ÉCOLE", "Straße", "Øresund", "Łódź", "İstanbul", "ΣΊΣΥΦΟΣ ς", "Ǆemal", "ﬁne", "株式会社テック",
                     "がぎぐ パピプ", "한국어 면접", "Ｆｕｌｌ", "Ⅻ ⅻ", "café — “quoted” …", "😀🚀"]
        for r in db.recruiters.values {
            texts += [r.name, r.firm ?? ""] + db.thread(r.id).compactMap(\.subject)
        }
        var simple = 0
        for t in texts where DisplayWidth.isSimple(t) && !t.utf8.allSatisfy({ $0 < 0x80 }) {
            simple += 1
            #expect(SearchText.folded(t) == Array(SearchText.foundationFolded(t)), "'\(t)'")
        }
        #expect(simple > 50)
    }

    @Test("search on demo data finds the recruiters Foundation's search finds", arguments: [9] as [UInt64])
    func searchMatches(seed: UInt64) throws {
        let db = try IndexTests.demo(120, 1_200, seed: seed)
        let s = AppState(db: db, now: IndexTests.now, width: 120, height: 40)
        // Pieces of the data itself (names, firms, words of bodies) in other cases, and misses.
        var rng = SeededGenerator(state: seed)
        var queries = ["dana", "DANA", "chloe", "café", "remote", "zz-nothing", "テ", "salary range"]
        var words: [String] = []
        for r in db.recruiters.values.sorted(by: { uuidLess($0.id, $1.id) }) {
            for text in [r.name, r.firm ?? ""] + db.thread(r.id).prefix(2).compactMap(\.body) {
                words += text.split(separator: " ").map(String.init)
            }
        }
        for _ in 0..<25 {
            let w = words.randomElement(using: &rng)!
            queries.append(Bool.random(using: &rng) ? w.uppercased() : String(w.prefix(3)))
        }
        for q in queries {
            for id in s.order {
                #expect(matches(s, id, q) == IndexTests.plainMatch(db, id, q), "'\(q)'")
            }
        }
    }

    @Test("typing a query character by character selects what a search from the origin selects")
    func incrementalSearch() throws {
        let db = try IndexTests.demo(150, 1_500, seed: 11)
        var s = AppState(db: db, now: IndexTests.now, width: 120, height: 40)
        _ = update(&s, .move(7))
        let origin = s.recruiterCursor
        for query in ["dana", "salary", "chloé", "remotely", "zzz", "ha"] {
            var t = s
            _ = update(&t, .search)
            for (k, ch) in query.enumerated() {
                _ = update(&t, .input(.char(ch)))
                let prefix = String(query.prefix(k + 1))
                let expected = findMatch(s, prefix, from: origin, step: 1) ?? origin
                #expect(t.recruiterCursor == expected, "'\(prefix)'")
                guard case .search(let search) = t.overlays.last else {
                    Issue.record("the search prompt closed")
                    return
                }
                let plainFound = s.order.indices.contains { IndexTests.plainMatch(db, s.order[$0], prefix) }
                #expect(search.miss == !plainFound, "'\(prefix)'")
            }
            // Backspace: the shorter query again, searched from the origin.
            _ = update(&t, .input(.backspace))
            let shorter = String(query.dropLast())
            #expect(t.recruiterCursor == (findMatch(s, shorter, from: origin, step: 1) ?? origin), "'\(shorter)'")
        }
    }

    @Test("the flags in words from the evaluation equal the rules' own, for every recruiter")
    func reasonsFromTheEvaluation() throws {
        var db = try IndexTests.demo(200, 2_000, seed: 12)
        // Two recruiters who put the candidate forward for one role: duplicate-submission.
        let ids = Array(db.recruiters.keys.sorted(by: uuidLess).prefix(2))
        for id in ids {
            try db.apply(.putOpportunity(Opportunity(recruiterID: id, role: "Staff Engineer", employer: "Same Co", stage: .screen)))
        }
        let s = AppState(db: db, now: IndexTests.now, width: 120, height: 40)
        #expect(s.statuses[ids[0]]?.flags.contains(.duplicateSubmission) == true)
        for id in db.recruiters.keys {
            #expect(s.flagReasons(of: id) == Rules.reasons(of: id, in: db, now: IndexTests.now, policy: .default))
        }
    }
}
