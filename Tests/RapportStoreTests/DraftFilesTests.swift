#if canImport(Glibc)
import Glibc
#endif
import Foundation
import RapportCore
import Testing
@testable import RapportStore

@Suite("Drafts beside the store: drafts/<recruiter-id>.txt")
struct DraftFilesTests {
    @Test func savedLoadedReplacedAndRemoved() throws {
        let tmp = TempDir()
        let files = DraftFiles(paths: tmp.paths)
        #expect(files.load().isEmpty, "no directory: no drafts")
        let id = UUID()
        try files.save("Subject: Hi\n\nFirst words", for: id)
        let path = tmp.paths.storeDirectory + "/drafts/" + id.uuidString.lowercased() + ".txt"
        #expect(files.path(for: id) == path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "Subject: Hi\n\nFirst words\n", "a final newline on disk")
        var st = stat()
        stat(path, &st)
        #expect(st.st_mode & 0o777 == 0o600)
        stat(files.directory, &st)
        #expect(st.st_mode & 0o777 == 0o700)
        try files.save("Subject: Hi\n\nMore words", for: id)
        let loaded = files.load()
        #expect(loaded.count == 1 && loaded[id]?.text == "Subject: Hi\n\nMore words")
        #expect(abs((loaded[id]?.saved ?? .distantPast).timeIntervalSinceNow) < 60)
        // Anything that is not <uuid>.txt is passed over: temp files, notes, directories.
        try "x".write(toFile: files.directory + "/.\(id.uuidString).txt.tmp-1-2", atomically: false, encoding: .utf8)
        try "x".write(toFile: files.directory + "/notes.txt", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: files.directory + "/\(UUID().uuidString).txt", withIntermediateDirectories: false)
        #expect(files.load().keys.sorted { $0.uuidString < $1.uuidString } == [id])
        try files.remove(id)
        #expect(!FileManager.default.fileExists(atPath: path))
        try files.remove(id) // already gone: fine
        #expect(files.load().isEmpty)
    }

    @Test func aFailedWriteSaysWhereAndLeavesTheOldDraft() throws {
        let tmp = TempDir()
        let id = UUID()
        try DraftFiles(paths: tmp.paths).save("kept", for: id)
        var full = FileSystem.system
        full.write = { _, _ in errno = ENOSPC; return -1 }
        let files = DraftFiles(paths: tmp.paths, fileSystem: full)
        #expect(throws: RapportError.self) { try files.save("new text", for: id) }
        do {
            try files.save("new text", for: id)
        } catch {
            #expect("\(error)".contains("no space left on the device"))
        }
        #expect(files.load()[id]?.text == "kept")
        #expect(listing(files.directory) == [id.uuidString.lowercased() + ".txt"], "no temp file left")
    }
}
