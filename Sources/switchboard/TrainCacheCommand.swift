import ArgumentParser
import Evaluation
import ServingEngine

/// `switchboard train cache`: fit and calibrate the cache's hit verifier.
struct TrainCacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Train the cache's hit verifier on labelled pairs and write a versioned model file.",
        discussion: """
            The verifier estimates the probability that the nearest cached prompt asks the same \
            thing as the query, from their cosine and lexical evidence (words one has and the other \
            lacks, numbers, negation, question word). A share of the pairs is kept aside, by a \
            stable hash of their ids, and never fitted on: the figures printed for it are what to \
            expect on data the verifier has not seen. Calibration uses cross-fitted scores and a \
            95 % upper confidence bound of the false-hit rate. Example (the built-in verifier):
              switchboard train cache --pairs ../shared/data/cache/qqp_dev.tsv --embedder minilm \\
                --out Sources/ServingEngine/Resources/cache-verifier-minilm.json
            """
    )

    @Option(help: "Labelled pairs: TSV with header id, text_a, text_b, label.")
    var pairs: String

    @Option(help: "The embedder whose similarities to fit on: hashing or minilm (default: the built-in choice).")
    var embedder: String?

    @Option(name: .customLong("minilm-folder"), help: "The all-MiniLM-L6-v2 sentence-transformers folder.")
    var minilmFolder: String = EmbedderConfiguration.defaultMiniLMFolder

    @Option(name: .customLong("held-out"), help: "The share of pairs kept aside for the held-out figures.")
    var heldOut: Double = 0.5

    @Option(help: "Where to write the model.")
    var out: String = "cache-verifier.json"

    func validate() throws {
        guard (0...0.9).contains(heldOut) else { throw ValidationError("--held-out must be between 0 and 0.9, got \(heldOut)") }
    }

    func run() async throws {
        let model = try CommandSupport.makeEmbedder(embedder, minilmFolder: minilmFolder)
        let evaluation: CacheEvaluation
        let progress = TerminalProgress(quiet: false)
        defer { progress.finish() }
        do {
            evaluation = try await CacheEvaluation.pairs(path: pairs, embedder: model, progress: progress.step)
            progress.finish()
        } catch let error as EvaluationError {
            throw ValidationError(error.message)
        }
        let (fitting, heldOutPart) = evaluation.split(heldOutShare: heldOut)
        let verifier = HitVerifierTrainer().train(fitting.examples, embedder: model.name, source: pairs, heldOutShare: heldOut)
        try verifier.write(to: out)
        print("fitted on \(fitting.queries) pairs with \(model.name) similarities; \(heldOutPart.queries) pairs held out; wrote \(out)")
        print("target  probability  calibrated FHR (95% bound)  calibrated recall | held-out FHR  recall  precision")
        for target in [0.005, 0.01, 0.02, 0.05] {
            guard let point = verifier.calibrationPoint(forFalseHitRate: target) else {
                print(String(format: "%5.1f %%  no calibrated point is that safe", target * 100))
                continue
            }
            let held = heldOutPart.queries > 0 ? heldOutPart.at(.verified(.init(verifier: verifier, probability: point.probability, targetFalseHitRate: target))) : nil
            print(String(
                format: "%5.1f %%  %11.3f  %9.2f %% (%5.2f %%)  %17.3f | %10.2f %%  %6.3f  %9.3f",
                target * 100, point.probability, point.falseHitRate * 100, point.falseHitRateUpperBound * 100, point.recall,
                (held?.falseHitRate ?? .nan) * 100, held?.recall ?? .nan, held?.precision ?? .nan
            ))
        }
        if heldOutPart.queries > 0 {
            print("fixed cosine thresholds on the held-out pairs, for comparison:")
            for threshold in [0.85, 0.9, 0.95] {
                let p = heldOutPart.at(threshold)
                print(String(format: "  cosine ≥ %.2f: FHR %.2f %%, recall %.3f, precision %.3f", threshold, p.falseHitRate * 100, p.recall, p.precision))
            }
        }
    }
}
