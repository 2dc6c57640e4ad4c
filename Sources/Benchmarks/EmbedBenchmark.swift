import Evaluation
import Foundation
import Measuring
package import ServingEngine
#if canImport(Glibc)
import Glibc
#endif

/// Measures the `minilm` embedder: sentences per second one at a time and batched, tokens per
/// second, and the latency of one short query — all on the calling thread, so on one core.
///
/// Every figure is given by wall clock and by the thread's own CPU time: on a shared machine the
/// wall clock includes time the thread waited for a core, the CPU time does not.
package struct EmbedBenchmark: Sendable {
    /// One throughput measurement.
    package struct Rate: Sendable {
        /// Sentences embedded.
        package var sentences: Int
        /// Their tokens, `[CLS]` and `[SEP]` included.
        package var tokens: Int
        /// Wall-clock seconds, tokenisation included.
        package var seconds: Double
        /// The thread's CPU seconds.
        package var cpuSeconds: Double
    }

    /// The figures of one run.
    package struct Result: Sendable {
        /// The kernels the model multiplied with.
        package var kernels: MiniLMKernels
        /// Every sentence, batched.
        package var batched: Rate
        /// The first sentences, one call each.
        package var single: Rate
        /// The short query timed.
        package var shortQuery: String
        /// Its token count.
        package var shortQueryTokens: Int
        /// Median and 99th-percentile wall-clock latency of one embedding of the short query.
        package var shortQueryP50: Duration, shortQueryP99: Duration
        /// Median CPU time of one embedding of the short query.
        package var shortQueryCPUP50: Duration
    }

    /// The short query whose latency is reported.
    package static let shortQuery = "How do I learn Python?"

    let model: MiniLMEmbedder
    let sentences: [String]
    let singleLimit: Int
    let repetitions: Int

    /// A benchmark of `model` over `sentences`, embedding the first `singleLimit` of them one
    /// call each, and timing the short query `repetitions` times.
    package init(model: MiniLMEmbedder, sentences: [String], singleLimit: Int = 2_000, repetitions: Int = 500) {
        self.model = model
        self.sentences = sentences
        self.singleLimit = singleLimit
        self.repetitions = repetitions
    }

    /// Runs every measurement, synchronously on this thread.
    package func run() -> Result {
        let clock = ContinuousClock()
        var tokens = 0
        var start = clock.now, cpu = ThreadCPU.now().seconds
        let tokenized = sentences.map(model.tokenizer.tokenIDs)
        _ = model.vectors(forTokens: tokenized)
        let batched = Rate(sentences: sentences.count, tokens: tokenized.reduce(0) { $0 + $1.count }, seconds: (clock.now - start).seconds, cpuSeconds: ThreadCPU.now().seconds - cpu)

        let single = sentences.prefix(singleLimit)
        start = clock.now
        cpu = ThreadCPU.now().seconds
        for sentence in single {
            let ids = model.tokenizer.tokenIDs(sentence)
            tokens += ids.count
            _ = model.vectors(forTokens: [ids])
        }
        let one = Rate(sentences: single.count, tokens: tokens, seconds: (clock.now - start).seconds, cpuSeconds: ThreadCPU.now().seconds - cpu)

        for _ in 0..<20 { _ = model.vectors(forTokens: [model.tokenizer.tokenIDs(Self.shortQuery)]) }
        var latencies: [Duration] = [], cpuTimes: [Duration] = []
        for _ in 0..<repetitions {
            let began = clock.now, beganCPU = ThreadCPU.now().seconds
            _ = model.vectors(forTokens: [model.tokenizer.tokenIDs(Self.shortQuery)])
            latencies.append(clock.now - began)
            cpuTimes.append(.seconds(ThreadCPU.now().seconds - beganCPU))
        }
        return Result(
            kernels: model.kernels, batched: batched, single: one,
            shortQuery: Self.shortQuery, shortQueryTokens: model.tokenizer.tokenIDs(Self.shortQuery).count,
            shortQueryP50: (Percentile.of(latencies, 0.50) ?? .zero), shortQueryP99: (Percentile.of(latencies, 0.99) ?? .zero),
            shortQueryCPUP50: (Percentile.of(cpuTimes, 0.50) ?? .zero)
        )
    }

    /// Concurrent callers embedding one text each through ``MiniLMEmbedder/embed(_:)``.
    package struct Concurrent: Sendable {
        /// Texts embedded and the wall-clock seconds they took.
        package var texts: Int, seconds: Double
        /// Their tokens, `[CLS]` and `[SEP]` included.
        package var tokens: Int
        /// Latency of one call, from its start to its vector.
        package var latency: LatencySummary
        /// The batcher's figures, when the model batches.
        package var batcher: EmbeddingBatcher.Statistics?

        /// Texts per second.
        package var rate: Double { Double(texts) / max(seconds, 1e-9) }
    }

    /// Embeds `texts` through `model.embed(_:)` from `callers` concurrent tasks, each taking the
    /// next text when its last one is done (a closed loop): with batching the texts that arrive
    /// while the workers are busy are embedded together; without it every call computes on its
    /// own, as many at a time as Dispatch allows.
    package static func concurrent(model: MiniLMEmbedder, texts: [String], callers: Int) async throws -> Concurrent {
        let clock = ContinuousClock()
        let tokens = texts.reduce(0) { $0 + model.tokenizer.tokenIDs($1).count }
        let start = clock.now
        let callers = max(1, callers)
        let latency = try await withThrowingTaskGroup(of: LatencyHistogram.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var histogram = LatencyHistogram()
                    for index in stride(from: caller, to: texts.count, by: callers) {
                        let began = clock.now
                        _ = try await model.embed(texts[index])
                        histogram.record(clock.now - began)
                    }
                    return histogram
                }
            }
            var merged = LatencyHistogram()
            for try await histogram in group { merged.add(histogram) }
            return merged
        }
        return Concurrent(texts: texts.count, seconds: (clock.now - start).seconds, tokens: tokens, latency: latency.summary(), batcher: model.batcher?.statistics)
    }

    /// The texts of a TAB-separated file with a header: every `text`, `text_a`, `text_b`,
    /// `origin` and `similar` column (so both cache evaluation formats work).
    package static func sentences(path: String) throws(EvaluationError) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EvaluationError("\(path): cannot read the file; check the path")
        }
        let lines = text.split(separator: "\n").map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) else {
            throw EvaluationError("\(path): the file is empty")
        }
        let wanted = ["text", "text_a", "text_b", "origin", "similar"]
        let columns = header.indices.filter { wanted.contains(header[$0]) }
        guard !columns.isEmpty else {
            throw EvaluationError("\(path):1: the header needs a column named one of \(wanted.joined(separator: ", ")); got '\(header.joined(separator: "<TAB>"))'")
        }
        var sentences: [String] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            for column in columns where column < fields.count { sentences.append(String(fields[column])) }
        }
        return sentences
    }
}
