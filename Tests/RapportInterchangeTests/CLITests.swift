import Foundation
import RapportCore
import RapportTestSupport
import Testing
import ZIPFoundation
@testable import RapportInterchange

/// Runs the built `rapport` binary against a store (BuiltBinary, RapportTestSupport).
struct RapportBinary {
    typealias Output = BuiltBinary.Output

    static var url: URL? {
        FileManager.default.isExecutableFile(atPath: BuiltBinary.path) ? URL(fileURLWithPath: BuiltBinary.path) : nil
    }

    static func run(_ args: [String], store: String, input: String? = nil) throws -> Output {
        guard url != nil else {
            throw InterchangeError("rapport binary not found next to the tests")
        }
        return try BuiltBinary.run(args, environment: ["RAPPORT_STORE": store, "RAPPORT_NOW": "2023-07-01T00:00:00Z",
                                                       "HOME": store, "PATH": "/usr/bin:/bin"], stdin: input)
    }
}

func temporaryDirectory() throws -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-io-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

@Suite(.serialized) struct CLI {
    /// A zipped LinkedIn export with messages.csv (in a sub-folder, as LinkedIn does) and Connections.csv.
    func makeZip(in dir: URL) throws -> URL {
        let (messages, _) = LinkedInScale.export(people: 5, perPerson: 4)
        let more = messages + csvLine(["conv-x", "", "Bob Builder", "", "Ada Lovelace", "", "2023-06-01 10:00:00 UTC", "", "lunch?", "INBOX", "", "No", "No"])
            + "conv-y,broken\n"
        let connections = "Notes:\n\"Some emails are missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
            + "Recruiter,0,https://www.linkedin.com/in/r0,r0@agency.example,Agency,Recruiter,15 Jan 2023\n"
        let zipURL = dir.appendingPathComponent("Basic_LinkedInDataExport.zip")
        let archive = try Archive(url: zipURL, accessMode: .create)
        for (name, text) in [("export/messages.csv", "\u{FEFF}" + more), ("export/Connections.csv", connections)] {
            let data = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { pos, size in
                data.subdata(in: Int(pos)..<Int(pos) + size)
            }
        }
        return zipURL
    }

    @Test func linkedinZipHeadlessImportIsIdempotent() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let zip = try makeZip(in: dir)

        let dry = try RapportBinary.run(["import", "linkedin", zip.path, "--dry-run"], store: store)
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("dry run, nothing written: 5 new recruiters, 20 new messages"))
        #expect(dry.stderr.contains("--only-recruiters"))
        #expect(!FileManager.default.fileExists(atPath: store + "/store.json"))

        let first = try RapportBinary.run(["import", "linkedin", zip.path], store: store)
        #expect(first.status == 0)
        #expect(first.stdout.contains("imported: 5 new recruiters, 20 new messages, 0 already present, 1 skipped"))
        #expect(first.stderr.contains("messages.csv:43: 2 fields where the header has 13"))
        #expect(first.stderr.contains("1 person with new messages left out"))

        let second = try RapportBinary.run(["import", "linkedin", zip.path, "--only-recruiters"], store: store)
        #expect(second.status == 0)
        #expect(second.stdout.contains("imported: 0 new, 20 already present, 1 skipped"))

        // --all then takes Bob as well, and only Bob's message is new.
        let all = try RapportBinary.run(["import", "linkedin", zip.path, "--all"], store: store)
        #expect(all.stdout.contains("imported: 1 new recruiter, 1 new message, 20 already present"))

        let csv = try RapportBinary.run(["export", "csv"], store: store)
        let lines = csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 7)
        #expect(lines.contains { $0.contains(",Recruiter 0,Agency,") && $0.contains("r0@agency.example") })
    }

    @Test func exportToFileIsAtomicAndPrivate() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let json = dir.appendingPathComponent("in.json")
        try RapportJSON.export(try sampleDatabase()).write(to: json)
        let imp = try RapportBinary.run(["import", "json", json.path], store: store)
        #expect(imp.status == 0)
        #expect(imp.stdout.contains("imported: 2 new recruiters, 2 new messages, 1 new opportunity, 2 new follow-ups, 1 new expectation"))

        let target = dir.appendingPathComponent("out.ics")
        try Data("old".utf8).write(to: target)
        let r = try RapportBinary.run(["export", "ics", "-o", target.path], store: store)
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        let attrs = try FileManager.default.attributesOfItem(atPath: target.path)
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOf: target, encoding: .utf8)
        let cal = try ICalendarComponent.parse(text)
        #expect(cal.first?.children.count == 4)
        // No temp files left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["in.json", "out.ics", "store"])

        // JSON out → in (into a new store) → out is identical.
        let exported = try RapportBinary.run(["export", "json"], store: store)
        let store2 = dir.appendingPathComponent("store2").path
        let j2 = dir.appendingPathComponent("again.json")
        try Data(exported.stdout.utf8).write(to: j2)
        #expect(try RapportBinary.run(["import", "json", j2.path], store: store2).status == 0)
        #expect(try RapportBinary.run(["export", "json"], store: store2).stdout == exported.stdout)
        #expect(try RapportBinary.run(["import", "json", j2.path], store: store2).stdout.contains("imported: 0 new"))
    }

    @Test func errorsAreOneLineWithTheRightExitCode() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let both = try RapportBinary.run(["import", "linkedin", "x.zip", "--all", "--only-recruiters"], store: store)
        #expect(both.status == 2)
        #expect(both.stderr == "rapport: --all and --only-recruiters exclude each other\n")
        let wrongFlag = try RapportBinary.run(["export", "vcard", "--messages"], store: store)
        #expect(wrongFlag.status == 2)
        let missing = try RapportBinary.run(["import", "vcard", dir.appendingPathComponent("nope.vcf").path], store: store)
        #expect(missing.status == 1)
        #expect(missing.stderr.hasSuffix("nope.vcf: no such file\n"))
        #expect(missing.stderr.split(separator: "\n").count == 1)
        let notCSV = dir.appendingPathComponent("x.csv")
        try Data("hello,world\n1,2\n".utf8).write(to: notCSV)
        let bad = try RapportBinary.run(["import", "csv", notCSV.path], store: store)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("not a Rapport CSV export"))
    }

    @Test func vcardAndCSVImportsThroughTheCLI() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let vcf = dir.appendingPathComponent("c.vcf")
        try Data("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rita Recruiter\r\nEMAIL:rita@x.example\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n".utf8).write(to: vcf)
        let dry = try RapportBinary.run(["import", "vcard", vcf.path, "--dry-run"], store: store)
        #expect(dry.stdout.contains("would add recruiter Rita Recruiter"))
        #expect(dry.stderr.contains("skipped line 6: card has no FN or N"))
        #expect(try RapportBinary.run(["import", "vcard", vcf.path], store: store).stdout.contains("imported: 1 new recruiter"))
        let exported = try RapportBinary.run(["export", "csv"], store: store).stdout
        let csvFile = dir.appendingPathComponent("r.csv")
        try Data(exported.utf8).write(to: csvFile)
        let store2 = dir.appendingPathComponent("store2").path
        #expect(try RapportBinary.run(["import", "csv", csvFile.path], store: store2).stdout.contains("imported: 1 new recruiter"))
        #expect(try RapportBinary.run(["export", "csv"], store: store2).stdout == exported)
        #expect(try RapportBinary.run(["export", "vcard"], store: store2).stdout.contains("FN:Rita Recruiter\r\n"))
    }

    @Test func linkedinDryRunPrintsTheReviewListAndSettlesHistory() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let zip = try makeZip(in: dir)
        let dry = try RapportBinary.run(["import", "linkedin", zip.path, "--dry-run"], store: store)
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("  [x] Recruiter 0 — Agency — Recruiter — 4 messages, last 2023-03-28 (settled) — position: Recruiter (recruiter)"))
        #expect(dry.stdout.contains("  [ ] Bob Builder — 1 message, last 2023-06-01"))
        #expect(dry.stdout.contains("5 threads settled, 0 need an answer now"))
        let moved = try RapportBinary.run(["import", "linkedin", zip.path, "--dry-run", "--active-since", "2023-01-01"], store: store)
        #expect(moved.stdout.contains("0 threads settled"))
    }

    @Test func linkedinRefusesToGuessWhoYouAre() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let file = dir.appendingPathComponent("messages.csv")
        try Data((fullHeader + csvLine(["c1", "", "Rita Recruiter", "https://www.linkedin.com/in/rita", "Ada Lovelace", "",
                                        "2023-06-11 15:33:58 UTC", "", "My client has a role, interested?", "INBOX", "", "No", "No"])).utf8)
            .write(to: file)
        let out = try RapportBinary.run(["import", "linkedin", file.path], store: store)
        #expect(out.status == 2)
        #expect(out.stderr == "rapport: messages.csv: cannot tell which participant is you (candidates: 'Ada Lovelace', 'Rita Recruiter'); add Profile.csv from the export or say --me NAME\n")
        #expect(!FileManager.default.fileExists(atPath: store + "/store.json"))
        let named = try RapportBinary.run(["import", "linkedin", file.path, "--me", "Ada Lovelace"], store: store)
        #expect(named.status == 0)
        #expect(named.stdout.contains("imported: 1 new recruiter"))
    }
}
