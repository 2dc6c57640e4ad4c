import Foundation
import Testing

/// The official `openai` Python client against `switchboard serve` with tenant limits: the
/// `x-ratelimit-*` headers, the 429s' shape, its own retry after `Retry-After`, and no retry on
/// a spent budget. Needs `.venv-test/` as ``GatewayPythonClientTests`` does.
@Suite("Tenant limits with the openai Python client", .enabled(if: ProcessInfo.processInfo.environment["SWITCHBOARD_SKIP_PYTHON"] != "1"))
struct TenantLimitsPythonClientTests {
    @Test func theOfficialClientSeesTheHeadersBacksOffOnARateLimitAndStopsOnASpentBudget() async throws {
        guard FileManager.default.isExecutableFile(atPath: GatewayPythonClientTests.python) else {
            Issue.record("no Python environment at \(GatewayPythonClientTests.python); run `bash scripts/python-venv.sh` first (or set SWITCHBOARD_SKIP_PYTHON=1)")
            return
        }
        let script = GatewayPythonClientTests.repository.appendingPathComponent("Tests/SwitchboardEndToEndTests/python/tenant_limits_test.py").path
        let output = try await SwitchboardBinary.run(executable: URL(fileURLWithPath: GatewayPythonClientTests.python), [script, SwitchboardBinary.url.path], timeout: .seconds(180))
        let text = output.standardOutput + output.standardError
        #expect(output.status == 0, "\(text)")
        #expect(text.contains("all checks passed"), "\(text)")
    }
}
