import Dashboard
import ServingEngine
import Testing

/// The console's directive syntax.
@Suite struct ConsolePromptTests {
    @Test func parsesDirectivesThenText() throws {
        let prompt = try ConsolePrompt.parse("@globex model:gpt-cloud why is the sky blue?").get()
        #expect(prompt == ConsolePrompt(text: "why is the sky blue?", tenant: "globex", model: "gpt-cloud"))
        let request = prompt.request
        #expect(request.model == "gpt-cloud" && request.tenant == "globex" && request.stream)
        #expect(request.options.origin == .console && request.options.cacheLookup)
    }

    @Test func defaultsAndNoCache() throws {
        let prompt = try ConsolePrompt.parse("!nocache hi").get()
        #expect(prompt.tenant == ConsolePrompt.defaultTenant && prompt.bypassCache)
        #expect(!prompt.request.options.cacheLookup && !prompt.request.options.cacheStore)
        #expect(prompt.request.model == ChatRequest.automaticModel)
        // Directives only count at the start.
        #expect(try ConsolePrompt.parse("say @acme tier:x").get().text == "say @acme tier:x")
    }

    @Test func errorsSayWhatToType() {
        for line in ["@ hi", "tier: hi", "model: hi", "@acme", "   "] {
            guard case .failure(let error) = ConsolePrompt.parse(line) else {
                Issue.record("'\(line)' should not parse")
                continue
            }
            #expect(!error.message.isEmpty)
        }
    }
}
