package import ServingEngine
/// Scores every prompt with a learned router that never saw its domain: the domains are dealt
/// into folds, a model is trained on all folds but one, and it scores the fold it did not see.
/// Evaluating the pooled scores measures how the router does on subjects it was not trained on.
package struct RouterCrossValidation: Sendable {
    /// How many folds.
    package var folds: Int
    /// The trainer used for every fold.
    package var trainer: RouterTrainer

    /// Creates a cross-validation.
    package init(folds: Int, trainer: RouterTrainer = RouterTrainer()) {
        self.folds = folds
        self.trainer = trainer
    }

    /// One held-out score per example, in order.
    package func heldOutScores(_ data: RouterEvaluationData) throws(EvaluationError) -> [Double] {
        let domains = Array(Set(data.examples.map(\.domain))).sorted()
        guard folds >= 2, folds <= domains.count else {
            throw EvaluationError("--cross-validate needs between 2 and \(domains.count) folds (one per domain at most), got \(folds)")
        }
        // Deal domains largest first, round-robin, so folds have similar sizes.
        let sizes = Dictionary(grouping: data.examples, by: \.domain).mapValues(\.count)
        let ordered = domains.sorted { sizes[$0]! != sizes[$1]! ? sizes[$0]! > sizes[$1]! : $0 < $1 }
        var foldOf: [String: Int] = [:]
        for (index, domain) in ordered.enumerated() { foldOf[domain] = index % folds }
        var scores = [Double](repeating: 0, count: data.examples.count)
        for fold in 0..<folds {
            let held = Set(foldOf.filter { $0.value == fold }.keys)
            let training = data.examples.filter { !held.contains($0.domain) }
            let model = try trainer.train(training, source: data.source, heldOut: Array(held))
            for (index, example) in data.examples.enumerated() where held.contains(example.domain) {
                scores[index] = model.probability(for: example.prompt)
            }
        }
        return scores
    }
}
