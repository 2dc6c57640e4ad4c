import EmbeddingKernels
/// The activations of one forward pass, kept between calls so the per-layer loop allocates nothing.
///
/// One caller uses a scratch at a time (``MiniLMEmbedder`` hands them out from a pool); buffers
/// grow to the largest batch seen.
final class EncoderScratch: @unchecked Sendable {
    private(set) var rows = 0
    private(set) var hidden: FloatBuffer
    private(set) var qkv: FloatBuffer
    private(set) var context: FloatBuffer
    private(set) var intermediate: FloatBuffer
    private(set) var sum: FloatBuffer
    /// Attention's scratch (``AttentionKernel/scratchCount(length:hidden:heads:)``), one buffer
    /// for each part of a ``WorkTeam`` step.
    private(set) var attentionScratch: [FloatBuffer]
    /// A linear layer's input rounded to bf16 or quantised to 8 bits (empty on the fp32 path),
    /// one buffer for each part of a ``WorkTeam`` step.
    private(set) var rounded: [AlignedBuffer<UInt16>]
    private let configuration: BertConfiguration
    private let kernels: MiniLMKernels

    init(configuration: BertConfiguration, kernels: MiniLMKernels) {
        self.configuration = configuration
        self.kernels = kernels
        hidden = FloatBuffer(count: 0)
        qkv = hidden
        context = hidden
        intermediate = hidden
        sum = hidden
        attentionScratch = (0..<WorkTeam.parts).map { _ in FloatBuffer(count: AttentionKernel.scratchCount(length: configuration.maxPositions, hidden: configuration.hiddenSize, heads: configuration.heads)) }
        rounded = (0..<WorkTeam.parts).map { _ in AlignedBuffer(count: 0) }
    }

    /// Makes room for `rows` token rows.
    func reserve(rows needed: Int) {
        guard needed > rows else { return }
        let width = configuration.hiddenSize
        hidden = FloatBuffer(count: needed * width)
        qkv = FloatBuffer(count: needed * 3 * width)
        context = FloatBuffer(count: needed * width)
        intermediate = FloatBuffer(count: needed * configuration.intermediateSize)
        sum = FloatBuffer(count: needed * width)
        let inputs = max(width, configuration.intermediateSize)
        let roundedCount = kernels.paths.map { LinearWeights.scratchCount(path: $0, rows: needed, inputs: inputs) }.max() ?? 0
        rounded = (0..<WorkTeam.parts).map { _ in AlignedBuffer(count: roundedCount) }
        rows = needed
    }
}
