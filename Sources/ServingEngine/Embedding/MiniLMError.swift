/// Why a sentence-transformers model folder could not be loaded, worded so the operator can fix it.
///
/// Every message names the file (and the tensor or key) that was wrong, what was expected, and
/// what to do; `switchboard` reports it under the configuration key `cache.minilm_folder`.
package struct MiniLMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, where, and what to do.
    package let description: String

    init(_ description: String) {
        self.description = description
    }

    static let fetchHint = "run scripts/fetch-minilm.sh to fetch all-MiniLM-L6-v2 into models/all-MiniLM-L6-v2, or set cache.minilm_folder to a sentence-transformers folder"

    static func missingFile(_ file: String, folder: String) -> MiniLMError {
        MiniLMError("\(folder): \(file) is missing; \(fetchHint)")
    }

    static func unreadable(_ path: String, _ problem: String) -> MiniLMError {
        MiniLMError("\(path): \(problem)")
    }

    static func unsupported(_ path: String, key: String, found: String, expected: String) -> MiniLMError {
        MiniLMError("\(path): \(key) is \(found); this embedder supports only \(expected)")
    }

    static func tensor(_ path: String, name: String, problem: String) -> MiniLMError {
        MiniLMError("\(path): tensor '\(name)' \(problem); the file does not hold the model the configuration describes — fetch it again with scripts/fetch-minilm.sh")
    }
}
