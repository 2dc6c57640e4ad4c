/// A 64-byte-aligned, zero-filled block of values that the matrix kernels read and write through
/// pointers: floats for weights and activations, 16-bit bfloat16 bit patterns for the bf16 path.
///
/// Weights are written once at load and only read afterwards, so sharing them between threads is
/// safe; scratch buffers belong to one `EncoderScratch`, which one caller uses at a time.
package final class AlignedBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    package let pointer: UnsafeMutablePointer<Element>
    package let count: Int

    /// A zero-filled buffer of `count` values.
    package init(count: Int) {
        self.count = count
        // At least one cache line, so an empty buffer still has a valid, aligned pointer.
        let bytes = max(count * MemoryLayout<Element>.stride, 64)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        pointer = raw.bindMemory(to: Element.self, capacity: bytes / MemoryLayout<Element>.stride)
    }

    /// A buffer holding `values`.
    package convenience init(_ values: [Element]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit {
        pointer.deallocate()
    }
}

/// The buffer of floats most kernels take.
package typealias FloatBuffer = AlignedBuffer<Float>
