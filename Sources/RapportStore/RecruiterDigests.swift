import Foundation
import RapportCore

extension DatabaseCache {
    /// Per recruiter, a digest of everything `store.cache` (format 1) stores for it: its
    /// record and thread (contiguous), then each of its opportunities, follow-ups and
    /// expectations (without the position that names the recruiter, which moves when
    /// another recruiter is added) and its persisted flag records. Equal bytes give equal
    /// digests in any cache file, so derived per-recruiter results (`rules.cache`) stay
    /// usable across compactions. Walks the payload that `Reader.database` just read
    /// (from `payload`), skipping values rather than building them; nil if it does not
    /// parse (it always does after `Reader.database` succeeded).
    static func recruiterDigests(_ raw: UnsafeRawBufferPointer, payload: Int) -> [UUID: UInt64]? {
        var r = Reader(raw: raw, at: payload)
        func skipString() throws {
            let n = try r.u32()
            if n != UInt32.max { _ = try r.bytes(Int(n)) }
        }
        func skipStrings() throws { for _ in 0..<(try r.count()) { try skipString() } }
        func skipDate() throws { _ = try r.bytes(8) }
        func skipOptionalDate() throws { if try r.u8() != 0 { try skipDate() } }
        func skipJSON(_ depth: Int) throws {
            guard depth < 300 else { throw Bad() }
            switch try r.u8() {
            case 0, 1, 2: break
            case 3, 4: try skipString()
            case 5: for _ in 0..<(try r.count()) { try skipJSON(depth + 1) }
            case 6: try skipExtra(depth + 1)
            default: throw Bad()
            }
        }
        func skipExtra(_ depth: Int = 0) throws {
            for _ in 0..<(try r.count()) {
                try skipString()
                try skipJSON(depth)
            }
        }
        func skipChecklist() throws {
            for _ in 0..<(try r.count()) {
                try skipString()
                try skipDate()
            }
            try skipString()
            try skipExtra()
        }
        func skipFlagRecords() throws { _ = try r.bytes(9 * (try r.count())) }
        func slice(_ from: Int, _ to: Int) -> UInt64 { hash(UnsafeRawBufferPointer(rebasing: raw[from..<to])) }
        func mix(_ acc: UInt64, _ h: UInt64, _ tag: UInt64) -> UInt64 {
            let a = (acc ^ h) &* 0x9E37_79B1_85EB_CA87
            return ((a << 29) | (a >> 35)) &+ tag
        }
        do {
            _ = try r.count()
            let nr = try r.count()
            var ids: [UUID] = []
            ids.reserveCapacity(nr)
            var digests: [UInt64] = []
            digests.reserveCapacity(nr)
            for _ in 0..<nr {
                let start = r.at
                ids.append(try r.uuid())
                try skipString(); try skipString()
                _ = try r.bytes(2)
                try skipStrings(); try skipString(); try skipString(); try skipString()
                try skipStrings(); try skipString()
                _ = try r.u8(); try skipOptionalDate(); try skipDate()
                try skipFlagRecords()
                try skipChecklist()
                for _ in 0..<(try r.count()) {
                    _ = try r.uuid(); try skipString(); try skipDate(); try skipString(); try skipExtra()
                }
                for _ in 0..<(try r.count()) {
                    try skipString(); try skipDate(); try skipOptionalDate(); try skipString(); try skipExtra()
                }
                try skipExtra()
                for _ in 0..<(try r.count()) {
                    _ = try r.bytes(16 + 2 + 8)
                    try skipString(); try skipString()
                    _ = try r.u8()
                    try skipExtra()
                }
                digests.append(slice(start, r.at))
            }
            /// One owned record: its id, then (past the owner's position) the rest.
            func owned(_ tag: UInt64, _ rest: () throws -> Void) throws {
                for _ in 0..<(try r.count()) {
                    let start = r.at
                    _ = try r.uuid()
                    let k = Int(try r.u32())
                    guard k < nr else { throw Bad() }
                    try rest()
                    digests[k] = mix(digests[k], mix(slice(start, start + 16), slice(start + 20, r.at), tag), tag)
                }
            }
            try owned(1) {
                try skipString(); try skipString(); _ = try r.u8()
                for _ in 0..<(try r.count()) {
                    _ = try r.bytes(16 + 8 + 8)
                    try skipStrings()
                }
                try skipString(); try skipChecklist(); try skipExtra()
            }
            try owned(2) { try skipDate(); try skipString(); try skipOptionalDate(); try skipOptionalDate(); try skipExtra() }
            try owned(3) { try skipDate(); try skipString(); try skipExtra() }
            var out: [UUID: UInt64] = [:]
            out.reserveCapacity(nr)
            for (k, id) in ids.enumerated() { out[id] = digests[k] }
            for _ in 0..<(try r.count()) {
                let id = try r.uuid()
                let start = r.at
                try skipFlagRecords()
                if let d = out[id] { out[id] = mix(d, slice(start, r.at), 4) }
            }
            return out
        } catch {
            return nil
        }
    }
}
