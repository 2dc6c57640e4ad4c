/// What `switchboard simulate` runs: a rate, a duration and scheduled provider failures.
package struct SimulationPlan: Sendable, Hashable {
    /// Requests per second.
    package var rate: Double
    /// How long traffic is sent.
    package var duration: Duration
    /// The traffic seed; nil uses the configuration's.
    package var seed: UInt64?
    /// Providers forced down during windows of the run.
    package var failures: [FailureWindow]

    /// Creates a plan.
    package init(rate: Double, duration: Duration, seed: UInt64? = nil, failures: [FailureWindow] = []) {
        self.rate = rate
        self.duration = duration
        self.seed = seed
        self.failures = failures
    }
}

/// A provider forced down from `start` to `end` seconds into a simulation.
package struct FailureWindow: Sendable, Hashable, CustomStringConvertible {
    /// The provider's name.
    package var provider: String
    /// Seconds from the start when it goes down.
    package var start: Double
    /// Seconds from the start when it comes back.
    package var end: Double

    /// Creates a window.
    package init(provider: String, start: Double, end: Double) {
        self.provider = provider
        self.start = start
        self.end = end
    }

    /// Parses `PROVIDER@START-END`, e.g. `finetuned-local@5-12` (seconds, decimals allowed).
    package init(parsing text: String) throws(SimulationError) {
        let usage = "expected PROVIDER@START-END in seconds, e.g. finetuned-local@5-12"
        guard let at = text.lastIndex(of: "@") else { throw SimulationError("'\(text)' has no '@'; \(usage)") }
        let provider = String(text[..<at])
        let range = text[text.index(after: at)...].split(separator: "-", omittingEmptySubsequences: false)
        guard !provider.isEmpty, range.count == 2, let start = Double(range[0]), let end = Double(range[1]) else {
            throw SimulationError("'\(text)' is not a failure window; \(usage)")
        }
        guard start >= 0, end > start else {
            throw SimulationError("'\(text)': the window must start at 0 or later and end after it starts")
        }
        self.init(provider: provider, start: start, end: end)
    }

    package var description: String { "\(provider)@\(start)-\(end)" }
}

/// Why a simulation could not run.
package struct SimulationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong and what to do.
    package var message: String

    /// Creates an error.
    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
