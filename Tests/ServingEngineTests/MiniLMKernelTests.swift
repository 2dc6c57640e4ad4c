import EmbeddingKernels
import Foundation
import Testing

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

    /// A GEMM with each epilogue against a plain triple loop, on sizes that use several panels.
    @Test func multiplyMatchesTheDefinition() {
        let rows = 12, inputs = 40, outputs = 48
        func value(_ index: Int, _ salt: Int) -> Float { Float((index * 7919 + salt * 104_729) % 201 - 100) / 100 }
        let a = (0..<(rows * inputs)).map { value($0, 1) }
        let weight = (0..<(outputs * inputs)).map { value($0, 2) }
        let bias = (0..<outputs).map { value($0, 3) }
        let residual = (0..<(rows * outputs)).map { value($0, 4) }
        let packed = PackedMatrix(weight: weight, outputs: outputs, inputs: inputs)
        let input = FloatBuffer(a), biasBuffer = FloatBuffer(bias), residualBuffer = FloatBuffer(residual), output = FloatBuffer(count: rows * outputs)
        for epilogue in ["none", "residual", "gelu"] {
            let kind: MatrixKernels.Epilogue = switch epilogue {
            case "residual": .residual(residualBuffer.pointer)
            case "gelu": .gelu
            default: .none
            }
            MatrixKernels.multiply(input.pointer, rows: rows, packed, bias: biasBuffer.pointer, epilogue: kind, into: output.pointer)
            var worst: Float = 0
            for r in 0..<rows {
                for o in 0..<outputs {
                    var sum = bias[o]
                    for k in 0..<inputs { sum += a[r * inputs + k] * weight[o * inputs + k] }
                    if epilogue == "residual" { sum += residual[r * outputs + o] }
                    if epilogue == "gelu" { sum = 0.5 * sum * (1 + Foundation.erf(sum / Float(2).squareRoot())) }
                    worst = max(worst, abs(output.pointer[r * outputs + o] - sum))
                }
            }
            #expect(worst < 1e-4, "epilogue \(epilogue)")
        }
    }
}
