/// A configuration problem, located precisely enough to fix: file, line, column and key.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (or `built-in`).
    public var file: String
    /// The line, from 1, when known.
    public var line: Int?
    /// The column, from 1, when known.
    public var column: Int?
    /// The key's path, e.g. `providers[2].timeout_ms`.
    public var key: String
    /// What is wrong and what is expected instead.
    public var message: String

    /// Creates an error.
    public init(file: String, line: Int? = nil, column: Int? = nil, key: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return key.isEmpty ? "\(location): \(message)" : "\(location): \(key): \(message)"
    }
}
