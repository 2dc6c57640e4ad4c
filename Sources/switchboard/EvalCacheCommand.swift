import ArgumentParser
import Foundation
import ServingEngine

/// `switchboard eval cache`: hits, precision, recall and false hits of the semantic cache.
struct EvalCacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Measure the semantic cache on labelled prompt pairs.",
        discussion: """
            --pairs takes TAB-separated 'id text_a text_b label' (1 = same request, must hit; 0 = \
            different, must miss): every text_a is stored, every text_b looked up. --positives \
            takes 'id origin similar' (GPTCache's benchmark): every origin stored, every similar \
            looked up, hits counted correct when they return the query's own origin. Without \
            --threshold the built-in configuration's threshold is used. Examples:
              switchboard eval cache --pairs ../shared/data/cache/qqp_dev.tsv --sweep
              switchboard eval cache --positives ../shared/data/cache/gptcache_mock_999.tsv --threshold 0.8 --json
              switchboard eval cache --pairs ../shared/data/cache/qqp_dev.tsv --embedder minilm --sweep
            """
    )

    @Option(help: "Labelled pairs: TSV with header id, text_a, text_b, label.")
    var pairs: String?

    @Option(help: "Positives: TSV with header id, origin, similar.")
    var positives: String?

    @Option(help: "The embedder to measure: hashing or minilm.")
    var embedder: String = "hashing"

    @Option(help: "The sentence-transformers folder minilm loads.")
    var minilmFolder: String = EmbedderConfiguration.defaultMiniLMFolder

    @Option(help: "The similarity threshold (default: the built-in configuration's).")
    var threshold: Double?

    @Flag(help: "Report every threshold from 0.50 to 1.00 in steps of 0.05.")
    var sweep = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard (pairs == nil) != (positives == nil) else { throw ValidationError("give exactly one of --pairs or --positives") }
        guard ["hashing", "minilm"].contains(embedder) else { throw ValidationError("--embedder: unknown embedder '\(embedder)'; available: hashing, minilm") }
        if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be between 0 and 1, got \(threshold)") }
    }

    func run() async throws {
        let model: any Embedder
        do {
            model = embedder == "minilm" ? try MiniLMEmbedder(folder: minilmFolder) : HashingEmbedder()
        } catch {
            throw ValidationError("--minilm-folder: \(error)")
        }
        let evaluation: CacheEvaluation
        do {
            evaluation = if let pairs {
                try await CacheEvaluation.pairs(path: pairs, embedder: model)
            } else {
                try await CacheEvaluation.positives(path: positives!, embedder: model)
            }
        } catch let error as EvaluationError {
            throw ValidationError(error.message)
        }
        let chosen = threshold ?? EngineConfiguration.builtIn.cache.similarityThreshold
        let point = evaluation.at(chosen)
        let sweepPoints = sweep ? stride(from: 0.5, through: 1.0001, by: 0.05).map { evaluation.at(($0 * 100).rounded() / 100) } : []
        if json {
            var object: [String: Any] = [
                "embedder": evaluation.embedder, "threshold": chosen,
                "pairs_per_second": (evaluation.queriesPerSecond * 10).rounded() / 10,
            ]
            if pairs != nil {
                object.merge(["pairs": evaluation.queries, "hits": point.hits, "precision": point.precision, "recall": point.recall, "f1": point.f1, "false_hit_rate": point.falseHitRate]) { $1 }
            } else {
                object.merge(["queries": evaluation.queries, "correct": point.correct, "wrong": point.wrong, "missed": point.missed]) { $1 }
            }
            if sweep {
                object["sweep"] = sweepPoints.map { p in
                    ["threshold": p.threshold, "hits": p.hits, "correct": p.correct, "wrong": p.wrong, "missed": p.missed, "precision": p.precision, "recall": p.recall, "f1": p.f1, "false_hit_rate": p.falseHitRate] as [String: Any]
                }
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print("embedder \(evaluation.embedder): \(evaluation.queries) queries at \(Int(evaluation.queriesPerSecond)) per second")
        print("threshold  hits  correct  wrong  missed  precision  recall     f1  false-hit rate")
        for p in (sweep ? sweepPoints : [point]) {
            print(String(format: "%9.2f %5d %8d %6d %7d %10.3f %7.3f %6.3f %14.1f %%", p.threshold, p.hits, p.correct, p.wrong, p.missed, p.precision, p.recall, p.f1, p.falseHitRate * 100))
        }
    }
}
