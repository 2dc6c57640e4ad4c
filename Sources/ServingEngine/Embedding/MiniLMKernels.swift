import EmbeddingKernels

/// The matrix kernels the `minilm` encoder multiplies with; both match the reference embeddings
/// to a cosine of at least 0.999.
///
/// ``MiniLMEmbedder`` takes the fastest the CPU supports unless told otherwise, either by its
/// initialiser or by the environment variable `SWITCHBOARD_MINILM_KERNELS` (`fp32`,
/// `avx512-bf16` or `auto`), which is how to force the portable path when testing or
/// debugging:
///
/// ```sh
/// SWITCHBOARD_MINILM_KERNELS=fp32 switchboard bench embed
/// ```
package enum MiniLMKernels: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// bf16 weights and activations multiplied by AVX512_BF16's `vdpbf16ps` with fp32
    /// accumulation; LayerNorm, softmax, GELU and the residuals stay fp32. About 2.8 times the
    /// batched speed of ``fp32`` on one Zen 4 core, and a third of its short-query latency; on
    /// AMD Zen 4 or later and Intel Cooper Lake, Sapphire Rapids or later.
    case avx512BF16 = "avx512-bf16"
    /// fp32 throughout, in Swift SIMD (AVX2 and FMA on x86-64). Runs on every CPU.
    case fp32

    /// The environment variable that chooses the kernels when the caller does not.
    package static let environmentVariable = "SWITCHBOARD_MINILM_KERNELS"

    /// Whether this CPU and operating system can run these kernels.
    package var isSupported: Bool { path.isSupported }

    /// The fastest kernels this machine supports.
    package static var fastest: MiniLMKernels {
        allCases.first(where: \.isSupported) ?? .fp32
    }

    /// The kernels `SWITCHBOARD_MINILM_KERNELS` asks for in `environment`, or ``fastest`` when
    /// it is unset, empty or `auto`.
    /// - Throws: ``MiniLMError`` when the value names no kernels or kernels this CPU lacks.
    package static func chosen(environment: [String: String]) throws(MiniLMError) -> MiniLMKernels {
        let value = environment[environmentVariable] ?? ""
        guard !value.isEmpty, value != "auto" else { return fastest }
        guard let kernels = MiniLMKernels(rawValue: value) else {
            throw MiniLMError("\(environmentVariable) is '\(value)'; set it to auto, \(allCases.map(\.rawValue).joined(separator: ", ")), or unset it")
        }
        try kernels.requireSupport(source: environmentVariable)
        return kernels
    }

    /// Throws unless this machine supports the kernels; `source` names who asked for them.
    func requireSupport(source: String) throws(MiniLMError) {
        guard isSupported else {
            throw MiniLMError("\(source) asks for the \(rawValue) kernels, but this CPU (or its operating system) lacks AVX512F/BW/VL and AVX512_BF16; use fp32 or auto")
        }
    }

    /// What the kernels compute with, for reports such as `switchboard bench embed`.
    package var description: String {
        switch self {
        case .avx512BF16: "avx512-bf16 (bf16 weights and activations, fp32 accumulation, AVX512_BF16)"
        case .fp32: "fp32 (Swift SIMD, AVX2/FMA)"
        }
    }

    var path: KernelPath {
        switch self {
        case .avx512BF16: .avx512BF16
        case .fp32: .fp32
        }
    }
}
