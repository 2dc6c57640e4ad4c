import NIOCore
import NIOHTTP1

/// Sends a request as the bytes ``UpstreamHTTPClient`` prepared: the head part only informs the
/// response decoder above it (which must know the method), the body part is the whole request.
final class UpstreamRequestEncoder: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .body(.byteBuffer(let bytes)):
            context.write(wrapOutboundOut(bytes), promise: promise)
        case .head, .end, .body(.fileRegion):
            promise?.succeed()
        }
    }
}
