import Foundation
import RapportCore

/// A row (or card, or entity) an importer left out, and why.
public struct SkippedRow: Sendable, Equatable, CustomStringConvertible {
    /// The file the row came from (a base name such as `messages.csv`), if known.
    public var file: String?
    /// 1-based line where the row starts, if the format has lines.
    public var line: Int?
    public var reason: String

    public init(file: String? = nil, line: Int? = nil, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String {
        switch (file, line) {
        case let (f?, l?): return "\(f):\(l): \(reason)"
        case let (nil, l?): return "line \(l): \(reason)"
        case let (f?, nil): return "\(f): \(reason)"
        case (nil, nil): return reason
        }
    }
}

/// What an import would do (or did): counts, names and the rows it skipped.
public struct ImportReport: Sendable, Equatable {
    /// Names of recruiters the import adds.
    public var newRecruiters: [String] = []
    /// Names of existing recruiters the import fills in (missing firm, URL, e-mail).
    public var updatedRecruiters: [String] = []
    public var newMessages = 0
    public var newOpportunities = 0
    public var newFollowUps = 0
    public var newExpectations = 0
    /// Rows that were already in the store (re-import), or duplicates within the input.
    public var alreadyPresent = 0
    public var skipped: [SkippedRow] = []
    /// Things worth saying that are not errors ("no --me given: you are Ada Lovelace").
    public var notes: [String] = []
    /// Imports of history (LinkedIn): threads whose last message is older than the cutoff
    /// and came in settled, and threads whose last message waits for your answer now.
    public var settledThreads: Int?
    public var threadsNeedingAnswer: Int?

    public init() {}

    /// Nothing would change.
    public var isEmpty: Bool {
        newRecruiters.isEmpty && updatedRecruiters.isEmpty && newMessages == 0 && newOpportunities == 0
            && newFollowUps == 0 && newExpectations == 0
    }

    /// The one summary line every import ends with.
    public var summary: String {
        var parts: [String] = []
        if isEmpty {
            parts.append("0 new")
        } else {
            parts.append("\(newRecruiters.count) new recruiter\(newRecruiters.count == 1 ? "" : "s")")
            if !updatedRecruiters.isEmpty { parts.append("\(updatedRecruiters.count) updated") }
            parts.append("\(newMessages) new message\(newMessages == 1 ? "" : "s")")
            if newOpportunities > 0 { parts.append("\(newOpportunities) new opportunit\(newOpportunities == 1 ? "y" : "ies")") }
            if newFollowUps > 0 { parts.append("\(newFollowUps) new follow-up\(newFollowUps == 1 ? "" : "s")") }
            if newExpectations > 0 { parts.append("\(newExpectations) new expectation\(newExpectations == 1 ? "" : "s")") }
        }
        parts.append("\(alreadyPresent) already present")
        parts.append("\(skipped.count) skipped")
        if let settledThreads { parts.append("\(settledThreads) thread\(settledThreads == 1 ? "" : "s") settled") }
        if let n = threadsNeedingAnswer { parts.append("\(n) need\(n == 1 ? "s" : "") an answer now") }
        return parts.joined(separator: ", ")
    }
}

/// An importer's answer: the changes to apply as one batch, and the report.
public struct ImportResult: Sendable, Equatable {
    public var changes: [Change]
    public var report: ImportReport

    public init(changes: [Change], report: ImportReport) {
        self.changes = changes
        self.report = report
    }

    /// The one change to hand to `Store.apply` (one journal line, one undo).
    public var change: Change { .batch(changes) }
}

/// Errors an importer reports for input it cannot read at all (as opposed to single
/// rows it skips). Mapped to `RapportError.failure` by the CLI.
public struct InterchangeError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
