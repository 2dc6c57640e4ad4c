import Foundation

/// The inputs of the learned router: the prompt's hashed embedding plus the rule cues, so a
/// model can learn both what a prompt is about and how it is shaped.
enum RouterFeatures {
    static let ruleNames = ["complexity", "log_tokens", "code", "maths", "reasoning", "multi_part", "digits", "choices"]

    static func vector(for prompt: String, embedder: HashingEmbedder) -> [Float] {
        var features = embedder.vector(for: PromptNormalizer.normalize(prompt))
        features.append(contentsOf: rules(for: prompt))
        return features
    }

    static func rules(for prompt: String) -> [Float] {
        let (score, reasons) = ComplexityRouter.score(ChatRequest(prompt: prompt))
        func contribution(_ feature: String) -> Float {
            Float(reasons.first { $0.feature == feature }?.contribution ?? 0)
        }
        let tokens = TokenEstimator.estimate(prompt)
        let digits = prompt.unicodeScalars.filter { ("0"..."9").contains($0) }.count
        let choices = prompt.split(separator: "\n").filter { line in
            line.count > 2 && line.dropFirst().hasPrefix(".") && line.first.map { $0.isUppercase } == true
        }.count
        return [
            Float(score), Float(log(1 + Double(tokens)) / 5), contribution("code"), contribution("maths"),
            contribution("reasoning"), contribution("multi-part"), Float(min(Double(digits), 40)) / 40, Float(min(choices, 6)) / 6,
        ]
    }
}
