import CVectorKernels
import Foundation
import Measuring
import TestSupport
package import ServingEngine

/// Measures the semantic cache's store at large sizes: insert rate, lookup latency, recall@1 of
/// the approximate index against the exact scan, and resident memory per entry; with the exact
/// (flat) scan over the same data as the baseline.
///
/// Data: a seeded mixture of clusters on the 384-d sphere (one cluster per 100 entries, cosine
/// ≈ 0.74 between an entry and its cluster's centre, ≈ 0.55 between two entries of a cluster,
/// ≈ 0 across clusters; see ``ClusteredVectors``). Half of the
/// queries are paraphrases of stored entries (cosine 0.95 to one of them), half fresh points from
/// the same mixture. Every entry holds a short prompt and answer (7 bytes
/// each at a million entries, in the store's text arena), one scope, and its vector.
package struct CacheBenchmark: Sendable {
    /// The figures for one size and one index kind.
    package struct Result: Sendable {
        /// Entries stored.
        package var entries: Int
        /// "hnsw" (the configured index, approximate above its threshold) or "flat" (exact scan).
        package var index: String
        /// The vector representation.
        package var quantization: CacheIndexSettings.Quantization
        /// Candidates the graph search kept (`ef_search`).
        package var efSearch: Int
        /// Entries stored per second while filling, index construction included.
        package var insertsPerSecond: Double
        /// Seconds the fill took.
        package var fillSeconds: Double
        /// Latency of one lookup (nearest entry in the scope), wall clock.
        package var lookup: LatencySummary
        /// CPU time of one lookup on its thread: unlike the wall clock, not inflated when other
        /// processes take the cores.
        package var lookupCPU: LatencySummary
        /// Share of queries whose answer is the exact scan's (1 for the flat index).
        package var recallAtOne: Double
        /// The same for the paraphrase queries only.
        package var recallParaphrases: Double
        /// CPU seconds the filling thread spent (the wall clock also counts time other processes
        /// took the core).
        package var fillCPUSeconds: Double
        /// Growth of resident memory while filling, per entry: what the process really holds,
        /// including memory the allocator keeps after arrays grew and freed their old buffers.
        package var residentBytesPerEntry: Double
        /// The same after asking the allocator to return freed memory to the system (glibc's
        /// `malloc_trim`; equal to ``residentBytesPerEntry`` with other C libraries).
        package var residentTrimmedBytesPerEntry: Double
        /// The cache's own byte accounting, per entry (what `max_memory_mb` limits).
        package var accountedBytesPerEntry: Double
        /// The bytes the store's structures hold, per entry, computed from their sizes.
        package var computed: MemoryBreakdown
        /// Mean and largest |int8 similarity − float similarity| over the paraphrase queries and
        /// the entries they paraphrase (zero without quantisation).
        package var quantizationError: (mean: Double, max: Double)
    }

    /// Bytes per entry, computed from the structures' sizes (not their spare capacity).
    package struct MemoryBreakdown: Sendable {
        /// Vectors: int8 codes and a scale, or floats.
        package var vectors: Double
        /// Layer-0 neighbour lists of the graph (zero for the flat index).
        package var layer0Links: Double
        /// Upper-layer neighbour lists.
        package var upperLinks: Double
        /// The index's per-node arrays: level, upper-list offset, visit stamp, cache slot.
        package var indexPerNode: Double
        /// The entry records: text offsets and lengths, scope and source numbers, token counts,
        /// expiry, exact hash, LRU links.
        package var entries: Double
        /// The texts themselves (prompt and answer bytes in the arena) and the shared provider
        /// and model names.
        package var texts: Double
        /// The exact-match dictionary (prompt hash → entry).
        package var exactIndex: Double

        /// The vector index alone.
        package var index: Double { vectors + layer0Links + upperLinks + indexPerNode }
        /// Everything.
        package var total: Double { index + entries + texts + exactIndex }
    }

    /// The dot-product kernel this CPU runs: "avx512-vnni", "avx2" or "portable".
    package static var vectorKernel: String { VectorRows.kernelName }

    /// The sizes measured, in order.
    package var sizes: [Int]
    /// The index settings of the measured store.
    package var settings: CacheIndexSettings
    /// Queries per size (half paraphrases, half fresh points).
    package var queries: Int
    /// The flat baseline is measured at sizes up to this.
    package var flatBaselineUpTo: Int
    /// The vector dimension.
    package var dimensions: Int
    /// The `ef_search` values measured on each graph (building a million-entry graph takes
    /// minutes; changing how widely it is searched does not need a new one).
    package var efSearchValues: [Int]

    /// Creates a benchmark; `efSearchValues` defaults to the settings' own.
    package init(sizes: [Int], settings: CacheIndexSettings, efSearchValues: [Int] = [], queries: Int = 1000, flatBaselineUpTo: Int = 100_000, dimensions: Int = 384) {
        self.sizes = sizes
        self.settings = settings
        self.efSearchValues = efSearchValues.isEmpty ? [settings.efSearch] : efSearchValues
        self.queries = queries
        self.flatBaselineUpTo = flatBaselineUpTo
        self.dimensions = dimensions
    }

    /// Runs every size; `progress` gets a line now and then (fills of large sizes take minutes).
    package func run(progress: (String) -> Void) -> [Result] {
        var results: [Result] = []
        for size in sizes {
            results += measure(size: size, settings: settings, efSearchValues: efSearchValues, exact: true, progress: progress)
            if size <= flatBaselineUpTo {
                var flat = settings
                flat.annMinEntries = Int.max
                results += measure(size: size, settings: flat, efSearchValues: [settings.efSearch], exact: false, progress: progress).map { result in
                    var result = result
                    result.index = "flat"
                    return result
                }
            }
        }
        return results
    }

    private func measure(size: Int, settings: CacheIndexSettings, efSearchValues: [Int], exact: Bool, progress: (String) -> Void) -> [Result] {
        let scope = CacheScope(tenant: "bench", model: "m", systemPromptHash: 0, sampling: .init(), contextHash: 0)
        var generator = ClusteredVectors(dimensions: dimensions, clusters: max(1, size / 100), spread: 0.9, seed: 42)
        let clock = ContinuousClock()
        let now = clock.now
        let sampleEvery = max(1, size / max(1, queries / 2))
        var samples: [[Float]] = []
        let residentBefore = ProcessMemory.residentBytes()
        var store = CacheStore(dimensions: dimensions, indexSettings: settings)
        let start = clock.now
        let startCPU = ThreadCPU.now()
        for index in 0..<size {
            let vector = generator.next()
            if index % sampleEvery == 0 { samples.append(vector) }
            let text = "p\(index)"
            let key = SemanticCache.Key(scope: scope, normalized: text, prompt: text, exactHash: UInt64(index), vector: vector)
            store.insert(SemanticCache.Answer(text: "a\(index)", usage: .init(), provider: "p", model: "m"), key: key, expiresAt: now + .seconds(86_400), maxEntries: size, maxBytes: Int.max)
            if size >= 100_000, (index + 1) % (size / 10) == 0 {
                let elapsed = (clock.now - start).seconds
                let left = elapsed * Double(size - index - 1) / Double(index + 1)
                progress("\(settings.annMinEntries == Int.max ? "flat" : "index") \(size): \(index + 1) stored (\((index + 1) * 100 / size)%), \(String(format: "%.0f", elapsed)) s, about \(String(format: "%.0f", left)) s left to fill")
            }
        }
        let fill = clock.now - start
        let fillCPU = ThreadCPU.now() - startCPU
        let residentAfter = ProcessMemory.residentBytes()
        Self.returnFreedMemory()
        let residentTrimmed = ProcessMemory.residentBytes()
        let memory = store.memory
        let perEntry = { (bytes: Int) in Double(bytes) / Double(size) }
        let computed = MemoryBreakdown(
            vectors: perEntry(memory.index.vectors), layer0Links: perEntry(memory.index.layer0Links),
            upperLinks: perEntry(memory.index.upperLinks), indexPerNode: perEntry(memory.index.perNode),
            entries: perEntry(memory.entries), texts: perEntry(memory.texts), exactIndex: perEntry(memory.exactIndex)
        )
        var queryVectors = samples.prefix(queries / 2).map { generator.perturb($0, cosine: 0.95) }
        let paraphrases = queryVectors.count
        while queryVectors.count < queries { queryVectors.append(generator.next()) }

        var errorSum = 0.0, errorMax = 0.0
        if settings.quantization == .int8 {
            for (query, stored) in zip(queryVectors, samples) {
                let exact = zip(query, stored).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                let (a, scaleA) = VectorRows.quantize(query), (b, scaleB) = VectorRows.quantize(stored)
                let quantized = a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in VectorRows.dot(x.baseAddress!, y.baseAddress!, dimensions) } }
                let error = Double(abs(Float(quantized) * scaleA * scaleB - exact))
                errorSum += error
                errorMax = max(errorMax, error)
            }
        }

        let checked = exact && store.isApproximate(scope)
        if checked { progress("index \(size): finding the exact answers of \(queryVectors.count) queries") }
        let exactAnswers = checked ? queryVectors.map { store.exactNearest(to: $0, scope: scope)?.prompt } : []
        return efSearchValues.map { ef in
            store.setEfSearch(ef)
            var histogram = LatencyHistogram()
            var cpuHistogram = LatencyHistogram()
            var answers: [String?] = []
            for pass in 0..<2 {
                for query in queryVectors {
                    let cpu0 = ThreadCPU.now()
                    let t0 = clock.now
                    let match = store.nearest(to: query, scope: scope, now: now)
                    histogram.record(clock.now - t0)
                    cpuHistogram.record(ThreadCPU.now() - cpu0)
                    if pass == 0 { answers.append(match?.prompt) }
                }
            }
            var agree = queryVectors.count, agreeParaphrases = paraphrases
            if checked {
                agree = zip(answers, exactAnswers).filter { $0 == $1 }.count
                agreeParaphrases = zip(answers.prefix(paraphrases), exactAnswers).filter { $0 == $1 }.count
            }
            return Result(
                entries: size, index: "hnsw", quantization: settings.quantization, efSearch: ef,
                insertsPerSecond: Double(size) / fill.seconds, fillSeconds: fill.seconds,
                lookup: histogram.summary(),
                lookupCPU: cpuHistogram.summary(),
                recallAtOne: Double(agree) / Double(max(1, queryVectors.count)),
                recallParaphrases: Double(agreeParaphrases) / Double(max(1, paraphrases)),
                fillCPUSeconds: fillCPU.seconds,
                residentBytesPerEntry: Double(residentAfter - residentBefore) / Double(size),
                residentTrimmedBytesPerEntry: Double(residentTrimmed - residentBefore) / Double(size),
                accountedBytesPerEntry: Double(store.statistics.bytes) / Double(size),
                computed: computed,
                quantizationError: (errorSum / Double(max(1, paraphrases)), errorMax)
            )
        }
    }

    /// Hands memory the allocator holds but nothing uses back to the system, so that the
    /// resident size counts live data only.
    static func returnFreedMemory() {
        sbvk_return_freed_memory()
    }

}
