import ServingEngine
/// A router's quality against its share of strong-model calls, summarised as RouteLLM does.
package struct RouterEvaluation: Sendable, Codable, Hashable {
    /// How many prompts were scored.
    package var prompts: Int
    /// Average performance gap recovered over the whole sweep, in [0, 1] (random: 0.5).
    package var apgr: Double
    /// The least share of strong calls that recovers 50 % of the weak→strong gap (random: 0.5).
    package var cpt50: Double
    /// The least share of strong calls that recovers 80 % of the gap (random: 0.8).
    package var cpt80: Double
    /// Quality with every prompt on the weak model.
    package var weakQuality: Double
    /// Quality with every prompt on the strong model.
    package var strongQuality: Double
    /// Quality of a router that knows the answers: strong only where it wins.
    package var oracleQuality: Double
    /// The oracle's share of strong calls.
    package var oracleStrongShare: Double
    /// Quality at strong shares 0, 0.01, …, 1.
    package var curve: [CurvePoint]

    /// One point of the quality curve.
    package struct CurvePoint: Sendable, Codable, Hashable {
        /// The share of prompts sent to the strong model.
        package var strongShare: Double
        /// The average quality at that share.
        package var quality: Double

        enum CodingKeys: String, CodingKey {
            case strongShare = "strong_share"
            case quality
        }
    }

    /// The share of the weak→strong gap recovered at `quality`.
    package func gapRecovered(at quality: Double) -> Double {
        strongQuality == weakQuality ? 0 : (quality - weakQuality) / (strongQuality - weakQuality)
    }

    enum CodingKeys: String, CodingKey {
        case prompts, apgr, cpt50, cpt80, curve
        case weakQuality = "weak_quality"
        case strongQuality = "strong_quality"
        case oracleQuality = "oracle_quality"
        case oracleStrongShare = "oracle_strong_share"
    }
}
