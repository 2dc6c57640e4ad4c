package import ServingEngine

/// The request inspector's state: the record it shows and how far it is scrolled.
package struct RequestInspectorState: Sendable, Hashable {
    /// The record, as it was when the inspector opened (it does not change under the operator).
    package let record: DecisionRecord
    /// The first line shown, from 0. The renderer clamps it to the text's length.
    package private(set) var scrollOffset = 0

    /// Opens on `record`, scrolled to the top.
    package init(record: DecisionRecord) {
        self.record = record
    }

    /// Scrolls by `lines` (negative: up), never above the top.
    package mutating func scroll(by lines: Int) {
        scrollOffset = max(0, scrollOffset + lines)
    }
}
