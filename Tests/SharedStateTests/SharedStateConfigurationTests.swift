import ServingEngine
import SharedState
import Testing

@Suite("The shared_state section")
struct SharedStateConfigurationTests {
    static let base = """
        providers: [{ name: a }]
        tiers: [{ name: main, chain: [a] }]
        """

    @Test func aURLOrAnEnvironmentVariableNamesTheDatabase() throws {
        let direct = try ConfigurationLoader.parse(Self.base + "\nshared_state: { url: 'postgres://sb@db/fleet' }\n", source: "fleet.yaml")
        #expect(try SharedStateConfiguration(direct).resolvedURL(environment: [:], source: "fleet.yaml") == "postgres://sb@db/fleet")
        let named = try ConfigurationLoader.parse(Self.base + "\nshared_state: { url_env: FLEET_DB }\n", source: "fleet.yaml")
        #expect(try SharedStateConfiguration(named).resolvedURL(environment: ["FLEET_DB": "postgres://sb:pw@db/fleet"], source: "fleet.yaml") == "postgres://sb:pw@db/fleet")
        #expect(throws: ConfigError.self) { try SharedStateConfiguration(named).resolvedURL(environment: [:], source: "fleet.yaml") }
        #expect(try SharedStateConfiguration(ConfigurationLoader.parse(Self.base, source: "alone.yaml")).resolvedURL(environment: [:], source: "alone.yaml") == nil)
    }

    @Test func onUnavailableIsOpenUnlessTheFileSaysClosed() throws {
        #expect(try ConfigurationLoader.parse(Self.base, source: "alone.yaml").onSharedStateUnavailable == .open)
        let closed = try ConfigurationLoader.parse(Self.base + "\nshared_state: { url: 'postgres://sb@db/fleet', on_unavailable: closed }\n", source: "fleet.yaml")
        #expect(closed.onSharedStateUnavailable == .closed)
        // Alone, for a fleet whose database --state names.
        let policyOnly = try ConfigurationLoader.parse(Self.base + "\nshared_state: { on_unavailable: closed }\n", source: "fleet.yaml")
        #expect(policyOnly.onSharedStateUnavailable == .closed)
        #expect(try SharedStateConfiguration(policyOnly).resolvedURL(environment: [:], source: "fleet.yaml") == nil)
    }

    @Test(arguments: [
        ("shared_state: { url: 'postgres://sb:secret@db/fleet' }", "a password does not belong"),
        ("shared_state: { url: 'postgres://sb@db/f', url_env: X }", "not both"),
        ("shared_state: { uri: 'postgres://sb@db/f' }", "did you mean 'url'"),
        ("shared_state: { url: 'postgres://sb@db/f', on_unavailable: sometimes }", "fleet.yaml:3:60: shared_state.on_unavailable"),
        ("shared_state: { url: 'postgres://sb@db/f', on_unavailable: sometimes }", "expected open (keep serving on each replica's own limits) or closed"),
    ])
    func mistakesAreNamed(section: String, expected: String) {
        #expect {
            try SharedStateConfiguration(ConfigurationLoader.parse(Self.base + "\n" + section + "\n", source: "fleet.yaml"))
        } throws: { error in
            "\(error)".contains(expected) && !"\(error)".contains("secret")
        }
    }
}
