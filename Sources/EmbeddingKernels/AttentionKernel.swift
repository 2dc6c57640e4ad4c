import CEmbeddingKernels

/// The instructions an encoder's scaled dot-product attention runs on.
///
/// Both compute softmax(q·kᵀ)·v for each head over the sequence's own rows, in fp32; they differ
/// in the order of their sums and in `exp` (within a few ulps), not in what they compute.
package enum AttentionKernel: Sendable, Hashable, CaseIterable {
    /// ``MatrixKernels/attention(qkv:context:length:queries:hidden:heads:scores:)`` in Swift SIMD:
    /// one query against one key at a time, each score a horizontal sum and a scalar `exp`.
    /// Runs everywhere.
    case portable
    /// `cek_attention` (C, AVX-512F): each head's keys transposed once, sixteen scores a vector,
    /// softmax with a vector `exp`, four queries sharing each load of a key and a value. Needs
    /// ``isSupported``.
    case avx512

    /// Whether this CPU and operating system can run the kernel.
    package var isSupported: Bool {
        switch self {
        case .portable: true
        case .avx512: Self.hasAVX512F
        }
    }

    private static let hasAVX512F = cek_has_avx512f() != 0

    /// How many floats of scratch ``attention(qkv:context:length:queries:hidden:heads:scratch:)``
    /// needs for sequences of up to `length` rows, on either kernel (the AVX-512 kernel's
    /// transposed keys and weights, which is more than the portable kernel's `length` scores).
    package static func scratchCount(length: Int, hidden: Int, heads: Int) -> Int {
        cek_attention_scratch_count(Int32(length), Int32(hidden / heads))
    }

    /// Attention of one sequence of `length` rows for the query rows `queries`, as
    /// ``MatrixKernels/attention(qkv:context:length:queries:hidden:heads:scores:)`` describes;
    /// `scratch` holds ``scratchCount(length:hidden:heads:)`` floats. Each query row's result
    /// is the same whichever range it is computed in.
    package func attention(qkv: UnsafePointer<Float>, context: UnsafeMutablePointer<Float>, length: Int, queries: Range<Int>, hidden: Int, heads: Int, scratch: UnsafeMutablePointer<Float>) {
        switch self {
        case .portable:
            MatrixKernels.attention(qkv: qkv, context: context, length: length, queries: queries, hidden: hidden, heads: heads, scores: scratch)
        case .avx512:
            cek_attention(qkv, context, Int32(length), Int32(queries.lowerBound), Int32(queries.upperBound), Int32(hidden), Int32(heads), scratch)
        }
    }
}
