extension ServingEngine {
    /// ``complete(_:)`` under the request's tenant limits: admitted through ``tenants`` first
    /// (a refusal is an ``EngineError`` with code ``EngineError/Code/rateLimited``), settled with
    /// the answer's tokens and cost. In-process callers (the traffic generator, the simulator)
    /// use it; the HTTP gateway admits through ``TenantLimiter`` itself to set headers.
    public func completeWithinLimits(_ request: ChatRequest) async throws(EngineError) -> EngineResponse {
        let pass: TenantPass
        switch await tenants.admitWaiting(request.tenant, estimatedTokens: tenants.estimate(request)) {
        case .success(let admitted): pass = admitted
        case .failure(let refusal): throw EngineError(.rateLimited, refusal.message)
        }
        let result: Result<EngineResponse, EngineError> = await pass.run {
            do throws(EngineError) { return .success(try await complete(request)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// ``stream(_:)`` under the request's tenant limits (see ``completeWithinLimits(_:)``): the
    /// dashboard's prompt console streams through it.
    public func streamWithinLimits(_ request: ChatRequest) -> AsyncThrowingStream<EngineStreamEvent, any Error> {
        switch tenants.admit(request.tenant, estimatedTokens: tenants.estimate(request)) {
        case .success(let pass):
            return pass.scope { stream(request) }
        case .failure(let refusal):
            return AsyncThrowingStream { $0.finish(throwing: EngineError(.rateLimited, refusal.message)) }
        }
    }
}
