import ArgumentParser
import Benchmarks
import Evaluation
import Foundation
import ServingEngine

/// `switchboard bench embed`: the `minilm` embedder's throughput and short-query latency.
struct BenchEmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Measure the minilm embedder: sentences and tokens per second, and one short query's latency.",
        discussion: """
            Runs on one core. Batched throughput covers every sentence of the file (tokenisation \
            included); one-at-a-time covers the first --single-limit of them. The reference \
            PyTorch implementation encoded qqp_dev.tsv's 12,000 sentences at 68 per second on a \
            2-core machine. Build with -c release for figures worth quoting. Example:
              swift run -c release switchboard bench embed --sentences ../shared/data/cache/qqp_dev.tsv
            """
    )

    @Option(help: "The sentence-transformers folder of the model.")
    var minilmFolder: String = EmbedderConfiguration.defaultMiniLMFolder

    @Option(help: "TAB-separated sentences: every text, text_a, text_b, origin and similar column.")
    var sentences: String = "../shared/data/cache/qqp_dev.tsv"

    @Option(help: "How many sentences to embed one call each.")
    var singleLimit: Int = 2_000

    @Option(help: "How many times to time the short query.")
    var repetitions: Int = 500

    @Option(help: "Concurrent callers in the both-cores measurement (0 skips it).")
    var callers: Int = 64

    @Option(help: "How many sentences the both-cores measurement embeds.")
    var concurrentLimit: Int = 4_000

    @Option(help: "The matrix kernels: auto (the fastest this CPU runs, or what SWITCHBOARD_MINILM_KERNELS says), int8-amx, int8-vnni, avx512-bf16, int8-avx2 or fp32.")
    var kernels: String = "auto"

    @Option(help: "The reference embeddings to compare with (the test fixture), or none.")
    var reference: String = "Tests/ServingEngineTests/Fixtures/minilm-reference.json"

    func run() async throws {
        let model: MiniLMEmbedder
        let texts: [String]
        let choice: MiniLMKernels
        if kernels == "auto" {
            do {
                choice = try MiniLMKernels.chosen(environment: ProcessInfo.processInfo.environment)
            } catch {
                throw ValidationError(error.description)
            }
        } else if let named = MiniLMKernels(rawValue: kernels) {
            guard named.isSupported else { throw ValidationError("--kernels: this CPU (or its operating system) cannot run \(kernels); use auto or fp32") }
            choice = named
        } else {
            throw ValidationError("--kernels: '\(kernels)' is not one of auto, \(MiniLMKernels.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        do {
            model = try MiniLMEmbedder(folder: minilmFolder, kernels: choice, batching: nil)
            texts = try EmbedBenchmark.sentences(path: sentences)
        } catch let error as MiniLMError {
            throw ValidationError("--minilm-folder: \(error.description)")
        } catch let error as EvaluationError {
            throw ValidationError("--sentences: \(error.message)")
        }
        let agreement: ReferenceAgreement?
        do {
            agreement = reference == "none" ? nil : try ReferenceAgreement.measure(model: model, path: reference)
        } catch {
            throw ValidationError("--reference: \(error)")
        }
        let result = EmbedBenchmark(model: model, sentences: texts, singleLimit: singleLimit, repetitions: repetitions).run()
        let referenceRate = 68.0
        print("minilm on \(sentences): \(result.batched.sentences) sentences, \(result.batched.tokens) tokens, one thread")
        print("kernels: \(result.kernels)")
        if let agreement {
            print("against the reference embeddings (\(agreement.sentences) sentences): " + String(format: "minimum cosine %.5f, mean %.5f (every path must keep the minimum ≥ 0.999)", agreement.minimumCosine, agreement.meanCosine))
        }
        print("                 sentences/s  tokens/s   by CPU time: sentences/s  tokens/s")
        for (label, rate) in [("batched", result.batched), ("one at a time", result.single)] {
            print(label.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: " %11.1f %9.0f                %11.1f %9.0f", Double(rate.sentences) / rate.seconds, Double(rate.tokens) / rate.seconds, Double(rate.sentences) / rate.cpuSeconds, Double(rate.tokens) / rate.cpuSeconds) + (label == "batched" ? "" : "   (first \(rate.sentences))"))
        }
        for (label, rate) in [("batched", result.batched), ("one at a time", result.single)] {
            print("\(label): " + String(format: "%.1f× the reference's 68 sentences/s by wall clock, %.1f× by CPU time (aim for batched: 5×)", Double(rate.sentences) / rate.seconds / referenceRate, Double(rate.sentences) / rate.cpuSeconds / referenceRate))
        }
        print("short query '\(result.shortQuery)' (\(result.shortQueryTokens) tokens, \(repetitions) runs): " + String(format: "p50 %.2f ms, p99 %.2f ms; CPU time p50 %.2f ms (aim: p50 and p99 under 5 ms)", result.shortQueryP50.milliseconds, result.shortQueryP99.milliseconds, result.shortQueryCPUP50.milliseconds))
        guard callers > 0 else { return }

        // Both cores: concurrent callers through embed(_:), one call per text, as the cache calls it.
        let batched: MiniLMEmbedder
        do {
            // Capacity, not admission, is measured here: the queue takes every caller (the
            // engine's embedder refuses past an expected 5 ms wait, see bench engine), and
            // remembering recent texts is off, so every call computes.
            batched = try MiniLMEmbedder(folder: minilmFolder, kernels: choice, batching: EmbeddingBatcher.Settings(maxQueued: 1 << 20, maxWait: .seconds(3600), recentTexts: 0))
        } catch {
            throw ValidationError("--minilm-folder: \(error.description)")
        }
        let concurrentTexts = Array(texts.prefix(concurrentLimit))
        print("")
        print("\(callers) concurrent callers, one embed call per sentence (\(concurrentTexts.count) sentences), \(ProcessInfo.processInfo.activeProcessorCount) cores:")
        print("                                         sentences/s  tokens/s   call p50   p99")
        for (label, embedder) in [("one call each, no batching (before)", model), ("batched, a worker per core", batched)] {
            let run = try await EmbedBenchmark.concurrent(model: embedder, texts: concurrentTexts, callers: callers)
            print(label.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: " %11.1f %9.0f   ", run.rate, Double(run.tokens) / max(run.seconds, 1e-9)) + DurationFormat.short(run.latency.p50).padding(toLength: 10, withPad: " ", startingAt: 0) + " " + DurationFormat.short(run.latency.p99))
            if let statistics = run.batcher {
                print("  \(statistics.batches) batches (mean \(String(format: "%.1f", statistics.meanBatch)) sentences, largest \(statistics.largestBatch)); added wait for a worker p50 \(DurationFormat.short(statistics.queueWait.p50)), p99 \(DurationFormat.short(statistics.queueWait.p99)); \(statistics.rejected) refused as overload (queue bound \(batched.batcher?.settings.maxQueued ?? 0))")
            }
        }
        let single = try await EmbedBenchmark.concurrent(model: batched, texts: Array(repeating: EmbedBenchmark.shortQuery, count: repetitions), callers: 1)
        print("short query '\(EmbedBenchmark.shortQuery)' alone through the batcher (\(repetitions) calls): p50 \(DurationFormat.short(single.latency.p50)), p99 \(DurationFormat.short(single.latency.p99)) (aim: p50 ≤ 1 ms)")
    }
}
