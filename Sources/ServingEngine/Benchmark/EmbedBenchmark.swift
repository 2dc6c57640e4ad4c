import Foundation

/// Measures the `minilm` embedder: sentences per second one at a time and batched, tokens per
/// second, and the latency of one short query — all on the calling thread, so on one core.
public struct EmbedBenchmark: Sendable {
    /// The figures of one run.
    public struct Result: Sendable {
        /// Sentences embedded in the batched measurement.
        public var sentences: Int
        /// Their tokens, `[CLS]` and `[SEP]` included.
        public var tokens: Int
        /// Batched throughput, tokenisation included.
        public var batchedSentencesPerSecond: Double
        /// Batched tokens per second.
        public var batchedTokensPerSecond: Double
        /// Sentences embedded one call each.
        public var singleSentences: Int
        /// Throughput one call at a time, tokenisation included.
        public var singleSentencesPerSecond: Double
        /// Tokens per second one call at a time.
        public var singleTokensPerSecond: Double
        /// The short query timed.
        public var shortQuery: String
        /// Its token count.
        public var shortQueryTokens: Int
        /// Median latency of one embedding of the short query.
        public var shortQueryP50: Duration
        /// 99th-percentile latency of one embedding of the short query.
        public var shortQueryP99: Duration
    }

    /// The short query whose latency is reported.
    public static let shortQuery = "How do I learn Python?"

    let model: MiniLMEmbedder
    let sentences: [String]
    let singleLimit: Int
    let repetitions: Int

    /// A benchmark of `model` over `sentences`, embedding the first `singleLimit` of them one
    /// call each, and timing the short query `repetitions` times.
    public init(model: MiniLMEmbedder, sentences: [String], singleLimit: Int = 2_000, repetitions: Int = 500) {
        self.model = model
        self.sentences = sentences
        self.singleLimit = singleLimit
        self.repetitions = repetitions
    }

    /// Runs every measurement.
    public func run() async throws -> Result {
        let clock = ContinuousClock()
        var start = clock.now
        let tokenized = sentences.map(model.tokenizer.tokenIDs)
        _ = model.vectors(forTokens: tokenized)
        let batchedSeconds = (clock.now - start).seconds
        let tokens = tokenized.reduce(0) { $0 + $1.count }

        let single = Array(sentences.prefix(singleLimit))
        let singleTokens = tokenized.prefix(singleLimit).reduce(0) { $0 + $1.count }
        start = clock.now
        for sentence in single { _ = try await model.embed(sentence) }
        let singleSeconds = (clock.now - start).seconds

        for _ in 0..<20 { _ = try await model.embed(Self.shortQuery) }
        var latencies: [Duration] = []
        latencies.reserveCapacity(repetitions)
        for _ in 0..<repetitions {
            let began = clock.now
            _ = try await model.embed(Self.shortQuery)
            latencies.append(clock.now - began)
        }
        return Result(
            sentences: sentences.count, tokens: tokens,
            batchedSentencesPerSecond: Double(sentences.count) / batchedSeconds, batchedTokensPerSecond: Double(tokens) / batchedSeconds,
            singleSentences: single.count, singleSentencesPerSecond: Double(single.count) / singleSeconds, singleTokensPerSecond: Double(singleTokens) / singleSeconds,
            shortQuery: Self.shortQuery, shortQueryTokens: model.tokenizer.tokenIDs(Self.shortQuery).count,
            shortQueryP50: Self.percentile(latencies, 0.50), shortQueryP99: Self.percentile(latencies, 0.99)
        )
    }

    static func percentile(_ values: [Duration], _ fraction: Double) -> Duration {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }

    /// The texts of a TAB-separated file with a header: every `text`, `text_a`, `text_b`,
    /// `origin` and `similar` column (so both cache evaluation formats work).
    public static func sentences(path: String) throws(EvaluationError) -> [String] {
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
