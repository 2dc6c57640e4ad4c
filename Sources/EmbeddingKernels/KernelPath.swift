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
    /// int8 weights (per output channel, symmetric, quantised at load) and unsigned 8-bit
    /// activations (per row, with a zero point, quantised per call) multiplied by AVX-512 VNNI's
    /// `vpdpbusd` into int32 accumulators, dequantised into the fp32 epilogue: twice the
    /// multiply-adds per instruction and half the weight bytes of ``avx512BF16``. Needs
    /// ``isSupported``.
    case int8VNNI
    /// The 16-bit codes of ``int16AVX2`` (10-bit weights per output channel, 12-bit activations
    /// per row) multiplied by AVX-512 VNNI's `vpdpwssd` into int32 accumulators: as many
    /// multiply-adds per instruction as ``avx512BF16`` and the same weight bytes, for the layer
    /// ``int8VNNI`` cannot take (see `MiniLMKernels.path(for:layer:)`). Needs ``isSupported``.
    case int16VNNI
    /// The int8 weights of ``int8VNNI`` for CPUs with AVX2 and FMA but no AVX-512 (AMD Zen 1–3,
    /// Intel Haswell to Alder Lake): widened to 16 bits in registers and multiplied by `vpmaddwd`
    /// with 13-bit symmetric activation codes (per row, quantised per call) into int32
    /// accumulators; twice the multiply-adds per instruction and a quarter of the weight bytes
    /// of ``fp32``. Needs ``isSupported``.
    case int8AVX2
    /// ``int8AVX2`` with wider weights: 10-bit codes per output channel (fewer past 2,052 inputs,
    /// so the int32 sums cannot overflow), stored as 16 bits — half of ``fp32``'s bytes and no
    /// widening — times 12-bit activation codes, by `vpmaddwd`. For the layer whose weights' rounding
    /// int8 cannot afford (see `MiniLMKernels.path(for:layer:)`). Needs ``isSupported``.
    case int16AVX2
    /// The codes of ``int8VNNI`` — the same activation quantiser, weight codes and epilogue, so
    /// the same result to the bit — multiplied on AMX tiles by `tdpbusd` (16 × 16 outputs over 64
    /// inputs an instruction), with each weight channel padded to whole tiles of 64 inputs. On
    /// Intel Sapphire Rapids and later, when the operating system grants the tile registers
    /// (Linux does on request, which ``isSupported`` makes). Needs ``isSupported``.
    case int8AMX
    /// The bf16 weights and activations of ``avx512BF16`` multiplied on AMX tiles by `tdpbf16ps`
    /// into fp32 sums (differing from ``avx512BF16`` only in the order of the additions), for the
    /// layer ``int8AMX`` cannot take (see `MiniLMKernels.path(for:layer:)`). Needs ``isSupported``.
    case bf16AMX

    /// Whether this CPU and operating system can run the path (checked once, with `cpuid`).
    package var isSupported: Bool {
        switch self {
        case .fp32: true
        case .avx512BF16: Self.hasAVX512BF16
        case .int8VNNI, .int16VNNI: Self.hasAVX512VNNI
        case .int8AVX2, .int16AVX2: Self.hasAVX2FMA
        case .int8AMX, .bf16AMX: Self.hasAMX
        }
    }

    private static let hasAVX512BF16 = cek_has_avx512_bf16() != 0
    private static let hasAVX512VNNI = cek_has_avx512_vnni() != 0
    private static let hasAVX2FMA = cek_has_avx2_fma() != 0
    /// Also asks the operating system for the tile registers, once, before any tile product runs.
    private static let hasAMX = cek_amx_enable() != 0
}
