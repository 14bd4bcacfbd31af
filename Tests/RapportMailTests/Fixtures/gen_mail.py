import sys, mailbox, datetime
from email.mime.text import MIMEText
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.charset import Charset, QP, BASE64
from email.header import Header
from email.utils import formataddr, format_datetime

box = mailbox.Maildir(sys.argv[1], create=True)
SIG = "\n\n-- \nJörg Müller\nSenior Technical Recruiter, Headhunt GmbH\n"

def text(body, charset, cte, subtype="plain"):
    c = Charset(charset)
    c.body_encoding = {"base64": BASE64, "qp": QP, "8bit": None}[cte]
    p = MIMENonMultipart("text", subtype)
    p.set_payload(body, c)
    if cte == "8bit":
        del p["Content-Transfer-Encoding"]
        p["Content-Transfer-Encoding"] = "8bit"
    return p

def head(m, n, subject, charset, name, addr, day, to=("Me", "me@example.com"), reply_to=None):
    m["From"] = formataddr((Header(name, charset).encode(), addr)) if charset else formataddr((name, addr))
    m["To"] = formataddr(to)
    m["Subject"] = Header(subject, charset).encode() if charset else subject
    m["Date"] = format_datetime(datetime.datetime(2026, 11, day, 10, 0, tzinfo=datetime.timezone.utc))
    m["Message-ID"] = "<py%d@test.example>" % n
    if reply_to:
        m["In-Reply-To"] = reply_to
        m["References"] = reply_to
    box.add(m)

J = ("Jörg Müller", "joerg@headhunt.example")
# 1: UTF-8, quoted-printable, UTF-8 encoded-words in Subject and From
head(text("Grüße! Ich habe eine spannende Rolle für Sie, open to a chat?" + SIG, "utf-8", "qp"), 1,
     "Rolle in Zürich — iOS", "utf-8", *J, 20)
# 2: ISO-8859-1, base64
head(text("Café à Paris: the role is still open." + SIG, "iso-8859-1", "base64"), 2,
     "Café à Paris", "iso-8859-1", *J, 21)
# 3: ISO-8859-15, quoted-printable (the euro sign exists only in -15)
head(text("Salaire: 90 000 € par an." + SIG, "iso-8859-15", "qp"), 3, "Salaire en €", "iso-8859-15", *J, 22)
# 4: Windows-1252, 8bit, curly quotes
head(text("“Quick” question – still interested?" + SIG, "windows-1252", "8bit"), 4, "“Quick” question", "windows-1252", *J, 23)
# 5: multipart/alternative, HTML first then plain
alt = MIMEMultipart("alternative")
alt.attach(text("<p>HTML <b>twin</b></p>", "utf-8", "qp", "html"))
alt.attach(text("Plain twin wins." + SIG, "utf-8", "base64"))
head(alt, 5, "Alternative", None, *J, 24)
# 6: HTML only, with style and entities
head(text("<html><head><style>p{color:red}</style></head><body><p>Only&nbsp;HTML &amp; entities&#33;</p>"
          "<p>Jörg Müller<br>Senior Technical Recruiter</p></body></html>", "utf-8", "qp", "html"), 6,
     "HTML only", None, *J, 25)
# 7: format=flowed
fl = text("This paragraph is \nflowed into one line.\n\n-- \nJörg\n", "utf-8", "8bit")
fl.set_param("format", "flowed")
head(fl, 7, "Flowed", None, *J, 26)
# 8: my reply, utf-8 base64
head(text("Danke, gerne!\n\nOn Fri, Jörg wrote:\n> Grüße!", "utf-8", "base64"), 8, "Re: Rolle in Zürich — iOS", "utf-8",
     "Me", "me@example.com", 27, to=J, reply_to="<py1@test.example>")
