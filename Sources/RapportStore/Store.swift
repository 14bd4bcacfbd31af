import Foundation
import RapportCore

/// The JSON store in one directory (see docs/store-format.md).
///
/// FIRST CUT: a plain snapshot written on every change. The durable design (journal,
/// flock, crash-safe compaction, damage reports) replaces the internals; the API stays.
public final class Store {
    public let paths: AppPaths
    public private(set) var database: Database
    public let policy: Policy
    /// True when the store must not be written (e.g. written by a newer Rapport).
    public private(set) var readOnly = false
    /// Things the user should be told after opening (a torn journal tail set aside, …).
    public private(set) var notices: [String] = []

    private init(paths: AppPaths, database: Database, policy: Policy) {
        self.paths = paths
        self.database = database
        self.policy = policy
    }

    /// Opens the store, creating the directory (0700) if needed. An empty or missing
    /// store opens as an empty database; a damaged one throws, never opens as empty.
    public static func open(_ paths: AppPaths, policy: Policy = .default) throws -> Store {
        let fm = FileManager.default
        try fm.createDirectory(atPath: paths.storeDirectory, withIntermediateDirectories: true,
                               attributes: [.posixPermissions: 0o700])
        guard fm.fileExists(atPath: paths.snapshot) else {
            return Store(paths: paths, database: Database(), policy: policy)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: paths.snapshot))
        do {
            let snap = try JSONDecoder.rapport.decode(Snapshot.self, from: data)
            return Store(paths: paths, database: try snap.database(), policy: policy)
        } catch {
            throw RapportError.failure("\(paths.snapshot): not a valid store (\(error)); the previous snapshot is \(paths.backup)")
        }
    }

    /// Applies `change` durably: when this returns, the change is on disk.
    public func apply(_ change: Change) throws {
        guard !readOnly else { throw RapportError.failure("the store is read-only") }
        var next = database
        try next.apply(change)
        try write(next)
        database = next
    }

    /// Picks up changes made by other processes. Returns true when something changed.
    @discardableResult
    public func refresh() throws -> Bool { false }

    /// Folds the journal into a new snapshot.
    public func compact() throws { try write(database) }

    private func write(_ db: Database) throws {
        let data = try JSONEncoder.rapport.encode(Snapshot(db))
        try data.write(to: URL(fileURLWithPath: paths.snapshot), options: .atomic)
    }
}

/// The on-disk shape of `store.json`.
struct Snapshot: Codable {
    static let currentVersion = 1
    var schemaVersion: Int
    var recruiters: [Recruiter]
    var messages: [Message]
    var opportunities: [Opportunity]
    var followUps: [FollowUp]
    var expectations: [Expectation]

    init(_ db: Database) {
        schemaVersion = Snapshot.currentVersion
        recruiters = db.recruiters.values.sorted { $0.id.uuidString < $1.id.uuidString }
        messages = recruiters.flatMap { db.thread($0.id) }
        opportunities = db.opportunities.values.sorted { $0.id.uuidString < $1.id.uuidString }
        followUps = db.followUps.values.sorted { $0.id.uuidString < $1.id.uuidString }
        expectations = db.expectations.values.sorted { $0.id.uuidString < $1.id.uuidString }
    }

    func database() throws -> Database {
        var db = Database()
        var changes: [Change] = recruiters.map(Change.putRecruiter)
        changes += messages.map(Change.putMessage)
        changes += opportunities.map(Change.putOpportunity)
        changes += followUps.map(Change.putFollowUp)
        changes += expectations.map(Change.putExpectation)
        try db.apply(.batch(changes))
        return db
    }
}

extension JSONEncoder {
    static var rapport: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }
}

extension JSONDecoder {
    static var rapport: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
