import Dashboard
import Foundation
import ServingEngine
import Testing
import TestSupport

/// Thousands of damaged theme files, generated from a fixed seed: each one loads (with warnings
/// at most) or fails with an error naming the file and a line that exists — never a crash, a
/// hang, or a message without a place.
@Suite("Theme loader under damaged input", .timeLimit(.minutes(1)))
struct ThemeFuzzTests {
    static let themes: [String] = ["default", "light", "high-contrast", "monochrome"].map { name in
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../themes/\(name).theme").standardizedFileURL
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }

    static let tokens = ["[", "]", "=", "\"", "#", "theme[", "theme[main_bg]", "\r", "\r\n", "\t", " ", "é", "🙂", "\u{0}", "\u{1B}[31m", "\u{301}", "#FFF", "#GGGGGG", "ＡＢＣ", "\u{FEFF}"]

    static func mutate(_ text: String, _ random: inout SeededRandom) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = Int.random(in: 0..<lines.count, using: &random)
        switch Int.random(in: 0..<7, using: &random) {
        case 0:
            if !lines[line].isEmpty {
                var characters = Array(lines[line])
                characters.remove(at: Int.random(in: 0..<characters.count, using: &random))
                lines[line] = String(characters)
            }
        case 1:
            var characters = Array(lines[line])
            characters.insert(contentsOf: tokens[Int.random(in: 0..<tokens.count, using: &random)], at: Int.random(in: 0...characters.count, using: &random))
            lines[line] = String(characters)
        case 2: lines.insert(lines[line], at: line)
        case 3: lines.remove(at: line)
        case 4: lines = Array(lines.prefix(line))
        case 5: lines[line] = String(repeating: lines[line], count: Int.random(in: 2...50, using: &random))
        default: lines.swapAt(line, Int.random(in: 0..<lines.count, using: &random))
        }
        return lines.joined(separator: "\n")
    }

    @Test func everyDamagedThemeLoadsOrFailsWithALocatedMessage() async {
        let (problems, failed) = await onBackgroundThread { Self.damagedThemes() }
        // Checked with plain comparisons, reported once: an expectation per case costs more than parsing.
        #expect(problems.isEmpty, "\(problems.count) bad outcomes, e.g. \(problems.prefix(5))")
        #expect(failed > 500, "the mutations must actually damage the files (\(failed) failed)")
    }

    /// Parses 3,000 damaged themes; the problems found and how many themes were refused.
    static func damagedThemes() -> (problems: [String], failed: Int) {
        var random = SeededRandom(seed: 4_242)
        var failed = 0
        var problems: [String] = []
        for number in 0..<3000 {
            var text = Self.themes[number % Self.themes.count]
            for _ in 0..<Int.random(in: 1...3, using: &random) { text = Self.mutate(text, &random) }
            // Count lines the way editors do: \n, \r\n and a lone \r each end one.
            let lineCount = max(1, text.replacingOccurrences(of: "\r\n", with: "\n").split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" }.count)
            switch Theme.parse(text, file: "fuzz.theme", name: "fuzz") {
            case .success(let parsed):
                if parsed.theme.colors.count != StyleRole.allCases.count { problems.append("case \(number): missing roles were not filled") }
                if let warning = parsed.warnings.first(where: { !$0.hasPrefix("fuzz.theme") }) { problems.append("case \(number): \(warning)") }
            case .failure(let error):
                failed += 1
                let description = error.description
                if error.file != "fuzz.theme" || error.expected.isEmpty || !description.hasPrefix("fuzz.theme:") {
                    problems.append("case \(number): \(description)")
                } else if let line = error.line, !(1...lineCount).contains(line) {
                    problems.append("case \(number): line \(line) of \(lineCount)")
                } else if error.line == nil {
                    problems.append("case \(number): \(description) names no line")
                } else if description.count >= 400 {
                    // One bad line must not flood the terminal or reach it raw.
                    problems.append("case \(number): a \(description.count)-character message")
                } else if description.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                    problems.append("case \(number): control characters in \(description.debugDescription)")
                }
            }
        }
        return (problems, failed)
    }

    @Test func windowsLineEndingsReadTheSameAsUnixOnes() throws {
        for (index, text) in Self.themes.enumerated() {
            let unix = try Theme.parse(text, file: "t.theme", name: "t").get()
            let windows = Theme.parse(text.replacingOccurrences(of: "\n", with: "\r\n"), file: "t.theme", name: "t")
            #expect((try? windows.get())?.theme.colors == unix.theme.colors, "theme \(index) with CRLF line endings: \(windows)")
            let oldMac = Theme.parse(text.replacingOccurrences(of: "\n", with: "\r"), file: "t.theme", name: "t")
            #expect((try? oldMac.get())?.theme.colors == unix.theme.colors, "theme \(index) with CR line endings: \(oldMac)")
        }
        guard case .failure(let error) = Theme.parse("theme[main_bg]=\"#000000\"\r\ntheme[hi_fg]=\"blue\"\r\n", file: "w.theme", name: "w") else {
            Issue.record("a bad colour on line 2 was accepted")
            return
        }
        #expect(error.line == 2 && error.key == "hi_fg")
    }

    @Test func aFileThatIsNotUTF8SaysSo() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-fuzz-\(UUID().uuidString).theme")
        try Data([0x74, 0x68, 0x65, 0x6D, 0x65, 0x5B, 0xFF, 0xFE, 0x5D]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let loaded = ThemeCatalog(directories: []).load(url.path)
        let error = try #require(loaded.error)
        #expect(error.description.contains("UTF-8") && !error.description.contains("nothing at that path"), "\(error.description)")
        #expect(loaded.theme == Theme.default)
    }
}
