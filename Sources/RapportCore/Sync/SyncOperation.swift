import Foundation

/// One change made on one device, as it travels between devices: the change, the clock
/// stamp it was made at, its number in that device's log (1, 2, 3, …) and what the device
/// had merged from the others when it made it (`seen`: device → how many of that device's
/// operations), which tells a concurrent edit from one made after seeing the other.
public struct SyncOperation: Sendable, Equatable {
    public var clock: HLC
    public var number: Int
    public var change: Change
    public var seen: [String: Int]
    /// The undo group the change belonged to on its device, when it had one (informative).
    public var group: String?

    public var device: String { clock.device }

    public init(clock: HLC, number: Int, change: Change, seen: [String: Int] = [:], group: String? = nil) {
        self.clock = clock
        self.number = number
        self.change = change
        self.seen = seen
        self.group = group
    }
}

/// Identifies one write: an operation's device and number, the position of the written
/// change inside a batch (`sub`), and its clock.
public struct WriteID: Codable, Sendable, Hashable {
    public var device: String
    public var number: Int
    public var sub: Int
    public var clock: HLC

    public init(device: String, number: Int, sub: Int, clock: HLC) {
        self.device = device
        self.number = number
        self.sub = sub
        self.clock = clock
    }

    /// True when a write made with causal context `seen` as write `self` had seen `other`
    /// (an earlier write of the same device, or one its device had merged).
    func saw(_ other: WriteID, seen: [String: Int]) -> Bool {
        if other.device == device { return (other.number, other.sub) < (number, sub) }
        return seen[other.device, default: 0] >= other.number
    }
}

/// Two writes to the same thing that did not know of each other: the later one (by clock)
/// won, the other is kept here so nothing is lost silently.
public struct SyncConflict: Codable, Sendable, Equatable, Hashable {
    public enum Kind: String, Codable, Sendable {
        /// Concurrent edits of one field: `loserValue` is the value that lost.
        case field
        /// A record deleted on one device and edited later on another: kept.
        case deleteKept = "delete-kept"
        /// An edit made on one device, concurrently deleted later on another: the delete won.
        case editLost = "edit-lost"
    }

    public var kind: Kind
    /// The recruiter it concerns (the owner, for a message or follow-up).
    public var recruiter: UUID
    /// The recruiter's name when the conflict was found.
    public var name: String
    /// What was written: `firm`, `status`, `tag remote`, `message`, `record`, …
    public var what: String
    public var winner: WriteID
    public var loser: WriteID
    /// The losing value, as text (nil: the field was cleared, or a delete lost).
    public var loserValue: String?
    /// The value that won, as text (nil: the field was cleared, or a delete won).
    public var winnerValue: String?

    public init(kind: Kind, recruiter: UUID, name: String, what: String, winner: WriteID, loser: WriteID,
                loserValue: String? = nil, winnerValue: String? = nil) {
        self.kind = kind
        self.recruiter = recruiter
        self.name = name
        self.what = what
        self.winner = winner
        self.loser = loser
        self.loserValue = loserValue
        self.winnerValue = winnerValue
    }

    /// "Dana Smith firm"
    public var summary: String { "\(name) \(what)" }
}

/// A conflict as this device keeps it until the user has read it: when a sync found it,
/// and the names of the devices that wrote the two values.
public struct RecordedConflict: Codable, Sendable, Equatable, Hashable {
    public var conflict: SyncConflict
    public var found: Date
    public var winnerDevice: String
    public var loserDevice: String

    public init(conflict: SyncConflict, found: Date, winnerDevice: String, loserDevice: String) {
        self.conflict = conflict
        self.found = found
        self.winnerDevice = winnerDevice
        self.loserDevice = loserDevice
    }

    /// One line in words: "firm: 'Globex' (laptop) won over 'Acme' (desktop)".
    public var line: String {
        let c = conflict
        func q(_ v: String?) -> String { v.map { "'\($0)'" } ?? "(none)" }
        switch c.kind {
        case .field where ["message", "opportunity", "follow-up", "expectation"].contains(c.what):
            // A whole record: its two versions are too long for one line.
            return "a \(c.what) edited on both: \(winnerDevice)'s version kept, \(loserDevice)'s lost"
        case .field:
            return "\(c.what): \(q(c.winnerValue)) (\(winnerDevice)) won over \(q(c.loserValue)) (\(loserDevice))"
        case .deleteKept:
            return "\(c.what): deleted on \(loserDevice), edited later on \(winnerDevice): kept"
        case .editLost:
            return "\(c.what): edited on \(loserDevice) (\(q(c.loserValue))), deleted later on \(winnerDevice): deleted"
        }
    }
}

/// Sync as a status bar shows it.
public struct SyncSummary: Sendable, Equatable {
    public var lastSync: Date?
    /// This device's changes no sync has published yet.
    public var unsent: Int
    /// Conflicts not yet acknowledged, oldest first.
    public var conflicts: [RecordedConflict]

    public init(lastSync: Date?, unsent: Int, conflicts: [RecordedConflict]) {
        self.lastSync = lastSync
        self.unsent = unsent
        self.conflicts = conflicts
    }
}
