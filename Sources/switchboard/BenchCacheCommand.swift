import ArgumentParser
import Benchmarks
import Foundation
import ServingEngine

/// `switchboard bench cache`: the semantic cache's vector index at large sizes.
struct BenchCacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Measure the cache's vector index: inserts/s, lookup p50/p99, recall@1, memory per entry.",
        discussion: """
            For each size, fills one scope with 384-d vectors from a seeded mixture of clusters \
            (one per 100 entries; an entry's cosine to its centre ≈ 0.74), then looks up queries: \
            half paraphrases of stored entries (cosine 0.95), half fresh points. Recall@1 is the \
            share of answers equal to the exact scan's. Memory per entry is shown two ways: computed \
            from the structures' sizes (vectors, graph links, per-node arrays, entry records, \
            exact-match dictionary), and as resident-set growth while filling, also after \
            malloc_trim returns freed memory (short prompt and answer texts, one scope). Inserts \
            per CPU-second exclude time other processes took the core. The exact flat scan is \
            measured on the same data up to --flat-up-to entries, as the baseline. Build with \
            -c release. Example:
              .build/release/switchboard bench cache --sizes 10000,100000,1000000 --quantize int8
            With --state, it measures the shared cache in PostgreSQL instead (as `bench \
            shared-state`): write-through cost per entry and the delay until another replica sees it.
              .build/release/switchboard bench cache --state postgres://switchboard@127.0.0.1/switchboard
            """
    )

    @Option(help: "Entry counts, comma-separated.")
    var sizes: String = "10000,100000,1000000"

    @Option(help: "Vector representation: int8 or none.")
    var quantize: String = "int8"

    @Option(help: "Queries per size.")
    var queries: Int = 1000

    @Option(help: "The flat baseline is measured up to this many entries.")
    var flatUpTo: Int = 100_000

    @Option(help: "Candidates kept while searching the graph; several, comma-separated, are measured on the same graph.")
    var efSearch: String = "\(CacheIndexSettings().efSearch)"

    @Option(help: "Candidates kept while inserting into the graph.")
    var efConstruction: Int = CacheIndexSettings().efConstruction

    @Option(help: "Links per node on the graph's upper layers (M); layer 0 keeps twice as many.")
    var neighbors: Int = CacheIndexSettings().neighbors

    @Option(help: "Entries above which a scope uses the graph.")
    var annMinEntries: Int = CacheIndexSettings().annMinEntries

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Measure the shared cache in this PostgreSQL database instead (see `bench shared-state`).")
    var state: String?

    func run() async throws {
        if let state {
            let shared = try BenchSharedStateCommand.parse(["--state", state])
            try shared.validate()
            try await shared.run()
            return
        }
        let counts = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--sizes must be positive entry counts separated by commas, e.g. 10000,100000; got '\(sizes)'")
        }
        guard let quantization = CacheIndexSettings.Quantization(rawValue: quantize) else {
            throw ValidationError("--quantize must be int8 or none; got '\(quantize)'")
        }
        let efValues = efSearch.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !efValues.isEmpty, efValues.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--ef-search must be positive candidate counts separated by commas, e.g. 64,128; got '\(efSearch)'")
        }
        let settings = CacheIndexSettings(quantization: quantization, annMinEntries: annMinEntries, efSearch: efValues[0], efConstruction: efConstruction, neighbors: neighbors)
        let benchmark = CacheBenchmark(sizes: counts, settings: settings, efSearchValues: efValues, queries: queries, flatBaselineUpTo: flatUpTo)
        let progress = TerminalProgress(quiet: json)
        let results = benchmark.run(progress: progress.note)
        progress.finish()
        if json {
            let objects: [[String: Any]] = results.map { result in
                [
                    "entries": result.entries, "index": result.index, "quantize": result.quantization.rawValue, "ef_search": result.efSearch,
                    "inserts_per_second": result.insertsPerSecond.rounded(), "fill_seconds": result.fillSeconds,
                    "lookup_p50_us": result.lookup.p50.seconds * 1e6, "lookup_p99_us": result.lookup.p99.seconds * 1e6,
                    "lookup_cpu_p50_us": result.lookupCPU.p50.seconds * 1e6, "lookup_cpu_p99_us": result.lookupCPU.p99.seconds * 1e6,
                    "recall_at_1": result.recallAtOne, "recall_at_1_paraphrases": result.recallParaphrases,
                    "fill_cpu_seconds": result.fillCPUSeconds,
                    "resident_bytes_per_entry": result.residentBytesPerEntry.rounded(), "accounted_bytes_per_entry": result.accountedBytesPerEntry.rounded(),
                    "resident_trimmed_bytes_per_entry": result.residentTrimmedBytesPerEntry.rounded(),
                    "computed_bytes_per_entry": [
                        "vectors": result.computed.vectors, "layer0_links": result.computed.layer0Links, "upper_links": result.computed.upperLinks,
                        "index_per_node": result.computed.indexPerNode, "index": result.computed.index, "entries": result.computed.entries, "texts": result.computed.texts,
                        "exact_index": result.computed.exactIndex, "total": result.computed.total,
                    ],
                    "vector_kernel": CacheBenchmark.vectorKernel,
                    "int8_similarity_error_mean": result.quantizationError.mean, "int8_similarity_error_max": result.quantizationError.max,
                ]
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("data: 384-d clustered (1 cluster per 100 entries), queries: \(queries / 2) paraphrases (cos 0.95) + \(queries - queries / 2) fresh points")
        print("index: HNSW M=\(settings.neighbors), efConstruction=\(settings.efConstruction), efSearch=\(efValues.map(String.init).joined(separator: ",")), above \(settings.annMinEntries) entries; vectors \(quantization.rawValue); dot-product kernel \(CacheBenchmark.vectorKernel)")
        print("entries    index  ef   inserts/s  fill      lookup p50  p99       CPU p50  p99       recall@1 (paraphrases)  RSS B/entry  accounted B/entry")
        for result in results {
            let flat = results.first { $0.entries == result.entries && $0.index == "flat" }
            let speedup = flat.map { result.index == "hnsw" && result.entries > settings.annMinEntries ? String(format: "  %.0f× less CPU p50 than flat", $0.lookupCPU.p50.seconds / max(result.lookupCPU.p50.seconds, 1e-9)) : "" } ?? ""
            print(
                String(format: "%-10d %-6@ ", result.entries, result.index as NSString)
                    + (result.index == "flat" ? "-" : "\(result.efSearch)").padding(toLength: 4, withPad: " ", startingAt: 0)
                    + String(format: " %9.0f  %6.1f s  ", result.insertsPerSecond, result.fillSeconds)
                    + DurationFormat.short(result.lookup.p50).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + " " + DurationFormat.short(result.lookup.p99).padding(toLength: 9, withPad: " ", startingAt: 0)
                    + " " + DurationFormat.short(result.lookupCPU.p50).padding(toLength: 8, withPad: " ", startingAt: 0)
                    + " " + DurationFormat.short(result.lookupCPU.p99).padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(format: " %.3f    (%.3f)         %7.0f      %7.0f", result.recallAtOne, result.recallParaphrases, result.residentBytesPerEntry, result.accountedBytesPerEntry)
                    + speedup
            )
        }
        print("memory per entry: computed from the structures' sizes | resident-set growth while filling (after malloc_trim)")
        for (offset, result) in results.enumerated() where offset == 0 || results[offset - 1].entries != result.entries || results[offset - 1].index != result.index {
            let c = result.computed
            print(
                String(format: "%-10d %-6@ vectors %.0f + layer-0 links %.0f + upper links %.1f + per node %.1f = index %.0f; entry records %.0f + texts %.1f + exact-match %.1f = %.0f | RSS %.0f (%.0f); fill CPU %.1f s = %.0f inserts/CPU-s",
                       result.entries, result.index as NSString, c.vectors, c.layer0Links, c.upperLinks, c.indexPerNode, c.index, c.entries, c.texts, c.exactIndex, c.total,
                       result.residentBytesPerEntry, result.residentTrimmedBytesPerEntry, result.fillCPUSeconds, Double(result.entries) / max(result.fillCPUSeconds, 1e-9))
            )
        }
        if let worst = results.filter({ $0.quantization == .int8 }).max(by: { $0.quantizationError.max < $1.quantizationError.max }) {
            let mean = results.map(\.quantizationError.mean).reduce(0, +) / Double(results.count)
            print(String(format: "int8 similarity vs float, paraphrase pairs: mean |error| %.4f, largest %.4f", mean, worst.quantizationError.max))
        }
    }
}
