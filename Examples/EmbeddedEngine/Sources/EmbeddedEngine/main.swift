import ServingEngine

/// A provider of the embedding program's own: the engine calls it as it would a model server.
struct EchoProvider: ModelProvider {
    let name: String
    let model = "echo-1"

    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        let prompt = request.messages.last?.content ?? ""
        return AsyncThrowingStream { continuation in
            continuation.yield(.text("echo: \(prompt)"))
            continuation.yield(.finished(.stop, TokenUsage(promptTokens: 4, completionTokens: 3)))
            continuation.finish()
        }
    }
}

// The built-in demo deployment, every simulated provider replaced by the echo provider.
let configuration = EngineConfiguration.builtIn
let engine = try ServingEngine(configuration: configuration, providers: configuration.providers.map { EchoProvider(name: $0.name) })

let first = try await engine.complete(ChatRequest(prompt: "What is the capital of France?"))
print("answer: \(first.text)")
print("route: tier \(first.decision.route.tier), provider \(first.decision.provider ?? "-"), cache \(first.decision.cache)")

// The same prompt again is an exact cache hit.
let second = try await engine.complete(ChatRequest(prompt: "What is the capital of France?"))
print("again: cache \(second.decision.cache)")

// An operator command, and the snapshot a console would draw.
print(try engine.perform(.setOverride(provider: configuration.providers[0].name, .forcedDown)))
let snapshot = engine.snapshot()
print("snapshot: \(snapshot.totals.requests) requests, \(snapshot.providers.count) providers, cache \(snapshot.cache.decisionRule)")
