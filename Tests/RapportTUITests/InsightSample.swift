import Foundation
import RapportCore
@testable import RapportTUI

/// `Sample.database` plus what the insight and call-prep views show: months of replies
/// (so the monthly sparkline has a trend), opportunities at every stage, referrals,
/// time zones, a half-done checklist and an agenda, and an interview tomorrow morning
/// (within 24 hours of `Sample.now`, so Dana is `unprepared`).
enum InsightSample {
    static let dana = Sample.id(1), hanako = Sample.id(2), priya = Sample.id(4), olu = Sample.id(5)
    static let danaOpportunity = Sample.id(3001)
    /// Tomorrow 10:00 UTC: 19 hours after `Sample.now`.
    static let interviewAt = Sample.at("2026-03-12T10:00:00Z")

    static var database: Database {
        var db = Sample.database
        var changes: [Change] = []
        func edit(_ id: UUID, _ f: (inout Recruiter) -> Void) {
            var r = db.recruiters[id]!
            f(&r)
            changes.append(.putRecruiter(r))
        }
        edit(dana) {
            $0.timeZone = "Europe/Berlin"
            $0.checklist = Checklist(done: ["profile-reviewed": Sample.at("2026-03-10T09:00:00Z")],
                                     agenda: "Shipped the payments SDK used by 3M people; cut the crash rate by 60%. Ask about on-call and the team's release cadence.")
            $0.referrals = [Referral(id: Sample.id(4001), name: "Jo Wu", at: Sample.at("2026-02-01T10:00:00Z"))]
        }
        edit(hanako) {
            $0.timeZone = "Asia/Tokyo"
            $0.referrals = [Referral(id: Sample.id(4002), name: "Kim Lee", at: Sample.at("2026-01-20T10:00:00Z")),
                            Referral(id: Sample.id(4003), name: "Ana Silva", at: Sample.at("2026-02-20T10:00:00Z"))]
        }
        edit(priya) { $0.targeting = .blanket }
        // Months of replies on Dana's and Olu's threads: inbound, then the candidate's answer
        // after a delay that shrinks over the months (a trend for the sparkline).
        let delays: [(String, Double)] = [
            ("2025-10-06T09:00:00Z", 70), ("2025-10-20T09:00:00Z", 50), ("2025-11-10T09:00:00Z", 40),
            ("2025-12-01T09:00:00Z", 30), ("2026-01-12T09:00:00Z", 20), ("2026-01-26T09:00:00Z", 26),
            ("2026-02-09T09:00:00Z", 12),
        ]
        for (i, (when, hours)) in delays.enumerated() {
            let rid = i % 2 == 0 ? dana : olu
            let t = Sample.at(when)
            changes.append(.putMessage(Message(id: Sample.id(5000 + 2 * i), recruiterID: rid, direction: .inbound,
                                               channel: .email, at: t, subject: "Role \(i)", body: "Interested?")))
            changes.append(.putMessage(Message(id: Sample.id(5001 + 2 * i), recruiterID: rid, direction: .outbound,
                                               channel: .email, at: t.addingTimeInterval(hours * 3600),
                                               subject: "Re: Role \(i)", body: "Thanks, tell me more.")))
        }
        let opportunities: [(Int, Int, String, String?, Stage, [InterviewEvent])] = [
            (3001, 1, "Senior iOS Engineer", "Finbank", .interview,
             [InterviewEvent(id: Sample.id(3101), at: interviewAt, interviewers: ["Alex Kim"])]),
            (3002, 2, "iOS Engineer", "Tokyo Startup", .screen, []),
            (3003, 4, "Platform Team Lead", nil, .offer, []),
            (3004, 5, "Staff Engineer", "Lagos Pay", .closedLost,
             [InterviewEvent(id: Sample.id(3102), at: Sample.at("2026-02-01T10:00:00Z"))]),
            (3005, 7, "Backend Developer", "Iberia Bank", .sourced, []),
            (3006, 7, "Mobile Lead", "Iberia Air", .sourced, []),
            (3007, 8, "Swift Developer", "Kadry", .final, []),
            (3008, 9, "Engineering Manager", "Globex", .withdrawn, []),
        ]
        for (n, r, role, employer, stage, interviews) in opportunities {
            changes.append(.putOpportunity(Opportunity(id: Sample.id(n), recruiterID: Sample.id(r), role: role,
                                                       employer: employer, stage: stage, interviews: interviews)))
        }
        try! db.apply(.batch(changes))
        return db
    }

    static func state(width: Int, height: Int, db: Database = database) -> AppState {
        AppState(db: db, policy: Policy(timeZone: "Europe/London"), now: Sample.now, width: width, height: height,
                 storePath: "/home/you/.local/share/rapport", rules: Sample.rules)
    }
}
