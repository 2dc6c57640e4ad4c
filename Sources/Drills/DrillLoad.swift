import AsyncHTTPClient
import Foundation
import NIOCore
import ServingEngine
import Synchronization

/// The drill's clients: a fixed number of concurrent loops that send chat completions (half of
/// them streamed, some prompts repeated so the cache answers too) to the gateway's real port for
/// a fixed time, each under a client-side deadline, and record what they saw.
final class DrillLoad: Sendable {
    /// One finished request.
    struct Sample: Sendable {
        var observation: DrillObservation
        /// When it was sent and when it ended, from the start of the load.
        var sentAt: Duration
        var endedAt: Duration
        var latency: Duration { endedAt - sentAt }
    }

    let client: HTTPClient
    let clients: Int
    let duration: Duration
    let deadline: Duration
    let seed: UInt64
    /// The gateway's base URL now (nil while there is none: requests are then refused at once).
    let target: Mutex<String?>

    init(client: HTTPClient, clients: Int, duration: Duration, deadline: Duration, seed: UInt64, target: String?) {
        self.client = client
        self.clients = clients
        self.duration = duration
        self.deadline = deadline
        self.seed = seed
        self.target = Mutex(target)
    }

    /// Runs the clients; `schedule` runs beside them with the load's start instant, to inject
    /// faults at the right moments. Returns every request's sample.
    ///
    /// The load lasts ``duration``, and at least a quarter of it more after `schedule` returns (the
    /// in-process scenarios' schedules end at three quarters, so for them nothing changes), so the
    /// state after the last fault is always observed: a gateway restarted after a SIGKILL may take
    /// longer to listen again than the rest of the run (a debug build on a busy machine does).
    func run(schedule: @escaping @Sendable (ContinuousClock.Instant) async -> Void) async -> [Sample] {
        let start = ContinuousClock.now
        let end = LoadEnd()
        let duration = duration
        return await withTaskGroup(of: [Sample].self) { group in
            group.addTask {
                await schedule(start)
                end.instant.withLock { $0 = max(start + duration, .now + duration / 4) }
                return []
            }
            for index in 0..<clients {
                group.addTask { await self.runClient(index, start: start, until: { end.instant.withLock { $0 } }) }
            }
            var all: [Sample] = []
            for await part in group { all += part }
            return all.sorted { $0.sentAt < $1.sentAt }
        }
    }

    /// When the load ends: unknown (nil) until the schedule has run, and clients keep sending
    /// until then.
    private final class LoadEnd: Sendable {
        let instant = Mutex<ContinuousClock.Instant?>(nil)
    }

    private func runClient(_ index: Int, start: ContinuousClock.Instant, until end: @Sendable () -> ContinuousClock.Instant?) async -> [Sample] {
        var random = SeededRandom(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        var samples: [Sample] = []
        while end().map({ ContinuousClock.now < $0 }) ?? true {
            let stream = random.unit() < 0.5
            let prompt = Self.prompt(&random)
            let sent = ContinuousClock.now
            let observation = await send(prompt: prompt, stream: stream)
            samples.append(Sample(observation: observation, sentAt: sent - start, endedAt: .now - start))
            if observation.transport == .refused {
                // Nothing is listening: do not spin; a real client would back off too.
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        return samples
    }

    private static let words = [
        "explain", "compare", "summarise", "translate", "list", "describe", "why", "how", "when", "which",
        "circuit", "breaker", "queue", "latency", "cache", "router", "token", "stream", "deadline", "budget",
        "kernel", "compiler", "garden", "river", "planet", "violin", "recipe", "glacier", "harbour", "lantern",
        "quantum", "protein", "ledger", "meadow", "canyon", "orbit", "pixel", "saddle", "tundra", "walnut",
    ]

    /// A prompt of random words (unrelated to one another, so the semantic cache rarely
    /// matches), or one of a few fixed prompts a tenth of the time, which the cache answers.
    static func prompt(_ random: inout SeededRandom) -> String {
        if random.unit() < 0.1 { return "Repeated drill question number \(Int(random.unit() * 5))" }
        return (0..<8).map { _ in words[Int(random.unit() * Double(words.count)) % words.count] }.joined(separator: " ")
    }

    /// Sends one request and observes it, under the client deadline.
    func send(prompt: String, stream: Bool) async -> DrillObservation {
        guard let base = target.withLock({ $0 }) else {
            return DrillObservation(stream: stream, status: nil, provider: nil, body: "", transport: .refused)
        }
        let collector = Collector()
        let deadline = deadline
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.exchange(base: base, prompt: prompt, stream: stream, into: collector)
                return true
            }
            group.addTask {
                try? await Task.sleep(for: deadline)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        var observation = collector.observation(stream: stream)
        if !finished { observation.transport = .timedOut }
        return observation
    }

    private func exchange(base: String, prompt: String, stream: Bool, into collector: Collector) async {
        var request = HTTPClientRequest(url: base + "/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        let body: [String: Any] = ["model": "auto", "stream": stream, "messages": [["role": "user", "content": prompt]]]
        request.body = .bytes(ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: body)) ?? Data()))
        do {
            let response = try await client.execute(request, timeout: .hours(1))
            collector.head(status: Int(response.status.code), provider: response.headers.first(name: "x-switchboard-provider"))
            for try await part in response.body {
                collector.append(part)
            }
            collector.end(.complete)
        } catch {
            collector.end(Self.transport(error))
        }
    }

    /// Classifies a client error: refused connections apart from everything else.
    static func transport(_ error: any Error) -> DrillObservation.Transport {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("ECONNREFUSED") || text.contains("errno: 111") {
            return .refused
        }
        return .broken(text.count > 160 ? String(text.prefix(160)) + "…" : text)
    }

    /// What one request received, filled in by the exchange and read after the race.
    final class Collector: Sendable {
        private struct State {
            var status: Int?
            var provider: String?
            var body = ByteBuffer()
            var transport: DrillObservation.Transport = .timedOut
        }
        private let state = Mutex(State())

        func head(status: Int, provider: String?) {
            state.withLock {
                $0.status = status
                $0.provider = provider
            }
        }

        func append(_ buffer: ByteBuffer) {
            state.withLock { state in
                var buffer = buffer
                state.body.writeBuffer(&buffer)
            }
        }

        func end(_ transport: DrillObservation.Transport) {
            state.withLock { $0.transport = transport }
        }

        func observation(stream: Bool) -> DrillObservation {
            state.withLock { DrillObservation(stream: stream, status: $0.status, provider: $0.provider, body: String(buffer: $0.body), transport: $0.transport) }
        }
    }
}
