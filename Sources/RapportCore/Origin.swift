import Foundation

/// Who made a change: the journal records it on every line, undo lists it, and
/// `rapport undo` takes back only what a CLI command or an import made.
///
/// Written as one string: `tui:<session id>`, `cli:<command>`, `import:<source>`,
/// `ingest`, `sync`, `tool` (a change applied by a program that did not say who it is:
/// a test, a benchmark, a helper tool).
public struct Origin: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case tui, cli, `import`, ingest, sync, tool
    }

    public var kind: Kind
    /// The TUI session id, the CLI command's name, or what was imported; empty for
    /// ingest and sync.
    public var name: String

    public init(kind: Kind, name: String = "") {
        self.kind = kind
        self.name = name
    }

    public static func tui(session: String) -> Origin { Origin(kind: .tui, name: session) }
    public static func cli(_ command: String) -> Origin { Origin(kind: .cli, name: command) }
    public static func importer(_ source: String) -> Origin { Origin(kind: .import, name: source) }
    public static let ingest = Origin(kind: .ingest)
    public static let sync = Origin(kind: .sync)
    /// A change applied without an origin (`Store.apply(_:)`): never taken back by
    /// `rapport undo` or `u`, only by its id.
    public static let tool = Origin(kind: .tool)

    /// What `rapport undo` and `rapport redo` may take back: a CLI command or an import,
    /// never a background ingest or sync (and not another TUI session's work).
    public var isUndoableFromCLI: Bool { kind == .cli || kind == .import }

    /// The stored form, `kind:name` (`kind` alone when the name is empty).
    public var text: String { name.isEmpty ? kind.rawValue : "\(kind.rawValue):\(name)" }

    /// Parses the stored form; nil for an unknown kind.
    public init?(text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let k = Kind(rawValue: String(parts[0])) else { return nil }
        self.init(kind: k, name: parts.count > 1 ? String(parts[1]) : "")
    }

    /// In the user's words: "rapport edit", "import linkedin", "the TUI", "mail ingest", "sync".
    public var description: String {
        switch kind {
        case .cli: return name.isEmpty ? "a rapport command" : "rapport \(name)"
        case .import: return name.isEmpty ? "an import" : "import \(name)"
        case .tui: return "the TUI"
        case .ingest: return "mail ingest"
        case .sync: return "sync"
        case .tool: return "a tool"
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let o = Origin(text: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "origin '\(s)' is not tui, cli, import, ingest, sync or tool")
        }
        self = o
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}

/// One part of the data a change touches, for telling whether a later change depends on
/// an earlier one (undo refuses then). Two touches of one recruiter overlap when either is
/// the whole recruiter or both name the same part: edits of different fields do not.
public struct Touch: Hashable, Sendable {
    public enum Part: Hashable, Sendable {
        /// The recruiter as a whole and everything it owns (create, delete, restore, put).
        case whole
        case field(RecruiterField)
        case status, targeting, agenda
        case tag(String)
        case email(String)
        case checklist(String)
        case referral(UUID)
        /// The dismissal (or snooze) of one deadline, by the deadline's id.
        case dismissal(String)
        case message(UUID)
        case opportunity(UUID)
        case followUp(UUID)
        case expectation(UUID)
    }

    public var recruiter: UUID
    public var part: Part

    public init(recruiter: UUID, part: Part) {
        self.recruiter = recruiter
        self.part = part
    }

    public func overlaps(_ other: Touch) -> Bool {
        recruiter == other.recruiter && (part == .whole || other.part == .whole || part == other.part)
    }

    /// "Dana Smith's firm", "a message of Dana Smith", "Dana Smith".
    public func describe(name: String) -> String {
        switch part {
        case .whole: return name
        case .field(let f):
            let word = f == .timeZone ? "time zone" : f == .linkedin ? "LinkedIn" : f.rawValue
            return "\(name)'s \(word)"
        case .status: return "\(name)'s status"
        case .targeting: return "\(name)'s targeting"
        case .agenda: return "\(name)'s agenda"
        case .tag(let t): return "\(name)'s tag \(t)"
        case .email(let e): return "\(name)'s address \(e)"
        case .checklist(let i): return "\(name)'s checklist item \(i)"
        case .referral: return "a referral of \(name)"
        case .dismissal: return "a dismissed deadline of \(name)"
        case .message: return "a message of \(name)"
        case .opportunity: return "an opportunity of \(name)"
        case .followUp: return "a follow-up with \(name)"
        case .expectation: return "an expectation of \(name)"
        }
    }
}

extension Change {
    /// What this change touches. `inverse` (computed before it was applied) names the
    /// owner of a removed message, opportunity, follow-up or expectation; a removal of
    /// something that did not exist touches nothing.
    public func touches(inverse: Change) -> Set<Touch> {
        var owners: [UUID: UUID] = [:]
        func collectOwners(_ c: Change) {
            switch c {
            case .batch(let cs): cs.forEach(collectOwners)
            case .putMessage(let m): owners[m.id] = m.recruiterID
            case .putOpportunity(let o): owners[o.id] = o.recruiterID
            case .putFollowUp(let f): owners[f.id] = f.recruiterID
            case .putExpectation(let e): owners[e.id] = e.recruiterID
            default: break
            }
        }
        collectOwners(inverse)
        collectOwners(self)
        var out: Set<Touch> = []
        func walk(_ c: Change) {
            func add(_ r: UUID?, _ p: Touch.Part) { if let r { out.insert(Touch(recruiter: r, part: p)) } }
            switch c {
            case .batch(let cs): cs.forEach(walk)
            case .putRecruiter(let r): add(r.id, .whole)
            case .removeRecruiter(let id): add(id, .whole)
            case .restoreRecruiter(let rec): add(rec.recruiter.id, .whole)
            case .putMessage(let m): add(m.recruiterID, .message(m.id))
            case .removeMessage(let id): add(owners[id], .message(id))
            case .putOpportunity(let o): add(o.recruiterID, .opportunity(o.id))
            case .removeOpportunity(let id): add(owners[id], .opportunity(id))
            case .putFollowUp(let f): add(f.recruiterID, .followUp(f.id))
            case .removeFollowUp(let id): add(owners[id], .followUp(id))
            case .putExpectation(let e): add(e.recruiterID, .expectation(e.id))
            case .removeExpectation(let id): add(owners[id], .expectation(id))
            case .setField(let r, let f, _): add(r, .field(f))
            case .setStatus(let r, _, _): add(r, .status)
            case .setTargeting(let r, _): add(r, .targeting)
            case .addTag(let r, let t), .removeTag(let r, let t): add(r, .tag(t))
            case .addEmail(let r, let e), .removeEmail(let r, let e): add(r, .email(e.lowercased()))
            case .setChecklistItem(let r, let i, _): add(r, .checklist(i))
            case .setAgenda(let r, _): add(r, .agenda)
            case .addReferral(let r, let ref): add(r, .referral(ref.id))
            case .removeReferral(let r, let id): add(r, .referral(id))
            case .dismissDeadline(let r, let d): add(r, .dismissal(d.deadline))
            case .undismissDeadline(let r, let d): add(r, .dismissal(d))
            }
        }
        walk(self)
        return out
    }
}
