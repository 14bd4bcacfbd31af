import Foundation
import Testing
import RapportCore
@testable import RapportStore

/// The fast path for messages must decode exactly what JSONDecoder decodes, or give up.
@Suite struct FastMessagesTests {
    func bothWays(_ bytes: [UInt8]) throws -> (fast: [Message]?, slow: [Message]) {
        #expect(JSONCheck.check(bytes) == nil)
        let slow = try StoreCoding.decoder.decode(Snapshot.self, from: Data(bytes)).messages
        guard let (rest, fast) = FastMessages.split(bytes) else { return (nil, slow) }
        #expect(try StoreCoding.decoder.decode(Snapshot.self, from: Data(rest)).messages.isEmpty)
        return (fast, slow)
    }

    @Test func decodesWrittenMessagesExactlyLikeJSONDecoder() throws {
        var db = Database()
        let r = Recruiter(name: "R", created: t0)
        try db.apply(.putRecruiter(r))
        let texts = ["plain", "quote \" backslash \\ slash /", "tab\tnewline\nreturn\r", "ctrl \u{01}\u{1F} nul \u{0}",
                     "émoji 😀 and 中文", "\u{FEFF}bom", "", "a\u{2028}b"]
        for (k, t) in texts.enumerated() {
            try db.apply(.putMessage(Message(recruiterID: r.id, direction: k % 2 == 0 ? .inbound : .outbound,
                                             channel: Channel.allCases[k % Channel.allCases.count],
                                             at: t0.addingTimeInterval(Double(k)), subject: k == 3 ? nil : t,
                                             body: k == 4 ? nil : t + t, noReplyNeeded: k == 5)))
        }
        let bytes = try StoreCoding.encodeSnapshot(Snapshot(db, seq: 3))
        let (fast, slow) = try bothWays(bytes)
        #expect(fast != nil, "the fast path applies to what the store writes")
        #expect(fast == slow)
        #expect(slow.count == texts.count)
    }

    @Test func handEditedMessagesDecodeTheSameOrFallBack() throws {
        let rid = "00000000-0000-0000-0000-00000000000A"
        func doc(_ message: String) -> [UInt8] {
            Array("""
            {"schemaVersion": 1, "recruiters": [{"id": "\(rid)", "name": "R", "created": "2026-03-09T10:00:00Z"}],
             "messages": [\(message)], "extraAfter": {"messages": [1]}}
            """.utf8)
        }
        let cases = [
            // minimal, nulls, escapes in keys' values, other spellings of dates and ids
            (#"{"id": "00000000-0000-0000-0000-0000000000C1", "recruiterID": "\#(rid)", "direction": "in", "at": "2026-03-09T11:00:00Z"}"#, true),
            (#"{"id":"00000000-0000-0000-0000-0000000000c1","recruiterID":"\#(rid)","direction":"out","at":"2026-03-09T11:00:00+02:00","channel":null,"subject":null,"noReplyNeeded":null}"#, true),
            (#"{"id": "00000000-0000-0000-0000-0000000000C1", "recruiterID": "\#(rid)", "direction": "in", "at": "2026-03-09T11:00:00Z", "subject": "\u00e9\ud83d\ude00\/"}"#, true),
            // unknown keys, bad values: the fast path gives up and JSONDecoder decides
            (#"{"id": "00000000-0000-0000-0000-0000000000C1", "recruiterID": "\#(rid)", "direction": "in", "at": "2026-03-09T11:00:00Z", "mood": 1.50}"#, false),
        ]
        for (message, fastApplies) in cases {
            let (fast, slow) = try bothWays(doc(message))
            #expect((fast != nil) == fastApplies, "\(message)")
            if let fast { #expect(fast == slow, "\(message)") }
        }
        for bad in [#"{"id": "x", "recruiterID": "\#(rid)", "direction": "in", "at": "2026-03-09T11:00:00Z"}"#,
                    #"{"id": "00000000-0000-0000-0000-0000000000C1", "recruiterID": "\#(rid)", "direction": "up", "at": "2026-03-09T11:00:00Z"}"#,
                    #"{"id": "00000000-0000-0000-0000-0000000000C1", "recruiterID": "\#(rid)", "direction": "in"}"#,
                    // A lone high surrogate followed by another escape: never a crash or a wrong character.
                    #"{"id": "00000000-0000-0000-0000-0000000000C1", "recruiterID": "\#(rid)", "direction": "in", "at": "2026-03-09T11:00:00Z", "subject": "\ud83d\u0041"}"#,
                    #"{"id": "00000000-0000-0000-0000-0000000000C1", "recruiterID": "\#(rid)", "direction": "in", "at": "2026-03-09T11:00:00Z", "subject": "\ud83d\nDE00"}"#] {
            #expect(FastMessages.split(doc(bad)) == nil, "\(bad)")
        }
    }
}

@Suite struct FastMessageEncodingTests {
    @Test func writesTheSameBytesAsJSONEncoder() throws {
        var db = Database()
        let r = Recruiter(name: "R", created: t0)
        try db.apply(.putRecruiter(r))
        try db.apply(.putFollowUp(FollowUp(recruiterID: r.id, due: t0)))
        let texts = ["plain", "quote \" backslash \\ slash / ", "tab\tnewline\nreturn\r\u{08}\u{0C}", "ctrl \u{01}\u{1F}\u{7F} nul \u{0}",
                     "émoji 😀 and 中文 \u{2028}\u{2029}", "\u{FEFF}bom", "", "<script>&amp;</script>"]
        for (k, t) in texts.enumerated() {
            try db.apply(.putMessage(Message(recruiterID: r.id, direction: k % 2 == 0 ? .inbound : .outbound,
                                             channel: Channel.allCases[k % Channel.allCases.count],
                                             at: t0.addingTimeInterval(Double(k * 1_000_003)), subject: k == 3 ? nil : t,
                                             body: k == 4 ? nil : t + t, noReplyNeeded: k == 5)))
        }
        let snap = Snapshot(db, seq: 9)
        let fast = try StoreCoding.encodeSnapshot(snap, fast: true)
        let reference = try StoreCoding.encodeSnapshot(snap, fast: false)
        #expect(FastMessages.encode(snap.messages) != nil)
        #expect(String(decoding: fast, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
        // With unknown fields on a message, JSONEncoder writes everything.
        var m = snap.messages[0]
        m.extra = ["x": .number("1")]
        #expect(FastMessages.encode([m]) == nil)
    }
}

/// Journal lines of message changes are read without `JSONDecoder`; the result must be
/// what `JSONDecoder` reads, or nothing (then `JSONDecoder` reads the line).
@Suite struct FastJournalLineTests {
    static let rid = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!

    /// The property: for a line `JSONCheck` accepts, the fast path gives nil or exactly
    /// `JSONDecoder`'s line, never a line where `JSONDecoder` throws.
    func agrees(_ line: [UInt8], _ note: String = "") -> JournalLine? {
        guard JSONCheck.check(line) == nil else { return nil }
        let slow = try? StoreCoding.decoder.decode(JournalLine.self, from: Data(line))
        let fast = FastMessages.journalLine(line)
        if let fast {
            #expect(slow == fast, "\(note) \(String(decoding: line, as: UTF8.self))")
        }
        return fast
    }

    func written(_ line: JournalLine) throws -> [UInt8] {
        Array(try StoreCoding.encodeLine(line).dropLast())  // without its newline
    }

    func message(_ k: Int) -> Message {
        let texts = ["plain", "quote \" backslash \\ slash /", "tab\tnewline\n", "émoji 😀 中文", "", "\u{0}\u{1F}\u{2028}"]
        return Message(recruiterID: Self.rid, direction: k % 2 == 0 ? .inbound : .outbound,
                       channel: Channel.allCases[k % Channel.allCases.count], at: t0.addingTimeInterval(Double(k * 3_601)),
                       subject: k % 3 == 0 ? nil : texts[k % texts.count], body: k % 4 == 1 ? nil : texts[(k + 2) % texts.count],
                       noReplyNeeded: k % 5 == 0)
    }

    @Test func readsWhatTheStoreWritesForMessagesExactlyLikeJSONDecoder() throws {
        let origins: [Origin?] = [nil, .cli("log"), .tui(session: "ab12cd34"), .importer("linkedin"), .ingest, .sync, .tool]
        for k in 0..<40 {
            let m = message(k)
            let change: Change = k % 3 == 2 ? .removeMessage(m.id) : .putMessage(m)
            let inverse: Change? = k % 4 == 3 ? nil : (k % 3 == 2 ? .putMessage(m) : .removeMessage(m.id))
            let line = JournalLine(seq: k * 977 + 1, change: change, group: k % 5 == 4 ? nil : UUID(),
                                   origin: origins[k % origins.count], label: k % 6 == 5 ? nil : "Log \"\(k)\" — Zoë 😀",
                                   at: k % 7 == 6 ? nil : t0.addingTimeInterval(Double(k)), inverse: inverse,
                                   undoes: k % 8 == 1 ? UUID() : nil, redoes: k % 9 == 2 ? UUID() : nil)
            let bytes = try written(line)
            let fast = agrees(bytes)
            #expect(fast == line, "fast path applies to \(String(decoding: bytes, as: UTF8.self))")
            #expect(try StoreCoding.decodeLine(bytes) == line)
        }
        // The shape schema 1 wrote: only seq and change.
        let m1 = message(1)
        let old = try StoreCoding.encodeLine(seq: 3, change: .putMessage(m1))
        #expect(agrees(Array(old.dropLast())) == JournalLine(seq: 3, change: .putMessage(m1)))
    }

    @Test func otherChangesGoThroughJSONDecoder() throws {
        let r = Recruiter(name: "Dana", created: t0)
        let others: [Change] = [
            .putRecruiter(r), .removeRecruiter(r.id), .setStatus(recruiter: r.id, status: .active, until: nil),
            .addTag(recruiter: r.id, tag: "x"), .batch([.putMessage(message(1))]),
            .dismissDeadline(recruiter: r.id, dismissal: Dismissal(deadline: "reply:x", at: t0)),
        ]
        for c in others {
            let bytes = try written(JournalLine(seq: 1, change: c, group: UUID(), origin: .cli("x"), inverse: .removeMessage(UUID())))
            #expect(agrees(bytes) == nil)
            #expect(try StoreCoding.decodeLine(bytes).change == c)
        }
        // A message change whose inverse is another kind of change: the whole line goes the slow way.
        let mixed = try written(JournalLine(seq: 1, change: .putMessage(message(2)), inverse: .removeRecruiter(r.id)))
        #expect(agrees(mixed) == nil)
    }

    @Test func handEditedLinesDecodeTheSameOrFallBack() throws {
        let m = #"{"at":"2026-03-09T11:00:00Z","direction":"in","id":"00000000-0000-0000-0000-0000000000C1","recruiterID":"00000000-0000-0000-0000-00000000000A"}"#
        let put = #"{"putMessage":{"_0":\#(m)}}"#
        let cases: [(String, Bool)] = [
            (#"{"seq":1,"change":\#(put)}"#, true),
            (#" { "change" : \#(put) , "seq" : 12 , "origin" : null , "at" : null , "group" : null } "#, true),
            (#"{"seq":1,"change":\#(put),"label":"\u00e9\ud83d\ude00\/\n","origin":"cli"}"#, true),
            (#"{"seq":1,"change":{"removeMessage":{"_0":"00000000-0000-0000-0000-0000000000c1"}}}"#, true),
            (#"{"seq":1,"change":\#(put),"at":"2026-03-09T11:00:00+02:00"}"#, true),
            // Not the store's shape: JSONDecoder decides.
            (#"{"seq":1,"seq":2,"change":\#(put)}"#, false),
            (#"{"seq":1.0,"change":\#(put)}"#, false),
            (#"{"seq":1e0,"change":\#(put)}"#, false),
            (#"{"seq":-1,"change":\#(put)}"#, false),
            (#"{"seq":"1","change":\#(put)}"#, false),
            (#"{"seq":99999999999999999999,"change":\#(put)}"#, false),
            (#"{"seq":1,"change":\#(put),"mood":1}"#, false),
            (#"{"seq":1,"change":{"putMessage":{"_0":\#(m),"_1":1}}}"#, false),
            (#"{"seq":1,"change":{"putMessage":{"_0":\#(m)},"removeMessage":{"_0":"00000000-0000-0000-0000-0000000000C1"}}}"#, false),
            (#"{"seq":1,"change":{"putMessage":{"\u005f0":\#(m)}}}"#, false),
            (#"{"seq":1,"change":{"putMessage":{}}}"#, false),
            (#"{"seq":1,"change":{}}"#, false),
            (#"{"seq":1}"#, false),
            (#"{"change":\#(put)}"#, false),
            (#"{"seq":1,"change":\#(put),"origin":"moon"}"#, false),
            (#"{"seq":1,"change":\#(put),"origin":7}"#, false),
            (#"{"seq":1,"change":\#(put),"at":"yesterday"}"#, false),
            (#"{"seq":1,"change":\#(put),"group":"not-a-uuid"}"#, false),
            (#"{"seq":1,"change":\#(put),"label":["a"]}"#, false),
            (#"{"seq":1,"change":{"removeMessage":{"_0":null}}}"#, false),
            // Lone or broken surrogate pairs in a string.
            (#"{"seq":1,"change":\#(put),"label":"\ud83d\u0041"}"#, false),
            (#"{"seq":1,"change":\#(put),"label":"\ud83d\nDE00"}"#, false),
            (#"{"seq":1,"change":\#(put),"label":"\ud83d"}"#, false),
            (#"{"seq":1,"change":\#(put),"label":"\ude00x"}"#, false),
            (#"[{"seq":1,"change":\#(put)}]"#, false),
        ]
        for (text, applies) in cases {
            let fast = agrees(Array(text.utf8))
            #expect((fast != nil) == applies, "\(text)")
        }
    }

    @Test func mangledLinesNeverDecodeDifferently() throws {
        var seeds: [[UInt8]] = []
        for k in 0..<6 {
            let m = message(k)
            seeds.append(try written(JournalLine(seq: k + 1, change: k % 2 == 0 ? .putMessage(m) : .removeMessage(m.id),
                                                 group: UUID(), origin: .cli("log"), label: "L\(k)", at: t0,
                                                 inverse: k % 2 == 0 ? .removeMessage(m.id) : .putMessage(m))))
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(1, n)))
        }
        let bits = Array(#"{}[]:,"0123456789-.eEnulltruefalse \"_0"seq"change"putMessage"#.utf8)
        var valid = 0, fastOnes = 0
        for round in 0..<6_000 {
            var b = seeds[round % seeds.count]
            for _ in 0..<(1 + next(3)) {
                let at = next(b.count)
                switch next(4) {
                case 0: b.remove(at: at)
                case 1: b.insert(bits[next(bits.count)], at: at)
                case 2: b[at] = bits[next(bits.count)]
                default:
                    let len = min(next(24) + 1, b.count - at)
                    b.insert(contentsOf: b[at..<(at + len)], at: next(b.count))
                }
            }
            guard JSONCheck.check(b) == nil else { continue }
            valid += 1
            if agrees(b, "round \(round)") != nil { fastOnes += 1 }
        }
        #expect(valid > 100)
        #expect(fastOnes > 10)
    }
}
