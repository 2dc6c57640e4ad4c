package import ServingEngine
/// Trains a ``LearnedRouterModel``: L2-regularised logistic regression on standardised
/// ``RouterFeatures``, fitted by Newton's method, so the same data always gives the same weights.
package struct RouterTrainer: Sendable {
    /// The L2 penalty on the standardised weights.
    package var l2: Double

    /// Creates a trainer.
    package init(l2: Double = 1) {
        self.l2 = l2
    }

    /// Trains on `examples`; `heldOut` domains are recorded as excluded (the caller filters them).
    package func train(_ examples: [RouterEvaluationData.Example], source: String, heldOut: [String]) throws(EvaluationError) -> LearnedRouterModel {
        guard examples.count >= 10 else { throw EvaluationError("need at least 10 examples to train, got \(examples.count)") }
        let rows = examples.map { RouterFeatures.vector(for: $0.prompt) }
        let labels: [Double] = examples.map { $0.strongWins ? 1 : 0 }
        let positives = labels.reduce(0, +)
        guard positives > 0, positives < Double(labels.count) else {
            throw EvaluationError("the labels are all the same (\(Int(positives)) of \(labels.count) prompts favour the strong model); a router cannot learn from that")
        }
        let fitted = LogisticRegression.fit(rows, labels, l2: l2)
        return LearnedRouterModel(
            version: LearnedRouterModel.currentVersion, features: RouterFeatures.names,
            means: fitted.means, deviations: fitted.deviations, weights: fitted.weights, bias: fitted.bias,
            training: .init(source: source, examples: examples.count, heldOutDomains: heldOut.sorted(), l2: l2)
        )
    }
}
