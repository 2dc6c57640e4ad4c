import CVectorKernels
@testable import ServingEngine
import TestSupport
import Testing

/// The cache index's C dot-product kernels: every kernel this CPU can run gives the exact int8
/// product, and the batched, prefetching similarities equal the one-at-a-time ones.
@Suite("Vector kernels")
struct VectorKernelTests {
    @Test func everySupportedInt8KernelMatchesTheReferenceLoop() {
        var random = SeededRandom(seed: 11)
        let kernels = [SBVK_PORTABLE, SBVK_AVX2, SBVK_AVX512_VNNI].filter { sbvk_kernel_supported($0) != 0 }
        #expect(kernels.contains(sbvk_chosen_kernel()))
        // Lengths around the 32- and 64-byte steps and their tails, and codes at ±127.
        for n in [0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 384, 385, 768] {
            let a = (0..<n).map { i in i % 7 == 0 ? Int8(127) : Int8(Int(random.next() % 255) - 127) }
            let b = (0..<n).map { i in i % 5 == 0 ? Int8(-127) : Int8(Int(random.next() % 255) - 127) }
            let expected = zip(a, b).reduce(Int32(0)) { $0 + Int32($1.0) * Int32($1.1) }
            for kernel in kernels {
                let got = a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in sbvk_dot_i8_with(kernel, x.baseAddress, y.baseAddress, n) } }
                #expect(got == expected, "kernel \(kernel.rawValue), n = \(n)")
            }
        }
    }

    @Test(arguments: CacheIndexSettings.Quantization.allCases)
    func batchedSimilaritiesEqualSingleOnes(quantization: CacheIndexSettings.Quantization) {
        var generator = ClusteredVectors(dimensions: 384, clusters: 8, spread: 0.8, seed: 12)
        var rows = VectorRows(dimensions: 384, quantization: quantization)
        for _ in 0..<64 { rows.append(generator.next()) }
        let query = rows.query(generator.next())
        let ids: [Int32] = [5, 0, 63, 17, 17, 42]
        var batched = [Float](repeating: .nan, count: ids.count)
        var fromRow = [Float](repeating: .nan, count: ids.count)
        ids.withUnsafeBufferPointer { ids in
            batched.withUnsafeMutableBufferPointer { rows.similarities(query, rows: ids, into: $0.baseAddress!) }
            fromRow.withUnsafeMutableBufferPointer { rows.similarities(row: 9, rows: ids, into: $0.baseAddress!) }
        }
        for (j, id) in ids.enumerated() {
            #expect(batched[j] == rows.similarity(query, Int(id)))
            #expect(abs(fromRow[j] - rows.similarity(row: 9, row: Int(id))) <= 1e-6)
        }
    }
}
