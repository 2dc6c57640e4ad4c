import CEmbeddingKernels

/// One linear layer's weight, packed for the ``KernelPath`` that multiplies by it.
///
/// The bf16 path keeps only the bf16 copy: half the memory of fp32, and half the bytes a short
/// query streams from memory per layer.
package struct LinearWeights: Sendable {
    private enum Storage: Sendable {
        case fp32(PackedMatrix)
        case bf16(AlignedBuffer<UInt16>)
    }

    package let inputs: Int
    package let outputs: Int
    private let storage: Storage

    /// The path the layer's products run on.
    package var path: KernelPath {
        switch storage {
        case .fp32: .fp32
        case .bf16: .avx512BF16
        }
    }

    /// Packs a row-major `[outputs × inputs]` weight (PyTorch's `nn.Linear.weight`) for `path`,
    /// which must be supported on this machine; `outputs` must be a multiple of 16.
    package init(weight: [Float], outputs: Int, inputs: Int, path: KernelPath) {
        precondition(path.isSupported && outputs % 16 == 0 && weight.count == outputs * inputs)
        self.inputs = inputs
        self.outputs = outputs
        switch path {
        case .fp32:
            storage = .fp32(PackedMatrix(weight: weight, outputs: outputs, inputs: inputs))
        case .avx512BF16:
            let packed = AlignedBuffer<UInt16>(count: cek_bf16_packed_count(Int32(outputs), Int32(inputs)))
            cek_bf16_pack(weight, Int32(outputs), Int32(inputs), packed.pointer)
            storage = .bf16(packed)
        }
    }

    /// How many 16-bit values of scratch ``multiply(_:rows:bias:epilogue:into:scratch:)`` needs
    /// for `rows` rows of `inputs` activations (none on the fp32 path).
    package static func scratchCount(path: KernelPath, rows: Int, inputs: Int) -> Int {
        path == .fp32 ? 0 : cek_bf16_scratch_count(Int32(rows), Int32(inputs))
    }

    /// `c[rows × outputs] = a[rows × inputs] · weightᵀ + bias`, then the epilogue, for any
    /// number of rows; `scratch` holds at least ``scratchCount(path:rows:inputs:)`` values.
    package func multiply(_ a: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>, epilogue: MatrixKernels.Epilogue, into c: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<UInt16>) {
        switch storage {
        case .fp32(let matrix):
            MatrixKernels.multiply(a, rows: rows, matrix, bias: bias, epilogue: epilogue, into: c)
        case .bf16(let packed):
            let residual: UnsafePointer<Float>? = if case .residual(let matrix) = epilogue { matrix } else { nil }
            let gelu: Int32 = if case .gelu = epilogue { 1 } else { 0 }
            cek_bf16_multiply(a, Int32(rows), Int32(inputs), packed.pointer, Int32(outputs), bias, residual, gelu, c, scratch)
        }
    }
}
