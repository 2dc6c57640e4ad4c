import Logging
import Synchronization

/// A log handler that keeps every line (message and metadata, as text) for a test to search.
struct RecordingLogHandler: LogHandler {
    /// The lines, shared by every copy of the handler.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])

        func append(_ line: String) { lines.withLock { $0.append(line) } }

        /// Everything logged so far, one line per entry.
        var all: [String] { lines.withLock { $0 } }
    }

    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append("\(event.level) \(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }

    /// A logger at trace level that records into `lines`.
    static func logger(_ lines: Lines) -> Logger {
        var logger = Logger(label: "recorded") { _ in RecordingLogHandler(lines: lines) }
        logger.logLevel = .trace
        return logger
    }
}
