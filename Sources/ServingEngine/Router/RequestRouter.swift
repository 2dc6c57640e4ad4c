import Synchronization

/// Chooses a tier for a request: semantic routes first, then the strategy's score against the
/// tier thresholds. The thresholds can be changed while the engine runs (the operator's one
/// trade-off number); recent scores are kept so that the effect of a new threshold on the share
/// of frontier calls can be projected before it is applied.
final class RequestRouter: Sendable {
    struct RouteVectors: Sendable {
        var route: SemanticRoute
        var vectors: [[Float]]
    }

    let configuration: RouterConfiguration
    /// The embedder semantic routes compare prompts with: the cache's, so that `minilm` serves
    /// both when it is live.
    let embedder: any Embedder
    private let state: Mutex<State>

    struct State: Sendable {
        var thresholds: [ComplexityRouter.Threshold]
        var recentScores: [Double] = []
        var next = 0
        /// The routes' example vectors, embedded on first use (the embedder may be async).
        var routes: [RouteVectors]?
    }

    static let recentCapacity = 1024

    init(configuration: RouterConfiguration, thresholds: [ComplexityRouter.Threshold], embedder: any Embedder = HashingEmbedder()) {
        self.configuration = configuration
        self.embedder = embedder
        state = Mutex(State(thresholds: thresholds.sorted { $0.upTo < $1.upTo }))
    }

    var thresholds: [ComplexityRouter.Threshold] { state.withLock { $0.thresholds } }

    var strategyName: String { configuration.strategy.name }

    /// The recent scores, for projections; unordered.
    var recentScores: [Double] { state.withLock { $0.recentScores } }

    /// Sets the boundary between the cheapest tier and the next.
    func setLowestThreshold(_ value: Double) {
        state.withLock { state in
            guard state.thresholds.count > 1 else { return }
            state.thresholds[0].upTo = value
            state.thresholds.sort { $0.upTo < $1.upTo }
        }
    }

    /// The score and reasons for `request` under the configured strategy.
    func score(_ request: ChatRequest) -> (Double, [RouteReason]) {
        let (rulesScore, reasons) = ComplexityRouter.score(request)
        switch configuration.strategy {
        case .rules:
            return (rulesScore, reasons)
        case .learned(let model, _):
            let probability = model.probability(for: request.lastUserPrompt)
            let rounded = (probability * 1000).rounded() / 1000
            return (rounded, [RouteReason(feature: "learned", contribution: rounded, evidence: "P(strong better) = \(rounded)")] + reasons)
        }
    }

    /// What matching a prompt against the semantic routes found.
    struct SemanticMatch {
        /// The closest route and its similarity, if one is close enough.
        var route: (SemanticRoute, Double)?
        /// The normalised prompt's embedding, when one was computed: the cache reuses it rather
        /// than embedding the same text again.
        var promptVector: [Float]?
    }

    /// The closest semantic route, if one is close enough. An embedder that fails (a remote one
    /// that is down, say) means no semantic route: the request is scored instead.
    func semanticRoute(for request: ChatRequest) async -> SemanticMatch {
        guard !configuration.routes.isEmpty, let routes = await routeVectors(),
              let query = try? await embedder.embed(PromptNormalizer.normalize(request.lastUserPrompt)) else { return SemanticMatch() }
        var best: (SemanticRoute, Double)?
        for entry in routes {
            for vector in entry.vectors {
                var similarity: Float = 0
                for index in vector.indices { similarity += vector[index] * query[index] }
                if Double(similarity) >= entry.route.minSimilarity, Double(similarity) > best?.1 ?? -1 {
                    best = (entry.route, Double(similarity))
                }
            }
        }
        return SemanticMatch(route: best, promptVector: query)
    }

    private func routeVectors() async -> [RouteVectors]? {
        if let routes = state.withLock({ $0.routes }) { return routes }
        var routes: [RouteVectors] = []
        for route in configuration.routes {
            var vectors: [[Float]] = []
            for example in route.examples {
                guard let vector = try? await embedder.embed(PromptNormalizer.normalize(example)) else { return nil }
                vectors.append(vector)
            }
            routes.append(RouteVectors(route: route, vectors: vectors))
        }
        state.withLock { $0.routes = routes }
        return routes
    }

    /// Routes `request` by score, remembering the score for projections.
    func route(_ request: ChatRequest) -> RouteDecision {
        let (score, reasons) = score(request)
        let tier = state.withLock { state in
            if state.recentScores.count < Self.recentCapacity {
                state.recentScores.append(score)
            } else {
                state.recentScores[state.next] = score
                state.next = (state.next + 1) % Self.recentCapacity
            }
            return state.thresholds.first { score <= $0.upTo }?.tier ?? state.thresholds[state.thresholds.count - 1].tier
        }
        return RouteDecision(score: score, reasons: reasons, tier: tier, method: .scored)
    }
}
