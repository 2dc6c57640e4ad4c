package import ServingEngine

/// The dashboard's focus, modes and selections: a pure state machine.
///
/// Keys go in through ``handle(_:)`` and actions come out; nothing here touches the terminal or
/// the engine, so tests drive it with key sequences.
///
/// ```swift
/// var state = DashboardState()
/// state.update(from: snapshot)
/// let actions = state.handle(.character("2")) + state.handle(.character("f"))
/// // [.perform(.setOverride(provider: "finetuned-local", .forcedDown))]
/// ```
package struct DashboardState: Sendable {
    /// What keys currently mean.
    package enum Mode: Sendable, Hashable {
        /// Keys are commands.
        case normal
        /// Keys edit the console line.
        case typing
        /// The help overlay is shown.
        case help
        /// The request inspector is open over the screen.
        case inspecting
        /// Keys edit the Routes filter line.
        case filtering
    }

    /// The focused pane.
    package private(set) var focus: PaneID = .providers
    /// What keys currently mean.
    package private(set) var mode: Mode = .normal
    /// The selected provider's row, from 0.
    package private(set) var selectedProvider = 0
    /// Whether the top pane shows tenants instead of providers (`T`).
    package private(set) var showTenants = false
    /// The providers, in row order, from the last snapshot.
    package private(set) var providerNames: [String] = []
    /// The traffic rate the dashboard last set or saw.
    package private(set) var trafficRate: Double = 0
    /// Whether traffic is paused, as last set or seen.
    package private(set) var trafficPaused = false
    /// The threshold between the cheapest tier and the next, as last set or seen.
    package private(set) var routerThreshold: Double?
    /// The fault drill step of each provider the operator drilled (index into ``drillSteps``).
    package private(set) var drills: [String: Int] = [:]
    /// How many entries the Routes log is scrolled back from the newest (0 follows the newest).
    package private(set) var routesOffset = 0
    /// The console line.
    package private(set) var editor = LineEditor()
    /// A one-line message for the operator (the last command's result or an error).
    package var status: StatusMessage?
    /// The screen size.
    package private(set) var screenWidth: Int
    /// The screen size.
    package private(set) var screenHeight: Int
    /// The key table.
    package let keymap: Keymap
    /// The Routes filter in force, kept while the operator moves between panes.
    package private(set) var filter: RoutesFilter?
    /// The filter line while it is being typed.
    package private(set) var filterEditor = LineEditor()
    /// The Routes entries as they were when the operator froze the pane (`Z`), or nil when it follows live.
    package private(set) var frozenActivity: [ActivityEntry]?
    /// The Routes entries the pane shows now: frozen or live, through the filter, newest first.
    package private(set) var visibleRoutes: [ActivityEntry] = []
    /// How many of the entries at hand the filter hides.
    package private(set) var hiddenByFilter = 0
    /// The request the inspector shows, while it is open.
    package private(set) var inspector: RequestInspectorState?
    /// How far the help overlay is scrolled (it scrolls only where it is taller than the screen).
    package private(set) var helpScroll = 0
    private var latestActivity: [ActivityEntry] = []
    private var hasSnapshot = false
    private var filterVerdicts: [VerdictKey: Bool] = [:]
    private var focusBeforeConsole: PaneID = .providers

    /// The traffic rates `+` and `-` step through, in requests per second.
    package static let rateSteps: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]

    /// The fault drill steps `e` cycles through: a name and the faults injected.
    package static let drillSteps: [(name: String, faults: FaultProfile)] = [
        ("off", FaultProfile()),
        ("50% errors", FaultProfile(errorRate: 0.5, kinds: [.serverError, .timeout])),
        ("all calls fail", FaultProfile(errorRate: 1, kinds: [.serverError])),
        ("20x slower", FaultProfile(slowdown: 20)),
    ]

    /// The name of `provider`'s current fault drill, or nil when none is on.
    package func drill(for provider: String) -> String? {
        guard let step = drills[provider], step > 0 else { return nil }
        return Self.drillSteps[step].name
    }

    /// Creates the start state.
    package init(width: Int = 160, height: Int = 48, keymap: Keymap = .standard) {
        screenWidth = width
        screenHeight = height
        self.keymap = keymap
    }

    /// The current layout.
    package var layout: DashboardLayout {
        DashboardLayout(width: screenWidth, height: screenHeight, providerCount: providerNames.count)
    }

    /// Where keys are looked up now.
    package var context: Keymap.Context {
        switch mode {
        case .normal: .pane(focus)
        case .typing: .console
        case .help: .help
        case .inspecting: .inspector
        case .filtering: .filter
        }
    }

    /// The entries the Routes pane shows: ``visibleRoutes`` once a snapshot came in, else `live` as it is.
    package func routes(live: [ActivityEntry]) -> [ActivityEntry] {
        hasSnapshot ? visibleRoutes : live
    }

    /// Whether the Routes pane is frozen.
    package var isFrozen: Bool { frozenActivity != nil }

    /// The entry the Routes cursor is on (the top row shown), if any.
    package var selectedRoute: ActivityEntry? {
        visibleRoutes.indices.contains(routesOffset) ? visibleRoutes[routesOffset] : nil
    }

    /// The footer's bindings for the current context.
    package var footerBindings: [Keymap.Binding] {
        switch mode {
        case .normal: keymap.footer(for: [.pane(focus), .global])
        case .typing: keymap.footer(for: [.console])
        case .help:
            // The scroll keys only where the overlay scrolls (it fits at 160×48).
            helpLayout.isScrolling ? keymap.footer(for: [.help]) : keymap.footer(for: [.help]).filter { $0.command == .toggleHelp }
        case .inspecting: keymap.footer(for: [.inspector])
        case .filtering: keymap.footer(for: [.filter])
        }
    }

    /// The selected provider's name, if there are providers.
    package var selectedProviderName: String? {
        providerNames.indices.contains(selectedProvider) ? providerNames[selectedProvider] : nil
    }

    /// Takes in what the engine reports: the provider list and the traffic settings.
    package mutating func update(from snapshot: EngineSnapshot) {
        let names = snapshot.providers.map(\.name)
        if names != providerNames {
            let selected = selectedProviderName
            providerNames = names
            selectedProvider = selected.flatMap { names.firstIndex(of: $0) } ?? min(selectedProvider, max(0, names.count - 1))
        }
        trafficRate = snapshot.traffic.rate
        trafficPaused = snapshot.traffic.paused
        latestActivity = snapshot.activity
        hasSnapshot = true
        refreshRoutes()
        routerThreshold = snapshot.routerThresholds.min { $0.upTo < $1.upTo }?.upTo
    }

    /// Records a new screen size.
    package mutating func resize(width: Int, height: Int) {
        screenWidth = width
        screenHeight = height
    }

    /// Handles one key and returns what the outside world must do.
    package mutating func handle(_ key: DashboardKey) -> [DashboardAction] {
        if case .click(let x, let y) = key { return click(x: x, y: y) }
        switch mode {
        case .help:
            if let binding = keymap.binding(for: key, in: .help) { return run(binding.command, key: key) }
            return []
        case .inspecting:
            if let binding = keymap.binding(for: key, in: .inspector) { return run(binding.command, key: key) }
            return []
        case .filtering:
            if let binding = keymap.binding(for: key, in: .filter) { return run(binding.command, key: key) }
            if filterEditor.handle(key) { applyFilterLine(final: false) }
            return []
        case .typing:
            if let binding = keymap.binding(for: key, in: .console) { return run(binding.command, key: key) }
            _ = editor.handle(key)
            return []
        case .normal:
            if let binding = keymap.binding(for: key, in: .pane(focus)) ?? keymap.binding(for: key, in: .global) {
                return run(binding.command, key: key)
            }
            return []
        }
    }

    private mutating func run(_ command: KeyCommand, key: DashboardKey) -> [DashboardAction] {
        switch command {
        case .inspectSelected:
            guard let entry = selectedRoute else {
                status = StatusMessage("no request on this row yet", isError: true)
                return []
            }
            guard case .decision(let record) = entry else {
                status = StatusMessage("this row is an event, not a request: select a request to inspect", isError: true)
                return []
            }
            inspector = RequestInspectorState(record: record)
            mode = .inspecting
        case .closeInspector:
            inspector = nil
            mode = .normal
        case .inspectorScrollUp: inspector?.scroll(by: -1)
        case .inspectorScrollDown: inspector?.scroll(by: 1)
        case .inspectorPageUp: inspector?.scroll(by: -max(1, screenHeight - 8))
        case .inspectorPageDown: inspector?.scroll(by: max(1, screenHeight - 8))
        case .writeInspectedRecord:
            guard let record = inspector?.record else { return [] }
            return [.writeRecord(record)]
        case .openFilter:
            filterEditor.setText(filter?.source ?? "")
            mode = .filtering
        case .applyFilter:
            applyFilterLine(final: true)
        case .clearFilter:
            filterEditor.setText("")
            setFilter(nil)
            mode = .normal
            status = StatusMessage("filter cleared")
        case .editFilter:
            if filterEditor.handle(key) { applyFilterLine(final: false) }
        case .toggleFreeze:
            frozenActivity = frozenActivity == nil ? latestActivity : nil
            if frozenActivity == nil { routesOffset = 0 }
            refreshRoutes()
            status = StatusMessage(isFrozen ? "Routes frozen: counters keep moving; Z follows live" : "Routes follow live")
        case .selectPrevious:
            if focus == .routes { routesOffset = max(0, routesOffset - 1) } else { select(selectedProvider - 1) }
        case .selectNext:
            if focus == .routes { routesOffset += 1 } else { select(selectedProvider + 1) }
        case .selectNumberedRow:
            if case .character(let c) = key, let digit = c.wholeNumberValue { select(digit - 1) }
        case .followNewest:
            routesOffset = 0
        case .pageUp:
            routesOffset = max(0, routesOffset - max(1, layout.rect(.routes).height - 3))
        case .pageDown:
            routesOffset += max(1, layout.rect(.routes).height - 3)
        case .focusNext, .focusPrevious:
            let panes = PaneID.allCases
            let index = panes.firstIndex(of: focus)!
            let next = panes[(index + (command == .focusNext ? 1 : panes.count - 1)) % panes.count]
            if next == .console {
                focusBeforeConsole = focus
                mode = .typing
            } else {
                mode = .normal
            }
            focus = next
        case .forceDown: return override(.forcedDown)
        case .forceUp: return override(.forcedUp)
        case .returnToAuto: return override(.auto)
        case .rateUp:
            trafficRate = Self.rateSteps.first { $0 > trafficRate + 1e-9 } ?? trafficRate
            return [.perform(.setTrafficRate(trafficRate))]
        case .rateDown:
            trafficRate = Self.rateSteps.last { $0 < trafficRate - 1e-9 } ?? Self.rateSteps[0]
            return [.perform(.setTrafficRate(trafficRate))]
        case .togglePause:
            trafficPaused.toggle()
            return [.perform(.setTrafficPaused(trafficPaused))]
        case .cycleFaultDrill:
            guard let name = selectedProviderName else {
                status = StatusMessage("no provider selected", isError: true)
                return []
            }
            let step = ((drills[name] ?? 0) + 1) % Self.drillSteps.count
            drills[name] = step
            return [.perform(.injectFaults(provider: name, Self.drillSteps[step].faults))]
        case .raiseThreshold, .lowerThreshold:
            guard let current = routerThreshold else { return [] }
            let step = command == .raiseThreshold ? 0.05 : -0.05
            let next = ((current + step) * 100).rounded() / 100
            routerThreshold = min(1, max(0, next))
            return [.perform(.setRouterThreshold(routerThreshold!))]
        case .clearCache:
            return [.perform(.invalidateCache(tenant: nil, model: nil))]
        case .focusConsole:
            if focus != .console { focusBeforeConsole = focus }
            focus = .console
            mode = .typing
        case .leaveConsole:
            focus = focusBeforeConsole == .console ? .providers : focusBeforeConsole
            mode = .normal
        case .submitPrompt:
            let line = editor.text
            guard !line.allSatisfy(\.isWhitespace) else { return [] }
            if let command = ConsoleCommand.parse(line) {
                switch command {
                case .success(let command):
                    _ = editor.commit()
                    return [.perform(command.operatorCommand)]
                case .failure(let error):
                    status = StatusMessage(error.message, isError: true)
                    return []
                }
            }
            switch ConsolePrompt.parse(line) {
            case .success(let prompt):
                _ = editor.commit()
                return [.submit(prompt)]
            case .failure(let error):
                status = StatusMessage(error.message, isError: true)
            }
        case .historyPrevious: editor.historyPrevious()
        case .historyNext: editor.historyNext()
        case .editLine: _ = editor.handle(key)
        case .toggleTenants: showTenants.toggle()
        case .cycleTheme: return [.cycleTheme]
        case .toggleHelp:
            mode = mode == .help ? .normal : .help
            helpScroll = 0
        case .helpScrollUp: scrollHelp(by: -1)
        case .helpScrollDown: scrollHelp(by: 1)
        case .helpPageUp: scrollHelp(by: -max(1, helpLayout.visibleRows - 1))
        case .helpPageDown: scrollHelp(by: max(1, helpLayout.visibleRows - 1))
        case .quit: return [.quit]
        }
        return []
    }

    /// The help overlay's layout on this screen (the renderer draws the same one).
    var helpLayout: HelpOverlayLayout {
        HelpOverlayLayout(keymap: keymap, screen: DashboardRenderer.overlayArea(width: screenWidth, height: screenHeight))
    }

    private mutating func scrollHelp(by lines: Int) {
        helpScroll = min(max(0, helpScroll + lines), helpLayout.maxScroll)
    }

    /// Parses the filter line: a good line replaces the filter at once (so the pane narrows as
    /// the operator types); a bad one keeps the last good filter and, on Enter, says why.
    private mutating func applyFilterLine(final: Bool) {
        let line = filterEditor.text
        if line.allSatisfy(\.isWhitespace) {
            setFilter(nil)
            if final { mode = .normal }
            return
        }
        switch RoutesFilter.parse(line) {
        case .success(let parsed):
            setFilter(parsed)
            if final {
                mode = .normal
                status = StatusMessage("filter: \(parsed.source) · \(visibleRoutes.count) shown, \(hiddenByFilter) hidden · \\ then Esc clears")
            }
        case .failure(let error):
            if final { status = StatusMessage(error.message, isError: true) }
        }
    }

    private mutating func setFilter(_ new: RoutesFilter?) {
        filter = new
        filterVerdicts.removeAll(keepingCapacity: true)
        routesOffset = 0
        refreshRoutes()
    }

    /// Recomputes the entries the Routes pane shows. Verdicts are remembered per request id, so a
    /// frame filters only the requests it has not seen.
    private mutating func refreshRoutes() {
        let source = frozenActivity ?? latestActivity
        if let filter {
            if filterVerdicts.count > 4_096 { filterVerdicts.removeAll(keepingCapacity: true) }
            var kept: [ActivityEntry] = []
            for entry in source {
                let keep: Bool
                if case .decision(let record) = entry {
                    let key = VerdictKey(id: record.id, time: record.receivedAt.timeIntervalSinceReferenceDate)
                    if let known = filterVerdicts[key] {
                        keep = known
                    } else {
                        keep = filter.matches(entry)
                        filterVerdicts[key] = keep
                    }
                } else {
                    keep = filter.matches(entry)
                }
                if keep { kept.append(entry) }
            }
            visibleRoutes = kept
            hiddenByFilter = source.count - kept.count
        } else {
            visibleRoutes = source
            hiddenByFilter = 0
        }
        routesOffset = min(routesOffset, max(0, visibleRoutes.count - 1))
    }

    private mutating func select(_ row: Int) {
        guard !providerNames.isEmpty else { return }
        selectedProvider = min(max(0, row), providerNames.count - 1)
    }

    private mutating func override(_ value: ProviderOverride) -> [DashboardAction] {
        guard let name = selectedProviderName else {
            status = StatusMessage("no provider selected", isError: true)
            return []
        }
        return [.perform(.setOverride(provider: name, value))]
    }

    private mutating func click(x: Int, y: Int) -> [DashboardAction] {
        guard mode != .help, mode != .inspecting, let pane = layout.pane(atX: x, y: y) else { return [] }
        if pane == .console {
            return run(.focusConsole, key: .click(x: x, y: y))
        }
        mode = .normal
        focus = pane
        if pane == .providers, let row = layout.providerRow(atY: y), row < providerNames.count {
            select(row)
        }
        return []
    }
}

/// Identifies a request for remembered filter verdicts (ids are unique within one engine; the
/// time keeps records from different sources apart).
private struct VerdictKey: Hashable, Sendable {
    var id: UInt64
    var time: Double
}
