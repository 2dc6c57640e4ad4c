import Dashboard
import Testing
import ServingEngine

/// Parsing and matching of the Routes filter (`\`), without a terminal.
@Suite struct RoutesFilterTests {
    static let entries = Fixtures.headActivity

    static func shown(_ line: String) throws -> [String] {
        let filter = try RoutesFilter.parse(line).get()
        return entries.filter(filter.matches).map { entry in
            switch entry {
            case .decision(let record): "#\(record.id)"
            case .event(let event): event.kind.rawValue
            }
        }
    }

    @Test func plainTextMatchesAnywhereInTheRowIgnoringCase() throws {
        #expect(try Self.shown("LOCK-FREE") == ["#20"])
        #expect(try Self.shown("globex") == ["#19", "#15"])
        #expect(try Self.shown("forced down") == ["operator"], "events match plain text in their message")
    }

    @Test func fieldTermsMatchOneFieldByPrefix() throws {
        #expect(try Self.shown("tenant:acme") == ["#20", "#17", "#14"])
        #expect(try Self.shown("provider:gpt-cloud") == ["#20", "#17", "#15"], "a provider that was tried counts, not only the one that answered")
        #expect(try Self.shown("tier:frontier") == ["#20", "#17", "#16", "#15"])
        #expect(try Self.shown("cache:semantic") == ["#18"])
        #expect(try Self.shown("cache:hit") == ["#19", "#18"])
        #expect(try Self.shown("status:fallback") == ["#20", "#17"])
        #expect(try Self.shown("status:failed") == ["#15"])
        #expect(try Self.shown("origin:console") == ["#16"])
    }

    @Test func termsCombineAndBangNegates() throws {
        #expect(try Self.shown("tenant:acme !status:fallback") == ["#14"])
        #expect(try Self.shown("!tenant:acme tier:small") == ["#19", "#18", "#13"])
        #expect(try Self.shown("!circuit") == ["operator", "#20", "#19", "#18", "#17", "#16", "#15", "#14", "#13"])
    }

    @Test func termsWithRegexCharactersAreRegularExpressions() throws {
        #expect(try Self.shown("^what") == ["#19"])
        #expect(try Self.shown("(rust|postgres)$") == ["#20", "#15"])
    }

    @Test func anUnknownFieldSaysWhichFieldsExist() {
        guard case .failure(let error) = RoutesFilter.parse("tennant:acme") else { Issue.record("expected an error"); return }
        #expect(error.message == "unknown filter field 'tennant:' in 'tennant:acme'; use one of tenant: provider: tier: cache: status: origin:")
    }

    @Test func aBadRegexOrAnEmptyTermIsAClearError() {
        guard case .failure(let regex) = RoutesFilter.parse("(unclosed") else { Issue.record("expected an error"); return }
        #expect(regex.message.hasPrefix("'(unclosed' is not a valid regular expression"))
        guard case .failure(let empty) = RoutesFilter.parse("tenant:") else { Issue.record("expected an error"); return }
        #expect(empty.message == "'tenant:' has nothing to match; write e.g. tenant:NAME")
        guard case .failure = RoutesFilter.parse("   ") else { Issue.record("an empty filter is not a filter"); return }
    }
}
