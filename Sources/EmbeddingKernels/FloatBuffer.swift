/// A 64-byte-aligned block of floats that the matrix kernels read and write through pointers.
///
/// Weights are written once at load and only read afterwards, so sharing them between threads is
/// safe; scratch buffers belong to one ``EncoderScratch``, which one caller uses at a time.
package final class FloatBuffer: @unchecked Sendable {
    package let pointer: UnsafeMutablePointer<Float>
    package let count: Int

    /// A zero-filled buffer of `count` floats.
    package init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 16))
    }

    /// A buffer holding `values`.
    package convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit {
        pointer.deallocate()
    }
}
