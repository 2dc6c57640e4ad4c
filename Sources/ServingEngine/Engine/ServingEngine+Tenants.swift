extension ServingEngine {
    /// ``complete(_:)`` under the request's tenant limits: admitted through ``tenants`` first
    /// (a refusal is an ``EngineError`` with code ``EngineError/Code/rateLimited``), settled with
    /// the answer's tokens and cost. In-process callers (the traffic generator, the simulator)
    /// use it; the HTTP gateway admits through ``TenantLimiter`` itself to set headers.
    package func completeWithinLimits(_ request: ChatRequest) async throws(EngineError) -> EngineResponse {
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
    package func streamWithinLimits(_ request: ChatRequest) -> AsyncThrowingStream<EngineStreamEvent, any Error> {
        // Admitted inside the stream, so that a request only waiting for this replica's next
        // fleet lease waits for it, as the gateway's routes do.
        AsyncThrowingStream { continuation in
            let task = Task {
                switch await self.tenants.admitWaiting(request.tenant, estimatedTokens: self.tenants.estimate(request)) {
                case .failure(let refusal):
                    continuation.finish(throwing: EngineError(.rateLimited, refusal.message))
                case .success(let pass):
                    do {
                        for try await event in pass.scope({ self.stream(request) }) { continuation.yield(event) }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
