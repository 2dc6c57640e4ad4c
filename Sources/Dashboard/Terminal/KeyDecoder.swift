import CNCurses

/// Turns what `wget_wch` returns into ``DashboardKey`` values.
enum KeyDecoder {
    /// A character (`wget_wch` returned `OK`).
    static func decodeCharacter(_ value: UInt32) -> DashboardKey? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(value) + 96)))
        case 0..<32: return nil
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .character(Character(scalar))
        }
    }

    /// A function key (`wget_wch` returned `KEY_CODE_YES`).
    static func decodeFunctionKey(_ code: Int32, mouse: () -> TerminalInput?) -> TerminalInput? {
        switch code {
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case KEY_BTAB: return .key(.backTab)
        case KEY_ENTER: return .key(.enter)
        case KEY_RESIZE: return .resize
        case KEY_MOUSE: return mouse()
        default:
            for n in 1...12 where code == sb_key_f(Int32(n)) { return .key(.function(n)) }
            return nil
        }
    }
}
