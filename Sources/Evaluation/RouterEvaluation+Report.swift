import Foundation
import ServingEngine

extension RouterEvaluation {
    /// A table of the curve every 10 % of strong calls, next to a random router and the oracle,
    /// then a plot drawn with text.
    package func report(router: String) -> String {
        var lines: [String] = []
        lines.append("router: \(router) — \(prompts) prompts")
        lines.append(String(format: "weak %.3f  strong %.3f  oracle %.3f (with %.1f %% strong calls)", weakQuality, strongQuality, oracleQuality, oracleStrongShare * 100))
        lines.append(String(format: "APGR %.3f (random 0.500)   CPT(50%%) %.1f %% (random 50.0 %%)   CPT(80%%) %.1f %% (random 80.0 %%)", apgr, cpt50 * 100, cpt80 * 100))
        lines.append("")
        lines.append("strong calls   quality   random   gap recovered")
        for point in curve where Int((point.strongShare * 100).rounded()) % 10 == 0 {
            let random = weakQuality + (strongQuality - weakQuality) * point.strongShare
            lines.append(String(format: "%10.0f %%   %7.3f   %6.3f   %10.1f %%", point.strongShare * 100, point.quality, random, gapRecovered(at: point.quality) * 100))
        }
        lines.append("")
        lines.append(contentsOf: plot())
        return lines.joined(separator: "\n")
    }

    /// Quality (vertical) against strong share (horizontal): `*` the router, `.` random, `O` oracle.
    func plot(width: Int = 60, height: Int = 14) -> [String] {
        let low = min(weakQuality, curve.map(\.quality).min() ?? weakQuality)
        let high = max(oracleQuality, strongQuality)
        var grid = Array(repeating: Array(repeating: Character(" "), count: width + 1), count: height + 1)
        func row(_ quality: Double) -> Int {
            height - Int(((quality - low) / max(high - low, 1e-9) * Double(height)).rounded())
        }
        for column in 0...width {
            let share = Double(column) / Double(width)
            grid[row(weakQuality + (strongQuality - weakQuality) * share)][column] = "."
            let index = Int((share * 100).rounded())
            grid[row(curve[index].quality)][column] = "*"
        }
        grid[row(oracleQuality)][Int((oracleStrongShare * Double(width)).rounded())] = "O"
        var lines = grid.enumerated().map { index, characters in
            let quality = high - (high - low) * Double(index) / Double(height)
            return String(format: "%6.3f |", quality) + String(characters)
        }
        lines.append("       +" + String(repeating: "-", count: width + 1))
        lines.append("        0 %" + String(repeating: " ", count: width / 2 - 9) + "strong calls" + String(repeating: " ", count: width / 2 - 8) + "100 %")
        return lines
    }
}
