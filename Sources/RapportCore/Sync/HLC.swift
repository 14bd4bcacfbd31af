import Foundation

/// A hybrid logical clock stamp: wall time in milliseconds, a counter for events within
/// the same millisecond (or while the wall clock is behind a stamp already seen), and the
/// device that made it. Stamps are totally ordered (wall, counter, device), and a stamp a
/// device makes is later than every stamp it has seen, so "saw" implies "later".
public struct HLC: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var wall: Int64
    public var counter: Int
    public var device: String

    public init(wall: Int64, counter: Int = 0, device: String) {
        self.wall = wall
        self.counter = counter
        self.device = device
    }

    public static func < (a: HLC, b: HLC) -> Bool {
        if a.wall != b.wall { return a.wall < b.wall }
        if a.counter != b.counter { return a.counter < b.counter }
        return a.device < b.device
    }

    /// The stamp of a new event on `device` at wall time `now`, given `last`, the latest
    /// stamp this device has made or seen (nil: none yet).
    public static func next(after last: HLC?, now: Date, device: String) -> HLC {
        let pt = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        guard let last else { return HLC(wall: pt, counter: 0, device: device) }
        if pt > last.wall { return HLC(wall: pt, counter: 0, device: device) }
        return HLC(wall: last.wall, counter: last.counter + 1, device: device)
    }

    /// `1764505445000.3@a1b2c3d4e5`: wall milliseconds, counter, device.
    public var description: String { "\(wall).\(counter)@\(device)" }

    public init?(_ text: String) {
        guard let at = text.firstIndex(of: "@") else { return nil }
        let time = text[..<at], dev = String(text[text.index(after: at)...])
        let parts = time.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int64(parts[0]), let c = Int(parts[1]), c >= 0, !dev.isEmpty else { return nil }
        self.init(wall: w, counter: c, device: dev)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let v = HLC(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(s)' is not a clock stamp (wall.counter@device)")
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
