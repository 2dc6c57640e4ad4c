import ArgumentParser
import Foundation
import ServingEngine

/// `switchboard simulate`: the engine headless on generated traffic, with scheduled failures.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the engine headless on generated traffic and print a summary.",
        discussion: """
            Sends Poisson traffic at --rps for --duration seconds through the cache, router and \
            provider cascade, forcing providers down during --fail windows, waits for every \
            request to finish, and reports what happened. Example:
              switchboard simulate --rps 200 --duration 20 --fail finetuned-local@5-12 --json
            """
    )

    @Option(help: "Requests per second.")
    var rps: Double = 50

    @Option(help: "Seconds of traffic to send.")
    var duration: Double = 10

    @Option(help: "Traffic seed (default: the configuration's).")
    var seed: UInt64?

    @OptionGroup var configuration: ConfigurationOptions

    @Option(name: .customLong("fail"), help: ArgumentHelp("Force PROVIDER down from START to END seconds, e.g. finetuned-local@5-12. Repeatable.", valueName: "PROVIDER@START-END"))
    var failures: [String] = []

    @OptionGroup var cacheFile: CacheFileOptions

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard rps > 0, rps <= 100_000 else { throw ValidationError("--rps must be between 0 and 100000, got \(rps)") }
        guard duration > 0, duration <= 86_400 else { throw ValidationError("--duration must be between 0 and 86400 seconds, got \(duration)") }
        for failure in failures {
            do { _ = try FailureWindow(parsing: failure) } catch { throw ValidationError("--fail \(error.message)") }
        }
    }

    func run() async throws {
        let configuration = try self.configuration.load()
        let engine = try ServingEngine(configuration: configuration)
        let windows = try failures.map { try FailureWindow(parsing: $0) }
        if let cacheFile = cacheFile.cacheFile {
            FileHandleOutput.standardError("cache file \(cacheFile): \(engine.loadCache(from: cacheFile))")
        }
        let plan = SimulationPlan(rate: rps, duration: .milliseconds(Int64(duration * 1000)), seed: seed, failures: windows)
        let report: SimulationReport
        do {
            report = try await SimulationRunner(engine: engine).run(plan)
        } catch {
            throw ValidationError(error.message)
        }
        if let cacheFile = cacheFile.cacheFile {
            do {
                let saved = try engine.saveCache(to: cacheFile)
                FileHandleOutput.standardError("cache file \(cacheFile): saved \(saved) cached answers")
            } catch {
                FileHandleOutput.standardError("cache file \(cacheFile): \(error.message)")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(SimulationSummary.render(report, plan: plan, configurationSource: configuration.source))
        }
        if report.lost > 0 { throw ExitCode(2) }
    }
}
