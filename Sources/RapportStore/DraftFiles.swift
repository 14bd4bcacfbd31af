import Foundation
import Glibc
import RapportCore

/// A draft in progress as found beside the store: its recruiter, its text, and when it
/// was last written.
public struct StoredDraft: Sendable, Equatable {
    public var recruiterID: UUID
    public var text: String
    public var saved: Date

    public init(recruiterID: UUID, text: String, saved: Date) {
        self.recruiterID = recruiterID
        self.text = text
        self.saved = saved
    }
}

/// Drafts the interface is writing, kept beside the store so a crash or a quit loses none:
/// `drafts/<recruiter-id>.txt`, one per recruiter, the text as the draft review shows it
/// ("Subject: …", a blank line, the body) with a final newline. Not part of the data: no
/// journal line, no undo, never synced; a file is replaced whole (temp file, fsync,
/// rename) and removed when the message is logged or the draft discarded.
public struct DraftFiles: Sendable {
    public let directory: String
    let fileSystem: FileSystem

    /// A draft larger than this is not offered again (it is left on disk).
    public static let maxBytes = 1 << 20

    public init(paths: AppPaths, fileSystem: FileSystem = .system) {
        directory = paths.path("drafts")
        self.fileSystem = fileSystem
    }

    public func path(for recruiterID: UUID) -> String {
        (directory as NSString).appendingPathComponent(recruiterID.uuidString.lowercased() + ".txt")
    }

    /// Every draft in the directory; files that are not `<uuid>.txt` (leftover temp files
    /// among them) are passed over. A missing directory is no draft.
    public func load() -> [UUID: StoredDraft] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return [:] }
        var out: [UUID: StoredDraft] = [:]
        for name in names where name.hasSuffix(".txt") && !name.hasPrefix(".") {
            guard let id = UUID(uuidString: String(name.dropLast(4))) else { continue }
            let p = (directory as NSString).appendingPathComponent(name)
            guard let attrs = try? fm.attributesOfItem(atPath: p),
                  (attrs[.type] as? FileAttributeType) == .typeRegular,
                  let size = (attrs[.size] as? NSNumber)?.intValue, size <= DraftFiles.maxBytes,
                  let data = fm.contents(atPath: p) else { continue }
            var text = String(decoding: data, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            let saved = attrs[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0)
            out[id] = StoredDraft(recruiterID: id, text: text, saved: saved)
        }
        return out
    }

    /// Writes the draft of `recruiterID` (creating `drafts/`, 0700; the file 0600).
    public func save(_ text: String, for recruiterID: UUID) throws {
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw RapportError.failure("\(directory): cannot create: \(error.localizedDescription)")
            }
        }
        let body = text.hasSuffix("\n") ? text : text + "\n"
        try Sys.replaceFile(fileSystem, path(for: recruiterID), Array(body.utf8))
    }

    /// Removes the draft of `recruiterID`; none there is not an error.
    public func remove(_ recruiterID: UUID) throws {
        let p = path(for: recruiterID)
        guard unlink(p) == 0 || errno == ENOENT else { throw Sys.fail("remove", p) }
    }
}
