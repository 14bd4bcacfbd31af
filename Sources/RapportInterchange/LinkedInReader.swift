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
    /// Recipient names (split on commas).
    public var to: [String]
    public var recipientURLs: [String]
    public var date: Date
    public var subject: String?
    public var content: String?
    public var folder: String?
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

/// Reads the two LinkedIn CSV files, tolerating their quirks: a UTF-8 BOM, headers in any
/// case with columns missing or added, quoted multi-line content, HTML entities,
/// mojibake, `LinkedIn Member`, drafts, and the notes preamble of `Connections.csv`.
public enum LinkedInReader {
    public static func messages(
        _ text: String, file: String = "messages.csv", progress: CSVTable.Progress? = nil
    ) throws -> (rows: [LinkedInMessageRow], skipped: [SkippedRow]) {
        let table: CSVTable
        do { table = try CSVTable.read(text, progress: progress) } catch { throw InterchangeError("\(file): \(error)") }
        let col = (
            conv: table.column("CONVERSATION ID"), title: table.column("CONVERSATION TITLE"),
            from: table.column("FROM"), senderURL: table.column("SENDER PROFILE URL"),
            to: table.column("TO"), recipientURLs: table.column("RECIPIENT PROFILE URLS", "RECIPIENT PROFILE URL"),
            date: table.column("DATE"), subject: table.column("SUBJECT"), content: table.column("CONTENT"),
            folder: table.column("FOLDER"), draft: table.column("IS MESSAGE DRAFT")
        )
        var missing: [String] = []
        if col.conv == nil { missing.append("CONVERSATION ID") }
        if col.from == nil { missing.append("FROM") }
        if col.date == nil { missing.append("DATE") }
        guard missing.isEmpty else {
            throw InterchangeError("\(file): not a LinkedIn messages file (no \(missing.joined(separator: ", ")) column in the header)")
        }
        var rows: [LinkedInMessageRow] = []
        var skipped: [SkippedRow] = []
        rows.reserveCapacity(table.records.count)
        for r in table.records {
            func skip(_ reason: String) { skipped.append(SkippedRow(file: file, line: r.line, reason: reason)) }
            if r.fields.count != table.header.count {
                skip("\(r.fields.count) fields where the header has \(table.header.count) (broken quoting?)")
                continue
            }
            if let d = r[col.draft], ["yes", "true", "1"].contains(d.lowercased()) {
                skip("draft, never sent")
                continue
            }
            guard let conv = r[col.conv]?.trimmingCharacters(in: .whitespaces), !conv.isEmpty else {
                skip("no CONVERSATION ID"); continue
            }
            guard let from = TextRepair.clean(r[col.from]) else { skip("no FROM"); continue }
            guard let rawDate = r[col.date] else { skip("no DATE"); continue }
            guard let date = parseDate(rawDate) else { skip("DATE \"\(rawDate.prefix(40))\" is not a date"); continue }
            let to = (r[col.to] ?? "").split(separator: ",").compactMap { TextRepair.clean(String($0)) }
            let urls = (r[col.recipientURLs] ?? "").split(separator: ",").compactMap { TextRepair.clean(String($0)) }
            rows.append(LinkedInMessageRow(
                line: r.line, conversationID: conv, conversationTitle: TextRepair.clean(r[col.title]),
                from: from, senderURL: TextRepair.clean(r[col.senderURL]), to: to, recipientURLs: urls, date: date,
                subject: TextRepair.clean(r[col.subject]).map(TextRepair.decodeHTML),
                content: TextRepair.clean(r[col.content]).map(TextRepair.decodeHTML),
                folder: TextRepair.clean(r[col.folder])))
        }
        return (rows, skipped)
    }

    public static func connections(
        _ text: String, file: String = "Connections.csv"
    ) throws -> (rows: [LinkedInConnection], skipped: [SkippedRow]) {
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
        for r in table.records {
            if r.fields.count != table.header.count {
                skipped.append(SkippedRow(file: file, line: r.line,
                                          reason: "\(r.fields.count) fields where the header has \(table.header.count) (broken quoting?)"))
                continue
            }
            // A date that does not read is a malformed row: skipped and reported, never
            // imported half (without its date).
            if let raw = r[col.connected], !raw.trimmingCharacters(in: .whitespaces).isEmpty, parseDay(raw) == nil {
                skipped.append(SkippedRow(file: file, line: r.line, reason: "Connected On '\(raw)' is not a date like 15 Jan 2023"))
                continue
            }
            let c = LinkedInConnection(
                line: r.line, firstName: TextRepair.clean(r[col.first]), lastName: TextRepair.clean(r[col.last]),
                url: TextRepair.clean(r[col.url]), email: TextRepair.clean(r[col.email]),
                company: TextRepair.clean(r[col.company]), position: TextRepair.clean(r[col.position]),
                connectedOn: r[col.connected].flatMap(parseDay))
            if c.fullName.isEmpty && c.url == nil {
                skipped.append(SkippedRow(file: file, line: r.line, reason: "no name and no URL"))
                continue
            }
            rows.append(c)
        }
        return (rows, skipped)
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

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `15 Jan 2023`, `Jan 15, 2023`, `2023-01-15` or `01/15/2023` → midnight UTC.
    public static func parseDay(_ s: String) -> Date? {
        let tokens = s.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" || $0 == "/" || $0 == "." })
        let named = tokens.lazy.compactMap { tok in months.firstIndex { tok.hasPrefix($0) } }.first
        let numbers = tokens.compactMap { Int($0) }
        let y: Int?, m: Int?, d: Int?
        if let named {
            m = named + 1
            y = numbers.first { $0 > 31 }
            d = numbers.first { $0 <= 31 }
        } else if numbers.count == 3 {
            (y, m, d) = numbers[0] > 31 ? (numbers[0], numbers[1], numbers[2]) : (numbers[2], numbers[0], numbers[1])
        } else {
            return nil
        }
        guard let y, let m, let d, y > 1900, (1...12).contains(m), (1...31).contains(d) else { return nil }
        var c = DateComponents(year: y, month: m, day: d)
        c.timeZone = utc
        return calendar.date(from: c)
    }

    private static var calendar: Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = utc
        return cal
    }
}


/// The two files of a LinkedIn export, found in a folder, a zip or given singly.
public struct LinkedInFiles: Sendable {
    public var messages: String?
    public var connections: String?
    public var messagesName = "messages.csv"
    public var connectionsName = "Connections.csv"
    /// Total bytes read, for deciding whether to show progress.
    public var size = 0

    public init(messages: String? = nil, connections: String? = nil) {
        self.messages = messages
        self.connections = connections
    }

    /// Loads from the unzipped export folder, the zip itself, or one CSV file.
    public static func load(path: String) throws -> LinkedInFiles {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { throw InterchangeError("\(path): no such file or folder") }
        var files = LinkedInFiles()
        if isDir.boolValue {
            let names = (try? fm.contentsOfDirectory(atPath: path)) ?? []
            for n in names {
                let full = (path as NSString).appendingPathComponent(n)
                switch n.lowercased() {
                case "messages.csv": files.messages = try readText(full); files.messagesName = n
                case "connections.csv": files.connections = try readText(full); files.connectionsName = n
                default: break
                }
            }
        } else if path.lowercased().hasSuffix(".zip") || isZip(path) {
            try files.readZip(path)
        } else {
            let text = try readText(path)
            let name = (path as NSString).lastPathComponent
            let head = CSVTable.normalize(String(text.prefix(2000)))
            if name.lowercased().hasPrefix("connections") || (!head.contains("conversationid") && head.contains("firstname,")) {
                files.connections = text; files.connectionsName = name
            } else {
                files.messages = text; files.messagesName = name
            }
        }
        guard files.messages != nil || files.connections != nil else {
            throw InterchangeError("\(path): no messages.csv or Connections.csv in this LinkedIn export")
        }
        files.size = (files.messages?.utf8.count ?? 0) + (files.connections?.utf8.count ?? 0)
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
            guard lower == "messages.csv" || lower == "connections.csv" else { continue }
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
            if lower == "messages.csv" { messages = TextRepair.decode(data); messagesName = name } else {
                connections = TextRepair.decode(data); connectionsName = name
            }
        }
    }
}
