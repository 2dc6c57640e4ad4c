import NIOCore
import NIOPosix
import NIOSSL

/// A loopback HTTPS server whose certificate names only `localhost` (self-signed, valid to 2126),
/// answering every request with one fixed JSON body, for the upstream client's TLS checks.
final class TLSUpstream: Sendable {
    /// The server's certificate, which a client must be told to trust.
    static let certificatePEM = """
-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIURa/HW1uvxeryCnF+FhSg3YDH1EYwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMjEwMTMxMVoYDzIxMjYxMTA4
MTAxMzExWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATclkfCcZz/63TYLXazGi0yTfucQ3iYePFQa0aNu9LuQGZSdS9Zv5yS
Xuga8xmR68tpdCHENEIhTAR1mAAXeF3Eo2kwZzAdBgNVHQ4EFgQUrYCXFVLccjee
ps6cA9slzzf5G+QwHwYDVR0jBBgwFoAUrYCXFVLccjeeps6cA9slzzf5G+QwDwYD
VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID
SAAwRQIgKWUKq3BbPrXo9iURDUdMvBaXyBVObeJrug9iPEfdHLkCIQDOgWm9Qs7v
arJ6g7f4vgY2J9k3Vjj5OjlXQDbDpTogmw==
-----END CERTIFICATE-----
"""
    private static let keyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZGx9Ky4GqQnlLG6/
DnxLYYToapFfvvlxsqJXhL8voomhRANCAATclkfCcZz/63TYLXazGi0yTfucQ3iY
ePFQa0aNu9LuQGZSdS9Zv5ySXuga8xmR68tpdCHENEIhTAR1mAAXeF3E
-----END PRIVATE KEY-----
"""

    /// The certificate as NIOSSL takes it.
    static func certificate() throws -> NIOSSLCertificate {
        try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)
    }

    private let channel: any Channel
    let port: Int

    /// Starts listening on a free loopback port; every request gets `200 {"tls":true}`.
    init() async throws {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try Self.certificate())],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(Self.keyPEM.utf8), format: .pem))
        )
        let context = try NIOSSLContext(configuration: configuration)
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(Answer())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func stop() async throws {
        try await channel.close()
    }

    /// Answers once the request's head has ended (the test requests have no body).
    private final class Answer: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            guard text.contains("\r\n\r\n") else { return }
            let body = #"{"tls":true}"#
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 OK\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)")), promise: nil)
        }
    }
}
