import Foundation

/// What an import takes in at most, counted on the bytes actually read or decompressed
/// (never on what a zip header or a length field claims). Each refusal is one line that
/// names the cap and the file; nothing is written.
public enum InputLimits {
    /// One file taken out of a zip, decompressed.
    public static let zipEntry = 256 << 20
    /// One CSV field, or one (unfolded) vCard / iCalendar property.
    public static let field = 4 << 20
    /// One CSV row (record), or one vCard card.
    public static let row = 8 << 20
    /// One file given to an import (a CSV, a vCard, a JSON file, one file of a LinkedIn
    /// export folder or zip). The importers hold the whole text while they plan and the
    /// store encodes the whole batch, about 17 bytes of memory per byte of a LinkedIn
    /// export (measured: 16 MiB of messages.csv, 281 MB peak), so this is what keeps an
    /// import under 300 MB whatever the input.
    public static let file = 16 << 20

    static func mib(_ n: Int) -> String { "\(n >> 20) MiB" }

    /// The refusal line: "FILE: a field is longer than 4 MiB (line 3); nothing was imported".
    static func refusal(_ file: String, _ what: String, cap: Int, line: Int?) -> InterchangeError {
        let at = line.map { " (line \($0))" } ?? ""
        return InterchangeError("\(file): \(what) is longer than the \(mib(cap)) cap\(at); nothing was imported")
    }

    /// A zip entry that inflates past `zipEntry` (or whose header says it would).
    static func zipRefusal(_ entry: String) -> InterchangeError {
        InterchangeError("\(entry): decompresses to more than the \(mib(zipEntry)) cap for a zip entry; nothing was imported")
    }

    static func fileRefusal(_ file: String) -> InterchangeError {
        InterchangeError("\(file): the file is larger than the \(mib(InputLimits.file)) cap for an import; nothing was imported")
    }

    /// Reads a whole file, refusing at `InputLimits.file` bytes actually read (a device
    /// or a growing file that reports a small size is still stopped there).
    public static func readFile(_ path: String, displayName: String? = nil, cap: Int = InputLimits.file,
                                checkingCSV: Bool = false) throws -> Data {
        let name = displayName ?? path
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw InterchangeError("\(name): cannot read")
        }
        defer { try? h.close() }
        var data = Data()
        // A CSV's fields and rows are checked as the bytes come in, so a huge field is
        // named as such (and refused) before the file cap is reached.
        var scanner = checkingCSV ? CSVScanner(file: name) : nil
        while true {
            let chunk: Data
            do { chunk = try h.read(upToCount: 1 << 20) ?? Data() } catch {
                throw InterchangeError("\(name): cannot read (\(error.localizedDescription))")
            }
            if chunk.isEmpty { break }
            try scanner?.feed(chunk)
            guard data.count + chunk.count <= cap else {
                throw fileRefusal(name)
            }
            data.append(chunk)
        }
        return data
    }

    /// Checks a CSV text's fields and rows against the caps in one linear pass over the
    /// bytes (RFC 4180 quoting: a quoted field may hold separators and line breaks).
    public static func checkCSV(_ bytes: [UInt8], file: String) throws {
        var scanner = CSVScanner(file: file)
        try bytes.withUnsafeBytes { try scanner.feed($0) }
    }

    public static func checkCSV(_ data: Data, file: String) throws {
        var scanner = CSVScanner(file: file)
        try scanner.feed(data)
    }

    /// Checks a vCard / iCalendar text: an unfolded property against the field cap and a
    /// card (BEGIN:VCARD to END:VCARD) against the row cap, in one pass over the bytes.
    public static func checkContentLines<C: Collection>(_ bytes: C, file: String) throws where C.Element == UInt8 {
        var property = 0
        var card = 0
        var lineNo = 1
        var propertyLine = 1
        var atLineStart = true
        var lineStart: [UInt8] = []
        for b in bytes {
            if b == 0x0A || b == 0x0D {
                if b == 0x0A { lineNo += 1 }
                atLineStart = true
                lineStart.removeAll(keepingCapacity: true)
                continue
            }
            if atLineStart {
                atLineStart = false
                if b != 0x20 && b != 0x09 {
                    property = 0
                    propertyLine = lineNo
                }
            }
            if lineStart.count < 12 {
                lineStart.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
                if lineStart.count == 11 && lineStart == Array("begin:vcard".utf8) { card = 0 }
            }
            property += 1
            card += 1
            if property > field { throw refusal(file, "a property", cap: field, line: propertyLine) }
            if card > row { throw refusal(file, "a card", cap: row, line: propertyLine) }
        }
    }
}

/// The CSV cap check, fed in chunks (as a zip entry is decompressed).
struct CSVScanner {
    let file: String
    private var inQuotes = false
    private var quotePending = false
    private var fieldBytes = 0
    private var rowBytes = 0
    private var lineNo = 1
    private var rowLine = 1
    private var pendingCR = false

    init(file: String) { self.file = file }

    mutating func feed(_ data: Data) throws {
        try data.withUnsafeBytes { try feed($0) }
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws {
        for b in bytes {
            if b == 0x0A { lineNo += 1 }
            if inQuotes {
                if quotePending {
                    quotePending = false
                    if b == UInt8(ascii: "\"") { fieldBytes += 1; rowBytes += 1; try check(); continue }
                    inQuotes = false
                    // Falls through: the byte after a closing quote is read outside quotes.
                } else if b == UInt8(ascii: "\"") {
                    quotePending = true
                    continue
                } else {
                    fieldBytes += 1
                    rowBytes += 1
                    try check()
                    continue
                }
            }
            switch b {
            case UInt8(ascii: "\""):
                inQuotes = true
            case UInt8(ascii: ","):
                fieldBytes = 0
                rowBytes += 1
            case 0x0A, 0x0D:
                fieldBytes = 0
                rowBytes = 0
                rowLine = lineNo
            default:
                fieldBytes += 1
                rowBytes += 1
            }
            try check()
        }
    }

    private func check() throws {
        if fieldBytes > InputLimits.field { throw InputLimits.refusal(file, "a field", cap: InputLimits.field, line: rowLine) }
        if rowBytes > InputLimits.row { throw InputLimits.refusal(file, "a row", cap: InputLimits.row, line: rowLine) }
    }
}
