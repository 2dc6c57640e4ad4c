import NIOCore
import NIOHTTP1
import NIOSSL
import ServingEngine
import Synchronization

/// One kept-alive HTTP/1.1 connection of ``UpstreamHTTPClient``: the channel handler at the end of
/// its pipeline, holding the state of the one request it carries at a time.
///
/// All mutable state lives on the channel's event loop; the methods callers use hop there (or run
/// at once when the caller already is on it, which is usual: the pool prefers a connection on the
/// caller's event loop). Response parts are buffered here and taken by the caller's task — no task
/// or stream of its own per request. A request is a *lease* (a number): what a caller does with a
/// lease that has ended (a late cancellation, a dropped body) is ignored.
final class UpstreamConnection: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// Where the connection goes.
    let origin: UpstreamURL.Origin
    let eventLoop: any EventLoop
    /// Leases handed out so far, counted by the pool.
    let leases = Atomic<Int>(0)
    private let readTimeout: TimeAmount
    /// Called on the event loop when a request ended and the connection may carry another.
    private let onReusable: @Sendable (UpstreamConnection) -> Void
    /// Called on the event loop once the channel has closed.
    private let onClosed: @Sendable (UpstreamConnection) -> Void

    // MARK: Event-loop state

    private var context: ChannelHandlerContext?
    private enum Phase {
        /// No request.
        case idle
        /// The request went out; its head is awaited.
        case awaitingHead(UnsafeContinuation<(Int, HTTPHeaders), any Error>)
        /// The head was handed over; the body is read.
        case body
        case closed
    }
    private var phase = Phase.idle
    private var lease = 0
    private var cancelledLease = 0
    /// Parts received and not yet taken.
    private var buffered = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    private var bufferedBytes = 0
    private var ended = false
    private var failure: (any Error)?
    private var waiter: UnsafeContinuation<ByteBuffer?, any Error>?
    private var keepAlive = true
    private var responseStarted = false
    /// The caller dropped the body before its end: parts are discarded until the end, then the
    /// connection is reused, unless too much is left.
    private var draining = false
    private var drained = 0
    /// A read held back while too much is buffered (backpressure).
    private var readPending = false
    private var lastActivity = NIODeadline.now()
    private var timerArmed = false
    private var deadline: Scheduled<Void>?
    private var closed = false

    /// Most bytes buffered before reading from the socket pauses.
    private static let bufferLimit = 256 * 1024
    /// Most bytes of a dropped body read to keep the connection; beyond, it is closed.
    private static let drainLimit = 1 << 20

    init(origin: UpstreamURL.Origin, eventLoop: any EventLoop, readTimeout: TimeAmount, onReusable: @escaping @Sendable (UpstreamConnection) -> Void, onClosed: @escaping @Sendable (UpstreamConnection) -> Void) {
        self.origin = origin
        self.eventLoop = eventLoop
        self.readTimeout = readTimeout
        self.onReusable = onReusable
        self.onClosed = onClosed
    }

    /// Whether the channel is still open (thread-safe).
    var isActive: Bool { channel?.isActive ?? false }
    private var channel: (any Channel)?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        channel = context.channel
    }

    // MARK: Requests (called by the client)

    /// Sends `bytes` (the whole request) under `lease` and returns the response's status and headers.
    func send(_ bytes: ByteBuffer, head: HTTPRequestHead, lease: Int, timeout: Duration?) async throws -> (Int, HTTPHeaders) {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<(Int, HTTPHeaders), any Error>) in
                if eventLoop.inEventLoop {
                    start(bytes, head: head, lease: lease, timeout: timeout, continuation)
                } else {
                    eventLoop.execute { self.start(bytes, head: head, lease: lease, timeout: timeout, continuation) }
                }
            }
        } onCancel: {
            eventLoop.execute { self.cancel(lease) }
        }
    }

    /// The next body part of `lease`, nil at its end (which makes the connection reusable).
    func next(_ lease: Int) async throws -> ByteBuffer? {
        if eventLoop.inEventLoop, let ready = take(lease) { return try ready.get() }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<ByteBuffer?, any Error>) in
                if eventLoop.inEventLoop {
                    wait(lease, continuation)
                } else {
                    eventLoop.execute { self.wait(lease, continuation) }
                }
            }
        } onCancel: {
            eventLoop.execute { self.cancel(lease) }
        }
    }

    /// The caller is done with `lease` (its body was dropped): reuse the connection once the body
    /// has ended, reading and discarding what is left.
    func abandon(_ lease: Int) {
        eventLoop.assertInEventLoop()
        guard lease == self.lease, !closed else { return }
        switch phase {
        case .body:
            buffered.removeAll()
            bufferedBytes = 0
            if ended {
                finishRequest()
            } else {
                draining = true
                resumeReading()
            }
        case .idle, .awaitingHead, .closed:
            break
        }
    }

    /// Closes the connection; what awaits it fails with `error`.
    func close(_ error: UpstreamHTTPError) {
        eventLoop.assertInEventLoop()
        fail(error)
        context?.close(promise: nil)
    }

    // MARK: Event-loop side

    private func start(_ bytes: ByteBuffer, head: HTTPRequestHead, lease: Int, timeout: Duration?, _ continuation: UnsafeContinuation<(Int, HTTPHeaders), any Error>) {
        guard let context, !closed, case .idle = phase else {
            continuation.resume(throwing: failure ?? UpstreamHTTPError(.connectionClosed, "the connection to \(origin.hostHeader) closed before the request was sent", responseStarted: false))
            return
        }
        guard cancelledLease != lease else {
            continuation.resume(throwing: CancellationError())
            return
        }
        self.lease = lease
        phase = .awaitingHead(continuation)
        buffered.removeAll()
        bufferedBytes = 0
        ended = false
        failure = nil
        keepAlive = true
        responseStarted = false
        draining = false
        drained = 0
        lastActivity = .now()
        armReadTimer()
        if let timeout {
            deadline = eventLoop.scheduleTask(in: TimeAmount(timeout)) { [self] in
                guard self.lease == lease else { return }
                close(UpstreamHTTPError(.deadlineExceeded, "\(origin.hostHeader) did not answer within \(Int(timeout.milliseconds)) ms (deadlineExceeded)", responseStarted: responseStarted))
            }
        }
        // The decoder reads the head's method; the encoder sends only `bytes`, head and body in one write.
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
    }

    /// A part, the end, or the failure if one is ready; nil when the caller must wait.
    private func take(_ lease: Int) -> Result<ByteBuffer?, any Error>? {
        guard lease == self.lease else {
            return .failure(UpstreamHTTPError(.connectionClosed, "the response from \(origin.hostHeader) was already read"))
        }
        if let part = buffered.popFirst() {
            bufferedBytes -= part.readableBytes
            resumeReading()
            return .success(part)
        }
        if let failure { return .failure(failure) }
        if ended {
            if case .body = phase { finishRequest() }
            return .success(nil)
        }
        if case .idle = phase { return .success(nil) }
        if lease == cancelledLease { return .failure(CancellationError()) }
        return nil
    }

    private func wait(_ lease: Int, _ continuation: UnsafeContinuation<ByteBuffer?, any Error>) {
        if let ready = take(lease) {
            continuation.resume(with: ready)
        } else {
            waiter = continuation
        }
    }

    private func cancel(_ lease: Int) {
        cancelledLease = max(cancelledLease, lease)
        guard lease == self.lease else { return }
        switch phase {
        case .awaitingHead, .body:
            fail(CancellationError())
            context?.close(promise: nil)
        case .idle, .closed:
            break
        }
    }

    /// The request is over and the connection can carry the next one (or closes).
    private func finishRequest() {
        phase = .idle
        deadline?.cancel()
        deadline = nil
        draining = false
        if keepAlive, !closed {
            onReusable(self)
        } else {
            context?.close(promise: nil)
        }
    }

    /// Fails what awaits the current request with `error` and marks the connection closed.
    private func fail(_ error: any Error) {
        if closed { return }
        closed = true
        deadline?.cancel()
        deadline = nil
        switch phase {
        case .awaitingHead(let continuation):
            phase = .closed
            continuation.resume(throwing: error)
        case .body:
            phase = .closed
            if !ended { failure = error }
            if let waiter {
                self.waiter = nil
                wait(lease, waiter)
            }
        case .idle, .closed:
            phase = .closed
        }
    }

    private func armReadTimer() {
        guard !timerArmed else { return }
        timerArmed = true
        // One timer per connection, re-armed for what is left rather than rescheduled on every read.
        eventLoop.scheduleTask(deadline: lastActivity + readTimeout) { [self] in
            timerArmed = false
            guard !closed else { return }
            let awaiting: Bool
            switch phase {
            case .awaitingHead: awaiting = true
            case .body: awaiting = !ended
            case .idle, .closed: awaiting = false
            }
            guard awaiting else { return }
            if NIODeadline.now() - lastActivity >= readTimeout {
                close(UpstreamHTTPError(.readTimeout, "\(origin.hostHeader) sent nothing for \(readTimeout.nanoseconds / 1_000_000) ms (readTimeout)", responseStarted: responseStarted))
            } else {
                armReadTimer()
            }
        }
    }

    private func resumeReading() {
        if readPending, bufferedBytes < Self.bufferLimit {
            readPending = false
            context?.read()
        }
    }

    // MARK: ChannelHandler

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        responseStarted = true
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .awaitingHead(let continuation) = phase else {
                close(UpstreamHTTPError(.badResponse, "\(origin.hostHeader) sent a response nobody asked for"))
                return
            }
            keepAlive = head.isKeepAlive
            phase = .body
            continuation.resume(returning: (Int(head.status.code), head.headers))
        case .body(let part):
            guard case .body = phase else { return }
            if draining {
                drained += part.readableBytes
                if drained > Self.drainLimit { close(UpstreamHTTPError(.connectionClosed, "dropped")) }
                return
            }
            if let waiter {
                self.waiter = nil
                waiter.resume(returning: part)
            } else {
                buffered.append(part)
                bufferedBytes += part.readableBytes
            }
        case .end:
            guard case .body = phase else { return }
            ended = true
            if draining {
                finishRequest()
            } else if let waiter {
                self.waiter = nil
                finishRequest()
                waiter.resume(returning: nil)
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        if bufferedBytes >= Self.bufferLimit {
            readPending = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let wrapped: UpstreamHTTPError
        if let error = error as? UpstreamHTTPError {
            wrapped = error
        } else if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            wrapped = UpstreamHTTPError(.connect, "TLS with \(origin.hostHeader) failed (\(error))", responseStarted: false)
        } else if let error = error as? HTTPParserError, error == .invalidEOFState {
            wrapped = UpstreamHTTPError(.connectionClosed, "\(origin.hostHeader) closed the connection mid-response", responseStarted: responseStarted)
        } else if error is HTTPParserError || error is NIOHTTPDecoderError {
            wrapped = UpstreamHTTPError(.badResponse, "\(origin.hostHeader) sent bytes that are not an HTTP/1.1 response (\(error))")
        } else {
            wrapped = UpstreamHTTPError(.connectionClosed, "the connection to \(origin.hostHeader) broke (\(error))", responseStarted: responseStarted)
        }
        close(wrapped)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(UpstreamHTTPError(.connectionClosed, "\(origin.hostHeader) closed the connection", responseStarted: responseStarted))
        onClosed(self)
        context.fireChannelInactive()
    }
}
