import Dashboard
import Testing

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
