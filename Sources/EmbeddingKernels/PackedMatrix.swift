/// A linear layer's weight, laid out for ``MatrixKernels``: the `[outputs × inputs]` PyTorch
/// matrix transposed and cut into panels of 16 output columns, each panel `inputs × 16`
/// contiguous floats, so the kernel's inner loop streams one panel front to back.
package struct PackedMatrix: Sendable {
    package static let panelWidth = 16

    package let inputs: Int
    package let outputs: Int
    package let storage: FloatBuffer

    /// Packs a row-major `[outputs × inputs]` weight (PyTorch's `nn.Linear.weight`).
    package init(weight: [Float], outputs: Int, inputs: Int) {
        precondition(outputs % Self.panelWidth == 0 && weight.count == outputs * inputs)
        self.inputs = inputs
        self.outputs = outputs
        storage = FloatBuffer(count: outputs * inputs)
        let packed = storage.pointer
        weight.withUnsafeBufferPointer { source in
            for panel in 0..<(outputs / Self.panelWidth) {
                let base = panel * inputs * Self.panelWidth
                for column in 0..<Self.panelWidth {
                    let row = (panel * Self.panelWidth + column) * inputs
                    for k in 0..<inputs {
                        packed[base + k * Self.panelWidth + column] = source[row + k]
                    }
                }
            }
        }
    }
}
