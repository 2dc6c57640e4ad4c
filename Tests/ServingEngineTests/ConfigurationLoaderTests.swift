import Foundation
import Testing
@testable import ServingEngine

@Suite("Configuration loader")
struct ConfigurationLoaderTests {
    let minimal = """
        providers:
          - name: local
            model: local-7b
            price: { input_per_mtok: 0.1, output_per_mtok: 0.2 }
          - name: cloud
        tiers:
          - name: small
            chain: [local]
          - name: frontier
            chain: [cloud, local]
        """

    func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try ConfigurationLoader.parse(yaml, source: "test.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func theBuiltInConfigurationIsValidAndMatchesTheClassicSetUp() {
        let configuration = EngineConfiguration.builtIn
        #expect(configuration.providers.map(\.name) == ["distilled-local", "finetuned-local", "gpt-cloud", "claude-cloud", "tiny-fallback"])
        #expect(configuration.tiers.map(\.chain) == [["distilled-local", "tiny-fallback"], ["finetuned-local", "gpt-cloud", "claude-cloud", "tiny-fallback"]])
        #expect(configuration.source == "built-in")
    }

    @Test func aMinimalFileFillsDefaults() throws {
        let configuration = try ConfigurationLoader.parse(minimal, source: "test.yaml")
        #expect(configuration.provider(named: "local")?.pricing == Pricing(inputPerMillion: 0.1, outputPerMillion: 0.2))
        #expect(configuration.provider(named: "cloud")?.model == "cloud")
        #expect(configuration.frontierTier == "frontier")
        #expect(configuration.routerThresholds == [.init(tier: "frontier", upTo: 1)])
    }

    @Test func anUnknownKeyIsAnErrorWithItsLineAndASuggestion() {
        let yaml = minimal.replacingOccurrences(of: "    model: local-7b", with: "    modle: local-7b")
        let error = error(yaml)
        #expect(error?.line == 3)
        #expect(error?.key == "providers[0].modle")
        #expect(error?.message.contains("did you mean 'model'?") == true)
        #expect(error?.description.hasPrefix("test.yaml:3:5: providers[0].modle: unknown key") == true)
    }

    @Test func aWrongTypeNamesTheKeyAndWhatIsExpected() {
        let yaml = minimal + "\nresilience:\n  deadline_ms: soon\n"
        let error = error(yaml)
        #expect(error?.key == "resilience.deadline_ms")
        #expect(error?.line == 12)
        #expect(error?.message == "expected a whole number from 1 to 3600000 milliseconds, got 'soon'")
    }

    @Test func anOutOfRangeNumberIsRejected() {
        let error = error(minimal + "\ncache:\n  similarity_threshold: 1.5\n")
        #expect(error?.key == "cache.similarity_threshold")
        #expect(error?.message == "expected a number from 0 to 1, got 1.5")
    }

    @Test func aChainNamingAnUnknownProviderIsRejected() {
        let error = error(minimal.replacingOccurrences(of: "[cloud, local]", with: "[cloud, lcoal]"))
        #expect(error?.key == "tiers[1].chain[1]")
        #expect(error?.message == "no provider named 'lcoal'; known providers: local, cloud")
    }

    @Test func duplicateProviderNamesAreRejected() {
        let error = error(minimal.replacingOccurrences(of: "- name: cloud", with: "- name: local"))
        #expect(error?.key == "providers[1].name")
    }

    @Test func aYAMLSyntaxErrorGivesItsLine() {
        let error = error("providers:\n  - name: a\n    model: [unclosed\ntiers: []\n")
        #expect(error?.line != nil)
        #expect(error?.message.hasPrefix("YAML syntax error") == true)
    }

    @Test func aMissingSectionSaysWhatIsNeeded() {
        let error = error("providers:\n  - name: a\n")
        #expect(error?.key == "tiers")
        #expect(error?.message.contains("missing") == true)
    }

    @Test func anUnknownProviderKindListsTheKnownOnes() {
        let error = error(minimal.replacingOccurrences(of: "  - name: cloud", with: "  - name: cloud\n    kind: telepathy"))
        #expect(error?.key == "providers[1].kind")
        #expect(error?.message.hasPrefix("unknown provider kind 'telepathy'; expected one of: simulated") == true)
    }

    @Test func aMissingFileIsAClearError() {
        do {
            _ = try ConfigurationLoader.load(path: "/nonexistent/switchboard.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/nonexistent/switchboard.yaml")
            #expect(error.message.hasPrefix("cannot read the file"))
        }
    }
}
