public import ServingEngine

/// One prompt sent from the console and what became of it, as it streams.
public struct ConsoleExchange: Sendable {
    /// Where the exchange is.
    public enum Phase: Sendable {
        /// Sent; nothing back yet.
        case waiting
        /// The answer is streaming.
        case streaming
        /// The answer is complete.
        case finished(FinishReason)
        /// No answer, or the answer broke off.
        case failed(String)
    }

    /// A number, from 1, in order of sending.
    public var number: Int
    /// The prompt and its directives.
    public var prompt: ConsolePrompt
    /// Where it is.
    public var phase: Phase
    /// Where the answer comes from, once known.
    public var source: AnswerSource?
    /// The answer so far.
    public var answer: String
    /// What the engine did, once finished.
    public var decision: DecisionRecord?
    /// The attempts reported with a failure.
    public var failedAttempts: [ProviderAttempt]

    /// Creates an exchange that is waiting for its answer.
    public init(number: Int, prompt: ConsolePrompt, phase: Phase = .waiting, source: AnswerSource? = nil, answer: String = "", decision: DecisionRecord? = nil, failedAttempts: [ProviderAttempt] = []) {
        self.number = number
        self.prompt = prompt
        self.phase = phase
        self.source = source
        self.answer = answer
        self.decision = decision
        self.failedAttempts = failedAttempts
    }
}
