/// Why the gateway could not start or keep running, in words an operator can act on.
///
/// A struct over a private code so that cases can be added without breaking callers.
package struct GatewayError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case invalidListenAddress
        case addressInUse
        case cannotListen
        case unauthenticatedExposure
        case missingSecret
        case stopped
    }

    private let code: Code
    /// What happened and what to do about it.
    package let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `HOST:PORT` could not be understood.
    package static func invalidListenAddress(_ text: String) -> GatewayError {
        GatewayError(.invalidListenAddress, "'\(text)' is not a listen address; expected HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks a free port)")
    }

    /// Another process holds the port.
    package static func addressInUse(_ address: String) -> GatewayError {
        GatewayError(.addressInUse, "cannot listen on \(address): the address is already in use; stop the other process or pick another port with --listen")
    }

    /// Binding failed for another reason.
    package static func cannotListen(_ address: String, reason: String) -> GatewayError {
        GatewayError(.cannotListen, "cannot listen on \(address): \(reason)")
    }

    /// A non-loopback address without API keys.
    package static func unauthenticatedExposure(_ address: String) -> GatewayError {
        GatewayError(.unauthenticatedExposure, "refusing to listen on \(address) without API keys: anyone who can reach it could use your providers; configure gateway.api_keys, listen on 127.0.0.1, or pass --allow-unauthenticated")
    }

    /// An environment variable named in the configuration is not set.
    package static func missingSecret(variable: String, purpose: String) -> GatewayError {
        GatewayError(.missingSecret, "the environment variable \(variable) (\(purpose)) is not set or is empty; export it before starting")
    }

    /// The server stopped before it was listening.
    package static func stopped(_ reason: String) -> GatewayError {
        GatewayError(.stopped, "the gateway stopped before it was listening: \(reason)")
    }

    /// Whether the error is ``addressInUse(_:)``.
    package var isAddressInUse: Bool { code == .addressInUse }

    package var description: String { message }
}
