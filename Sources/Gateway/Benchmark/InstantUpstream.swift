import Foundation
import Hummingbird
import Logging
import NIOCore

/// A model server that answers at once with a fixed reply (JSON, or SSE when the body asks for a
/// stream, its text chunks `chunkInterval` apart): the upstream of `switchboard bench gateway`, so
/// that what is measured is Switchboard, and of `switchboard bench upstream`, which serves it in a
/// process of its own so that a gateway in another process (Switchboard's or another product's)
/// can be measured in front of it.
package struct InstantUpstream: Sendable {
    static let completion = ByteBuffer(string: #"{"id":"chatcmpl-up","object":"chat.completion","created":0,"model":"instant","choices":[{"index":0,"message":{"role":"assistant","content":"An instant answer from the local upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":8,"total_tokens":20}}"#)
    static let streamChunks = [
        #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"# + "\n\n",
        #"data: {"choices":[{"index":0,"delta":{"content":"An instant "}}]}"# + "\n\n",
        #"data: {"choices":[{"index":0,"delta":{"content":"answer from "}}]}"# + "\n\n",
        #"data: {"choices":[{"index":0,"delta":{"content":"the local "}}]}"# + "\n\n",
        #"data: {"choices":[{"index":0,"delta":{"content":"upstream."}}]}"# + "\n\n",
        #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n"
            + #"data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":8,"total_tokens":20}}"# + "\n\n" + "data: [DONE]\n\n",
    ].map { ByteBuffer(string: $0) }

    /// The pause between streamed text chunks (zero: the whole stream in one write).
    package var chunkInterval: Duration
    /// Where to listen; port 0 picks a free one.
    package var address: GatewayAddress

    /// Creates an upstream on `address` (a free loopback port by default).
    package init(chunkInterval: Duration = .zero, address: GatewayAddress = GatewayAddress(host: "127.0.0.1", port: 0)) {
        self.chunkInterval = chunkInterval
        self.address = address
    }

    /// Runs until cancelled; `onListening` gets the port.
    package func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        let router = Router()
        let interval = chunkInterval
        router.post("/v1/chat/completions") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let wantsStream = body.readableBytesView.firstRange(of: Array(#""stream":true"#.utf8)) != nil
            var headers = HTTPFields()
            headers[.contentType] = wantsStream ? "text/event-stream" : "application/json"
            guard wantsStream else { return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: Self.completion)) }
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                for (index, chunk) in Self.streamChunks.enumerated() {
                    if index > 1, interval > .zero { try await Task.sleep(for: interval) }
                    try await writer.write(chunk)
                }
                try await writer.finish(nil)
            })
        }
        var logger = Logger(label: "instant-upstream")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port)),
            onServerRunning: { onListening($0.localAddress?.port ?? 0) },
            logger: logger
        )
        try await app.run()
    }
}
