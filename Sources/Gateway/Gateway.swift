/// Namespace for the HTTP face of Switchboard.
///
/// The OpenAI-compatible server, the admin API and `/metrics` arrive with the gateway issue;
/// until then the module exists so that the dependency graph is the final one.
public enum Gateway {
    /// The address the gateway listens on when none is given.
    public static let defaultListenAddress = "127.0.0.1:8080"
}
