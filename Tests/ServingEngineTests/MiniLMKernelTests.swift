import EmbeddingKernels
import Foundation
import TestSupport
import Testing
import ServingEngine

@Suite("MiniLM matrix kernels")
struct MiniLMKernelTests {
    @Test func vectorisedErfMatchesTheLibrary() {
        var worst: Float = 0
        for step in -800...800 {
            let x = Float(step) / 100
            let lanes = MatrixKernels.erf(SIMD16(repeating: x))
            worst = max(worst, abs(lanes[0] - Foundation.erf(x)), abs(lanes[15] - Foundation.erf(x)))
        }
        #expect(worst < 1e-6)
    }

    /// A GEMM with each epilogue against a plain triple loop, on every kernel path this CPU runs,
    /// with row counts that are and are not multiples of the micro-kernels' blocks, an odd depth,
    /// and an odd number of 16-column panels.
    /// (The triple loops run unoptimised in debug builds: on a thread of their own, so that they
    /// never hold the cooperative pool that suites with timeouts share.)
    @Test(arguments: KernelPath.allCases.filter(\.isSupported))
    func multiplyMatchesTheDefinition(path: KernelPath) async {
        let failures = await onBackgroundThread { Self.definitionFailures(path: path) }
        #expect(failures.isEmpty, "\(failures.joined(separator: "; "))")
    }

    static func definitionFailures(path: KernelPath) -> [String] {
        var failures: [String] = []
        let inputs = 41, outputs = 48
        func value(_ index: Int, _ salt: Int) -> Float { Float((index * 7919 + salt * 104_729) % 201 - 100) / 100 }
        for rows in [1, 5, 12, 13, 30] {
            let a = (0..<(rows * inputs)).map { value($0, 1) }
            let weight = (0..<(outputs * inputs)).map { value($0, 2) }
            let bias = (0..<outputs).map { value($0, 3) }
            let residual = (0..<(rows * outputs)).map { value($0, 4) }
            // The bf16 path rounds both operands to bf16, whose products are exact in fp32: against
            // the definition on rounded operands, only the order of fp32 additions differs. The
            // int8 path's operands are its quantised values, whose products are exact likewise.
            let operands: Operands = switch path {
            case .fp32: Operands(a, weight)
            case .avx512BF16, .bf16AMX: Operands(a.map(Self.bf16), weight.map(Self.bf16))
            case .int8VNNI, .int8AMX: Self.int8Operands(a, weight, width: inputs)
            case .int8AVX2: Self.int8AVX2Operands(a, weight, width: inputs)
            case .int16AVX2, .int16VNNI: Self.int8AVX2Operands(a, weight, width: inputs, levels: 2047, weightLevels: LinearWeights.wideWeightLevels(inputs: inputs))
            }
            failures += check(path: path, rows: rows, inputs: inputs, outputs: outputs, a: a, weight: weight, bias: bias, residual: residual, operands: operands, tolerance: 1e-4)
        }
        return failures
    }

    /// The int8 path at the encoder's shapes and at awkward ones (depths that are not whole quads
    /// or whole vectors, one panel, rows past the 12-row block and the 192-row pass — at a small
    /// depth, since the reference loop runs unoptimised in debug builds), with rows of
    /// one sign, of one value and of zeros, and a heavy-tailed column whose values are outliers
    /// (more than 32 in a row in one case), against the plain definition on the same quantised
    /// operands, and against the fp32 definition within the quantisation error.
    @Test(.enabled(if: KernelPath.int8VNNI.isSupported, "this CPU (or its OS) lacks AVX-512 VNNI, so the int8 kernels cannot run here"),
          arguments: [(1, 384, 1152), (7, 384, 1536), (13, 1536, 384), (200, 64, 48), (3, 1, 16), (12, 3, 32), (25, 17, 16), (11, 63, 80)])
    func int8MultiplyMatchesTheQuantisedDefinition(rows: Int, inputs: Int, outputs: Int) async {
        let failures = await onBackgroundThread { Self.int8Failures(path: .int8VNNI, rows: rows, inputs: inputs, outputs: outputs) }
        #expect(failures.isEmpty, "\(failures.joined(separator: "; "))")
    }

    /// The AVX2 int8 path on the same shapes and rows (its 8-column panels meet an odd number of
    /// them at 80 and 48 outputs, and its input pairs an odd depth).
    @Test(.enabled(if: KernelPath.int8AVX2.isSupported, "this CPU (or its OS) lacks AVX2 and FMA, so the AVX2 int8 kernels cannot run here"),
          arguments: [(1, 384, 1152), (7, 384, 1536), (13, 1536, 384), (200, 64, 48), (3, 1, 16), (12, 3, 32), (25, 17, 16), (11, 63, 80)])
    func int8AVX2MultiplyMatchesTheQuantisedDefinition(rows: Int, inputs: Int, outputs: Int) async {
        let failures = await onBackgroundThread { Self.int8Failures(path: .int8AVX2, rows: rows, inputs: inputs, outputs: outputs) }
        #expect(failures.isEmpty, "\(failures.joined(separator: "; "))")
    }

    /// The wide AVX2 path (16-bit weight codes) on the same shapes and rows, and at a depth past
    /// 2,052, where its weight codes narrow so that the int32 sums cannot overflow.
    @Test(.enabled(if: KernelPath.int16AVX2.isSupported, "this CPU (or its OS) lacks AVX2 and FMA, so the AVX2 integer kernels cannot run here"),
          arguments: [(1, 384, 1152), (7, 384, 1536), (13, 1536, 384), (200, 64, 48), (3, 1, 16), (12, 3, 32), (25, 17, 16), (11, 63, 80), (6, 4_101, 16)])
    func int16AVX2MultiplyMatchesTheQuantisedDefinition(rows: Int, inputs: Int, outputs: Int) async {
        let failures = await onBackgroundThread { Self.int8Failures(path: .int16AVX2, rows: rows, inputs: inputs, outputs: outputs) }
        #expect(failures.isEmpty, "\(failures.joined(separator: "; "))")
    }

    /// The wide AVX-512 VNNI path (the same 16-bit codes by `vpdpwssd`, in 16-column panels) on
    /// the same shapes and rows: one panel at 16 and 48 outputs' last, 12-row blocks and 96-row
    /// passes at 200 rows.
    @Test(.enabled(if: KernelPath.int16VNNI.isSupported, "this CPU (or its OS) lacks AVX-512 VNNI, so the wide VNNI kernels cannot run here"),
          arguments: [(1, 384, 1152), (7, 384, 1536), (13, 1536, 384), (200, 64, 48), (3, 1, 16), (12, 3, 32), (25, 17, 16), (11, 63, 80), (6, 4_101, 16)])
    func int16VNNIMultiplyMatchesTheQuantisedDefinition(rows: Int, inputs: Int, outputs: Int) async {
        let failures = await onBackgroundThread { Self.int8Failures(path: .int16VNNI, rows: rows, inputs: inputs, outputs: outputs) }
        #expect(failures.isEmpty, "\(failures.joined(separator: "; "))")
    }

    /// The AMX int8 path on the same shapes and rows: inputs padded to whole 64-byte tiles (1, 3,
    /// 17 and 63 of them), rows to whole 16-row tiles (1, 3, 7, 11, 13, 25) and past the 32-row
    /// block (200), one and an odd number of panels.
    @Test(.enabled(if: KernelPath.int8AMX.isSupported, "this CPU (or its OS) lacks AMX, so the tile kernels cannot run here"),
          arguments: [(1, 384, 1152), (7, 384, 1536), (13, 1536, 384), (200, 64, 48), (3, 1, 16), (12, 3, 32), (25, 17, 16), (11, 63, 80)])
    func int8AMXMultiplyMatchesTheQuantisedDefinition(rows: Int, inputs: Int, outputs: Int) async {
        let failures = await onBackgroundThread { Self.int8Failures(path: .int8AMX, rows: rows, inputs: inputs, outputs: outputs) }
        #expect(failures.isEmpty, "\(failures.joined(separator: "; "))")
    }

    /// The AMX int8 path computes what the VNNI one does, to the bit, with each epilogue: the same
    /// codes, the same int32 sums and the same floating-point epilogue, only on tiles.
    @Test(.enabled(if: KernelPath.int8AMX.isSupported && KernelPath.int8VNNI.isSupported, "this CPU (or its OS) lacks AMX, so the tile kernels cannot run here"),
          arguments: [(1, 384, 384), (7, 384, 1536), (33, 1536, 384), (45, 100, 48)])
    func int8AMXEqualsInt8VNNIToTheBit(rows: Int, inputs: Int, outputs: Int) {
        var generator = SplitMix(seed: UInt64(rows * 31 + inputs))
        var a = (0..<(rows * inputs)).map { _ in Float.random(in: -2...2, using: &generator) }
        for r in 0..<rows { a[r * inputs + r % inputs] *= 15 }
        let weight = (0..<(outputs * inputs)).map { _ in Float.random(in: -0.2...0.2, using: &generator) }
        let bias = FloatBuffer((0..<outputs).map { _ in Float.random(in: -1...1, using: &generator) })
        let residual = FloatBuffer((0..<(rows * outputs)).map { _ in Float.random(in: -1...1, using: &generator) })
        let input = FloatBuffer(a)
        for epilogue in [MatrixKernels.Epilogue.none, .residual(UnsafePointer(residual.pointer)), .gelu] {
            let results = [KernelPath.int8VNNI, .int8AMX].map { path in
                let packed = LinearWeights(weight: weight, outputs: outputs, inputs: inputs, path: path)
                let output = FloatBuffer(count: rows * outputs)
                let scratch = AlignedBuffer<UInt16>(count: LinearWeights.scratchCount(path: path, rows: rows, inputs: inputs))
                packed.multiply(input.pointer, rows: rows, bias: bias.pointer, epilogue: epilogue, into: output.pointer, scratch: scratch.pointer)
                return (0..<(rows * outputs)).map { output.pointer[$0].bitPattern }
            }
            let differing = zip(results[0], results[1]).filter { $0 != $1 }.count
            #expect(differing == 0, "\(differing) of \(rows * outputs) outputs differ with epilogue \(epilogue)")
        }
    }

    /// Every product at its largest code, all of one sign, over the longest depth that keeps 10
    /// bits and over one that does not, on each wide path this CPU runs: the sum is exact, never
    /// wrapped around.
    @Test(.enabled(if: KernelPath.int16AVX2.isSupported, "this CPU (or its OS) lacks AVX2 and FMA, so the AVX2 integer kernels cannot run here"),
          arguments: [2_052, 8_193])
    func wideWeightsNeverOverflowAtTheirLargestCodes(inputs: Int) {
        #expect(LinearWeights.wideWeightLevels(inputs: 1_536) == 511)
        #expect(LinearWeights.wideWeightLevels(inputs: inputs) == (inputs <= 2_052 ? 511 : 2_147_483_647 / (2_047 * 2 * ((inputs + 1) / 2))))
        let outputs = 16
        for path in [KernelPath.int16AVX2, .int16VNNI] where path.isSupported {
            let packed = LinearWeights(weight: [Float](repeating: 0.5, count: outputs * inputs), outputs: outputs, inputs: inputs, path: path)
            let input = FloatBuffer([Float](repeating: 2, count: 2 * inputs)), bias = FloatBuffer(count: outputs), output = FloatBuffer(count: 2 * outputs)
            let scratch = AlignedBuffer<UInt16>(count: LinearWeights.scratchCount(path: path, rows: 2, inputs: inputs))
            packed.multiply(input.pointer, rows: 2, bias: bias.pointer, epilogue: .none, into: output.pointer, scratch: scratch.pointer)
            let expected = Float(inputs)
            #expect((0..<(2 * outputs)).allSatisfy { abs(output.pointer[$0] - expected) <= expected * 1e-5 }, "\(path): \(output.pointer[0]) for \(expected)")
        }
    }

    /// Attention against its definition in double precision: softmax over each query's dot
    /// products with every key of the sequence, then the weighted sum of the values, per head, at
    /// lengths below, at and past one vector of 16 (and past a group of four queries), on every
    /// attention kernel this CPU runs, with heads of 32 and of 64 dimensions. `spread` scales the
    /// inputs so that scores reach ±50 (softmax must not overflow, and weights far below the
    /// largest must vanish, not turn into noise); the tolerance grows with the scores' rounding.
    @Test(arguments: AttentionKernel.allCases.filter(\.isSupported), [(1, 2), (5, 2), (16, 1), (17, 2), (40, 2), (83, 1)])
    func attentionMatchesTheDefinition(kernel: AttentionKernel, sequence: (length: Int, heads: Int)) {
        for spread in [Float(1.5), 3] {
            let (length, heads) = sequence, hidden = 64, headSize = hidden / heads
            var generator = SplitMix(seed: UInt64(length))
            let qkv = FloatBuffer((0..<(length * 3 * hidden)).map { _ in Float.random(in: -spread...spread, using: &generator) })
            let context = FloatBuffer(count: length * hidden)
            let scratch = FloatBuffer(count: AttentionKernel.scratchCount(length: length, hidden: hidden, heads: heads))
            kernel.attention(qkv: qkv.pointer, context: context.pointer, length: length, queries: 0..<length, hidden: hidden, heads: heads, scratch: scratch.pointer)
            var worst = 0.0
            for head in 0..<heads {
                func value(_ row: Int, _ part: Int, _ d: Int) -> Double { Double(qkv.pointer[row * 3 * hidden + part * hidden + head * headSize + d]) }
                for i in 0..<length {
                    let scores = (0..<length).map { j in (0..<headSize).reduce(0.0) { $0 + value(i, 0, $1) * value(j, 1, $1) } }
                    let largest = scores.max()!
                    let weights = scores.map { Foundation.exp($0 - largest) }
                    let total = weights.reduce(0, +)
                    for d in 0..<headSize {
                        let expected = (0..<length).reduce(0.0) { $0 + weights[$1] * value($1, 2, d) } / total
                        worst = max(worst, abs(Double(context.pointer[i * hidden + head * headSize + d]) - expected))
                    }
                }
            }
            #expect(worst < 1e-5 * Double(spread * spread), "\(kernel): worst error \(worst) at length \(length), \(heads) heads, inputs within ±\(spread)")
        }
    }

    /// What a work team relies on: each query row comes out the same to the bit whichever range
    /// of queries it is computed in, for every split of a sequence into two ranges.
    @Test(arguments: AttentionKernel.allCases.filter(\.isSupported))
    func attentionSplitByQueriesEqualsTheWholeToTheBit(kernel: AttentionKernel) {
        let length = 23, hidden = 64, heads = 2
        var generator = SplitMix(seed: 23)
        let qkv = FloatBuffer((0..<(length * 3 * hidden)).map { _ in Float.random(in: -1.5...1.5, using: &generator) })
        let whole = FloatBuffer(count: length * hidden), parts = FloatBuffer(count: length * hidden)
        let scratch = FloatBuffer(count: AttentionKernel.scratchCount(length: length, hidden: hidden, heads: heads))
        kernel.attention(qkv: qkv.pointer, context: whole.pointer, length: length, queries: 0..<length, hidden: hidden, heads: heads, scratch: scratch.pointer)
        for split in 1..<length {
            for queries in [0..<split, split..<length] {
                kernel.attention(qkv: qkv.pointer, context: parts.pointer, length: length, queries: queries, hidden: hidden, heads: heads, scratch: scratch.pointer)
            }
            let differing = (0..<(length * hidden)).filter { whole.pointer[$0].bitPattern != parts.pointer[$0].bitPattern }
            #expect(differing.isEmpty, "\(kernel), split at \(split): \(differing.count) values differ, first at \(differing.first.map { "row \($0 / hidden)" } ?? "")")
        }
    }

    static func int8Failures(path: KernelPath, rows: Int, inputs: Int, outputs: Int) -> [String] {
        var generator = SplitMix(seed: UInt64(rows * 1_000_003 + inputs * 1_009 + outputs))
        var a = (0..<(rows * inputs)).map { _ in Float.random(in: -2...2, using: &generator) }
        // A heavy-tailed column, as BERT's hidden states have, and rows that are all positive,
        // all negative, constant and zero.
        for r in 0..<rows { a[r * inputs] *= 12 }
        // More outliers in one row than the kernel takes out (32): the rest are quantised.
        if rows > 5, inputs >= 384 {
            for k in stride(from: 1, to: inputs, by: 8) { a[5 * inputs + k] *= 30 }
        }
        if rows > 4 {
            for k in 0..<inputs {
                a[1 * inputs + k] = abs(a[1 * inputs + k])
                a[2 * inputs + k] = -abs(a[2 * inputs + k])
                a[3 * inputs + k] = 0.75
                a[4 * inputs + k] = 0
            }
        }
        let weight = (0..<(outputs * inputs)).map { index in index % 97 == 0 ? 0 : Float.random(in: -0.2...0.2, using: &generator) }
        let bias = (0..<outputs).map { _ in Float.random(in: -1...1, using: &generator) }
        let residual = (0..<(rows * outputs)).map { _ in Float.random(in: -1...1, using: &generator) }
        let operands = switch path {
        case .int8AVX2: Self.int8AVX2Operands(a, weight, width: inputs)
        case .int16AVX2, .int16VNNI: Self.int8AVX2Operands(a, weight, width: inputs, levels: 2047, weightLevels: LinearWeights.wideWeightLevels(inputs: inputs))
        default: Self.int8Operands(a, weight, width: inputs)
        }
        // Relative to the size of the sums: fp32 additions in another order over up to 1,536
        // terms, some of them outliers 30 times the rest.
        let scale = Float(inputs).squareRoot() * 2 * 0.2 + 2
        let largest = a.map(abs).max()! / 2
        return check(path: path, rows: rows, inputs: inputs, outputs: outputs, a: a, weight: weight, bias: bias, residual: residual, operands: operands, tolerance: 2e-6 * max(scale, largest) * Float(inputs).squareRoot())
            // Against the unquantised definition: each operand is off by at most half a step.
            + check(path: path, rows: rows, inputs: inputs, outputs: outputs, a: a, weight: weight, bias: bias, residual: residual, operands: Operands(a, weight), tolerance: 0.1 * max(scale, largest))
    }

    /// The operands of a product as a kernel path sees them: `a · weightᵀ`, except that where
    /// `outlier` is set the activation `a` multiplies `column` (the int8 path's outliers, taken
    /// out of the 8-bit product and multiplied with bf16 weights).
    struct Operands {
        var a: [Float]
        var weight: [Float]
        var outlier: [Bool]
        var column: [Float]

        init(_ a: [Float], _ weight: [Float], outlier: [Bool]? = nil, column: [Float]? = nil) {
            self.a = a
            self.weight = weight
            self.outlier = outlier ?? [Bool](repeating: false, count: a.count)
            self.column = column ?? weight
        }
    }

    /// Runs `path`'s product with each epilogue and compares it with the triple loop over
    /// `operands` (as the path sees them); what went wrong, or nothing.
    static func check(path: KernelPath, rows: Int, inputs: Int, outputs: Int, a: [Float], weight: [Float], bias: [Float], residual: [Float], operands: Operands, tolerance: Float) -> [String] {
        var failures: [String] = []
        let packed = LinearWeights(weight: weight, outputs: outputs, inputs: inputs, path: path)
        let input = FloatBuffer(a), biasBuffer = FloatBuffer(bias), residualBuffer = FloatBuffer(residual), output = FloatBuffer(count: rows * outputs)
        let scratch = AlignedBuffer<UInt16>(count: LinearWeights.scratchCount(path: path, rows: rows, inputs: inputs))
        for epilogue in ["none", "residual", "gelu"] {
            let kind: MatrixKernels.Epilogue = switch epilogue {
            case "residual": .residual(residualBuffer.pointer)
            case "gelu": .gelu
            default: .none
            }
            packed.multiply(input.pointer, rows: rows, bias: biasBuffer.pointer, epilogue: kind, into: output.pointer, scratch: scratch.pointer)
            var worst: Float = 0
            // Through buffer pointers: debug builds check and retain every array access, which
            // made this loop most of the suite's time.
            let (raw, quantised, w, column, outlier) = (a, operands.a, operands.weight, operands.column, operands.outlier)
            for r in 0..<rows {
                for o in 0..<outputs {
                    var sum = bias[o]
                    raw.withUnsafeBufferPointer { raw in quantised.withUnsafeBufferPointer { x in w.withUnsafeBufferPointer { w in column.withUnsafeBufferPointer { column in outlier.withUnsafeBufferPointer { outlier in
                        let (row, weights) = (r * inputs, o * inputs)
                        for k in 0..<inputs {
                            sum += outlier[row + k] ? raw[row + k] * column[weights + k] : x[row + k] * w[weights + k]
                        }
                    } } } } }
                    if epilogue == "residual" { sum += residual[r * outputs + o] }
                    if epilogue == "gelu" { sum = 0.5 * sum * (1 + Foundation.erf(sum / Float(2).squareRoot())) }
                    worst = max(worst, abs(output.pointer[r * outputs + o] - sum))
                }
            }
            if !(worst < tolerance) {
                failures.append("\(path), \(rows)×\(inputs)·\(inputs)×\(outputs), epilogue \(epilogue): worst error \(worst) (tolerance \(tolerance))")
            }
        }
        return failures
    }

    /// The int8 kernels' operands: each row's outliers (values above 4× its root mean square, the
    /// first 32 of them) multiply the bf16 weight; the rest is quantised over its range (0
    /// included) in 255 steps from an integer zero point, each value rounded to the nearest step;
    /// the weights per output channel, symmetric.
    static func int8Operands(_ a: [Float], _ weight: [Float], width: Int) -> Operands {
        var quantised = a
        var outlier = [Bool](repeating: false, count: a.count)
        for start in stride(from: 0, to: a.count, by: width) {
            let row = start..<(start + width)
            markOutliers(a, row: row, in: &outlier)
            let kept = row.filter { !outlier[$0] }.map { a[$0] }
            let smallest = min(kept.min() ?? 0, 0), largest = max(kept.max() ?? 0, 0)
            let scale: Float = largest - smallest > 0 ? (largest - smallest) / 255 : 1
            let zero = (-smallest / scale).rounded(.toNearestOrEven)
            let inverse = 1 / scale
            for index in row {
                let code = min(max((a[index] * inverse).rounded(.toNearestOrEven) + zero, 0), 255)
                quantised[index] = outlier[index] ? 0 : scale * (code - zero)
            }
        }
        return Operands(quantised, int8Channels(weight, width: width), outlier: outlier, column: weight.map(bf16))
    }

    /// The AVX2 integer kernels' operands: outliers as on the VNNI path; the rest of each row
    /// symmetric, its largest magnitude in `levels` steps (4,095 beside int8 weights), each value
    /// rounded to the nearest step; the weights per output channel, symmetric, in `weightLevels`
    /// steps (127 for int8).
    static func int8AVX2Operands(_ a: [Float], _ weight: [Float], width: Int, levels: Float = 4095, weightLevels: Int = 127) -> Operands {
        var quantised = a
        var outlier = [Bool](repeating: false, count: a.count)
        for start in stride(from: 0, to: a.count, by: width) {
            let row = start..<(start + width)
            markOutliers(a, row: row, in: &outlier)
            let largest = row.filter { !outlier[$0] }.map { abs(a[$0]) }.max() ?? 0
            let scale: Float = largest > 0 ? largest / levels : 1
            let inverse = 1 / scale
            for index in row {
                let code = min(max((a[index] * inverse).rounded(.toNearestOrEven), -levels), levels)
                quantised[index] = outlier[index] ? 0 : scale * code
            }
        }
        return Operands(quantised, int8Channels(weight, width: width, levels: Float(weightLevels)), outlier: outlier, column: weight.map(bf16))
    }

    /// Marks the outliers of `a[row]` as both int8 paths take them: values above 4× the row's root
    /// mean square, the first 32 of them.
    static func markOutliers(_ a: [Float], row: Range<Int>, in outlier: inout [Bool]) {
        let threshold = 4 * (row.reduce(Float(0)) { $0 + a[$1] * a[$1] } / Float(row.count)).squareRoot()
        var taken = 0
        for index in row where abs(a[index]) > threshold && taken < 32 {
            outlier[index] = true
            taken += 1
        }
    }

    /// Each output channel of a weight as the integer kernels see it: symmetric, max |w| in
    /// `levels` steps (127 for int8).
    static func int8Channels(_ weight: [Float], width: Int, levels: Float = 127) -> [Float] {
        var result = weight
        for start in stride(from: 0, to: weight.count, by: width) {
            let largest = weight[start..<(start + width)].map(abs).max()!
            let scale: Float = largest > 0 ? largest / levels : 1
            for index in start..<(start + width) {
                result[index] = scale * min(max((weight[index] / scale).rounded(.toNearestOrEven), -levels), levels)
            }
        }
        return result
    }

    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Rounds to the nearest bfloat16, ties to even, as the bf16 kernels do.
    static func bf16(_ value: Float) -> Float {
        let bits = value.bitPattern
        return Float(bitPattern: (bits &+ 0x7fff &+ ((bits >> 16) & 1)) & 0xffff_0000)
    }

    @Test func theEnvironmentChoosesTheKernels() throws {
        let variable = MiniLMKernels.environmentVariable
        #expect(try MiniLMKernels.chosen(environment: [:]) == .fastest)
        #expect(try MiniLMKernels.chosen(environment: [variable: "auto"]) == .fastest)
        #expect(try MiniLMKernels.chosen(environment: [variable: "fp32"]) == .fp32)
        #expect(MiniLMKernels.fastest == (MiniLMKernels.int8AMX.isSupported ? .int8AMX : MiniLMKernels.int8VNNI.isSupported ? .int8VNNI : MiniLMKernels.avx512BF16.isSupported ? .avx512BF16 : MiniLMKernels.int8AVX2.isSupported ? .int8AVX2 : .fp32))
        #expect(throws: MiniLMError.self) { try MiniLMKernels.chosen(environment: [variable: "int4"]) }
        do {
            _ = try MiniLMKernels.chosen(environment: [variable: "int4"])
        } catch {
            #expect(error.description.contains("'int4'") && error.description.contains("avx512-bf16, int8-avx2, fp32"))
        }
        for kernels in [MiniLMKernels.int8AMX, .avx512BF16, .int8VNNI, .int8AVX2] {
            if kernels.isSupported {
                #expect(try MiniLMKernels.chosen(environment: [variable: kernels.rawValue]) == kernels)
            } else {
                #expect(throws: MiniLMError.self) { try MiniLMKernels.chosen(environment: [variable: kernels.rawValue]) }
            }
        }
    }
}
