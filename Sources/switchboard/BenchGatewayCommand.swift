import ArgumentParser
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
            then drives both with the same load, directly and through Switchboard, in one run. \
            Client, gateway and upstream share this process and its cores, so the figures include \
            their contention. Build with -c release for figures worth quoting. Examples:
              swift run -c release switchboard bench gateway --concurrency 8 --requests 20000
              swift run -c release switchboard bench gateway --rate 1000 --requests 10000
            """
    )

    @Option(help: "Requests in flight at once.")
    var concurrency: Int = 8

    @Option(help: "Measured requests per target.")
    var requests: Int = 20_000

    @Option(help: "Warm-up requests per target.")
    var warmUp: Int = 2_000

    @Option(help: "Offered load in requests per second (paced); default: as fast as possible.")
    var rate: Double?

    func validate() throws {
        guard concurrency >= 1, concurrency <= 1024 else { throw ValidationError("--concurrency must be between 1 and 1024") }
        guard requests >= concurrency else { throw ValidationError("--requests must be at least --concurrency") }
        if let rate, !(rate > 0 && rate <= 1_000_000) { throw ValidationError("--rate must be between 0 and 1000000 requests per second") }
    }

    func run() async throws {
        #if DEBUG
        let build = "debug build (use -c release for figures worth quoting)"
        #else
        let build = "release build"
        #endif
        print("switchboard bench gateway — \(build); concurrency \(concurrency), \(requests) requests per target\(rate.map { ", offered \(Int($0)) req/s" } ?? ", closed loop")")
        let report = try await GatewayBenchmark(concurrency: concurrency, requests: requests, warmUp: warmUp, rate: rate).run()
        print("target      requests  errors     req/s      p50        p99        p99.9")
        for m in [report.direct, report.gateway] {
            print("\(m.target.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%9d %7d %9.0f", m.requests, m.errors, m.requestsPerSecond))   \(Self.ms(m.p50))  \(Self.ms(m.p99))  \(Self.ms(m.p999))")
        }
        print("added by Switchboard (client-seen): p50 \(Self.ms(report.addedP50)), p99 \(Self.ms(report.addedP99))")
        print("time inside Switchboard (x-switchboard-overhead-ms): p50 \(Self.ms(report.overheadP50)), p99 \(Self.ms(report.overheadP99))")
        print(String(format: "memory: resident %.1f MiB, peak %.1f MiB (whole process: client, gateway and upstream)", Double(report.residentBytes) / 1_048_576, Double(report.peakResidentBytes) / 1_048_576))
    }

    private static func ms(_ duration: Duration) -> String {
        String(format: "%7.3f ms", duration.milliseconds)
    }
}
