/// A provider whose faults an operator can change while it runs (the dashboard's fault drill,
/// ``OperatorCommand/injectFaults(provider:_:)``): errors at a rate, slower answers.
///
/// The engine injects faults into any provider that conforms; ``SimulatedProvider`` does.
package protocol FaultInjectable: ModelProvider {
    /// Replaces the injected faults; ``FaultProfile/init(errorRate:kinds:slowdown:)`` with no
    /// arguments clears them.
    func setFaults(_ faults: FaultProfile)
}
