import Foundation
package import ServingEngine

/// Measures the semantic cache on labelled prompt pairs, the way operators tune it.
///
/// Pairs protocol (`id text_a text_b label`): every `text_a` is stored, then every `text_b` is
/// looked up, each pair in a scope of its own (its own tenant), so that a query meets only its
/// own pair's `text_a` — the labels say nothing about other pairs, and the published baselines
/// score pairs this way. A hit on a label-1 pair is correct; a hit on a label-0 pair is a false
/// hit (the wrong answer would be served). Precision = correct ÷ hits, recall = correct ÷ label-1
/// pairs, false-hit rate = false hits ÷ label-0 pairs.
///
/// Positives protocol (`id origin similar`, GPTCache's benchmark): every `origin` is stored, every
/// `similar` is looked up; a hit is correct when the matched entry's origin text equals the
/// query's own origin (origins can repeat).
///
/// The nearest entry of each query does not depend on the threshold, so one pass of real cache
/// lookups serves every threshold of a sweep. Embedders that batch (``BatchEmbedder``) embed all
/// stored texts, then all queries, in batches; the query batch counts in the lookup rate.
package struct CacheEvaluation: Sendable {
    /// One query's nearest stored entry.
    struct Probe: Sendable {
        var id: String
        var query: String
        /// The stored prompt nearest to the query, if any.
        var matched: String?
        var similarity: Double
        var correctIfHit: Bool
        var shouldHit: Bool
    }

    /// Figures at one threshold.
    package struct Point: Sendable, Codable, Hashable {
        package var threshold: Double
        package var hits: Int
        package var correct: Int
        package var wrong: Int
        package var missed: Int
        package var precision: Double
        package var recall: Double
        package var f1: Double
        package var falseHitRate: Double

        enum CodingKeys: String, CodingKey {
            case threshold, hits, correct, wrong, missed, precision, recall, f1
            case falseHitRate = "false_hit_rate"
        }
    }

    let probes: [Probe]
    /// How many queries.
    package let queries: Int
    /// The embedder measured.
    package let embedder: String
    /// Queries looked up per second (inserts excluded).
    package let queriesPerSecond: Double

    /// Runs the pairs protocol on a TSV file; `progress` hears each stage (what, done, total).
    package static func pairs(path: String, embedder: any Embedder, progress: @escaping @Sendable (_ stage: String, _ done: Int, _ total: Int) -> Void = { _, _, _ in }) async throws -> CacheEvaluation {
        let rows = try TSVFile.read(path: path, header: ["id", "text_a", "text_b", "label"])
        var labelled: [(id: String, a: String, b: String, label: Bool)] = []
        for row in rows {
            guard row.fields[3] == "0" || row.fields[3] == "1" else {
                throw EvaluationError("\(path):\(row.line): label must be 0 or 1, got '\(row.fields[3])'")
            }
            labelled.append((row.fields[0], row.fields[1], row.fields[2], row.fields[3] == "1"))
        }
        let precomputed = PrecomputedEmbedder(embedder)
        try await precomputed.precompute(labelled.map(\.a)) { progress("embedding the stored prompts", $0, $1) }
        let cache = makeCache(embedder: precomputed, entries: labelled.count)
        for (index, pair) in labelled.enumerated() {
            try await cache.store(answer(pair.id), for: cache.key(for: ChatRequest(prompt: pair.a, tenant: "pair-\(index)")))
            progress("storing", index + 1, labelled.count)
        }
        let clock = ContinuousClock()
        let start = clock.now
        try await precomputed.precompute(labelled.map(\.b)) { progress("embedding the queries", $0, $1) }
        var probes: [Probe] = []
        for (index, pair) in labelled.enumerated() {
            progress("looking up", index + 1, labelled.count)
            let (similarity, _, matched) = try await nearest(pair.b, tenant: "pair-\(index)", in: cache)
            probes.append(Probe(id: pair.id, query: pair.b, matched: matched, similarity: similarity, correctIfHit: pair.label, shouldHit: pair.label))
        }
        let seconds = (clock.now - start).seconds
        return CacheEvaluation(probes: probes, queries: probes.count, embedder: embedder.name, queriesPerSecond: Double(probes.count) / max(seconds, 1e-9))
    }

    /// Runs GPTCache's positives protocol on a TSV file; `progress` as for ``pairs(path:embedder:progress:)``.
    package static func positives(path: String, embedder: any Embedder, progress: @escaping @Sendable (_ stage: String, _ done: Int, _ total: Int) -> Void = { _, _, _ in }) async throws -> CacheEvaluation {
        let rows = try TSVFile.read(path: path, header: ["id", "origin", "similar"])
        let precomputed = PrecomputedEmbedder(embedder)
        try await precomputed.precompute(rows.map { $0.fields[1] }) { progress("embedding the stored prompts", $0, $1) }
        let cache = makeCache(embedder: precomputed, entries: rows.count)
        for row in rows {
            // The answer names the origin text, so repeated origins count as the same answer.
            try await cache.store(answer(row.fields[1]), for: cache.key(for: ChatRequest(prompt: row.fields[1])))
        }
        let clock = ContinuousClock()
        let start = clock.now
        try await precomputed.precompute(rows.map { $0.fields[2] }) { progress("embedding the queries", $0, $1) }
        var probes: [Probe] = []
        for row in rows {
            let (similarity, answer, matched) = try await nearest(row.fields[2], tenant: ChatRequest.defaultTenant, in: cache)
            probes.append(Probe(id: row.fields[0], query: row.fields[2], matched: matched, similarity: similarity, correctIfHit: answer == row.fields[1], shouldHit: true))
        }
        let seconds = (clock.now - start).seconds
        return CacheEvaluation(probes: probes, queries: probes.count, embedder: embedder.name, queriesPerSecond: Double(probes.count) / max(seconds, 1e-9))
    }

    /// The figures at a fixed cosine `threshold`.
    package func at(_ threshold: Double) -> Point {
        at(.threshold(threshold))
    }

    /// The figures of `rule`, judging each query's nearest entry as the cache would.
    package func at(_ rule: CacheHitRule) -> Point {
        point(threshold: rule.cutOff) { probe in
            guard let matched = probe.matched else { return false }
            return rule.judge(similarity: probe.similarity, query: probe.query, candidate: matched).taken
        }
    }

    /// The labelled pairs with their cosines, for ``HitVerifierTrainer``.
    package var examples: [HitVerifierTrainer.Example] {
        probes.compactMap { probe in
            probe.matched.map { .init(stored: $0, query: probe.query, similarity: probe.similarity, same: probe.shouldHit) }
        }
    }

    /// Splits the pairs, by a stable hash of their ids, into a part to fit on and a share kept aside.
    package func split(heldOutShare: Double) -> (fitting: CacheEvaluation, heldOut: CacheEvaluation) {
        let cut = UInt64(heldOutShare * 10_000)
        let heldOut = probes.filter { HashingEmbedder.hash($0.id.utf8) % 10_000 < cut }
        let fitting = probes.filter { HashingEmbedder.hash($0.id.utf8) % 10_000 >= cut }
        return (
            CacheEvaluation(probes: fitting, queries: fitting.count, embedder: embedder, queriesPerSecond: queriesPerSecond),
            CacheEvaluation(probes: heldOut, queries: heldOut.count, embedder: embedder, queriesPerSecond: queriesPerSecond)
        )
    }

    private func point(threshold: Double, accepts: (Probe) -> Bool) -> Point {
        var correct = 0, wrong = 0, missed = 0, positives = 0, negatives = 0
        for probe in probes {
            if probe.shouldHit { positives += 1 } else { negatives += 1 }
            if accepts(probe) {
                if probe.correctIfHit { correct += 1 } else { wrong += 1 }
            } else if probe.shouldHit {
                missed += 1
            }
        }
        let hits = correct + wrong
        let precision = hits == 0 ? 1 : Double(correct) / Double(hits)
        let recall = positives == 0 ? 0 : Double(correct) / Double(positives)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        return Point(
            threshold: threshold, hits: hits, correct: correct, wrong: wrong, missed: missed,
            precision: precision, recall: recall, f1: f1,
            falseHitRate: negatives == 0 ? Double(wrong) / Double(max(probes.count, 1)) : Double(wrong) / Double(negatives)
        )
    }

    private static func makeCache(embedder: any Embedder, entries: Int) -> SemanticCache {
        // Threshold 0: every lookup reports its nearest entry; the evaluation applies the rules.
        SemanticCache(settings: .init(timeToLive: .seconds(86_400 * 365), maxEntries: entries + 1, maxBytes: Int.max / 2), rule: .threshold(0), embedder: embedder)
    }

    private static func answer(_ text: String) -> SemanticCache.Answer {
        .init(text: text, usage: TokenUsage(), provider: "eval", model: "eval")
    }

    /// The nearest entry's similarity, answer and prompt.
    private static func nearest(_ query: String, tenant: String, in cache: SemanticCache) async throws -> (Double, String?, String?) {
        switch try await cache.lookup(ChatRequest(prompt: query, tenant: tenant)) {
        case .exact(let answer): (1, answer.text, query)
        case .semantic(let answer, let similarity, let matched): (similarity, answer.text, matched)
        case .miss(_, let best): (best ?? -1, nil, nil)
        }
    }
}

/// Reads TAB-separated files with a required header, reporting problems with their line.
enum TSVFile {
    struct Row {
        var line: Int
        var fields: [String]
    }

    static func read(path: String, header: [String]) throws(EvaluationError) -> [Row] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw EvaluationError("\(path): cannot read the file; check the path")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first else { throw EvaluationError("\(path): the file is empty") }
        let found = first.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard found == header else {
            throw EvaluationError("\(path):1: the header must be '\(header.joined(separator: "<TAB>"))', got '\(found.joined(separator: "<TAB>"))'")
        }
        var rows: [Row] = []
        for (index, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count else {
                throw EvaluationError("\(path):\(index + 1): expected \(header.count) TAB-separated fields, got \(fields.count)")
            }
            rows.append(Row(line: index + 1, fields: fields))
        }
        guard !rows.isEmpty else { throw EvaluationError("\(path): no rows after the header") }
        return rows
    }
}
