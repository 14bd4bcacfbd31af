import Foundation
import RapportCore

/// A small, fast, seedable generator (SplitMix64) so demo data is the same on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    /// Starting from `state` itself (the tests' sequences, fixed by their seeds).
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uuid() -> UUID {
        let a = next(), b = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * i)) }
        for i in 0..<8 { bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * i)) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int(next() % UInt64(xs.count))] }
    mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
}

/// Realistic, deterministic sample data: the newcomer's first look and the benchmark's data.
public enum Demo {
    static let firstNames = [
        "Dana", "Priya", "Kenji", "Sofía", "Olivier", "Amara", "Liam", "Mei", "Jonas", "Fatima",
        "Mateo", "Chloé", "Arjun", "Ingrid", "Tomás", "Yuki", "Noah", "Aisha", "Lukas", "Zoë",
        "Björn", "Élodie", "Rafael", "Hana", "Siobhán", "Dmitri", "Leïla", "Kwame", "Søren", "Ana",
    ]
    static let lastNames = [
        "Smith", "Sharma", "Tanaka", "García", "Dubois", "Okafor", "Murphy", "Chen", "Becker", "Haddad",
        "Rossi", "Müller", "Kowalski", "Nguyen", "Johansson", "O'Brien", "Novák", "Silva", "Kim", "Fischer",
    ]
    /// Whole names in other scripts, used for a share of recruiters.
    static let otherScriptNames = [
        "山田 太郎", "佐藤 花子", "김민준", "이서연", "王伟", "李娜", "Алексей Иванов", "Мария Петрова",
        "Γιώργος Παπαδόπουλος", "محمد العلي", "שרה כהן", "अनन्या शर्मा", "Nguyễn Văn An", "Zoë 👩🏽‍💻 Park",
    ]
    static let firms = [
        "Hays", "Robert Half", "Hunter & Finch", "TalentBridge", "Nordic Search", "Acme Corp",
        "Globex", "Initech", "Stark Industries", "Umbrella Talent", "Blue Ocean Partners", "Redwood Recruiting",
        "株式会社テック", "Zalando", "Shopify", "Monzo", "Datadog", "Klarna", "Spotify", "Canva",
    ]
    static let zones = [
        "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo",
        "Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo", "Europe/Paris", "Asia/Singapore",
    ]
    static let roles = [
        "Senior Backend Engineer", "Staff Engineer", "Engineering Manager", "iOS Developer",
        "Platform Engineer", "Data Engineer", "Site Reliability Engineer", "Swift Developer",
    ]
    static let subjectsIn = [
        "Exciting opportunity at a fast-growing fintech", "Quick chat this week?", "Following up",
        "Re: Senior role — still interested?", "Just checking in", "Interview feedback",
        "Next steps with the hiring manager", "A role that matches your profile",
    ]
    static let subjectsOut = [
        "Re: Quick chat", "Thanks for reaching out", "Not the right time — thank you",
        "Thank you for today's interview", "Availability for a call", "Re: Next steps",
    ]
    static let bodiesIn = [
        "Hi! I came across your profile and think you'd be a great fit for a senior role with one of our clients. Would you have 15 minutes this week?",
        "Just following up on my last message. The hiring manager is keen to move quickly.",
        "Thanks for your time on the phone. I've shared your CV with the team and will come back to you by Friday.",
        "Hope you're well! Are you still open to new opportunities? Happy to share details.",
    ]
    static let bodiesOut = [
        "Thanks for thinking of me. I'd be happy to chat — Tuesday afternoon works well.",
        "Thank you for reaching out. I'm not looking to move right now, but I'd be glad to stay in touch.",
        "Thanks again for today. I enjoyed learning about the team and the platform work.",
        "Could you share the salary range and whether the role is remote-friendly?",
    ]

    /// The changes that fill an empty store with `recruiters` recruiters and about
    /// `messages` messages, relative to `now`. Same seed, same data.
    public static func changes(recruiters: Int, messages: Int, seed: UInt64, now: Date) -> [Change] {
        var rng = SeededGenerator(seed: seed)
        var out: [Change] = []
        out.reserveCapacity(recruiters + messages + recruiters / 2)
        let day: TimeInterval = 86_400
        let perRecruiter = recruiters > 0 ? max(1, messages / recruiters) : 0
        var remaining = messages
        for i in 0..<recruiters {
            let id = rng.uuid()
            let name: String
            if rng.chance(0.2) {
                name = rng.pick(otherScriptNames)
            } else {
                name = "\(rng.pick(firstNames)) \(rng.pick(lastNames))"
            }
            let firm = rng.pick(firms)
            let kind: RecruiterKind = rng.chance(0.55) ? .agency : (rng.chance(0.8) ? .inHouse : .independent)
            let blanket = rng.chance(0.1)
            let created = now.addingTimeInterval(-Double(rng.int(30...720)) * day).rounded
            let local = name.lowercased().filter { $0.isLetter && $0.isASCII }
            var r = Recruiter(
                id: id, name: name, firm: firm, kind: kind, targeting: blanket ? .blanket : .targeted,
                email: local.isEmpty ? nil : "\(local)@\(firm.lowercased().filter { $0.isLetter && $0.isASCII }).example",
                phone: rng.chance(0.5) ? "+44 20 7946 \(String(format: "%04d", rng.int(0...9999)))" : nil,
                linkedin: rng.chance(0.7) ? "https://www.linkedin.com/in/demo-\(i)" : nil,
                timeZone: rng.pick(zones), tags: rng.chance(0.3) ? [rng.pick(["fintech", "remote", "swift", "leadership", "startup"])] : [],
                notes: rng.chance(0.2) ? "Met at a meetup; prefers phone calls." : nil,
                status: .active, created: created)
            if rng.chance(0.05) { r.status = .ally }
            out.append(.putRecruiter(r))

            // The thread: alternate directions, ending in one of several situations.
            let count = i == recruiters - 1 ? remaining : min(remaining, max(1, perRecruiter + rng.int(-perRecruiter / 2...perRecruiter / 2)))
            remaining -= count
            let ending = rng.int(0...9)  // 0-2 open reply, 3 two follow-ups, 4 three, 5-6 awaiting them, rest answered
            var t = created
            let span = max(now.timeIntervalSince(created) - 2 * day, day)
            // Conversations of up to four messages a few hours to two days apart, the
            // conversations spread over the recruiter's history.
            let conversations = max(1, (count + 3) / 4)
            let step = span / Double(conversations)
            var conversationStart = created
            for k in 0..<count {
                let fromEnd = count - 1 - k
                var dir: Direction = k % 2 == 0 ? .inbound : .outbound
                if k % 4 == 0 {
                    conversationStart = created.addingTimeInterval(step * (Double(k / 4) + Double(rng.int(0...40)) / 100))
                    t = max(t, conversationStart)
                }
                var at = t.addingTimeInterval(Double(rng.int(2...40)) * 3600)
                switch ending {
                case 0...2 where fromEnd == 1, 3 where fromEnd == 2, 4 where fromEnd == 3:
                    dir = .outbound  // the candidate had answered before the open run began
                case 0...2 where fromEnd == 0:
                    dir = .inbound
                    at = now.addingTimeInterval(-Double(rng.int(1...60)) * 3600)
                case 3 where fromEnd <= 1:
                    dir = .inbound
                    at = now.addingTimeInterval(-Double(fromEnd * 3 + rng.int(1...2)) * day)
                case 4 where fromEnd <= 2:
                    dir = .inbound
                    at = now.addingTimeInterval(-Double(fromEnd * 4 + 2) * day)
                case 5...6 where fromEnd == 0:
                    dir = .outbound
                    at = now.addingTimeInterval(-Double(rng.int(2...12)) * day)
                case 7...9 where fromEnd == 0:
                    dir = .outbound
                default:
                    break
                }
                at = min(at, now.addingTimeInterval(-60)).rounded
                t = max(t, at)
                let channel: Channel = rng.chance(0.6) ? .email : (rng.chance(0.6) ? .linkedin : rng.pick([.phone, .text, .other]))
                let m = Message(
                    id: rng.uuid(), recruiterID: id, direction: dir, channel: channel, at: at,
                    subject: dir == .inbound ? rng.pick(subjectsIn) : rng.pick(subjectsOut),
                    body: dir == .inbound ? rng.pick(bodiesIn) : rng.pick(bodiesOut),
                    noReplyNeeded: dir == .inbound && blanket && rng.chance(0.5))
                out.append(.putMessage(m))
            }

            // Some opportunities, interviews, follow-ups and promises.
            if rng.chance(0.3) {
                let interviewAt = now.addingTimeInterval(Double(rng.int(-4...6)) * day + Double(rng.int(9...16)) * 3600).rounded
                let stage: Stage = rng.pick([.screen, .interview, .interview, .final])
                out.append(.putOpportunity(Opportunity(
                    id: rng.uuid(), recruiterID: id, role: rng.pick(roles),
                    employer: kind == .agency && rng.chance(0.4) ? nil : rng.pick(firms), stage: stage,
                    interviews: stage == .screen ? [] : [InterviewEvent(id: rng.uuid(), at: interviewAt, durationMinutes: 60, interviewers: ["Alex Morgan"])],
                    nextStep: rng.chance(0.5) ? "Send portfolio" : nil)))
            }
            if rng.chance(0.15) {
                out.append(.putFollowUp(FollowUp(
                    id: rng.uuid(), recruiterID: id,
                    due: now.addingTimeInterval(Double(rng.int(-3...7)) * day).rounded,
                    note: rng.pick(["Send updated CV", "Check in about the role", "Share references"]))))
            }
            if rng.chance(0.1) {
                out.append(.putExpectation(Expectation(
                    id: rng.uuid(), recruiterID: id,
                    by: now.addingTimeInterval(Double(rng.int(-3...4)) * day).rounded,
                    note: "Said they'd call back with feedback")))
            }
        }
        return out
    }
}
