import Foundation
import RapportCore

/// Rapport's JSON export: the same shape as the store snapshot (`store.json`), so either
/// file can be imported. Every entity with every field, `extra` included.
public struct RapportDocument: Codable, Sendable, Equatable {
    public static let currentVersion = 1
    public var schemaVersion: Int
    public var recruiters: [Recruiter]
    public var messages: [Message]
    public var opportunities: [Opportunity]
    public var followUps: [FollowUp]
    public var expectations: [Expectation]

    public init(_ db: Database) {
        schemaVersion = RapportDocument.currentVersion
        // Flags (and when each was first seen) are derived on each device, not data: two
        // devices that hold the same data export the same bytes.
        recruiters = db.recruiters.values.sorted { $0.id.uuidString < $1.id.uuidString }.map {
            var r = $0
            r.flags = []
            return r
        }
        messages = recruiters.flatMap { db.thread($0.id) }
        opportunities = db.opportunities.values.sorted { $0.id.uuidString < $1.id.uuidString }
        followUps = db.followUps.values.sorted { $0.id.uuidString < $1.id.uuidString }
        expectations = db.expectations.values.sorted { $0.id.uuidString < $1.id.uuidString }
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, recruiters, messages, opportunities, followUps, expectations
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decodeIfPresent(Int.self, forKey: .schemaVersion) ?? RapportDocument.currentVersion
        recruiters = try c.decodeIfPresent([Recruiter].self, forKey: .recruiters) ?? []
        messages = try c.decodeIfPresent([Message].self, forKey: .messages) ?? []
        opportunities = try c.decodeIfPresent([Opportunity].self, forKey: .opportunities) ?? []
        followUps = try c.decodeIfPresent([FollowUp].self, forKey: .followUps) ?? []
        expectations = try c.decodeIfPresent([Expectation].self, forKey: .expectations) ?? []
    }
}

public enum RapportJSON {
    /// Deterministic: sorted keys, ISO 8601 dates, entities sorted by id.
    public static func export(_ db: Database) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        var data = ControlText.escapingJSON(try e.encode(RapportDocument(db)))
        data.append(0x0A)
        return data
    }

    /// Plans adding what the store lacks, by id. Entities whose id exists are counted as
    /// present (never overwritten); ones whose recruiter is missing are skipped.
    public static func plan(_ data: Data, into db: Database, file: String = "JSON") throws -> ImportResult {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        let doc: RapportDocument
        do { doc = try d.decode(RapportDocument.self, from: data) } catch {
            throw InterchangeError("\(file): \(DecodingText.describe(error, in: data)) (not a Rapport export?)")
        }
        guard doc.schemaVersion <= RapportDocument.currentVersion else {
            throw InterchangeError("\(file): written by a newer Rapport (schema \(doc.schemaVersion), this one reads \(RapportDocument.currentVersion))")
        }
        var report = ImportReport()
        var changes: [Change] = []
        var recruiters = Set(db.recruiters.keys)
        for r in doc.recruiters {
            if recruiters.contains(r.id) { report.alreadyPresent += 1; continue }
            recruiters.insert(r.id)
            changes.append(.putRecruiter(r))
            report.newRecruiters.append(r.name)
        }
        func owned(_ kind: String, _ id: UUID, _ rid: UUID, present: Bool, _ add: () -> Void) {
            if present { report.alreadyPresent += 1; return }
            guard recruiters.contains(rid) else {
                report.skipped.append(SkippedRow(file: file, reason: "\(kind) \(id.uuidString.lowercased()): recruiter \(rid.uuidString.lowercased()) is in neither the file nor the store"))
                return
            }
            add()
        }
        var seen: Set<UUID> = []
        for m in doc.messages {
            owned("message", m.id, m.recruiterID, present: db.message(m.id) != nil || !seen.insert(m.id).inserted) {
                changes.append(.putMessage(m)); report.newMessages += 1
            }
        }
        for o in doc.opportunities {
            owned("opportunity", o.id, o.recruiterID, present: db.opportunities[o.id] != nil || !seen.insert(o.id).inserted) {
                changes.append(.putOpportunity(o)); report.newOpportunities += 1
            }
        }
        for f in doc.followUps {
            owned("follow-up", f.id, f.recruiterID, present: db.followUps[f.id] != nil || !seen.insert(f.id).inserted) {
                changes.append(.putFollowUp(f)); report.newFollowUps += 1
            }
        }
        for x in doc.expectations {
            owned("expectation", x.id, x.recruiterID, present: db.expectations[x.id] != nil || !seen.insert(x.id).inserted) {
                changes.append(.putExpectation(x)); report.newExpectations += 1
            }
        }
        return ImportResult(changes: changes, report: report)
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return p.isEmpty ? "" : " at \(p.hasPrefix(".") ? String(p.dropFirst()) : p)"
        }
        switch e {
        case .dataCorrupted(let c): return "malformed JSON\(path(c)): \(c.debugDescription)"
        case .keyNotFound(let k, let c): return "missing \"\(k.stringValue)\"\(path(c))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "wrong value\(path(c)): \(c.debugDescription)"
        @unknown default: return "\(e)"
        }
    }
}
