import Foundation
import RapportCore
import ZIPFoundation

/// One row of LinkedIn's `messages.csv`, cleaned (mojibake repaired, HTML decoded).
public struct LinkedInMessageRow: Sendable, Equatable {
    public var line: Int
    public var conversationID: String
    public var conversationTitle: String?
    public var from: String
    public var senderURL: String?
    /// Recipient names (split on the commas between names, not inside one such as
    /// `Jane Doe, SHRM-CP`).
    public var to: [String]
    public var recipientURLs: [String]
    public var date: Date
    public var subject: String?
    public var content: String?
    public var folder: String?
    /// Links from the `ATTACHMENTS` column.
    public var attachments: [String] = []
    /// Sponsored InMail or marketing (spinmail HTML, `%FIRSTNAME%`, no sender URL in an
    /// export that has the column): never outreach. `content` is then the raw text.
    public var sponsored = false
}

/// One row of LinkedIn's `Connections.csv`.
public struct LinkedInConnection: Sendable, Equatable {
    public var line: Int
    public var firstName: String?
    public var lastName: String?
    public var url: String?
    public var email: String?
    public var company: String?
    public var position: String?
    public var connectedOn: Date?

    public var fullName: String {
        [firstName, lastName].compactMap { $0 }.joined(separator: " ")
    }
}

/// One row of LinkedIn's `Invitations.csv`.
public struct LinkedInInvitation: Sendable, Equatable {
    public var line: Int
    public var from: String
    public var to: String
    public var sentAt: Date?
    public var message: String?
    /// `INCOMING` / `OUTGOING`; nil when the column is absent or says something else.
    public var incoming: Bool?
    public var inviterURL: String?
    public var inviteeURL: String?
}

/// How a file writes its numeric dates: `04/05/2023` is 5 April month-first, 4 May day-first.
public enum DayOrder: String, Sendable, Equatable {
    case monthFirst = "month/day/year"
    case dayFirst = "day/month/year"

    /// Decides from the values of one column: a first number over 12 settles day-first,
    /// a second over 12 month-first. `settled` is false when no value decided it
    /// (month-first is taken, as LinkedIn writes) or when values disagree.
    public static func decide(_ values: [String]) -> (order: DayOrder, settled: Bool, conflict: Bool) {
        var dayFirst = false, monthFirst = false, numeric = false
        for v in values {
            guard let (a, b, _) = numericTriple(v), a <= 31 else { continue }
            numeric = true
            if a > 12 { dayFirst = true }
            if b > 12 { monthFirst = true }
        }
        if dayFirst && monthFirst { return (.monthFirst, false, true) }
        if dayFirst { return (.dayFirst, true, false) }
        return (.monthFirst, monthFirst || !numeric, false)
    }

    /// `15/01/2023`, `1.15.23`, `2023-01-15` → the three numbers, if the value is just that.
    static func numericTriple(_ s: String) -> (Int, Int, Int)? {
        let parts = s.trimmingCharacters(in: .whitespaces).split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." })
        guard parts.count == 3 else { return nil }
        let n = parts.compactMap { Int($0) }
        guard n.count == 3 else { return nil }
        return (n[0], n[1], n[2])
    }
}

/// Reads the LinkedIn CSV files, tolerating their quirks: a UTF-8 BOM, headers in any
/// case with columns missing or added, quoted multi-line content, HTML entities,
/// mojibake, `LinkedIn Member`, drafts, and the notes preamble of `Connections.csv`.
public enum LinkedInReader {
    public static func messages(
        _ text: String, file: String = "messages.csv", progress: CSVTable.Progress? = nil
    ) throws -> (rows: [LinkedInMessageRow], skipped: [SkippedRow], notes: [String]) {
        let table: CSVTable
        do { table = try CSVTable.read(text, progress: progress) } catch { throw InterchangeError("\(file): \(error)") }
        let col = (
            conv: table.column("CONVERSATION ID"), title: table.column("CONVERSATION TITLE"),
            from: table.column("FROM"), senderURL: table.column("SENDER PROFILE URL"),
            to: table.column("TO"), recipientURLs: table.column("RECIPIENT PROFILE URLS", "RECIPIENT PROFILE URL"),
            date: table.column("DATE"), subject: table.column("SUBJECT"), content: table.column("CONTENT"),
            folder: table.column("FOLDER"), draft: table.column("IS MESSAGE DRAFT"),
            conversationDraft: table.column("IS CONVERSATION DRAFT"), attachments: table.column("ATTACHMENTS")
        )
        var missing: [String] = []
        if col.conv == nil { missing.append("CONVERSATION ID") }
        if col.from == nil { missing.append("FROM") }
        if col.date == nil { missing.append("DATE") }
        guard missing.isEmpty else {
            throw InterchangeError("\(file): not a LinkedIn messages file (no \(missing.joined(separator: ", ")) column in the header)")
        }
        var rawTo: [String] = []
        var notes: [String] = []
        // A spreadsheet resave writes `11/06/2023 15:33`: day or month first is decided
        // once for the file, from all its DATE values, the first time one needs it.
        var fileOrder: DayOrder?
        func readDate(_ raw: String) -> Date? {
            if let d = parseDate(raw) { return d }
            if fileOrder == nil {
                let days = table.records.compactMap { $0[col.date]?.split(whereSeparator: { $0 == " " || $0 == "," }).first.map(String.init) }
                let (order, settled, conflict) = DayOrder.decide(days)
                fileOrder = order
                if conflict {
                    notes.append("\(file): DATE mixes day/month/year and month/day/year; each is read the way it fits, month first when both do")
                } else if !settled {
                    notes.append("\(file): dates like \(raw) read as month/day/year (no day over 12 settles it)")
                }
            }
            return parseDateTime(raw, order: fileOrder ?? .monthFirst)
        }
        var rows: [LinkedInMessageRow] = []
        var skipped: [SkippedRow] = []
        rows.reserveCapacity(table.records.count)
        func yes(_ s: String?) -> Bool { s.map { ["yes", "true", "1"].contains($0.lowercased()) } ?? false }
        for r in table.records {
            func skip(_ reason: String) { skipped.append(SkippedRow(file: file, line: r.line, reason: reason)) }
            if r.fields.count != table.header.count {
                skip("\(r.fields.count) fields where the header has \(table.header.count) (broken quoting?)")
                continue
            }
            if yes(r[col.draft]) || yes(r[col.conversationDraft]) {
                skip(draftReason)
                continue
            }
            guard let conv = r[col.conv]?.trimmingCharacters(in: .whitespaces), !conv.isEmpty else {
                skip("no CONVERSATION ID"); continue
            }
            guard let from = TextRepair.clean(r[col.from]) else { skip("no FROM"); continue }
            guard let rawDate = r[col.date] else { skip("no DATE"); continue }
            guard let date = readDate(rawDate) else { skip("DATE \"\(rawDate.prefix(40))\" is not a date"); continue }
            let urls = (r[col.recipientURLs] ?? "").split(separator: ",").compactMap { TextRepair.clean(String($0)) }
            rawTo.append(r[col.to] ?? "")
            let rawContent = TextRepair.clean(r[col.content])
            let senderURL = TextRepair.clean(r[col.senderURL])
            let folder = TextRepair.clean(r[col.folder])
            var sponsored = RecruiterEvidence.isSponsored(content: rawContent, folder: folder)
            if !sponsored, col.senderURL != nil, senderURL == nil, from != LinkedInImporter.hiddenMember,
               let c = rawContent?.lowercased(), c.contains("<style") || c.contains("<table") || c.contains("<html") {
                sponsored = true
            }
            rows.append(LinkedInMessageRow(
                line: r.line, conversationID: conv, conversationTitle: TextRepair.clean(r[col.title]),
                from: from, senderURL: senderURL, to: [], recipientURLs: urls, date: date,
                subject: TextRepair.clean(r[col.subject]).map(TextRepair.decodeHTML),
                content: sponsored ? rawContent : rawContent.map(TextRepair.decodeHTML),
                folder: folder, attachments: links(r[col.attachments]), sponsored: sponsored))
        }
        // Recipients split once every sender's name is known, so `Jane Doe, SHRM-CP` stays one person.
        let senders = Set(rows.map { $0.from.lowercased() })
        for i in rows.indices { rows[i].to = splitNames(rawTo[i], known: senders, count: rows[i].recipientURLs.count) }
        return (rows, skipped, notes)
    }

    /// The reason a draft row is skipped (the import counts these).
    public static let draftReason = "draft, never sent"

    /// The http(s) links in an `ATTACHMENTS` cell.
    static func links(_ cell: String?) -> [String] {
        guard let cell else { return [] }
        return cell.split(whereSeparator: { $0.isWhitespace }).flatMap { $0.split(separator: ",") }
            .map(String.init).filter { $0.lowercased().hasPrefix("http://") || $0.lowercased().hasPrefix("https://") }
    }

    /// Splits a `TO` cell on commas, but keeps `Jane Doe, SHRM-CP` together: when the joined
    /// text is a known sender's name, or the part after the comma is a credential
    /// (`PhD`, `MBA`, `SHRM-CP`, `Jr.`), or there are more parts than recipient URLs.
    static func splitNames(_ cell: String, known: Set<String>, count urlCount: Int) -> [String] {
        let parts = cell.split(separator: ",").compactMap { TextRepair.clean(String($0)) }
        guard parts.count > 1 else { return parts }
        var out: [String] = []
        for p in parts {
            if let last = out.last {
                let joined = last + ", " + p
                if known.contains(joined.lowercased()) || isCredential(p) {
                    out[out.count - 1] = joined
                    continue
                }
            }
            out.append(p)
        }
        if urlCount == 1 && out.count > 1 && !out.allSatisfy({ known.contains($0.lowercased()) }) {
            return [out.joined(separator: ", ")]
        }
        return out
    }

    private static let credentials: Set<String> = [
        "phd", "ph.d.", "mba", "msc", "bsc", "ma", "ba", "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "cpa", "pmp", "md",
        "dr", "esq", "esq.", "cir", "phr", "sphr", "cdr", "acc", "pcc",
    ]

    /// `SHRM-CP`, `PhD`, `MBA`, `CIR`: one short word, a known credential or all capitals.
    static func isCredential(_ s: String) -> Bool {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, !t.contains(" "), t.count <= 10 else { return false }
        if credentials.contains(t.lowercased()) { return true }
        let letters = t.unicodeScalars.filter { CharacterSet.letters.contains($0) }
        return letters.count >= 2 && t == t.uppercased() && t.unicodeScalars.allSatisfy {
            CharacterSet.uppercaseLetters.contains($0) || CharacterSet.decimalDigits.contains($0) || $0 == "-" || $0 == "."
        }
    }

    public static func connections(
        _ text: String, file: String = "Connections.csv"
    ) throws -> (rows: [LinkedInConnection], skipped: [SkippedRow], notes: [String]) {
        let table: CSVTable
        do {
            table = try CSVTable.read(text, isHeader: { line in
                CSVTable.normalize(line.replacingOccurrences(of: "\"", with: "")).hasPrefix("firstname,")
            })
        } catch {
            throw InterchangeError("\(file): not a LinkedIn connections file (no \"First Name, Last Name, …\" header)")
        }
        let col = (
            first: table.column("First Name"), last: table.column("Last Name"), url: table.column("URL", "Profile URL"),
            email: table.column("Email Address", "Email"), company: table.column("Company"),
            position: table.column("Position"), connected: table.column("Connected On")
        )
        var rows: [LinkedInConnection] = []
        var skipped: [SkippedRow] = []
        var notes: [String] = []
        let dates = table.records.compactMap { $0[col.connected] }
        let (order, settled, conflict) = DayOrder.decide(dates)
        if conflict {
            notes.append("\(file): Connected On mixes day/month/year and month/day/year dates; each is read the way it fits, month first when both do")
        } else if !settled {
            notes.append("\(file): dates like \(dates.first { DayOrder.numericTriple($0) != nil } ?? "") read as month/day/year (no day over 12 settles it)")
        }
        for r in table.records {
            if r.fields.count != table.header.count {
                skipped.append(SkippedRow(file: file, line: r.line,
                                          reason: "\(r.fields.count) fields where the header has \(table.header.count) (broken quoting?)"))
                continue
            }
            // The date is optional: a row whose date does not read comes in without it.
            var connectedOn: Date?
            if let raw = r[col.connected], !raw.trimmingCharacters(in: .whitespaces).isEmpty {
                connectedOn = parseDay(raw, order: order)
                if connectedOn == nil {
                    notes.append("\(file):\(r.line): Connected On '\(raw)' is not a date like 15 Jan 2023; imported without it")
                }
            }
            let c = LinkedInConnection(
                line: r.line, firstName: TextRepair.clean(r[col.first]), lastName: TextRepair.clean(r[col.last]),
                url: TextRepair.clean(r[col.url]), email: TextRepair.clean(r[col.email]),
                company: TextRepair.clean(r[col.company]), position: TextRepair.clean(r[col.position]),
                connectedOn: connectedOn)
            if c.fullName.isEmpty && c.url == nil {
                skipped.append(SkippedRow(file: file, line: r.line, reason: "no name and no URL"))
                continue
            }
            rows.append(c)
        }
        return (rows, skipped, notes)
    }

    /// `Invitations.csv`: `From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl`.
    public static func invitations(
        _ text: String, file: String = "Invitations.csv"
    ) throws -> (rows: [LinkedInInvitation], skipped: [SkippedRow], notes: [String]) {
        let table: CSVTable
        do {
            table = try CSVTable.read(text, isHeader: { CSVTable.normalize($0.replacingOccurrences(of: "\"", with: "")).hasPrefix("from,to,") })
        } catch {
            throw InterchangeError("\(file): not a LinkedIn invitations file (no \"From,To,Sent At,…\" header)")
        }
        let col = (
            from: table.column("From"), to: table.column("To"), sent: table.column("Sent At"), message: table.column("Message"),
            direction: table.column("Direction"), inviter: table.column("inviterProfileUrl"), invitee: table.column("inviteeProfileUrl")
        )
        var rows: [LinkedInInvitation] = []
        var skipped: [SkippedRow] = []
        var notes: [String] = []
        for r in table.records {
            guard r.fields.count == table.header.count else {
                skipped.append(SkippedRow(file: file, line: r.line, reason: "\(r.fields.count) fields where the header has \(table.header.count) (broken quoting?)"))
                continue
            }
            guard let from = TextRepair.clean(r[col.from]), let to = TextRepair.clean(r[col.to]) else {
                skipped.append(SkippedRow(file: file, line: r.line, reason: "no From or To"))
                continue
            }
            var sentAt: Date?
            if let raw = r[col.sent] {
                sentAt = parseDateTime(raw)
                if sentAt == nil { notes.append("\(file):\(r.line): Sent At '\(raw)' is not a date like 1/29/26, 2:37 PM; read without it") }
            }
            let dir = r[col.direction]?.uppercased()
            rows.append(LinkedInInvitation(
                line: r.line, from: from, to: to, sentAt: sentAt,
                message: TextRepair.clean(r[col.message]).map(TextRepair.decodeHTML),
                incoming: dir == "INCOMING" ? true : dir == "OUTGOING" ? false : nil,
                inviterURL: TextRepair.clean(r[col.inviter]), inviteeURL: TextRepair.clean(r[col.invitee])))
        }
        return (rows, skipped, notes)
    }

    /// Your name from `Profile.csv` (`First Name,Last Name,Maiden Name,…`).
    public static func profileName(_ text: String) -> String? {
        guard let table = try? CSVTable.read(text), let r = table.records.first else { return nil }
        let name = [TextRepair.clean(r[table.column("First Name")]), TextRepair.clean(r[table.column("Last Name")])]
            .compactMap { $0 }.joined(separator: " ")
        return name.isEmpty ? nil : name
    }

    private static let utc = TimeZone(identifier: "UTC")!

    /// `2023-06-11 15:33:58 UTC`, `2023-06-11 15:33:58` (UTC), ISO 8601 with an offset.
    public static func parseDate(_ s: String) -> Date? {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.contains("T"), !t.hasSuffix("UTC"), let d = ISO8601.parse(t) { return d }
        let numbers = t.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard numbers.count >= 5, numbers[0] > 1900, (1...12).contains(numbers[1]), (1...31).contains(numbers[2]),
              (0...23).contains(numbers[3]), (0...59).contains(numbers[4]) else { return nil }
        let zone = t.uppercased()
        guard zone.hasSuffix("UTC") || zone.hasSuffix("GMT") || zone.hasSuffix("Z") || zone.last?.isNumber == true else { return nil }
        var c = DateComponents(year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4],
                               second: numbers.count > 5 ? numbers[5] : 0)
        c.timeZone = utc
        return calendar.date(from: c)
    }

    /// `1/29/26, 2:37 PM` (month first, as LinkedIn writes it; read as UTC),
    /// `29/01/2026 14:37` with `order: .dayFirst`, or any form `parseDate` reads.
    public static func parseDateTime(_ s: String, order: DayOrder = .monthFirst) -> Date? {
        if let d = parseDate(s) { return d }
        let t = s.trimmingCharacters(in: .whitespaces)
        let cut = t.firstIndex(where: { $0 == "," || $0 == " " }) ?? t.endIndex
        let halves = [String(t[..<cut]), String(t[cut...]).trimmingCharacters(in: CharacterSet(charactersIn: ", "))].filter { !$0.isEmpty }
        guard !halves.isEmpty, let day = parseDay(halves[0], order: order) else { return nil }
        guard halves.count == 2 else { return day }
        let upper = halves[1].uppercased()
        let nums = upper.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard nums.count >= 2, nums.count <= 3, (0...59).contains(nums[1]) else { return nil }
        var h = nums[0]
        if upper.hasSuffix("PM") || upper.hasSuffix("AM") {
            guard (1...12).contains(h) else { return nil }
            h = h % 12 + (upper.hasSuffix("PM") ? 12 : 0)
        }
        guard (0...23).contains(h) else { return nil }
        return day.addingTimeInterval(TimeInterval(h * 3600 + nums[1] * 60 + (nums.count == 3 ? nums[2] : 0)))
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// A two-digit year: 00–69 → 2000s, 70–99 → 1900s.
    private static func fullYear(_ y: Int) -> Int { y >= 100 ? y : y < 70 ? 2000 + y : 1900 + y }

    /// `15 Jan 2023`, `Jan 15, 2023`, `4-Apr-21`, `2023-01-15`, and `01/15/2023` or
    /// `15/01/2023` as `order` says → midnight UTC. Without `strict`, a value that does
    /// not fit `order` but fits the other one is read the other way.
    public static func parseDay(_ s: String, order: DayOrder = .monthFirst, strict: Bool = false) -> Date? {
        let tokens = s.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" || $0 == "/" || $0 == "." })
        let named = tokens.lazy.compactMap { tok in months.firstIndex { tok.hasPrefix($0) } }.first
        let numbers = tokens.compactMap { Int($0) }
        var y: Int?, m: Int?, d: Int?
        if let named {
            m = named + 1
            if let big = numbers.first(where: { $0 > 31 }) {
                y = big
                d = numbers.first { $0 <= 31 }
            } else if numbers.count == 2 {
                (d, y) = (numbers[0], fullYear(numbers[1]))
            }
        } else if numbers.count == 3, tokens.count == 3 {
            if numbers[0] > 31 {
                (y, m, d) = (numbers[0], numbers[1], numbers[2])
            } else {
                let (a, b) = (numbers[0], numbers[1])
                y = fullYear(numbers[2])
                (m, d) = order == .monthFirst ? (a, b) : (b, a)
                if !strict, !(1...12).contains(m!), (1...12).contains(d!) { swap(&m, &d) }
            }
        } else {
            return nil
        }
        guard let y, let m, let d, y > 1900, (1...12).contains(m), (1...31).contains(d) else { return nil }
        var c = DateComponents(year: y, month: m, day: d)
        c.timeZone = utc
        guard let date = calendar.date(from: c), calendar.component(.day, from: date) == d else { return nil }
        return date
    }

    private static var calendar: Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = utc
        return cal
    }
}

/// The files of a LinkedIn export Rapport reads, found in a folder, a zip or given singly.
public struct LinkedInFiles: Sendable {
    public var messages: String?
    public var connections: String?
    public var invitations: String?
    public var profile: String?
    public var messagesName = "messages.csv"
    public var connectionsName = "Connections.csv"
    public var invitationsName = "Invitations.csv"
    /// Total bytes read, for deciding whether to show progress.
    public var size = 0

    public init(messages: String? = nil, connections: String? = nil, invitations: String? = nil, profile: String? = nil) {
        self.messages = messages
        self.connections = connections
        self.invitations = invitations
        self.profile = profile
    }

    /// Whether a file of this (lower-cased) name is one the import reads.
    static func wanted(_ lower: String) -> Bool {
        ["messages.csv", "connections.csv", "invitations.csv", "profile.csv"].contains(lower)
    }

    /// Keeps the text of a wanted file under its role.
    mutating func keep(_ text: String, name: String) {
        switch name.lowercased() {
        case "messages.csv": messages = text; messagesName = name
        case "connections.csv": connections = text; connectionsName = name
        case "invitations.csv": invitations = text; invitationsName = name
        case "profile.csv": profile = text
        default: break
        }
    }

    /// Loads from the unzipped export folder, the zip itself, or one CSV file.
    public static func load(path: String) throws -> LinkedInFiles {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { throw InterchangeError("\(path): no such file or folder") }
        var files = LinkedInFiles()
        if isDir.boolValue {
            let names = (try? fm.contentsOfDirectory(atPath: path)) ?? []
            for n in names where wanted(n.lowercased()) {
                files.keep(try readText((path as NSString).appendingPathComponent(n)), name: n)
            }
        } else if path.lowercased().hasSuffix(".zip") || isZip(path) {
            try files.readZip(path)
        } else {
            let text = try readText(path)
            let name = (path as NSString).lastPathComponent
            let head = CSVTable.normalize(String(text.prefix(2000)))
            if name.lowercased().hasPrefix("invitations") || head.hasPrefix("from,to,sentat") {
                files.invitations = text; files.invitationsName = name
            } else if name.lowercased().hasPrefix("connections") || (!head.contains("conversationid") && head.contains("firstname,")) {
                files.connections = text; files.connectionsName = name
            } else {
                files.messages = text; files.messagesName = name
            }
        }
        guard files.messages != nil || files.connections != nil || files.invitations != nil else {
            throw InterchangeError("\(path): no messages.csv, Connections.csv or Invitations.csv in this LinkedIn export")
        }
        files.size = (files.messages?.utf8.count ?? 0) + (files.connections?.utf8.count ?? 0) + (files.invitations?.utf8.count ?? 0)
        return files
    }

    private static func readText(_ path: String) throws -> String {
        TextRepair.decode(try InputLimits.readFile(path, checkingCSV: true))
    }

    private static func isZip(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 4)) == Data([0x50, 0x4B, 0x03, 0x04])
    }

    private mutating func readZip(_ path: String) throws {
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw InterchangeError("\(path): not a readable zip file (\(error))")
        }
        for entry in archive where entry.type == .file {
            let name = (entry.path as NSString).lastPathComponent
            let lower = name.lowercased()
            guard LinkedInFiles.wanted(lower) else { continue }
            let where_ = "\(path): \(entry.path)"
            // The header's size only refuses early; what counts is what inflates.
            guard entry.uncompressedSize <= UInt64(InputLimits.zipEntry) else {
                throw InputLimits.zipRefusal(where_)
            }
            var data = Data()
            var inflated = 0
            var scanner = CSVScanner(file: where_)
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    inflated += chunk.count
                    guard inflated <= InputLimits.zipEntry else { throw InputLimits.zipRefusal(where_) }
                    try scanner.feed(chunk)
                    guard inflated <= InputLimits.file else { throw InputLimits.fileRefusal(where_) }
                    data.append(chunk)
                }
            } catch let e as InterchangeError {
                throw e
            } catch {
                throw InterchangeError("\(path): cannot unpack \(entry.path) (\(error))")
            }
            keep(TextRepair.decode(data), name: name)
        }
    }
}
