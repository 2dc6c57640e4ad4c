extension JSONValue {
    /// The value as compact JSON text (UTF-8), members in their stored order.
    public var serialized: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        write(into: &bytes, sortedKeys: false)
        return bytes
    }

    /// The value as compact JSON text.
    public var jsonString: String {
        String(decoding: serialized, as: UTF8.self)
    }

    /// A hash of the value that is the same in every process and ignores member order: two
    /// requests whose fields are equal hash alike however the client ordered them.
    public var stableHash: UInt64 {
        var bytes: [UInt8] = []
        write(into: &bytes, sortedKeys: true)
        return HashingEmbedder.hash(bytes)
    }

    /// Appends the JSON text of the value to `bytes`.
    public func write(into bytes: inout [UInt8], sortedKeys: Bool = false) {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value): bytes.append(contentsOf: String(value).utf8)
        case .double(let value): Self.writeDouble(value, into: &bytes)
        case .string(let value): Self.writeString(value, into: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                element.write(into: &bytes, sortedKeys: sortedKeys)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            object.write(into: &bytes, sortedKeys: sortedKeys)
        }
    }

    static func writeDouble(_ value: Double, into bytes: inout [UInt8]) {
        // JSON has no NaN or infinity; nothing parsed from JSON holds one, and a computed one is a bug
        // best shown as null than as text no parser reads.
        guard value.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    static func writeString(_ value: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension JSONObject {
    /// The object as compact JSON text (UTF-8).
    public var serialized: [UInt8] {
        JSONValue.object(self).serialized
    }

    /// See ``JSONValue/stableHash``.
    public var stableHash: UInt64 {
        JSONValue.object(self).stableHash
    }

    func write(into bytes: inout [UInt8], sortedKeys: Bool) {
        bytes.append(UInt8(ascii: "{"))
        let ordered = sortedKeys ? members.sorted { $0.key < $1.key } : members
        for (index, member) in ordered.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONValue.writeString(member.key, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            member.value.write(into: &bytes, sortedKeys: sortedKeys)
        }
        bytes.append(UInt8(ascii: "}"))
    }
}
