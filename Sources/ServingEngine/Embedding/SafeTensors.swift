import Foundation

/// A `.safetensors` file: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data.
///
/// Only what the encoder needs is read: `F32` tensors, checked against the shape the model
/// configuration implies, so a wrong or damaged file fails at load with the tensor's name.
struct SafeTensors {
    struct Entry {
        var dtype: String
        var shape: [Int]
        var range: Range<Int>
    }

    let path: String
    private let bytes: Data
    private let dataStart: Int
    private let entries: [String: Entry]

    init(path: String) throws(MiniLMError) {
        self.path = path
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path, "cannot read the file; check its permissions")
        }
        self.bytes = bytes
        guard bytes.count >= 8 else {
            throw .unreadable(path, "truncated safetensors header: the file has \(bytes.count) bytes, fewer than the 8 of the header length")
        }
        let headerLength = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw .unreadable(path, "truncated safetensors header: it announces \(headerLength) bytes of JSON but only \(bytes.count - 8) follow")
        }
        dataStart = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<dataStart)) as? [String: Any] else {
            throw .unreadable(path, "the safetensors header is not a JSON object; the file is damaged")
        }
        var entries: [String: Entry] = [:]
        let dataLength = bytes.count - dataStart
        for (name, value) in header where name != "__metadata__" {
            guard let object = value as? [String: Any], let dtype = object["dtype"] as? String,
                  let shape = object["shape"] as? [Int], let offsets = object["data_offsets"] as? [Int],
                  offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1]
            else {
                throw .tensor(path, name: name, problem: "has a malformed header entry")
            }
            guard offsets[1] <= dataLength else {
                throw .tensor(path, name: name, problem: "ends at byte \(offsets[1]) of the data but the file holds only \(dataLength): the file is truncated")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        self.entries = entries
    }

    /// The tensor `name` as floats, after checking it is `F32` of exactly `shape`.
    func floats(_ name: String, shape: [Int]) throws(MiniLMError) -> [Float] {
        guard let entry = entries[name] else {
            throw .tensor(path, name: name, problem: "is missing")
        }
        guard entry.dtype == "F32" else {
            throw .tensor(path, name: name, problem: "has dtype \(entry.dtype), expected F32")
        }
        guard entry.shape == shape else {
            throw .tensor(path, name: name, problem: "has shape \(entry.shape), expected \(shape)")
        }
        let count = shape.reduce(1, *)
        guard entry.range.count == count * 4 else {
            throw .tensor(path, name: name, problem: "holds \(entry.range.count) bytes, expected \(count * 4) for shape \(shape)")
        }
        let start = dataStart + entry.range.lowerBound
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[(start)..<(start + count * 4)])
                // The file is little-endian, like every host Swift runs on today; stay correct elsewhere.
                if 1.littleEndian == 1 {
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
                } else {
                    for index in 0..<count {
                        buffer[index] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
                    }
                }
            }
            initialized = count
        }
    }
}
