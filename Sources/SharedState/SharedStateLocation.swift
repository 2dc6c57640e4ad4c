import Foundation
import NIOSSL
package import PostgresNIO

/// Where the shared database is, parsed from a `postgres://` URL.
///
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`; the
/// password may also come from the `PGPASSWORD` environment variable, so that it stays out of
/// process listings. `host=/path/to/socket/dir` in the query connects through a Unix socket.
package struct SharedStateLocation: Sendable, CustomStringConvertible {
    /// The client configuration to connect with.
    package var configuration: PostgresClient.Configuration
    /// The same for a single connection, which reports a refused login at once where the
    /// pool would keep retrying; its TLS context is made in ``probeConfiguration()``.
    private var probeBase: PostgresConnection.Configuration
    private var probeTLS: ProbeTLS

    private enum ProbeTLS: Sendable {
        case disable, prefer, require
    }
    /// The location without the password, for logs, errors and the dashboard.
    package var description: String

    /// Parses `url`.
    ///
    /// - Throws: ``SharedStateError`` of kind `badURL`, saying which part is wrong.
    package init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(SharedStateError) {
        func bad(_ why: String) -> SharedStateError {
            SharedStateError(.badURL, "--state \(Self.redacted(url)): \(why); expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]")
        }
        guard let components = URLComponents(string: url) else { throw bad("not a URL") }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw bad("the scheme must be postgres:// or postgresql://")
        }
        guard let user = components.user, !user.isEmpty else { throw bad("the user name is missing") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw bad("the database name is missing (the path after the host)") }
        let password = components.password ?? environment["PGPASSWORD"]
        var sslMode = "prefer"
        var socketDirectory: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode": sslMode = item.value ?? ""
            case "host": socketDirectory = item.value
            case "application_name", "connect_timeout": continue
            default: throw bad("unknown parameter '\(item.name)' (known: sslmode, host)")
            }
        }
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable":
            tls = .disable
            probeTLS = .disable
        case "prefer", "allow":
            tls = .prefer(.makeClientConfiguration())
            probeTLS = .prefer
        case "require":
            tls = .require(.makeClientConfiguration())
            probeTLS = .require
        default: throw bad("sslmode must be disable, prefer or require, got '\(sslMode)'")
        }
        if let socketDirectory {
            guard socketDirectory.hasPrefix("/") else { throw bad("host= must be the absolute path of a socket directory") }
            let port = components.port ?? 5432
            configuration = PostgresClient.Configuration(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
            probeBase = PostgresConnection.Configuration(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
            description = "postgres://\(user)@[\(socketDirectory)]:\(port)/\(database)"
        } else {
            guard let host = components.host, !host.isEmpty else { throw bad("the host is missing") }
            let port = components.port ?? 5432
            guard (1...65535).contains(port) else { throw bad("the port must be from 1 to 65535") }
            configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
            probeBase = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: .disable)
            description = "postgres://\(user)@\(host):\(port)/\(database)"
        }
        configuration.options.connectTimeout = .seconds(3)
        probeBase.options.connectTimeout = .seconds(3)
    }

    /// The single-connection configuration, with its TLS context. Making a context reads the
    /// system's trust store, which takes long enough to starve Swift's cooperative pool, so it
    /// is done on a Dispatch thread.
    func probeConfiguration() async throws -> PostgresConnection.Configuration {
        var configuration = probeBase
        guard probeTLS != .disable, configuration.host != nil else { return configuration }
        let mode = probeTLS
        configuration.tls = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                    continuation.resume(returning: mode == .require ? .require(context) : .prefer(context))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        return configuration
    }

    /// `url` with any password replaced by `***`.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "(unprintable URL)"
    }
}
