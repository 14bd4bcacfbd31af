import CSV
import Foundation

/// One CSV record with the line it starts on (records may span lines).
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]
}

/// A CSV file read with yaslab/CSV.swift: a header and records that know their line.
public struct CSVTable: Sendable {
    /// Header cells as written (BOM and surrounding spaces removed).
    public var header: [String]
    /// Line of the header (1-based).
    public var headerLine: Int
    public var records: [CSVRecord]

    /// Progress callback: (characters consumed, total characters).
    public typealias Progress = (Int, Int) -> Void

    /// Reads `text`. The header is the first line for which `isHeader` says yes (lines
    /// before it, e.g. LinkedIn's notes preamble, are ignored); by default the first
    /// line. Blank records are dropped. Throws when no header line is found.
    public static func read(
        _ text: String, isHeader: ((String) -> Bool)? = nil, progress: Progress? = nil
    ) throws -> CSVTable {
        var body = Substring(text)
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        var headerLine = 1
        if let isHeader {
            var found = false
            while !body.isEmpty {
                let end = body.firstIndex(where: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) ?? body.endIndex
                if isHeader(String(body[..<end])) { found = true; break }
                body = end == body.endIndex ? body[end...] : body[body.index(after: end)...]
                headerLine += 1
            }
            guard found else { throw InterchangeError("no header line found") }
        }
        let total = body.utf8.count
        let reader: CSVReader
        do {
            reader = try CSVReader(string: String(body), hasHeaderRow: false)
        } catch {
            throw InterchangeError("cannot read the CSV header (\(error))")
        }
        guard let rawHeader = reader.next() else { throw InterchangeError("the file is empty") }
        let header = rawHeader.map { $0.replacingOccurrences(of: "\u{FEFF}", with: "").trimmingCharacters(in: .whitespaces) }
        var line = headerLine + 1 + rawHeader.reduce(0) { $0 + newlines(in: $1) }
        var consumed = rawHeader.reduce(rawHeader.count) { $0 + $1.utf8.count }
        var records: [CSVRecord] = []
        while let row = reader.next() {
            let isBlank = row.count == 1 && row[0].isEmpty
            if !isBlank { records.append(CSVRecord(line: line, fields: row)) }
            line += 1 + row.reduce(0) { $0 + newlines(in: $1) }
            if let progress {
                consumed += row.reduce(row.count) { $0 + $1.utf8.count + 2 }
                if records.count % 500 == 0 { progress(min(consumed, total), total) }
            }
        }
        progress?(total, total)
        return CSVTable(header: header, headerLine: headerLine, records: records)
    }

    private static func newlines(in s: String) -> Int {
        var n = 0
        for u in s.utf8 where u == 0x0A { n += 1 }
        return n
    }

    /// Index of the first header cell equal to one of `names`, ignoring case, spaces,
    /// `_` and `-` (`Conversation ID`, `CONVERSATION_ID` and `conversation id` match).
    public func column(_ names: String...) -> Int? {
        let wanted = Set(names.map(CSVTable.normalize))
        return header.firstIndex { wanted.contains(CSVTable.normalize($0)) }
    }

    static func normalize(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.filter { !" _-\t".unicodeScalars.contains($0) }.map(Character.init))
    }
}

extension CSVRecord {
    /// The cell at `index`, or nil when the column is absent or the cell empty.
    public subscript(_ index: Int?) -> String? {
        guard let index, index < fields.count else { return nil }
        let v = fields[index]
        return v.isEmpty ? nil : v
    }
}
