package import ServingEngine

/// One prompt sent from the console and what became of it, as it streams.
package struct ConsoleExchange: Sendable {
    /// Where the exchange is.
    package enum Phase: Sendable {
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
    package var number: Int
    /// The prompt and its directives.
    package var prompt: ConsolePrompt
    /// Where it is.
    package var phase: Phase
    /// Where the answer comes from, once known.
    package var source: AnswerSource?
    /// The answer so far.
    package var answer: String
    /// What the engine did, once finished.
    package var decision: DecisionRecord?
    /// The attempts reported with a failure.
    package var failedAttempts: [ProviderAttempt]

    /// Creates an exchange that is waiting for its answer.
    package init(number: Int, prompt: ConsolePrompt, phase: Phase = .waiting, source: AnswerSource? = nil, answer: String = "", decision: DecisionRecord? = nil, failedAttempts: [ProviderAttempt] = []) {
        self.number = number
        self.prompt = prompt
        self.phase = phase
        self.source = source
        self.answer = answer
        self.decision = decision
        self.failedAttempts = failedAttempts
    }
}
