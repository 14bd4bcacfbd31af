import Foundation
import RapportCore
import RapportText

/// What a form field accepts; decides validation, completion and how it is drawn.
public enum FieldKind: Equatable, Sendable {
    case text
    /// Several lines of text (the log form's body): Enter is a new line there, a paste
    /// keeps its lines, and the field has its own key mode (`KeyMode.formLines`).
    case lines
    /// Must not be empty.
    case required
    /// A date in the CLI's words (`tomorrow 10:00`, `+2d`); empty is allowed when optional.
    case date(optional: Bool)
    /// A date that has already happened (a logged message): a future time is refused.
    case pastDate
    /// An IANA time zone name, completed with Tab; empty is allowed.
    case timeZone
    /// One of a few values, cycled with ←/→ or Space.
    case choice([String])
    /// A whole number in a range.
    case number(ClosedRange<Int>)
}

/// Which value a form field holds; forms are read by these, not by strings.
public enum FieldKey: String, Sendable, Equatable {
    case name, firm, email, phone, linkedin, timeZone, tags, kind, targeting
    case direction, channel, at, subject, body
    case reason, reengage
    case role, employer, interviewers, minutes
    case due, note, until, status
}

public struct FormField: Equatable, Sendable {
    public var key: FieldKey
    public var label: String
    public var kind: FieldKind
    public var field: TextField
    /// Index into the options of a `.choice` field.
    public var choice: Int
    /// Shown next to the field in red; set by validation.
    public var error: String?
    /// Shown below the form while the field has the focus.
    public var hint: String

    public init(_ key: FieldKey, _ label: String, _ kind: FieldKind = .text, value: String = "", choice: Int = 0,
                hint: String = "") {
        self.key = key
        self.label = label
        self.kind = kind
        field = TextField(value, multiline: kind == .lines)
        self.choice = choice
        self.hint = hint
    }

    /// The text, or the chosen option.
    public var value: String {
        if case .choice(let options) = kind { return options.indices.contains(choice) ? options[choice] : "" }
        return field.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// What a form is for; decides its fields and the change it makes.
public enum FormPurpose: Equatable, Sendable {
    case addRecruiter
    case editRecruiter(UUID)
    case logMessage(UUID)
    case decline(UUID)
    case interview(UUID)
    case followUp(UUID)
    case snooze(UUID)
    /// Snooze or dismiss any deadline (the deadline as listed when the form opened).
    case snoozeDeadline(Deadline)
    case dismiss(Deadline)
    /// The relationship status of a recruiter.
    case status(UUID)
}

/// A form: fields, the focused one, and its purpose. Pure: `update` edits it and
/// `Forms.submit` turns it into a change (or into errors shown next to the fields).
public struct Form: Equatable, Sendable {
    public var purpose: FormPurpose
    public var title: String
    public var fields: [FormField]
    public var focus: Int = 0
    /// Time-zone completions offered by the last Tab, shown under the form.
    public var completions: [String] = []
    /// The recruiter as the edit form showed it when it opened: the edit is what the
    /// form changed from this, so a reload meanwhile cannot turn another process's new
    /// tag or field into a removal.
    public var original: Recruiter?

    public init(purpose: FormPurpose, title: String, fields: [FormField]) {
        self.purpose = purpose
        self.title = title
        self.fields = fields
    }

    public subscript(key: FieldKey) -> String {
        fields.first { $0.key == key }?.value ?? ""
    }

    /// The option index of a `.choice` field (0 when there is none).
    public func choice(_ key: FieldKey) -> Int {
        fields.first { $0.key == key }?.choice ?? 0
    }

    /// The kind of the focused field (nil when the form has none).
    public var focusedKind: FieldKind? { fields.indices.contains(focus) ? fields[focus].kind : nil }

    /// Edits the focused field with a key (text keys; ←/→/Space on a choice).
    public mutating func input(_ key: Key) {
        guard fields.indices.contains(focus) else { return }
        completions = []
        if case .choice(let options) = fields[focus].kind, !options.isEmpty {
            switch key {
            case .left: fields[focus].choice = (fields[focus].choice + options.count - 1) % options.count
            case .right, .char(" "): fields[focus].choice = (fields[focus].choice + 1) % options.count
            case .char(let c):
                // The first letter picks an option: "o" for out, "l" for linkedin.
                if let i = options.firstIndex(where: { $0.lowercased().first == Character(c.lowercased()) }) {
                    fields[focus].choice = i
                }
            default: break
            }
            return
        }
        if fields[focus].field.handle(key), fields[focus].error != nil {
            // An error goes away as soon as the value is fixed.
            fields[focus].error = nil
        }
    }

    /// A paste into the focused field (nothing on a choice).
    public mutating func paste(_ text: String) {
        // `PasteText.clean` has made the text fit the field (pasteIntoField).
        guard fields.indices.contains(focus) else { return }
        completions = []
        if case .choice = fields[focus].kind { return }
        fields[focus].field.insert(text)
        fields[focus].error = nil
    }

    public mutating func move(_ delta: Int) {
        completions = []
        focus = (focus + delta + fields.count) % max(1, fields.count)
    }

    /// Tab: in a time-zone field, completes the name (or offers the candidates); returns
    /// false when there is nothing to complete, so Tab moves on.
    public mutating func complete() -> Bool {
        guard fields.indices.contains(focus), fields[focus].kind == .timeZone else { return false }
        let typed = fields[focus].field.text
        guard !typed.isEmpty, TimeZone(identifier: typed) == nil || completions.isEmpty else { return false }
        let found = TimeZones.complete(typed)
        if found.candidates.count == 1 {
            fields[focus].field.set(found.candidates[0])
            fields[focus].error = nil
            completions = []
            return true
        }
        if found.common.count > typed.count {
            fields[focus].field.set(found.common)
        }
        completions = found.candidates
        return !found.candidates.isEmpty
    }
}

/// IANA names for the time-zone field.
public enum TimeZones {
    public static let all: [String] = TimeZone.knownTimeZoneIdentifiers.sorted()

    /// Names starting with `typed` (case-insensitive), or whose city part does
    /// ("tokyo" → Asia/Tokyo), and their longest common prefix.
    public static func complete(_ typed: String, in names: [String] = all) -> (candidates: [String], common: String) {
        let t = typed.lowercased().replacingOccurrences(of: " ", with: "_")
        var c = names.filter { $0.lowercased().hasPrefix(t) }
        if c.isEmpty {
            c = names.filter { $0.split(separator: "/").dropFirst().contains { $0.lowercased().hasPrefix(t) } }
        }
        guard var common = c.first else { return ([], typed) }
        for n in c.dropFirst() {
            while !n.lowercased().hasPrefix(common.lowercased()) { common.removeLast() }
        }
        // Keep what was typed when the candidates only share a shorter prefix.
        return (c, common.count >= typed.count && common.lowercased().hasPrefix(t) ? common : typed)
    }
}

/// Builds the forms and turns a filled form into a change.
public enum Forms {
    static let channels = Channel.allCases.map(\.rawValue)
    /// The log form's direction choice, in its order.
    static let directions: [(label: String, value: Direction)] = [("from them", .inbound), ("from you", .outbound)]
    /// The date words (When.swift) in a field's hint: what a future date can be written as.
    static let dateHint = "tomorrow 14:00, in 3 days, next week, +90d, tue 13:00, 2026-03-09T13:00"
    /// A date that has happened (a logged message).
    static let pastDateHint = "now, -2h, -3d, yesterday 16:00, today 9:30, 2026-03-09T13:00"

    public static func recruiter(_ r: Recruiter?) -> Form {
        let kinds = RecruiterKind.allCases.map(\.rawValue)
        let targets = Targeting.allCases.map(\.rawValue)
        let fields: [FormField] = [
            FormField(.name, "Name", .required, value: r?.name ?? "", hint: "the recruiter's full name"),
            FormField(.firm, "Firm", value: r?.firm ?? ""),
            FormField(.email, "Email", value: r?.email ?? ""),
            FormField(.phone, "Phone", value: r?.phone ?? ""),
            FormField(.linkedin, "LinkedIn", value: r?.linkedin ?? ""),
            FormField(.timeZone, "Time zone", .timeZone, value: r?.timeZone ?? "",
                      hint: "IANA name, Tab completes: Europe/Berlin, America/New_York, tokyo"),
            FormField(.tags, "Tags", value: r?.tags.joined(separator: ", ") ?? "", hint: "comma-separated"),
            FormField(.kind, "Kind", .choice(kinds), choice: kinds.firstIndex(of: r?.kind.rawValue ?? "") ?? 0,
                      hint: "←/→ or Space to change"),
            FormField(.targeting, "Targeting", .choice(targets),
                      choice: targets.firstIndex(of: r?.targeting.rawValue ?? "") ?? 0,
                      hint: "blanket: a mass mailer, never raises risk flags"),
        ]
        var form = Form(purpose: r.map { .editRecruiter($0.id) } ?? .addRecruiter,
                        title: r.map { "Edit \($0.name)" } ?? "Add a recruiter", fields: fields)
        form.original = r
        return form
    }

    public static func logMessage(_ r: Recruiter, in db: Database) -> Form {
        let channel = db.thread(r.id).last?.channel.rawValue ?? "email"
        return Form(purpose: .logMessage(r.id), title: "Log a message · \(r.name)", fields: [
            FormField(.direction, "Direction", .choice(directions.map(\.label)), hint: "←/→ or Space to change"),
            FormField(.channel, "Channel", .choice(channels), choice: channels.firstIndex(of: channel) ?? 0,
                      hint: "←/→, Space, or the first letter"),
            FormField(.at, "When", .pastDate, value: "now", hint: pastDateHint),
            FormField(.subject, "Subject"),
            FormField(.body, "Body", .lines,
                      hint: "the text, several lines: a pasted e-mail keeps its lines"),
        ])
    }

    public static func decline(_ r: Recruiter) -> Form {
        Form(purpose: .decline(r.id), title: "Courtesy decline · \(r.name)", fields: [
            FormField(.reason, "Reason", hint: "why not: fills {reason} in the decline template"),
            FormField(.reengage, "Re-engage", .date(optional: true), hint: "optional: when to get back in touch: in 3 months, next year, +90d"),
        ])
    }

    public static func interview(_ r: Recruiter, in db: Database) -> Form {
        let o = Templates.latestOpportunity(db.opportunities(of: r.id))
        return Form(purpose: .interview(r.id), title: "Log an interview · \(r.name)", fields: [
            FormField(.at, "When", .date(optional: false), hint: dateHint),
            FormField(.role, "Role", value: o?.role ?? ""),
            FormField(.employer, "Employer", value: o?.employer ?? ""),
            FormField(.interviewers, "Interviewers", hint: "comma-separated"),
            FormField(.minutes, "Minutes", .number(1...1440), value: "60"),
        ])
    }

    public static func followUp(_ r: Recruiter) -> Form {
        Form(purpose: .followUp(r.id), title: "Schedule a follow-up · \(r.name)", fields: [
            FormField(.due, "Due", .date(optional: false), value: "+3d", hint: dateHint),
            FormField(.note, "What", hint: "what you will do"),
        ])
    }

    public static func snooze(_ f: FollowUp, name: String) -> Form {
        Form(purpose: .snooze(f.id), title: "Snooze · \(f.note ?? "follow-up") · \(name)", fields: [
            FormField(.until, "Until", .date(optional: false), value: "+1d", hint: dateHint),
        ])
    }

    public static func snooze(_ d: Deadline) -> Form {
        Form(purpose: .snoozeDeadline(d), title: "Snooze · \(d.title)", fields: [
            FormField(.until, "Until", .date(optional: false), value: "+1d", hint: dateHint + "; it comes back due then"),
        ])
    }

    public static func dismiss(_ d: Deadline) -> Form {
        Form(purpose: .dismiss(d), title: "Dismiss · \(d.title)", fields: [
            FormField(.reason, "Reason", hint: "why it needs nothing (kept with the dismissal; u undoes)"),
        ])
    }

    static let statuses = RelationshipStatus.allCases.map(\.rawValue)

    public static func status(_ r: Recruiter) -> Form {
        Form(purpose: .status(r.id), title: "Relationship status · \(r.name)", fields: [
            FormField(.status, "Status", .choice(statuses), choice: statuses.firstIndex(of: r.status.rawValue) ?? 0,
                      hint: "dormant/declined: no reply, check-in or thank-you deadlines; ally: a check-in every 30 days"),
            FormField(.until, "Until", .date(optional: true),
                      hint: "optional, dormant or declined only: when it lapses (in 3 weeks, next month, 2027-01-10)"),
        ])
    }

    /// The error for one field's value, or nil.
    static func check(_ f: FormField, now: Date, timeZone: TimeZone) -> String? {
        let v = f.value
        switch f.kind {
        case .text, .lines, .choice: return nil
        case .required: return v.isEmpty ? "required" : nil
        case .date(let optional):
            if v.isEmpty { return optional ? nil : "required" }
            return (try? When.parse(v, now: now, timeZone: timeZone)) == nil ? "not a date (try tomorrow 14:00, in 3 days, next week)" : nil
        case .pastDate:
            if v.isEmpty { return "required" }
            guard (try? When.parse(v, now: now, timeZone: timeZone)) != nil else { return "not a date (try -2h, yesterday 16:00)" }
            return (try? When.parsePast(v, now: now, timeZone: timeZone)) == nil ? "in the future: a logged message has already happened" : nil
        case .timeZone:
            return v.isEmpty || TimeZone(identifier: v) != nil ? nil : "unknown time zone (Tab completes)"
        case .number(let range):
            guard let n = Int(v), range.contains(n) else { return "a number \(range.lowerBound)–\(range.upperBound)" }
            return nil
        }
    }

    /// What submitting a form does.
    public enum Outcome: Equatable, Sendable {
        /// Some fields are wrong: the form with the errors set (focus on the first).
        case invalid(Form)
        /// What to ask the store for (`Intent`), and the confirmation to show.
        case change(Intent, label: String)
        /// A decline: write the draft from the template before anything is logged.
        case declineDraft(recruiterID: UUID, reason: String?, reengage: Date?)
        case nothing(String)
    }

    public static func submit(_ form: Form, db: Database, now: Date, timeZone: TimeZone) -> Outcome {
        var checked = form
        for i in checked.fields.indices {
            checked.fields[i].error = check(checked.fields[i], now: now, timeZone: timeZone)
        }
        if let first = checked.fields.firstIndex(where: { $0.error != nil }) {
            checked.focus = first
            return .invalid(checked)
        }
        func date(_ key: FieldKey) -> Date? {
            let v = form[key]
            return v.isEmpty ? nil : try? When.parse(v, now: now, timeZone: timeZone)
        }
        func opt(_ key: FieldKey) -> String? { form[key].isEmpty ? nil : form[key] }
        /// The form back with `problem` shown next to the field `key`, focused.
        func refuse(_ key: FieldKey, _ problem: String) -> Outcome {
            var f = checked
            if let i = f.fields.firstIndex(where: { $0.key == key }) {
                f.fields[i].error = problem
                f.focus = i
            }
            return .invalid(f)
        }
        func recruiter(_ id: UUID) -> Recruiter? { db.recruiter(id) }
        switch form.purpose {
        case .addRecruiter, .editRecruiter:
            var r: Recruiter
            if case .editRecruiter(let id) = form.purpose {
                guard let existing = recruiter(id) else { return .nothing("That recruiter is gone") }
                r = form.original ?? existing
            } else {
                r = Recruiter(name: form[.name], created: now)
            }
            r.name = form[.name]
            r.firm = opt(.firm)
            r.email = opt(.email)
            r.phone = opt(.phone)
            r.linkedin = opt(.linkedin)
            r.timeZone = opt(.timeZone)
            r.tags = Workflows.names(form[.tags])
            r.kind = RecruiterKind.allCases[form.choice(.kind)]
            r.targeting = Targeting.allCases[form.choice(.targeting)]
            if case .editRecruiter(let id) = form.purpose, let old = form.original ?? recruiter(id) {
                if old == r { return .nothing("No changes") }
                // Only what the form changed, field by field: what another process wrote
                // to the other fields meanwhile stays.
                return .change(.edit(id, Workflows.Edit.between(old, r)), label: "\(r.name) saved")
            }
            return .change(.change(.putRecruiter(r)), label: "\(r.name) added")
        case .logMessage(let id):
            guard let r = recruiter(id) else { return .nothing("That recruiter is gone") }
            let inbound = directions[form.choice(.direction)].value == .inbound
            let m = Message(recruiterID: id, direction: inbound ? .inbound : .outbound,
                            channel: Channel.allCases[form.choice(.channel)], at: date(.at) ?? now,
                            subject: opt(.subject), body: opt(.body))
            return .change(.change(.putMessage(m)), label: inbound ? "Message from \(r.name) logged" : "Message to \(r.name) logged")
        case .decline(let id):
            if let d = date(.reengage), let problem = Workflows.reengageProblem(d, now: now) {
                return refuse(.reengage, problem)
            }
            return .declineDraft(recruiterID: id, reason: opt(.reason), reengage: date(.reengage))
        case .interview(let id):
            guard let r = recruiter(id), let at = date(.at) else { return .nothing("That recruiter is gone") }
            return .change(.interview(recruiter: r.id, at: at, minutes: Int(form[.minutes]) ?? 60, role: opt(.role),
                                      employer: opt(.employer), interviewers: Workflows.names(form[.interviewers])),
                           label: "Interview with \(r.name) logged")
        case .followUp(let id):
            guard let r = recruiter(id), let due = date(.due) else { return .nothing("That recruiter is gone") }
            return .change(.change(.putFollowUp(FollowUp(recruiterID: id, due: due, note: opt(.note)))),
                           label: "Follow-up with \(r.name) scheduled")
        case .snoozeDeadline(let d):
            guard let until = date(.until) else { return .nothing("Nothing snoozed") }
            if let problem = Workflows.snoozeProblem(d, until: until, now: now) { return refuse(.until, problem) }
            return .change(.snoozeDeadline(d, until: until), label: "Snoozed: \(d.title)")
        case .dismiss(let d):
            return .change(.dismiss(d, reason: opt(.reason)),
                           label: "Dismissed: \(d.title)\(opt(.reason).map { " (\($0))" } ?? "")")
        case .status(let id):
            guard let r = recruiter(id), let status = RelationshipStatus(rawValue: form[.status]) else {
                return .nothing("That recruiter is gone")
            }
            let until = date(.until)
            if let u = until, let problem = Workflows.statusUntilProblem(status, until: u, now: now) { return refuse(.until, problem) }
            let lapse = until.map { " until \(Format.stamp($0, now: now, timeZone: timeZone))" } ?? ""
            return .change(.status(id, status, until: until), label: "\(r.name) is now \(status.rawValue)\(lapse)")
        case .snooze(let id):
            guard let f = db.followUps[id], let until = date(.until) else { return .nothing("That follow-up is gone") }
            if let problem = Workflows.snoozeProblem(f, until: until, now: now) { return refuse(.until, problem) }
            let name = db.recruiter(f.recruiterID)?.name ?? "?"
            return .change(.snooze(followUp: f.id, until: until), label: "Follow-up with \(name) snoozed")
        }
    }
}
