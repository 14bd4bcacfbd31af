import Crypto
import Foundation

/// Ids derived from what a record is, not from chance: RFC 4122 name-based UUIDs
/// (version 5, SHA-1). Two devices that import the same LinkedIn export, or ingest the
/// same mail, derive the same ids, so their records never duplicate when they sync.
public enum StableID {
    /// The namespaces Rapport derives ids in (fixed forever: changing one changes every id).
    public enum Namespace: String, Sendable, CaseIterable {
        /// A recruiter known by a stable key ("linkedin:<profile url>", "email:<address>", "uid:<vCard UID>").
        case recruiter
        /// A message known by its source ("mail:<Message-ID>", "linkedin:<conversation>|<from url>|<date>|<hash>").
        case message
        case opportunity
        case followUp
        case expectation

        /// The namespace UUID: itself name-based, under RFC 4122's URL namespace.
        var uuid: UUID { StableID.v5(StableID.urlNamespace, "https://rapport.invalid/ns/\(rawValue)") }
    }

    /// RFC 4122 appendix C: the URL namespace.
    static let urlNamespace = UUID(uuidString: "6ba7b811-9dad-11d1-80b4-00c04fd430c8")!

    /// The id of `key` in `namespace`. Keys are used as given: callers normalise them first
    /// (lower-cased e-mail addresses, profile URLs without a trailing slash, …).
    public static func make(_ namespace: Namespace, _ key: String) -> UUID {
        v5(namespace.uuid, key)
    }

    /// A version-5 UUID of `name` in `namespace`.
    public static func v5(_ namespace: UUID, _ name: String) -> UUID {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: namespace.uuid) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(name.utf8))
        var h = Array(Insecure.SHA1.hash(data: bytes).prefix(16))
        h[6] = (h[6] & 0x0F) | 0x50
        h[8] = (h[8] & 0x3F) | 0x80
        return UUID(uuid: (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7],
                           h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]))
    }
}
