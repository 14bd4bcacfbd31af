import Foundation
import RapportCore

/// The recruiters rejected in the mail review, so `rapport ingest` does not create them
/// again from their next mail (or from a full re-read). A plain text file beside the
/// store, `mail-rejected`: one recruiter a line, `<id><TAB><name><TAB><addresses>`, lines
/// starting with `#` ignored. Delete a line and that sender may become a recruiter again.
/// Kept outside the journal: `rapport undo` brings a rejected recruiter back, and then
/// their line is inert (ingest finds them by address before it would create anyone).
public enum MailRejections {
    public static let fileName = "mail-rejected"

    /// The rejected recruiters' ids; empty when there is no file (or it cannot be read).
    public static func load(_ paths: AppPaths) -> Set<UUID> {
        guard let data = FileManager.default.contents(atPath: paths.path(fileName)) else { return [] }
        return parse(String(decoding: data, as: UTF8.self))
    }

    static func parse(_ text: String) -> Set<UUID> {
        var out = Set<UUID>()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let first = line.split(separator: "\t", maxSplits: 1).first.map(String.init) ?? ""
            if let id = UUID(uuidString: first.trimmingCharacters(in: .whitespaces)) { out.insert(id) }
        }
        return out
    }

    /// Adds `recruiters` (those not already listed) to the file.
    public static func add(_ recruiters: [Recruiter], paths: AppPaths) throws {
        let path = paths.path(fileName)
        let old = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let known = parse(old)
        var text = old.isEmpty ? "# Recruiters rejected in the mail review: rapport ingest does not create them again.\n" : old
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        for r in recruiters where !known.contains(r.id) {
            let fields = [r.id.uuidString.lowercased(), r.name, r.emails.joined(separator: ",")].map(clean)
            text += fields.joined(separator: "\t") + "\n"
        }
        try AtomicFile.write(Data(text.utf8), to: path)
    }

    /// One field on one line: tabs, line breaks and other controls become spaces.
    static func clean(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }
}
