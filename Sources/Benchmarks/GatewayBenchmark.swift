import AsyncHTTPClient
import Foundation
import Gateway
import Logging
import Measuring
import NIOCore
import ServingEngine
import Synchronization
import TestSupport

/// What Switchboard adds to a request: the same load against an upstream, first directly and then
/// through a gateway (cache off), in one run and with one client.
///
/// By default the upstream is a local one that answers at once and the gateway runs in this
/// process; `upstreamURL` measures against any OpenAI-compatible upstream, and `targetURL` measures
/// any gateway already running in front of it (another Switchboard process, or another product),
/// with the same client. Sequential runs interleave the two targets request by request, so that
/// both see the same machine.
///
/// ```swift
/// let report = try await GatewayBenchmark(concurrency: 8, requests: 20_000).run()
/// print(report.addedP99)
/// ```
package struct GatewayBenchmark: Sendable {
    /// Requests in flight at once (1 with `sequential`).
    package var concurrency: Int
    /// Measured requests per target (after the warm-up).
    package var requests: Int
    /// Requests per target before measuring.
    package var warmUp: Int
    /// If set, the offered load in requests per second (paced); otherwise as fast as possible.
    package var rate: Double?
    /// One request at a time over one keep-alive connection per target, the targets interleaved.
    package var sequential: Bool
    /// Ask for streamed answers and measure time to first token and the gaps between chunks.
    package var stream: Bool
    /// An upstream's base URL (`http://host:port/v1`) instead of the local instant one.
    package var upstreamURL: String?
    /// A running gateway's base URL (`http://host:port/v1`) to measure instead of one started here.
    package var targetURL: String?
    /// The process id of the gateway at `targetURL`, whose resident memory is then reported.
    package var targetPID: Int32?
    /// Time between the local upstream's streamed chunks (so that gaps can be measured).
    package var chunkInterval: Duration

    /// One target's figures.
    package struct Measurement: Sendable {
        /// `direct` or `gateway`.
        package var target: String
        /// Requests completed.
        package var requests: Int
        /// Requests that failed.
        package var errors: Int
        /// Achieved throughput.
        package var requestsPerSecond: Double
        /// Client-seen latency percentiles.
        package var p50: Duration
        /// 99th percentile.
        package var p99: Duration
        /// 99.9th percentile.
        package var p999: Duration
        /// Time to the first streamed content (streams only).
        package var firstTokenP50: Duration
        /// 99th percentile of the time to the first streamed content.
        package var firstTokenP99: Duration
        /// The gap between consecutive streamed chunks after the first (streams only).
        package var gapP50: Duration
        /// 99th percentile of the gap.
        package var gapP99: Duration
    }

    /// The run's figures.
    package struct Report: Sendable {
        /// Straight to the upstream.
        package var direct: Measurement
        /// Through the gateway.
        package var gateway: Measurement
        /// Switchboard's own time per request, from its `x-switchboard-overhead-ms` header (p50).
        package var overheadP50: Duration
        /// The same, p99.
        package var overheadP99: Duration
        /// Resident memory of the process measured (this one, or `targetPID`) after the warm-up.
        package var residentBytesBefore: Int
        /// Resident memory after the run, in bytes.
        package var residentBytes: Int
        /// Peak resident memory, in bytes.
        package var peakResidentBytes: Int
        /// Whose memory: `this process (client, gateway and upstream)` or the target's pid.
        package var memoryOf: String
        /// Context switches of this process's threads per request, direct and through the gateway
        /// (nil when the targets were interleaved): each is a thread woken or put to sleep, the cost
        /// of a hop between event loops and the concurrency pool.
        package var switchesPerRequest: (direct: Double, gateway: Double)?

        /// Gateway p50 minus direct p50.
        package var addedP50: Duration { gateway.p50 - direct.p50 }
        /// Gateway p99 minus direct p99.
        package var addedP99: Duration { gateway.p99 - direct.p99 }
        /// Gateway TTFT p50 minus direct TTFT p50.
        package var addedFirstTokenP50: Duration { gateway.firstTokenP50 - direct.firstTokenP50 }
        /// Gateway gap p50 minus direct gap p50.
        package var addedGapP50: Duration { gateway.gapP50 - direct.gapP50 }
    }

    /// Creates a benchmark.
    package init(
        concurrency: Int = 8, requests: Int = 20_000, warmUp: Int = 2_000, rate: Double? = nil, sequential: Bool = false, stream: Bool = false,
        upstreamURL: String? = nil, targetURL: String? = nil, targetPID: Int32? = nil, chunkInterval: Duration = .zero
    ) {
        self.concurrency = sequential ? 1 : concurrency
        self.requests = requests
        self.warmUp = warmUp
        self.rate = rate
        self.sequential = sequential
        self.stream = stream
        self.upstreamURL = upstreamURL
        self.targetURL = targetURL
        self.targetPID = targetPID
        self.chunkInterval = chunkInterval
    }

    /// Runs it: starts what it was not given (the upstream, the gateway) on loopback ports,
    /// measures, stops them.
    package func run() async throws -> Report {
        let upstream = ScriptedUpstream(name: "instant", answer: .instant(interval: chunkInterval), recordsCalls: false)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let upstreamBase: String
            if let upstreamURL {
                upstreamBase = upstreamURL
            } else {
                let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
                group.addTask { try await upstream.run { portContinuation.yield($0) } }
                guard let upstreamPort = await ports.first(where: { _ in true }) else { throw GatewayError.stopped("the upstream did not start") }
                upstreamBase = "http://127.0.0.1:\(upstreamPort)/v1"
            }
            let remote = RemoteProviders(source: "bench", environment: [:])
            let gatewayBase: String
            if let targetURL {
                gatewayBase = targetURL
            } else {
                var provider = ProviderConfiguration(name: "instant", kind: .openAICompatible, model: "instant", pricing: Pricing(inputPerMillion: 0, outputPerMillion: 0))
                provider.baseURL = upstreamBase
                provider.maxConcurrency = 100_000
                var configuration = EngineConfiguration(source: "bench", providers: [provider], tiers: [TierConfiguration(name: "main", chain: ["instant"])], routerThresholds: [.init(tier: "main", upTo: 1)], frontierTier: "main")
                configuration.cache.enabled = false
                let engine = try ServingEngine(configuration: configuration, registry: remote.registry)
                var logger = Logger(label: "bench")
                logger.logLevel = .critical
                let gateway = GatewayServer(engine: engine, settings: GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0)), logger: logger)
                group.addTask { try await gateway.run() }
                gatewayBase = try await gateway.listeningAddress().url + "/v1"
            }

            var clientConfiguration = HTTPClient.Configuration()
            clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(concurrency, 8))
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
            let body = ByteBuffer(string: #"{"model":"auto","stream":\#(stream),"messages":[{"role":"user","content":"Say something quick."}]}"#)
            let urls = (direct: upstreamBase + "/chat/completions", gateway: gatewayBase + "/chat/completions")
            do {
                let warm = try await measure(client: client, urls: urls, body: body, count: warmUp)
                _ = warm
                let before = ProcessMemory.resident(of: targetPID)
                let (direct, through) = try await measure(client: client, urls: urls, body: body, count: requests)
                let switches = direct.switches.flatMap { d in through.switches.map { (Double(d) / Double(max(1, direct.latencies.count)), Double($0) / Double(max(1, through.latencies.count))) } }
                let after = ProcessMemory.resident(of: targetPID)
                try await client.shutdown()
                try await remote.shutdown()
                group.cancelAll()
                return Report(
                    direct: direct.measurement("direct"), gateway: through.measurement("gateway"),
                    overheadP50: (Percentile.of(through.overheads, 0.50) ?? .zero), overheadP99: (Percentile.of(through.overheads, 0.99) ?? .zero),
                    residentBytesBefore: before.resident, residentBytes: after.resident, peakResidentBytes: after.peak,
                    memoryOf: targetPID.map { "gateway pid \($0)" } ?? "this process (client, gateway and upstream)",
                    switchesPerRequest: switches
                )
            } catch {
                try? await client.shutdown()
                try? await remote.shutdown()
                group.cancelAll()
                throw error
            }
        }
    }

    /// Both targets: interleaved request by request when sequential, else one after the other.
    private func measure(client: HTTPClient, urls: (direct: String, gateway: String), body: ByteBuffer, count: Int) async throws -> (Samples, Samples) {
        guard sequential else {
            let start = Self.contextSwitches()
            var direct = try await load(client: client, url: urls.direct, body: body, count: count)
            let middle = Self.contextSwitches()
            var gateway = try await load(client: client, url: urls.gateway, body: body, count: count)
            direct.switches = middle - start
            gateway.switches = Self.contextSwitches() - middle
            return (direct, gateway)
        }
        var direct = Samples()
        var gateway = Samples()
        for _ in 0..<count {
            try await direct.add(Self.call(client: client, url: urls.direct, body: body))
            try await gateway.add(Self.call(client: client, url: urls.gateway, body: body))
        }
        return (direct, gateway)
    }

    /// One request's figures, or nil when it failed.
    private struct Sample: Sendable {
        var latency: Duration
        var overhead: Duration?
        var firstToken: Duration?
        var gaps: [Duration]
    }

    private struct Samples: Sendable {
        var latencies: [Duration] = []
        var overheads: [Duration] = []
        var firstTokens: [Duration] = []
        var gaps: [Duration] = []
        var errors = 0
        var elapsed: Duration = .zero
        var switches: Int?

        mutating func add(_ sample: Sample?) {
            guard let sample else {
                errors += 1
                return
            }
            elapsed += sample.latency
            latencies.append(sample.latency)
            if let overhead = sample.overhead { overheads.append(overhead) }
            if let first = sample.firstToken { firstTokens.append(first) }
            gaps += sample.gaps
        }

        mutating func merge(_ other: Samples) {
            latencies += other.latencies
            overheads += other.overheads
            firstTokens += other.firstTokens
            gaps += other.gaps
            errors += other.errors
        }

        func measurement(_ target: String) -> Measurement {
            Measurement(
                target: target, requests: latencies.count, errors: errors,
                requestsPerSecond: Double(latencies.count) / max(elapsed.seconds, 1e-9),
                p50: (Percentile.of(latencies, 0.50) ?? .zero), p99: (Percentile.of(latencies, 0.99) ?? .zero), p999: (Percentile.of(latencies, 0.999) ?? .zero),
                firstTokenP50: (Percentile.of(firstTokens, 0.50) ?? .zero), firstTokenP99: (Percentile.of(firstTokens, 0.99) ?? .zero),
                gapP50: (Percentile.of(gaps, 0.50) ?? .zero), gapP99: (Percentile.of(gaps, 0.99) ?? .zero)
            )
        }
    }

    /// One request, timed: the whole answer, and for streams the first content and the gaps
    /// between the body's pieces after it.
    private static func call(client: HTTPClient, url: String, body: ByteBuffer) async throws -> Sample? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(body)
        let sent = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            var firstToken: Duration?
            var gaps: [Duration] = []
            var last: ContinuousClock.Instant?
            for try await piece in response.body {
                let now = ContinuousClock.now
                if firstToken == nil {
                    // The role chunk carries empty content; the first text is what a user waits for.
                    if Self.carriesText(piece) {
                        firstToken = now - sent
                        last = now
                    }
                } else if let previous = last {
                    gaps.append(now - previous)
                    last = now
                }
            }
            let latency = ContinuousClock.now - sent
            guard response.status.code == 200 else { return nil }
            let overhead = response.headers.first(name: "x-switchboard-overhead-ms").flatMap(Double.init).map { Duration.nanoseconds(Int64($0 * 1e6)) }
            return Sample(latency: latency, overhead: overhead, firstToken: firstToken, gaps: gaps)
        } catch {
            return nil
        }
    }

    /// Whether a piece of a body holds answer text: `"content":"` followed by something other
    /// than the closing quote.
    static func carriesText(_ piece: ByteBuffer) -> Bool {
        let bytes = piece.readableBytesView
        let marker = Array(#""content":""#.utf8)
        var searchFrom = bytes.startIndex
        while let range = bytes[searchFrom...].firstRange(of: marker) {
            if range.upperBound < bytes.endIndex, bytes[range.upperBound] != UInt8(ascii: "\"") { return true }
            searchFrom = range.upperBound
        }
        return false
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
                        try await samples.add(Self.call(client: client, url: url, body: body))
                    }
                    return samples
                }
            }
            var all = Samples()
            for try await part in group { all.merge(part) }
            return all
        }
        var samples = results
        samples.elapsed = .now - start
        return samples
    }

    /// Voluntary and involuntary context switches of every thread of this process so far
    /// (Linux `/proc/self/task/*/status`; zero elsewhere).
    static func contextSwitches() -> Int {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return 0 }
        var total = 0
        for task in tasks {
            guard let status = try? String(contentsOfFile: "/proc/self/task/\(task)/status", encoding: .utf8) else { continue }
            for line in status.split(separator: "\n") where line.hasSuffix("ctxt_switches") == false && line.contains("ctxt_switches:") {
                total += Int(line.split(separator: "\t").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "") ?? 0
            }
        }
        return total
    }

}
