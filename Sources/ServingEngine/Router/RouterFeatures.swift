import Foundation

/// The inputs of the learned router: the prompt's ``PromptShape``. Deliberately nothing about the
/// subject (no embedding) and not the rules score: measured on subjects held out of training,
/// both made the router worse (see the README's router figures).
package enum RouterFeatures {
    /// Every feature name, in vector order.
    package static let names = PromptShape.names

    package static func vector(for prompt: String) -> [Double] {
        PromptShape.features(of: prompt)
    }
}
