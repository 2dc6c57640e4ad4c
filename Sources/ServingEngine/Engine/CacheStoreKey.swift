/// Where the cascade stores a provider's answer: a key the cache step made, or one still being
/// made by an embedding that ran past the cache's lookup budget.
enum CacheStoreKey: Sendable {
    /// The key is known: the answer is stored as the request ends.
    case ready(SemanticCache.Key)
    /// The embedding is still running: the answer is stored once it is done (not at all if it
    /// fails), after the request has ended.
    case pending(Task<SemanticCache.Key, any Error>)
}
