import Foundation

/// The throwaway PostgreSQL server `scripts/with-postgres` starts for the tests, driven through
/// the control script it exports (`SWITCHBOARD_TEST_POSTGRES_CTL`).
struct TestPostgres: Sendable {
    let serverURL: String
    let control: String

    /// The server, or nil when the tests were not started through `scripts/with-postgres`.
    static var current: TestPostgres? {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["SWITCHBOARD_TEST_POSTGRES_URL"], let control = environment["SWITCHBOARD_TEST_POSTGRES_CTL"] else { return nil }
        return TestPostgres(serverURL: url, control: control)
    }

    static let missing = "no test PostgreSQL: run the tests through scripts/test (or scripts/with-postgres swift test …), which starts one and sets SWITCHBOARD_TEST_POSTGRES_URL"

    /// Makes a fresh database for one test and returns its URL.
    func createDatabase(prefix: String) async throws -> (name: String, url: String) {
        let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        try await run(["createdb", name])
        var components = URLComponents(string: serverURL)!
        components.path = "/\(name)"
        return (name, components.string!)
    }

    /// Cuts `database` off as a crashed server would look to its clients: new connections are
    /// refused and open ones are killed. Only this test's database goes away, so that tests
    /// running beside it keep theirs.
    func cutOff(_ database: String) async throws {
        try await run(["sql", "switchboard", "ALTER DATABASE \(database) ALLOW_CONNECTIONS false"])
        try await run(["sql", "switchboard", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)'"])
    }

    /// Lets clients connect to `database` again.
    func restore(_ database: String) async throws {
        try await run(["sql", "switchboard", "ALTER DATABASE \(database) ALLOW_CONNECTIONS true"])
    }

    /// Runs one statement in `database` and returns what it printed (unaligned, tuples only).
    func sql(_ database: String, _ statement: String) async throws -> String {
        try await run(["sql", database, statement])
    }

    @discardableResult
    private func run(_ arguments: [String]) async throws -> String {
        let output = try await SwitchboardBinary.run(executable: URL(fileURLWithPath: control), arguments, timeout: .seconds(60))
        guard output.status == 0 else {
            throw SwitchboardProcessError(message: "\(control) \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.standardError)")
        }
        return output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
