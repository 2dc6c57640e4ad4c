/// Draws a whole frame into a canvas: header, the five panes, footer, and the help overlay or
/// the "terminal too small" screen. A pure function of the frame.
package enum DashboardRenderer {
    /// Renders `frame` into `canvas`, which is resized to the state's screen size.
    package static func render(_ frame: DashboardFrame, into canvas: inout Canvas) {
        let state = frame.state
        canvas.reset(width: state.screenWidth, height: state.screenHeight)
        let layout = state.layout
        if layout.isTooSmall {
            TooSmallScreen.draw(width: state.screenWidth, height: state.screenHeight, on: &canvas)
            return
        }
        HeaderBar.draw(frame, in: layout.header, on: &canvas)
        for pane in PaneID.allCases {
            draw(pane, frame: frame, in: layout.rect(pane), on: &canvas)
        }
        FooterBar.draw(frame, in: layout.footer, on: &canvas)
        if state.mode == .help {
            HelpOverlay.draw(state.keymap, scroll: state.helpScroll, in: overlayArea(width: layout.width, height: layout.height), on: &canvas)
        }
        if state.mode == .inspecting, let inspector = state.inspector {
            InspectorOverlay.draw(inspector, utcOffset: frame.utcOffset, in: overlayArea(width: layout.width, height: layout.height), on: &canvas)
        }
    }

    /// Where overlays go: between the header and the footer.
    static func overlayArea(width: Int, height: Int) -> Rect {
        Rect(x: 0, y: 1, width: width, height: height - 2)
    }

    /// Draws one pane into `rect`.
    package static func draw(_ pane: PaneID, frame: DashboardFrame, in rect: Rect, on canvas: inout Canvas) {
        let focused = frame.state.focus == pane && frame.state.mode != .help && frame.state.mode != .inspecting
        switch pane {
        case .providers:
            if frame.state.showTenants { TenantsPane.draw(frame, in: rect, focused: focused, on: &canvas) } else { ProvidersPane.draw(frame, in: rect, focused: focused, on: &canvas) }
        case .routes: RoutesPane.draw(frame, in: rect, focused: focused, on: &canvas)
        case .cache: CachePane.draw(frame, in: rect, focused: focused, on: &canvas)
        case .latency: LatencyPane.draw(frame, in: rect, focused: focused, on: &canvas)
        case .console: ConsolePane.draw(frame, in: rect, focused: focused, on: &canvas)
        }
    }
}
