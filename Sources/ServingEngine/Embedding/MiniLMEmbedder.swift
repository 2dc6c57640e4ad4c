import Foundation

/// all-MiniLM-L6-v2 (or another BERT sentence-transformers model with mean pooling) run natively:
/// WordPiece tokens, the BERT encoder, mean pooling over the real tokens, L2 normalisation.
///
/// It loads a standard sentence-transformers folder — `config.json`, `model.safetensors`,
/// `vocab.txt` (or `tokenizer.json`), and when present `tokenizer_config.json`,
/// `sentence_bert_config.json` (`max_seq_length`) and `1_Pooling/config.json` — and matches the
/// reference implementation to a cosine of at least 0.999. `scripts/fetch-minilm.sh` fetches the
/// model into ``EmbedderConfiguration/defaultMiniLMFolder``.
///
/// ```swift
/// let model = try MiniLMEmbedder(folder: "models/all-MiniLM-L6-v2")
/// let vectors = try await model.embed(batch: ["How do I learn Python?", "Learning Python"])
/// ```
///
/// The async calls compute on a Dispatch queue of their own, never on Swift's cooperative thread
/// pool: an embedding is milliseconds of solid CPU, and the pool has one thread per core, so
/// computing there would stall every other task of the process meanwhile. ``embed(_:)`` goes
/// through an ``EmbeddingBatcher``: concurrent queries are embedded together as one batch by a
/// worker per core, and when too many already wait it throws ``EmbedderOverloaded`` at once (the
/// cache then misses, counted as `unavailable`) instead of queueing without bound. Each batch
/// takes its own scratch buffers from a pool.
///
/// The matrix products run on the fastest ``MiniLMKernels`` the CPU supports (int8 with AVX-512
/// VNNI where available, then bf16 with AVX512_BF16, else fp32) unless the initialiser or the
/// environment variable ``MiniLMKernels/environmentVariable`` chooses.
package struct MiniLMEmbedder: Embedder {
    package let name = "minilm"
    package let dimensions: Int
    /// The kernels the encoder's matrix products run on.
    package let kernels: MiniLMKernels

    /// The kernel path, `int8-amx`, `int8-vnni`, `avx512-bf16`, `int8-avx2` or `fp32`.
    package var variant: String? { kernels.rawValue }
    /// The tokenizer, with the folder's vocabulary and maximum sequence length.
    package let tokenizer: WordPieceTokenizer
    private let encoder: BertEncoder
    private let scratchPool: ScratchPool
    /// Batches concurrent ``embed(_:)`` calls; nil when batching is off (each call computes on
    /// its own, as many at a time as callers).
    package let batcher: EmbeddingBatcher?

    /// The most tokens one packed forward pass takes; larger batches are split.
    private static let tokensPerPass = 2_048

    /// Loads the model in `folder`.
    /// - Parameters:
    ///   - folder: A sentence-transformers folder.
    ///   - kernels: The kernels to multiply with; `nil` takes the ones
    ///     ``MiniLMKernels/environmentVariable`` names, else the fastest this CPU supports.
    ///   - batching: How ``embed(_:)`` batches concurrent calls; `nil` turns batching off.
    /// - Throws: ``MiniLMError`` naming the missing or wrong file, tensor or setting, or kernels
    ///   this CPU lacks.
    package init(folder: String, kernels: MiniLMKernels? = nil, batching: EmbeddingBatcher.Settings? = EmbeddingBatcher.Settings()) throws(MiniLMError) {
        let chosen: MiniLMKernels
        if let kernels {
            try kernels.requireSupport(source: "the minilm embedder's configuration")
            chosen = kernels
        } else {
            chosen = try MiniLMKernels.chosen(environment: ProcessInfo.processInfo.environment)
        }
        let fileManager = FileManager.default
        func path(_ file: String) -> String { (folder as NSString).appendingPathComponent(file) }
        func require(_ file: String) throws(MiniLMError) -> String {
            guard fileManager.fileExists(atPath: path(file)) else { throw .missingFile(file, folder: folder) }
            return path(file)
        }
        guard fileManager.fileExists(atPath: folder) else {
            throw MiniLMError("\(folder): the model folder does not exist; \(MiniLMError.fetchHint)")
        }
        let configPath = try require("config.json"), weightsPath = try require("model.safetensors")
        guard fileManager.fileExists(atPath: path("vocab.txt")) || fileManager.fileExists(atPath: path("tokenizer.json")) else {
            throw .missingFile("vocab.txt (or tokenizer.json)", folder: folder)
        }
        let configuration = try BertConfiguration(path: configPath)
        let weights = try SafeTensors(path: weightsPath)

        if fileManager.fileExists(atPath: path("1_Pooling/config.json")) {
            let pooling = try BertConfiguration.jsonObject(path: path("1_Pooling/config.json"))
            let modes = ["pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens"].filter { pooling[$0] as? Bool == true }
            guard pooling["pooling_mode_mean_tokens"] as? Bool == true, modes.isEmpty else {
                throw .unsupported(path("1_Pooling/config.json"), key: "the pooling mode", found: modes.isEmpty ? "not mean" : modes.joined(separator: ", "), expected: "pooling_mode_mean_tokens")
            }
        }
        var lowercase = true
        if fileManager.fileExists(atPath: path("tokenizer_config.json")) {
            lowercase = try BertConfiguration.jsonObject(path: path("tokenizer_config.json"))["do_lower_case"] as? Bool ?? true
        }
        var maxLength = min(512, configuration.maxPositions)
        if fileManager.fileExists(atPath: path("sentence_bert_config.json")) {
            let settings = try BertConfiguration.jsonObject(path: path("sentence_bert_config.json"))
            if let length = settings["max_seq_length"] as? Int, length >= 2 { maxLength = min(length, configuration.maxPositions) }
        }
        let vocabulary = try Self.vocabulary(folder: folder, path: path)
        guard vocabulary.count == configuration.vocabularySize else {
            throw MiniLMError("\(folder): the vocabulary has \(vocabulary.count) tokens but config.json's vocab_size is \(configuration.vocabularySize); the files belong to different models")
        }
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, maxLength: maxLength, lowercase: lowercase, source: folder)
        let encoder = try BertEncoder(configuration: configuration, tensors: weights, kernels: chosen)
        let scratchPool = ScratchPool(configuration: configuration, kernels: chosen)
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.scratchPool = scratchPool
        dimensions = configuration.hiddenSize
        self.kernels = chosen
        batcher = batching.map { settings in
            EmbeddingBatcher(settings: settings, name: "minilm") { texts, team in
                Self.vectors(forTokens: texts.map(tokenizer.tokenIDs), encoder: encoder, scratchPool: scratchPool, team: team)
            }
        }
    }

    /// Loads the model in `folder` on the embedder's own queue (loading packs some 22 million
    /// weights: seconds that should not hold a thread of the cooperative pool).
    /// - Parameters:
    ///   - folder: A sentence-transformers folder.
    ///   - kernels: As for ``init(folder:kernels:batching:)``.
    ///   - batching: As for ``init(folder:kernels:batching:)``.
    package static func load(folder: String, kernels: MiniLMKernels? = nil, batching: EmbeddingBatcher.Settings? = EmbeddingBatcher.Settings()) async throws(MiniLMError) -> MiniLMEmbedder {
        let result: Result<MiniLMEmbedder, MiniLMError> = await offPool {
            do throws(MiniLMError) {
                return .success(try MiniLMEmbedder(folder: folder, kernels: kernels, batching: batching))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Embeds one text, batched with concurrent calls (see ``batcher``).
    /// - Throws: ``EmbedderOverloaded`` when the batcher's queue is full.
    package func embed(_ text: String) async throws -> [Float] {
        if let batcher { return try await batcher.embed(text) }
        return await Self.offPool { vectors(forTokens: [tokenizer.tokenIDs(text)])[0] }
    }

    /// Embeds many texts at once, in the order given: much faster per text than one at a time,
    /// since each linear layer runs as one matrix product over the tokens of many texts.
    package func embed(batch texts: [String]) async throws -> [[Float]] {
        await Self.offPool { vectors(forTokens: texts.map(tokenizer.tokenIDs)) }
    }

    private static let queue = DispatchQueue(label: "switchboard.minilm", qos: .userInitiated, attributes: .concurrent)

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }

    /// The embeddings of already tokenized sequences, computed synchronously on this thread and,
    /// once it joins `team`, the team's helper.
    package func vectors(forTokens sequences: [[Int32]], team: WorkTeam? = nil) -> [[Float]] {
        Self.vectors(forTokens: sequences, encoder: encoder, scratchPool: scratchPool, team: team)
    }

    private static func vectors(forTokens sequences: [[Int32]], encoder: BertEncoder, scratchPool: ScratchPool, team: WorkTeam? = nil) -> [[Float]] {
        scratchPool.withScratch { scratch in
            embed(sequences, encoder: encoder, scratch: scratch, team: team)
        }
    }

    private static func embed(_ sequences: [[Int32]], encoder: BertEncoder, scratch: EncoderScratch, team: WorkTeam?) -> [[Float]] {
        var results: [[Float]] = []
        results.reserveCapacity(sequences.count)
        var start = 0
        while start < sequences.count {
            var end = start, tokens = 0
            while end < sequences.count, end == start || tokens + sequences[end].count <= tokensPerPass {
                tokens += sequences[end].count
                end += 1
            }
            results.append(contentsOf: encoder.embed(Array(sequences[start..<end]), scratch: scratch, team: team))
            start = end
        }
        return results
    }

    private static func vocabulary(folder: String, path: (String) -> String) throws(MiniLMError) -> [String] {
        if let data = FileManager.default.contents(atPath: path("vocab.txt")) {
            // BERT's load_vocab strips only the line break: a token may contain other spaces.
            var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
            if lines.last == "" { lines.removeLast() }
            return lines
        }
        let tokenizer = try BertConfiguration.jsonObject(path: path("tokenizer.json"))
        guard let model = tokenizer["model"] as? [String: Any], model["type"] as? String == "WordPiece", let entries = model["vocab"] as? [String: Int] else {
            throw .unsupported(path("tokenizer.json"), key: "model", found: "not a WordPiece vocabulary", expected: "BERT WordPiece tokenizers")
        }
        var tokens = [String](repeating: "", count: entries.count)
        for (token, id) in entries {
            guard tokens.indices.contains(id) else { throw MiniLMError("\(path("tokenizer.json")): token '\(token)' has id \(id), outside 0..<\(entries.count)") }
            tokens[id] = token
        }
        return tokens
    }
}
