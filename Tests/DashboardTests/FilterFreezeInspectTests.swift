import Dashboard
import Foundation
import Testing
@testable import ServingEngine

/// Filter (`\`), freeze (`Z`) and the request inspector (`Enter` on Routes) as pure state.
@Suite struct FilterFreezeInspectTests {
    static func routesState() -> DashboardState {
        var state = DashboardState()
        state.update(from: Fixtures.snapshot)
        _ = state.handle(.tab)  // Providers → Routes
        return state
    }

    static func type(_ text: String, into state: inout DashboardState) {
        for character in text { _ = state.handle(.character(character)) }
    }

    static func ids(_ state: DashboardState) -> [UInt64] {
        state.visibleRoutes.compactMap { if case .decision(let record) = $0 { record.id } else { nil } }
    }

    @Test func theFilterNarrowsTheRoutesAsTheOperatorTypesAndIsKeptAcrossPanes() {
        var state = Self.routesState()
        _ = state.handle(.character("\\"))
        #expect(state.mode == .filtering)
        Self.type("tenant:acme", into: &state)
        #expect(state.filter?.source == "tenant:acme")
        #expect(state.visibleRoutes.allSatisfy { if case .decision(let record) = $0 { record.tenant == "acme" } else { false } })
        _ = state.handle(.enter)
        #expect(state.mode == .normal)
        _ = state.handle(.tab)
        _ = state.handle(.tab)
        state.update(from: Fixtures.snapshot)
        #expect(state.filter?.source == "tenant:acme", "the filter stays while the operator moves between panes")
        #expect(state.hiddenByFilter == Fixtures.activity.count - state.visibleRoutes.count)
    }

    @Test func escapeInTheFilterLineClearsIt() {
        var state = Self.routesState()
        _ = state.handle(.character("\\"))
        Self.type("cache:hit", into: &state)
        _ = state.handle(.enter)
        _ = state.handle(.character("\\"))
        #expect(state.filterEditor.text == "cache:hit", "reopening shows the filter in force")
        _ = state.handle(.escape)
        #expect(state.filter == nil)
        #expect(state.mode == .normal)
        #expect(state.visibleRoutes.count == Fixtures.activity.count)
    }

    @Test func aBadFilterKeepsTheLastGoodOneAndSaysWhyOnEnter() {
        var state = Self.routesState()
        _ = state.handle(.character("\\"))
        Self.type("tier:small tennant:x", into: &state)
        #expect(state.filter?.source == "tier:small tennant", "while typing, the last line that parsed stays in force")
        _ = state.handle(.enter)
        #expect(state.mode == .filtering, "Enter on a bad line stays in the filter line")
        #expect(state.status?.isError == true)
        #expect(state.status?.text.contains("unknown filter field 'tennant:'") == true)
    }

    @Test func freezingKeepsTheRowsWhileNewSnapshotsArrive() {
        var state = Self.routesState()
        let before = Self.ids(state)
        _ = state.handle(.character("Z"))
        #expect(state.isFrozen)
        var newer = Fixtures.snapshot
        newer.activity = [Fixtures.decision(99, seconds: 61, tenant: "acme", prompt: "a new request", cache: .exact, route: Fixtures.smallRoute, attempts: [], provider: nil, latencyMs: 1)] + newer.activity
        newer.totals.requests += 1
        state.update(from: newer)
        #expect(Self.ids(state) == before, "a frozen pane does not move")
        _ = state.handle(.down)
        #expect(state.routesOffset == 1, "and can be scrolled")
        _ = state.handle(.character("Z"))
        #expect(!state.isFrozen)
        #expect(state.routesOffset == 0)
        #expect(Self.ids(state).first == 99, "Z again follows live")
    }

    @Test func theFilterAppliesToAFrozenPaneToo() {
        var state = Self.routesState()
        _ = state.handle(.character("Z"))
        _ = state.handle(.character("\\"))
        Self.type("status:failed", into: &state)
        _ = state.handle(.enter)
        #expect(Self.ids(state) == [15])
        #expect(state.isFrozen)
    }

    @Test func enterOnARoutesRowOpensTheInspectorOnItAndEscapeCloses() {
        var state = Self.routesState()
        _ = state.handle(.down)  // the top row is an operator event; the next is request #20
        let actions = state.handle(.enter)
        #expect(actions.isEmpty)
        #expect(state.mode == .inspecting)
        #expect(state.inspector?.record.id == 20)
        _ = state.handle(.down)
        _ = state.handle(.down)
        #expect(state.inspector?.scrollOffset == 2)
        #expect(state.handle(.character("w")) == [.writeRecord(state.inspector!.record)])
        _ = state.handle(.escape)
        #expect(state.mode == .normal)
        #expect(state.inspector == nil)
        #expect(state.focus == .routes)
    }

    @Test func enterOnAnEventRowSaysItIsNotARequest() {
        var state = Self.routesState()
        _ = state.handle(.enter)
        #expect(state.mode == .normal)
        #expect(state.status?.text.hasPrefix("this row is an event") == true)
    }

    @Test func theInspectorOpensOnTheFilteredRowUnderTheCursor() {
        var state = Self.routesState()
        _ = state.handle(.character("\\"))
        Self.type("tenant:globex", into: &state)
        _ = state.handle(.enter)
        _ = state.handle(.enter)
        #expect(state.inspector?.record.id == 19)
    }

    @Test func theNewKeysAreInTheFooterAndHelpFromTheOneKeymap() {
        var state = Self.routesState()
        let footer = state.footerBindings.map(\.label)
        #expect(footer.contains("Enter"))
        #expect(footer.contains("\\"))
        #expect(footer.contains("Z"))
        _ = state.handle(.down)
        _ = state.handle(.enter)
        #expect(state.footerBindings.map(\.hint).contains("write JSON"))
        let help = Keymap.standard.helpSections().map(\.heading)
        #expect(help.contains("Request inspector"))
        #expect(help.contains("Filter line (typing)"))
    }
}
