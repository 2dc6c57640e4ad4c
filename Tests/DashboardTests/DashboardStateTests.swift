import Dashboard
import ServingEngine
import Testing

/// The key state machine: key sequences in, actions and view state out; no terminal.
@Suite struct DashboardStateTests {
    func makeState(width: Int = 160, height: Int = 48) -> DashboardState {
        var state = DashboardState(width: width, height: height)
        state.update(from: Fixtures.snapshot)
        return state
    }

    func press(_ keys: [DashboardKey], on state: inout DashboardState) -> [DashboardAction] {
        keys.flatMap { state.handle($0) }
    }

    @Test func digitSelectsProviderAndFForcesItDown() {
        var state = makeState()
        let actions = press([.character("2"), .character("f")], on: &state)
        #expect(state.selectedProviderName == "finetuned-local")
        #expect(actions == [.perform(.setOverride(provider: "finetuned-local", .forcedDown))])
    }

    @Test func uAndAForceUpAndReturnToAuto() {
        var state = makeState()
        let actions = press([.character("3"), .character("u"), .character("a")], on: &state)
        #expect(actions == [.perform(.setOverride(provider: "gpt-cloud", .forcedUp)), .perform(.setOverride(provider: "gpt-cloud", .auto))])
    }

    @Test func arrowsAndJKMoveSelectionWithinBounds() {
        var state = makeState()
        _ = press([.down, .character("j"), .down, .down, .down, .down], on: &state)
        #expect(state.selectedProvider == 4)
        _ = press([.up, .character("k")], on: &state)
        #expect(state.selectedProvider == 2)
        _ = press(Array(repeating: .up, count: 9), on: &state)
        #expect(state.selectedProvider == 0)
        _ = press([.character("9")], on: &state)
        #expect(state.selectedProvider == 4)
    }

    @Test func tabCyclesFocusThroughEveryPaneAndConsoleTypes() {
        var state = makeState()
        var seen: [PaneID] = [state.focus]
        for _ in 0..<4 {
            _ = state.handle(.tab)
            seen.append(state.focus)
        }
        #expect(seen == [.providers, .routes, .cache, .latency, .console])
        #expect(state.mode == .typing)
        _ = state.handle(.tab)
        #expect(state.focus == .providers && state.mode == .normal)
        _ = state.handle(.backTab)
        #expect(state.focus == .console)
    }

    @Test func slashFocusesConsoleKeysTypeAndEscLeaves() {
        var state = makeState()
        _ = state.handle(.tab)  // routes
        _ = state.handle(.character("/"))
        #expect(state.focus == .console && state.mode == .typing)
        // In the console, q f and digits are text, not commands.
        let actions = press("q f 2".map { .character($0) }, on: &state)
        #expect(actions.isEmpty)
        #expect(state.editor.text == "q f 2")
        _ = state.handle(.escape)
        #expect(state.focus == .routes && state.mode == .normal)
        #expect(state.handle(.character("q")) == [.quit])
    }

    @Test func colonAlsoFocusesConsole() {
        var state = makeState()
        _ = state.handle(.character(":"))
        #expect(state.mode == .typing)
    }

    @Test func enterSubmitsParsedPromptAndKeepsHistory() {
        var state = makeState()
        _ = state.handle(.character("/"))
        _ = press("@acme tier:frontier !nocache hello there".map { .character($0) }, on: &state)
        let actions = state.handle(.enter)
        #expect(actions == [.submit(ConsolePrompt(text: "hello there", tenant: "acme", tier: "frontier", bypassCache: true))])
        #expect(state.editor.text.isEmpty)
        _ = state.handle(.up)
        #expect(state.editor.text == "@acme tier:frontier !nocache hello there")
        _ = state.handle(.down)
        #expect(state.editor.text.isEmpty)
    }

    @Test func badDirectiveReportsAndKeepsTheLine() {
        var state = makeState()
        _ = state.handle(.character("/"))
        _ = press("tier: hi".map { .character($0) }, on: &state)
        #expect(state.handle(.enter).isEmpty)
        #expect(state.status?.isError == true)
        #expect(state.editor.text == "tier: hi")
    }

    @Test func rateStepsAndPause() {
        var state = makeState()  // traffic at 50/s
        #expect(state.handle(.character("+")) == [.perform(.setTrafficRate(100))])
        #expect(state.handle(.character("+")) == [.perform(.setTrafficRate(200))])
        #expect(state.handle(.character("-")) == [.perform(.setTrafficRate(100))])
        #expect(state.handle(.character("p")) == [.perform(.setTrafficPaused(true))])
        #expect(state.handle(.character("p")) == [.perform(.setTrafficPaused(false))])
        for _ in 0..<20 { _ = state.handle(.character("-")) }
        #expect(state.trafficRate == DashboardState.rateSteps[0])
    }

    @Test func helpOverlaySwallowsKeysUntilClosed() {
        var state = makeState()
        _ = state.handle(.character("?"))
        #expect(state.mode == .help)
        #expect(state.handle(.character("f")).isEmpty)
        _ = state.handle(.escape)
        #expect(state.mode == .normal)
        _ = state.handle(.character("?"))
        _ = state.handle(.character("q"))
        #expect(state.mode == .normal, "q closes help rather than quitting")
    }

    @Test func themeAndQuitAndClearCache() {
        var state = makeState()
        #expect(state.handle(.character("t")) == [.cycleTheme])
        #expect(state.handle(.character("x")).isEmpty, "x only clears the cache from the Cache pane")
        _ = press([.tab, .tab], on: &state)
        #expect(state.handle(.character("x")) == [.perform(.invalidateCache(tenant: nil, model: nil))])
        #expect(state.handle(.character("q")) == [.quit])
    }

    @Test func routesPaneScrollsAndFollows() {
        var state = makeState()
        _ = state.handle(.tab)
        _ = press([.down, .down, .character("j")], on: &state)
        #expect(state.routesOffset == 3)
        #expect(state.selectedProvider == 0, "scrolling routes leaves the provider selection alone")
        _ = state.handle(.home)
        #expect(state.routesOffset == 0)
    }

    @Test func mouseClickSelectsProviderRowAndFocusesPanes() {
        var state = makeState()
        let providers = state.layout.rect(.providers)
        // Row 4 (claude-cloud) sits below the border and the column headings.
        _ = state.handle(.click(x: 10, y: providers.y + 2 + 3))
        #expect(state.selectedProviderName == "claude-cloud")
        let routes = state.layout.rect(.routes)
        _ = state.handle(.click(x: routes.x + 3, y: routes.y + 3))
        #expect(state.focus == .routes)
        let console = state.layout.rect(.console)
        _ = state.handle(.click(x: console.x + 3, y: console.y + 1))
        #expect(state.mode == .typing)
    }

    @Test func selectionFollowsProviderWhenListChanges() {
        var state = makeState()
        _ = state.handle(.character("3"))
        var snapshot = Fixtures.snapshot
        snapshot.providers.removeFirst()
        state.update(from: snapshot)
        #expect(state.selectedProviderName == "gpt-cloud")
    }

    @Test func overrideWithNoProvidersReportsInsteadOfActing() {
        var state = DashboardState()
        #expect(state.handle(.character("f")).isEmpty)
        #expect(state.status?.isError == true)
    }

    @Test func resizeChangesLayoutAndTooSmall() {
        var state = makeState()
        state.resize(width: 60, height: 20)
        #expect(state.layout.isTooSmall)
        state.resize(width: 80, height: 24)
        #expect(!state.layout.isTooSmall)
        for pane in PaneID.allCases {
            let rect = state.layout.rect(pane)
            #expect(rect.maxX <= 80 && rect.maxY <= 23 && rect.y >= 1, "\(pane) at \(rect)")
        }
    }
}

/// Drills and the router threshold.
@Suite struct DrillAndThresholdTests {
    @Test func eCyclesTheSelectedProvidersFaultDrill() {
        var state = DashboardState()
        state.update(from: Fixtures.snapshot)
        _ = state.handle(.character("3"))
        var profiles: [FaultProfile] = []
        for _ in 0..<4 {
            for action in state.handle(.character("e")) {
                if case .perform(.injectFaults(let provider, let profile)) = action, provider == "gpt-cloud" { profiles.append(profile) }
            }
            if profiles.count == 1 { #expect(state.drill(for: "gpt-cloud") == "50% errors") }
        }
        #expect(profiles.map(\.errorRate) == [0.5, 1, 0, 0])
        #expect(profiles[2].slowdown == 20 && profiles[3] == FaultProfile())
        #expect(state.drill(for: "gpt-cloud") == nil)
    }

    @Test func bracketsMoveTheThresholdInBounds() {
        var state = DashboardState()
        state.update(from: Fixtures.snapshot)  // small up to 0.35
        #expect(state.handle(.character("]")) == [.perform(.setRouterThreshold(0.4))])
        #expect(state.handle(.character("[")) == [.perform(.setRouterThreshold(0.35))])
        for _ in 0..<30 { _ = state.handle(.character("]")) }
        #expect(state.routerThreshold == 1)
    }
}
