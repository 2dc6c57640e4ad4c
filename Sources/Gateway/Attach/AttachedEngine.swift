import AsyncHTTPClient
import Foundation
import Measuring
import Logging
import NIOCore
import NIOFoundationCompat
package import ServingEngine
import Synchronization

/// The engine of a running `switchboard serve`, seen from a console attached to it: snapshots
/// and decisions from `GET /admin/stream`, operator commands through the admin API, console
/// prompts through `POST /admin/console/chat`. It has the shape the dashboard needs (the
/// executable declares the conformance), so the same panes show a remote server.
///
/// The feed runs in its own task and reconnects with backoff when the server goes away; the
/// dashboard reads the latest state each frame and never waits on the network.
package final class AttachedEngine: Sendable {
    /// Where the console is attached and how the link is.
    package struct Link: Sendable, Hashable {
        /// The state of the feed.
        package enum State: Sendable, Hashable {
            /// Connecting for the first time.
            case connecting
            /// Frames are arriving.
            case live
            /// The server went away or stopped sending; the console keeps trying.
            case reconnecting(reason: String)
            /// The server refused the admin token (or has the admin API off).
            case refused(reason: String)
        }

        /// The server's URL as given.
        package var url: String
        /// The server's own address and replica, once a frame came.
        package var server: String?
        /// The feed's state.
        package var state: State
        /// Requests the server finished while attached, and how many of them the feed carried.
        package var decisionsSeen: Int
        /// How many of ``decisionsSeen`` the feed carried (the rest were sampled out).
        package var decisionsShown: Int
        /// Times the feed reconnected.
        package var reconnects: Int
        /// Frames received.
        package var frames = 0
        /// Bytes of frames received (the feed's network use, less HTTP framing).
        package var bytesReceived = 0
        /// CPU time spent decoding and applying frames (on whichever thread ran the feed).
        package var decodeCPU: Duration = .zero
    }

    /// Why an attached console cannot start.
    package struct AttachError: Error, Sendable, CustomStringConvertible {
        /// What went wrong and what to do.
        package var description: String
    }

    /// The most activity entries kept for the Routes pane.
    static let activityLimit = 300

    private struct State: Sendable {
        var snapshot: EngineSnapshot?
        var activity: [ActivityEntry] = []
        var link: Link
    }

    /// The server's base URL, without a trailing slash.
    package let baseURL: String
    private let adminToken: String?
    private let client: HTTPClient
    private let framesPerSecond: Int
    private let sampleSize: Int
    private let state: Mutex<State>
    private let feed = Mutex<Task<Void, Never>?>(nil)

    /// The most decisions a frame carries by default: a Routes pane's worth (24 rows at 160×48),
    /// so each frame can refresh the whole pane; beyond it the server sends an even sample and
    /// the exact count.
    package static let defaultSampleSize = 25

    /// Creates an engine view of the server at `url` (`http://HOST:PORT`), asking for
    /// `framesPerSecond` frames of at most `sampleSize` decisions each.
    package init(url: String, adminToken: String?, framesPerSecond: Int = 10, sampleSize: Int = AttachedEngine.defaultSampleSize) throws(AttachError) {
        var base = url.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard let parsed = URL(string: base), let scheme = parsed.scheme, ["http", "https"].contains(scheme), parsed.host != nil else {
            throw AttachError(description: "--connect: '\(url)' is not an http:// or https:// URL of a running `switchboard serve`, e.g. http://127.0.0.1:8080")
        }
        baseURL = base
        self.adminToken = adminToken
        self.framesPerSecond = framesPerSecond
        self.sampleSize = sampleSize
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(3))))
        state = Mutex(State(link: Link(url: base, server: nil, state: .connecting, decisionsSeen: 0, decisionsShown: 0, reconnects: 0)))
    }

    /// Checks that the server answers and accepts the token: a wrong token or an unreachable
    /// server is a clear error before the console takes the terminal.
    package func checkAccess() async throws(AttachError) {
        var request = HTTPClientRequest(url: baseURL + "/admin/providers")
        authorize(&request)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(5))
        } catch {
            throw AttachError(description: "cannot reach \(baseURL): \(error); is `switchboard serve` running there?")
        }
        let body = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
        switch response.status.code {
        case 200: return
        case 401, 403:
            let detail = Self.errorMessage(body) ?? "HTTP \(response.status.code)"
            let hint = adminToken == nil ? "pass --admin-token-env VAR with the variable that holds the server's admin token" : "check that the variable given to --admin-token-env holds the server's gateway.admin_token_env value"
            throw AttachError(description: "\(baseURL) refused the console (HTTP \(response.status.code)): \(detail); \(hint)")
        default:
            throw AttachError(description: "\(baseURL)/admin/providers answered HTTP \(response.status.code): \(Self.errorMessage(body) ?? String(body.prefix(200))); is it a `switchboard serve`?")
        }
    }

    /// Starts following the feed (idempotent).
    package func start() {
        feed.withLock { task in
            guard task == nil else { return }
            task = Task { [weak self] in await self?.follow() }
        }
    }

    /// Stops the feed and releases the HTTP client.
    package func stop() async {
        let task = feed.withLock { $0 }
        task?.cancel()
        await task?.value
        try? await client.shutdown()
    }

    /// The link as it is now.
    package var link: Link { state.withLock { $0.link } }

    /// The server's state as last received, with at most `activityLimit` recent entries.
    package func snapshot(activityLimit: Int) -> EngineSnapshot {
        state.withLock { state in
            var snapshot = state.snapshot ?? EngineSnapshot.empty(source: baseURL)
            snapshot.activity = Array(state.activity.prefix(max(0, activityLimit)))
            return snapshot
        }
    }

    /// Sends an operator command to the server's admin API; the outcome shows in the Routes
    /// pane as the server's own event (or as a local one when the server refuses it).
    package func perform(_ command: OperatorCommand) throws(CommandError) -> String {
        let path: String
        var body: [String: any Sendable] = [:]
        switch command {
        case .setOverride(let provider, let value):
            let action = switch value {
            case .forcedDown: "down"
            case .forcedUp: "up"
            case .auto: "auto"
            }
            guard let escaped = provider.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) else {
                throw CommandError("cannot name provider '\(provider)' in a URL")
            }
            path = "/admin/providers/\(escaped)/\(action)"
        case .setRouterThreshold(let value):
            path = "/admin/router/threshold"
            body["value"] = value
        case .invalidateCache(let tenant, let model):
            path = "/admin/cache/invalidate"
            if let tenant { body["tenant"] = tenant }
            if let model { body["model"] = model }
        case .setTrafficRate, .setTrafficPaused:
            throw CommandError("a served gateway has no built-in traffic generator to change; its traffic comes from its clients")
        case .injectFaults:
            throw CommandError("fault drills run on the embedded demo (`switchboard`) or with `switchboard drill`, not through the admin API")
        case .changeTenantLimits(let tenant, let change):
            guard change.onBudget == nil else {
                throw CommandError("budget steps are changed through the configuration or POST /admin/tenants/{id}/limits, not from an attached console")
            }
            guard let escaped = tenant.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) else {
                throw CommandError("cannot name tenant '\(tenant)' in a URL")
            }
            path = "/admin/tenants/\(escaped)/limits"
            func value<T: Sendable>(_ change: T??) -> (any Sendable)? {
                guard let change else { return nil }
                return change.map { $0 as any Sendable } ?? NSNull()
            }
            if let v = value(change.requestsPerMinute) { body["requests_per_minute"] = v }
            if let v = value(change.tokensPerMinute) { body["tokens_per_minute"] = v }
            if let v = value(change.maxConcurrent) { body["max_concurrent"] = v }
            var budget: [String: any Sendable] = [:]
            if let v = value(change.dailyBudgetUSD) { budget["daily_usd"] = v }
            if let v = value(change.monthlyBudgetUSD) { budget["monthly_usd"] = v }
            if !budget.isEmpty { body["budget"] = budget }
            if let blocked = change.blocked { body["blocked"] = blocked }
        }
        let data = (try? JSONSerialization.data(withJSONObject: body)) ?? Data("{}".utf8)
        let url = baseURL + path
        Task { [weak self] in await self?.post(url, data) }
        return "sent to \(baseURL): POST \(path)"
    }

    private func post(_ url: String, _ data: Data) async {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        authorize(&request)
        request.body = .bytes(ByteBuffer(data: data))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            let text = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
            if response.status.code != 200 {
                note("the server refused \(url.dropFirst(baseURL.count)) (HTTP \(response.status.code)): \(Self.errorMessage(text) ?? text)")
            }
        } catch {
            note("could not reach \(baseURL) for \(url.dropFirst(baseURL.count)): \(error)")
        }
    }

    /// Sends a console prompt to the server and streams what its engine does with it.
    package func stream(_ request: ChatRequest) -> AsyncThrowingStream<EngineStreamEvent, any Error> {
        let body = ConsoleChatBody(prompt: request.lastUserPrompt, tenant: request.tenant, model: request.model == ChatRequest.automaticModel ? nil : request.model, tier: request.options.forcedTier, bypassCache: !request.options.cacheLookup)
        let url = baseURL + "/admin/console/chat"
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var http = HTTPClientRequest(url: url)
                    http.method = .POST
                    http.headers.add(name: "Content-Type", value: "application/json")
                    self.authorize(&http)
                    http.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
                    let response = try await self.client.execute(http, timeout: .seconds(300))
                    guard response.status.code == 200 else {
                        let text = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
                        throw EngineError(.invalidRequest, "the server refused the prompt (HTTP \(response.status.code)): \(Self.errorMessage(text) ?? text)")
                    }
                    var parser = ServerSentEventParser()
                    let decoder = JSONDecoder()
                    for try await buffer in response.body {
                        for event in parser.feed(buffer.readableBytesView) {
                            let payload = try decoder.decode(ConsoleChatEvent.self, from: Data(event.data.utf8))
                            switch event.name {
                            case "answering":
                                if let source = payload.source { continuation.yield(.answering(source.answerSource)) }
                            case "text":
                                if let text = payload.text { continuation.yield(.text(text)) }
                            case "finished":
                                if let decision = payload.decision {
                                    continuation.yield(.finished(payload.finish.map(FinishReason.init(rawValue:)) ?? .stop, payload.usage ?? decision.usage, decision))
                                }
                            case "error":
                                throw EngineError(.allProvidersFailed, payload.error ?? "the server could not answer", attempts: payload.attempts ?? [])
                            default:
                                break
                            }
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func authorize(_ request: inout HTTPClientRequest) {
        if let adminToken { request.headers.add(name: "Authorization", value: "Bearer \(adminToken)") }
    }

    /// Adds a local line to the Routes pane (something the console, not the server, has to say).
    private func note(_ message: String) {
        state.withLock { state in
            state.activity.insert(.event(EngineEvent(kind: .info, message: "console: " + message)), at: 0)
            if state.activity.count > Self.activityLimit { state.activity.removeLast(state.activity.count - Self.activityLimit) }
        }
    }

    private func setLink(_ change: (inout Link) -> Void) {
        state.withLock { change(&$0.link) }
    }

    /// Follows the feed until cancelled, reconnecting with backoff (0.25 s doubling to 4 s).
    private func follow() async {
        var backoff = Duration.milliseconds(250)
        while !Task.isCancelled {
            let reason: String
            do {
                try await followOnce()
                reason = "the server ended the stream"
            } catch let refusal as Refusal {
                setLink { $0.state = .refused(reason: refusal.message) }
                try? await Task.sleep(for: .seconds(5))
                continue
            } catch is CancellationError {
                return
            } catch {
                reason = "\(error)"
            }
            if Task.isCancelled { return }
            // A connection that was live starts the backoff again from the shortest wait.
            if case .live = link.state { backoff = .milliseconds(250) }
            setLink { link in
                link.state = .reconnecting(reason: reason)
                link.reconnects += 1
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(4))
        }
    }

    private struct Refusal: Error {
        var message: String
    }

    private struct Stalled: Error, CustomStringConvertible {
        var description: String { "no frame for 3 s" }
    }

    /// One connection to the feed: returns when the server ends it, throws when it breaks or stalls.
    private func followOnce() async throws {
        var request = HTTPClientRequest(url: baseURL + "/admin/stream?fps=\(framesPerSecond)&sample=\(sampleSize)")
        authorize(&request)
        let response = try await client.execute(request, deadline: .distantFuture)
        guard response.status.code == 200 else {
            let text = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
            let message = "HTTP \(response.status.code): \(Self.errorMessage(text) ?? text)"
            if [401, 403].contains(response.status.code) { throw Refusal(message: message) }
            throw AttachError(description: message)
        }
        let lastFrame = FrameClock()
        let body = response.body
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var parser = ServerSentEventParser()
                let decoder = JSONDecoder()
                var first = true
                for try await buffer in body {
                    for event in parser.feed(buffer.readableBytesView) where event.name == "frame" {
                        let cpu = ThreadCPU.now()
                        let frame = try decoder.decode(ConsoleFeedFrame.self, from: Data(event.data.utf8))
                        lastFrame.touch()
                        self.apply(frame, replacing: first, bytes: event.data.utf8.count, cpu: ThreadCPU.now() - cpu)
                        first = false
                    }
                }
            }
            group.addTask {
                // A server that stops sending without closing (hung, or a dead peer) counts as gone.
                while true {
                    try await Task.sleep(for: .milliseconds(500))
                    if lastFrame.age > .seconds(3) { throw Stalled() }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func apply(_ frame: ConsoleFeedFrame, replacing: Bool, bytes: Int, cpu: Duration) {
        state.withLock { state in
            state.link.frames += 1
            state.link.bytesReceived += bytes
            state.link.decodeCPU += cpu
            state.snapshot = frame.snapshot
            if replacing {
                // A new connection (first, or after a restart) starts from the server's log.
                let notes = state.activity.filter { if case .event(let event) = $0 { event.message.hasPrefix("console: ") } else { false } }
                state.activity = frame.activity + notes.prefix(20)
            } else {
                state.activity.insert(contentsOf: frame.activity, at: 0)
            }
            if state.activity.count > Self.activityLimit { state.activity.removeLast(state.activity.count - Self.activityLimit) }
            state.link.state = .live
            state.link.server = frame.server
            state.link.decisionsSeen += frame.newDecisions
            state.link.decisionsShown += frame.sentDecisions
        }
    }

    static func errorMessage(_ body: String) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any],
              let error = object["error"] as? [String: Any], let message = error["message"] as? String else { return nil }
        return message
    }
}

/// When the feed last delivered a frame, shared by its reader and its watchdog.
private final class FrameClock: Sendable {
    private let last = Mutex(ContinuousClock.now)

    func touch() { last.withLock { $0 = .now } }

    var age: Duration { ContinuousClock.now - last.withLock { $0 } }
}
