import AsyncHTTPClient
import Foundation
@testable import Gateway
import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import ServiceLifecycle
import ServingEngine
import Testing
import TestSupport

@Suite("A draining connection never drops a request already sent")
struct ConnectionDrainTests {
    @Test func aConnectionWithARequestInFlightClosesAfterItsResponse() {
        var drain = ConnectionDrain(linger: .seconds(1))
        let heldQuiesceToPassOn = drain.requestStarted()
        #expect(!heldQuiesceToPassOn)
        #expect(!drain.closesAfterResponse)
        let action = drain.quiesce()
        #expect(action == .passOn)
        #expect(drain.closesAfterResponse)
        drain.responseEnded()
        let lateTimer = drain.lingerEnded()
        #expect(!lateTimer)
    }

    @Test func anIdleConnectionLingersAndServesTheRequestThatArrivesThenCloses() {
        var drain = ConnectionDrain(linger: .milliseconds(800))
        let beforeTheDrain = drain.requestStarted()
        #expect(!beforeTheDrain)
        drain.responseEnded()
        let action = drain.quiesce()
        #expect(action == .linger(.milliseconds(800)))
        #expect(drain.phase == .lingering)
        let inTheLinger = drain.requestStarted()
        #expect(inTheLinger, "the held quiesce goes on once the request is counted")
        #expect(drain.closesAfterResponse)
        let lateTimer = drain.lingerEnded()
        #expect(!lateTimer, "a linger timer that fires late changes nothing")
        let afterwards = drain.requestStarted()
        #expect(!afterwards)
    }

    @Test func anIdleConnectionThatStaysQuietClosesWhenTheLingerEnds() {
        var drain = ConnectionDrain(linger: .milliseconds(800))
        let action = drain.quiesce()
        #expect(action == .linger(.milliseconds(800)))
        let lingerOver = drain.lingerEnded()
        #expect(lingerOver)
        #expect(drain.phase == .quiesced)
        let again = drain.quiesce()
        #expect(again == .passOn, "a second quiesce is passed on, never held again")
    }

    @Test func noLingerClosesAnIdleConnectionAtOnce() {
        var drain = ConnectionDrain(linger: .zero)
        let action = drain.quiesce()
        #expect(action == .passOn)
    }

    @Test func theLingerIsAtMostHalfTheShutdownGrace() {
        #expect(GatewaySettings(shutdownGrace: .seconds(10), drainLinger: .seconds(1)).effectiveDrainLinger == .seconds(1))
        #expect(GatewaySettings(shutdownGrace: .seconds(1), drainLinger: .seconds(1)).effectiveDrainLinger == .milliseconds(500))
        #expect(GatewaySettings(shutdownGrace: .zero).effectiveDrainLinger == .zero)
    }

    @Test func theHandlerHoldsTheQuiesceUntilARequestArrivesAndMarksItsResponseClose() throws {
        let recorder = EventRecorder()
        let channel = EmbeddedChannel(handlers: [ConnectionDrainHandler(linger: .seconds(1)), recorder])
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(999))
        #expect(recorder.log == [])
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/v1/chat/completions")))
        #expect(recorder.log == ["head", "quiesce"])
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(recorder.log == ["head", "quiesce"], "the linger timer was cancelled")
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        guard case .head(let head) = try channel.readOutbound(as: HTTPResponsePart.self) else {
            Issue.record("no response head went out")
            return
        }
        #expect(head.headerFields[.connection] == "close")
        _ = try channel.finish()
    }

    @Test func theHandlerPassesTheQuiesceOnWhenTheLingerEnds() throws {
        let recorder = EventRecorder()
        let channel = EmbeddedChannel(handlers: [ConnectionDrainHandler(linger: .seconds(1)), recorder])
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(recorder.log == ["quiesce"])
        _ = try channel.finish()
    }

    @Test func beforeADrainResponsesKeepTheConnectionAlive() throws {
        let channel = EmbeddedChannel(handlers: [ConnectionDrainHandler(linger: .seconds(1))])
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        guard case .head(let head) = try channel.readOutbound(as: HTTPResponsePart.self) else {
            Issue.record("no response head went out")
            return
        }
        #expect(head.headerFields[.connection] == nil)
        _ = try channel.finish()
    }

    /// The race the drain exists for, on a real server: once the shutdown has begun, a request
    /// on a kept-alive connection that was idle is answered (with `Connection: close`) instead of
    /// meeting a closed socket, and `/readyz` says `draining`.
    @Test func aRequestOnAnIdleKeptAliveConnectionAfterTheShutdownBeganIsAnswered() async throws {
        var logger = Logger(label: "drain-test")
        logger.logLevel = .critical
        let engine = try ServingEngine(configuration: .builtInWithHashingEmbedder)
        let settings = GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0), shutdownGrace: .seconds(20), drainLinger: .seconds(8))
        let gateway = GatewayServer(engine: engine, settings: settings, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [gateway], logger: logger))
        let running = Task { try await group.run() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let base = try await gateway.listeningAddress().url
            let first = try await client.execute(HTTPClientRequest(url: base + "/healthz"), timeout: .seconds(10))
            _ = try await first.body.collect(upTo: 1 << 16)
            #expect(first.status.code == 200)
            #expect(first.headers.first(name: "connection") != "close")

            await group.triggerGracefulShutdown()
            try await waitUntil(.seconds(10)) { gateway.isDraining }
            // The quiesce reaches the connection on its own event loop a moment later; every
            // request until then, and the first after, must be answered.
            var closedByTheDrain = false
            for _ in 0..<2_000 where !closedByTheDrain {
                let response = try await client.execute(HTTPClientRequest(url: base + "/readyz"), timeout: .seconds(10))
                let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
                #expect(response.status.code == 503)
                #expect(body.contains(#""status":"draining""#), "\(body)")
                closedByTheDrain = response.headers.first(name: "connection") == "close"
                if !closedByTheDrain { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(closedByTheDrain)
            await #expect(throws: (any Error).self, "no new connection is accepted once draining") {
                // The client retries a refused connection until its deadline, so a short one.
                _ = try await client.execute(HTTPClientRequest(url: base + "/healthz"), timeout: .milliseconds(300))
            }
        } catch {
            Issue.record(error)
        }
        try await client.shutdown()
        await group.triggerGracefulShutdown()
        _ = try await bounded(.seconds(30)) { try await running.value }
    }
}

/// Records what reaches the end of the pipeline: request heads and quiesce events, in order.
private final class EventRecorder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPRequestPart
    private(set) var log: [String] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { log.append("head") }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent { log.append("quiesce") }
    }
}
