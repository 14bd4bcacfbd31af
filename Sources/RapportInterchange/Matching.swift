import Foundation
import RapportCore

/// Finds an existing recruiter for an imported person by stable keys: id, e-mail,
/// LinkedIn URL; by name only when exactly one recruiter has it and neither side has a
/// key that conflicts with the other's (same name, different URL or e-mail: two people).
struct RecruiterIndex {
    private var ids: Set<UUID> = []
    private var byEmail: [String: UUID] = [:]
    private var byURL: [String: UUID] = [:]
    private var byName: [String: [UUID]] = [:]
    private var keys: [UUID: (emails: Set<String>, url: String?)] = [:]

    init(_ db: Database) {
        for r in db.recruiters.values { add(r) }
    }

    mutating func add(_ r: Recruiter) {
        ids.insert(r.id)
        let emails = Set(r.emails.map { $0.lowercased() })
        for e in emails { byEmail[e] = r.id }
        let url = r.linkedin.flatMap(LinkedInURL.normalize)
        if let url { byURL[url] = r.id }
        keys[r.id] = (emails, url)
        byName[RecruiterIndex.key(r.name), default: []].append(r.id)
    }

    func find(id: UUID? = nil, email: String? = nil, linkedin: String? = nil, name: String? = nil) -> UUID? {
        find(id: id, emails: email.map { [$0] } ?? [], linkedin: linkedin, name: name)
    }

    func find(id: UUID? = nil, emails: [String], linkedin: String? = nil, name: String? = nil) -> UUID? {
        if let id, ids.contains(id) { return id }
        let wanted = Set(emails.map { $0.lowercased() })
        for e in emails { if let hit = byEmail[e.lowercased()] { return hit } }
        let url = linkedin.flatMap(LinkedInURL.normalize)
        if let url, let hit = byURL[url] { return hit }
        if let name, let hits = byName[RecruiterIndex.key(name)], hits.count == 1, name != LinkedInImporter.hiddenMember,
           let k = keys[hits[0]] {
            // Any key on both sides that differs: two people who share a name.
            if let url, let theirs = k.url, url != theirs { return nil }
            if !wanted.isEmpty, !k.emails.isEmpty, wanted.isDisjoint(with: k.emails) { return nil }
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
