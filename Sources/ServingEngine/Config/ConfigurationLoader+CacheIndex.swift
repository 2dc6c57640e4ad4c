extension ConfigurationLoader {
    /// Reads `cache.index`: how similar prompts are found within a scope.
    static func cacheIndex(_ section: inout YAMLReader, default fallback: CacheIndexSettings) throws(ConfigError) -> CacheIndexSettings {
        var index = fallback
        let quantize = try section.string("quantize", default: fallback.quantization.rawValue)
        guard let quantization = CacheIndexSettings.Quantization(rawValue: quantize) else {
            let known = CacheIndexSettings.Quantization.allCases.map(\.rawValue).joined(separator: ", ")
            throw section.error("quantize", "unknown quantisation '\(quantize)'; expected one of: \(known)")
        }
        index.quantization = quantization
        index.annMinEntries = try section.int("ann_min_entries", default: fallback.annMinEntries, in: 1...100_000_000)
        index.efSearch = try section.int("ef_search", default: fallback.efSearch, in: 1...4096)
        index.efConstruction = try section.int("ef_construction", default: fallback.efConstruction, in: 8...4096)
        index.neighbors = try section.int("neighbors", default: fallback.neighbors, in: 4...128)
        try section.finish(known: ["quantize", "ann_min_entries", "ef_search", "ef_construction", "neighbors"])
        return index
    }
}
