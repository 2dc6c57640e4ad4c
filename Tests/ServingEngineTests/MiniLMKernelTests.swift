import EmbeddingKernels
import Foundation
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
    @Test(arguments: KernelPath.allCases.filter(\.isSupported))
    func multiplyMatchesTheDefinition(path: KernelPath) {
        let inputs = 41, outputs = 48
        func value(_ index: Int, _ salt: Int) -> Float { Float((index * 7919 + salt * 104_729) % 201 - 100) / 100 }
        for rows in [1, 5, 12, 13, 30] {
            let a = (0..<(rows * inputs)).map { value($0, 1) }
            let weight = (0..<(outputs * inputs)).map { value($0, 2) }
            let bias = (0..<outputs).map { value($0, 3) }
            let residual = (0..<(rows * outputs)).map { value($0, 4) }
            let packed = LinearWeights(weight: weight, outputs: outputs, inputs: inputs, path: path)
            let input = FloatBuffer(a), biasBuffer = FloatBuffer(bias), residualBuffer = FloatBuffer(residual), output = FloatBuffer(count: rows * outputs)
            let scratch = AlignedBuffer<UInt16>(count: LinearWeights.scratchCount(path: path, rows: rows, inputs: inputs))
            // The bf16 path rounds both operands to bf16, whose products are exact in fp32: against
            // the definition on rounded operands, only the order of fp32 additions differs.
            func round(_ value: Float) -> Float { path == .fp32 ? value : Self.bf16(value) }
            for epilogue in ["none", "residual", "gelu"] {
                let kind: MatrixKernels.Epilogue = switch epilogue {
                case "residual": .residual(residualBuffer.pointer)
                case "gelu": .gelu
                default: .none
                }
                packed.multiply(input.pointer, rows: rows, bias: biasBuffer.pointer, epilogue: kind, into: output.pointer, scratch: scratch.pointer)
                var worst: Float = 0
                for r in 0..<rows {
                    for o in 0..<outputs {
                        var sum = bias[o]
                        for k in 0..<inputs { sum += round(a[r * inputs + k]) * round(weight[o * inputs + k]) }
                        if epilogue == "residual" { sum += residual[r * outputs + o] }
                        if epilogue == "gelu" { sum = 0.5 * sum * (1 + Foundation.erf(sum / Float(2).squareRoot())) }
                        worst = max(worst, abs(output.pointer[r * outputs + o] - sum))
                    }
                }
                #expect(worst < 1e-4, "\(path), \(rows) rows, epilogue \(epilogue)")
            }
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
        #expect(MiniLMKernels.fastest == (MiniLMKernels.avx512BF16.isSupported ? .avx512BF16 : .fp32))
        #expect(throws: MiniLMError.self) { try MiniLMKernels.chosen(environment: [variable: "int4"]) }
        do {
            _ = try MiniLMKernels.chosen(environment: [variable: "int4"])
        } catch {
            #expect(error.description.contains("'int4'") && error.description.contains("avx512-bf16, fp32"))
        }
        if MiniLMKernels.avx512BF16.isSupported {
            #expect(try MiniLMKernels.chosen(environment: [variable: "avx512-bf16"]) == .avx512BF16)
        } else {
            #expect(throws: MiniLMError.self) { try MiniLMKernels.chosen(environment: [variable: "avx512-bf16"]) }
        }
    }
}
