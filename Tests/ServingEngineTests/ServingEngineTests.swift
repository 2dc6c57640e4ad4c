import TestSupport
import Testing
@testable import ServingEngine

@Suite("Serving engine")
struct ServingEngineTests {
    func engine(_ providers: [ScriptedProvider], configuration: EngineConfiguration = testConfiguration()) throws -> ServingEngine {
        let named = Dictionary(uniqueKeysWithValues: providers.map { ($0.name, $0) })
        let all = ["a", "b", "c", "z"].map { named[$0] ?? ScriptedProvider($0) }
        return try ServingEngine(configuration: configuration, providers: all)
    }

    @Test func anEasyPromptIsAnsweredByTheSmallTiersFirstProvider() async throws {
        let engine = try engine([ScriptedProvider("a", script: [.answer("Paris is the capital.")])])
        let response = try await engine.complete(ChatRequest(prompt: "What is the capital of France?"))
        #expect(response.text == "Paris is the capital.")
        #expect(response.model == "a-model")
        #expect(response.decision.route.tier == "small")
        #expect(response.decision.provider == "a")
        #expect(response.decision.cache == .miss(bestSimilarity: nil))
        #expect(abs(response.decision.costUSD - (5.0 * 1 + 7 * 2) / 1_000_000) < 1e-12)
        #expect(abs(response.decision.frontierCostUSD - (5.0 * 10 + 7 * 30) / 1_000_000) < 1e-12)
        #expect(!response.decision.isFallback)
    }

    @Test func aFailingProviderIsRetriedThenTheCascadeFallsToTheNext() async throws {
        let b = ScriptedProvider("b", otherwise: .fail(ProviderFailure(.serverError, "HTTP 503")))
        let c = ScriptedProvider("c", script: [.answer("from c")])
        let engine = try engine([b, c])
        let response = try await engine.complete(ChatRequest(prompt: hardPrompt))
        #expect(response.text == "from c")
        #expect(b.callCount == 2)
        #expect(response.decision.attempts.map(\.provider) == ["b", "b", "c"])
        #expect(response.decision.isFallback)
        #expect(engine.snapshot().totals.fallbacks == 1)
    }

    @Test func whenEveryProviderFailsTheErrorListsWhatWasTried() async throws {
        let failing: [ScriptedProvider] = ["b", "c", "z"].map { ScriptedProvider($0, otherwise: .fail(ProviderFailure(.connection, "connection refused"))) }
        let engine = try engine(failing)
        do {
            _ = try await engine.complete(ChatRequest(prompt: hardPrompt))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .allProvidersFailed)
            #expect(error.attempts.map(\.provider) == ["b", "b", "c", "c", "z", "z"])
            #expect(error.message.hasPrefix("every provider for 'frontier' failed — tried: b#1 connection"))
        }
        let snapshot = engine.snapshot()
        #expect(snapshot.totals.failed == 1)
        #expect(snapshot.totals.inFlight == 0)
    }

    @Test func aForcedDownProviderIsSkippedAndTheOverrideIsLogged() async throws {
        let b = ScriptedProvider("b")
        let engine = try engine([b, ScriptedProvider("c", script: [.answer("from c")])])
        let message = try engine.perform(.setOverride(provider: "b", .forcedDown))
        #expect(message == "b forced down by operator")
        let response = try await engine.complete(ChatRequest(prompt: hardPrompt))
        #expect(response.text == "from c")
        #expect(b.callCount == 0)
        #expect(response.decision.attempts.first?.outcome == .skipped(.forcedDown))
        let snapshot = engine.snapshot()
        #expect(snapshot.providers.first { $0.name == "b" }?.state == .forcedDown)
        #expect(snapshot.activity.contains { entry in
            if case .event(let event) = entry { return event.kind == .operator && event.message == "b forced down by operator" }
            return false
        })
    }

    @Test func forcingAProviderUpCallsItEvenWithItsCircuitOpen() async throws {
        let b = ScriptedProvider("b", script: [.fail(ProviderFailure(.serverError, "503"))], otherwise: .answer("b is back"))
        let engine = try engine([b], configuration: testConfiguration(retry: RetryPolicy(maxAttemptsPerProvider: 1), breaker: .init(failureThreshold: 1, coolDown: .seconds(60))))
        _ = try await engine.complete(ChatRequest(prompt: hardPrompt))
        #expect(engine.snapshot().providers.first { $0.name == "b" }?.state == .circuitOpen)
        _ = try engine.perform(.setOverride(provider: "b", .forcedUp))
        var again = ChatRequest(prompt: hardPrompt)
        again.options.cacheLookup = false
        let response = try await engine.complete(again)
        #expect(response.decision.provider == "b")
    }

    @Test func anUnknownProviderInACommandIsAClearError() throws {
        let engine = try engine([])
        #expect(throws: CommandError.self) { try engine.perform(.setOverride(provider: "nope", .forcedDown)) }
    }

    @Test func repeatedFailuresOpenTheCircuitWithAVisibleReasonAndNextProbe() async throws {
        let b = ScriptedProvider("b", otherwise: .fail(ProviderFailure(.serverError, "HTTP 500")))
        let engine = try engine([b], configuration: testConfiguration(retry: RetryPolicy(maxAttemptsPerProvider: 1), breaker: .init(failureThreshold: 3, window: .seconds(10), coolDown: .seconds(30))))
        var request = ChatRequest(prompt: hardPrompt)
        request.options.cacheLookup = false
        for _ in 0..<4 { _ = try await engine.complete(request) }
        #expect(b.callCount == 3, "the fourth request must skip b while its circuit is open")
        let provider = try #require(engine.snapshot().providers.first { $0.name == "b" })
        #expect(provider.state == .circuitOpen)
        #expect(provider.breakerReason == "3 failures in 10 s: 3× server_error")
        #expect(provider.nextProbeIn.map { $0 > .seconds(25) && $0 <= .seconds(30) } == true)
        #expect(provider.circuitOpens == 1)
    }

    @Test func aRepeatedPromptIsServedFromTheCacheAndReplayedAsAStream() async throws {
        let a = ScriptedProvider("a", script: [.answer("Paris is the capital of France.")])
        let engine = try engine([a])
        _ = try await engine.complete(ChatRequest(prompt: "What is the capital of France?"))
        var events: [String] = []
        var source: AnswerSource?
        for try await event in engine.stream(ChatRequest(prompt: "what is the capital of france")) {
            switch event {
            case .answering(let answering): source = answering
            case .text(let chunk): events.append(chunk)
            case .delta, .responseFields: Issue.record("a plain text answer replays as text")
            case .finished(let reason, _, let decision):
                #expect(reason == .stop)
                #expect(decision.cache == .exact)
                #expect(decision.costUSD == 0)
                #expect(decision.frontierCostUSD > 0)
            }
        }
        #expect(events.joined() == "Paris is the capital of France.")
        #expect(events.count > 1, "a cached answer is replayed in chunks, like a live stream")
        #expect(source?.provider == nil)
        #expect(source?.cache == .exact)
        #expect(a.callCount == 1)
    }

    @Test func cutOffAnswersAndFailuresAreNeverCached() async throws {
        let a = ScriptedProvider("a", script: [.answer("half an ans", finish: .length), .answer("full answer")])
        let engine = try engine([a])
        let request = ChatRequest(prompt: "What is the capital of France?")
        _ = try await engine.complete(request)
        let second = try await engine.complete(request)
        #expect(second.text == "full answer")
        #expect(second.decision.cache == .miss(bestSimilarity: nil))
        #expect(a.callCount == 2)
    }

    @Test func bypassingTheCacheCallsTheProviderEvenForARepeat() async throws {
        let a = ScriptedProvider("a")
        let engine = try engine([a])
        _ = try await engine.complete(ChatRequest(prompt: "hello there"))
        var request = ChatRequest(prompt: "hello there")
        request.options.cacheLookup = false
        let response = try await engine.complete(request)
        #expect(response.decision.cache == .bypass)
        #expect(a.callCount == 2)
    }

    @Test func aStreamThatBreaksAfterTokensEndsWithAnExplicitError() async throws {
        let b = ScriptedProvider("b", script: [.breakAfter(chunks: ["Once", " upon"], ProviderFailure(.streamBroken, "connection reset"))])
        let engine = try engine([b])
        var received: [String] = []
        do {
            for try await event in engine.stream(ChatRequest(prompt: hardPrompt)) {
                if case .text(let chunk) = event { received.append(chunk) }
            }
            Issue.record("a broken stream must not end cleanly")
        } catch let error as EngineError {
            #expect(error.code == .interrupted)
            #expect(error.message.contains("broke off after 2 chunks"))
        }
        #expect(received == ["Once", " upon"])
        let snapshot = engine.snapshot()
        #expect(snapshot.totals.interrupted == 1)
        #expect(snapshot.cache.statistics.entries == 0)
    }

    @Test func aStreamThatFailsBeforeItsFirstTokenFallsBackInvisibly() async throws {
        let b = ScriptedProvider("b", otherwise: .breakAfter(chunks: [], ProviderFailure(.streamBroken, "reset before first token")))
        let engine = try engine([b, ScriptedProvider("c", script: [.answer("clean answer")])])
        var text = ""
        for try await event in engine.stream(ChatRequest(prompt: hardPrompt)) {
            if case .text(let chunk) = event { text += chunk }
        }
        #expect(text == "clean answer")
    }

    @Test func aProviderSlowerThanItsTimeoutIsAbandonedForTheNext() async throws {
        let b = ScriptedProvider("b", otherwise: .hang)
        let engine = try engine([b, ScriptedProvider("c", script: [.answer("c was quick")])], configuration: testConfiguration(timeout: .seconds(1), retry: RetryPolicy(maxAttemptsPerProvider: 1)))
        // b never answers (it sleeps an hour), so finishing at all shows the timeout worked. The
        // timeout is generous so that c, which answers at once, meets it even on a loaded machine.
        let response = try await engine.complete(ChatRequest(prompt: hardPrompt))
        #expect(response.decision.provider == "c" || response.decision.provider == "z")
        #expect(response.decision.attempts.first?.provider == "b")
        guard case .failed(let failure) = response.decision.attempts.first?.outcome else {
            Issue.record("expected b's attempt to have failed")
            return
        }
        #expect(failure.kind == .timeout)
    }

    @Test func theDeadlineBoundsTheWholeRequest() async throws {
        let hanging = ["b", "c", "z"].map { ScriptedProvider($0, otherwise: .hang) }
        let engine = try engine(hanging, configuration: testConfiguration(timeout: .seconds(5), deadline: .milliseconds(300)))
        do {
            _ = try await engine.complete(ChatRequest(prompt: hardPrompt))
            Issue.record("expected the deadline to pass")
        } catch {
            #expect(error.code == .deadlineExceeded)
        }
    }

    @Test func anExplicitModelBypassesTheRouter() async throws {
        let c = ScriptedProvider("c", script: [.answer("c answered")])
        let engine = try engine([c])
        let response = try await engine.complete(ChatRequest(prompt: "hi", model: "c"))
        #expect(response.text == "c answered")
        #expect(response.decision.route.method == .explicitModel("c"))
        let tier = try await engine.complete(ChatRequest(prompt: "hi", model: "frontier"))
        #expect(tier.decision.route.tier == "frontier")
    }

    @Test func anUnknownModelOrEmptyConversationIsRejectedClearly() async throws {
        let engine = try engine([])
        do {
            _ = try await engine.complete(ChatRequest(prompt: "hi", model: "gpt-7"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unknownModel)
            #expect(error.message.contains("'gpt-7' does not exist"))
        }
        do {
            _ = try await engine.complete(ChatRequest(messages: []))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidRequest)
        }
        #expect(engine.snapshot().totals.failed == 2)
    }

    @Test func aRequestForcedToATierGoesThere() async throws {
        let engine = try engine([])
        var request = ChatRequest(prompt: "What is the capital of France?")
        request.options.forcedTier = "frontier"
        let response = try await engine.complete(request)
        #expect(response.decision.route.tier == "frontier")
        #expect(response.decision.route.method == .forcedTier)
    }

    @Test func theSnapshotCountsRequestsHitsTiersAndSavings() async throws {
        let engine = try engine([])
        for _ in 0..<3 { _ = try await engine.complete(ChatRequest(prompt: "What is the capital of France?")) }
        _ = try await engine.complete(ChatRequest(prompt: hardPrompt))
        let snapshot = engine.snapshot()
        #expect(snapshot.totals.requests == 4)
        #expect(snapshot.totals.completed == 4)
        #expect(snapshot.totals.exactHits == 2)
        #expect(snapshot.totals.hitRate == 0.5)
        #expect(snapshot.tiers.map(\.requests) == [3, 1])
        #expect(snapshot.totals.savedFraction > 0.5)
        #expect(snapshot.activity.count == 4)
        #expect(snapshot.cache.statistics.entries == 2)
    }

    @Test func cancellingTheConsumerCancelsTheRequestAndRecordsIt() async throws {
        let engine = try engine([ScriptedProvider("b", otherwise: .hang)])
        let task = Task { try await engine.complete(ChatRequest(prompt: hardPrompt)) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        _ = await task.result
        for _ in 0..<100 where engine.snapshot().totals.cancelled == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        let snapshot = engine.snapshot()
        #expect(snapshot.totals.cancelled == 1)
        #expect(snapshot.totals.inFlight == 0)
        #expect(snapshot.providers.first { $0.name == "b" }?.inFlight == 0)
    }
}

@Suite("Operator commands")
struct OperatorCommandTests {
    @Test func faultsCanBeInjectedIntoASimulatedProviderAndCleared() async throws {
        var configuration = EngineConfiguration.builtInWithHashingEmbedder
        configuration.resilience.retry = RetryPolicy(maxAttemptsPerProvider: 1)
        for index in configuration.providers.indices {
            configuration.providers[index].simulation = SimulationProfile(timeToFirstToken: .milliseconds(1), timePerToken: .zero, spread: 0, answerTokens: 5)
            // Failing over on an injected fault is the subject, not timeouts: a busy test process
            // must not turn a 1 ms answer into a timeout.
            configuration.providers[index].timeout = .seconds(60)
        }
        let engine = try ServingEngine(configuration: configuration)
        let message = try engine.perform(.injectFaults(provider: "distilled-local", FaultProfile(errorRate: 1, kinds: [.serverError])))
        #expect(message == "distilled-local: injecting 100 % server_error faults, 1.0× latency")
        var request = ChatRequest(prompt: "What is DNA?")
        request.options.cacheLookup = false
        let response = try await engine.complete(request)
        #expect(response.decision.provider == "tiny-fallback")
        _ = try engine.perform(.injectFaults(provider: "distilled-local", FaultProfile()))
        #expect(try await engine.complete(request).decision.provider == "distilled-local")
    }

    @Test func theTrafficRateMustBeSensible() throws {
        let engine = try ServingEngine(configuration: .builtInWithHashingEmbedder)
        #expect(throws: CommandError.self) { try engine.perform(.setTrafficRate(-1)) }
        #expect(try engine.perform(.setTrafficRate(12.5)) == "traffic rate set to 12.5 req/s")
        #expect(engine.snapshot().traffic.rate == 12.5)
        #expect(try engine.perform(.setTrafficPaused(true)) == "traffic paused")
        #expect(engine.snapshot().traffic.paused)
    }
}
