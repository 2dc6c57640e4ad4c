/// Namespace for the HTTP face of Switchboard: the OpenAI-compatible server, the admin API,
/// `/metrics`, and the real providers behind it.
package enum Gateway {
    /// The address the gateway listens on when none is given.
    package static let defaultListenAddress = "127.0.0.1:8080"
}
