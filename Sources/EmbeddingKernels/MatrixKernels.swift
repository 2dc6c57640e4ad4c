import Foundation

/// The `minilm` encoder's numeric kernels, written for the auto-vectoriser: `SIMD16<Float>` values that
/// LLVM keeps in registers (two AVX2 registers each on x86-64 with `-target-cpu haswell`, set in
/// Package.swift; one AVX-512 register where available).
///
/// They live in a target of their own because Package.swift compiles it optimised in every
/// configuration: unoptimised SIMD code is some hundred times slower, which would make a debug
/// build's tests against the real model take many minutes.
package enum MatrixKernels {
    /// Rows one micro-kernel call computes; a row's rounding depends on whether it falls in a whole block
    /// or in the one-row remainder, so work split by rows must split at a multiple of it.
    package static let rowBlock = 6

    /// What the GEMM applies to each output after adding the bias.
    package enum Epilogue {
        case none
        /// Adds the same-shaped `residual` matrix (the transformer's skip connection).
        case residual(UnsafePointer<Float>)
        /// The exact GELU, `x · Φ(x) = x/2 · (1 + erf(x/√2))`, as BERT's `hidden_act: gelu`.
        case gelu
    }

    /// `c[rows × n] = a[rows × k] · bᵀ + bias`, then the epilogue, for any number of rows. The
    /// loops keep a block of `a` rows in cache while every weight panel streams past it, and a
    /// 6×16 block of `c` in twelve AVX2 registers across all of `k`; the last `rows % 6` rows take
    /// a one-row kernel rather than padding, which a ten-token query would pay for in full.
    package static func multiply(_ a: UnsafePointer<Float>, rows: Int, _ b: PackedMatrix, bias: UnsafePointer<Float>, epilogue: Epilogue, into c: UnsafeMutablePointer<Float>) {
        let k = b.inputs, n = b.outputs
        let width = PackedMatrix.panelWidth
        let blockRows = 48
        let gelu = if case .gelu = epilogue { true } else { false }
        var rowStart = 0
        while rowStart < rows {
            let rowEnd = min(rows, rowStart + blockRows)
            for panel in 0..<(n / width) {
                let weights = UnsafePointer(b.storage.pointer + panel * k * width)
                var row = rowStart
                while row < rowEnd {
                    let offset = row * n + panel * width
                    let residual: UnsafePointer<Float>?
                    if case .residual(let matrix) = epilogue { residual = matrix + offset } else { residual = nil }
                    if rowEnd - row >= rowBlock {
                        kernel(a + row * k, stride: k, weights: weights, depth: k, bias: bias + panel * width, residual: residual, gelu: gelu, into: c + offset, outputStride: n)
                        row += rowBlock
                    } else {
                        rowKernel(a + row * k, weights: weights, depth: k, bias: bias + panel * width, residual: residual, gelu: gelu, into: c + offset)
                        row += 1
                    }
                }
            }
            rowStart = rowEnd
        }
    }

    @inline(__always)
    private static func kernel(
        _ a: UnsafePointer<Float>, stride: Int, weights: UnsafePointer<Float>, depth: Int,
        bias: UnsafePointer<Float>, residual: UnsafePointer<Float>?, gelu: Bool,
        into c: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
        var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
        let a0 = a, a1 = a + stride, a2 = a + 2 * stride, a3 = a + 3 * stride, a4 = a + 4 * stride, a5 = a + 5 * stride
        let panel = UnsafeRawPointer(weights)
        for p in 0..<depth {
            let w = panel.loadUnaligned(fromByteOffset: p &* 64, as: SIMD16<Float>.self)
            c0.addProduct(SIMD16(repeating: a0[p]), w)
            c1.addProduct(SIMD16(repeating: a1[p]), w)
            c2.addProduct(SIMD16(repeating: a2[p]), w)
            c3.addProduct(SIMD16(repeating: a3[p]), w)
            c4.addProduct(SIMD16(repeating: a4[p]), w)
            c5.addProduct(SIMD16(repeating: a5[p]), w)
        }
        let b = load(bias)
        finish(c0 + b, row: 0, residual: residual, gelu: gelu, into: c, outputStride: outputStride)
        finish(c1 + b, row: 1, residual: residual, gelu: gelu, into: c, outputStride: outputStride)
        finish(c2 + b, row: 2, residual: residual, gelu: gelu, into: c, outputStride: outputStride)
        finish(c3 + b, row: 3, residual: residual, gelu: gelu, into: c, outputStride: outputStride)
        finish(c4 + b, row: 4, residual: residual, gelu: gelu, into: c, outputStride: outputStride)
        finish(c5 + b, row: 5, residual: residual, gelu: gelu, into: c, outputStride: outputStride)
    }

    /// One row by one panel; two accumulators over alternate `k` so the FMAs do not wait on each other.
    @inline(__always)
    private static func rowKernel(
        _ a: UnsafePointer<Float>, weights: UnsafePointer<Float>, depth: Int,
        bias: UnsafePointer<Float>, residual: UnsafePointer<Float>?, gelu: Bool, into c: UnsafeMutablePointer<Float>
    ) {
        var even = SIMD16<Float>(), odd = SIMD16<Float>()
        let panel = UnsafeRawPointer(weights)
        var p = 0
        while p + 1 < depth {
            even.addProduct(SIMD16(repeating: a[p]), panel.loadUnaligned(fromByteOffset: p &* 64, as: SIMD16<Float>.self))
            odd.addProduct(SIMD16(repeating: a[p + 1]), panel.loadUnaligned(fromByteOffset: (p + 1) &* 64, as: SIMD16<Float>.self))
            p += 2
        }
        if p < depth { even.addProduct(SIMD16(repeating: a[p]), panel.loadUnaligned(fromByteOffset: p &* 64, as: SIMD16<Float>.self)) }
        finish(even + odd + load(bias), row: 0, residual: residual, gelu: gelu, into: c, outputStride: 0)
    }

    @inline(__always)
    private static func finish(_ value: SIMD16<Float>, row: Int, residual: UnsafePointer<Float>?, gelu: Bool, into c: UnsafeMutablePointer<Float>, outputStride: Int) {
        var value = value
        if let residual { value += load(residual + row * outputStride) }
        if gelu { value = Self.gelu(value) }
        store(value, c + row * outputStride)
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func load(_ pointer: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store(_ value: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD16<Float>.self)
    }

    /// The exact GELU, `x/2 · (1 + erf(x/√2))`, sixteen lanes at a time.
    @inline(__always)
    package static func gelu(_ x: SIMD16<Float>) -> SIMD16<Float> {
        0.5 * x * (1 + erf(x * 0.70710678118654752))
    }

    /// erf to within a few float ulps: a rational approximation, odd numerator over even
    /// denominator in x², on x clamped to [−4, 4] (beyond it erf rounds to ±1 in single
    /// precision). The coefficients are Eigen's and TensorFlow's vectorised `erf` for floats; a
    /// scalar library call per lane would cost about as much as the layer's matrix products.
    @inline(__always)
    package static func erf(_ value: SIMD16<Float>) -> SIMD16<Float> {
        let x = value.clamped(lowerBound: SIMD16(repeating: -4), upperBound: SIMD16(repeating: 4))
        let x2 = x * x
        var p = x2 * -2.72614225801306e-10 + 2.77068142495902e-08
        p = x2 * p + -2.10102402082508e-06
        p = x2 * p + -5.69250639462346e-05
        p = x2 * p + -7.34990630326855e-04
        p = x2 * p + -2.95459980854025e-03
        p = x2 * p + -1.60960333262415e-02
        var q = x2 * -1.45660718464996e-05 + -2.13374055278905e-04
        q = x2 * q + -1.68282697438203e-03
        q = x2 * q + -7.37332916720468e-03
        q = x2 * q + -1.42647390514189e-02
        return x * p / q
    }

    /// Normalises each of `rows` rows of `width` floats in place: `(x − mean) / √(var + ε) · γ + β`.
    package static func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float) {
        let chunks = width / 16
        for row in 0..<rows {
            let line = x + row * width
            var sum = SIMD16<Float>()
            for chunk in 0..<chunks { sum += load(line + chunk * 16) }
            let mean = sum.sum() / Float(width)
            var squares = SIMD16<Float>()
            for chunk in 0..<chunks {
                let centred = load(line + chunk * 16) - mean
                squares.addProduct(centred, centred)
            }
            let scale = 1 / (squares.sum() / Float(width) + epsilon).squareRoot()
            for chunk in 0..<chunks {
                let value = (load(line + chunk * 16) - mean) * scale * load(gamma + chunk * 16) + load(beta + chunk * 16)
                store(value, line + chunk * 16)
            }
        }
    }

    /// Scaled dot-product attention of one sequence of `length` rows, every head, for the query
    /// rows `queries` (each row's context depends on every key and value, but on no other query,
    /// so two threads can share a sequence's attention): reads queries (already scaled by 1/√d),
    /// keys and values from `qkv` (row stride `3 · hidden`) and writes each head's context into
    /// its columns of `context` (row stride `hidden`). Only the sequence's own rows take part,
    /// which is what BERT's attention mask achieves for a padded batch. `scores` holds `length`
    /// floats. The portable ``AttentionKernel``.
    package static func attention(qkv: UnsafePointer<Float>, context: UnsafeMutablePointer<Float>, length: Int, queries: Range<Int>, hidden: Int, heads: Int, scores: UnsafeMutablePointer<Float>) {
        let headSize = hidden / heads
        let chunks = headSize / 16
        let qkvStride = 3 * hidden
        for head in 0..<heads {
            let queryColumn = head * headSize, keyColumn = hidden + head * headSize, valueColumn = 2 * hidden + head * headSize
            for i in queries {
                let query = qkv + i * qkvStride + queryColumn
                var largest = -Float.infinity
                for j in 0..<length {
                    let key = qkv + j * qkvStride + keyColumn
                    var dot = SIMD16<Float>()
                    for chunk in 0..<chunks { dot.addProduct(load(query + chunk * 16), load(key + chunk * 16)) }
                    let score = dot.sum()
                    scores[j] = score
                    largest = max(largest, score)
                }
                var total: Float = 0
                for j in 0..<length {
                    let weight = exp(scores[j] - largest)
                    scores[j] = weight
                    total += weight
                }
                let inverse = 1 / total
                for chunk in 0..<chunks {
                    var sum = SIMD16<Float>()
                    for j in 0..<length {
                        sum.addProduct(SIMD16(repeating: scores[j]), load(qkv + j * qkvStride + valueColumn + chunk * 16))
                    }
                    store(sum * inverse, context + i * hidden + queryColumn + chunk * 16)
                }
            }
        }
    }
}
