@testable import SharedState
import Testing

@Suite("Parsing --state URLs")
struct SharedStateLocationTests {
    @Test func aFullURLGivesHostPortDatabaseAndHidesThePassword() throws {
        let location = try SharedStateLocation(url: "postgres://app:s3cret@db.internal:6543/fleet?sslmode=require", environment: [:])
        #expect(location.configuration.host == "db.internal")
        #expect(location.configuration.port == 6543)
        #expect(location.configuration.username == "app")
        #expect(location.configuration.password == "s3cret")
        #expect(location.configuration.database == "fleet")
        #expect(location.description == "postgres://app@db.internal:6543/fleet")
        #expect(!location.description.contains("s3cret"))
    }

    @Test func thePasswordMayComeFromPGPASSWORDAndASocketDirectoryFromHost() throws {
        let location = try SharedStateLocation(url: "postgresql://app@localhost/fleet?host=/run/postgresql", environment: ["PGPASSWORD": "from-env"])
        #expect(location.configuration.password == "from-env")
        #expect(location.configuration.unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
    }

    @Test(arguments: [
        ("mysql://app@db/fleet", "the scheme must be postgres://"),
        ("postgres://db/fleet", "the user name is missing"),
        ("postgres://app@db/", "the database name is missing"),
        ("postgres://app@db/fleet?sslmode=sometimes", "sslmode must be disable, prefer or require"),
        ("postgres://app@db/fleet?pool=9", "unknown parameter 'pool'"),
        ("postgres://app@db:70000/fleet", "the port must be from 1 to 65535"),
        ("postgres://app:hunter2@db/fleet?sslmode=x", "postgres://app:***@db/fleet"),
    ])
    func aMalformedURLSaysWhatIsWrong(url: String, expected: String) {
        #expect {
            try SharedStateLocation(url: url, environment: [:])
        } throws: { error in
            guard let error = error as? SharedStateError else { return false }
            return error.kind == .badURL && error.message.contains(expected) && !error.message.contains("hunter2")
        }
    }
}
