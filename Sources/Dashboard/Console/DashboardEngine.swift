package import ServingEngine

/// What the dashboard needs from an engine. ``ServingEngine`` provides it; tests and the
/// benchmark can supply their own.
package protocol DashboardEngine: Sendable {
    /// The engine's state now, with at most `activityLimit` recent activity entries; cheap
    /// enough to call every frame.
    func snapshot(activityLimit: Int) -> EngineSnapshot
    /// Carries out an operator command and returns a confirmation.
    func perform(_ command: OperatorCommand) throws(CommandError) -> String
    /// Streams the answer to `request`.
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<EngineStreamEvent, any Error>
    /// Streams the answer to a console prompt, under its tenant's limits.
    func consoleStream(_ request: ChatRequest) -> AsyncThrowingStream<EngineStreamEvent, any Error>
    /// Where the console is attached, when the engine is a remote server; nil when it is embedded.
    var attachment: DashboardAttachment? { get }
}

extension DashboardEngine {
    /// Engines without tenant limits stream console prompts as they stream anything else.
    package func consoleStream(_ request: ChatRequest) -> AsyncThrowingStream<EngineStreamEvent, any Error> {
        stream(request)
    }

    /// An embedded engine is not attached anywhere.
    package var attachment: DashboardAttachment? { nil }
}
