import ArgumentParser
import Benchmarks
import Foundation
import Gateway
import ServingEngine

/// `switchboard bench gateway`: what the HTTP gateway adds to a request.
struct BenchGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Measure the latency and memory Switchboard's gateway adds over a direct call.",
        discussion: """
            Starts a local upstream that answers at once and a gateway in front of it (cache off), \
            then drives both with the same load, directly and through the gateway, in one run. \
            --upstream measures against another OpenAI-compatible upstream, and --target measures a \
            gateway already running in front of it (a `switchboard serve` in its own process, or \
            another product) with the same client. Build with -c release for figures worth \
            quoting. Examples:
              swift run -c release switchboard bench gateway --concurrency 8 --requests 20000
              swift run -c release switchboard bench gateway --sequential --requests 1000
              swift run -c release switchboard bench gateway --sequential --stream --requests 1000
              switchboard bench gateway --sequential --upstream http://127.0.0.1:9000/v1 --target http://127.0.0.1:8080/v1 --target-pid 4242
            """
    )

    @Option(help: "Requests in flight at once (ignored with --sequential).")
    var concurrency: Int = 8

    @Option(help: "Measured requests per target.")
    var requests: Int = 20_000

    @Option(help: "Warm-up requests per target.")
    var warmUp: Int = 2_000

    @Option(help: "Offered load in requests per second (paced); default: as fast as possible.")
    var rate: Double?

    @Flag(help: "One request at a time over keep-alive connections, direct and gateway interleaved.")
    var sequential = false

    @Flag(help: "Ask for streamed answers and measure time to first token and the gaps between chunks.")
    var stream = false

    @Option(help: "An OpenAI-compatible upstream's base URL (http://HOST:PORT/v1) instead of the local instant one.")
    var upstream: String?

    @Option(help: "A running gateway's base URL (http://HOST:PORT/v1) in front of --upstream, to measure instead of one started here.")
    var target: String?

    @Option(name: .customLong("target-pid"), help: "The process id of the --target gateway, whose resident memory is then reported.")
    var targetPID: Int32?

    @Option(name: .customLong("chunk-interval-ms"), help: "With --stream, the local upstream's pause between text chunks.")
    var chunkIntervalMs: Double = 1

    @OptionGroup var tasks: ExecutorOptions

    func validate() throws {
        guard concurrency >= 1, concurrency <= 1024 else { throw ValidationError("--concurrency must be between 1 and 1024") }
        guard requests >= (sequential ? 1 : concurrency) else { throw ValidationError("--requests must be at least --concurrency") }
        if let rate, !(rate > 0 && rate <= 1_000_000) { throw ValidationError("--rate must be between 0 and 1000000 requests per second") }
        if target != nil, upstream == nil { throw ValidationError("--target needs --upstream: the upstream the target gateway forwards to, which is measured directly") }
        for (name, url) in [("--upstream", upstream), ("--target", target)] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) { throw ValidationError("\(name) must be an http:// URL ending in /v1, got '\(url)'") }
        }
        guard chunkIntervalMs >= 0, chunkIntervalMs <= 1000 else { throw ValidationError("--chunk-interval-ms must be between 0 and 1000") }
    }

    func run() async throws {
        tasks.install()
        #if DEBUG
        let build = "debug build (use -c release for figures worth quoting)"
        #else
        let build = "release build"
        #endif
        let shape = sequential ? "sequential, interleaved" : "concurrency \(concurrency)\(rate.map { ", offered \(Int($0)) req/s" } ?? ", closed loop")"
        print("switchboard bench gateway — \(build); \(shape), \(requests) requests per target\(stream ? ", streamed" : "")")
        print("upstream: \(upstream ?? "local instant upstream"); gateway: \(target ?? "Switchboard in this process (cache off)")")
        let benchmark = GatewayBenchmark(
            concurrency: concurrency, requests: requests, warmUp: warmUp, rate: rate, sequential: sequential, stream: stream,
            upstreamURL: upstream, targetURL: target, targetPID: targetPID, chunkInterval: stream ? .microseconds(Int64(chunkIntervalMs * 1000)) : .zero
        )
        let report = try await benchmark.run()
        print("target      requests  errors     req/s      p50        p99        p99.9" + (stream ? "      TTFT p50   TTFT p99   gap p50    gap p99" : ""))
        for m in [report.direct, report.gateway] {
            var line = "\(m.target.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%9d %7d %9.0f", m.requests, m.errors, m.requestsPerSecond))   \(Self.ms(m.p50))  \(Self.ms(m.p99))  \(Self.ms(m.p999))"
            if stream { line += "  \(Self.ms(m.firstTokenP50))  \(Self.ms(m.firstTokenP99))  \(Self.ms(m.gapP50))  \(Self.ms(m.gapP99))" }
            print(line)
        }
        print("added by the gateway (client-seen): p50 \(Self.ms(report.addedP50)), p99 \(Self.ms(report.addedP99))")
        if stream {
            print("added to time to first token: p50 \(Self.ms(report.addedFirstTokenP50)); added gap between chunks: p50 \(Self.ms(report.addedGapP50))")
        }
        print(String(format: "throughput through the gateway: %.1f %% of direct", 100 * report.gateway.requestsPerSecond / max(report.direct.requestsPerSecond, 1e-9)))
        if let switches = report.switchesPerRequest {
            print(String(format: "context switches per request (all threads of this process): direct %.1f, gateway %.1f", switches.direct, switches.gateway))
        }
        if report.overheadP50 > .zero {
            print("time inside Switchboard (x-switchboard-overhead-ms): p50 \(Self.ms(report.overheadP50)), p99 \(Self.ms(report.overheadP99))")
        }
        print(String(format: "memory of %@: resident %.1f MiB after the warm-up, %.1f MiB after the run (%+.1f), peak %.1f MiB", report.memoryOf,
                     Double(report.residentBytesBefore) / 1_048_576, Double(report.residentBytes) / 1_048_576,
                     Double(report.residentBytes - report.residentBytesBefore) / 1_048_576, Double(report.peakResidentBytes) / 1_048_576))
    }

    private static func ms(_ duration: Duration) -> String {
        String(format: "%7.3f ms", duration.milliseconds)
    }
}
