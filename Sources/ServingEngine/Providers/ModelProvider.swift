/// A backend that answers chat requests: a simulated model, or (with the gateway) a real server.
///
/// Providers stream. A provider reports every failure as a thrown ``ProviderFailure`` so that the
/// cascade can classify it; it must stop promptly when its task is cancelled, because that is
/// how timeouts and client disconnects reach it.
public protocol ModelProvider: Sendable {
    /// The unique name operators and configuration use for this provider.
    var name: String { get }
    /// The model this provider serves, as reported back to clients.
    var model: String { get }
    /// Streams the answer to `request`: zero or more `.text` chunks, then one `.finished`.
    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error>
}

/// What a provider is asked to answer.
public struct ProviderRequest: Sendable, Hashable {
    /// The conversation to continue.
    public var messages: [ChatMessage]
    /// Sampling parameters from the client.
    public var sampling: SamplingParameters
    /// A request identifier for the provider's logs.
    public var requestID: String

    /// Creates a provider request.
    public init(messages: [ChatMessage], sampling: SamplingParameters, requestID: String) {
        self.messages = messages
        self.sampling = sampling
        self.requestID = requestID
    }
}

/// One piece of a provider's streamed answer.
public enum ProviderChunk: Sendable, Hashable {
    /// Answer text, in order.
    case text(String)
    /// The end of the answer, with why it ended and the token counts if the provider gave them.
    case finished(FinishReason, TokenUsage?)
}

extension AsyncThrowingStream where Element == ProviderChunk, Failure == any Error {
    /// A provider's stream fed by `produce` in a task of its own: it finishes when `produce`
    /// returns, fails with what `produce` throws, and cancels `produce` when the consumer goes
    /// away (which is how timeouts and client disconnects reach a provider).
    public static func producing(_ produce: @escaping @Sendable (Continuation) async throws -> Void) -> Self {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await produce(continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
