import Foundation

// Hand-written Codable for the stored model types. Each type keeps the keys this build
// does not know in `extra` and writes them back, so a file written by a newer Rapport (or
// edited by hand) survives a load/save round trip. Collections and flags that are missing
// decode as empty, so a hand-written record needs only its required fields.

/// A coding key for any string, so unknown keys can be listed and written back.
public struct ModelKey: CodingKey, Hashable, ExpressibleByStringLiteral, Sendable {
    public let stringValue: String
    public var intValue: Int? { nil }
    public init(_ s: String) { stringValue = s }
    public init(stringLiteral s: String) { stringValue = s }
    public init?(stringValue s: String) { stringValue = s }
    public init?(intValue: Int) { return nil }
}

extension KeyedDecodingContainer where Key == ModelKey {
    /// Every key not in `known`, decoded as a `JSONValue`.
    public func extras(known: Set<String>) throws -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for key in allKeys where !known.contains(key.stringValue) {
            out[key.stringValue] = try decode(JSONValue.self, forKey: key)
        }
        return out
    }

    func decodeOr<T: Decodable>(_ fallback: T, _ key: ModelKey) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}

extension KeyedEncodingContainer where Key == ModelKey {
    /// Writes unknown keys back; a key this build knows always wins over a stale extra.
    public mutating func encodeExtras(_ extra: [String: JSONValue], known: Set<String>) throws {
        for (k, v) in extra where !known.contains(k) { try encode(v, forKey: ModelKey(k)) }
    }
}

extension Recruiter {
    public static let codingKeys: Set<String> = [
        "id", "name", "firm", "kind", "targeting", "emails", "phone", "linkedin", "timeZone",
        "tags", "notes", "status", "statusUntil", "created", "flags", "checklist", "referrals", "dismissals",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ModelKey.self)
        self.init(
            id: try c.decode(UUID.self, forKey: "id"),
            name: try c.decode(String.self, forKey: "name"),
            firm: try c.decodeIfPresent(String.self, forKey: "firm"),
            kind: try c.decodeOr(.agency, "kind"),
            targeting: try c.decodeOr(.targeted, "targeting"),
            email: try c.decodeIfPresent(String.self, forKey: "email"),
            emails: try c.decodeOr([], "emails"),
            phone: try c.decodeIfPresent(String.self, forKey: "phone"),
            linkedin: try c.decodeIfPresent(String.self, forKey: "linkedin"),
            timeZone: try c.decodeIfPresent(String.self, forKey: "timeZone"),
            tags: try c.decodeOr([], "tags"),
            notes: try c.decodeIfPresent(String.self, forKey: "notes"),
            status: try c.decodeOr(.active, "status"),
            statusUntil: try c.decodeIfPresent(Date.self, forKey: "statusUntil"),
            created: try c.decode(Date.self, forKey: "created"),
            // Flags are derived data: one this build does not know (written by a newer
            // Rapport) is dropped here and recomputed on the next save, instead of making
            // the whole store unreadable.
            flags: try c.decodeOr([StoredFlag](), "flags").compactMap(\.record),
            checklist: try c.decodeOr(Checklist(), "checklist"),
            referrals: try c.decodeOr([], "referrals"),
            dismissals: try c.decodeOr([], "dismissals"),
            extra: try c.extras(known: Self.codingKeys.union(Self.legacyKeys)))
    }

    /// Keys older builds wrote that this one reads and no longer writes ("email": one address).
    public static let legacyKeys: Set<String> = ["email"]

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ModelKey.self)
        try c.encode(id, forKey: "id")
        try c.encode(name, forKey: "name")
        try c.encodeIfPresent(firm, forKey: "firm")
        try c.encode(kind, forKey: "kind")
        try c.encode(targeting, forKey: "targeting")
        // Older builds wrote one "email"; this one writes the list (read back either way).
        if !emails.isEmpty { try c.encode(emails, forKey: "emails") }
        try c.encodeIfPresent(phone, forKey: "phone")
        try c.encodeIfPresent(linkedin, forKey: "linkedin")
        try c.encodeIfPresent(timeZone, forKey: "timeZone")
        try c.encode(tags, forKey: "tags")
        try c.encodeIfPresent(notes, forKey: "notes")
        try c.encode(status, forKey: "status")
        try c.encodeIfPresent(statusUntil, forKey: "statusUntil")
        try c.encode(created, forKey: "created")
        try c.encode(flags, forKey: "flags")
        // Written only when used, so stores without research or referrals read as before.
        if !checklist.isEmpty { try c.encode(checklist, forKey: "checklist") }
        if !referrals.isEmpty { try c.encode(referrals, forKey: "referrals") }
        if !dismissals.isEmpty { try c.encode(dismissals, forKey: "dismissals") }
        try c.encodeExtras(extra, known: Self.codingKeys.union(Self.legacyKeys))
    }
}

extension Message {
    public static let codingKeys: Set<String> = [
        "id", "recruiterID", "direction", "channel", "at", "subject", "body", "noReplyNeeded",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ModelKey.self)
        self.init(
            id: try c.decode(UUID.self, forKey: "id"),
            recruiterID: try c.decode(UUID.self, forKey: "recruiterID"),
            direction: try c.decode(Direction.self, forKey: "direction"),
            channel: try c.decodeOr(.email, "channel"),
            at: try c.decode(Date.self, forKey: "at"),
            subject: try c.decodeIfPresent(String.self, forKey: "subject"),
            body: try c.decodeIfPresent(String.self, forKey: "body"),
            noReplyNeeded: try c.decodeOr(false, "noReplyNeeded"),
            extra: try c.extras(known: Self.codingKeys))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ModelKey.self)
        try c.encode(id, forKey: "id")
        try c.encode(recruiterID, forKey: "recruiterID")
        try c.encode(direction, forKey: "direction")
        try c.encode(channel, forKey: "channel")
        try c.encode(at, forKey: "at")
        try c.encodeIfPresent(subject, forKey: "subject")
        try c.encodeIfPresent(body, forKey: "body")
        try c.encode(noReplyNeeded, forKey: "noReplyNeeded")
        try c.encodeExtras(extra, known: Self.codingKeys)
    }
}

extension Opportunity {
    public static let codingKeys: Set<String> = [
        "id", "recruiterID", "role", "employer", "stage", "interviews", "nextStep", "checklist",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ModelKey.self)
        self.init(
            id: try c.decode(UUID.self, forKey: "id"),
            recruiterID: try c.decode(UUID.self, forKey: "recruiterID"),
            role: try c.decode(String.self, forKey: "role"),
            employer: try c.decodeIfPresent(String.self, forKey: "employer"),
            stage: try c.decodeOr(.sourced, "stage"),
            interviews: try c.decodeOr([], "interviews"),
            nextStep: try c.decodeIfPresent(String.self, forKey: "nextStep"),
            checklist: try c.decodeOr(Checklist(), "checklist"),
            extra: try c.extras(known: Self.codingKeys))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ModelKey.self)
        try c.encode(id, forKey: "id")
        try c.encode(recruiterID, forKey: "recruiterID")
        try c.encode(role, forKey: "role")
        try c.encodeIfPresent(employer, forKey: "employer")
        try c.encode(stage, forKey: "stage")
        try c.encode(interviews, forKey: "interviews")
        try c.encodeIfPresent(nextStep, forKey: "nextStep")
        if !checklist.isEmpty { try c.encode(checklist, forKey: "checklist") }
        try c.encodeExtras(extra, known: Self.codingKeys)
    }
}

extension FollowUp {
    public static let codingKeys: Set<String> = ["id", "recruiterID", "due", "note", "done", "snoozedUntil"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ModelKey.self)
        self.init(
            id: try c.decode(UUID.self, forKey: "id"),
            recruiterID: try c.decode(UUID.self, forKey: "recruiterID"),
            due: try c.decode(Date.self, forKey: "due"),
            note: try c.decodeIfPresent(String.self, forKey: "note"),
            done: try c.decodeIfPresent(Date.self, forKey: "done"),
            snoozedUntil: try c.decodeIfPresent(Date.self, forKey: "snoozedUntil"),
            extra: try c.extras(known: Self.codingKeys))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ModelKey.self)
        try c.encode(id, forKey: "id")
        try c.encode(recruiterID, forKey: "recruiterID")
        try c.encode(due, forKey: "due")
        try c.encodeIfPresent(note, forKey: "note")
        try c.encodeIfPresent(done, forKey: "done")
        try c.encodeIfPresent(snoozedUntil, forKey: "snoozedUntil")
        try c.encodeExtras(extra, known: Self.codingKeys)
    }
}

extension Expectation {
    public static let codingKeys: Set<String> = ["id", "recruiterID", "by", "note"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ModelKey.self)
        self.init(
            id: try c.decode(UUID.self, forKey: "id"),
            recruiterID: try c.decode(UUID.self, forKey: "recruiterID"),
            by: try c.decode(Date.self, forKey: "by"),
            note: try c.decodeIfPresent(String.self, forKey: "note"),
            extra: try c.extras(known: Self.codingKeys))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ModelKey.self)
        try c.encode(id, forKey: "id")
        try c.encode(recruiterID, forKey: "recruiterID")
        try c.encode(by, forKey: "by")
        try c.encodeIfPresent(note, forKey: "note")
        try c.encodeExtras(extra, known: Self.codingKeys)
    }
}


/// A persisted flag as written, whatever its name: `record` is nil for a flag this build
/// does not know.
struct StoredFlag: Decodable {
    var flag: String
    var since: Date
    var record: FlagRecord? { Flag(rawValue: flag).map { FlagRecord(flag: $0, since: since) } }
}
