import Foundation
import RapportCore
import Testing
import ZIPFoundation
@testable import RapportInterchange

/// Caps on what an import really reads, and importers linear in their input.
@Suite struct InputLimitsTests {
    /// A vCard whose NOTE is folded over `lines` physical lines of 20 bytes (75-byte
    /// folding would do as well; short lines make the line count the point).
    static func foldedCard(lines: Int) -> (text: String, note: String) {
        var note = ""
        var text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dana Smith\r\nNOTE:"
        for i in 0..<lines {
            let piece = String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: 20)
            note += piece
            text += (i == 0 ? "" : " ") + piece + "\r\n"
        }
        text += "END:VCARD\r\n"
        return (text, note)
    }

    @Test func unfoldingAHundredThousandLinesKeepsTheNoteWhole() {
        let (text, note) = Self.foldedCard(lines: 100_000)
        #expect(note.utf8.count == 2_000_000)
        let (contacts, skipped) = VCardReader.read(text)
        #expect(skipped.isEmpty)
        #expect(contacts.count == 1)
        #expect(contacts.first?.note == note)
    }

    @Test func quotedPrintableContinuationIsDecidedByTheParametersOnly() {
        let text = "BEGIN:VCARD\r\nNOTE;ENCODING=QUOTED-PRINTABLE:caf=C3=A9 =\r\nau lait\r\nFN:x QUOTED-PRINTABLE=\r\nEND:VCARD\r\n"
        let lines = ContentLines.unfold(text).map(\.text)
        #expect(lines == ["BEGIN:VCARD", "NOTE;ENCODING=QUOTED-PRINTABLE:caf=C3=A9 au lait", "FN:x QUOTED-PRINTABLE=", "END:VCARD"])
    }

    @Test func aCSVFieldOverTheCapIsRefusedNamingCapAndFile() {
        var bytes = Array("name,notes\r\nDana,\"".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: InputLimits.field + 1)
        bytes += Array("\"\r\n".utf8)
        #expect {
            try InputLimits.checkCSV(bytes, file: "big.csv")
        } throws: { e in
            let m = (e as? InterchangeError)?.message ?? ""
            return m.hasPrefix("big.csv: ") && m.contains("4 MiB") && m.contains("field") && m.contains("line 2")
        }
    }

    @Test func quotedSeparatorsAndLineBreaksStayInOneField() throws {
        // Fields just under the cap, with commas, doubled quotes and line breaks inside.
        let chunk = String(repeating: "ab,\"\"\n", count: (InputLimits.field - 10) / 7)
        let text = "name,notes\n\"Dana\",\"" + chunk + "\"\n"
        try InputLimits.checkCSV(Array(text.utf8), file: "ok.csv")
    }

    @Test func aRowOverTheCapIsRefused() {
        let field = String(repeating: "y", count: 3 << 20)
        let text = "a,b,c\n" + [field, field, field].joined(separator: ",") + "\n"
        #expect {
            try InputLimits.checkCSV(Array(text.utf8), file: "wide.csv")
        } throws: { e in ((e as? InterchangeError)?.message ?? "").contains("a row is longer than the 8 MiB cap") }
    }

    @Test func aCardOrPropertyOverTheCapIsRefused() {
        let long = "BEGIN:VCARD\r\nNOTE:" + String(repeating: "z", count: InputLimits.field + 1) + "\r\nEND:VCARD\r\n"
        #expect(throws: InterchangeError.self) { try InputLimits.checkContentLines(Array(long.utf8), file: "a.vcf") }
        var many = "BEGIN:VCARD\r\n"
        for _ in 0..<3 { many += "NOTE:" + String(repeating: "z", count: 3 << 20) + "\r\n" }
        many += "END:VCARD\r\n"
        #expect {
            try InputLimits.checkContentLines(Array(many.utf8), file: "b.vcf")
        } throws: { e in ((e as? InterchangeError)?.message ?? "").contains("a card is longer than the 8 MiB cap") }
        // Many cards each under the cap pass.
        let card = "BEGIN:VCARD\r\nNOTE:" + String(repeating: "z", count: 3 << 20) + "\r\nEND:VCARD\r\n"
        #expect(throws: Never.self) { try InputLimits.checkContentLines(Array((card + card + card).utf8), file: "c.vcf") }
    }
}

/// Zip bombs and huge inputs against the real binary: a one-line refusal naming the cap
/// and the file, nothing written, and peak memory (GNU time's %M) under 300 MB.
@Suite(.serialized) struct ImportMemoryTests {
    static let rssCapKB = 300 * 1000

    struct Measured {
        var status: Int32
        var stderr: String
        var peakKB: Int
    }

    /// Runs the binary under /usr/bin/time -f %M.
    static func measure(_ args: [String], store: String) throws -> Measured {
        guard let exe = RapportBinary.url else { throw InterchangeError("rapport binary not found next to the tests") }
        let timeOut = store + ".time"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        p.arguments = ["-f", "%M", "-o", timeOut, exe.path] + args
        p.environment = ["RAPPORT_STORE": store, "RAPPORT_NOW": "2023-07-01T00:00:00Z", "HOME": store, "PATH": "/usr/bin:/bin"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let timeText = (try? String(contentsOfFile: timeOut, encoding: .utf8)) ?? ""
        let kb = timeText.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.last ?? -1
        return Measured(status: p.terminationStatus, stderr: String(decoding: e, as: UTF8.self), peakKB: kb)
    }

    /// Writes a zip with one entry, export/messages.csv, that inflates to `mebibytes` MiB
    /// of zeros or of well-formed CSV rows, while its headers (local and central) claim
    /// `claimed` bytes: the same number for an honest header, 1000 for a lying one. The
    /// header bytes are written here by hand; the deflate stream is one 1 MiB unit
    /// compressed once after a full flush and repeated (Python's zlib, fast enough to
    /// make a 1.2 GiB bomb in a second).
    static func makeBomb(_ url: URL, mebibytes: Int, claimed: Int, rows: Bool) throws {
        let script = #"""
import struct, sys, zlib
# bomb.py PATH REAL_MIB CLAIMED_BYTES zeros|rows: a zip with one entry, export/messages.csv,
# that inflates to REAL_MIB MiB while its headers claim CLAIMED_BYTES (the same number
# for an honest header). Made fast: one 1 MiB unit deflated once after a full flush (so
# its compressed bytes repeat exactly), repeated, then an empty final block.
path, mib, claimed, kind = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if kind == 'zeros':
    unit = bytes(1 << 20)
else:
    row = b'c,,A,,B,,2023-06-01 10:00:00 UTC,,hi,INBOX,,No,No\n'
    unit = row * ((1 << 20) // len(row))
c = zlib.compressobj(9, zlib.DEFLATED, -15)
c.compress(unit); c.flush(zlib.Z_FULL_FLUSH)
block = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
first_c = zlib.compressobj(9, zlib.DEFLATED, -15)
first = first_c.compress(unit) + first_c.flush(zlib.Z_FULL_FLUSH)
body = first + block * (mib - 1) + b'\x03\x00'
crc = 0
for _ in range(mib):
    crc = zlib.crc32(unit, crc)
name = b'export/messages.csv'
size = claimed & 0xFFFFFFFF
local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 8, 0, 0x21, crc, len(body), size, len(name), 0) + name
central = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 8, 0, 0x21, crc, len(body), size, len(name), 0, 0, 0, 0, 0o100644 << 16, 0) + name
off = len(local) + len(body)
end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, len(central), off, 0)
with open(path, 'wb') as f:
    f.write(local); f.write(body); f.write(central); f.write(end)
"""#
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, url.path, String(mebibytes), String(claimed), rows ? "rows" : "zeros"]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw InterchangeError("python3 could not write \(url.path)") }
    }

    /// Rewrites every uncompressed-size field (local header, central directory, data
    /// descriptor) to `claimed`: a header that lies about how much the entry inflates to.
    static func patchUncompressedSize(_ url: URL, to claimed: UInt32) throws {
        var b = [UInt8](try Data(contentsOf: url))
        func put(_ at: Int) {
            for k in 0..<4 { b[at + k] = UInt8((claimed >> (8 * UInt32(k))) & 0xFF) }
        }
        func sig(_ at: Int, _ s: [UInt8]) -> Bool { at >= 0 && at + 4 <= b.count && Array(b[at..<at + 4]) == s }
        var patched = 0
        if sig(0, [0x50, 0x4B, 0x03, 0x04]) { put(22); patched += 1 }
        var i = b.count - 22
        while i >= 0 && !sig(i, [0x50, 0x4B, 0x05, 0x06]) { i -= 1 }
        let cdOffset = Int(b[i + 16]) | Int(b[i + 17]) << 8 | Int(b[i + 18]) << 16 | Int(b[i + 19]) << 24
        if sig(cdOffset, [0x50, 0x4B, 0x01, 0x02]) { put(cdOffset + 24); patched += 1 }
        if sig(cdOffset - 16, [0x50, 0x4B, 0x07, 0x08]) { put(cdOffset - 4); patched += 1 }
        #expect(patched == 2)
        try Data(b).write(to: url)
    }

    func expectRefused(_ m: Measured, naming cap: String, file: String, store: String) {
        #expect(m.status == 1, "\(m.stderr)")
        let lines = m.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(m.stderr)")
        #expect(m.stderr.contains(cap) && m.stderr.contains(file), "\(m.stderr)")
        #expect(m.peakKB > 0 && m.peakKB < Self.rssCapKB, "peak RSS \(m.peakKB) kB")
        #expect(!FileManager.default.fileExists(atPath: store + "/journal.jsonl"), "nothing written")
        #expect(!FileManager.default.fileExists(atPath: store + "/store.json"), "nothing written")
    }

    @Test func anHonestHeaderOverTheZipCapIsRefusedBeforeInflating() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("honest.zip")
        try Self.makeBomb(zip, mebibytes: 1200, claimed: 1200 << 20, rows: false)
        let store = dir.appendingPathComponent("s").path
        let m = try Self.measure(["import", "linkedin", zip.path, "--all"], store: store)
        expectRefused(m, naming: "256 MiB cap for a zip entry", file: "messages.csv", store: store)
    }

    @Test func aLyingHeaderIsCaughtOnTheBytesThatInflate() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("s").path
        // 1.2 GiB of zeros, "1000 bytes" in both headers: one endless field.
        let zeros = dir.appendingPathComponent("zeros.zip")
        try Self.makeBomb(zeros, mebibytes: 1200, claimed: 1200 << 20, rows: false)
        try Self.patchUncompressedSize(zeros, to: 1000)
        expectRefused(try Self.measure(["import", "linkedin", zeros.path, "--all"], store: store),
                      naming: "a field is longer than the 4 MiB cap", file: "messages.csv", store: store)
        // 600 MiB of well-formed short rows, "1000 bytes": caught by the cap on text taken in.
        let rows = dir.appendingPathComponent("rows.zip")
        try Self.makeBomb(rows, mebibytes: 600, claimed: 600 << 20, rows: true)
        try Self.patchUncompressedSize(rows, to: 1000)
        expectRefused(try Self.measure(["import", "linkedin", rows.path, "--all"], store: store),
                      naming: "larger than the 16 MiB cap", file: "messages.csv", store: store)
    }

    @Test func aHundredMegabyteCSVFieldIsRefusedInLittleMemory() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("big.csv")
        #expect(FileManager.default.createFile(atPath: csv.path, contents: nil))
        let h = try FileHandle(forWritingTo: csv)
        h.write(Data("id,name,notes\r\n,Dana,\"".utf8))
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<100 { h.write(block) }
        h.write(Data("\"\r\n".utf8))
        try h.close()
        let store = dir.appendingPathComponent("s").path
        expectRefused(try Self.measure(["import", "csv", csv.path], store: store),
                      naming: "a field is longer than the 4 MiB cap", file: "big.csv", store: store)
    }

    @Test func aHundredThousandLineFoldedVCardImportsWhole() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let vcf = dir.appendingPathComponent("folded.vcf")
        let (text, note) = InputLimitsTests.foldedCard(lines: 100_000)
        try Data(text.utf8).write(to: vcf)
        let store = dir.appendingPathComponent("s").path
        let m = try Self.measure(["import", "vcard", vcf.path], store: store)
        #expect(m.status == 0, "\(m.stderr)")
        #expect(m.peakKB > 0 && m.peakKB < Self.rssCapKB, "peak RSS \(m.peakKB) kB")
        let out = try RapportBinary.run(["export", "json"], store: store)
        let doc = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        let recruiters = doc?["recruiters"] as? [[String: Any]] ?? []
        #expect((recruiters.first?["notes"] as? String) == note)
    }
}
