import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServingEngine
import Synchronization

/// What Switchboard adds to a request: the same load against a local upstream that answers at
/// once, first directly and then through the gateway (cache off), in one run and one process.
///
/// ```swift
/// let report = try await GatewayBenchmark(concurrency: 8, requests: 20_000).run()
/// print(report.addedP99)
/// ```
public struct GatewayBenchmark: Sendable {
    /// Requests in flight at once.
    public var concurrency: Int
    /// Measured requests per target (after the warm-up).
    public var requests: Int
    /// Requests per target before measuring.
    public var warmUp: Int
    /// If set, the offered load in requests per second (paced); otherwise as fast as possible.
    public var rate: Double?

    /// One target's figures.
    public struct Measurement: Sendable {
        /// `direct` or `gateway`.
        public var target: String
        /// Requests completed.
        public var requests: Int
        /// Requests that failed.
        public var errors: Int
        /// Achieved throughput.
        public var requestsPerSecond: Double
        /// Client-seen latency percentiles.
        public var p50: Duration
        /// 99th percentile.
        public var p99: Duration
        /// 99.9th percentile.
        public var p999: Duration
    }

    /// The run's figures.
    public struct Report: Sendable {
        /// Straight to the upstream.
        public var direct: Measurement
        /// Through Switchboard.
        public var gateway: Measurement
        /// Switchboard's own time per request, from its `x-switchboard-overhead-ms` header (p50).
        public var overheadP50: Duration
        /// The same, p99.
        public var overheadP99: Duration
        /// Resident memory after the run, in bytes.
        public var residentBytes: Int
        /// Peak resident memory, in bytes.
        public var peakResidentBytes: Int

        /// Gateway p50 minus direct p50.
        public var addedP50: Duration { gateway.p50 - direct.p50 }
        /// Gateway p99 minus direct p99.
        public var addedP99: Duration { gateway.p99 - direct.p99 }
    }

    /// Creates a benchmark.
    public init(concurrency: Int = 8, requests: Int = 20_000, warmUp: Int = 2_000, rate: Double? = nil) {
        self.concurrency = concurrency
        self.requests = requests
        self.warmUp = warmUp
        self.rate = rate
    }

    /// Runs it: starts the upstream and a gateway on loopback ports, measures, stops them.
    public func run() async throws -> Report {
        let upstream = InstantUpstream()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            group.addTask { try await upstream.run { portContinuation.yield($0) } }
            guard let upstreamPort = await ports.first(where: { _ in true }) else { throw GatewayError.stopped("the upstream did not start") }

            var provider = ProviderConfiguration(name: "instant", kind: .openAICompatible, model: "instant", pricing: Pricing(inputPerMillion: 0, outputPerMillion: 0))
            provider.baseURL = "http://127.0.0.1:\(upstreamPort)/v1"
            provider.maxConcurrency = 100_000
            var configuration = EngineConfiguration(source: "bench", providers: [provider], tiers: [TierConfiguration(name: "main", chain: ["instant"])], routerThresholds: [.init(tier: "main", upTo: 1)], frontierTier: "main")
            configuration.cache.enabled = false
            let remote = RemoteProviders(source: "bench", environment: [:])
            let engine = try ServingEngine(configuration: configuration, makeProvider: remote.make)
            var logger = Logger(label: "bench")
            logger.logLevel = .critical
            let gateway = GatewayServer(engine: engine, settings: GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0)), logger: logger)
            group.addTask { try await gateway.run() }
            let address = try await gateway.listeningAddress()

            var clientConfiguration = HTTPClient.Configuration()
            clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(concurrency, 8))
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
            let body = ByteBuffer(string: #"{"model":"auto","messages":[{"role":"user","content":"Say something quick."}]}"#)
            do {
                let directURL = "http://127.0.0.1:\(upstreamPort)/v1/chat/completions"
                let gatewayURL = address.url + "/v1/chat/completions"
                _ = try await load(client: client, url: directURL, body: body, count: warmUp)
                _ = try await load(client: client, url: gatewayURL, body: body, count: warmUp)
                let direct = try await load(client: client, url: directURL, body: body, count: requests)
                let through = try await load(client: client, url: gatewayURL, body: body, count: requests)
                try await client.shutdown()
                try await remote.shutdown()
                group.cancelAll()
                let memory = Self.memory()
                return Report(
                    direct: direct.measurement("direct"), gateway: through.measurement("gateway"),
                    overheadP50: Self.percentile(through.overheads, 0.50), overheadP99: Self.percentile(through.overheads, 0.99),
                    residentBytes: memory.resident, peakResidentBytes: memory.peak
                )
            } catch {
                try? await client.shutdown()
                try? await remote.shutdown()
                group.cancelAll()
                throw error
            }
        }
    }

    private struct Samples: Sendable {
        var latencies: [Duration] = []
        var overheads: [Duration] = []
        var errors = 0
        var elapsed: Duration = .zero

        func measurement(_ target: String) -> Measurement {
            Measurement(
                target: target, requests: latencies.count, errors: errors,
                requestsPerSecond: Double(latencies.count) / max(elapsed.seconds, 1e-9),
                p50: GatewayBenchmark.percentile(latencies, 0.50), p99: GatewayBenchmark.percentile(latencies, 0.99), p999: GatewayBenchmark.percentile(latencies, 0.999)
            )
        }
    }

    private func load(client: HTTPClient, url: String, body: ByteBuffer, count: Int) async throws -> Samples {
        let workers = max(1, concurrency)
        let perWorker = max(1, count / workers)
        let interval: Duration? = rate.map { .nanoseconds(Int64(Double(workers) / $0 * 1e9)) }
        let start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: Samples.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var samples = Samples()
                    samples.latencies.reserveCapacity(perWorker)
                    // Stagger paced workers so the offered load is smooth.
                    var next = start + (interval.map { $0 * Double(worker) / Double(workers) } ?? .zero)
                    for _ in 0..<perWorker {
                        if let interval {
                            if next > .now { try await Task.sleep(until: next, clock: .continuous) }
                            next += interval
                        }
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "content-type", value: "application/json")
                        request.body = .bytes(body)
                        let sent = ContinuousClock.now
                        do {
                            let response = try await client.execute(request, timeout: .seconds(30))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            let latency = ContinuousClock.now - sent
                            if response.status.code == 200 {
                                samples.latencies.append(latency)
                                if let overhead = response.headers.first(name: "x-switchboard-overhead-ms").flatMap(Double.init) {
                                    samples.overheads.append(.nanoseconds(Int64(overhead * 1e6)))
                                }
                            } else {
                                samples.errors += 1
                            }
                        } catch {
                            samples.errors += 1
                        }
                    }
                    return samples
                }
            }
            var all = Samples()
            for try await part in group {
                all.latencies += part.latencies
                all.overheads += part.overheads
                all.errors += part.errors
            }
            return all
        }
        var samples = results
        samples.elapsed = .now - start
        return samples
    }

    static func percentile(_ values: [Duration], _ p: Double) -> Duration {
        guard !values.isEmpty else { return .zero }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
    }

    /// Resident and peak resident memory of this process (Linux `/proc/self/status`; zero elsewhere).
    static func memory() -> (resident: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func kilobytes(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0) * 1024
        }
        return (kilobytes("VmRSS:"), kilobytes("VmHWM:"))
    }
}
