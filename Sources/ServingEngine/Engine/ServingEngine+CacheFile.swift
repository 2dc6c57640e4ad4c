import Foundation

/// What happened when a cache file was loaded.
package enum CacheLoadOutcome: Sendable, Hashable, CustomStringConvertible {
    /// There was no file yet; the cache starts empty.
    case missing
    /// The file was read; this many live entries were loaded.
    case loaded(entries: Int)
    /// The file could not be used; it was renamed out of the way and the cache starts empty.
    case setAside(reason: String, movedTo: String)
    /// The cache is switched off in the configuration.
    case cacheDisabled

    package var description: String {
        switch self {
        case .missing: "no cache file yet; starting empty"
        case .loaded(let entries): "loaded \(entries) cached answers"
        case .setAside(let reason, let movedTo): "the cache file could not be used (\(reason)); it was moved to \(movedTo) and the cache starts empty"
        case .cacheDisabled: "the cache is disabled; the cache file is not used"
        }
    }
}

extension ServingEngine {
    /// Loads answers saved by ``saveCache(to:)``. A damaged or foreign file is never fatal: it is
    /// renamed to `PATH.damaged-TIMESTAMP`, reported, and the cache starts empty.
    @discardableResult
    package func loadCache(from path: String) -> CacheLoadOutcome {
        guard let cache else { return .cacheDisabled }
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        let outcome: CacheLoadOutcome
        do throws(CacheFileError) {
            let contents = try CacheFile.read(path: path)
            guard contents.embedder == cache.embedder.name, contents.dimensions == cache.embedder.dimensions else {
                throw CacheFileError("\(path): written with the \(contents.embedder) embedder (\(contents.dimensions) dimensions), this engine uses \(cache.embedder.name) (\(cache.embedder.dimensions))")
            }
            outcome = .loaded(entries: cache.importEntries(contents.entries))
        } catch {
            let aside = "\(path).damaged-\(Int(Date().timeIntervalSince1970))"
            let moved = rename(path, aside) == 0
            outcome = .setAside(reason: error.message, movedTo: moved ? aside : "(could not be moved: \(String(cString: strerror(errno))))")
        }
        metrics.recordEvent(EngineEvent(kind: .info, message: "cache file \(path): \(outcome)"))
        return outcome
    }

    /// Writes every live cached answer to `path`, atomically. Returns how many were written.
    @discardableResult
    package func saveCache(to path: String) throws(CacheFileError) -> Int {
        guard let cache else { return 0 }
        let entries = cache.exportEntries()
        try CacheFile.write(.init(embedder: cache.embedder.name, dimensions: cache.embedder.dimensions, entries: entries), to: path)
        return entries.count
    }

    /// Saves the cache to `path` every `interval` while entries change, and once more when the
    /// task is cancelled, so a graceful shutdown loses nothing and a crash loses at most one interval.
    /// The writing runs on a dispatch queue: a million entries take a while, and the task's own
    /// thread may be an event loop serving connections.
    package func persistCache(to path: String, every interval: Duration = .seconds(5)) async {
        var savedInsertions = cache?.statistics.insertions ?? 0
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let insertions = cache?.statistics.insertions ?? 0
            guard insertions != savedInsertions else { continue }
            if await saveCacheOffThread(to: path) { savedInsertions = insertions }
        }
        await saveCacheOffThread(to: path)
    }

    /// ``saveCache(to:)`` on a dispatch queue; a failure is an engine event. True when it saved.
    @discardableResult
    private func saveCacheOffThread(to path: String) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                do throws(CacheFileError) {
                    try self.saveCache(to: path)
                    continuation.resume(returning: true)
                } catch {
                    self.metrics.recordEvent(EngineEvent(kind: .info, message: "saving the cache failed: \(error.message)"))
                    continuation.resume(returning: false)
                }
            }
        }
    }
}
