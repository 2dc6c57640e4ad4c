public import ServingEngine

/// The request inspector's state: the record it shows and how far it is scrolled.
public struct RequestInspectorState: Sendable, Hashable {
    /// The record, as it was when the inspector opened (it does not change under the operator).
    public let record: DecisionRecord
    /// The first line shown, from 0. The renderer clamps it to the text's length.
    public private(set) var scrollOffset = 0

    /// Opens on `record`, scrolled to the top.
    public init(record: DecisionRecord) {
        self.record = record
    }

    /// Scrolls by `lines` (negative: up), never above the top.
    public mutating func scroll(by lines: Int) {
        scrollOffset = max(0, scrollOffset + lines)
    }
}
