import Foundation
package import ServingEngine

/// Prompts labelled with how well a weak and a strong model answered them: the data a router is
/// evaluated (and trained) on.
package struct RouterEvaluationData: Sendable {
    /// One labelled prompt.
    package struct Example: Sendable, Hashable {
        /// A grouping such as the MMLU subject or MT-Bench category.
        package var domain: String
        /// The prompt text.
        package var prompt: String
        /// The weak model's quality on it, in [0, 1].
        package var weakQuality: Double
        /// The strong model's quality on it, in [0, 1].
        package var strongQuality: Double

        /// Creates an example.
        package init(domain: String, prompt: String, weakQuality: Double, strongQuality: Double) {
            self.domain = domain
            self.prompt = prompt
            self.weakQuality = weakQuality
            self.strongQuality = strongQuality
        }

        /// Whether the strong model did better: the label a learned router predicts.
        package var strongWins: Bool { strongQuality > weakQuality }
    }

    /// The examples, in file order.
    package var examples: [Example]
    /// Where they came from.
    package var source: String

    /// Creates data from examples.
    package init(examples: [Example], source: String) {
        self.examples = examples
        self.source = source
    }

    /// Loads CSV (`domain,prompt,weak_correct,strong_correct`, quality 0 or 1) or JSON lines in
    /// the MT-Bench shape (`category`, `turn1`, `weak_score_turn1`, `strong_score_turn1`, judge
    /// scores 1–10 mapped to [0, 1]; rows marked `contaminated` are left out).
    package static func load(path: String) throws(EvaluationError) -> RouterEvaluationData {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw EvaluationError("\(path): cannot read the file; check the path")
        }
        if path.hasSuffix(".jsonl") || text.first == "{" {
            return try parseJSONLines(text, source: path)
        }
        return try parseCSV(text, source: path)
    }

    static func parseCSV(_ text: String, source: String) throws(EvaluationError) -> RouterEvaluationData {
        let rows: [(line: Int, fields: [String])]
        do {
            rows = try CSVReader.rows(text)
        } catch {
            throw EvaluationError("\(source):\(error.line): \(error.message)")
        }
        guard let header = rows.first?.fields else { throw EvaluationError("\(source): the file is empty") }
        let expected = ["domain", "prompt", "weak_correct", "strong_correct"]
        guard header == expected else {
            throw EvaluationError("\(source):1: the header must be '\(expected.joined(separator: ","))', got '\(header.joined(separator: ","))'")
        }
        var examples: [Example] = []
        for (line, fields) in rows.dropFirst() {
            if fields == [""] { continue }
            guard fields.count == 4 else {
                throw EvaluationError("\(source):\(line): expected 4 fields (domain, prompt, weak_correct, strong_correct), got \(fields.count)")
            }
            guard let weak = Double(fields[2]), let strong = Double(fields[3]), (0...1).contains(weak), (0...1).contains(strong) else {
                throw EvaluationError("\(source):\(line): weak_correct and strong_correct must be 0 or 1, got '\(fields[2])' and '\(fields[3])'")
            }
            examples.append(Example(domain: fields[0], prompt: fields[1], weakQuality: weak, strongQuality: strong))
        }
        guard !examples.isEmpty else { throw EvaluationError("\(source): no rows after the header") }
        return RouterEvaluationData(examples: examples, source: source)
    }

    static func parseJSONLines(_ text: String, source: String) throws(EvaluationError) -> RouterEvaluationData {
        var examples: [Example] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw EvaluationError("\(source):\(index + 1): not a JSON object")
            }
            if let contaminated = object["contaminated"] as? Int, contaminated != 0 { continue }
            guard let prompt = object["turn1"] as? String,
                  let weak = (object["weak_score_turn1"] as? NSNumber)?.doubleValue,
                  let strong = (object["strong_score_turn1"] as? NSNumber)?.doubleValue
            else {
                throw EvaluationError("\(source):\(index + 1): expected 'turn1', 'weak_score_turn1' and 'strong_score_turn1'")
            }
            let domain = object["category"] as? String ?? "mt-bench"
            examples.append(Example(domain: domain, prompt: prompt, weakQuality: (weak - 1) / 9, strongQuality: (strong - 1) / 9))
        }
        guard !examples.isEmpty else { throw EvaluationError("\(source): no usable rows") }
        return RouterEvaluationData(examples: examples, source: source)
    }
}
