import Foundation
import Testing
import RapportCore
@testable import RapportStore

/// A corpus of broken snapshots, generated here: each must give the documented error
/// (file, position, pointer to the backup) and leave the file byte-identical.
@Suite struct MalformedInputTests {
    /// A valid snapshot of the sample store.
    static let valid: [UInt8] = {
        let dir = TempDir()
        let s = try! makeSampleStore(dir.paths)
        try! s.close()
        return bytes(dir.paths.snapshot)!
    }()

    /// Expects `Store.open` and `Store.check` to refuse `snapshot` with a message containing
    /// `fragment`, and that neither changes a byte or adds a file.
    func expectRefused(_ snapshot: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.paths.storeDirectory, withIntermediateDirectories: true)
        write(dir.paths.snapshot, snapshot)
        write(dir.paths.backup, Self.valid)
        let before = listing(dir.paths.storeDirectory)
        var message = ""
        do {
            _ = try Store.open(dir.paths)
            Issue.record("opened a broken store", sourceLocation: sourceLocation)
        } catch let e as RapportError {
            message = e.description
            #expect(e.exitCode == 1, sourceLocation: sourceLocation)
        }
        #expect(message.hasPrefix(dir.paths.snapshot + ": "), "names the file: \(message)", sourceLocation: sourceLocation)
        #expect(message.contains(fragment), "\(message)", sourceLocation: sourceLocation)
        #expect(message.contains("previous snapshot is \(dir.paths.backup)"), "\(message)", sourceLocation: sourceLocation)
        #expect(!message.contains("\n"), "one line", sourceLocation: sourceLocation)
        let report = Store.check(dir.paths)
        #expect(report.exitStatus == 1, sourceLocation: sourceLocation)
        #expect(report.lines.contains { $0.contains(fragment) }, sourceLocation: sourceLocation)
        #expect(bytes(dir.paths.snapshot) == snapshot, "byte-identical afterwards", sourceLocation: sourceLocation)
        #expect(listing(dir.paths.storeDirectory).filter { $0 != "store.lock" } == before.filter { $0 != "store.lock" },
                sourceLocation: sourceLocation)
    }

    func replacing(_ a: String, _ b: String) -> [UInt8] {
        let s = String(decoding: Self.valid, as: UTF8.self)
        precondition(s.contains(a))
        return Array(s.replacingOccurrences(of: a, with: b).utf8)
    }

    @Test func emptyAndNULFilesAreRefused() throws {
        try expectRefused([], "the file is empty (0 bytes)")
        try expectRefused([UInt8](repeating: 0, count: 4096), "line 1, column 1 (byte 0): unexpected NUL byte")
        try expectRefused(Array("\n\n  ".utf8), "only white space")
        try expectRefused(Array("hello".utf8), "line 1, column 1 (byte 0)")
    }

    @Test func everyTruncationOfAValidStoreIsRefused() throws {
        let lastBrace = Self.valid.lastIndex(of: UInt8(ascii: "}"))!
        for k in 0...lastBrace {
            try expectRefused(Array(Self.valid[0..<k]), k == 0 ? "empty" : "line ")
        }
    }

    @Test func invalidUTF8IsRefusedWithItsPosition() throws {
        var b = Self.valid
        let i = b.firstIndex(of: 0xC5)!  // the Ō in "Kenji Ōta"
        b[i] = 0xFF
        let (line, col) = JSONCheck.position(of: i, in: b)
        try expectRefused(b, "line \(line), column \(col) (byte \(i)): invalid UTF-8")
    }

    @Test func duplicateKeysAreRefusedNamingTheKey() throws {
        try expectRefused(replacing("\"name\" : \"Dana Smith\"", "\"name\" : \"Dana Smith\", \"name\" : \"Eve\""), "duplicate key \"name\"")
        try expectRefused(replacing("\"schemaVersion\" : 2", "\"schemaVersion\" : 2, \"schemaVersion\" : 2"), "duplicate key \"schemaVersion\"")
    }

    @Test func trailingCommasAreRefused() throws {
        try expectRefused(replacing("\"tags\" : [\n\n      ]", "\"tags\" : [\"a\",]"), "trailing comma before ']'")
        try expectRefused(replacing("\"seq\" : 7\n}", "\"seq\" : 7,\n}"), "trailing comma before '}'")
    }

    @Test func deepNestingHugeNumbersAndNaNAreRefused() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        try expectRefused(replacing("\"seq\" : 7", "\"seq\" : 7, \"deep\" : \(deep)"), "nesting deeper than \(JSONCheck.maxDepth) levels")
        try expectRefused(replacing("\"seq\" : 7", "\"seq\" : 7, \"big\" : 1e400"), "the number 1e400 is out of range")
        try expectRefused(replacing("\"seq\" : 7", "\"seq\" : NaN"), "NaN and Infinity are not JSON numbers")
    }

    @Test func schemaErrorsNameTheRecordAndField() throws {
        try expectRefused(replacing("\"name\" : \"Dana Smith\"", "\"name\" : 42"), "store.json: recruiter 1: name 42 is not text")
        try expectRefused(replacing("\"direction\" : \"in\"", "\"direction\" : \"sideways\""), "message 1 (Role at Foo): direction 'sideways' is not in or out")
        try expectRefused(replacing("\"created\" : \"2027-01-15T08:00:00Z\"", "\"created\" : \"yesterday\""), "recruiter 1 (Dana Smith): created 'yesterday' is not a date and time (ISO 8601")
        try expectRefused(Array("[1, 2]".utf8), "not a Rapport store?")
        try expectRefused(replacing("\"recruiterID\" : \"00000000-0000-0000-0000-00000000000B\"", "\"recruiterID\" : \"00000000-0000-0000-0000-0000000000AA\""),
                          "no recruiter with id")
    }

    @Test func hugeFieldsLoadSafely() throws {
        let dir = TempDir()
        let s = try Store.open(dir.paths)
        let r = Recruiter(name: "Big", notes: String(repeating: "ü\u{0}\"\\", count: 500_000), created: t0)
        try s.apply(.putRecruiter(r))
        try s.close()
        #expect(try Store.open(dir.paths).database.recruiters[r.id]?.notes == r.notes)
    }
}
