import ArgumentParser
import Foundation
import Gateway
import TestSupport

/// `switchboard bench upstream`: the benchmarks' instant upstream in a process of its own, so that
/// gateways in other processes can be measured in front of it (`bench gateway --upstream … --target …`,
/// `scripts/compare-gateways`).
struct BenchUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upstream",
        abstract: "Serve an OpenAI-compatible upstream that answers at once, for gateway benchmarks.",
        discussion: """
            Answers POST /v1/chat/completions with a fixed reply: JSON, or server-sent events when the \
            body asks for a stream (its text chunks --chunk-interval-ms apart). Prints one line with \
            its base URL on standard output, then serves until stopped. Example:
              switchboard bench upstream --listen 127.0.0.1:9000
            """
    )

    @Option(help: "HOST:PORT to listen on (port 0 picks a free port).")
    var listen: String = "127.0.0.1:0"

    @Option(name: .customLong("chunk-interval-ms"), help: "The pause between streamed text chunks.")
    var chunkIntervalMs: Double = 0

    @OptionGroup var tasks: ExecutorOptions

    func validate() throws {
        guard chunkIntervalMs >= 0, chunkIntervalMs <= 1000 else { throw ValidationError("--chunk-interval-ms must be between 0 and 1000, got \(chunkIntervalMs)") }
    }

    func run() async throws {
        tasks.install()
        let address: GatewayAddress
        do {
            address = try GatewayAddress(parsing: listen)
        } catch {
            throw ValidationError(error.message)
        }
        let upstream = ScriptedUpstream(name: "instant", answer: .instant(interval: .microseconds(Int64(chunkIntervalMs * 1000))), host: address.host, port: address.port, recordsCalls: false)
        try await upstream.run { port in
            FileHandle.standardOutput.write(Data("instant upstream listening on http://\(GatewayAddress(host: address.host, port: port).description)/v1\n".utf8))
        }
    }
}
