import Foundation

/// Identifies one running replica: host, process and a random part, so that a restarted
/// process on the same host is a new replica and ignores none of the old one's changes.
enum ReplicaID {
    static func make() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(host)-\(getpid())-\(random)"
    }
}
