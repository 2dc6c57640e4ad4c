package import ServingEngine

/// The engine the dashboard normally runs on.
extension ServingEngine: DashboardEngine {
    /// Console prompts are admitted under their tenant's limits, like every HTTP route.
    package func consoleStream(_ request: ChatRequest) -> AsyncThrowingStream<EngineStreamEvent, any Error> {
        streamWithinLimits(request)
    }
}
