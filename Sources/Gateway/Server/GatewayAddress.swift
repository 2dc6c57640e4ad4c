/// A host and port the gateway listens on (or should listen on).
package struct GatewayAddress: Sendable, Hashable, CustomStringConvertible {
    /// Host name or IP address, e.g. `127.0.0.1`.
    package var host: String
    /// TCP port; 0 asks the system for a free one.
    package var port: Int

    /// Creates an address.
    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (IPv6 hosts in brackets, e.g. `[::1]:8080`).
    package init(parsing text: String) throws(GatewayError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw .invalidListenAddress(text)
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .invalidListenAddress(text) }
        self.init(host: host, port: port)
    }

    /// Whether only this machine can reach the address.
    package var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// `HOST:PORT`.
    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The base URL clients use, e.g. `http://127.0.0.1:8080`.
    package var url: String { "http://\(description)" }
}
