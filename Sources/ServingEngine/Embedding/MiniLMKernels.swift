import EmbeddingKernels

/// The matrix kernels the `minilm` encoder multiplies with; all match the reference embeddings
/// to a cosine of at least 0.999 (minimum over the fixture's 37 sentences: int8-amx 0.99955, int8-vnni 0.99956,
/// avx512-bf16 0.99998, int8-avx2 0.99974, fp32 0.9999998).
///
/// ``MiniLMEmbedder`` takes the fastest the CPU supports unless told otherwise, either by its
/// initialiser or by the environment variable `SWITCHBOARD_MINILM_KERNELS` (`int8-vnni`,
/// `avx512-bf16`, `int8-avx2`, `fp32` or `auto`), which is how to force the portable path when testing or
/// debugging:
///
/// ```sh
/// SWITCHBOARD_MINILM_KERNELS=fp32 switchboard bench embed
/// ```
package enum MiniLMKernels: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// ``int8VNNI``'s int8 layers on AMX tiles (`tdpbusd`), computing the same int32 sums and so
    /// the same outputs to the bit, and the feed-forward output projection on bf16 tiles
    /// (`tdpbf16ps`), see ``path(for:layer:)``. On Intel Sapphire Rapids or later, when the
    /// operating system grants the process the tile registers (Linux 5.16 or later does).
    case int8AMX = "int8-amx"
    /// int8 weights (per output channel, symmetric, quantised once at load) times unsigned 8-bit
    /// activations (per row, with a zero point, quantised per product; values above 4× the row's
    /// RMS multiplied in fp32 instead) by AVX-512 VNNI's `vpdpbusd`, int32 accumulation,
    /// dequantised into the fp32 epilogue, for the query/key/value, attention output and
    /// feed-forward expansion layers; the feed-forward output projection runs on 10-bit weights
    /// and 12-bit activations by `vpdpwssd`, see ``path(for:layer:)``. LayerNorm, softmax, attention
    /// and the residuals stay fp32. On AMD Zen 4 or later and Intel Cascade Lake, Ice Lake or
    /// later.
    case int8VNNI = "int8-vnni"
    /// bf16 weights and activations multiplied by AVX512_BF16's `vdpbf16ps` with fp32
    /// accumulation; LayerNorm, softmax, GELU and the residuals stay fp32. About 2.8 times the
    /// batched speed of ``fp32`` on one Zen 4 core, and a third of its short-query latency; on
    /// AMD Zen 4 or later and Intel Cooper Lake, Sapphire Rapids or later.
    case avx512BF16 = "avx512-bf16"
    /// The int8 weights of ``int8VNNI`` for CPUs with AVX2 and FMA but no AVX-512 (AMD Zen 1–3,
    /// Intel Haswell to Alder Lake): widened to 16 bits in registers and multiplied by AVX2's
    /// `vpmaddwd` with 13-bit symmetric activation codes per row (outliers in fp32, as on
    /// ``int8VNNI``), int32 accumulation, for the same layers as ``int8VNNI``; the feed-forward
    /// output projection runs on 10-bit weights and 12-bit activations the same way (see
    /// ``path(for:layer:)``).
    case int8AVX2 = "int8-avx2"
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
            throw MiniLMError("\(source) asks for the \(rawValue) kernels, but this CPU (or its operating system) lacks \(requirement); use fp32 or auto")
        }
    }

    /// The instruction sets the kernels need.
    private var requirement: String {
        switch self {
        case .int8AMX: "AMX-TILE, AMX-INT8 and AMX-BF16 with AVX-512 VNNI and BF16 (and, on Linux, the kernel's permission for the tile registers)"
        case .int8VNNI: "AVX512F/BW/VL and AVX512_VNNI"
        case .avx512BF16: "AVX512F/BW/VL and AVX512_BF16"
        case .int8AVX2: "AVX2 and FMA"
        case .fp32: "nothing"
        }
    }

    /// What the kernels compute with, for reports such as `switchboard bench embed`.
    package var description: String {
        switch self {
        case .int8AMX: "int8-amx (int8-vnni's codes on AMX tiles, int32 accumulation; the FFN output projection bf16 on AMX tiles)"
        case .int8VNNI: "int8-vnni (int8 weights per channel, u8 activations per row, int32 accumulation, AVX-512 VNNI)"
        case .avx512BF16: "avx512-bf16 (bf16 weights and activations, fp32 accumulation, AVX512_BF16)"
        case .int8AVX2: "int8-avx2 (int8 weights per channel, 13-bit activations per row, int32 accumulation, AVX2; the FFN output projection 10-bit × 12-bit)"
        case .fp32: "fp32 (Swift SIMD, AVX2/FMA)"
        }
    }

    /// The path that decides whether this machine can run the kernels.
    var path: KernelPath {
        switch self {
        case .int8AMX: .int8AMX
        case .int8VNNI: .int8VNNI
        case .avx512BF16: .avx512BF16
        case .int8AVX2: .int8AVX2
        case .fp32: .fp32
        }
    }

    /// Every path some linear layer runs on (the encoder's scratch must fit each).
    var paths: Set<KernelPath> {
        switch self {
        case .int8AMX: [path, .bf16AMX]
        case .int8VNNI: [path, .int16VNNI]
        case .int8AVX2: [path, .int16AVX2]
        case .avx512BF16, .fp32: [path]
        }
    }

    /// The kernel attention runs on: ``AttentionKernel/avx512`` on every AVX-512 path (each
    /// requires AVX512F, BW and VL, all it needs), which took 14 % off a long prompt's encoder
    /// pass on a 2-core AMD EPYC VM (attention went from 21 % of its time to 6.5 %);
    /// ``AttentionKernel/portable`` on the others.
    var attention: AttentionKernel {
        switch self {
        case .int8AMX, .int8VNNI, .avx512BF16: .avx512
        case .int8AVX2, .fp32: .portable
        }
    }

    /// The path of linear layer `linear` in encoder layer `layer`.
    ///
    /// Both integer kernel sets keep the feed-forward output projection (1,536 → 384, a third of
    /// the multiply-adds) off int8: measured on the reference fixture, int8 there (with outlier
    /// handling) costs more than all the other layers together. Its input, the GELU of the
    /// expansion, has some 15 values a row above 4× the row's RMS (the other layers' inputs about
    /// one), and its weights' rounding error, multiplied by them, dominates: every layer on int8
    /// gave a minimum cosine of 0.99860 (0.99348 without outlier handling), and int8 for that
    /// projection in layers 3–5 only 0.99944.
    ///
    /// It runs on 10-bit weights and 12-bit activations instead — ``KernelPath/int16AVX2`` on
    /// ``int8AVX2``, ``KernelPath/int16VNNI`` (the same codes by `vpdpwssd`) on ``int8VNNI`` —
    /// since an emulation of the kernels (`scripts/experiments/quantise-minilm-output-projection.py`)
    /// put all of int8's loss there in the weights: on the fixture, with every other layer on
    /// int8, the projection on fp32 gave a minimum cosine of 0.99973, fp32 weights with 13-bit
    /// activations the same, int8 weights 0.99887, 9-bit 0.99957, 10-bit with 12-bit activations
    /// 0.99972. It halves the projection's bytes against fp32. On ``int8VNNI`` it replaced bf16
    /// (minimum cosine 0.99958 then, 0.99956 now), which took 47 % of the encoder's time on a
    /// Sapphire Rapids core against 36 % now, and which CPUs with VNNI but no AVX512_BF16
    /// (Cascade Lake, Ice Lake) ran on fp32.
    ///
    /// On ``int8AMX`` it runs on bf16 tiles (``KernelPath/bf16AMX``): AMX has no 16-bit integer
    /// product, bf16 kept the fixture's minimum cosine where the 10-bit codes do (0.99958 with
    /// the int8 layers, 0.99955 now), and in a C harness here `tdpbf16ps` ran this layer
    /// (1,536 → 384, 33 and 320 rows) 3.4–4.0× as fast as `vdpbf16ps`.
    func path(for linear: BertEncoder.Linear, layer: Int) -> KernelPath {
        switch self {
        case .int8AMX: linear == .output ? .bf16AMX : path
        case .int8VNNI: linear == .output ? .int16VNNI : path
        case .int8AVX2: linear == .output ? .int16AVX2 : path
        case .avx512BF16, .fp32: path
        }
    }
}
