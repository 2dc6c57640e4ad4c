import Dashboard
import Gateway
import ServiceLifecycle
import ServingEngine
import Synchronization

/// The operator's console as a `Service`: it waits for the gateway to listen (or to fail, which
/// the header then shows), runs the dashboard until the operator quits or a signal arrives, and
/// keeps how it ended for the command to report once the other services have stopped.
final class ConsoleService: Service, Sendable, CustomStringConvertible {
    let description = "console"
    private let engine: ServingEngine
    private let gateway: GatewayServer?
    private let gatewayNote: String
    private let themeName: String?
    private let ending = Mutex<DashboardOutcome?>(nil)

    init(engine: ServingEngine, gateway: GatewayServer?, gatewayNote: String, themeName: String?) {
        self.engine = engine
        self.gateway = gateway
        self.gatewayNote = gatewayNote
        self.themeName = themeName
    }

    /// How the dashboard ended: the signal that stopped it and the lines to print; nil until it has.
    var outcome: DashboardOutcome? { ending.withLock { $0 } }

    func run() async throws {
        var address: String?
        var note = gatewayNote
        if let gateway {
            do {
                address = try await gateway.listeningAddress().description
            } catch {
                note = error.message
            }
        }
        let options = DashboardOptions(themeName: themeName, gatewayAddress: address, gatewayNote: note)
        let outcome = try await DashboardApp.run(engine: engine, options: options)
        ending.withLock { $0 = outcome }
    }
}
