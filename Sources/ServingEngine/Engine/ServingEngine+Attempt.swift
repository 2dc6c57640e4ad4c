import Synchronization

extension ServingEngine {
    enum AttemptResult: Sendable {
        case answered(Answered)
        case failed(ProviderFailure, chunksSent: Int)
        case cancelled
    }

    /// Thrown into a provider's answer when the watchdog already gave up on it: the provider stops.
    struct WatchdogWon: Error {}

    /// A provider's finished answer.
    struct Answered: Sendable {
        var choices: [AnswerChoice]
        var finish: FinishReason
        var usage: TokenUsage
        var responseFields: JSONObject
        var timeToFirstToken: Duration
    }

    /// Who won the race between a provider's stream and its watchdog: once the stream has passed
    /// text to the caller it is committed, and once the watchdog fired, nothing more is passed on.
    final class AttemptProgress: Sendable {
        enum Phase { case waiting, committed, expired, done }
        private let state: Mutex<(phase: Phase, lastActivity: ContinuousClock.Instant, chunks: Int)>

        init(now: ContinuousClock.Instant) {
            state = Mutex((.waiting, now, 0))
        }

        /// Called before passing a chunk on; false when the watchdog already gave up.
        func pass(now: ContinuousClock.Instant) -> (allowed: Bool, first: Bool) {
            state.withLock { state in
                switch state.phase {
                case .expired, .done: return (false, false)
                case .waiting, .committed:
                    let first = state.phase == .waiting
                    state.phase = .committed
                    state.lastActivity = now
                    state.chunks += 1
                    return (true, first)
                }
            }
        }

        /// Called when the stream ended; false when the watchdog already gave up.
        func complete() -> Bool {
            state.withLock { state in
                guard state.phase == .waiting || state.phase == .committed else { return false }
                state.phase = .done
                return true
            }
        }

        /// The watchdog's check: expires the attempt if idle past its limit, else says when to look again.
        func check(now: ContinuousClock.Instant, idleTimeout: Duration, deadline: ContinuousClock.Instant) -> (expired: Bool, chunks: Int, next: ContinuousClock.Instant) {
            state.withLock { state in
                guard state.phase == .waiting || state.phase == .committed else { return (false, state.chunks, now + idleTimeout) }
                let limit = min(state.lastActivity + idleTimeout, deadline)
                if now >= limit {
                    state.phase = .expired
                    return (true, state.chunks, now)
                }
                return (false, state.chunks, limit)
            }
        }

        var chunks: Int { state.withLock { $0.chunks } }

        /// Whether the attempt is still being answered: neither finished nor given up on.
        var isOpen: Bool { state.withLock { $0.phase == .waiting || $0.phase == .committed } }
    }

    /// Calls one provider, passing its text to the caller as it comes, under a watchdog that
    /// gives up when no text arrives within `timeout` (for the first token, and between tokens)
    /// or when the request's deadline passes.
    ///
    /// The provider runs in a task of its own, watched by the engine's ``AttemptWatchdog``, and
    /// the attempt returns as soon as either settles it (or the caller is cancelled): a provider
    /// that ignores cancellation, stuck in I/O, must not hold the request past its timeout, as
    /// waiting on a task group's child would.
    /// Such a provider goes on until it next offers a piece, which ``AttemptProgress`` refuses.
    func runAttempt(
        _ provider: any ModelProvider,
        _ request: ProviderRequest,
        timeout: Duration,
        deadline: ContinuousClock.Instant,
        source: AnswerSource,
        requestStart: ContinuousClock.Instant,
        events: EngineEventSink
    ) async -> AttemptResult {
        let attemptStart = ContinuousClock.now
        let progress = AttemptProgress(now: attemptStart)
        let settlement = AttemptSettlement()
        let name = provider.name
        let answering = Task {
            var answer = AnswerAccumulator()
            var fields = JSONObject()
            var ttft: Duration?
            /// Passes the answer's first piece on with `.answering` (and the response fields
            /// that came before it); false when the watchdog already gave up.
            func pass() -> Bool {
                let now = ContinuousClock.now
                let (allowed, first) = progress.pass(now: now)
                guard allowed else { return false }
                if first {
                    ttft = now - requestStart
                    var answering = source
                    answering.providerTimeToFirstPiece = now - attemptStart
                    events.yield(.answering(answering))
                    if !fields.isEmpty { events.yield(.responseFields(fields)) }
                }
                return true
            }
            var answered: Answered?
            do {
                try await provider.answer(request) { chunk in
                    switch chunk {
                    case .text(let piece):
                        guard pass() else { throw WatchdogWon() }
                        answer.add(text: piece)
                        events.yield(.text(piece))
                    case .delta(let delta):
                        guard pass() else { throw WatchdogWon() }
                        answer.add(delta)
                        events.yield(.delta(delta))
                    case .responseFields(let more):
                        for (key, value) in more { fields[key] = value }
                        if ttft != nil {
                            guard progress.isOpen else { throw WatchdogWon() }
                            events.yield(.responseFields(more))
                        }
                    case .finished(let reason, let usage):
                        if ttft == nil {
                            guard pass() else { throw WatchdogWon() }
                        }
                        guard progress.complete() else { throw WatchdogWon() }
                        let choices = answer.choices(finish: reason)
                        let completion = choices.reduce(0) { $0 + TokenEstimator.estimate($1.content ?? "") + $1.toolCalls.reduce(0) { $0 + TokenEstimator.estimate($1.arguments) } }
                        let reported = usage ?? TokenUsage(promptTokens: TokenEstimator.estimate(request.messages), completionTokens: completion)
                        answered = Answered(choices: choices, finish: reason, usage: reported, responseFields: fields, timeToFirstToken: ttft ?? .zero)
                    }
                }
                if let answered { return settlement.settle(.answered(answered)) }
                // Cancelled means the attempt was already settled by the watchdog or the caller.
                if Task.isCancelled { return }
                settlement.settle(.failed(ProviderFailure(.streamBroken, "\(name) ended its stream without finishing the answer"), chunksSent: progress.chunks))
            } catch {
                // An answer that finished stands even if the provider failed after it.
                if let answered { return settlement.settle(.answered(answered)) }
                switch error {
                // The watchdog or the caller settled the attempt; if neither did (a provider that
                // threw a cancellation of its own), the watchdog still will.
                case is WatchdogWon, is CancellationError: return
                case let failure as ProviderFailure: settlement.settle(.failed(failure, chunksSent: progress.chunks))
                default: settlement.settle(.failed(ProviderFailure(.badResponse, "\(name): \(error)"), chunksSent: progress.chunks))
                }
            }
        }
        let watch = watchdog.watch(due: min(.now + timeout, deadline)) { now in
            let check = progress.check(now: now, idleTimeout: timeout, deadline: deadline)
            guard check.expired else { return check.next }
            let what = check.chunks == 0 ? "no first token" : "no further token"
            settlement.settle(.failed(ProviderFailure(.timeout, "\(name): \(what) within \(DurationFormat.short(timeout))"), chunksSent: check.chunks))
            return nil
        }
        let outcome = await withTaskCancellationHandler {
            await settlement.outcome()
        } onCancel: {
            settlement.settle(.cancelled)
        }
        answering.cancel()
        watchdog.stop(watch)
        return outcome
    }
}
