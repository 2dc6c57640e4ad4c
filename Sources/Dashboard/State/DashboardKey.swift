/// A key press or mouse click, decoded from the terminal, as the state machine sees it.
package enum DashboardKey: Sendable, Hashable {
    /// A printable character.
    case character(Character)
    /// Ctrl with a letter, lowercase (`.control("a")` is Ctrl-A).
    case control(Character)
    /// Arrow up.
    case up
    /// Arrow down.
    case down
    /// Arrow left.
    case left
    /// Arrow right.
    case right
    /// Home.
    case home
    /// End.
    case end
    /// Page up.
    case pageUp
    /// Page down.
    case pageDown
    /// Enter or Return.
    case enter
    /// Tab.
    case tab
    /// Shift-Tab.
    case backTab
    /// Backspace.
    case backspace
    /// Delete (forward).
    case delete
    /// Escape.
    case escape
    /// A function key, F1 = `.function(1)`.
    case function(Int)
    /// A mouse button press at a screen cell.
    case click(x: Int, y: Int)

    /// How the key is written in hints: `q`, `Tab`, `↑`, `^A`.
    package var label: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .control(let c): "^" + c.uppercased()
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .enter: "Enter"
        case .tab: "Tab"
        case .backTab: "S-Tab"
        case .backspace: "Bksp"
        case .delete: "Del"
        case .escape: "Esc"
        case .function(let n): "F\(n)"
        case .click: "click"
        }
    }
}
