import CEmbeddingKernels

/// One linear layer's weight, packed for the ``KernelPath`` that multiplies by it.
///
/// The bf16 path keeps only its own copy: half the memory of fp32, and half the bytes a short
/// query streams from memory per layer. The int8 paths stream a quarter of fp32's bytes, but also
/// keep a bf16 copy, transposed, of which a row reads only the columns of its outlier values.
package struct LinearWeights: Sendable {
    private enum Storage: Sendable {
        case fp32(PackedMatrix)
        case bf16(AlignedBuffer<UInt16>)
        /// The packed codes, each output channel's scale and the sum of its codes, and the
        /// weight transposed in bf16 for outlier activations.
        case int8(AlignedBuffer<Int8>, scales: FloatBuffer, sums: AlignedBuffer<Int32>, columns: AlignedBuffer<UInt16>)
        /// The same int8 codes in pairs for AVX2, each channel's scale, and the bf16 columns.
        case int8Pairs(AlignedBuffer<Int8>, scales: FloatBuffer, columns: AlignedBuffer<UInt16>)
        /// Wider codes in the same pairs, as 16 bits, each channel's scale, and the bf16 columns.
        case int16Pairs(AlignedBuffer<Int16>, scales: FloatBuffer, columns: AlignedBuffer<UInt16>)
        /// The same 16-bit codes in 16-column panels for AVX-512 VNNI, scales and bf16 columns.
        case int16Panels(AlignedBuffer<Int16>, scales: FloatBuffer, columns: AlignedBuffer<UInt16>)
        /// The int8 codes, scales, sums and columns of `.int8`, each channel padded to whole AMX tiles.
        case int8Tiles(AlignedBuffer<Int8>, scales: FloatBuffer, sums: AlignedBuffer<Int32>, columns: AlignedBuffer<UInt16>)
        /// The bf16 panels of `.bf16`, each channel padded to whole AMX tiles.
        case bf16Tiles(AlignedBuffer<UInt16>)
    }

    package let inputs: Int
    package let outputs: Int
    private let storage: Storage

    /// The path the layer's products run on.
    package var path: KernelPath {
        switch storage {
        case .fp32: .fp32
        case .bf16: .avx512BF16
        case .int8: .int8VNNI
        case .int8Pairs: .int8AVX2
        case .int16Pairs: .int16AVX2
        case .int16Panels: .int16VNNI
        case .int8Tiles: .int8AMX
        case .bf16Tiles: .bf16AMX
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
        case .int8VNNI:
            let packed = AlignedBuffer<Int8>(count: cek_int8_packed_count(Int32(outputs), Int32(inputs)))
            let scales = FloatBuffer(count: outputs), sums = AlignedBuffer<Int32>(count: outputs)
            let columns = AlignedBuffer<UInt16>(count: outputs * inputs)
            cek_int8_pack(weight, Int32(outputs), Int32(inputs), packed.pointer, scales.pointer, sums.pointer, columns.pointer)
            storage = .int8(packed, scales: scales, sums: sums, columns: columns)
        case .int8AVX2:
            let packed = AlignedBuffer<Int8>(count: cek_int8_avx2_packed_count(Int32(outputs), Int32(inputs)))
            let scales = FloatBuffer(count: outputs), columns = AlignedBuffer<UInt16>(count: outputs * inputs)
            cek_int8_avx2_pack(weight, Int32(outputs), Int32(inputs), packed.pointer, scales.pointer, columns.pointer)
            storage = .int8Pairs(packed, scales: scales, columns: columns)
        case .int16AVX2:
            let packed = AlignedBuffer<Int16>(count: cek_int16_avx2_packed_count(Int32(outputs), Int32(inputs)))
            let scales = FloatBuffer(count: outputs), columns = AlignedBuffer<UInt16>(count: outputs * inputs)
            cek_int16_avx2_pack(weight, Int32(outputs), Int32(inputs), packed.pointer, scales.pointer, columns.pointer)
            storage = .int16Pairs(packed, scales: scales, columns: columns)
        case .int16VNNI:
            let packed = AlignedBuffer<Int16>(count: cek_int16_vnni_packed_count(Int32(outputs), Int32(inputs)))
            let scales = FloatBuffer(count: outputs), columns = AlignedBuffer<UInt16>(count: outputs * inputs)
            cek_int16_vnni_pack(weight, Int32(outputs), Int32(inputs), packed.pointer, scales.pointer, columns.pointer)
            storage = .int16Panels(packed, scales: scales, columns: columns)
        case .int8AMX:
            let packed = AlignedBuffer<Int8>(count: cek_int8_amx_packed_count(Int32(outputs), Int32(inputs)))
            let scales = FloatBuffer(count: outputs), sums = AlignedBuffer<Int32>(count: outputs)
            let columns = AlignedBuffer<UInt16>(count: outputs * inputs)
            cek_int8_amx_pack(weight, Int32(outputs), Int32(inputs), packed.pointer, scales.pointer, sums.pointer, columns.pointer)
            storage = .int8Tiles(packed, scales: scales, sums: sums, columns: columns)
        case .bf16AMX:
            let packed = AlignedBuffer<UInt16>(count: cek_bf16_amx_packed_count(Int32(outputs), Int32(inputs)))
            cek_bf16_amx_pack(weight, Int32(outputs), Int32(inputs), packed.pointer)
            storage = .bf16Tiles(packed)
        }
    }

    /// The largest weight code ``KernelPath/int16AVX2`` and ``KernelPath/int16VNNI`` use for
    /// `inputs` inputs: 511 up to 2,052 inputs, fewer beyond, so that their int32 sums cannot
    /// overflow.
    package static func wideWeightLevels(inputs: Int) -> Int {
        Int(cek_int16_avx2_weight_levels(Int32(inputs)))
    }

    /// How many 16-bit values of scratch ``multiply(_:rows:bias:epilogue:into:scratch:)`` needs
    /// for `rows` rows of `inputs` activations (none on the fp32 path); the scratch must be
    /// 64-byte aligned, as ``AlignedBuffer`` is.
    package static func scratchCount(path: KernelPath, rows: Int, inputs: Int) -> Int {
        switch path {
        case .fp32: 0
        case .avx512BF16: cek_bf16_scratch_count(Int32(rows), Int32(inputs))
        case .int8VNNI: (cek_int8_scratch_bytes(Int32(rows), Int32(inputs)) + 1) / 2
        case .int8AVX2, .int16AVX2: (cek_int8_avx2_scratch_bytes(Int32(rows), Int32(inputs)) + 1) / 2
        case .int16VNNI: (cek_int16_vnni_scratch_bytes(Int32(rows), Int32(inputs)) + 1) / 2
        case .int8AMX: (cek_int8_amx_scratch_bytes(Int32(rows), Int32(inputs)) + 1) / 2
        case .bf16AMX: cek_bf16_amx_scratch_count(Int32(rows), Int32(inputs))
        }
    }

    /// `c[rows × outputs] = a[rows × inputs] · weightᵀ + bias`, then the epilogue, for any
    /// number of rows; `scratch` holds at least ``scratchCount(path:rows:inputs:)`` values.
    package func multiply(_ a: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>, epilogue: MatrixKernels.Epilogue, into c: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<UInt16>) {
        let residual: UnsafePointer<Float>? = if case .residual(let matrix) = epilogue { matrix } else { nil }
        let gelu: Int32 = if case .gelu = epilogue { 1 } else { 0 }
        switch storage {
        case .fp32(let matrix):
            MatrixKernels.multiply(a, rows: rows, matrix, bias: bias, epilogue: epilogue, into: c)
        case .bf16(let packed):
            cek_bf16_multiply(a, Int32(rows), Int32(inputs), packed.pointer, Int32(outputs), bias, residual, gelu, c, scratch)
        case .int8(let packed, let scales, let sums, let columns):
            cek_int8_multiply(a, Int32(rows), Int32(inputs), packed.pointer, scales.pointer, sums.pointer, columns.pointer, Int32(outputs), bias, residual, gelu, c, scratch)
        case .int8Pairs(let packed, let scales, let columns):
            cek_int8_avx2_multiply(a, Int32(rows), Int32(inputs), packed.pointer, scales.pointer, columns.pointer, Int32(outputs), bias, residual, gelu, c, scratch)
        case .int16Pairs(let packed, let scales, let columns):
            cek_int16_avx2_multiply(a, Int32(rows), Int32(inputs), packed.pointer, scales.pointer, columns.pointer, Int32(outputs), bias, residual, gelu, c, scratch)
        case .int16Panels(let packed, let scales, let columns):
            cek_int16_vnni_multiply(a, Int32(rows), Int32(inputs), packed.pointer, scales.pointer, columns.pointer, Int32(outputs), bias, residual, gelu, c, scratch)
        case .int8Tiles(let packed, let scales, let sums, let columns):
            cek_int8_amx_multiply(a, Int32(rows), Int32(inputs), packed.pointer, scales.pointer, sums.pointer, columns.pointer, Int32(outputs), bias, residual, gelu, c, scratch)
        case .bf16Tiles(let packed):
            cek_bf16_amx_multiply(a, Int32(rows), Int32(inputs), packed.pointer, Int32(outputs), bias, residual, gelu, c, scratch)
        }
    }
}
