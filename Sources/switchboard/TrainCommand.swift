import ArgumentParser
import Evaluation
import ServingEngine

/// `switchboard train`: fit the learned router.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train models Switchboard uses.",
        discussion: """
            Example:
              switchboard train router --data ../shared/data/router/mmlu_dev.csv --out router.json
            """,
        subcommands: [TrainRouterCommand.self, TrainCacheCommand.self]
    )
}

/// `switchboard train router`: logistic regression on labelled prompts.
struct TrainRouterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "router",
        abstract: "Train the learned router on labelled prompts and write a versioned model file.",
        discussion: """
            The model predicts the probability that the strong tier's answer beats the small \
            tier's, from the prompt's hashed embedding and the rule features. Training is \
            deterministic. Hold subjects out to measure on data the router never saw. Example:
              switchboard train router --data ../shared/data/router/mmlu_dev.csv \\
                --holdout-domains professional_law moral_scenarios --out router.json
              switchboard eval router --data ../shared/data/router/mmlu_dev.csv \\
                --model router.json --only-domains professional_law moral_scenarios
            """
    )

    @Option(help: "Labelled prompts: CSV or MT-Bench JSON lines.")
    var data: String

    @Option(help: "Where to write the model.")
    var out: String = "router-model.json"

    @Option(name: .customLong("holdout-domains"), parsing: .upToNextOption, help: "Domains to leave out of training.")
    var holdoutDomains: [String] = []

    @Option(help: "L2 penalty on the standardised weights.")
    var l2: Double = 1

    func run() throws {
        let dataset = try RouterEvaluationData.load(path: data)
        let held = Set(holdoutDomains)
        let known = Set(dataset.examples.map(\.domain))
        if let unknown = held.subtracting(known).sorted().first {
            throw ValidationError("--holdout-domains: no domain '\(unknown)' in \(data)")
        }
        let training = dataset.examples.filter { !held.contains($0.domain) }
        let model = try RouterTrainer(l2: l2).train(training, source: data, heldOut: holdoutDomains)
        try model.save(path: out)
        print("trained on \(training.count) prompts (\(holdoutDomains.count) domains held out), wrote \(out)")
    }
}
