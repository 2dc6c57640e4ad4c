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
        #expect(state.handle(.character("x")) == [.perform(.invalidateCache(tenant: nil))])
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

/// The keymap drives dispatch, the footer and the help overlay.
@Suite struct KeymapTests {
    @Test func footerHintsComeFromTheKeymapAndAppearInHelp() {
        let keymap = Keymap.standard
        let help = keymap.helpSections().flatMap(\.bindings)
        for focus in PaneID.allCases {
            var state = DashboardState()
            state.update(from: Fixtures.snapshot)
            while state.focus != focus { _ = state.handle(.tab) }
            let footer = state.footerBindings
            #expect(!footer.isEmpty)
            for binding in footer {
                #expect(help.contains(binding), "\(binding.label) in the footer but not in help")
                // Every footer key really does what it says in this context.
                if let key = binding.keys.first {
                    #expect(keymap.binding(for: key, in: state.context)?.command == binding.command || binding.contexts.contains(.global))
                }
            }
        }
    }

    @Test func helpListsEveryBindingOnce() {
        let keymap = Keymap.standard
        #expect(keymap.helpSections().flatMap(\.bindings).count == keymap.bindings.count)
    }

    @Test func helpAndQuitLeadTheFooter() {
        let footer = DashboardState().footerBindings
        #expect(footer.prefix(2).map(\.command) == [.toggleHelp, .quit])
    }
}

/// Line editing and history.
@Suite struct LineEditorTests {
    func type(_ text: String, into editor: inout LineEditor) {
        for c in text { _ = editor.handle(.character(c)) }
    }

    @Test func readlineEditing() {
        var editor = LineEditor()
        type("hello world", into: &editor)
        _ = editor.handle(.control("w"))
        #expect(editor.text == "hello ")
        _ = editor.handle(.control("a"))
        type(">", into: &editor)
        #expect(editor.text == ">hello ")
        _ = editor.handle(.control("e"))
        _ = editor.handle(.backspace)
        _ = editor.handle(.left)
        _ = editor.handle(.left)
        _ = editor.handle(.delete)
        #expect(editor.text == ">helo")
        _ = editor.handle(.home)
        _ = editor.handle(.right)
        _ = editor.handle(.control("k"))
        #expect(editor.text == ">")
        type("abc", into: &editor)
        _ = editor.handle(.left)
        _ = editor.handle(.control("u"))
        #expect(editor.text == "c" && editor.cursor == 0)
        _ = editor.handle(.end)
        #expect(editor.cursor == 1)
    }

    @Test func historySkipsBlanksAndRepeatsAndRestoresDraft() {
        var editor = LineEditor()
        for line in ["one", "two", "two", "  "] {
            type(line, into: &editor)
            _ = editor.commit()
        }
        #expect(editor.history == ["one", "two"])
        type("draft", into: &editor)
        editor.historyPrevious()
        #expect(editor.text == "two")
        editor.historyPrevious()
        editor.historyPrevious()
        #expect(editor.text == "one")
        editor.historyNext()
        editor.historyNext()
        #expect(editor.text == "draft")
    }
}

/// The console's directive syntax.
@Suite struct ConsolePromptTests {
    @Test func parsesDirectivesThenText() throws {
        let prompt = try ConsolePrompt.parse("@globex model:gpt-cloud why is the sky blue?").get()
        #expect(prompt == ConsolePrompt(text: "why is the sky blue?", tenant: "globex", model: "gpt-cloud"))
        let request = prompt.request
        #expect(request.model == "gpt-cloud" && request.tenant == "globex" && request.stream)
        #expect(request.options.origin == .console && request.options.cacheLookup)
    }

    @Test func defaultsAndNoCache() throws {
        let prompt = try ConsolePrompt.parse("!nocache hi").get()
        #expect(prompt.tenant == ConsolePrompt.defaultTenant && prompt.bypassCache)
        #expect(!prompt.request.options.cacheLookup && !prompt.request.options.cacheStore)
        #expect(prompt.request.model == ChatRequest.automaticModel)
        // Directives only count at the start.
        #expect(try ConsolePrompt.parse("say @acme tier:x").get().text == "say @acme tier:x")
    }

    @Test func errorsSayWhatToType() {
        for line in ["@ hi", "tier: hi", "model: hi", "@acme", "   "] {
            guard case .failure(let error) = ConsolePrompt.parse(line) else {
                Issue.record("'\(line)' should not parse")
                continue
            }
            #expect(!error.message.isEmpty)
        }
    }
}
