import Crypto
import Foundation

/// One message, read: who, when, what, and the text a person would read.
public struct MailMessage: Sendable {
    public var headers: Headers
    public var from: MailAddress?
    public var sender: MailAddress?
    public var replyTo: [MailAddress]
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var subject: String
    public var date: Date?
    /// The Message-ID without its angle brackets (nil when the message has none).
    public var messageID: String?
    public var inReplyTo: [String]
    public var references: [String]
    /// The readable text of the body (text/plain preferred, else HTML made readable).
    public var text: String
    /// True when `text` came from HTML.
    public var textFromHTML: Bool
    /// `text` without quoted history and signature, and the signature.
    public var split: TextSplit
    /// `text/calendar` parts (decoded), for invitations.
    public var calendars: [String]
    /// File names of attachments.
    public var attachments: [String]
    /// What could not be read, in the user's words.
    public var problems: [String]
    /// SHA-256 of the header section, hex (the idempotency key when there is no Message-ID).
    public var headerHash: String

    /// The key the message is known by: its Message-ID, or a hash of its headers.
    public var key: String { messageID ?? "sha256:" + headerHash }

    /// The addresses the message went to (To and Cc).
    public var recipients: [MailAddress] { to + cc }
}

/// Bytes to a `MailMessage`. Never throws and never crashes: what cannot be read is left
/// out and named in `problems`. Linear in the input; input past `maxBytes` is not read.
public enum MailReader {
    /// Messages larger than this are read up to this size (attachments are what make mail
    /// large; the text comes first in nearly every message).
    public static let maxBytes = 16 << 20

    public static func read(_ data: Data) -> MailMessage { read(Array(data)) }

    public static func read(_ input: [UInt8]) -> MailMessage {
        var problems: [String] = []
        var bytes = input
        if bytes.count > maxBytes {
            problems.append("message larger than \(maxBytes >> 20) MiB: only the first \(maxBytes >> 20) MiB read")
            bytes = Array(bytes.prefix(maxBytes))
        }
        // An mbox "From " line that came along (procmail, `formail`): not a header.
        var start = 0
        if bytes.count > 5 && bytes[0..<5].elementsEqual("From ".utf8) {
            while start < bytes.count && bytes[start] != 0x0A { start += 1 }
            start = min(bytes.count, start + 1)
        }
        var count = 0
        let root = MIMEParser.parse(bytes, start..<bytes.count, depth: 0, count: &count, problems: &problems)
        let h = root.headers
        if h.fields.isEmpty { problems.append("no header fields: not a mail message?") }

        // Hash of the header section: stable across flag changes and re-deliveries.
        let hdrRange = MIMEParser.headerEnd(bytes, start..<bytes.count).headers
        let digest = SHA256.hash(data: bytes[hdrRange])
        let hash = digest.map { String(format: "%02x", $0) }.joined()

        var body = BodyChoice()
        body.walk(root, problems: &problems)
        var text = body.text ?? ""
        let fromHTML = body.text == nil && body.html != nil
        if fromHTML, let html = body.html { text = HTMLText.text(html) }
        text = text.replacingOccurrences(of: "\r\n", with: "\n")

        let date = MailDate.parse(h.raw("Date"))
        if h.raw("Date") != nil && date == nil { problems.append("the Date header could not be read") }
        let ids = MessageIDs.list(h.raw("Message-ID"))
        return MailMessage(
            headers: h,
            from: h.raw("From").flatMap { MailAddress.list($0).first },
            sender: h.raw("Sender").flatMap { MailAddress.list($0).first },
            replyTo: h.raw("Reply-To").map(MailAddress.list) ?? [],
            to: h.all("To").flatMap(MailAddress.list),
            cc: h.all("Cc").flatMap(MailAddress.list),
            subject: h.text("Subject") ?? "",
            date: date,
            messageID: ids.first,
            inReplyTo: MessageIDs.list(h.raw("In-Reply-To")),
            references: MessageIDs.list(h.raw("References")),
            text: text,
            textFromHTML: fromHTML,
            split: TextSplit.split(text),
            calendars: body.calendars,
            attachments: body.attachments,
            problems: problems,
            headerHash: hash
        )
    }
}

/// Walks the MIME tree for the text to show: in `multipart/alternative` the text/plain
/// alternative wins over HTML; elsewhere the first inline text part. Calendars and
/// attachment names are collected on the way.
struct BodyChoice {
    var text: String?
    var html: String?
    var calendars: [String] = []
    var attachments: [String] = []

    mutating func walk(_ part: MIMEPart, problems: inout [String]) {
        let ct = part.contentType
        if ct.type == "multipart" {
            if ct.subtype == "alternative" {
                // Prefer the plain alternative; walk the rest for calendars and HTML.
                var plain: String?
                for child in part.children where child.contentType.mime == "text/plain" && !child.isAttachment {
                    let t = decodeText(child, problems: &problems)
                    if !t.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { plain = t; break }
                }
                for child in part.children where child.contentType.mime != "text/plain" { walk(child, problems: &problems) }
                if text == nil, let plain { text = plain }
            } else {
                for child in part.children { walk(child, problems: &problems) }
            }
            return
        }
        let name = part.contentType.params["name"] ?? ContentType.parse(part.headers.raw("Content-Disposition")).params["filename"]
        if ct.mime == "text/calendar" || ct.mime == "application/ics" {
            var ignored: [String] = []
            calendars.append(part.text(problems: &ignored))
            return
        }
        if part.isAttachment {
            attachments.append(name ?? ct.mime)
            return
        }
        switch ct.mime {
        case "text/plain":
            if text == nil { text = decodeText(part, problems: &problems) }
        case "text/html":
            if html == nil { html = part.text(problems: &problems) }
        case "message/rfc822":
            break  // a forwarded message: not this sender's words
        default:
            if ct.type == "text", text == nil, ct.subtype == "plain" || ct.subtype.isEmpty {
                text = decodeText(part, problems: &problems)
            } else if ct.type != "text" {
                attachments.append(name ?? ct.mime)
            }
        }
    }

    private func decodeText(_ part: MIMEPart, problems: inout [String]) -> String {
        let t = part.text(problems: &problems)
        if part.contentType.params["format"]?.lowercased() == "flowed" {
            return FlowedText.unflow(t, delSp: part.contentType.params["delsp"]?.lowercased() == "yes")
        }
        return t
    }
}
