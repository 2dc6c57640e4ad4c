import Foundation

/// The on-disk form of the cache: a versioned binary file with a checksum, written atomically
/// (a temporary file, flushed to disk, then renamed over the old one), so that a process killed
/// at any moment leaves either the old file or the new one, never a mixture.
///
/// Layout, little-endian: magic `SWBCACHE`, version, dimensions, embedder name, entry count,
/// the entries, then an FNV-1a 64-bit checksum of every byte before it.
enum CacheFile {
    static let magic = Array("SWBCACHE".utf8)
    /// Version 2 scopes entries by the whole request context and stores answers' detail (tool
    /// calls, several choices…); version 1 files are set aside, since their scopes differ.
    static let version: UInt32 = 2

    struct Entry: Sendable, Equatable {
        var scope: CacheScope
        var normalized: String
        var prompt: String
        var answer: SemanticCache.Answer
        var vector: [Float]
        /// Wall-clock expiry, since monotonic instants do not survive a restart.
        var expiresAt: Date
    }

    struct Contents: Sendable, Equatable {
        var embedder: String
        var dimensions: Int
        var entries: [Entry]
    }

    static func write(_ contents: Contents, to path: String) throws(CacheFileError) {
        var writer = ByteWriter()
        writer.bytes(magic)
        writer.u32(version)
        writer.u32(UInt32(contents.dimensions))
        writer.string(contents.embedder)
        writer.u64(UInt64(contents.entries.count))
        for entry in contents.entries {
            writer.string(entry.scope.tenant)
            writer.string(entry.scope.model)
            writer.u64(entry.scope.systemPromptHash)
            writer.u64(entry.scope.contextHash)
            writer.optionalDouble(entry.scope.sampling.temperature)
            writer.optionalDouble(entry.scope.sampling.topP)
            writer.u64(entry.scope.sampling.maxTokens.map { UInt64(bitPattern: Int64($0)) } ?? UInt64.max)
            writer.u32(UInt32(entry.scope.sampling.stop.count))
            for stop in entry.scope.sampling.stop { writer.string(stop) }
            writer.string(entry.normalized)
            writer.string(entry.prompt)
            writer.string(entry.answer.text)
            writer.u64(UInt64(entry.answer.usage.promptTokens))
            writer.u64(UInt64(entry.answer.usage.completionTokens))
            writer.string(entry.answer.provider)
            writer.string(entry.answer.model)
            writer.string(entry.answer.detail?.jsonText ?? "")
            writer.double(entry.expiresAt.timeIntervalSince1970)
            for value in entry.vector { writer.u32(value.bitPattern) }
        }
        writer.u64(HashingEmbedder.hash(writer.data))
        try atomicWrite(writer.data, to: path)
    }

    static func read(path: String) throws(CacheFileError) -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CacheFileError("\(path): cannot be read")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= magic.count + 8, Array(bytes.prefix(magic.count)) == magic else {
            throw CacheFileError("\(path): not a Switchboard cache file (wrong magic bytes)")
        }
        let body = bytes.dropLast(8)
        var checksumReader = ByteReader(bytes: Array(bytes.suffix(8)))
        guard let stored = checksumReader.u64(), stored == HashingEmbedder.hash(body) else {
            throw CacheFileError("\(path): the checksum does not match; the file is truncated or damaged")
        }
        var reader = ByteReader(bytes: Array(body))
        _ = reader.take(magic.count)
        guard let version = reader.u32() else { throw CacheFileError("\(path): the header is incomplete") }
        guard version == Self.version else {
            throw CacheFileError("\(path): the file format is version \(version), this Switchboard reads version \(Self.version) (another release wrote it)")
        }
        guard let dimensions = reader.u32().map(Int.init), let embedder = reader.string(), let count = reader.u64() else {
            throw CacheFileError("\(path): the header is incomplete")
        }
        var entries: [Entry] = []
        for index in 0..<count {
            guard let entry = readEntry(&reader, dimensions: dimensions) else {
                throw CacheFileError("\(path): entry \(index + 1) of \(count) is incomplete")
            }
            entries.append(entry)
        }
        guard reader.isAtEnd else { throw CacheFileError("\(path): unexpected bytes after the last entry") }
        return Contents(embedder: embedder, dimensions: dimensions, entries: entries)
    }

    private static func readEntry(_ reader: inout ByteReader, dimensions: Int) -> Entry? {
        guard let tenant = reader.string(), let model = reader.string(), let system = reader.u64(), let history = reader.u64(),
              let temperature = reader.optionalDouble(), let topP = reader.optionalDouble(), let maxTokens = reader.u64(),
              let stopCount = reader.u32(), stopCount < 1024
        else { return nil }
        var stops: [String] = []
        for _ in 0..<stopCount {
            guard let stop = reader.string() else { return nil }
            stops.append(stop)
        }
        guard let normalized = reader.string(), let prompt = reader.string(), let text = reader.string(),
              let promptTokens = reader.u64(), let completionTokens = reader.u64(),
              let provider = reader.string(), let answerModel = reader.string(), let detailText = reader.string(), let expiry = reader.double()
        else { return nil }
        var detail: AnswerDetail?
        if !detailText.isEmpty {
            guard let parsed = AnswerDetail(jsonText: detailText) else { return nil }
            detail = parsed
        }
        var vector: [Float] = []
        vector.reserveCapacity(dimensions)
        for _ in 0..<dimensions {
            guard let bits = reader.u32() else { return nil }
            vector.append(Float(bitPattern: bits))
        }
        let sampling = SamplingParameters(temperature: temperature, topP: topP, maxTokens: maxTokens == UInt64.max ? nil : Int(Int64(bitPattern: maxTokens)), stop: stops)
        let scope = CacheScope(tenant: tenant, model: model, systemPromptHash: system, sampling: sampling, contextHash: history)
        return Entry(
            scope: scope, normalized: normalized, prompt: prompt,
            answer: .init(text: text, usage: TokenUsage(promptTokens: Int(promptTokens), completionTokens: Int(completionTokens)), provider: provider, model: answerModel, detail: detail),
            vector: vector, expiresAt: Date(timeIntervalSince1970: expiry)
        )
    }

    private static func atomicWrite(_ data: [UInt8], to path: String) throws(CacheFileError) {
        let temporary = "\(path).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw CacheFileError("\(path): cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        while written < data.count {
            let result = data.withUnsafeBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress! + written, data.count - written)
            }
            if result < 0 {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(temporary)
                throw CacheFileError("\(path): writing failed: \(reason)")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(temporary)
            throw CacheFileError("\(path): flushing to disk failed: \(reason)")
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CacheFileError("\(path): replacing the file failed: \(reason)")
        }
        // Make the rename itself durable.
        let directory = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}

/// A problem with a cache file: what and where.
package struct CacheFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, naming the file.
    package var message: String

    init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}

struct ByteWriter {
    var data: [UInt8] = []

    mutating func bytes(_ bytes: [UInt8]) { data.append(contentsOf: bytes) }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
    mutating func double(_ value: Double) { u64(value.bitPattern) }
    mutating func optionalDouble(_ value: Double?) {
        data.append(value == nil ? 0 : 1)
        double(value ?? 0)
    }
    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        u32(UInt32(utf8.count))
        data.append(contentsOf: utf8)
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    var isAtEnd: Bool { offset == bytes.count }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func u32() -> UInt32? {
        take(4).map { slice in slice.reversed().reduce(0) { $0 << 8 | UInt32($1) } }
    }

    mutating func u64() -> UInt64? {
        take(8).map { slice in slice.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
    }

    mutating func double() -> Double? { u64().map(Double.init(bitPattern:)) }

    mutating func optionalDouble() -> Double?? {
        guard let flag = take(1)?.first, let value = double() else { return nil }
        return .some(flag == 0 ? nil : value)
    }

    mutating func string() -> String? {
        guard let count = u32(), let slice = take(Int(count)) else { return nil }
        return String(validating: slice, as: UTF8.self)
    }
}
