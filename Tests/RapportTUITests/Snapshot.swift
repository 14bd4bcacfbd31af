import Foundation
import RapportText
import Testing

/// Compares a rendered frame with a text fixture in Fixtures/. Fixtures are written
/// only when RECORD_SNAPSHOTS=1; otherwise a difference fails with a line diff.
func expectSnapshot(_ buffer: CellBuffer, _ name: String, filePath: String = #filePath,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let dir = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    let file = dir.appendingPathComponent(name + ".txt")
    let actual = "# \(buffer.width)x\(buffer.height)\n" + buffer.text + "\n"
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? actual.write(to: file, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
        Issue.record("missing fixture \(file.path); run with RECORD_SNAPSHOTS=1 to record it. Actual:\n\(actual)",
                     sourceLocation: sourceLocation)
        return
    }
    if expected != actual {
        let message = "snapshot \(name) differs (- fixture, + actual):\n" + lineDiff(expected, actual)
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// Lines that differ, numbered, with the fixture line first.
func lineDiff(_ a: String, _ b: String) -> String {
    let x = a.components(separatedBy: "\n"), y = b.components(separatedBy: "\n")
    var out: [String] = []
    for i in 0..<max(x.count, y.count) {
        let l = i < x.count ? x[i] : "<none>", r = i < y.count ? y[i] : "<none>"
        if l != r {
            out.append(String(format: "%3d - ", i + 1) + "|" + l + "|")
            out.append(String(format: "%3d + ", i + 1) + "|" + r + "|")
        }
    }
    return out.joined(separator: "\n")
}
