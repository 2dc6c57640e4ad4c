import Yams

/// Reads one YAML mapping with typed accessors that report errors with file, line and key path,
/// and that reject keys nobody asked for (a typo in a key is an error, not a silent default).
package struct YAMLReader {
    package let file: String
    package let path: String
    let node: Node
    private var pairs: [(key: String, keyNode: Node, value: Node)] = []
    private var consumed: Set<String> = []

    init(file: String, path: String, node: Node) throws(ConfigError) {
        self.file = file
        self.path = path
        self.node = node
        guard case .mapping(let mapping) = node else {
            throw Self.error(file: file, node: node, key: path, "expected a mapping of keys to values, got \(Self.describe(node))")
        }
        for (key, value) in mapping {
            guard let name = key.string else {
                throw Self.error(file: file, node: key, key: path, "keys must be plain words, got \(Self.describe(key))")
            }
            if pairs.contains(where: { $0.key == name }) {
                throw Self.error(file: file, node: key, key: child(name), "this key appears twice; keep one")
            }
            pairs.append((name, key, value))
        }
    }

    package func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    package func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    mutating func value(_ key: String) -> Node? {
        guard let pair = pairs.first(where: { $0.key == key }) else { return nil }
        consumed.insert(key)
        if case .scalar(let scalar) = pair.value, scalar.tag == .init(.null) || (scalar.string.isEmpty && scalar.style == .plain) {
            return nil
        }
        return pair.value
    }

    mutating func required(_ key: String, _ expected: String) throws(ConfigError) -> Node {
        guard let node = value(key) else {
            throw Self.error(file: file, node: node, key: child(key), "missing; expected \(expected)")
        }
        return node
    }

    package mutating func string(_ key: String, default fallback: String? = nil) throws(ConfigError) -> String {
        guard let node = value(key) else {
            if let fallback { return fallback }
            throw Self.error(file: file, node: self.node, key: child(key), "missing; expected a string")
        }
        guard case .scalar(let scalar) = node else {
            throw Self.error(file: file, node: node, key: child(key), "expected a string, got \(Self.describe(node))")
        }
        return scalar.string
    }

    package mutating func double(_ key: String, default fallback: Double, in range: ClosedRange<Double>, unit: String = "") throws(ConfigError) -> Double {
        guard let node = value(key) else { return fallback }
        let expected = "a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))\(unit)"
        guard case .scalar = node, let number = node.float ?? node.int.map(Double.init) else {
            throw Self.error(file: file, node: node, key: child(key), "expected \(expected), got \(Self.describe(node))")
        }
        guard range.contains(number) else {
            throw Self.error(file: file, node: node, key: child(key), "expected \(expected), got \(Self.format(number))")
        }
        return number
    }

    package mutating func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>, unit: String = "") throws(ConfigError) -> Int {
        guard let node = value(key) else { return fallback }
        let expected = "a whole number from \(range.lowerBound) to \(range.upperBound)\(unit)"
        guard case .scalar = node, let number = node.int else {
            throw Self.error(file: file, node: node, key: child(key), "expected \(expected), got \(Self.describe(node))")
        }
        guard range.contains(number) else {
            throw Self.error(file: file, node: node, key: child(key), "expected \(expected), got \(number)")
        }
        return number
    }

    package mutating func bool(_ key: String, default fallback: Bool) throws(ConfigError) -> Bool {
        guard let node = value(key) else { return fallback }
        guard case .scalar = node, let value = node.bool else {
            throw Self.error(file: file, node: node, key: child(key), "expected true or false, got \(Self.describe(node))")
        }
        return value
    }

    package mutating func milliseconds(_ key: String, default fallback: Duration, in range: ClosedRange<Int> = 0...3_600_000) throws(ConfigError) -> Duration {
        guard has(key) else { return fallback }
        return .milliseconds(try int(key, default: 0, in: range, unit: " milliseconds"))
    }

    package mutating func seconds(_ key: String, default fallback: Duration, in range: ClosedRange<Double> = 0...86_400 * 365) throws(ConfigError) -> Duration {
        guard has(key) else { return fallback }
        return .milliseconds(Int64(try double(key, default: 0, in: range, unit: " seconds") * 1000))
    }

    package mutating func strings(_ key: String, default fallback: [String]? = nil) throws(ConfigError) -> [String] {
        guard let node = value(key) else {
            if let fallback { return fallback }
            throw Self.error(file: file, node: self.node, key: child(key), "missing; expected a list of names, e.g. [a, b]")
        }
        guard case .sequence(let sequence) = node else {
            throw Self.error(file: file, node: node, key: child(key), "expected a list of names, e.g. [a, b], got \(Self.describe(node))")
        }
        var result: [String] = []
        for (index, item) in sequence.enumerated() {
            guard case .scalar(let scalar) = item else {
                throw Self.error(file: file, node: item, key: "\(child(key))[\(index)]", "expected a name, got \(Self.describe(item))")
            }
            result.append(scalar.string)
        }
        return result
    }

    package mutating func mapping(_ key: String) throws(ConfigError) -> YAMLReader? {
        guard let node = value(key) else { return nil }
        return try YAMLReader(file: file, path: child(key), node: node)
    }

    package mutating func list(_ key: String) throws(ConfigError) -> [YAMLReader] {
        guard let node = value(key) else { return [] }
        guard case .sequence(let sequence) = node else {
            throw Self.error(file: file, node: node, key: child(key), "expected a list (lines starting with '- '), got \(Self.describe(node))")
        }
        var readers: [YAMLReader] = []
        for (index, item) in sequence.enumerated() {
            readers.append(try YAMLReader(file: file, path: "\(child(key))[\(index)]", node: item))
        }
        return readers
    }

    package func error(_ key: String, _ message: String) -> ConfigError {
        let target = pairs.first { $0.key == key }?.value ?? node
        return Self.error(file: file, node: target, key: key.isEmpty ? path : child(key), message)
    }

    /// Fails on keys that were never read, suggesting the closest known key.
    package func finish(known: [String]) throws(ConfigError) {
        for pair in pairs where !consumed.contains(pair.key) {
            let suggestion = known.min { Self.distance($0, pair.key) < Self.distance($1, pair.key) }
            var message = "unknown key"
            if let suggestion, Self.distance(suggestion, pair.key) <= max(2, pair.key.count / 3) {
                message += "; did you mean '\(suggestion)'?"
            }
            message += " Known keys here: \(known.joined(separator: ", "))"
            throw Self.error(file: file, node: pair.keyNode, key: child(pair.key), message)
        }
    }

    static func error(file: String, node: Node, key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, column: node.mark?.column, key: key, message: message)
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
