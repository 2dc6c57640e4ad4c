import Testing
@testable import ServingEngine

/// The cache keys on everything that changes the answer, and replays what it stored faithfully.
@Suite("The cache scope of tools, formats, images and parameters")
struct ProxyCacheScopeTests {
    static let weatherTool: JSONValue = ["type": "function", "function": ["name": "weather", "parameters": ["type": "object", "properties": ["city": ["type": "string"]]]]]

    /// Tier `small` = [a, z], every provider able to do everything unless `limited` says otherwise.
    func engine(_ providers: [ScriptedProvider], limited: [String: Set<ProviderCapability>] = [:], threshold: Double = 0.85, storesToolCalls: Bool = true) throws -> ServingEngine {
        var configuration = testConfiguration()
        for index in configuration.providers.indices {
            configuration.providers[index].declaredCapabilities = limited[configuration.providers[index].name] ?? Set(ProviderCapability.known)
        }
        configuration.cacheDecision = CacheDecisionConfiguration(kind: .threshold, similarityThreshold: threshold)
        configuration.cache.storesToolCalls = storesToolCalls
        let named = Dictionary(uniqueKeysWithValues: providers.map { ($0.name, $0) })
        return try ServingEngine(configuration: configuration, providers: ["a", "b", "c", "z"].map { named[$0] ?? ScriptedProvider($0) })
    }

    static func wire(_ object: JSONObject) -> ChatMessage {
        ChatMessage(role: ChatRole(rawValue: object["role"]?.stringValue ?? "user")!, content: object["content"]?.stringValue ?? "", wire: object)
    }

    static let question = "What is the weather in Paris today?"
    static let toolCallChunks: [ProviderChunk] = [
        .delta(ChoiceDelta(toolCalls: [ToolCallDelta(index: 0, id: "call_1", type: "function", name: "weather", arguments: "")])),
        .delta(ChoiceDelta(toolCalls: [ToolCallDelta(index: 0, arguments: #"{"city":"Paris"}"#)])),
        .delta(ChoiceDelta(finishReason: .toolCalls)),
        .finished(.toolCalls, TokenUsage(promptTokens: 20, completionTokens: 8)),
    ]

    func firstTurn() -> ChatRequest {
        ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: Self.question)], parameters: ["tools": [Self.weatherTool]])
    }

    func secondTurn(result: String) -> ChatRequest {
        var request = firstTurn()
        request.messages.append(Self.wire(["role": "assistant", "content": .null, "tool_calls": [["id": "call_1", "type": "function", "function": ["name": "weather", "arguments": #"{"city":"Paris"}"#]]]]))
        request.messages.append(Self.wire(["role": "tool", "tool_call_id": "call_1", "content": .string(result)]))
        return request
    }

    @Test func aToolResultTurnIsNeverAHitForTheFirstTurnsEntry() async throws {
        let a = ScriptedProvider("a", script: [.chunks(Self.toolCallChunks), .answer("It is 18 °C in Paris."), .answer("It is 25 °C in Paris.")])
        let engine = try engine([a])
        let first = try await engine.complete(firstTurn())
        #expect(first.choices[0].toolCalls.map(\.name) == ["weather"])
        let second = try await engine.complete(secondTurn(result: "18 °C"))
        #expect(second.decision.cache == .miss(bestSimilarity: nil), "the tool's result is part of the scope")
        #expect(second.text == "It is 18 °C in Paris.")
        let other = try await engine.complete(secondTurn(result: "25 °C"))
        #expect(other.decision.cache == .miss(bestSimilarity: nil), "another tool result is another question")
        #expect(other.text == "It is 25 °C in Paris.")
        let again = try await engine.complete(secondTurn(result: "18 °C"))
        #expect(again.decision.cache == .exact)
        #expect(again.text == "It is 18 °C in Paris.")
        #expect(a.callCount == 3)
    }

    @Test func aRequestWithToolsNeverReceivesAnAnswerStoredWithoutThemNorTheReverse() async throws {
        let a = ScriptedProvider("a", script: [.answer("I cannot look up the weather."), .chunks(Self.toolCallChunks)])
        let engine = try engine([a])
        let plain = try await engine.complete(ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: Self.question)]))
        #expect(plain.text == "I cannot look up the weather.")
        let withTools = try await engine.complete(firstTurn())
        #expect(withTools.decision.cache == .miss(bestSimilarity: nil))
        #expect(withTools.choices[0].finishReason == .toolCalls)
        let plainAgain = try await engine.complete(ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: Self.question)]))
        #expect(plainAgain.decision.cache == .exact)
        #expect(plainAgain.choices[0].toolCalls.isEmpty)
        let toolsAgain = try await engine.complete(firstTurn())
        #expect(toolsAgain.decision.cache == .exact)
        #expect(toolsAgain.choices[0].toolCalls == [ToolCall(id: "call_1", name: "weather", arguments: #"{"city":"Paris"}"#)])
        #expect(a.callCount == 2)
    }

    @Test func aCachedToolCallStreamsAgainAsTheSamePieces() async throws {
        let a = ScriptedProvider("a", script: [.chunks(Self.toolCallChunks)])
        let engine = try engine([a])
        _ = try await engine.complete(firstTurn())
        var request = firstTurn()
        request.stream = true
        var answer = AnswerAccumulator()
        var finish: FinishReason?
        for try await event in engine.stream(request) {
            switch event {
            case .text(let text): answer.add(text: text)
            case .delta(let delta): answer.add(delta)
            case .finished(let reason, _, let decision):
                finish = reason
                #expect(decision.cache == .exact)
            case .answering, .responseFields: break
            }
        }
        #expect(finish == .toolCalls)
        #expect(answer.choices(finish: .stop)[0].toolCalls == [ToolCall(id: "call_1", name: "weather", arguments: #"{"city":"Paris"}"#)])
    }

    @Test func withToolCallStoringOffAToolCallIsAskedForEveryTime() async throws {
        let a = ScriptedProvider("a", script: [.chunks(Self.toolCallChunks), .chunks(Self.toolCallChunks)])
        let engine = try engine([a], storesToolCalls: false)
        _ = try await engine.complete(firstTurn())
        let again = try await engine.complete(firstTurn())
        #expect(again.decision.cache == .miss(bestSimilarity: nil))
        #expect(a.callCount == 2)
    }

    @Test func fieldsThatChangeTheAnswerSplitTheCacheAndBookkeepingDoesNot() async throws {
        let engine = try engine([])
        let base = ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: "Name a colour.")], parameters: ["seed": 7])
        _ = try await engine.complete(base)
        var bookkeeping = base
        bookkeeping.parameters["user"] = "someone-else"
        bookkeeping.parameters["metadata"] = ["trace": "x"]
        bookkeeping.parameters["store"] = false
        #expect(try await engine.complete(bookkeeping).decision.cache == .exact)
        for (key, value) in [("seed", JSONValue.integer(8)), ("response_format", ["type": "json_object"]), ("logit_bias", ["50256": -100]), ("n", 2), ("top_k", 5), ("reasoning_effort", "high")] as [(String, JSONValue)] {
            var changed = base
            changed.parameters[key] = value
            #expect(try await engine.complete(changed).decision.cache == .miss(bestSimilarity: nil), "\(key) changes the answer")
        }
    }

    @Test func aPromptWithAnImageIsAnsweredFromTheCacheOnlyByAnExactMatch() async throws {
        let engine = try engine([], threshold: 0.3)
        func request(_ text: String, image: String?) -> ChatRequest {
            var parts: [JSONValue] = [["type": "text", "text": .string(text)]]
            if let image { parts.append(["type": "image_url", "image_url": ["url": .string(image)]]) }
            return ChatRequest(model: "small", messages: [Self.wire(["role": "user", "content": .array(parts)]).withText(text)])
        }
        _ = try await engine.complete(request("What is in this picture of a cat?", image: "data:image/png;base64,AAAA"))
        // The same words without an image: a text request may match semantically, but not this entry.
        let paraphrase = try await engine.complete(request("What is in this picture of the cat?", image: "data:image/png;base64,AAAA"))
        #expect(paraphrase.decision.cache == .miss(bestSimilarity: nil), "no semantic match against an image prompt")
        let otherImage = try await engine.complete(request("What is in this picture of a cat?", image: "data:image/png;base64,BBBB"))
        #expect(otherImage.decision.cache == .miss(bestSimilarity: nil), "another image is another question")
        let same = try await engine.complete(request("What is in this picture of a cat?", image: "data:image/png;base64,AAAA"))
        #expect(same.decision.cache == .exact)
        // The control: plain text prompts this close do match semantically at this threshold.
        _ = try await engine.complete(ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: "What is in this picture of a cat?")]))
        let text = try await engine.complete(ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: "What is in this picture of the cat?")]))
        guard case .semantic = text.decision.cache else {
            Issue.record("the control did not match semantically: \(text.decision.cache)")
            return
        }
    }

    @Test func severalChoicesAreStoredAndReplayedWhole() async throws {
        let a = ScriptedProvider("a", script: [.chunks([
            .text("red"), .delta(ChoiceDelta(index: 1, content: "blue")), .delta(ChoiceDelta(index: 1, finishReason: .stop)), .finished(.stop, nil),
        ])])
        let engine = try engine([a])
        let request = ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: "Name a colour.")], parameters: ["n": 2])
        let first = try await engine.complete(request)
        #expect(first.choices.map(\.content) == ["red", "blue"])
        let again = try await engine.complete(request)
        #expect(again.decision.cache == .exact)
        #expect(again.choices.map(\.content) == ["red", "blue"])
    }

    @Test func requestIDsDifferBetweenEnginesThatServedTheSameNumberOfRequests() async throws {
        let first = try await engine([]).complete(ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: "hi")]))
        let second = try await engine([]).complete(ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: "hi")]))
        #expect(first.id.hasPrefix("chatcmpl-") && second.id.hasPrefix("chatcmpl-"))
        #expect(first.id != second.id, "a restart or another replica never reuses an id")
    }

    @Test func theClientsFieldsReachTheProviderAsSent() async throws {
        let a = ScriptedProvider("a")
        let engine = try engine([a])
        let parameters: JSONObject = ["tools": [Self.weatherTool], "tool_choice": "required", "seed": 9_007_199_254_740_993, "x_vendor": ["deep": [1, 2]], "max_completion_tokens": 64]
        _ = try await engine.complete(ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: "hi")], parameters: parameters))
        #expect(a.received.first?.parameters == parameters)
    }
}

@Suite("Providers chosen by what a request needs")
struct CapabilityTests {
    func engine(_ providers: [ScriptedProvider], capabilities: [String: Set<ProviderCapability>]) throws -> ServingEngine {
        var configuration = testConfiguration()
        for index in configuration.providers.indices {
            configuration.providers[index].declaredCapabilities = capabilities[configuration.providers[index].name] ?? []
        }
        let named = Dictionary(uniqueKeysWithValues: providers.map { ($0.name, $0) })
        return try ServingEngine(configuration: configuration, providers: ["a", "b", "c", "z"].map { named[$0] ?? ScriptedProvider($0) })
    }

    static let imageRequest = ChatRequest(model: "small", messages: [ChatMessage(
        role: .user, content: "What is this?",
        wire: ["role": "user", "content": [["type": "text", "text": "What is this?"], ["type": "image_url", "image_url": ["url": "https://example.com/cat.png"]]]]
    )])

    @Test func aProviderWithoutVisionIsSkippedAndSaysWhy() async throws {
        let z = ScriptedProvider("z", script: [.answer("A cat.")])
        let a = ScriptedProvider("a")
        let engine = try engine([a, z], capabilities: ["z": [.vision]])
        let answer = try await engine.complete(Self.imageRequest)
        #expect(answer.text == "A cat.")
        #expect(a.callCount == 0)
        #expect(answer.decision.attempts.first?.summary == "a skipped: no vision")
    }

    @Test func whenNoProviderCanCarryTheRequestTheErrorNamesWhatIsMissing() async throws {
        let engine = try engine([], capabilities: [:])
        do {
            _ = try await engine.complete(Self.imageRequest)
            Issue.record("an image went to providers without vision")
        } catch {
            #expect(error.code == .noCapableProvider)
            #expect(error.message.contains("vision (for messages[0].content[1])"), "\(error.message)")
            #expect(error.message.contains("a: no vision") && error.message.contains("z: no vision"), "\(error.message)")
        }
    }

    @Test func whatARequestNeedsIsReadFromItsFields() {
        let request = ChatRequest(model: "auto", messages: [ChatMessage(role: .user, content: "x")], parameters: [
            "tools": [["type": "function", "function": ["name": "f"]]], "response_format": ["type": "json_schema", "json_schema": ["name": "s"]], "logprobs": true, "n": 3,
        ])
        #expect(request.capabilityNeeds.map(\.capability) == [.jsonSchema, .logprobs, .multipleChoices, .tools])
    }

    @Test func whenEveryProviderIsRateLimitedTheCallerIsToldWhenToRetry() async throws {
        let limited = ProviderFailure(.rateLimited, "HTTP 429", retryAfter: .milliseconds(1500))
        let a = ScriptedProvider("a", otherwise: .fail(limited))
        let z = ScriptedProvider("z", otherwise: .fail(ProviderFailure(.rateLimited, "HTTP 429", retryAfter: .seconds(3))))
        let engine = try engine([a, z], capabilities: [:])
        do {
            _ = try await engine.complete(ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: "hi")]))
            Issue.record("answered")
        } catch {
            #expect(error.code == .rateLimited)
            #expect(error.retryAfter == .milliseconds(1500))
        }
    }
}

extension ChatMessage {
    /// The message with its text view set (as the gateway's parser would read it from its parts).
    func withText(_ text: String) -> ChatMessage {
        ChatMessage(role: role, content: text, wire: wire ?? [:])
    }
}
