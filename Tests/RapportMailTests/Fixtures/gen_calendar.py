# Mail for the signature-name and calendar tests, written by Python's email package:
# a no-reply ATS mail signed by a recruiter, and invitations (a call, an interview, the
# interview re-sent at a new time, the call cancelled).
import sys, mailbox, datetime
from email.mime.text import MIMEText
from email.mime.multipart import MIMEMultipart
from email.utils import formataddr, format_datetime

box = mailbox.Maildir(sys.argv[1], create=True)
P = ("Priya Nair", "priya@acme.example")

def head(m, n, subject, sender, day):
    m["From"] = formataddr(sender)
    m["To"] = formataddr(("Me", "me@example.com"))
    m["Subject"] = subject
    m["Date"] = format_datetime(datetime.datetime(2026, 11, day, 9, 0, tzinfo=datetime.timezone.utc))
    m["Message-ID"] = "<cal%d@test.example>" % n
    box.add(m)

def invite(n, day, method, uid, seq, summary, start, description=""):
    ics = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Python email//Rapport tests//EN", "METHOD:" + method,
        "BEGIN:VEVENT", "UID:" + uid, "SEQUENCE:%d" % seq, "DTSTAMP:20261120T090000Z",
        "DTSTART:" + start, "DURATION:PT45M", "SUMMARY:" + summary, "DESCRIPTION:" + description,
        "STATUS:" + ("CANCELLED" if method == "CANCEL" else "CONFIRMED"), "END:VEVENT", "END:VCALENDAR", ""])
    m = MIMEMultipart("mixed")
    m.attach(MIMEText(("Cancelled: " if method == "CANCEL" else "Invitation: ") + summary, "plain", "utf-8"))
    cal = MIMEText(ics, "calendar", "utf-8")
    cal.set_param("method", method)
    m.attach(cal)
    head(m, n, ("Cancelled: " if method == "CANCEL" else "Invitation: ") + summary, P, day)

# 1: from an ATS's no-reply address, signed by Priya (no "-- " line), quoted-printable
head(MIMEText("Hi, thanks for the call today. I will send the details tomorrow.\n\nBest,\nPriya Nair\n"
              "Senior Recruiter, Acme\n", "plain", "utf-8"), 1, "Your conversation with Acme",
     ("Acme Careers", "no-reply@ats.example"), 20)
# 2: a call (an intro, not an interview)
invite(2, 21, "REQUEST", "call-1@acme.example", 0, "Intro call with Acme", "20261202T150000Z",
       "Priya will call you\\, phone number to follow")
# 3: an interview
invite(3, 22, "REQUEST", "int-1@acme.example", 0, "Interview: Acme platform team", "20261203T100000Z")
# 4: the interview re-sent at a new time
invite(4, 23, "REQUEST", "int-1@acme.example", 1, "Interview: Acme platform team", "20261204T100000Z")
# 5: the call cancelled
invite(5, 24, "CANCEL", "call-1@acme.example", 1, "Intro call with Acme", "20261202T150000Z")
