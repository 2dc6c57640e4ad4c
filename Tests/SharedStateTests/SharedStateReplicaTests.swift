import Foundation
import Logging
import ServingEngine
import SharedState
import TestSupport
import Testing

/// Two replicas in one process against the test PostgreSQL (`scripts/with-postgres`), each
/// test in a database of its own.
@Suite("Replicas sharing state through PostgreSQL")
struct SharedStateReplicaTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// A fresh database on the test server, made through its control script.
    static func database() async throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["SWITCHBOARD_TEST_POSTGRES_URL"], let control = environment["SWITCHBOARD_TEST_POSTGRES_CTL"] else {
            Issue.record("no test PostgreSQL: run the tests through scripts/test (or scripts/with-postgres swift test …)")
            return nil
        }
        let name = "replica_\(UInt32.random(in: 0...UInt32.max))"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: control)
        process.arguments = ["createdb", name]
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        #expect(status == 0, "createdb \(name) failed")
        var components = URLComponents(string: url)!
        components.path = "/\(name)"
        return components.string
    }

    /// An engine over the built-in configuration whose providers answer at once.
    static func engine() throws -> ServingEngine {
        let configuration = EngineConfiguration.builtInWithHashingEmbedder
        return try ServingEngine(configuration: configuration, providers: configuration.providers.map { InstantProvider(name: $0.name, answer: "answer from \($0.name)") })
    }

    static func eventually(_ check: () -> Bool) async -> Bool {
        for _ in 0..<100 {
            if check() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return check()
    }

    @Test func entriesInvalidationsAndOverridesTravelBothWaysAndALateReplicaLoadsTheTable() async throws {
        guard let url = try await Self.database() else { return }
        let (engineA, engineB) = (try Self.engine(), try Self.engine())
        let a = try await SharedStateReplica.connect(url: url, engine: engineA, logger: Self.logger)
        let b = try await SharedStateReplica.connect(url: url, engine: engineB, logger: Self.logger)
        #expect(a.replicaID != b.replicaID)
        let runs = [Task { await a.run() }, Task { await b.run() }]
        defer { runs.forEach { $0.cancel() } }
        #expect(await Self.eventually { engineA.snapshot(activityLimit: 0).sharedState.connection == .connected && engineB.snapshot(activityLimit: 0).sharedState.connection == .connected })

        let request = ChatRequest(prompt: "How many moons does Mars have?")
        let answered = try await engineA.complete(request)
        #expect(answered.decision.cache == .miss(bestSimilarity: nil))
        #expect(await Self.eventually { engineB.snapshot(activityLimit: 0).cache.statistics.entries == 1 })
        let onB = try await engineB.complete(request)
        #expect(onB.decision.cache == .exact)
        #expect(onB.text == answered.text)
        // Applying B's copy must not echo back to A as a second write.
        #expect(engineA.snapshot(activityLimit: 0).sharedState.appliedRemote == 0)

        _ = try engineB.perform(.setOverride(provider: "gpt-cloud", .forcedDown))
        #expect(await Self.eventually { engineA.snapshot(activityLimit: 0).providers.first { $0.name == "gpt-cloud" }?.override == .forcedDown })
        #expect(engineA.snapshot(activityLimit: 0).providers.first { $0.name == "gpt-cloud" }?.overrideOrigin?.setBy == b.replicaID)

        // A third replica starting now loads the table and the override.
        let engineC = try Self.engine()
        let c = try await SharedStateReplica.connect(url: url, engine: engineC, logger: Self.logger)
        let runC = Task { await c.run() }
        defer { runC.cancel() }
        #expect(engineC.snapshot(activityLimit: 0).cache.statistics.entries == 1)
        #expect(engineC.snapshot(activityLimit: 0).providers.first { $0.name == "gpt-cloud" }?.override == .forcedDown)
        #expect(await Self.eventually { engineC.snapshot(activityLimit: 0).sharedState.replicas.count == 3 })

        _ = try engineA.perform(.invalidateCache(tenant: nil, model: nil))
        #expect(await Self.eventually { engineB.snapshot(activityLimit: 0).cache.statistics.entries == 0 && engineC.snapshot(activityLimit: 0).cache.statistics.entries == 0 })
        #expect(try await engineC.complete(request).decision.cache == .miss(bestSimilarity: nil))
    }

    @Test func aToolCallAnswerTravelsWholeToTheOtherReplica() async throws {
        guard let url = try await Self.database() else { return }
        var configuration = EngineConfiguration.builtInWithHashingEmbedder
        for index in configuration.providers.indices { configuration.providers[index].declaredCapabilities = [.tools] }
        let makeEngine = { try ServingEngine(configuration: configuration, providers: configuration.providers.map { ToolCallingProvider(name: $0.name) }) }
        let (engineA, engineB) = (try makeEngine(), try makeEngine())
        let a = try await SharedStateReplica.connect(url: url, engine: engineA, logger: Self.logger)
        let b = try await SharedStateReplica.connect(url: url, engine: engineB, logger: Self.logger)
        let runs = [Task { await a.run() }, Task { await b.run() }]
        defer { runs.forEach { $0.cancel() } }
        let request = ChatRequest(model: "auto", messages: [ChatMessage(role: .user, content: "Weather in Lima?")], parameters: ["tools": [["type": "function", "function": ["name": "weather"]]]])
        let answered = try await engineA.complete(request)
        #expect(answered.choices.first?.toolCalls.first?.name == "weather")
        #expect(await Self.eventually { engineB.snapshot(activityLimit: 0).cache.statistics.entries == 1 })
        let onB = try await engineB.complete(request)
        #expect(onB.decision.cache == .exact)
        #expect(onB.choices == answered.choices)
    }

    @Test func aRefusedLoginIsAnErrorThatNamesTheCause() async throws {
        guard var url = try await Self.database().flatMap(URLComponents.init(string:)) else { return }
        url.user = "switchboard_password"
        url.password = "wrong-password"
        await #expect {
            _ = try await SharedStateReplica.connect(url: url.string!, engine: try Self.engine(), logger: Self.logger)
        } throws: { error in
            guard let error = error as? SharedStateError else { return false }
            return error.kind == .refused && error.message.contains("refused the login") && !error.message.contains("wrong-password")
        }
    }

    @Test func anUnreachableServerStartsDisconnectedWithoutFailing() async throws {
        let engine = try Self.engine()
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let replica = try await SharedStateReplica.connect(url: "postgres://nobody@127.0.0.1:1/none?sslmode=disable", engine: engine, options: .init(startTimeout: .seconds(2)), logger: Self.logger)
        guard case .disconnected(let reason) = engine.snapshot(activityLimit: 0).sharedState.connection else {
            Issue.record("expected disconnected, got \(engine.snapshot(activityLimit: 0).sharedState.connection)")
            return
        }
        #expect(reason.contains("127.0.0.1:1"))
        // Requests still work, and their changes wait in the queue.
        _ = try await engine.complete(ChatRequest(prompt: "Is anyone there?"))
        #expect(replica.status.queuedWrites == 1)
    }
}

/// A provider that always asks to call the `weather` tool.
struct ToolCallingProvider: ModelProvider {
    let name: String
    var model: String { name }

    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        AsyncThrowingStream { continuation in
            continuation.yield(.delta(ChoiceDelta(toolCalls: [ToolCallDelta(index: 0, id: "call_lima", type: "function", name: "weather", arguments: #"{"city":"Lima"}"#)])))
            continuation.yield(.finished(.toolCalls, TokenUsage(promptTokens: 4, completionTokens: 6)))
            continuation.finish()
        }
    }
}
