import Foundation

/// A logistic-regression router: the probability that the strong tier's answer beats the small
/// tier's, from ``RouterFeatures`` (the rule cues and the prompt's shape). Saved as versioned
/// JSON that a configuration can name.
public struct LearnedRouterModel: Sendable, Codable, Hashable {
    /// The file format version this build reads and writes.
    public static let currentVersion = 2

    /// The file format version.
    public var version: Int
    /// Feature names, in order (checked against this build's on load).
    public var features: [String]
    /// Feature means used to standardise inputs.
    public var means: [Double]
    /// Feature standard deviations used to standardise inputs.
    public var deviations: [Double]
    /// One weight per standardised feature.
    public var weights: [Double]
    /// The intercept.
    public var bias: Double
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
        /// L2 penalty.
        public var l2: Double

        /// Creates the record (the trainer's).
        package init(source: String, examples: Int, heldOutDomains: [String], l2: Double) {
            self.source = source
            self.examples = examples
            self.heldOutDomains = heldOutDomains
            self.l2 = l2
        }

        enum CodingKeys: String, CodingKey {
            case source, examples, l2
            case heldOutDomains = "held_out_domains"
        }
    }

    /// Creates a model (what `switchboard train` fits).
    package init(version: Int, features: [String], means: [Double], deviations: [Double], weights: [Double], bias: Double, training: TrainingInfo) {
        self.version = version
        self.features = features
        self.means = means
        self.deviations = deviations
        self.weights = weights
        self.bias = bias
        self.training = training
    }

    /// The probability, in [0, 1], that `prompt` needs the strong tier.
    public func probability(for prompt: String) -> Double {
        regression.probability(RouterFeatures.vector(for: prompt))
    }

    var regression: LogisticRegression {
        LogisticRegression(means: means, deviations: deviations, weights: weights, bias: bias)
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
            throw EvaluationError("\(path): model format version \(model.version), this build reads version \(currentVersion); retrain it with 'switchboard train router'")
        }
        let n = RouterFeatures.names.count
        guard model.features == RouterFeatures.names, model.weights.count == n, model.means.count == n, model.deviations.count == n else {
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
}
