import Foundation
@testable import RapportCore

let newYork = TimeZone(identifier: "America/New_York")!
let berlin = TimeZone(identifier: "Europe/Berlin")!
let tokyo = TimeZone(identifier: "Asia/Tokyo")!
let utc = TimeZone(secondsFromGMT: 0)!

/// A wall-clock moment in `zone`, built with Foundation's Calendar (independent of the
/// arithmetic under test). `"2026-03-09 10:00"` or `"2026-03-09 10:00:30"`.
func wall(_ text: String, _ zone: TimeZone = newYork) -> Date {
    let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).map { Int($0)! }
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = zone
    let c = DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4],
                           second: parts.count > 5 ? parts[5] : 0)
    return cal.date(from: c)!
}

/// The wall-clock reading of `date` in `zone`, as `"2026-03-09 10:00"` (seconds if any).
func show(_ date: Date, _ zone: TimeZone = newYork) -> String {
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = zone
    let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    var s = String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    if c.second! != 0 { s += String(format: ":%02d", c.second!) }
    return s
}

/// A small world for rule tests: one database, built up with `Change`s like the app does.
struct World {
    var db = Database()
    let created = wall("2026-01-01 09:00")

    @discardableResult
    mutating func recruiter(_ name: String, targeting: Targeting = .targeted, status: RelationshipStatus = .active,
                            timeZone: String? = nil) -> UUID {
        let r = Recruiter(name: name, targeting: targeting, timeZone: timeZone, status: status, created: created)
        try! db.apply(.putRecruiter(r))
        return r.id
    }

    @discardableResult
    mutating func message(_ who: UUID, _ direction: Direction, _ at: Date, channel: Channel = .email,
                          noReplyNeeded: Bool = false) -> UUID {
        let m = Message(recruiterID: who, direction: direction, channel: channel, at: at, noReplyNeeded: noReplyNeeded)
        try! db.apply(.putMessage(m))
        return m.id
    }

    @discardableResult
    mutating func interview(_ who: UUID, at: Date, minutes: Int = 60, role: String = "Engineer",
                            employer: String? = "Acme") -> UUID {
        let iv = InterviewEvent(at: at, durationMinutes: minutes)
        let o = Opportunity(recruiterID: who, role: role, employer: employer, stage: .interview, interviews: [iv])
        try! db.apply(.putOpportunity(o))
        return iv.id
    }

    mutating func opportunity(_ who: UUID, role: String, employer: String?) {
        try! db.apply(.putOpportunity(Opportunity(recruiterID: who, role: role, employer: employer)))
    }

    @discardableResult
    mutating func followUp(_ who: UUID, due: Date, snoozedUntil: Date? = nil, done: Date? = nil) -> UUID {
        let f = FollowUp(recruiterID: who, due: due, note: "send CV", done: done, snoozedUntil: snoozedUntil)
        try! db.apply(.putFollowUp(f))
        return f.id
    }

    @discardableResult
    mutating func expectation(_ who: UUID, by: Date) -> UUID {
        let e = Expectation(recruiterID: who, by: by, note: "call")
        try! db.apply(.putExpectation(e))
        return e.id
    }

    func status(_ who: UUID, at now: Date, policy: Policy = .newYork) -> RecruiterStatus {
        Rules.status(of: who, in: db, now: now, policy: policy)
    }
}

extension Policy {
    static let newYork = Policy(timeZone: "America/New_York")
}
