import Foundation
import Testing

/// Compares `text` with `__Snapshots__/NAME.txt` beside the tests; records it when
/// `RECORD_SNAPSHOTS=1` is set or the file does not exist yet (and fails in that case, so a
/// missing snapshot never passes silently).
func assertSnapshot(_ text: String, named name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation) {
    let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    let file = directory.appendingPathComponent(name + ".txt")
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
    let existing = try? String(contentsOf: file, encoding: .utf8)
    if record || existing == nil {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? (text + "\n").write(to: file, atomically: true, encoding: .utf8)
        if existing == nil && !record {
            Issue.record("recorded new snapshot \(file.lastPathComponent); run again to compare", sourceLocation: sourceLocation)
        }
        return
    }
    let expected = String(existing!.dropLast(existing!.hasSuffix("\n") ? 1 : 0))
    if expected != text {
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var diff: [String] = []
        for index in 0..<max(expectedLines.count, actualLines.count) {
            let e = index < expectedLines.count ? String(expectedLines[index]) : "<none>"
            let a = index < actualLines.count ? String(actualLines[index]) : "<none>"
            if e != a { diff.append("line \(index + 1):\n  expected: \(e)\n  actual:   \(a)") }
            if diff.count >= 8 { break }
        }
        Issue.record("snapshot \(name) differs (RECORD_SNAPSHOTS=1 re-records):\n\(diff.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }
}
