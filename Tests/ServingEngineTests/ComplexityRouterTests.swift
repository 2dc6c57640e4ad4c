import Testing
@testable import ServingEngine

@Suite("Complexity router")
struct ComplexityRouterTests {
    let router = ComplexityRouter(thresholds: [.init(tier: "frontier", upTo: 1), .init(tier: "small", upTo: 0.35)])

    @Test func aShortFactualPromptScoresLowAndGoesToTheSmallTier() {
        let decision = router.route(ChatRequest(prompt: "What is the capital of France?"))
        #expect(decision.score < 0.2)
        #expect(decision.tier == "small")
        #expect(decision.reasons.isEmpty)
        #expect(decision.reasonSummary == "no complexity cues")
    }

    @Test func codeWithReasoningScoresHighWithItsReasons() {
        let decision = router.route(ChatRequest(prompt: "Implement a lock-free queue in Swift and explain why it is correct step by step."))
        #expect(decision.tier == "frontier")
        #expect(decision.score > 0.6)
        let features = Set(decision.reasons.map(\.feature))
        #expect(features.contains("code"))
        #expect(features.contains("reasoning"))
        #expect(decision.reasons == decision.reasons.sorted { $0.contribution > $1.contribution })
    }

    @Test func mathsAndEquationsRaiseTheScore() {
        let (score, reasons) = ComplexityRouter.score(ChatRequest(prompt: "Solve for x: 3x + 5 = 20"))
        #expect(reasons.map(\.feature) == ["maths"])
        #expect(score > 0.35)
    }

    @Test func lengthConversationDepthAndRequestedOutputCount() {
        var request = ChatRequest(prompt: String(repeating: "tell me more about the weather today ", count: 40))
        request.messages = [
            ChatMessage(role: .user, content: "hi"), ChatMessage(role: .assistant, content: "hello"),
            ChatMessage(role: .user, content: "and?"), ChatMessage(role: .assistant, content: "yes"),
        ] + request.messages
        request.sampling.maxTokens = 4096
        let (_, reasons) = ComplexityRouter.score(request)
        #expect(Set(reasons.map(\.feature)) == ["length", "conversation", "output"])
    }

    @Test func scoresStayWithinZeroAndOne() {
        let everything = "Prove the theorem, implement the algorithm in Python, compare the trade-offs, design a architecture, analyze step by step. " + String(repeating: "x ", count: 3000)
        let (score, _) = ComplexityRouter.score(ChatRequest(prompt: everything))
        #expect(score <= 1 && score > 0.95)
        #expect(ComplexityRouter.score(ChatRequest(prompt: "")).0 == 0)
    }

    @Test func thresholdsPickTheFirstTierThatTakesTheScore() {
        let three = ComplexityRouter(thresholds: [.init(tier: "small", upTo: 0.2), .init(tier: "medium", upTo: 0.6), .init(tier: "large", upTo: 1)])
        #expect(three.route(ChatRequest(prompt: "hello")).tier == "small")
        #expect(three.route(ChatRequest(prompt: "Solve for x: 3x + 5 = 20")).tier == "medium")
        #expect(three.route(ChatRequest(prompt: "Implement quicksort in Python and prove it correct step by step")).tier == "large")
    }
}
