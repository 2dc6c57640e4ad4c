public import ServingEngine

/// The engine the dashboard normally runs on.
extension ServingEngine: DashboardEngine {}
