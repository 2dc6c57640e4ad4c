import Testing
import TestSupport
@testable import ServingEngine

/// Thousands of damaged variants of a valid configuration: every one must either load or fail
/// with a located, worded ConfigError — never crash, hang or fail silently.
@Suite("Configuration loader under damaged input")
struct ConfigurationFuzzTests {
    enum Mutation: CaseIterable {
        case deleteCharacter, duplicateLine, deleteLine, swapLines, insertToken, truncate, indentLine
    }

    static let tokens = ["-", ":", "[", "]", "{", "}", "\"", "'", "#", "&a", "*a", "!!int", "~", "null", "1e400", "-5", "0x1F", "\t", "é", "🙂", "\u{0}", "? ", "|", ">"]

    func mutate(_ text: String, _ random: inout SeededRandom) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let mutation = Mutation.allCases[Int(random.next() % UInt64(Mutation.allCases.count))]
        let line = Int(random.next() % UInt64(lines.count))
        switch mutation {
        case .deleteCharacter:
            if !lines[line].isEmpty {
                var characters = Array(lines[line])
                characters.remove(at: Int(random.next() % UInt64(characters.count)))
                lines[line] = String(characters)
            }
        case .duplicateLine:
            lines.insert(lines[line], at: line)
        case .deleteLine:
            lines.remove(at: line)
        case .swapLines:
            let other = Int(random.next() % UInt64(lines.count))
            lines.swapAt(line, other)
        case .insertToken:
            var characters = Array(lines[line])
            let position = characters.isEmpty ? 0 : Int(random.next() % UInt64(characters.count + 1))
            characters.insert(contentsOf: Self.tokens[Int(random.next() % UInt64(Self.tokens.count))], at: position)
            lines[line] = String(characters)
        case .truncate:
            lines = Array(lines.prefix(line))
        case .indentLine:
            lines[line] = String(repeating: " ", count: Int(random.next() % 5)) + lines[line]
        }
        return lines.joined(separator: "\n")
    }

    /// Loads 2,000 damaged variants; returns how many loaded and every problem found.
    func damagedVariants() -> (loaded: Int, rejected: Int, problems: [String]) {
        var random = SeededRandom(seed: 2026)
        var loaded = 0, rejected = 0
        var problems: [String] = []
        for _ in 0..<2000 {
            var text = EngineConfiguration.builtInYAML
            for _ in 0..<(1 + Int(random.next() % 3)) { text = mutate(text, &random) }
            do {
                _ = try ConfigurationLoader.parse(text, source: "fuzz.yaml")
                loaded += 1
            } catch {
                rejected += 1
                if error.file != "fuzz.yaml" || error.message.isEmpty { problems.append("unlocated or empty: \(error.description)") }
                if error.message.hasPrefix("YAML syntax error") || error.message.contains("unknown key") || error.message.hasPrefix("expected"), error.line == nil {
                    problems.append("\(error.description) should name its line")
                }
            }
        }
        return (loaded, rejected, problems)
    }

    @Test func everyDamagedVariantLoadsOrFailsWithALocatedMessage() async {
        // Thousands of parses are solid CPU: off the cooperative pool, where timed suites run.
        let (loaded, rejected, problems) = await onBackgroundThread { self.damagedVariants() }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(loaded + rejected == 2000)
        #expect(rejected > 500, "the mutations must actually damage the file")
    }
}
