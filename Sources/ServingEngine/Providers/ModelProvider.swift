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
    /// Streams the answer to `request`: zero or more `.text`, `.delta` and `.responseFields`
    /// chunks, then one `.finished`.
    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error>
    /// Answers `request` in the calling task, handing each chunk of ``stream(_:)``'s sequence to
    /// `receive` as it arrives. When `receive` throws, the provider stops and rethrows it.
    ///
    /// This is how the engine reads a provider: no task and no stream between the upstream's
    /// bytes and the caller, so no thread hop per chunk. The default reads ``stream(_:)``; a
    /// provider whose answer arrives as I/O implements this and builds its stream from it.
    func answer(_ request: ProviderRequest, receive: (ProviderChunk) throws -> Void) async throws
}

extension ModelProvider {
    public func answer(_ request: ProviderRequest, receive: (ProviderChunk) throws -> Void) async throws {
        for try await chunk in stream(request) { try receive(chunk) }
    }
}

/// What a provider is asked to answer: the client's conversation and parameters as sent.
public struct ProviderRequest: Sendable, Hashable {
    /// The conversation to continue, each message as the client sent it.
    public var messages: [ChatMessage]
    /// Every other field of the client's body (see ``ChatRequest/parameters``).
    public var parameters: JSONObject
    /// A request identifier for the provider's logs.
    public var requestID: String
    /// Whether the client asked for a stream. The engine reads every provider as a stream; a
    /// provider may answer a client that did not ask for one with a single call instead
    /// (`stream_upstream: when_client_streams`).
    public var clientStreams: Bool

    /// Creates a provider request.
    public init(messages: [ChatMessage], parameters: JSONObject = JSONObject(), requestID: String, clientStreams: Bool = true) {
        self.messages = messages
        self.parameters = parameters
        self.requestID = requestID
        self.clientStreams = clientStreams
    }

    /// Creates a provider request with only sampling parameters.
    public init(messages: [ChatMessage], sampling: SamplingParameters, requestID: String) {
        var parameters = JSONObject()
        sampling.write(into: &parameters)
        self.init(messages: messages, parameters: parameters, requestID: requestID)
    }

    /// The sampling parameters, read from ``parameters``.
    public var sampling: SamplingParameters {
        SamplingParameters(parameters)
    }
}

/// One piece of a provider's streamed answer.
public enum ProviderChunk: Sendable, Hashable {
    /// Answer text of choice 0, in order.
    case text(String)
    /// Any other piece of a choice: tool-call fragments, refusal, log probabilities, another
    /// choice's text, vendor fields, a choice's own finish reason.
    case delta(ChoiceDelta)
    /// Top-level fields of the provider's response that Switchboard passes on as they are
    /// (`system_fingerprint`, `service_tier`, vendor fields); later values win.
    case responseFields(JSONObject)
    /// The end of the answer, with why it ended (choice 0's reason) and the token counts if the
    /// provider gave them.
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

/// What an embeddings call asks of a provider: the client's `/v1/embeddings` body as sent
/// (`input`, `encoding_format`, `dimensions`, `user`…), without `model`, which is the provider's.
public struct EmbeddingProviderRequest: Sendable, Hashable {
    /// The client's body fields other than `model`.
    public var parameters: JSONObject
    /// A request identifier for the provider's logs.
    public var requestID: String

    /// Creates a request.
    public init(parameters: JSONObject, requestID: String) {
        self.parameters = parameters
        self.requestID = requestID
    }
}

/// A provider's embeddings answer: its body as it sent it (`object`, `data`, `model`, `usage`)
/// and the token count read from it.
public struct EmbeddingProviderResponse: Sendable, Hashable {
    /// The provider's response body.
    public var body: JSONObject
    /// The prompt tokens it counted.
    public var usage: TokenUsage

    /// Creates a response.
    public init(body: JSONObject, usage: TokenUsage) {
        self.body = body
        self.usage = usage
    }
}

/// A provider that also serves `/v1/embeddings`.
public protocol EmbeddingProvider: ModelProvider {
    /// Embeds the request's inputs; throws a ``ProviderFailure`` as ``ModelProvider/stream(_:)`` does.
    func embed(_ request: EmbeddingProviderRequest) async throws -> EmbeddingProviderResponse
}
