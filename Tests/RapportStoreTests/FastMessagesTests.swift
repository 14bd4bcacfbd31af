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
                    #"{"id": "00000000-0000-0000-0000-0000000000C1", "recruiterID": "\#(rid)", "direction": "in"}"#] {
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
