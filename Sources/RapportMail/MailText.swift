import Foundation

/// HTML to readable text: no tags, no CSS, no scripts, entities decoded, blocks on their
/// own lines, `<blockquote>` as `> ` quoting (so quoted history is cut like plain text's).
/// One pass over the input.
public enum HTMLText {
    private static let blockTags: Set<String> = [
        "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
        "pre", "hr", "section", "article", "header", "footer", "dt", "dd", "address",
    ]
    private static let skipTags: Set<String> = ["script", "style", "head", "title", "template", "noscript", "svg"]

    public static func text(_ html: String) -> String {
        let s = Array(html.unicodeScalars)
        var lines: [String] = []
        var line = ""
        var quote = 0
        var pre = 0
        var skipping: String?
        var pendingSpace = false
        func newline() {
            let t = line.trimmingCharacters(in: .whitespaces)
            let prefix = String(repeating: "> ", count: quote)
            lines.append(quote > 0 ? (prefix + t).trimmingCharacters(in: .whitespaces) : t)
            line = ""
            pendingSpace = false
        }
        func emit(_ str: String) {
            if pendingSpace && !line.isEmpty { line.append(" ") }
            pendingSpace = false
            line += str
        }
        let lastClose = s.lastIndex(of: ">") ?? -1
        var i = 0
        var word = ""
        func flushWord() {
            if !word.isEmpty { emit(word); word = "" }
        }
        while i < s.count {
            let c = s[i]
            if c == "<" {
                // comment
                if i + 3 < s.count && s[i + 1] == "!" && s[i + 2] == "-" && s[i + 3] == "-" {
                    var j = i + 4
                    while j + 2 < s.count && !(s[j] == "-" && s[j + 1] == "-" && s[j + 2] == ">") { j += 1 }
                    i = min(s.count, j + 3)
                    continue
                }
                // A tag ends at the next ">" (quoted ">" in attributes are rare in mail, and
                // honouring quotes would make broken HTML quadratic). With no ">" left, the
                // "<" is text.
                let nextIsTag = i + 1 < s.count && (s[i + 1].properties.isAlphabetic || s[i + 1] == "/" || s[i + 1] == "!")
                if i > lastClose || !nextIsTag {
                    word.unicodeScalars.append(c)
                    i += 1
                    continue
                }
                var j = i + 1
                while j < s.count && s[j] != ">" { j += 1 }
                var k = i + 1
                let closing = k < s.count && s[k] == "/"
                if closing { k += 1 }
                var name = ""
                while k < j, k < s.count, s[k].properties.isAlphabetic || ("0"..."9").contains(s[k]) {
                    name.unicodeScalars.append(s[k]); k += 1
                }
                name = name.lowercased()
                i = min(s.count, j + 1)
                if let sk = skipping {
                    if closing && name == sk { skipping = nil }
                    continue
                }
                if skipTags.contains(name) && !closing {
                    let selfClosing = j > 0 && j - 1 < s.count && s[j - 1] == "/"
                    if !selfClosing { skipping = name }
                    continue
                }
                flushWord()
                if blockTags.contains(name) {
                    if name == "br" { newline(); continue }
                    if !line.trimmingCharacters(in: .whitespaces).isEmpty { newline() }
                    if name == "blockquote" { quote = max(0, quote + (closing ? -1 : 1)) }
                    if name == "pre" { pre = max(0, pre + (closing ? -1 : 1)) }
                    if name == "p" && closing, lines.last != "" { lines.append("") }
                    if name == "li" && !closing { line = "- " }
                } else if name == "td" || name == "th" {
                    if !closing { pendingSpace = true }
                } else if name == "img" {
                    // images carry no text (alt text of tracking pixels is noise)
                }
                continue
            }
            if skipping != nil { i += 1; continue }
            if c == "&" {
                var j = i + 1
                while j < s.count && j - i < 32 && s[j] != ";" && s[j] != "&" && s[j] != "<" && !s[j].properties.isWhitespace { j += 1 }
                if j < s.count && s[j] == ";", let decoded = entity(String(String.UnicodeScalarView(s[(i + 1)..<j]))) {
                    word += decoded
                    i = j + 1
                    continue
                }
                word.unicodeScalars.append(c)
                i += 1
                continue
            }
            if c.properties.isWhitespace {
                if pre > 0 && c == "\n" { flushWord(); newline(); i += 1; continue }
                flushWord()
                pendingSpace = true
                i += 1
                continue
            }
            word.unicodeScalars.append(c)
            i += 1
        }
        flushWord()
        newline()
        // collapse runs of blank lines
        var out: [String] = []
        for l in lines {
            let blank = l.isEmpty || l.allSatisfy { $0 == ">" || $0 == " " }
            if blank && (out.last.map { $0.isEmpty || $0.allSatisfy { $0 == ">" || $0 == " " } } ?? true) { continue }
            out.append(l.replacingOccurrences(of: "\u{00A0}", with: " "))
        }
        while let last = out.last, last.isEmpty { out.removeLast() }
        return out.joined(separator: "\n")
    }

    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "ndash": "–", "mdash": "—",
        "hellip": "…", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "bull": "•", "middot": "·",
        "copy": "©", "reg": "®", "trade": "™", "euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "sect": "§",
        "laquo": "«", "raquo": "»", "eacute": "é", "egrave": "è", "ecirc": "ê", "aacute": "á", "agrave": "à",
        "acirc": "â", "auml": "ä", "ouml": "ö", "uuml": "ü", "Auml": "Ä", "Ouml": "Ö", "Uuml": "Ü", "szlig": "ß",
        "ccedil": "ç", "ntilde": "ñ", "oacute": "ó", "iacute": "í", "uacute": "ú", "zwnj": "", "zwj": "", "shy": "",
        "times": "×", "deg": "°", "thinsp": " ", "ensp": " ", "emsp": " ",
    ]

    static func entity(_ name: String) -> String? {
        if name.hasPrefix("#") {
            let body = name.dropFirst()
            let v: UInt32?
            if body.first == "x" || body.first == "X" { v = UInt32(body.dropFirst(), radix: 16) } else { v = UInt32(body) }
            guard let v, let u = Unicode.Scalar(v), v != 0 else { return "\u{FFFD}" }
            return String(Character(u))
        }
        return named[name] ?? named[name.lowercased()]
    }
}

/// RFC 3676 `format=flowed`: soft line breaks (a trailing space) joined, space-stuffing
/// undone, quote depth kept per paragraph, `DelSp=yes` honoured, the signature line
/// `-- ` never joined.
public enum FlowedText {
    public static func unflow(_ text: String, delSp: Bool) -> String {
        var out: [String] = []
        var para = ""
        var paraDepth = -1
        func flush() {
            if paraDepth >= 0 {
                out.append(paraDepth > 0 ? String(repeating: ">", count: paraDepth) + " " + para : para)
            }
            para = ""
            paraDepth = -1
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            var depth = 0
            while line.first == ">" { depth += 1; line = line.dropFirst() }
            if line.first == " " { line = line.dropFirst() }  // space-stuffing
            let isSig = line == "-- "
            if paraDepth >= 0 && depth != paraDepth { flush() }
            let soft = !isSig && line.hasSuffix(" ")
            var piece = String(line)
            if soft && delSp { piece.removeLast() }
            if paraDepth < 0 { paraDepth = depth }
            para += piece
            if !soft { flush() }
        }
        flush()
        return out.joined(separator: "\n")
    }
}

/// The new text of a message, apart from quoted history and the signature.
public struct TextSplit: Sendable, Equatable {
    /// What the sender wrote in this message.
    public var newText: String
    /// The signature block (after `-- `), when there is one.
    public var signature: String?
    /// True when quoted history or a forwarded original was cut.
    public var cutHistory: Bool

    /// Cuts at the signature delimiter (`-- `), an attribution line ("On … wrote:", also
    /// German and French forms, which may wrap onto a second line), an Outlook-style
    /// "-----Original Message-----" or "From: … / Sent: …" block, and drops `>` lines.
    public static func split(_ text: String) -> TextSplit {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { l -> Substring in
            l.hasSuffix("\r") ? l.dropLast() : l
        }
        var kept: [Substring] = []
        var signature: String?
        var cut = false
        var i = 0
        outer: while i < lines.count {
            let line = lines[i]
            let t = line.trimmingCharacters(in: .whitespaces)
            if line == "-- " || line == "--" || line == "—" {
                let rest = lines[(i + 1)...].prefix { !$0.hasPrefix(">") && !isAttribution($0, next: nil) }
                signature = rest.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                break
            }
            if t.hasPrefix(">") { cut = true; i += 1; continue }
            let lower = t.lowercased()
            if lower.hasPrefix("-----original message-----") || lower.hasPrefix("---------- forwarded message")
                || lower.hasPrefix("-----ursprüngliche nachricht-----") || lower == "________________________________" {
                cut = true
                break outer
            }
            if isAttribution(line, next: i + 1 < lines.count ? lines[i + 1] : nil) {
                cut = true
                break outer
            }
            if lower.hasPrefix("from:"), i + 1 < lines.count {
                let nx = lines[i + 1].trimmingCharacters(in: .whitespaces).lowercased()
                if nx.hasPrefix("sent:") || nx.hasPrefix("date:") || nx.hasPrefix("to:") { cut = true; break outer }
            }
            kept.append(line)
            i += 1
        }
        while let f = kept.first, f.trimmingCharacters(in: .whitespaces).isEmpty { kept.removeFirst() }
        while let l = kept.last, l.trimmingCharacters(in: .whitespaces).isEmpty { kept.removeLast() }
        return TextSplit(newText: kept.joined(separator: "\n"), signature: signature?.isEmpty == true ? nil : signature, cutHistory: cut)
    }

    static func isAttribution(_ line: Substring, next: Substring?) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard t.count < 300 else { return false }
        let lower = t.lowercased()
        func ends(_ s: String) -> Bool {
            s.hasSuffix("wrote:") || s.hasSuffix("schrieb:") || s.hasSuffix("a écrit :") || s.hasSuffix("a écrit:")
                || s.hasSuffix("escribió:") || s.hasSuffix("ha scritto:") || s.hasSuffix("schreef:")
        }
        let starts = lower.hasPrefix("on ") || lower.hasPrefix("am ") || lower.hasPrefix("le ") || lower.hasPrefix("el ")
            || lower.hasPrefix("il ") || lower.hasPrefix("op ")
        if ends(lower) && (starts || lower.contains("@") || lower.hasPrefix("\"")) { return true }
        if starts, let next {
            let joined = (lower + " " + next.trimmingCharacters(in: .whitespaces).lowercased())
            if ends(joined) && joined.count < 400 { return true }
        }
        return false
    }
}
