import Foundation
import TestSupport
import Testing
@testable import ServingEngine

@Suite("Cache file")
struct CacheFileTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString).swbc").path
    }

    func engine() throws -> ServingEngine {
        var configuration = EngineConfiguration.builtInWithHashingEmbedder
        for index in configuration.providers.indices {
            configuration.providers[index].simulation = SimulationProfile(timeToFirstToken: .milliseconds(1), timePerToken: .zero, spread: 0, answerTokens: 5)
        }
        return try ServingEngine(configuration: configuration)
    }

    @Test func answersSurviveARestartWithTheirScopes() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try engine()
        var request = ChatRequest(prompt: "What is a Bloom filter?", tenant: "acme")
        request.sampling.temperature = 0.2
        let original = try await first.complete(request)
        #expect(try first.saveCache(to: path) == 1)

        let second = try engine()
        #expect(second.loadCache(from: path) == .loaded(entries: 1))
        let replay = try await second.complete(request)
        #expect(replay.decision.cache == .exact)
        #expect(replay.text == original.text)
        var otherTenant = request
        otherTenant.tenant = "globex"
        #expect(try await second.complete(otherTenant).decision.cache != .exact, "scopes survive the file")
        var otherTemperature = request
        otherTemperature.sampling.temperature = 0.9
        #expect(try await second.complete(otherTemperature).decision.cache.isHit == false)
    }

    @Test func aMissingFileStartsEmpty() throws {
        #expect(try engine().loadCache(from: temporaryPath()) == .missing)
    }

    @Test func aTruncatedFileIsSetAsideWithAClearReasonAndTheEngineStartsEmpty() async throws {
        let path = temporaryPath()
        let first = try engine()
        _ = try await first.complete(ChatRequest(prompt: "What is DNA?"))
        try first.saveCache(to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 11).write(to: URL(fileURLWithPath: path))

        let second = try engine()
        let outcome = second.loadCache(from: path)
        guard case .setAside(let reason, let movedTo) = outcome else {
            Issue.record("expected the file to be set aside, got \(outcome)")
            return
        }
        defer { try? FileManager.default.removeItem(atPath: movedTo) }
        #expect(reason.contains("checksum does not match"))
        #expect(movedTo.hasPrefix(path + ".damaged-"))
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(FileManager.default.fileExists(atPath: movedTo))
        #expect(second.snapshot().cache.statistics.entries == 0)
        #expect(second.snapshot().activity.contains { if case .event(let event) = $0 { event.message.contains("moved to") } else { false } })
    }

    @Test func aFileOfAnotherKindIsSetAside() throws {
        let path = temporaryPath()
        try "not a cache".write(toFile: path, atomically: true, encoding: .utf8)
        guard case .setAside(let reason, let movedTo) = try engine().loadCache(from: path) else {
            Issue.record("expected the file to be set aside")
            return
        }
        defer { try? FileManager.default.removeItem(atPath: movedTo) }
        #expect(reason.contains("not a Switchboard cache file"))
    }

    @Test func expiredEntriesAreNotLoaded() throws {
        let entry = CacheFile.Entry(
            scope: CacheScope(request: ChatRequest(prompt: "x")), normalized: "x", prompt: "x",
            answer: .init(text: "y", usage: TokenUsage(), provider: "p", model: "m"),
            vector: HashingEmbedder().vector(for: "x"), expiresAt: Date().addingTimeInterval(-5)
        )
        let cache = SemanticCache(settings: .init(), rule: .threshold(0.95), embedder: HashingEmbedder())
        #expect(cache.importEntries([entry]) == 0)
    }

    @Test func savingReplacesTheFileAtomicallyAndLeavesNoTemporaryBehind() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let engine = try engine()
        try engine.saveCache(to: path)
        _ = try await engine.complete(ChatRequest(prompt: "What is gravity?"))
        try engine.saveCache(to: path)
        let folder = (path as NSString).deletingLastPathComponent
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix((path as NSString).lastPathComponent + ".tmp") }
        #expect(leftovers.isEmpty)
        #expect(try CacheFile.read(path: path).entries.count == 1)
    }
}

@Suite("Cache file: answers with detail")
struct CacheFileDetailTests {
    @Test func aToolCallAnswerSurvivesARestartWhole() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString).swbc").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = testConfiguration()
        for index in configuration.providers.indices { configuration.providers[index].declaredCapabilities = [.tools] }
        let chunks: [ProviderChunk] = [
            .responseFields(["system_fingerprint": "fp_1"]),
            .delta(ChoiceDelta(toolCalls: [ToolCallDelta(index: 0, id: "call_1", type: "function", name: "weather", arguments: #"{"city":"Oslo"}"#)])),
            .finished(.toolCalls, TokenUsage(promptTokens: 3, completionTokens: 4, promptTokensDetails: ["cached_tokens": 1])),
        ]
        let request = ChatRequest(model: "small", messages: [ChatMessage(role: .user, content: "Weather in Oslo?")], parameters: ["tools": [["type": "function", "function": ["name": "weather"]]]])
        let first = try ServingEngine(configuration: configuration, providers: ["a", "b", "c", "z"].map { $0 == "a" ? ScriptedProvider("a", script: [.chunks(chunks)]) : ScriptedProvider($0) })
        let original = try await first.complete(request)
        #expect(try first.saveCache(to: path) == 1)
        let second = try ServingEngine(configuration: configuration, providers: ["a", "b", "c", "z"].map { ScriptedProvider($0) })
        #expect(second.loadCache(from: path) == .loaded(entries: 1))
        let replay = try await second.complete(request)
        #expect(replay.decision.cache == .exact)
        #expect(replay.choices == original.choices)
        #expect(replay.choices.first?.toolCalls.first?.name == "weather")
        #expect(replay.responseFields["system_fingerprint"] == "fp_1")
    }
}
