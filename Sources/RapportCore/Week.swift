import Foundation

/// The week view (`rapport week`, `w` in the interface): today and the coming days as a
/// list of events, like khal's or calcurse's agenda — the interviews, the calls the
/// recruiters promised and the deadlines, each with the research checklist state and
/// whether the agenda (what the candidate means to say) is written. Pure; `now` is a
/// parameter.
public enum Week {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// An interview (from an opportunity).
        case interview
        /// Something the recruiter promised (an expectation); a call when its note says so.
        case promised
        /// A deadline of the candidate's (reply, thank-you, follow-up, check-in).
        case deadline
    }

    public struct Item: Sendable, Equatable {
        public var kind: Kind
        public var at: Date
        /// The end of an interview.
        public var end: Date?
        public var recruiterID: UUID
        public var title: String
        /// The deadline behind the row (every row has one while it is owed; a past
        /// interview of today has none).
        public var deadline: Deadline?
        /// For interviews and promised calls: the research still missing (empty: done).
        public var missing: [ChecklistItem]?
        /// For interviews and promised calls: true when an agenda is written.
        public var agendaWritten: Bool?
        /// The deadline's section, or where the event falls (`today`, `thisWeek`, `later`;
        /// an event earlier today is `today`).
        public var section: DeadlineSection

        /// The stable id: the deadline's, else `interview:<id>`.
        public var id: String
    }

    /// Items from the start of today (the candidate's zone) until `now + within`, and
    /// every overdue deadline, in time order (overdue deadlines first, then by time, then
    /// by id). Interviews of today stay listed after they start.
    public static func items(in db: Database, now: Date, policy: Policy, within: TimeInterval) -> [Item] {
        let statuses = Rules.evaluate(db, now: now, policy: policy)
        let sections = Rules.Sections(now: now, policy: policy)
        let calendar = BusinessCalendar(policy: policy, anchor: now)
        let start = calendar.startOfDay(now)
        let horizon = now.addingTimeInterval(within)
        var deadlineByID: [String: Deadline] = [:]
        for s in statuses.values { for d in s.deadlines { deadlineByID[d.id] = d } }
        var out: [Item] = []

        for (id, r) in db.recruiters {
            let opportunities = db.opportunities(of: id)
            for o in opportunities {
                let atEmployer = o.employer.map { " at \($0)" } ?? ""
                for iv in o.interviews where iv.at >= start && iv.at <= horizon {
                    let key = "interview:" + iv.id.uuidString.lowercased()
                    let missing = r.checklist.missing(.recruiter) + o.checklist.missing(.opportunity)
                    let agenda = !(r.checklist.agenda ?? "").isEmpty || !(o.checklist.agenda ?? "").isEmpty
                    let with = iv.interviewers.isEmpty ? "" : " with \(iv.interviewers.joined(separator: ", "))"
                    let d = deadlineByID[key]
                    out.append(Item(
                        kind: .interview, at: iv.at, end: iv.at.addingTimeInterval(TimeInterval(iv.durationMinutes) * 60),
                        recruiterID: id, title: "\(o.role) interview\(atEmployer)\(with) (via \(r.name))", deadline: d,
                        missing: missing, agendaWritten: agenda,
                        section: iv.at < now ? .today : sections.section(due: iv.at), id: key))
                }
            }
        }
        for s in statuses.values {
            for d in s.deadlines where d.kind != .interview {
                guard d.due <= horizon else { continue }
                if d.kind == .expectation, let eid = d.expectationID, let e = db.expectations[eid],
                   let r = db.recruiter(d.recruiterID) {
                    let call = Preparation.isCall(e)
                    out.append(Item(
                        kind: .promised, at: d.due, recruiterID: d.recruiterID, title: d.title, deadline: d,
                        missing: call ? r.checklist.missing(.recruiter) : nil,
                        agendaWritten: call ? !(r.checklist.agenda ?? "").isEmpty : nil,
                        section: sections.section(of: d), id: d.id))
                } else {
                    out.append(Item(kind: .deadline, at: d.due, recruiterID: d.recruiterID, title: d.title, deadline: d,
                                    section: sections.section(of: d), id: d.id))
                }
            }
        }
        return out.sorted { a, b in
            let ao = a.section == .overdue, bo = b.section == .overdue
            if ao != bo { return ao }
            if a.at != b.at { return a.at < b.at }
            return a.id < b.id
        }
    }

    /// The day an item is listed under (midnight in the candidate's zone); overdue
    /// deadlines are listed apart (nil).
    public static func day(of item: Item, policy: Policy, now: Date) -> Date? {
        item.section == .overdue ? nil : BusinessCalendar(policy: policy, anchor: now).startOfDay(item.at)
    }
}
