import ArgumentParser
import Foundation
import RapportCore
import RapportStore
import RapportText

/// Recruiters whose name is `name` once case and repeated spaces are ignored.
func sameName(_ name: String, in db: Database, except: UUID? = nil) -> [Recruiter] {
    func norm(_ s: String) -> String { s.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ") }
    let n = norm(name)
    return db.recruitersByName.filter { $0.id != except && norm($0.name) == n }
}

/// "Priya Nair (Hays) · id 1a2b3c4d, Priya Nair · id 5e6f7a8b".
func describe(_ recruiters: [Recruiter]) -> String {
    recruiters.map { r in "\(r.name)\(r.firm.map { " (\($0))" } ?? "") · id \(shortID(r.id))" }.joined(separator: ", ")
}

struct EditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit", abstract: "Change a recruiter's details.",
        discussion: "Each option changes one field; an empty value (--firm \"\") clears an optional field. All the changes are one step (one undo). A new name that another recruiter already has is refused unless --force.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Recruiter: id, id prefix, or part of the name.") var recruiter: String
    @Option(help: "The new name.") var name: String?
    @Option(help: "Firm or company (empty clears).") var firm: String?
    @Option(help: "Phone number (empty clears).") var phone: String?
    @Option(help: "IANA time zone, e.g. Europe/Berlin (empty clears).") var timezone: String?
    @Option(help: "Notes (empty clears).") var notes: String?
    @Option(help: "agency, in-house or independent.") var kind: RecruiterKind?
    @Option(help: "LinkedIn profile URL (empty clears).") var linkedin: String?
    @Option(name: .customLong("add-email"), help: "Add an e-mail address (repeatable).") var addEmails: [String] = []
    @Option(name: .customLong("remove-email"), help: "Remove an e-mail address (repeatable).") var removeEmails: [String] = []
    @Option(name: .customLong("tag"), help: "Add a tag (repeatable).") var tags: [String] = []
    @Option(name: .customLong("untag"), help: "Remove a tag (repeatable).") var untags: [String] = []
    @Flag(help: "Allow a name another recruiter already has.") var force = false

    func run() async throws {
        if let tz = timezone?.nilIfBlank, TimeZone(identifier: tz) == nil {
            throw RapportError.usage("--timezone: unknown time zone '\(tz)' (use an IANA name like Europe/Berlin)")
        }
        if let n = name, n.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw RapportError.usage("--name: the name is empty")
        }
        for e in addEmails where !Self.looksLikeAddress(e) {
            throw RapportError.usage("--add-email '\(e)': not an e-mail address (like dana@example.com)")
        }
        for t in tags + untags where t.trimmingCharacters(in: .whitespaces).isEmpty {
            throw RapportError.usage("--tag/--untag: a tag is empty")
        }
        let ctx = try Context(global)
        let r = try ctx.recruiter(recruiter)
        if let n = name?.trimmingCharacters(in: .whitespacesAndNewlines), !force {
            let others = sameName(n, in: ctx.db, except: r.id)
            if !others.isEmpty {
                throw RapportError.usage("another recruiter is named '\(n)': \(describe(others)); use --force to keep both names")
            }
        }
        for e in removeEmails where !r.hasEmail(e) {
            throw RapportError.usage("--remove-email '\(e)': \(r.name) has no such address (has: \(r.emails.isEmpty ? "none" : r.emails.joined(separator: ", ")))")
        }
        for t in untags where !r.tags.contains(t.trimmingCharacters(in: .whitespaces)) {
            throw RapportError.usage("--untag '\(t)': \(r.name) has no such tag (has: \(r.tags.isEmpty ? "none" : r.tags.joined(separator: ", ")))")
        }
        let (changes, said) = Self.changes(for: r, name: name, firm: firm, phone: phone, timezone: timezone, notes: notes,
                                          kind: kind, linkedin: linkedin, addEmails: addEmails, removeEmails: removeEmails,
                                          tags: tags, untags: untags)
        guard !changes.isEmpty else {
            if [name, firm, phone, timezone, notes, linkedin].allSatisfy({ $0 == nil }) && kind == nil
                && (addEmails + removeEmails + tags + untags).isEmpty {
                throw RapportError.usage("nothing to change: give --name, --firm, --phone, --timezone, --notes, --kind, --linkedin, --add-email, --remove-email, --tag or --untag")
            }
            say("\(r.name): nothing changed (the values are already set)")
            return
        }
        let shown = name?.trimmingCharacters(in: .whitespacesAndNewlines) ?? r.name
        let (name, firm, phone, timezone, notes, kind, linkedin, addEmails, removeEmails, tags, untags)
            = (name, firm, phone, timezone, notes, kind, linkedin, addEmails, removeEmails, tags, untags)
        // Decided again under the lock, on the store's current record (another process may
        // have edited it since it was read): only the fields asked for are touched.
        try ctx.commit("edit", "Edited \(shown): \(said.joined(separator: ", ")) · id \(shortID(r.id))") { db in
            guard let fresh = db.recruiters[r.id] else { throw RapportError.failure("\(r.name) was deleted meanwhile; nothing changed") }
            return .batch(Self.changes(for: fresh, name: name, firm: firm, phone: phone, timezone: timezone, notes: notes,
                                       kind: kind, linkedin: linkedin, addEmails: addEmails, removeEmails: removeEmails,
                                       tags: tags, untags: untags).0)
        }
    }

    static func looksLikeAddress(_ s: String) -> Bool {
        let t = s.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !t.contains(where: \.isWhitespace)
    }

    /// The field-level changes that take `r` to the values given (nil = leave alone, empty
    /// = clear), skipping those that change nothing, with a word for each.
    static func changes(for r: Recruiter, name: String?, firm: String?, phone: String?, timezone: String?, notes: String?,
                        kind: RecruiterKind?, linkedin: String?, addEmails: [String], removeEmails: [String],
                        tags: [String], untags: [String]) -> ([Change], [String]) {
        var out: [Change] = [], said: [String] = []
        func field(_ f: RecruiterField, _ new: String?, _ old: String?, _ label: String) {
            guard let new else { return }
            let value = new.trimmingCharacters(in: .whitespacesAndNewlines)
            guard value != (old ?? "") else { return }
            out.append(.setField(recruiter: r.id, field: f, value: value.isEmpty ? nil : value))
            said.append(value.isEmpty ? "\(label) cleared" : label)
        }
        field(.name, name, r.name, "name")
        field(.firm, firm, r.firm, "firm")
        field(.phone, phone, r.phone, "phone")
        field(.timeZone, timezone, r.timeZone, "time zone")
        field(.notes, notes, r.notes, "notes")
        field(.linkedin, linkedin, r.linkedin, "LinkedIn")
        if let kind, kind != r.kind {
            out.append(.setField(recruiter: r.id, field: .kind, value: kind.rawValue))
            said.append("kind \(kind.rawValue)")
        }
        for e in removeEmails.map({ $0.trimmingCharacters(in: .whitespaces) }) where r.hasEmail(e) {
            out.append(.removeEmail(recruiter: r.id, email: e))
            said.append("−\(e)")
        }
        for e in addEmails.map({ $0.trimmingCharacters(in: .whitespaces) }) where !r.hasEmail(e) || removeEmails.contains(e) {
            out.append(.addEmail(recruiter: r.id, email: e))
            said.append("+\(e)")
        }
        for t in untags.map({ $0.trimmingCharacters(in: .whitespaces) }) where r.tags.contains(t) {
            out.append(.removeTag(recruiter: r.id, tag: t))
            said.append("−tag \(t)")
        }
        for t in tags.map({ $0.trimmingCharacters(in: .whitespaces) }) where !r.tags.contains(t) || untags.contains(t) {
            out.append(.addTag(recruiter: r.id, tag: t))
            said.append("+tag \(t)")
        }
        return (out, said)
    }
}

struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Delete a recruiter (with everything they own) or one message.",
        discussion: "Asks y/N when standard input is a terminal; scripts pass --yes (without it, a non-terminal is refused and nothing is deleted). Message ids are shown by `rapport show RECRUITER`.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("A recruiter (id, id prefix or part of the name) or a message id (or a unique prefix).", valueName: "RECRUITER|MESSAGE-ID"))
    var target: String
    @Flag(name: [.customShort("y"), .long], help: "Delete without asking.") var yes = false

    enum Target {
        case recruiter(Recruiter)
        case message(Message, Recruiter?)
    }

    /// A message id (full or a unique prefix of at least 4 characters) or a recruiter; an
    /// id prefix that fits both is refused.
    static func resolve(_ query: String, in db: Database) throws -> Target {
        let q = query.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        var messages: [Message] = []
        if q.count >= 4, q.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
            if let id = UUID(uuidString: q), let m = db.message(id) {
                messages = [m]
            } else {
                messages = db.threads.values.flatMap { $0 }.filter { $0.id.uuidString.lowercased().hasPrefix(q) }
            }
        }
        let recruiter: Recruiter?
        do {
            recruiter = try RecruiterLookup.find(query, in: db)
        } catch {
            if messages.isEmpty { throw error }
            recruiter = nil
        }
        if let recruiter, !messages.isEmpty {
            throw RapportError.usage("'\(query)' is the id of a recruiter (\(recruiter.name)) and of a message; give more of the id")
        }
        if let recruiter { return .recruiter(recruiter) }
        guard messages.count == 1, let m = messages.first else {
            throw RapportError.usage("'\(query)' matches \(messages.count) messages; give more of the id")
        }
        return .message(m, db.recruiters[m.recruiterID])
    }

    func run() async throws {
        let ctx = try Context(global)
        let target = try Self.resolve(self.target, in: ctx.db)
        let change: Change, what: String
        switch target {
        case .recruiter(let r):
            let n = ctx.db.thread(r.id).count, o = ctx.db.opportunities(of: r.id).count
            var owned = ["\(n) message\(n == 1 ? "" : "s")"]
            if o > 0 { owned.append("\(o) opportunit\(o == 1 ? "y" : "ies")") }
            let f = ctx.db.followUps(of: r.id).count, e = ctx.db.expectations(of: r.id).count
            if f > 0 { owned.append("\(f) follow-up\(f == 1 ? "" : "s")") }
            if e > 0 { owned.append("\(e) expectation\(e == 1 ? "" : "s")") }
            change = .removeRecruiter(r.id)
            what = "recruiter \(describe([r])) with \(owned.joined(separator: ", "))"
        case .message(let m, let r):
            change = .removeMessage(m.id)
            let dir = m.direction == .inbound ? "from" : "to"
            let subject = m.subject.map { " '\($0)'" } ?? ""
            what = "message \(shortID(m.id)) \(dir) \(r?.name ?? "?") (\(m.channel.rawValue), \(DateText(timeZone: ctx.timeZone).absolute(m.at)))\(subject)"
        }
        if !yes {
            guard isatty(0) == 1 else {
                throw RapportError.usage("rm: standard input is not a terminal, so nothing was deleted; add --yes to delete the \(what)")
            }
            FileHandle.standardError.write(Data("Delete the \(Text.visible(what))? [y/N] ".utf8))
            let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard answer == "y" || answer == "yes" else {
                throw RapportError.failure("not deleted")
            }
        }
        try ctx.commit("rm", "Deleted the \(what)") { _ in change }
    }
}
