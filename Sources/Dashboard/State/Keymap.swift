/// The one table of key bindings: the state machine dispatches from it, the footer shows the
/// bindings of the focused pane from it, and the `?` overlay lists all of it, so the three never
/// disagree.
package struct Keymap: Sendable {
    /// Where a binding applies.
    package enum Context: Sendable, Hashable {
        /// Any pane except while typing in the console.
        case global
        /// Only while this pane has focus (not the console).
        case pane(PaneID)
        /// While typing in the console.
        case console
        /// While the help overlay is shown.
        case help
        /// While the request inspector is open.
        case inspector
        /// While typing the Routes filter.
        case filter

        /// The heading in the help overlay.
        package var heading: String {
            switch self {
            case .global: "Everywhere"
            case .pane(let pane): pane.title
            case .console: "Console (typing)"
            case .help: "Help"
            case .inspector: "Request inspector"
            case .filter: "Filter line (typing)"
            }
        }
    }

    /// One binding.
    package struct Binding: Sendable, Hashable {
        /// The keys that trigger it.
        package var keys: [DashboardKey]
        /// How the keys are written in hints, e.g. `↑↓/jk`.
        package var label: String
        /// What it does, in a few words (the help overlay).
        package var summary: String
        /// What it does in one or two words (the footer).
        package var hint: String
        /// Where it applies.
        package var contexts: [Context]
        /// Whether the footer shows it.
        package var inFooter: Bool
        /// What it does.
        package var command: KeyCommand
    }

    /// Every binding, in help order.
    package let bindings: [Binding]

    /// The dashboard's bindings.
    package static let standard = Keymap(bindings: [
        Binding(keys: [.up, .character("k")], label: "↑/k", summary: "previous provider", hint: "up", contexts: [.pane(.providers), .pane(.cache), .pane(.latency)], inFooter: false, command: .selectPrevious),
        Binding(keys: [.down, .character("j")], label: "↓/j", summary: "next provider", hint: "down", contexts: [.pane(.providers), .pane(.cache), .pane(.latency)], inFooter: false, command: .selectNext),
        Binding(keys: [.up, .character("k")], label: "↑/k", summary: "scroll to newer", hint: "newer", contexts: [.pane(.routes)], inFooter: false, command: .selectPrevious),
        Binding(keys: [.down, .character("j")], label: "↓/j", summary: "scroll to older", hint: "scroll", contexts: [.pane(.routes)], inFooter: true, command: .selectNext),
        Binding(keys: [.pageUp], label: "PgUp", summary: "page to newer", hint: "page", contexts: [.pane(.routes)], inFooter: false, command: .pageUp),
        Binding(keys: [.pageDown], label: "PgDn", summary: "page to older", hint: "page", contexts: [.pane(.routes)], inFooter: false, command: .pageDown),
        Binding(keys: [.home, .character("g")], label: "Home/g", summary: "follow newest", hint: "follow", contexts: [.pane(.routes)], inFooter: true, command: .followNewest),
        Binding(keys: [.enter], label: "Enter", summary: "inspect the request on the top row", hint: "inspect", contexts: [.pane(.routes)], inFooter: true, command: .inspectSelected),
        Binding(keys: (1...9).map { .character(Character("\($0)")) }, label: "1-9", summary: "provider on that row", hint: "select", contexts: [.global], inFooter: true, command: .selectNumberedRow),
        Binding(keys: [.character("f")], label: "f", summary: "force provider down", hint: "force down", contexts: [.global], inFooter: true, command: .forceDown),
        Binding(keys: [.character("u")], label: "u", summary: "force provider up", hint: "force up", contexts: [.global], inFooter: true, command: .forceUp),
        Binding(keys: [.character("a")], label: "a", summary: "provider back to auto", hint: "auto", contexts: [.global], inFooter: true, command: .returnToAuto),
        Binding(keys: [.character("e")], label: "e", summary: "drill: 50%/all fail/slow", hint: "drill", contexts: [.global], inFooter: true, command: .cycleFaultDrill),
        Binding(keys: [.character("]")], label: "]", summary: "threshold up: less frontier", hint: "threshold", contexts: [.global], inFooter: false, command: .raiseThreshold),
        Binding(keys: [.character("[")], label: "[", summary: "threshold down: more frontier", hint: "threshold", contexts: [.global], inFooter: false, command: .lowerThreshold),
        Binding(keys: [.character("+"), .character("=")], label: "+/-", summary: "traffic rate up (- lowers)", hint: "rate", contexts: [.global], inFooter: true, command: .rateUp),
        Binding(keys: [.character("-"), .character("_")], label: "-", summary: "traffic rate down", hint: "rate", contexts: [.global], inFooter: false, command: .rateDown),
        Binding(keys: [.character("p"), .character(" ")], label: "p", summary: "pause/resume traffic", hint: "pause", contexts: [.global], inFooter: true, command: .togglePause),
        Binding(keys: [.character("\\")], label: "\\", summary: "filter Routes: text re !not field:val", hint: "filter", contexts: [.global], inFooter: true, command: .openFilter),
        Binding(keys: [.character("Z")], label: "Z", summary: "freeze Routes / follow live", hint: "freeze", contexts: [.global], inFooter: true, command: .toggleFreeze),
        Binding(keys: [.character("x")], label: "x", summary: "clear cache, all tenants", hint: "clear cache", contexts: [.pane(.cache)], inFooter: true, command: .clearCache),
        Binding(keys: [.tab], label: "Tab", summary: "next pane", hint: "pane", contexts: [.global, .console], inFooter: true, command: .focusNext),
        Binding(keys: [.backTab], label: "S-Tab", summary: "previous pane", hint: "pane", contexts: [.global, .console], inFooter: false, command: .focusPrevious),
        Binding(keys: [.character("/"), .character(":")], label: "/", summary: "type a prompt", hint: "prompt", contexts: [.global], inFooter: true, command: .focusConsole),
        Binding(keys: [.enter], label: "Enter", summary: "send prompt", hint: "send", contexts: [.console], inFooter: true, command: .submitPrompt),
        Binding(keys: [.up], label: "↑↓", summary: "prompt history", hint: "history", contexts: [.console], inFooter: true, command: .historyPrevious),
        Binding(keys: [.down], label: "↓", summary: "next in history", hint: "history", contexts: [.console], inFooter: false, command: .historyNext),
        Binding(keys: [], label: "←→ ^A^E ^U^W", summary: "edit; Home End Del ^K", hint: "edit", contexts: [.console], inFooter: true, command: .editLine),
        Binding(keys: [.escape], label: "Esc", summary: "leave the console", hint: "leave", contexts: [.console], inFooter: true, command: .leaveConsole),
        Binding(keys: [.character("T")], label: "T", summary: "tenants ⇄ providers (limits: /limit, /block)", hint: "tenants", contexts: [.global], inFooter: false, command: .toggleTenants),
        Binding(keys: [.character("t")], label: "t", summary: "next theme", hint: "theme", contexts: [.global], inFooter: true, command: .cycleTheme),
        Binding(keys: [.character("?"), .function(1)], label: "?", summary: "help", hint: "help", contexts: [.global], inFooter: true, command: .toggleHelp),
        Binding(keys: [.character("?"), .escape, .character("q"), .enter], label: "?/Esc", summary: "close help", hint: "close", contexts: [.help], inFooter: true, command: .toggleHelp),
        Binding(keys: [.up, .character("k")], label: "↑↓/jk", summary: "scroll the help (small screens)", hint: "scroll", contexts: [.help], inFooter: true, command: .helpScrollUp),
        Binding(keys: [.down, .character("j")], label: "↓/j", summary: "scroll the help down", hint: "scroll", contexts: [.help], inFooter: false, command: .helpScrollDown),
        Binding(keys: [.pageUp], label: "PgUp/PgDn", summary: "page the help", hint: "page", contexts: [.help], inFooter: true, command: .helpPageUp),
        Binding(keys: [.pageDown], label: "PgDn", summary: "page the help down", hint: "page", contexts: [.help], inFooter: false, command: .helpPageDown),
        Binding(keys: [.up, .character("k")], label: "↑↓/jk", summary: "scroll the record", hint: "scroll", contexts: [.inspector], inFooter: true, command: .inspectorScrollUp),
        Binding(keys: [.down, .character("j")], label: "↓/j", summary: "scroll down", hint: "scroll", contexts: [.inspector], inFooter: false, command: .inspectorScrollDown),
        Binding(keys: [.pageUp], label: "PgUp/PgDn", summary: "page the record", hint: "page", contexts: [.inspector], inFooter: true, command: .inspectorPageUp),
        Binding(keys: [.pageDown], label: "PgDn", summary: "page down", hint: "page", contexts: [.inspector], inFooter: false, command: .inspectorPageDown),
        Binding(keys: [.character("w")], label: "w", summary: "write the record as JSON", hint: "write JSON", contexts: [.inspector], inFooter: true, command: .writeInspectedRecord),
        Binding(keys: [.escape, .character("q")], label: "Esc", summary: "close the inspector", hint: "close", contexts: [.inspector], inFooter: true, command: .closeInspector),
        Binding(keys: [.enter], label: "Enter", summary: "keep the filter", hint: "keep", contexts: [.filter], inFooter: true, command: .applyFilter),
        Binding(keys: [.escape], label: "Esc", summary: "clear the filter", hint: "clear", contexts: [.filter], inFooter: true, command: .clearFilter),
        Binding(keys: [], label: "field:value", summary: "tenant provider tier cache status origin; !not; regex", hint: "fields", contexts: [.filter], inFooter: true, command: .editFilter),
        Binding(keys: [.character("q")], label: "q", summary: "quit", hint: "quit", contexts: [.global], inFooter: true, command: .quit),
    ])

    /// The binding for `key` in `context`, if any.
    package func binding(for key: DashboardKey, in context: Context) -> Binding? {
        bindings.first { $0.contexts.contains(context) && $0.keys.contains(key) }
    }

    /// The bindings the footer shows for `context` (the pane's own first, then the global ones).
    package func footer(for contexts: [Context]) -> [Binding] {
        var seen: Set<String> = []
        var result: [Binding] = []
        // Help and quit first, so a narrow footer never hides them.
        for binding in bindings where binding.inFooter && (binding.command == .toggleHelp || binding.command == .quit) && contexts.contains(where: binding.contexts.contains) {
            seen.insert(binding.label)
            result.append(binding)
        }
        for context in contexts {
            for binding in bindings where binding.inFooter && binding.contexts.contains(context) && !seen.contains(binding.label) {
                seen.insert(binding.label)
                result.append(binding)
            }
        }
        return result
    }

    /// Every binding grouped by where it applies, in table order.
    package func helpSections() -> [(heading: String, bindings: [Binding])] {
        var sections: [(heading: String, bindings: [Binding])] = []
        for binding in bindings {
            let heading = binding.contexts.map(\.heading).joined(separator: ", ")
            if let index = sections.firstIndex(where: { $0.heading == heading }) {
                sections[index].bindings.append(binding)
            } else {
                sections.append((heading, [binding]))
            }
        }
        return sections
    }
}
