import EmbeddingKernels
/// The activations of one forward pass, kept between calls so the per-layer loop allocates nothing.
///
/// One caller uses a scratch at a time (``MiniLMEmbedder`` hands them out from a pool); buffers
/// grow to the largest batch seen and are zero-filled when made, so the padding rows a GEMM
/// computes beyond the real tokens always hold finite values.
final class EncoderScratch: @unchecked Sendable {
    private(set) var rows = 0
    private(set) var hidden: FloatBuffer
    private(set) var qkv: FloatBuffer
    private(set) var context: FloatBuffer
    private(set) var intermediate: FloatBuffer
    private(set) var sum: FloatBuffer
    private(set) var scores: FloatBuffer
    private let configuration: BertConfiguration

    init(configuration: BertConfiguration) {
        self.configuration = configuration
        hidden = FloatBuffer(count: 0)
        qkv = hidden
        context = hidden
        intermediate = hidden
        sum = hidden
        scores = FloatBuffer(count: configuration.maxPositions)
    }

    /// Makes room for `rows` token rows (a multiple of ``MatrixKernels/rowBlock``).
    func reserve(rows needed: Int) {
        guard needed > rows else { return }
        let width = configuration.hiddenSize
        hidden = FloatBuffer(count: needed * width)
        qkv = FloatBuffer(count: needed * 3 * width)
        context = FloatBuffer(count: needed * width)
        intermediate = FloatBuffer(count: needed * configuration.intermediateSize)
        sum = FloatBuffer(count: needed * width)
        rows = needed
    }
}
