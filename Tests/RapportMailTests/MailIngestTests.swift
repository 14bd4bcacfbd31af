import Foundation
import RapportCore
import Testing
@testable import RapportMail

private let now = Date(timeIntervalSince1970: 1_795_000_000)

private func item(_ s: String, path: String? = nil) -> IngestItem {
    IngestItem(message: MailReader.read(Array(s.utf8)), path: path, source: "test", fallbackDate: now)
}

private func database(_ recruiters: [Recruiter]) throws -> Database {
    var db = Database()
    for r in recruiters { try db.apply(.putRecruiter(r)) }
    return db
}

private func run(_ db: Database, me: [String] = ["me@example.com"], _ mails: [String]) throws -> (MailIngest, Database) {
    var ingest = MailIngest(db: db, me: me, now: now)
    for m in mails { ingest.add(item(m)) }
    var out = db
    try out.apply(.batch(ingest.changes))
    return (ingest, out)
}

@Suite struct MailIngestTests {
    let jane = Recruiter(name: "Jane Doe", firm: "Acme Talent", emails: ["jane@acme.com", "j.doe@acme-talent.co.uk"], created: now)

    @Test func knownSenderByAnyAddressGoesOnTheirThread() throws {
        let db = try database([jane])
        let (ingest, out) = try run(db, ["""
            From: Jane <J.Doe@acme-talent.co.uk>
            To: me@example.com
            Subject: iOS role
            Message-ID: <m1@acme>
            Date: Mon, 23 Nov 2026 10:00:00 +0000

            Hi, are you open to a new role?

            --\u{20}
            Jane
            """])
        #expect(ingest.report.inbound == 1)
        let thread = out.thread(jane.id)
        #expect(thread.count == 1)
        #expect(thread[0].id == StableID.make(.message, "mail:m1@acme"))
        #expect(thread[0].body == "Hi, are you open to a new role?")
        #expect(thread[0].direction == .inbound)
        #expect(thread[0].extra[MailKeys.messageID] == .string("m1@acme"))
        #expect(thread[0].extra[MailKeys.fullText] != nil)  // no file: the whole text is kept
    }

    @Test func idempotentByMessageIDAndByHeaderHash() throws {
        let mail = "From: jane@acme.com\nSubject: x\nMessage-ID: <same@x>\n\nhello"
        let noID = "From: jane@acme.com\nSubject: y\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nhello"
        let (first, db1) = try run(try database([jane]), [mail, noID])
        #expect(first.report.inbound == 2)
        let (second, db2) = try run(db1, [mail, noID, mail])
        #expect(second.changes.isEmpty)
        #expect(second.report.alreadyIn == 3)
        #expect(db2.thread(jane.id).count == 2)
    }

    @Test func myReplyClosesTheDeadline() throws {
        let db = try database([jane])
        let (ingest, out) = try run(db, ["""
            From: Jane <jane@acme.com>
            Subject: iOS role
            Message-ID: <m1@acme>
            Date: Mon, 23 Nov 2026 10:00:00 +0000

            Interested?
            """, """
            From: Me <ME@example.com>
            To: someone-else@acme.com
            Subject: Re: iOS role
            In-Reply-To: <m1@acme>
            Message-ID: <r1@me>
            Date: Mon, 23 Nov 2026 12:00:00 +0000

            Yes!

            On Mon, Jane wrote:
            > Interested?
            """])
        #expect(ingest.report.outbound == 1)
        let thread = out.thread(jane.id)
        #expect(thread.map(\.direction) == [.inbound, .outbound])
        #expect(thread[1].body == "Yes!")
        let later = Date(timeIntervalSince1970: 1_795_500_000)
        #expect(Rules.status(of: jane.id, in: out, now: later, policy: Policy(timeZone: "UTC")).openMessageIDs.isEmpty)
        // without the reply, the recruiter's message is open
        var onlyInbound = db
        try onlyInbound.apply(ingest.changes[0])
        #expect(Rules.status(of: jane.id, in: onlyInbound, now: later, policy: Policy(timeZone: "UTC")).openMessageIDs.count == 1)
    }

    @Test func viaGreenhouseMatchesByName() throws {
        let db = try database([jane])
        let (ingest, out) = try run(db, ["""
            From: Jane Doe via Greenhouse <no-reply@us.greenhouse-mail.io>
            Subject: Next steps
            Message-ID: <g1@gh>

            Let's schedule.
            """])
        #expect(ingest.report.inbound == 1)
        #expect(out.thread(jane.id).count == 1)
        #expect(ingest.report.newRecruiters.isEmpty)
    }

    @Test func unknownRecruiterWithEvidenceIsCreatedOthersIgnored() throws {
        let db = Database()
        let (ingest, out) = try run(db, ["""
            From: "Sam Smith" <sam@bigsearch.com>
            Subject: Opportunity
            Message-ID: <o1@x>

            I came across your profile and have a role with my client.

            --\u{20}
            Sam Smith
            Senior Technical Recruiter, BigSearch
            """, """
            From: Friend <friend@gmail.com>
            Subject: dinner
            Message-ID: <f1@x>

            Dinner on Friday? I control the role of host.
            """, """
            From: News <news@list.example>
            List-Id: <news.example>
            Subject: Hiring now: job opportunities
            Message-ID: <n1@x>

            Great opportunity, new role, apply for this job
            """])
        #expect(ingest.report.newRecruiters == ["Sam Smith"])
        #expect(ingest.report.ignored == 1)
        #expect(ingest.report.ignoredBulk == 1)
        let id = StableID.make(.recruiter, "email:sam@bigsearch.com")
        let sam = try #require(out.recruiters[id])
        #expect(sam.tags == ["from-mail"])
        #expect(sam.firm == "Bigsearch")
        #expect(sam.notes?.contains("signature: Senior Technical Recruiter, BigSearch") == true)
        #expect(sam.notes?.contains("outreach") == true)
        #expect(out.thread(id).count == 1)
    }

    @Test func bulkFromKnownRecruiterNeedsNoReplyAndReceiptsCreateNobody() throws {
        let db = try database([jane])
        let (ingest, out) = try run(db, ["""
            From: jane@acme.com
            Precedence: bulk
            Subject: Our newsletter
            Message-ID: <b1@x>

            News.
            """, """
            From: Acme Careers via Greenhouse <no-reply@greenhouse.io>
            Subject: Thank you for applying to Acme
            Message-ID: <b2@x>

            Thank you for applying! Our recruiting team will review your experience for the role.
            """])
        #expect(out.thread(jane.id).first?.noReplyNeeded == true)
        #expect(ingest.report.newRecruiters.isEmpty)
        #expect(ingest.report.ignoredBulk == 1)
    }

    @Test func calendarInvitationBecomesAnInterview() throws {
        let db = try database([jane])
        let (ingest, out) = try run(db, ["""
            From: jane@acme.com
            Subject: Invitation: Interview with Acme
            Message-ID: <c1@x>
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain

            See you then.
            --b
            Content-Type: text/calendar; method=REQUEST

            BEGIN:VCALENDAR
            METHOD:REQUEST
            BEGIN:VEVENT
            UID:ev1@acme
            SUMMARY:Interview with Acme
            DTSTART:20261201T150000Z
            DTEND:20261201T160000Z
            END:VEVENT
            END:VCALENDAR
            --b--
            """])
        #expect(ingest.report.interviews == 1)
        let opp = try #require(out.opportunities(of: jane.id).first)
        #expect(opp.stage == .interview)
        #expect(opp.interviews.count == 1)
        #expect(opp.interviews[0].durationMinutes == 60)
        #expect(opp.interviews[0].at == Date(timeIntervalSince1970: 1_796_137_200))
    }

    @Test func linkedInNotificationBecomesASnippetMessage() throws {
        var ada = Recruiter(name: "Ada Lovelace", created: now)
        ada.linkedin = "https://www.linkedin.com/in/ada-l/"
        let db = try database([ada])
        let (ingest, out) = try run(db, ["""
            From: Ada Lovelace via LinkedIn <messages-noreply@linkedin.com>
            Subject: Ada Lovelace sent you a message
            Message-ID: <li1@linkedin.com>

            Ada Lovelace
            Hi! I have an exciting role for you, open to a chat?
            View message
            https://www.linkedin.com/comm/in/ada-l?trk=x
            Unsubscribe
            """])
        #expect(ingest.report.linkedin == 1)
        let m = try #require(out.thread(ada.id).first)
        #expect(m.channel == .linkedin)
        #expect(m.body == "Hi! I have an exciting role for you, open to a chat?")
        #expect(m.extra[MailKeys.linkedinSnippet] == .bool(true))
    }

    @Test func threadBySubjectForAColleague() throws {
        let db = try database([jane])
        let (_, db1) = try run(db, ["From: jane@acme.com\nSubject: Senior iOS role at Foo\nMessage-ID: <s1@x>\n\nhi"])
        let (ingest, out) = try run(db1, ["From: boss@acme.com\nSubject: RE: Senior iOS role at Foo\nMessage-ID: <s2@x>\n\nfollowing up"])
        #expect(ingest.report.inbound == 1)
        #expect(out.thread(jane.id).count == 2)
    }

    @Test func automaticMailAndATSSendersWithReplyTo() throws {
        let db = try database([jane])
        let (ingest, out) = try run(db, ["""
            From: jane@acme.com
            Auto-Submitted: auto-replied
            Subject: Out of office
            Message-ID: <a1@x>

            I am away.
            """, """
            From: Bot <bot@example.org>
            Auto-Submitted: auto-generated
            Subject: Your role, position and salary report
            Message-ID: <a2@x>

            A new role and an exciting opportunity for your profile.
            """, """
            From: Sam Lee via Lever <no-reply@hire.lever.co>
            Reply-To: Sam Lee <sam@widgets.example>
            Subject: Widgets: next steps
            Message-ID: <a3@x>

            Could we talk on Tuesday?
            """, """
            From: me@example.com
            To: friend@gmail.com
            Subject: hi
            Message-ID: <a4@x>

            Not for Rapport.
            """])
        #expect(out.thread(jane.id).first?.noReplyNeeded == true)
        #expect(ingest.report.ignoredBulk == 1)
        #expect(ingest.report.ignored == 1)
        let sam = try #require(out.recruiters[StableID.make(.recruiter, "email:sam@widgets.example")])
        #expect(sam.name == "Sam Lee")
        #expect(sam.emails == ["sam@widgets.example"])
        #expect(sam.kind == .inHouse)
        #expect(sam.notes?.contains("sent through Lever") == true)
        #expect(out.thread(sam.id).count == 1)
    }

    // MARK: - the name in the signature

    @Test func signatureNameMatchesAnExistingRecruiter() throws {
        let priya = Recruiter(name: "Priya Nair", firm: "Acme", emails: ["priya@acme.example"], created: now)
        let db = try database([jane, priya])
        let (ingest, out) = try run(db, ["""
            From: Acme Careers <no-reply@ats.example>
            Subject: Your conversation with Acme
            Message-ID: <sig1@ats>

            Hi, thanks for the call today. I will send the details tomorrow.

            Best,
            Priya Nair
            Senior Recruiter, Acme
            """])
        #expect(ingest.report.inbound == 1)
        #expect(ingest.report.newRecruiters.isEmpty)
        #expect(out.thread(priya.id).count == 1)
        // Nothing else about Priya changes: no address is guessed from a no-reply sender.
        #expect(out.recruiters[priya.id] == priya)
    }

    @Test func signatureNameTwoRecruitersShareIsNotGuessed() throws {
        let a = Recruiter(name: "Priya Nair", firm: "Acme", emails: ["priya@acme.example"], created: now)
        let b = Recruiter(name: "Priya  nair", firm: "Other", emails: ["pn@other.example"], created: now)
        let db = try database([a, b])
        let (ingest, out) = try run(db, ["""
            From: Talent Team <no-reply@ats.example>
            Subject: Next steps
            Message-ID: <sig2@ats>

            I came across your profile and have a role with my client; open to a new opportunity?

            Best,
            Priya Nair
            Senior Recruiter, Acme
            """])
        #expect(ingest.report.inbound == 0)
        #expect(ingest.report.newRecruiters.isEmpty, "a third Priya Nair would duplicate one of them")
        #expect(ingest.changes.isEmpty)
        #expect(out == db)
        #expect(ingest.report.problems.count == 1)
        #expect(ingest.report.problems.first?.contains("signed Priya Nair, and 2 recruiters have that name") == true)
    }

    @Test func signatureNamesAreNamesOnly() {
        let m = MailReader.read(Array("""
            From: x@y.example
            Subject: s

            Thanks for your time.

            Kind regards,
            Priya Nair | Talent Partner
            - Tom O'Brien
            ACME GMBH 2026
            www.acme.example
            """.utf8))
        #expect(MailEvidence.signatureNames(m) == ["Priya Nair", "Tom O'Brien"])
    }

    // MARK: - calendar: calls, cancellations, re-sent invitations

    private func invite(_ id: String, method: String = "REQUEST", uid: String = "ev9@acme", seq: Int = 0,
                        summary: String, description: String = "", start: String = "20261201T150000Z",
                        status: String? = nil) -> String {
        """
        From: jane@acme.com
        Subject: \(summary)
        Message-ID: <\(id)@x>
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain

        Invitation.
        --b
        Content-Type: text/calendar; method=\(method)

        BEGIN:VCALENDAR
        METHOD:\(method)
        BEGIN:VEVENT
        UID:\(uid)
        SEQUENCE:\(seq)
        SUMMARY:\(summary)
        DESCRIPTION:\(description)
        DTSTART:\(start)
        DURATION:PT30M
        \(status.map { "STATUS:" + $0 } ?? "X-NONE:1")
        END:VEVENT
        END:VCALENDAR
        --b--
        """
    }

    @Test func invitationToACallBecomesAPromisedCall() throws {
        let db = try database([jane])
        let (ingest, out) = try run(db, [invite("k1", summary: "Intro call with Acme", description: "Join by phone\\, +1 555")])
        #expect(ingest.report.calls == 1)
        #expect(ingest.report.interviews == 0)
        #expect(out.opportunities(of: jane.id).isEmpty)
        let e = try #require(out.expectations[StableID.make(.expectation, "mail-event:ev9@acme")])
        #expect(e.recruiterID == jane.id)
        #expect(e.by == Date(timeIntervalSince1970: 1_796_137_200))
        #expect(e.note == "Call: Intro call with Acme")
        #expect(Preparation.isCall(e))
        // "Phone interview" is an interview, not a call.
        let (i2, out2) = try run(db, [invite("k2", uid: "ev10@acme", summary: "Phone interview", description: "a quick chat")])
        #expect(i2.report.interviews == 1 && i2.report.calls == 0)
        #expect(out2.expectations.isEmpty)
    }

    @Test func reSentInvitationMovesAndOlderOneIsIgnored() throws {
        let db = try database([jane])
        let (_, db1) = try run(db, [invite("m1", seq: 0, summary: "Interview with Acme")])
        let (i2, db2) = try run(db1, [invite("m2", seq: 1, summary: "Interview with Acme", start: "20261202T100000Z")])
        #expect(i2.report.interviews == 1)
        #expect(i2.report.lines.contains { $0.hasPrefix("move the interview") })
        let opp = try #require(db2.opportunities(of: jane.id).first)
        #expect(opp.interviews.count == 1)
        #expect(opp.interviews[0].at == Date(timeIntervalSince1970: 1_796_205_600))
        // An older copy (sequence 0) arriving late changes nothing.
        let (i3, db3) = try run(db2, [invite("m3", seq: 0, summary: "Interview with Acme", start: "20261203T100000Z")])
        #expect(i3.report.interviews == 0)
        #expect(db3.opportunities(of: jane.id).first?.interviews == opp.interviews)
    }

    @Test func cancellationRemovesTheInterviewOrCallIdempotently() throws {
        let db = try database([jane])
        let (_, db1) = try run(db, [invite("c1", summary: "Interview with Acme"), invite("c2", uid: "call@acme", summary: "Quick chat")])
        #expect(db1.opportunities(of: jane.id).first?.interviews.count == 1)
        #expect(db1.expectations.count == 1)
        let (i2, db2) = try run(db1, [invite("c3", method: "CANCEL", seq: 1, summary: "Interview with Acme"),
                                      invite("c4", uid: "call@acme", seq: 1, summary: "Quick chat", status: "CANCELLED")])
        #expect(i2.report.cancelled == 2)
        #expect(db2.opportunities(of: jane.id).first?.interviews.isEmpty == true)
        #expect(db2.expectations.isEmpty)
        // The messages themselves are kept on the thread.
        #expect(db2.thread(jane.id).count == 4)
        // The same cancellation again (another copy of the mail) changes nothing.
        let (i3, db3) = try run(db2, [invite("c5", method: "CANCEL", seq: 1, summary: "Interview with Acme")])
        #expect(i3.report.cancelled == 0)
        #expect(db3.opportunities == db2.opportunities)
        // Undo: the inverse of the run's change brings the interview back.
        var undone = db2
        let inverse = try db1.inverse(of: .batch(i2.changes))
        try undone.apply(inverse)
        #expect(undone.opportunities(of: jane.id).first?.interviews.count == 1)
        #expect(undone.expectations.count == 1)
    }
}

