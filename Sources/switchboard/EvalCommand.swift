import ArgumentParser
import Evaluation
import Foundation
import ServingEngine

/// `switchboard eval`: measure the router (and, later, the cache) on labelled data.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure routing and cache quality on labelled data.",
        discussion: """
            Examples:
              switchboard eval router --data ../shared/data/router/mmlu_dev.csv
              switchboard eval cache --pairs ../shared/data/cache/qqp_dev.tsv --sweep
            """,
        subcommands: [EvalRouterCommand.self, EvalCacheCommand.self]
    )
}

/// `switchboard eval router`: RouteLLM's sweep, APGR and CPT for the router.
struct EvalRouterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "router",
        abstract: "Sweep the router's threshold over labelled prompts and report APGR and CPT.",
        discussion: """
            --data takes CSV with the header domain,prompt,weak_correct,strong_correct, or JSON \
            lines in the MT-Bench shape (turn 1; judge scores 1–10 scaled to 0–1; rows marked \
            contaminated are left out). The router scores every prompt; sending the highest-scored \
            share to the strong model traces quality against strong calls, reported next to a random \
            router and an oracle. --only-domains keeps some subjects (for example held-out ones). \
            Example:
              switchboard eval router --data ../shared/data/router/mmlu_dev.csv --json
            """
    )

    @Option(help: "Labelled prompts: CSV or MT-Bench JSON lines.")
    var data: String

    @Option(name: .customLong("only-domains"), parsing: .upToNextOption, help: "Evaluate only these domains (subjects or categories).")
    var onlyDomains: [String] = []

    @Option(help: "A learned router model from 'switchboard train router', or 'built-in' for the shipped one (default: the rules score).")
    var model: String?

    @Option(name: .customLong("cross-validate"), help: ArgumentHelp("Leave-domains-out cross-validation: split the domains into K folds, train a learned router on K-1, score the held-out fold, and evaluate the pooled held-out scores.", valueName: "K"))
    var folds: Int?

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        var dataset = try RouterEvaluationData.load(path: data)
        if !onlyDomains.isEmpty {
            let keep = Set(onlyDomains)
            let known = Set(dataset.examples.map(\.domain))
            if let unknown = keep.subtracting(known).sorted().first {
                throw ValidationError("--only-domains: no domain '\(unknown)' in \(data); domains: \(known.sorted().joined(separator: ", "))")
            }
            dataset.examples = dataset.examples.filter { keep.contains($0.domain) }
        }
        if let folds {
            guard model == nil else { throw ValidationError("--cross-validate trains its own models; leave out --model") }
            let scores = try RouterCrossValidation(folds: folds).heldOutScores(dataset)
            try emit(try RouterEvaluator.evaluate(dataset.examples, scores: scores), router: "learned, \(folds)-fold leave-domains-out")
            return
        }
        let learned = try model.map { $0 == LearnedRouterModel.builtInName ? try LearnedRouterModel.builtIn() : try LearnedRouterModel.load(path: $0) }
        let scores = dataset.examples.map { example in
            learned?.probability(for: example.prompt) ?? ComplexityRouter.score(ChatRequest(prompt: example.prompt)).0
        }
        try emit(try RouterEvaluator.evaluate(dataset.examples, scores: scores), router: model.map { "learned (\($0))" } ?? "rules (complexity score)")
    }

    private func emit(_ evaluation: RouterEvaluation, router: String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(evaluation), as: UTF8.self))
        } else {
            print(evaluation.report(router: router))
        }
    }
}
