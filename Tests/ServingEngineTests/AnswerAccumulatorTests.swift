import Testing
@testable import ServingEngine

@Suite("Answers reassembled from streamed pieces")
struct AnswerAccumulatorTests {
    @Test func toolCallFragmentsAreJoinedByCallIndexInOrder() {
        var answer = AnswerAccumulator()
        answer.add(ChoiceDelta(toolCalls: [ToolCallDelta(index: 0, id: "call_1", type: "function", name: "weather", arguments: "")]))
        answer.add(ChoiceDelta(toolCalls: [ToolCallDelta(index: 0, arguments: #"{"city":"#)]))
        answer.add(ChoiceDelta(toolCalls: [ToolCallDelta(index: 1, id: "call_2", type: "function", name: "time", arguments: "{}")]))
        answer.add(ChoiceDelta(toolCalls: [ToolCallDelta(index: 0, arguments: #""Paris"}"#)]))
        answer.add(ChoiceDelta(finishReason: .toolCalls))
        let choices = answer.choices(finish: .toolCalls)
        #expect(choices.count == 1)
        #expect(choices[0].content == nil, "a choice that only called tools has no content")
        #expect(choices[0].toolCalls == [
            ToolCall(id: "call_1", name: "weather", arguments: #"{"city":"Paris"}"#),
            ToolCall(id: "call_2", name: "time", arguments: "{}"),
        ])
        #expect(choices[0].finishReason == .toolCalls)
    }

    @Test func logProbabilitiesAndVendorTextAreConcatenated() {
        var answer = AnswerAccumulator()
        answer.add(ChoiceDelta(content: "Hi", logprobs: ["content": [["token": "Hi", "logprob": -0.1]]], extra: ["reasoning_content": "Think"]))
        answer.add(ChoiceDelta(content: "!", logprobs: ["content": [["token": "!", "logprob": -0.2]]], extra: ["reasoning_content": "ing"]))
        let choice = answer.choices(finish: .stop)[0]
        #expect(choice.content == "Hi!")
        #expect(choice.logprobs?["content"]?.arrayValue?.count == 2)
        #expect(choice.extra["reasoning_content"] == .string("Thinking"))
        #expect(!choice.isPlainText)
    }

    @Test func severalChoicesStayApartAndKeepTheirOwnFinishReasons() {
        var answer = AnswerAccumulator()
        answer.add(text: "one")
        answer.add(ChoiceDelta(index: 1, content: "two"))
        answer.add(ChoiceDelta(index: 1, finishReason: .length))
        let choices = answer.choices(finish: .stop)
        #expect(choices.map(\.content) == ["one", "two"])
        #expect(choices.map(\.finishReason) == [.stop, .length])
    }

    @Test func piecesOfChoicesReassembleIntoTheSameChoices() {
        let original = [
            AnswerChoice(index: 0, content: "Let me check the weather.", toolCalls: [ToolCall(id: "c1", name: "weather", arguments: #"{"city":"Oslo"}"#)], finishReason: .toolCalls),
            AnswerChoice(index: 1, content: nil, refusal: "I can't help with that.", finishReason: .stop),
        ]
        var answer = AnswerAccumulator()
        for piece in AnswerAccumulator.pieces(of: original) { answer.add(piece) }
        #expect(answer.choices(finish: .stop) == original)
    }

    @Test func aChoiceRoundTripsThroughItsWireForm() throws {
        let choice = AnswerChoice(index: 0, content: nil, toolCalls: [ToolCall(id: "c", name: "f", arguments: "{}")], logprobs: ["content": []], finishReason: .toolCalls, extra: ["annotations": []])
        let read = AnswerChoice(wireChoice: .object(choice.wireChoice))
        #expect(read == choice)
        let detail = AnswerDetail(choices: [choice], responseFields: ["system_fingerprint": "fp_1"])
        #expect(AnswerDetail(jsonText: detail.jsonText) == detail)
    }
}
