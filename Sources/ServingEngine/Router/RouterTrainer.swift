import Foundation

/// Trains a ``LearnedRouterModel`` by L2-regularised logistic regression with full-batch Adam:
/// no shuffling and a zero start, so the same data and settings always give the same weights.
public struct RouterTrainer: Sendable {
    /// Passes over the data.
    public var epochs: Int
    /// Adam's step size.
    public var learningRate: Float
    /// The L2 penalty on the weights.
    public var l2: Double
    /// Recorded in the model file; training itself is deterministic.
    public var seed: UInt64

    /// Creates a trainer.
    public init(epochs: Int = 150, learningRate: Float = 0.05, l2: Double = 1e-2, seed: UInt64 = 1) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.l2 = l2
        self.seed = seed
    }

    /// Trains on `examples`; `heldOut` domains are recorded as excluded (the caller filters them).
    public func train(_ examples: [RouterEvaluationData.Example], source: String, heldOut: [String]) throws(EvaluationError) -> LearnedRouterModel {
        guard examples.count >= 10 else { throw EvaluationError("need at least 10 examples to train, got \(examples.count)") }
        let embedder = HashingEmbedder()
        let rows = examples.map { RouterFeatures.vector(for: $0.prompt, embedder: embedder) }
        let labels: [Float] = examples.map { $0.strongWins ? 1 : 0 }
        let positives = labels.reduce(0, +)
        guard positives > 0, positives < Float(labels.count) else {
            throw EvaluationError("the labels are all the same (\(Int(positives)) of \(labels.count) prompts favour the strong model); a router cannot learn from that")
        }
        let width = rows[0].count
        var weights = [Float](repeating: 0, count: width)
        var bias: Float = 0
        var m = [Float](repeating: 0, count: width + 1), v = [Float](repeating: 0, count: width + 1)
        let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
        let n = Float(rows.count)
        var gradient = [Float](repeating: 0, count: width + 1)
        for epoch in 1...epochs {
            for index in gradient.indices { gradient[index] = 0 }
            for (row, label) in zip(rows, labels) {
                let error = Float(LearnedRouterModel.sigmoid(LearnedRouterModel.dot(weights, row) + bias)) - label
                for index in 0..<width { gradient[index] += error * row[index] }
                gradient[width] += error
            }
            let correction1 = 1 - pow(beta1, Float(epoch)), correction2 = 1 - pow(beta2, Float(epoch))
            for index in 0...width {
                var g = gradient[index] / n
                if index < width { g += Float(l2) * weights[index] }
                m[index] = beta1 * m[index] + (1 - beta1) * g
                v[index] = beta2 * v[index] + (1 - beta2) * g * g
                let step = learningRate * (m[index] / correction1) / ((v[index] / correction2).squareRoot() + epsilon)
                if index < width { weights[index] -= step } else { bias -= step }
            }
        }
        return LearnedRouterModel(
            version: LearnedRouterModel.currentVersion, embedder: embedder.name, dimensions: embedder.dimensions,
            weights: weights, bias: bias, ruleFeatures: RouterFeatures.ruleNames,
            training: .init(source: source, examples: examples.count, heldOutDomains: heldOut.sorted(), seed: seed, epochs: epochs, l2: l2)
        )
    }
}
