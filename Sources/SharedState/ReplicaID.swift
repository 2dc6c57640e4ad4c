import Foundation

/// Identifies one running replica: host, process and a random part, so that a restarted
/// process on the same host is a new replica and ignores none of the old one's changes.
enum ReplicaID {
    static func make() -> String {
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(hostName())-\(getpid())-\(random)"
    }

    /// The short host name from `gethostname`: `ProcessInfo.hostName` resolves names through
    /// DNS, which can block for seconds where no resolver answers.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "host" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.split(separator: ".").first.map(String.init) ?? "host"
    }
}
