import Foundation
import Testing
@testable import RapportCore

/// `Rules.nextChange` is collected while the rules evaluate: a threshold counts exactly
/// when a rule compares `now` with it.
struct HorizonTests {
    @Test func aDoNotContactRecruitersFollowUpIsNoMoment() {
        var w = World()
        let ana = w.recruiter("Ana", status: .doNotContact)
        let now = wall("2026-03-10 08:00")
        w.followUp(ana, due: wall("2026-03-10 16:00"))
        // No deadline exists for her, so nothing changes at 16:00.
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == wall("2026-03-11 00:00"))
    }

    @Test func anExpectationAlreadyKeptIsNoMomentAnOpenOneIs() {
        var w = World()
        let ana = w.recruiter("Ana")
        let now = wall("2026-03-10 08:00")
        w.expectation(ana, by: wall("2026-03-10 15:00"))
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == wall("2026-03-10 15:00"))
        w.message(ana, .inbound, wall("2026-03-10 07:30"))
        w.message(ana, .outbound, wall("2026-03-10 07:45"))
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == wall("2026-03-11 00:00"))
    }

    @Test func theCheckInOnsetIsAMoment() {
        var w = World()
        let ana = w.recruiter("Ana")
        // Five business days after Tuesday 10:00 is the next Tuesday 10:00.
        w.message(ana, .outbound, wall("2026-03-03 10:00"))
        let now = wall("2026-03-10 08:00")
        #expect(Rules.nextChange(in: w.db, now: now, policy: .newYork) == wall("2026-03-10 10:00"))
        #expect(w.status(ana, at: wall("2026-03-10 10:00")).flags == [.awaitingThem])
        #expect(w.status(ana, at: wall("2026-03-10 09:59")).flags == [])
    }

    @Test func evaluatingWithAHorizonGivesTheSameStatuses() {
        var w = World()
        let ana = w.recruiter("Ana")
        w.message(ana, .inbound, wall("2026-03-09 10:00"))
        w.interview(ana, at: wall("2026-03-09 14:00"))
        let now = wall("2026-03-10 12:00")
        let horizon = Horizon(now: now, until: wall("2026-03-11 00:00"))
        let with = Rules.evaluate(w.db, engine: RuleEngine(policy: .newYork, now: now, horizon: horizon))
        #expect(with == Rules.evaluate(w.db, now: now, policy: .newYork))
    }
}
