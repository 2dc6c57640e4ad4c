/// An absolute `http://` or `https://` URL split into what a request needs: where to connect and
/// the request target.
struct UpstreamURL: Sendable, Hashable {
    /// Where connections go; the pool keeps connections per origin.
    struct Origin: Sendable, Hashable {
        var secure: Bool
        /// The host as written, without brackets for IPv6 literals.
        var host: String
        var port: Int

        /// The `host` header's value: the port only when it is not the scheme's default.
        var hostHeader: String {
            let name = host.contains(":") ? "[\(host)]" : host
            return port == (secure ? 443 : 80) ? name : "\(name):\(port)"
        }

        /// Whether ``host`` is an IP literal (which TLS does not send as a server name).
        var hostIsAddress: Bool {
            host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        }
    }

    var origin: Origin
    /// The path and query, e.g. `/v1/chat/completions`.
    var target: String

    /// Parses `text`.
    ///
    /// - Throws: ``UpstreamHTTPError`` (``UpstreamHTTPError/Code/badURL``) naming what is wrong.
    init(_ text: String) throws(UpstreamHTTPError) {
        let secure: Bool
        let rest: Substring
        if text.hasPrefix("http://") {
            secure = false
            rest = text.dropFirst(7)
        } else if text.hasPrefix("https://") {
            secure = true
            rest = text.dropFirst(8)
        } else {
            throw UpstreamHTTPError(.badURL, "the URL \(text) is not an http:// or https:// URL", responseStarted: false)
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw UpstreamHTTPError(.badURL, "the URL \(text) has an unclosed IPv6 address", responseStarted: false)
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else {
            throw UpstreamHTTPError(.badURL, "the URL \(text) has no host", responseStarted: false)
        }
        var port = secure ? 443 : 80
        if let portText, !portText.isEmpty {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw UpstreamHTTPError(.badURL, "the URL \(text) has a port that is not a number from 1 to 65535", responseStarted: false)
            }
            port = number
        }
        var target = String(rest[authorityEnd...])
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        host = host.lowercased()[...]
        origin = Origin(secure: secure, host: String(host), port: port)
        self.target = target
    }
}
