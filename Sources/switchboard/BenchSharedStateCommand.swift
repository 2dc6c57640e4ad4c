import ArgumentParser
import Benchmarks
import Foundation
import Logging
import Measuring
import ServingEngine
import SharedState

/// `switchboard bench shared-state`: write-through cost and cross-replica visibility.
struct BenchSharedStateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shared-state",
        abstract: "Measure the shared cache in PostgreSQL: write-through cost per entry and the delay until another replica sees it.",
        discussion: """
            Runs two replicas in this process against the database, caches --entries answers on one \
            at --rate per second, and reports the write-through time per entry and the delay until \
            the other replica serves each (p50, p99). The entries go to a tenant of their own and \
            are invalidated at the end. Example:
              swift run -c release switchboard bench shared-state --state postgres://switchboard@127.0.0.1/switchboard
            """
    )

    @Option(help: "The shared database: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.")
    var state: String

    @Option(help: "Entries to cache.")
    var entries: Int = 2_000

    @Option(help: "Entries per second.")
    var rate: Double = 200

    func validate() throws {
        guard entries > 0 else { throw ValidationError("--entries must be at least 1") }
        guard rate > 0, rate <= 100_000 else { throw ValidationError("--rate must be between 0 and 100000") }
    }

    func run() async throws {
        let logger = Logger(label: "switchboard.bench") { _ in SwiftLogNoOpLogHandler() }
        let report: SharedStateBenchmark.Report
        do {
            report = try await SharedStateBenchmark(url: state, entries: entries, rate: rate).run(logger: logger)
        } catch let error as SharedStateError {
            FileHandleOutput.standardError("error: \(error.message)")
            throw ExitCode(1)
        }
        func figure(_ values: [Duration], _ quantile: Double) -> String {
            Percentile.of(sorted: values, quantile).map(DurationFormat.short) ?? "-"
        }
        print("shared state: \(report.entries) entries at \(Int(report.rate))/s in \(report.statements) statements; \(report.visible) became visible on the second replica")
        print("measure                               p50        p99        max")
        print("write-through per entry               \(figure(report.writes, 0.5).padding(toLength: 10, withPad: " ", startingAt: 0)) \(figure(report.writes, 0.99).padding(toLength: 10, withPad: " ", startingAt: 0)) \(figure(report.writes, 1))")
        print("visible on another replica after      \(figure(report.visibility, 0.5).padding(toLength: 10, withPad: " ", startingAt: 0)) \(figure(report.visibility, 0.99).padding(toLength: 10, withPad: " ", startingAt: 0)) \(figure(report.visibility, 1))")
        if report.visible < report.entries { throw ExitCode(1) }
    }
}
