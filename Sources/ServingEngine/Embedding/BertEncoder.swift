import EmbeddingKernels
/// A BERT encoder (Hugging Face `BertModel` without the pooler) with mean pooling and L2
/// normalisation on top, as sentence-transformers runs all-MiniLM-L6-v2.
///
/// A batch is run packed: the tokens of all its sequences are rows of one matrix, so every
/// linear layer is one GEMM over all of them and no row is padding; attention runs per sequence
/// over that sequence's own rows only, which gives exactly what BERT computes for a padded batch
/// with its attention mask (masked positions get a weight of zero there).
struct BertEncoder: Sendable {
    struct Layer: Sendable {
        var queryKeyValue: LinearWeights
        var queryKeyValueBias: FloatBuffer
        var attentionOutput: LinearWeights
        var attentionOutputBias: FloatBuffer
        var attentionNorm: (gamma: FloatBuffer, beta: FloatBuffer)
        var intermediate: LinearWeights
        var intermediateBias: FloatBuffer
        var output: LinearWeights
        var outputBias: FloatBuffer
        var outputNorm: (gamma: FloatBuffer, beta: FloatBuffer)
    }

    let configuration: BertConfiguration
    private let wordEmbeddings: FloatBuffer
    /// Position embeddings with token type 0's embedding already added (every input is one segment).
    private let positionEmbeddings: FloatBuffer
    private let embeddingNorm: (gamma: FloatBuffer, beta: FloatBuffer)
    private let layers: [Layer]
    /// The multiple of rows at which a ``WorkTeam`` may split a step: ``MatrixKernels/rowBlock``
    /// when a layer runs on fp32, whose rows round as their block does; 1 on the integer and bf16
    /// paths, which compute each row alike wherever it falls.
    private let rowAlignment: Int
    /// What attention runs on (the kernels' choice).
    let attention: AttentionKernel

    /// The four linear layers of each encoder layer, which ``MiniLMKernels`` may put on different
    /// paths.
    enum Linear: Sendable, CaseIterable {
        /// The fused query, key and value projection (hidden → 3 · hidden).
        case queryKeyValue
        /// The attention output projection (hidden → hidden), before the first residual.
        case attentionOutput
        /// The feed-forward expansion (hidden → intermediate), GELU fused.
        case intermediate
        /// The feed-forward output projection (intermediate → hidden), before the second residual.
        case output
    }

    /// Loads the encoder's weights from `tensors`, checking each name, dtype and shape, and packs
    /// each linear layer for the path `kernels` gives it (which must be supported on this machine).
    init(configuration c: BertConfiguration, tensors: SafeTensors, kernels: MiniLMKernels) throws(MiniLMError) {
        configuration = c
        let h = c.hiddenSize
        // Checkpoints saved from BertModel name tensors `embeddings.…`; those saved from a task
        // model prefix them with `bert.`.
        let prefix = (try? tensors.floats("embeddings.LayerNorm.weight", shape: [h])) == nil && (try? tensors.floats("bert.embeddings.LayerNorm.weight", shape: [h])) != nil ? "bert." : ""
        func vector(_ name: String, _ count: Int) throws(MiniLMError) -> FloatBuffer {
            FloatBuffer(try tensors.floats(prefix + name, shape: [count]))
        }
        func norm(_ name: String) throws(MiniLMError) -> (gamma: FloatBuffer, beta: FloatBuffer) {
            (try vector(name + ".weight", h), try vector(name + ".bias", h))
        }
        func matrix(_ name: String, outputs: Int, inputs: Int) throws(MiniLMError) -> [Float] {
            try tensors.floats(prefix + name, shape: [outputs, inputs])
        }
        wordEmbeddings = FloatBuffer(try matrix("embeddings.word_embeddings.weight", outputs: c.vocabularySize, inputs: h))
        var positions = try matrix("embeddings.position_embeddings.weight", outputs: c.maxPositions, inputs: h)
        let tokenType = try matrix("embeddings.token_type_embeddings.weight", outputs: c.tokenTypes, inputs: h)
        for index in positions.indices { positions[index] += tokenType[index % h] }
        positionEmbeddings = FloatBuffer(positions)
        embeddingNorm = try norm("embeddings.LayerNorm")

        // Queries are scaled by 1/√d here, once, instead of every score at run time.
        let scale = 1 / Float(c.headSize).squareRoot()
        var layers: [Layer] = []
        for index in 0..<c.layers {
            let p = "encoder.layer.\(index)."
            let query = try matrix(p + "attention.self.query.weight", outputs: h, inputs: h).map { $0 * scale }
            let key = try matrix(p + "attention.self.key.weight", outputs: h, inputs: h)
            let value = try matrix(p + "attention.self.value.weight", outputs: h, inputs: h)
            let queryBias = try tensors.floats(prefix + p + "attention.self.query.bias", shape: [h]).map { $0 * scale }
            let keyBias = try tensors.floats(prefix + p + "attention.self.key.bias", shape: [h])
            let valueBias = try tensors.floats(prefix + p + "attention.self.value.bias", shape: [h])
            layers.append(Layer(
                queryKeyValue: LinearWeights(weight: query + key + value, outputs: 3 * h, inputs: h, path: kernels.path(for: .queryKeyValue, layer: index)),
                queryKeyValueBias: FloatBuffer(queryBias + keyBias + valueBias),
                attentionOutput: LinearWeights(weight: try matrix(p + "attention.output.dense.weight", outputs: h, inputs: h), outputs: h, inputs: h, path: kernels.path(for: .attentionOutput, layer: index)),
                attentionOutputBias: try vector(p + "attention.output.dense.bias", h),
                attentionNorm: try norm(p + "attention.output.LayerNorm"),
                intermediate: LinearWeights(weight: try matrix(p + "intermediate.dense.weight", outputs: c.intermediateSize, inputs: h), outputs: c.intermediateSize, inputs: h, path: kernels.path(for: .intermediate, layer: index)),
                intermediateBias: try vector(p + "intermediate.dense.bias", c.intermediateSize),
                output: LinearWeights(weight: try matrix(p + "output.dense.weight", outputs: h, inputs: c.intermediateSize), outputs: h, inputs: c.intermediateSize, path: kernels.path(for: .output, layer: index)),
                outputBias: try vector(p + "output.dense.bias", h),
                outputNorm: try norm(p + "output.LayerNorm")
            ))
        }
        self.layers = layers
        attention = kernels.attention
        rowAlignment = layers.contains { [$0.queryKeyValue, $0.attentionOutput, $0.intermediate, $0.output].contains { $0.path == .fp32 } } ? MatrixKernels.rowBlock : 1
    }

    /// The mean-pooled, L2-normalised embedding of each sequence of token ids.
    ///
    /// Every id must be below the vocabulary size and every sequence no longer than the position
    /// table (the tokenizer guarantees both). With a `team`, each step is split by rows between
    /// the team's threads (every step but attention is row by row, and attention splits by query
    /// rows), which computes exactly what one thread does.
    func embed(_ sequences: [[Int32]], scratch: EncoderScratch, team: WorkTeam? = nil) -> [[Float]] {
        let c = configuration
        let h = c.hiddenSize
        let tokens = sequences.reduce(0) { $0 + $1.count }
        scratch.reserve(rows: tokens)
        let x = scratch.hidden.pointer, sum = scratch.sum.pointer, qkv = scratch.qkv.pointer
        let context = scratch.context.pointer, intermediate = scratch.intermediate.pointer

        var row = 0
        for sequence in sequences {
            for (position, id) in sequence.enumerated() {
                let word = wordEmbeddings.pointer + Int(id) * h, place = positionEmbeddings.pointer + position * h
                for column in 0..<h { x[row * h + column] = word[column] + place[column] }
                row += 1
            }
        }
        MatrixKernels.layerNorm(x, rows: tokens, width: h, gamma: embeddingNorm.gamma.pointer, beta: embeddingNorm.beta.pointer, epsilon: c.layerNormEpsilon)

        /// Runs `body` over the rows of this step's part: all of them without a team.
        func step(_ body: (_ rows: Range<Int>, _ part: Int) -> Void) {
            guard let team else { return body(0..<tokens, 0) }
            team.run { part, parts in
                func boundary(_ part: Int) -> Int {
                    part == parts ? tokens : tokens * part / parts / rowAlignment * rowAlignment
                }
                let first = boundary(part), end = boundary(part + 1)
                if first < end { body(first..<end, part) }
            }
        }
        var starts: [Int] = [], offset = 0
        starts.reserveCapacity(sequences.count)
        for sequence in sequences {
            starts.append(offset)
            offset += sequence.count
        }

        for layer in layers {
            step { rows, part in
                layer.queryKeyValue.multiply(x + rows.lowerBound * h, rows: rows.count, bias: layer.queryKeyValueBias.pointer, epilogue: .none, into: qkv + rows.lowerBound * 3 * h, scratch: scratch.rounded[part].pointer)
            }
            step { rows, part in
                // The query rows of each sequence that fall in this part, against all its keys.
                for (index, sequence) in sequences.enumerated() {
                    let start = starts[index]
                    let first = max(rows.lowerBound, start), end = min(rows.upperBound, start + sequence.count)
                    guard first < end else { continue }
                    attention.attention(qkv: qkv + start * 3 * h, context: context + start * h, length: sequence.count, queries: (first - start)..<(end - start), hidden: h, heads: c.heads, scratch: scratch.attentionScratch[part].pointer)
                }
            }
            step { rows, part in
                let r = rows.lowerBound, n = rows.count, rounded = scratch.rounded[part].pointer
                layer.attentionOutput.multiply(context + r * h, rows: n, bias: layer.attentionOutputBias.pointer, epilogue: .residual(x + r * h), into: sum + r * h, scratch: rounded)
                MatrixKernels.layerNorm(sum + r * h, rows: n, width: h, gamma: layer.attentionNorm.gamma.pointer, beta: layer.attentionNorm.beta.pointer, epsilon: c.layerNormEpsilon)
                layer.intermediate.multiply(sum + r * h, rows: n, bias: layer.intermediateBias.pointer, epilogue: .gelu, into: intermediate + r * c.intermediateSize, scratch: rounded)
                layer.output.multiply(intermediate + r * c.intermediateSize, rows: n, bias: layer.outputBias.pointer, epilogue: .residual(sum + r * h), into: x + r * h, scratch: rounded)
                MatrixKernels.layerNorm(x + r * h, rows: n, width: h, gamma: layer.outputNorm.gamma.pointer, beta: layer.outputNorm.beta.pointer, epsilon: c.layerNormEpsilon)
            }
        }

        var embeddings: [[Float]] = []
        embeddings.reserveCapacity(sequences.count)
        var start = 0
        for sequence in sequences {
            var pooled = [Float](repeating: 0, count: h)
            for r in start..<(start + sequence.count) {
                for column in 0..<h { pooled[column] += x[r * h + column] }
            }
            start += sequence.count
            let norm = pooled.reduce(0) { $0 + $1 * $1 }.squareRoot()
            // The mean's 1/n cancels in the normalisation.
            embeddings.append(norm > 0 ? pooled.map { $0 / norm } : pooled)
        }
        return embeddings
    }
}
