import Foundation

/// A logistic-regression router: the probability that the strong tier's answer beats the small
/// tier's, from ``RouterFeatures``. Saved as versioned JSON that a configuration can name.
public struct LearnedRouterModel: Sendable, Codable, Hashable {
    /// The file format version this build reads and writes.
    public static let currentVersion = 1

    /// The file format version.
    public var version: Int
    /// The embedder the weights were trained on.
    public var embedder: String
    /// The embedding's dimensions.
    public var dimensions: Int
    /// One weight per feature (embedding dimensions, then the rule features).
    public var weights: [Float]
    /// The intercept.
    public var bias: Float
    /// Names of the rule features, in order.
    public var ruleFeatures: [String]
    /// What it was trained on.
    public var training: TrainingInfo

    /// Provenance of a trained model.
    public struct TrainingInfo: Sendable, Codable, Hashable {
        /// The data file.
        public var source: String
        /// How many examples.
        public var examples: Int
        /// Domains held out of training.
        public var heldOutDomains: [String]
        /// The random seed.
        public var seed: UInt64
        /// Training epochs.
        public var epochs: Int
        /// L2 penalty.
        public var l2: Double

        enum CodingKeys: String, CodingKey {
            case source, examples, seed, epochs, l2
            case heldOutDomains = "held_out_domains"
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, embedder, dimensions, weights, bias, training
        case ruleFeatures = "rule_features"
    }

    /// The probability, in [0, 1], that `prompt` needs the strong tier.
    public func probability(for prompt: String) -> Double {
        let features = RouterFeatures.vector(for: prompt, embedder: HashingEmbedder(dimensions: dimensions))
        return Self.sigmoid(Self.dot(weights, features) + bias)
    }

    /// The name configurations use for the model that ships with Switchboard.
    public static let builtInName = "built-in"

    /// The model that ships with Switchboard, trained on the development data (see the README).
    public static func builtIn() throws(EvaluationError) -> LearnedRouterModel {
        guard let url = Bundle.module.url(forResource: "default-router", withExtension: "json") else {
            throw EvaluationError("the built-in router model is missing from this build")
        }
        return try load(path: url.path)
    }

    /// Loads a model file, checking its version and shape.
    public static func load(path: String) throws(EvaluationError) -> LearnedRouterModel {
        let model: LearnedRouterModel
        do {
            model = try JSONDecoder().decode(LearnedRouterModel.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw EvaluationError("\(path): not a router model file (\(error)); make one with 'switchboard train router'")
        }
        guard model.version == currentVersion else {
            throw EvaluationError("\(path): model format version \(model.version), this build reads version \(currentVersion); retrain it")
        }
        guard model.weights.count == model.dimensions + RouterFeatures.ruleNames.count, model.ruleFeatures == RouterFeatures.ruleNames else {
            throw EvaluationError("\(path): the model's features do not match this build's; retrain it")
        }
        return model
    }

    /// Writes the model as JSON.
    public func save(path: String) throws(EvaluationError) {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw EvaluationError("\(path): cannot write the model (\(error))")
        }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for index in a.indices { sum += a[index] * b[index] }
        return sum
    }

    static func sigmoid(_ x: Float) -> Double {
        1 / (1 + exp(-Double(x)))
    }
}
