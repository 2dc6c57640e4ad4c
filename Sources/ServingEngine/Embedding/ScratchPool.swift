import EmbeddingKernels
import Synchronization

/// Hands out ``EncoderScratch`` buffers, one per concurrent forward pass, and keeps them for reuse.
final class ScratchPool: Sendable {
    private let idle = Mutex<[EncoderScratch]>([])
    private let configuration: BertConfiguration
    private let kernels: MiniLMKernels

    init(configuration: BertConfiguration, kernels: MiniLMKernels) {
        self.configuration = configuration
        self.kernels = kernels
    }

    /// Runs `body` with a scratch no other caller holds meanwhile.
    func withScratch<Result>(_ body: (EncoderScratch) -> Result) -> Result {
        let scratch = idle.withLock { $0.popLast() } ?? EncoderScratch(configuration: configuration, kernels: kernels)
        defer { idle.withLock { $0.append(scratch) } }
        return body(scratch)
    }
}
