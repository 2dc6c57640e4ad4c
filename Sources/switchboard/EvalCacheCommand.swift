import ArgumentParser
import Evaluation
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

    @Option(help: "The embedder to measure: hashing or minilm (default: the built-in choice, minilm when its folder is present).")
    var embedder: String?

    @Option(name: .customLong("minilm-folder"), help: "The all-MiniLM-L6-v2 sentence-transformers folder.")
    var minilmFolder: String = EmbedderConfiguration.defaultMiniLMFolder

    @Option(help: "A fixed cosine threshold instead of the default decision rule.")
    var threshold: Double?

    @Option(help: "A verifier file from 'switchboard train cache' (default: the built-in one for the embedder).")
    var verifier: String?

    @Option(name: .customLong("target-false-hit-rate"), help: "The false-hit-rate target of the verified rule (default: the built-in configuration's).")
    var targetFalseHitRate: Double?

    @Flag(help: "Report every threshold from 0.50 to 1.00 in steps of 0.05, and the verified rule at several targets.")
    var sweep = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard (pairs == nil) != (positives == nil) else { throw ValidationError("give exactly one of --pairs or --positives") }
        if let embedder, !["hashing", "minilm"].contains(embedder) { throw ValidationError("--embedder: unknown embedder '\(embedder)'; available: hashing, minilm") }
        if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be between 0 and 1, got \(threshold)") }
        if let targetFalseHitRate, !(0.0001...0.5).contains(targetFalseHitRate) { throw ValidationError("--target-false-hit-rate must be between 0.0001 and 0.5, got \(targetFalseHitRate)") }
    }

    func run() async throws {
        let model = try CommandSupport.makeEmbedder(embedder, minilmFolder: minilmFolder)
        let evaluation: CacheEvaluation
        let progress = TerminalProgress(quiet: json)
        defer { progress.finish() }
        do {
            evaluation = if let pairs {
                try await CacheEvaluation.pairs(path: pairs, embedder: model, progress: progress.step)
            } else {
                try await CacheEvaluation.positives(path: positives!, embedder: model, progress: progress.step)
            }
            progress.finish()
        } catch let error as EvaluationError {
            throw ValidationError(error.message)
        }
        var decision = EngineConfiguration.builtIn.cacheDecision
        if let threshold {
            decision.kind = .threshold
            decision.similarityThreshold = threshold
        }
        if let verifier { decision.verifierPath = verifier }
        if let targetFalseHitRate { decision.targetFalseHitRate = targetFalseHitRate }
        let rule: CacheHitRule
        do {
            rule = try decision.resolve(for: model.name, file: "command line")
        } catch {
            throw ValidationError(error.description)
        }
        let point = evaluation.at(rule)
        let sweepPoints = sweep ? stride(from: 0.5, through: 1.0001, by: 0.05).map { evaluation.at(($0 * 100).rounded() / 100) } : []
        let targets = [0.005, 0.01, 0.02, 0.05]
        let verifiedPoints: [(Double, CacheEvaluation.Point)] = sweep ? targets.compactMap { target in
            guard case .verified(let verification) = rule, let probability = verification.verifier.threshold(forFalseHitRate: target) else { return nil }
            return (target, evaluation.at(.verified(.init(verifier: verification.verifier, probability: probability, targetFalseHitRate: target))))
        } : []
        if json {
            var object: [String: Any] = [
                "embedder": evaluation.embedder, "threshold": point.threshold, "decision": rule.summary,
                "pairs_per_second": (evaluation.queriesPerSecond * 10).rounded() / 10,
            ]
            if case .verified(let verification) = rule { object["target_false_hit_rate"] = verification.targetFalseHitRate }
            if pairs != nil {
                object.merge(["pairs": evaluation.queries, "hits": point.hits, "precision": point.precision, "recall": point.recall, "f1": point.f1, "false_hit_rate": point.falseHitRate]) { $1 }
            } else {
                object.merge(["queries": evaluation.queries, "correct": point.correct, "wrong": point.wrong, "missed": point.missed]) { $1 }
            }
            if sweep {
                object["sweep"] = sweepPoints.map(Self.dictionary)
                object["verified_sweep"] = verifiedPoints.map { target, p in Self.dictionary(p).merging(["target_false_hit_rate": target]) { $1 } }
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print("embedder \(evaluation.embedder): \(evaluation.queries) queries at \(Int(evaluation.queriesPerSecond)) per second")
        print("decision rule: \(rule.summary)")
        print("threshold  hits  correct  wrong  missed  precision  recall     f1  false-hit rate")
        Self.printRow(point)
        if sweep {
            print("\nfixed cosine thresholds:")
            sweepPoints.forEach(Self.printRow)
            if !verifiedPoints.isEmpty {
                print("\nverified rule (threshold = verifier probability) by false-hit-rate target:")
                for (target, p) in verifiedPoints {
                    print(String(format: "target %4.1f %%", target * 100), terminator: "  ")
                    Self.printRow(p)
                }
            }
        }
    }

    static func printRow(_ p: CacheEvaluation.Point) {
        print(String(format: "%9.3f %5d %8d %6d %7d %10.3f %7.3f %6.3f %14.1f %%", p.threshold, p.hits, p.correct, p.wrong, p.missed, p.precision, p.recall, p.f1, p.falseHitRate * 100))
    }

    static func dictionary(_ p: CacheEvaluation.Point) -> [String: Any] {
        ["threshold": p.threshold, "hits": p.hits, "correct": p.correct, "wrong": p.wrong, "missed": p.missed, "precision": p.precision, "recall": p.recall, "f1": p.f1, "false_hit_rate": p.falseHitRate]
    }
}
