import Foundation
import ServingEngine

/// The human-readable table `switchboard simulate` prints without `--json`.
enum SimulationSummary {
    static func render(_ report: SimulationReport, plan: SimulationPlan, configurationSource: String) -> String {
        var lines: [String] = []
        let failures = plan.failures.isEmpty ? "none" : plan.failures.map(\.description).joined(separator: ", ")
        lines.append("Simulation: \(Self.number(plan.rate)) req/s for \(Self.number(plan.duration.seconds)) s, config \(configurationSource), failures: \(failures)")
        lines.append("Requests \(report.requests)  completed \(report.completed)  failed \(report.failed)  lost \(report.lost)  (wall \(Self.number(report.wallSeconds)) s)")
        lines.append(String(format: "Cache    hit rate %.1f%%  (%d exact, %d semantic, %d entries)", report.cache.hitRate * 100, report.cache.exactHits, report.cache.semanticHits, report.cache.entries))
        lines.append("Fallbacks \(report.fallbacks) (\(report.fallbacksDuringFailures) during failure windows)")
        lines.append(String(format: "Cost     $%.4f spent vs $%.4f frontier-only: %.1f%% saved", report.cost.actualUsd, report.cost.frontierOnlyUsd, report.cost.savedPct))
        lines.append("")
        lines.append("tier        requests     p50 ms     p95 ms     p99 ms")
        for (name, tier) in report.tiers.sorted(by: { $0.key < $1.key }) {
            lines.append(String(format: "%@ %8d %10.1f %10.1f %10.1f", name.padding(toLength: 10, withPad: " ", startingAt: 0), tier.requests, tier.p50Ms, tier.p95Ms, tier.p99Ms))
        }
        lines.append("")
        lines.append("provider          attempts  successes  failures  circuit opens   spent $")
        for (name, provider) in report.providers.sorted(by: { $0.key < $1.key }) {
            lines.append(String(format: "%@ %8d %10d %9d %14d %9.4f", name.padding(toLength: 16, withPad: " ", startingAt: 0), provider.attempts, provider.successes, provider.failures, provider.circuitOpens, provider.spentUsd))
        }
        if report.tenants.values.contains(where: { $0.rateLimited + $0.budgetRefused + $0.steered > 0 || $0.dailyBudgetUsd != nil }) {
            lines.append("")
            lines.append("tenant      admitted  rate-limited  budget-refused  steered  moved %   spent $  daily budget $  used %")
            for (name, tenant) in report.tenants.sorted(by: { $0.key < $1.key }) {
                let moved = tenant.admitted > 0 ? Double(tenant.steered) / Double(tenant.admitted) * 100 : 0
                let budget = tenant.dailyBudgetUsd.map { String(format: "%14.4f", $0) } ?? String(repeating: " ", count: 13) + "-"
                let used = tenant.budgetUsedPct.map { String(format: "%7.1f", $0) } ?? "      -"
                lines.append(String(format: "%@ %8d %13d %15d %8d %7.1f %9.4f ", name.padding(toLength: 10, withPad: " ", startingAt: 0), tenant.admitted, tenant.rateLimited, tenant.budgetRefused, tenant.steered, moved, tenant.spentUsd) + budget + " " + used)
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}
