import Foundation
import RapportCore

/// Finds an existing recruiter for an imported person: by id, e-mail, LinkedIn URL, or
/// (when exactly one recruiter has it) name.
struct RecruiterIndex {
    private var ids: Set<UUID> = []
    private var byEmail: [String: UUID] = [:]
    private var byURL: [String: UUID] = [:]
    private var byName: [String: [UUID]] = [:]

    init(_ db: Database) {
        for r in db.recruiters.values { add(r) }
    }

    mutating func add(_ r: Recruiter) {
        ids.insert(r.id)
        if let e = r.email?.lowercased() { byEmail[e] = r.id }
        if let u = r.linkedin.flatMap(LinkedInURL.normalize) { byURL[u] = r.id }
        byName[RecruiterIndex.key(r.name), default: []].append(r.id)
    }

    func find(id: UUID? = nil, email: String? = nil, linkedin: String? = nil, name: String? = nil) -> UUID? {
        if let id, ids.contains(id) { return id }
        if let e = email?.lowercased(), let hit = byEmail[e] { return hit }
        if let u = linkedin.flatMap(LinkedInURL.normalize), let hit = byURL[u] { return hit }
        if let name, let hits = byName[RecruiterIndex.key(name)], hits.count == 1, name != LinkedInImporter.hiddenMember {
            return hits[0]
        }
        return nil
    }

    static func key(_ name: String) -> String {
        name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

public enum LinkedInURL {
    /// `https://www.linkedin.com/in/ada-l/?x=1` → `linkedin.com/in/ada-l`; nil for empty.
    public static func normalize(_ s: String) -> String? {
        var t = s.trimmingCharacters(in: .whitespaces).lowercased()
        guard !t.isEmpty else { return nil }
        for p in ["https://", "http://"] where t.hasPrefix(p) { t.removeFirst(p.count) }
        if t.hasPrefix("www.") { t.removeFirst(4) }
        if let q = t.firstIndex(where: { $0 == "?" || $0 == "#" }) { t = String(t[..<q]) }
        while t.hasSuffix("/") { t.removeLast() }
        return t.isEmpty ? nil : t
    }
}

/// Evidence that someone is a recruiter.
public enum RecruiterEvidence {
    static let titleWords = ["recruit", "talent", "sourcer", "sourcing", "headhunt", "acquisition", "staffing"]
    static let outreachPhrases = [
        "opportunit", "role", "position", "hiring", "your profile", "your background", "your experience",
        "open to", "interested in", "a client", "my client", "our client", "vacanc", "opening", "salary",
        "compensation", "job", "recruit", "talent", "headhunt", "would you be", "quick call", "chat about",
    ]

    /// The title words found in a position or headline (`"Senior Technical Recruiter"` → `["recruit"]`).
    public static func titleHits(_ title: String?) -> [String] {
        guard let t = title?.lowercased(), !t.isEmpty else { return [] }
        return titleWords.filter { t.contains($0) }
    }

    /// Whether a thread reads like outreach: they wrote first, and their first message
    /// has at least two outreach phrases.
    public static func readsLikeOutreach(firstInbound: String?, theyWroteFirst: Bool) -> Bool {
        guard theyWroteFirst, let t = firstInbound?.lowercased() else { return false }
        return outreachPhrases.filter { t.contains($0) }.count >= 2
    }

    /// "Talent Acquisition" and "in-house" titles suggest an in-house recruiter.
    public static func inHouse(title: String?) -> Bool {
        guard let t = title?.lowercased() else { return false }
        return t.contains("talent acquisition") || t.contains("in-house") || t.contains("inhouse")
    }
}
