import CEmbeddingKernels

/// The instructions a linear layer's matrix product runs on.
package enum KernelPath: Sendable, Hashable, CaseIterable {
    /// fp32 weights and activations through ``MatrixKernels`` (Swift SIMD; AVX2 and FMA on
    /// x86-64). Runs everywhere.
    case fp32
    /// bf16 weights and activations multiplied by AVX512_BF16's `vdpbf16ps` into fp32
    /// accumulators, through the C target `CEmbeddingKernels`: twice the multiply-adds per
    /// instruction and half the weight bytes of ``fp32``. Needs ``isSupported``.
    case avx512BF16

    /// Whether this CPU and operating system can run the path (checked once, with `cpuid`).
    package var isSupported: Bool {
        switch self {
        case .fp32: true
        case .avx512BF16: Self.hasAVX512BF16
        }
    }

    private static let hasAVX512BF16 = cek_has_avx512_bf16() != 0
}
