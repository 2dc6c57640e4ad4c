import EmbeddingKernels
import Synchronization

/// Hands out ``EncoderScratch`` buffers, one per concurrent forward pass, and keeps them for reuse.
final class ScratchPool: Sendable {
    private let idle = Mutex<[EncoderScratch]>([])
    private let configuration: BertConfiguration
    private let path: KernelPath

    init(configuration: BertConfiguration, path: KernelPath) {
        self.configuration = configuration
        self.path = path
    }

    /// Runs `body` with a scratch no other caller holds meanwhile.
    func withScratch<Result>(_ body: (EncoderScratch) -> Result) -> Result {
        let scratch = idle.withLock { $0.popLast() } ?? EncoderScratch(configuration: configuration, path: path)
        defer { idle.withLock { $0.append(scratch) } }
        return body(scratch)
    }
}
