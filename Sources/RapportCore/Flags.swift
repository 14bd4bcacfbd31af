import Foundation

/// Flags computed by the rules at "now". Raw values are the stable kebab-case names that
/// scripts, the JSON store and `list --flag` use.
public enum Flag: String, Codable, Sendable, CaseIterable, Comparable {
    case nonResponsive = "non-responsive"
    case nonResponsiveRisk = "non-responsive-risk"
    case replyOverdue = "reply-overdue"
    case replyDue = "reply-due"
    case thankYouDue = "thank-you-due"
    case followUpOverdue = "follow-up-overdue"
    case noShow = "no-show"
    /// A call or interview within 24 hours and its research checklist incomplete.
    case unprepared
    case awaitingThem = "awaiting-them"
    case cold
    case duplicateSubmission = "duplicate-submission"
    case doNotContact = "do-not-contact"

    /// Order of importance (most urgent first); used for sorting and display.
    public var rank: Int { Flag.allCases.firstIndex(of: self)! }

    public static func < (a: Flag, b: Flag) -> Bool { a.rank < b.rank }
}

/// Whose move it is in a thread.
public enum Turn: String, Codable, Sendable, CaseIterable {
    /// The candidate owes a reply.
    case mine
    /// The candidate wrote last; waiting on the recruiter.
    case theirs
    /// Nothing open either way (no messages, or everything answered / needs no reply).
    case none
}

/// The kind of thing that is due.
public enum DeadlineKind: String, Codable, Sendable, CaseIterable {
    case reply
    case thankYou = "thank-you"
    case followUp = "follow-up"
    case checkIn = "check-in"
    case expectation
    /// An interview still to come (the row goes away when it starts; the thank-you follows).
    case interview
}

/// The sections of the deadline list, in display order. A deadline is `overdue` when now is
/// strictly after its due time; otherwise `today` when it falls due before the next
/// midnight (the candidate's zone), `thisWeek` before the midnight six days after that
/// (today and the next six days), and `later` after.
public enum DeadlineSection: String, Codable, Sendable, CaseIterable, Comparable {
    case overdue
    case today
    case thisWeek = "this-week"
    case later

    /// "Overdue", "Today", "This week", "Later".
    public var title: String {
        switch self {
        case .overdue: return "Overdue"
        case .today: return "Today"
        case .thisWeek: return "This week"
        case .later: return "Later"
        }
    }

    /// The position in `allCases` (the display order), without scanning the cases.
    public var rank: Int {
        switch self {
        case .overdue: return 0
        case .today: return 1
        case .thisWeek: return 2
        case .later: return 3
        }
    }

    public static func < (a: DeadlineSection, b: DeadlineSection) -> Bool { a.rank < b.rank }
}

/// A flag in words: what it is, since when, and why ("3 of their messages unanswered,
/// the oldest 16 days").
public struct FlagReason: Sendable, Equatable {
    public var flag: Flag
    /// When the flag came up (computed from the data where the rules say so, else when
    /// it was first seen by the store); nil when unknown.
    public var since: Date?
    public var why: String

    public init(flag: Flag, since: Date?, why: String) {
        self.flag = flag
        self.since = since
        self.why = why
    }
}


/// One dated obligation, across all recruiters, for the Deadlines pane and `rapport due`.
public struct Deadline: Sendable, Equatable, Identifiable {
    /// Stable across evaluations: kind + the id of the thing it is about.
    public var id: String
    public var kind: DeadlineKind
    public var recruiterID: UUID
    public var due: Date
    /// The message this is about (the open inbound for a reply), if any.
    public var messageID: UUID?
    /// The follow-up this is, if any (for done / snooze).
    public var followUpID: UUID?
    /// The expectation this is, if any.
    public var expectationID: UUID?
    /// The interview this is about (an upcoming interview, or the thank-you after it).
    public var interviewID: UUID?
    public var title: String
    public var urgency: Double
    /// For a reply: how many of their messages wait (the deadline runs from the oldest,
    /// `messageID`); 1 otherwise.
    public var count: Int
    /// For a reply: the newest unanswered message (marking it "no reply needed" closes
    /// them all).
    public var lastMessageID: UUID?
    /// True when the candidate snoozed it: `due` is the snooze time.
    public var snoozed: Bool

    public init(id: String, kind: DeadlineKind, recruiterID: UUID, due: Date, messageID: UUID? = nil,
                followUpID: UUID? = nil, expectationID: UUID? = nil, interviewID: UUID? = nil, title: String,
                urgency: Double, count: Int = 1, lastMessageID: UUID? = nil, snoozed: Bool = false) {
        self.id = id
        self.kind = kind
        self.recruiterID = recruiterID
        self.due = due
        self.messageID = messageID
        self.followUpID = followUpID
        self.expectationID = expectationID
        self.interviewID = interviewID
        self.title = title
        self.urgency = urgency
        self.count = count
        self.lastMessageID = lastMessageID
        self.snoozed = snoozed
    }

    /// The short form of the id people type: the kind and the first 8 hex digits
    /// (`reply:1a2b3c4d`). `rapport done|snooze|dismiss` accept it, the full id, or the
    /// hex prefix alone.
    public var shortID: String {
        guard let colon = id.firstIndex(of: ":") else { return id }
        return String(id[...colon]) + String(id[id.index(after: colon)...].prefix(8))
    }

    /// Overdue once `now` is strictly after `due`; at the exact instant it is still due.
    public func isOverdue(at now: Date) -> Bool { due < now }
}

/// What the rules say about one recruiter at one moment.
public struct RecruiterStatus: Sendable, Equatable {
    public var recruiterID: UUID
    /// Sorted most important first.
    public var flags: [Flag]
    public var turn: Turn
    public var lastContact: Date?
    public var urgency: Double
    /// Sorted most urgent first.
    public var deadlines: [Deadline]
    /// The open inbound messages (the candidate owes a reply), oldest first.
    public var openMessageIDs: [UUID]

    public init(recruiterID: UUID, flags: [Flag] = [], turn: Turn = .none, lastContact: Date? = nil,
                urgency: Double = 0, deadlines: [Deadline] = [], openMessageIDs: [UUID] = []) {
        self.recruiterID = recruiterID
        self.flags = flags
        self.turn = turn
        self.lastContact = lastContact
        self.urgency = urgency
        self.deadlines = deadlines
        self.openMessageIDs = openMessageIDs
    }
}
