import ArgumentParser

// Placeholder until the dashboard benchmark lands (owned by the dashboard work).
struct BenchDashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dashboard", abstract: "Measure the dashboard's frame time.")
    func run() async throws { print("not built yet") }
}
