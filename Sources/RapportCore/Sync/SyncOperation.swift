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

    /// "Dana Smith firm"
    public var summary: String { "\(name) \(what)" }
}
