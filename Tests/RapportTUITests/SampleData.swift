import Foundation
import RapportCore
import RapportTUI

/// A small, fixed data set for the view and update tests: names in several scripts,
/// threads both ways, an ESC sequence in a message, and rules pinned so the snapshots
/// do not move when the real rules are tuned.
enum Sample {
    static let now = ISO8601.parse("2026-03-11T15:00:00Z")!

    static func id(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!
    }

    static func at(_ iso: String) -> Date { ISO8601.parse(iso)! }

    struct Person {
        var n: Int
        var name: String
        var firm: String?
        var email: String?
    }

    static let people: [Person] = [
        Person(n: 1, name: "Dana Smith", firm: "Acme Talent", email: "dana@acme.example"),
        Person(n: 2, name: "佐藤 花子", firm: "東京リクルート株式会社", email: "hanako@tokyo.example"),
        Person(n: 3, name: "Zoë Łukasiewicz", firm: "Nordlicht Executive Search", email: nil),
        Person(n: 4, name: "Priya Raman 👩🏽‍💻", firm: "Bangalore Tech Partners", email: "priya@btp.example"),
        Person(n: 5, name: "Olu Adeyemi 🇳🇬", firm: "Lagos Talent Co", email: nil),
        Person(n: 6, name: "김민준", firm: "서울 헤드헌팅", email: nil),
        Person(n: 7, name: "José Müller", firm: "Iberia Recruiting", email: "jose@iberia.example"),
        Person(n: 8, name: "Анна Петрова", firm: "Москва Кадры", email: nil),
        Person(n: 9, name: "Sam O'Neil", firm: "In-house at Globex", email: nil),
        Person(n: 10, name: "Mallory \u{1B}[31mRed", firm: "Injected\u{07} Ltd", email: nil),
    ]

    static var database: Database {
        var changes: [Change] = people.map {
            .putRecruiter(Recruiter(id: id($0.n), name: $0.name, firm: $0.firm, email: $0.email,
                                    created: at("2026-01-05T09:00:00Z")))
        }
        func msg(_ m: Int, _ r: Int, _ dir: Direction, _ ch: Channel, _ when: String, _ subject: String?, _ body: String?) {
            changes.append(.putMessage(Message(id: id(1000 + m), recruiterID: id(r), direction: dir, channel: ch,
                                               at: at(when), subject: subject, body: body)))
        }
        msg(1, 1, .inbound, .email, "2026-03-02T09:30:00Z", "Senior iOS role at a fintech",
            "Hi! I came across your profile and think you'd be a great fit for a senior iOS role at a Berlin fintech. Open to a quick call this week?")
        msg(2, 1, .outbound, .email, "2026-03-02T17:10:00Z", "Re: Senior iOS role at a fintech",
            "Thanks Dana, happy to talk. Thursday afternoon works for me.")
        msg(3, 1, .inbound, .phone, "2026-03-05T14:00:00Z", nil,
            "Call: they want a take-home first. Dana will send details by Monday.")
        msg(4, 1, .inbound, .email, "2026-03-09T08:15:00Z", "Take-home exercise",
            "Here is the exercise. Could you confirm by Wednesday whether you'll do it?\nBest,\nDana")
        msg(5, 2, .inbound, .linkedin, "2026-03-10T01:00:00Z", "東京のポジションについて",
            "はじめまして。東京のスタートアップでiOSエンジニアを募集しています。ご興味はありますか？")
        msg(6, 3, .outbound, .email, "2026-02-20T10:00:00Z", "CV as promised", "Attached is my CV. Looking forward to hearing from you.")
        msg(7, 4, .inbound, .email, "2026-02-25T11:00:00Z", "Platform team lead 🚀", "Are you open to relocation? 👍🏽")
        msg(8, 5, .outbound, .linkedin, "2026-03-06T12:00:00Z", nil, "Following up on our chat — any news from the client? 🇳🇬➡️🇩🇪")
        msg(9, 6, .inbound, .email, "2026-03-11T09:00:00Z", "면접 일정", "다음 주 화요일 면접 가능하신가요?")
        msg(10, 7, .inbound, .email, "2026-02-10T09:00:00Z", "Quick question", "Café chat next week? Ça vous dit ?")
        msg(11, 10, .inbound, .email, "2026-03-10T10:00:00Z", "\u{1B}]0;pwned\u{07}", "Body with \u{1B}[2J escape and a\ttab and DEL\u{7F}.")
        changes.append(.putFollowUp(FollowUp(id: id(2001), recruiterID: id(3), due: at("2026-03-12T09:00:00Z"), note: "Check in about the CV")))
        changes.append(.putFollowUp(FollowUp(id: id(2002), recruiterID: id(9), due: at("2026-03-16T09:00:00Z"), note: "Send portfolio link")))
        var db = Database()
        try! db.apply(.batch(changes))
        return db
    }

    /// Rules pinned for the snapshots: whose turn from the last message, "reply due" two
    /// days after an unanswered inbound, risk after a week, and open follow-ups.
    static let rules = StatusSource(
        evaluate: { db, now, _ in evaluate(db, now: now) },
        deadlines: { statuses, _, _ in
            statuses.values.flatMap { $0.deadlines }.sorted { ($0.due, $0.id) < ($1.due, $1.id) }
        })

    static func evaluate(_ db: Database, now: Date) -> [UUID: RecruiterStatus] {
            var out: [UUID: RecruiterStatus] = [:]
            for (rid, _) in db.recruiters {
                var s = RecruiterStatus(recruiterID: rid)
                let thread = db.thread(rid)
                s.lastContact = thread.last?.at
                if let last = thread.last {
                    s.turn = last.direction == .inbound ? .mine : .theirs
                    let age = now.timeIntervalSince(last.at)
                    if last.direction == .inbound {
                        s.deadlines.append(Deadline(id: "reply:\(last.id)", kind: .reply, recruiterID: rid,
                                                    due: last.at.addingTimeInterval(2 * 86400), messageID: last.id,
                                                    title: "Reply to \(db.recruiters[rid]!.name)", urgency: age))
                        s.flags.append(age > 2 * 86400 ? .replyOverdue : .replyDue)
                        if age > 7 * 86400 { s.flags.insert(.nonResponsiveRisk, at: 0) }
                    } else {
                        s.flags.append(.awaitingThem)
                        if age > 14 * 86400 { s.flags.append(.cold) }
                    }
                }
                for f in db.followUps(of: rid) where f.done == nil {
                    s.deadlines.append(Deadline(id: "follow-up:\(f.id)", kind: .followUp, recruiterID: rid, due: f.due,
                                                followUpID: f.id, title: f.note ?? "Follow up",
                                                urgency: now.timeIntervalSince(f.due)))
                }
                s.urgency = s.deadlines.map(\.urgency).max() ?? -1e9
                out[rid] = s
            }
            return out
    }

    static func state(width: Int, height: Int, db: Database = database) -> AppState {
        AppState(db: db, now: now, width: width, height: height, storePath: "/home/you/.local/share/rapport",
                 rules: rules)
    }
}
