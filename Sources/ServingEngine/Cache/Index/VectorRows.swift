import CVectorKernels

/// Unit vectors in one contiguous buffer, as 32-bit floats or as symmetric 8-bit codes with one
/// scale per row (value ≈ code × scale, scale = max |value| / 127).
///
/// With int8 the float vectors are not kept: that is where the memory goes (384-d: 1,536 bytes
/// as floats, 388 as codes and scale). Similarities are dot products; for int8 the query is
/// quantised the same way and the dot product runs on 8-bit codes with 32-bit accumulation.
/// The products run in the `CVectorKernels` C target, which picks AVX-512 VNNI, AVX2 or portable
/// loops for the CPU at run time, and which computes a batch of rows with prefetching.
package struct VectorRows {
    /// A query prepared once for many similarity evaluations against this storage.
    struct Query {
        var floats: [Float]
        var codes: [Int8]
        var scale: Float
    }

    let dimensions: Int
    let quantization: CacheIndexSettings.Quantization
    private var floats: [Float] = []
    private var codes: [Int8] = []
    private var scales: [Float] = []
    private(set) var count = 0

    init(dimensions: Int, quantization: CacheIndexSettings.Quantization) {
        self.dimensions = dimensions
        self.quantization = quantization
    }

    /// The dot-product kernel this CPU runs: "avx512-vnni", "avx2" or "portable".
    package static var kernelName: String {
        switch sbvk_chosen_kernel() {
        case SBVK_AVX512_VNNI: "avx512-vnni"
        case SBVK_AVX2: "avx2"
        default: "portable"
        }
    }

    /// Bytes one row takes in this representation.
    static func bytesPerRow(dimensions: Int, quantization: CacheIndexSettings.Quantization) -> Int {
        quantization == .int8 ? dimensions + MemoryLayout<Float>.size : dimensions * MemoryLayout<Float>.size
    }

    mutating func reserve(_ rows: Int) {
        switch quantization {
        case .none: floats.reserveCapacity(rows * dimensions)
        case .int8:
            codes.reserveCapacity(rows * dimensions)
            scales.reserveCapacity(rows)
        }
    }

    mutating func append(_ vector: [Float]) {
        precondition(vector.count == dimensions, "vector of \(vector.count) dimensions in a \(dimensions)-d index")
        switch quantization {
        case .none: floats.append(contentsOf: vector)
        case .int8:
            let (rowCodes, scale) = Self.quantize(vector)
            codes.append(contentsOf: rowCodes)
            scales.append(scale)
        }
        count += 1
    }

    /// Appends row `row` of `other` (same representation) without requantising it.
    mutating func append(row: Int, of other: VectorRows) {
        let base = row * dimensions
        switch quantization {
        case .none: floats.append(contentsOf: other.floats[base..<(base + dimensions)])
        case .int8:
            codes.append(contentsOf: other.codes[base..<(base + dimensions)])
            scales.append(other.scales[row])
        }
        count += 1
    }

    /// Replaces row `row` with `vector`.
    mutating func overwrite(_ row: Int, with vector: [Float]) {
        let base = row * dimensions
        switch quantization {
        case .none: floats.replaceSubrange(base..<(base + dimensions), with: vector)
        case .int8:
            let (rowCodes, scale) = Self.quantize(vector)
            codes.replaceSubrange(base..<(base + dimensions), with: rowCodes)
            scales[row] = scale
        }
    }

    /// Moves the last row into `row` and drops the last row (swap-remove).
    mutating func removeBySwappingLast(_ row: Int) {
        let last = count - 1
        if row != last {
            let d = dimensions
            switch quantization {
            case .none:
                floats.withUnsafeMutableBufferPointer { buffer in
                    for i in 0..<d { buffer[row * d + i] = buffer[last * d + i] }
                }
            case .int8:
                codes.withUnsafeMutableBufferPointer { buffer in
                    for i in 0..<d { buffer[row * d + i] = buffer[last * d + i] }
                }
                scales[row] = scales[last]
            }
        }
        switch quantization {
        case .none: floats.removeLast(dimensions)
        case .int8:
            codes.removeLast(dimensions)
            scales.removeLast()
        }
        count -= 1
    }

    /// Row `row` as floats (dequantised for int8).
    func vector(_ row: Int) -> [Float] {
        let base = row * dimensions
        switch quantization {
        case .none: return Array(floats[base..<(base + dimensions)])
        case .int8:
            let scale = scales[row]
            return codes[base..<(base + dimensions)].map { Float($0) * scale }
        }
    }

    func query(_ vector: [Float]) -> Query {
        switch quantization {
        case .none: return Query(floats: vector, codes: [], scale: 1)
        case .int8:
            let (queryCodes, scale) = Self.quantize(vector)
            return Query(floats: [], codes: queryCodes, scale: scale)
        }
    }

    /// Row `row` as a query, without a round trip through floats.
    func query(row: Int) -> Query {
        let base = row * dimensions
        switch quantization {
        case .none: return Query(floats: Array(floats[base..<(base + dimensions)]), codes: [], scale: 1)
        case .int8: return Query(floats: [], codes: Array(codes[base..<(base + dimensions)]), scale: scales[row])
        }
    }

    /// The dot product of `query` and row `row` (cosine, for unit vectors).
    @inline(__always)
    func similarity(_ query: Query, _ row: Int) -> Float {
        let d = dimensions
        switch quantization {
        case .none:
            return floats.withUnsafeBufferPointer { matrix in
                query.floats.withUnsafeBufferPointer { q in sbvk_dot_f32(matrix.baseAddress! + row * d, q.baseAddress!, d) }
            }
        case .int8:
            let raw = codes.withUnsafeBufferPointer { matrix in
                query.codes.withUnsafeBufferPointer { q in sbvk_dot_i8(matrix.baseAddress! + row * d, q.baseAddress!, d) }
            }
            return Float(raw) * query.scale * scales[row]
        }
    }

    /// The dot product of rows `a` and `b`.
    @inline(__always)
    func similarity(row a: Int, row b: Int) -> Float {
        let d = dimensions
        switch quantization {
        case .none:
            return floats.withUnsafeBufferPointer { sbvk_dot_f32($0.baseAddress! + a * d, $0.baseAddress! + b * d, d) }
        case .int8:
            let raw = codes.withUnsafeBufferPointer { sbvk_dot_i8($0.baseAddress! + a * d, $0.baseAddress! + b * d, d) }
            return Float(raw) * scales[a] * scales[b]
        }
    }

    /// `out[i]` = the similarity of `query` and row `rows[i]`, for every `i` in `rows`: one call
    /// into the kernels for a whole neighbour list, which prefetches each row before it is needed.
    @inline(__always)
    func similarities(_ query: Query, rows ids: UnsafeBufferPointer<Int32>, into out: UnsafeMutablePointer<Float>) {
        guard let first = ids.baseAddress, !ids.isEmpty else { return }
        switch quantization {
        case .none:
            floats.withUnsafeBufferPointer { matrix in
                query.floats.withUnsafeBufferPointer { q in
                    sbvk_similarities_f32(q.baseAddress!, matrix.baseAddress!, dimensions, first, ids.count, out)
                }
            }
        case .int8:
            codes.withUnsafeBufferPointer { matrix in
                scales.withUnsafeBufferPointer { rowScales in
                    query.codes.withUnsafeBufferPointer { q in
                        sbvk_similarities_i8(q.baseAddress!, query.scale, matrix.baseAddress!, rowScales.baseAddress!, dimensions, first, ids.count, out)
                    }
                }
            }
        }
    }

    /// `out[i]` = the similarity of row `row` and row `rows[i]`, for every `i` in `rows`.
    @inline(__always)
    func similarities(row: Int, rows ids: UnsafeBufferPointer<Int32>, into out: UnsafeMutablePointer<Float>) {
        guard let first = ids.baseAddress, !ids.isEmpty else { return }
        let base = row * dimensions
        switch quantization {
        case .none:
            floats.withUnsafeBufferPointer { matrix in
                sbvk_similarities_f32(matrix.baseAddress! + base, matrix.baseAddress!, dimensions, first, ids.count, out)
            }
        case .int8:
            codes.withUnsafeBufferPointer { matrix in
                scales.withUnsafeBufferPointer { rowScales in
                    sbvk_similarities_i8(matrix.baseAddress! + base, rowScales[row], matrix.baseAddress!, rowScales.baseAddress!, dimensions, first, ids.count, out)
                }
            }
        }
    }

    /// The row most similar to `query` among rows where `include` holds, by an exact scan.
    func bestRow(_ query: Query, include: (Int) -> Bool = { _ in true }) -> (row: Int, similarity: Float)? {
        var best: (row: Int, similarity: Float)?
        for row in 0..<count where include(row) {
            let similarity = similarity(query, row)
            if similarity > best?.similarity ?? -.infinity { best = (row, similarity) }
        }
        return best
    }

    package static func quantize(_ vector: [Float]) -> (codes: [Int8], scale: Float) {
        var largest: Float = 0
        for value in vector { largest = Swift.max(largest, abs(value)) }
        guard largest > 0 else { return ([Int8](repeating: 0, count: vector.count), 0) }
        let scale = largest / 127
        let inverse = 1 / scale
        return (vector.map { Int8(Swift.max(-127, Swift.min(127, ($0 * inverse).rounded()))) }, scale)
    }

    /// Float dot product.
    @inline(__always)
    package static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        sbvk_dot_f32(a, b, n)
    }

    /// Int8 dot product with 32-bit accumulation.
    @inline(__always)
    package static func dot(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ n: Int) -> Int32 {
        sbvk_dot_i8(a, b, n)
    }

    /// Bytes the stored rows take (codes and scales, or floats), not counting spare capacity.
    var bytes: Int {
        count * Self.bytesPerRow(dimensions: dimensions, quantization: quantization)
    }
}
