import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Sits in front of Hummingbird's connection-state handler and applies ``ConnectionDrain``: on
/// the server's quiesce event, a connection with nothing in flight lingers for a request its
/// client may already have sent, and every response during the drain says `Connection: close`.
///
/// One instance per connection; it runs on the connection's event loop only.
final class ConnectionDrainHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var drain: ConnectionDrain
    private var lingerTimer: Scheduled<Void>?

    /// Creates the handler of one connection.
    init(linger: Duration) {
        drain = ConnectionDrain(linger: linger)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let passOnQuiesce = drain.requestStarted()
        context.fireChannelRead(data)
        if passOnQuiesce {
            cancelLinger()
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where drain.closesAfterResponse:
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            drain.responseEnded()
            context.write(data, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch drain.quiesce() {
        case .passOn:
            context.fireUserInboundEventTriggered(event)
        case .linger(let linger):
            let loop = context.eventLoop.assumeIsolated()
            lingerTimer = loop.scheduleTask(in: TimeAmount(linger)) { [self] in
                lingerTimer = nil
                if drain.lingerEnded() { context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelLinger()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelLinger()
    }

    private func cancelLinger() {
        lingerTimer?.cancel()
        lingerTimer = nil
    }
}
