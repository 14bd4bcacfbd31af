import ArgumentParser
import Foundation
import RapportCore
import RapportMail
import RapportStore
import RapportText

/// `rapport ingest` — read mail: one message on stdin, or maildirs and mbox files.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read mail: one message on stdin, or --maildir DIR / --mbox FILE (only what is new since the last run).",
        discussion: """
            Mail from recruiters goes on their threads; your own mail to a recruiter is logged \
            as your reply (say who you are with --me, RAPPORT_ME_ADDRESSES or me_addresses in \
            settings.json); senders with recruiter evidence become recruiters tagged from-mail; \
            invitations become interviews; LinkedIn notification mails become LinkedIn messages. \
            Every message is taken once (by its Message-ID), so running ingest again is safe. \
            Each run is one undoable step. See docs/mail.md for procmail, maildrop, notmuch, \
            neomutt, aerc and systemd recipes.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("maildir"), help: ArgumentHelp("A maildir to scan (cur/ and new/); repeatable.", valueName: "DIR"))
    var maildirs: [String] = []

    @Option(name: .customLong("mbox"), help: ArgumentHelp("An mbox file to scan; repeatable.", valueName: "FILE"))
    var mboxes: [String] = []

    @Option(name: .customLong("me"), help: ArgumentHelp("Your own e-mail address; repeatable.", valueName: "ADDRESS"))
    var me: [String] = []

    @Flag(name: .long, help: "Print what would change; write nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Read every message again, not only what is new since the last scan.")
    var rescan = false

    @Flag(name: [.short, .long], help: "Print one line per change.")
    var verbose = false

    /// The derived scan state in the store directory (safe to delete).
    static let stateFile = "mail-scan.state"

    func run() async throws {
        let env = global.environment
        let addresses = try MeAddresses.resolve(flags: me, environment: env, configured: try global.config().me.addresses)
        let folders = try maildirs.map { try Self.checkMaildir($0) }
        let files = try mboxes.map { try Self.checkMbox($0) }
        if folders.isEmpty && files.isEmpty {
            let ctx = try Context(global)
            let store = try ctx.store
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard !data.isEmpty else { throw RapportError.usage("stdin: no message to read (give one message, or --maildir DIR / --mbox FILE)") }
            let item = IngestItem(message: MailReader.read(data), path: nil, source: "stdin", fallbackDate: ctx.now)
            try finish(store: store, statePath: nil, meKnown: !addresses.isEmpty, state: { _ in nil }) { db in
                var ingest = MailIngest(db: db, me: addresses, now: ctx.now, rejected: MailRejections.load(ctx.paths))
                ingest.add(item)
                return ingest
            }
            return
        }
        let paths = try global.paths()
        let statePath = paths.path(Self.stateFile)
        let storeIdentity = Maildir.identity(paths.storeDirectory)
        // Nothing changed on disk since the last run (the usual case for a timer or a
        // hook): answered from the folder times and the state file's folder lines,
        // without decoding the message names or opening the store.
        if !rescan && !dryRun, let storeIdentity,
           ScanState.nothingNew(stateFile: statePath, folders: folders, files: files, store: storeIdentity) {
            say("ingested: \(IngestReport().summary)")
            return
        }
        var state = rescan ? ScanState() : loadState(statePath)
        if state.store != nil && state.store != storeIdentity { state = ScanState() }
        var scan = Self.scan(folders: folders, files: files, state: state)
        // Nothing changed on disk since the last run: the store need not even be opened.
        if scan.items.isEmpty && scan.next == state && state.store != nil && !dryRun {
            say("ingested: \(IngestReport().summary)")
            return
        }
        let ctx = try Context(global)
        let store = try ctx.store
        if let marker = state.marker, store.database.message(marker) == nil {
            note("the mail scan state does not match this store (a message it recorded is gone): reading all mail again")
            state = ScanState()
            scan = Self.scan(folders: folders, files: files, state: state)
        }
        let items = scan.items, scanned = scan.next, old = state
        try finish(store: store, statePath: statePath, meKnown: !addresses.isEmpty, state: { ingest in
            var next = scanned
            next.marker = ingest.marker ?? old.marker
            next.store = Maildir.identity(ctx.paths.storeDirectory)
            return next == old ? nil : next
        }) { db in
            var ingest = MailIngest(db: db, me: addresses, now: ctx.now, rejected: MailRejections.load(ctx.paths))
            ingest.addAll(items)
            return ingest
        }
    }

    /// Lists what is new in the folders and files since `state`, and reads it.
    static func scan(folders: [String], files: [String], state: ScanState) -> (items: [IngestItem], next: ScanState) {
        var next = state
        var items: [IngestItem] = []
        let nowNanos = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        /// A directory or file changed less than a second ago may change again within the
        /// same timestamp: its time is not trusted next run (git's "racy" entries).
        func settled(_ t: Int64) -> Int64 { nowNanos - t < 1_000_000_000 ? 0 : t }
        for dir in folders {
            let cur = Maildir.mtime(dir + "/cur"), new = Maildir.mtime(dir + "/new")
            let old = state.maildirs[dir] ?? ScanState.MaildirState()
            if old.curMtime != 0 && old.curMtime == cur && old.newMtime == new { continue }
            var seen = Set<String>()
            var unread = false
            for entry in Maildir.list(dir, "new") + Maildir.list(dir, "cur") {
                if old.seen.contains(entry.unique) { seen.insert(entry.unique); continue }
                guard let data = FileManager.default.contents(atPath: entry.path) else {
                    // Moved meanwhile, or not readable (yet): the folder is listed again
                    // next run even if nothing else in it changes.
                    unread = true
                    continue
                }
                seen.insert(entry.unique)
                let when = Date(timeIntervalSince1970: Double(Maildir.mtime(entry.path)) / 1e9)
                items.append(IngestItem(message: MailReader.read(data), path: entry.path, source: entry.path, fallbackDate: when))
            }
            next.maildirs[dir] = ScanState.MaildirState(curMtime: unread ? 0 : settled(cur), newMtime: unread ? 0 : settled(new), seen: seen)
        }
        for file in files {
            let size = Maildir.size(file) ?? 0, mtime = Maildir.mtime(file)
            let old = state.mboxes[file]
            if let old, old.size == size, old.mtime == mtime, old.mtime != 0 { continue }
            // An mbox that only grew is read from where the last run stopped (the part
            // before it is not read into memory again); anything else from the start.
            var start: Int64 = 0
            if let old, size >= old.size, old.offset <= size, old.offset > 0,
               let head = Self.read(file, from: old.offset, count: 5), head.isEmpty || head.elementsEqual("From ".utf8) {
                start = old.offset
            }
            guard let tail = Self.read(file, from: start, count: nil) else {
                next.mboxes[file] = nil
                continue
            }
            let when = Date(timeIntervalSince1970: Double(mtime) / 1e9)
            for piece in Mbox.split([UInt8](tail)) {
                items.append(IngestItem(message: MailReader.read(piece.bytes), path: nil,
                                        source: "\(file) (message at byte \(start + Int64(piece.offset)))", fallbackDate: when))
            }
            let end = start + Int64(tail.count)
            next.mboxes[file] = ScanState.MboxState(size: end, mtime: settled(mtime), offset: end)
        }
        return (items, next)
    }

    /// `count` bytes of `path` from `offset` (all that follows when nil; fewer at the
    /// end of the file), or nil when it cannot be read.
    static func read(_ path: String, from offset: Int64, count: Int?) -> Data? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        do {
            try h.seek(toOffset: UInt64(offset))
            return try count.map { try h.read(upToCount: $0) ?? Data() } ?? (h.readToEnd() ?? Data())
        } catch {
            return nil
        }
    }

    /// Plans the run against the store's current data (under the store's lock, so mail
    /// ingested by another process meanwhile is seen), applies it as one journal line,
    /// then saves the scan state. A dry run plans against the data as read and writes nothing.
    private func finish(store: Store, statePath: String?, meKnown: Bool, state: (MailIngest) -> ScanState?,
                        plan: (Database) -> MailIngest) throws {
        var planned: MailIngest?
        if dryRun {
            planned = plan(store.database)
        } else {
            try store.applyAcknowledged(origin: .ingest, label: "Ingest mail") { db in
                let ingest = plan(db)
                planned = ingest
                return .batch(ingest.changes)
            }
        }
        guard let ingest = planned else { return }
        let report = ingest.report
        let shown = report.problems.prefix(20)
        for p in shown { note(p) }
        if report.problems.count > shown.count { note("… and \(report.problems.count - shown.count) more messages with problems") }
        if !meKnown && report.added > 0 {
            note("your own addresses are not known (--me, RAPPORT_ME_ADDRESSES): your replies are not recognised")
        }
        if dryRun || verbose, !report.lines.isEmpty { say(report.lines.map { (dryRun ? "would " : "") + $0 }.joined(separator: "\n")) }
        if dryRun {
            say("dry run, nothing written: \(report.summary)")
            return
        }
        if let next = state(ingest), let statePath {
            do { try AtomicFile.write(Data(next.encoded().utf8), to: statePath) } catch {
                note("could not save the mail scan state (\(statePath)): the next run reads all mail again")
            }
        }
        say("ingested: \(report.summary)")
        if !report.newRecruiters.isEmpty {
            say("review the new recruiters (tagged from-mail): M in rapport's TUI keeps or rejects them")
        }
    }

    private func loadState(_ path: String) -> ScanState {
        guard let data = FileManager.default.contents(atPath: path) else { return ScanState() }
        guard let text = String(data: data, encoding: .utf8), let s = ScanState.decode(text) else {
            note("\(path) is not a mail scan state this version wrote: reading all mail again")
            return ScanState()
        }
        return s
    }

    static func absolute(_ path: String) -> String {
        let p = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return (p as NSString).standardizingPath
    }

    static func checkMaildir(_ path: String) throws -> String {
        let p = absolute(path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { throw RapportError.usage("--maildir \(path): no such folder") }
        guard isDir.boolValue else { throw RapportError.usage("--maildir \(path): is a file, not a maildir (for an mbox file use --mbox)") }
        guard Maildir.isMaildir(p) else { throw RapportError.usage("--maildir \(path): not a maildir (it has no cur/ or new/ folder)") }
        return p
    }

    static func checkMbox(_ path: String) throws -> String {
        let p = absolute(path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { throw RapportError.usage("--mbox \(path): no such file") }
        guard !isDir.boolValue else { throw RapportError.usage("--mbox \(path): is a folder (for a maildir use --maildir)") }
        return p
    }
}

/// The candidate's own addresses, from one place: `--me`, then `[me] addresses` in the
/// config file (when the config file is read), then `RAPPORT_ME_ADDRESSES` (separated by
/// commas or spaces), then `me_addresses` in settings.json. All are taken together.
enum MeAddresses {
    /// `--me`, then `RAPPORT_ME_ADDRESSES`, then config.toml's `[me] addresses`, then
    /// settings.json's `me_addresses` (the older way): all of them, deduplicated.
    static func resolve(flags: [String], environment: [String: String], configured: [String] = []) throws -> [String] {
        var out: [String] = []
        func add(_ a: String, from source: String) throws {
            let t = a.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
            guard !t.isEmpty else { return }
            guard t.contains("@"), !t.contains(" "), !t.hasPrefix("@"), !t.hasSuffix("@") else {
                throw RapportError.usage("\(source): '\(a)' is not an e-mail address")
            }
            if !out.contains(t.lowercased()) { out.append(t.lowercased()) }
        }
        for f in flags { try add(f, from: "--me") }
        if let env = environment["RAPPORT_ME_ADDRESSES"] {
            for a in env.split(whereSeparator: { $0 == "," || $0 == " " }) { try add(String(a), from: "RAPPORT_ME_ADDRESSES") }
        }
        for a in configured { try add(a, from: "config.toml [me] addresses") }
        if let config = try? UserConfig(environment: environment), let data = FileManager.default.contents(atPath: config.settingsFile) {
            guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
                throw RapportError.failure("\(config.settingsFile) is not a JSON object (expected {\"me_addresses\": [\"you@example.com\"]})")
            }
            if let list = dict["me_addresses"] {
                guard let strings = list as? [String] else {
                    throw RapportError.failure("\(config.settingsFile): me_addresses is not a list of addresses")
                }
                for a in strings { try add(a, from: "\(config.settingsFile) me_addresses") }
            }
        }
        return out
    }
}

/// `rapport query WORDS` — recruiters' addresses for mutt's `query_command` and aerc's
/// `address-book-cmd`.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Find recruiters' e-mail addresses in mutt's query format (email<TAB>name<TAB>firm).",
        discussion: "For neomutt: set query_command = \"rapport query %s\". For aerc: address-book-cmd = rapport query --no-header %s"
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Words that must all appear in the name, firm or address.", valueName: "WORDS"))
    var words: [String] = []

    @Flag(name: .long, help: "Leave out the first line (for aerc).")
    var noHeader = false

    func run() async throws {
        let ctx = try Context(global, forReading: true)
        let needles = words.flatMap { $0.lowercased().split(whereSeparator: \.isWhitespace).map(String.init) }
        var rows: [String] = []
        for r in ctx.db.recruitersByName {
            let hay = ([r.name, r.firm ?? ""] + r.emails).joined(separator: " ").lowercased()
            guard needles.allSatisfy({ hay.contains($0) }) else { continue }
            for e in r.emails {
                rows.append([e, r.name, r.firm ?? ""].map(Self.field).joined(separator: "\t"))
            }
        }
        var out = ""
        if !noHeader {
            out += rows.isEmpty ? "rapport: no recruiter matches\n" : "rapport: \(rows.count) address\(rows.count == 1 ? "" : "es")\n"
        }
        for row in rows { out += row + "\n" }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    /// One field: tabs and line breaks become spaces, control characters are shown visibly.
    static func field(_ s: String) -> String {
        Text.visible(s.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " "))
    }
}

private func note(_ s: String) {
    FileHandle.standardError.write(Data("rapport: \(Text.visible(s))\n".utf8))
}
