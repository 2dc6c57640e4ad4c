/// Unit vectors in one contiguous buffer, as 32-bit floats or as symmetric 8-bit codes with one
/// scale per row (value ≈ code × scale, scale = max |value| / 127).
///
/// With int8 the float vectors are not kept: that is where the memory goes (384-d: 1,536 bytes
/// as floats, 388 as codes and scale). Similarities are dot products; for int8 the query is
/// quantised the same way and the dot product runs on 8-bit codes with 32-bit accumulation.
struct VectorRows {
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
                query.floats.withUnsafeBufferPointer { q in
                    Self.dot(matrix.baseAddress! + row * d, q.baseAddress!, d)
                }
            }
        case .int8:
            let raw = codes.withUnsafeBufferPointer { matrix in
                query.codes.withUnsafeBufferPointer { q in
                    Self.dot(matrix.baseAddress! + row * d, q.baseAddress!, d)
                }
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
            return floats.withUnsafeBufferPointer { Self.dot($0.baseAddress! + a * d, $0.baseAddress! + b * d, d) }
        case .int8:
            let raw = codes.withUnsafeBufferPointer { Self.dot($0.baseAddress! + a * d, $0.baseAddress! + b * d, d) }
            return Float(raw) * scales[a] * scales[b]
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

    static func quantize(_ vector: [Float]) -> (codes: [Int8], scale: Float) {
        var largest: Float = 0
        for value in vector { largest = Swift.max(largest, abs(value)) }
        guard largest > 0 else { return ([Int8](repeating: 0, count: vector.count), 0) }
        let scale = largest / 127
        let inverse = 1 / scale
        return (vector.map { Int8(Swift.max(-127, Swift.min(127, ($0 * inverse).rounded()))) }, scale)
    }

    /// Float dot product, four 8-wide accumulators so that the adds do not wait on each other.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            acc0 += rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += rawA.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self) * rawB.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        var sum = (acc0 + acc1).sum()
        while i < n {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// Int8 dot product with 32-bit accumulation. Written as a plain loop over pointers on
    /// purpose: LLVM vectorises it to 16-bit multiply-adds (pmaddwd), which measured faster
    /// (21–23 ns per 384-d product) than explicit SIMD16 widening (29 ns) or float (26–40 ns).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ n: Int) -> Int32 {
        var sum: Int32 = 0
        for i in 0..<n { sum &+= Int32(a[i]) &* Int32(b[i]) }
        return sum
    }
}
