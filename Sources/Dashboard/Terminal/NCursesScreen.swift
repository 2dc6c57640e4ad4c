import CNCurses
import Foundation

/// The ncurses backend: owns the terminal, copies canvases to it, and reads keys.
///
/// ncurses is not thread-safe: create, use and close a screen on one thread only.
package final class NCursesScreen {
    /// Why the terminal could not be opened.
    package struct OpenError: Error, CustomStringConvertible {
        package var description: String
    }

    private let window: UnsafeMutablePointer<WINDOW>
    private let screen: OpaquePointer
    private var headlessFiles: [UnsafeMutablePointer<FILE>] = []
    private var closed = false
    /// The glyphs the locale allows.
    package let glyphs: BoxGlyphs
    /// What the terminal can show, after `NO_COLOR`.
    package let colorDepth: ColorDepth
    private var monochromeTheme = false
    private var lineBuffer: [wchar_t] = []
    private var rowBuffer: [wchar_t] = []

    /// Whether cells need attributes rather than colours for emphasis.
    package var isMonochrome: Bool { colorDepth == .none || monochromeTheme }

    /// Opens the terminal: on stdin/stdout, or headless on `/dev/null` with a fixed size
    /// (`headless` is the size).
    package init(headless: (width: Int, height: Int)? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws(OpenError) {
        setlocale(LC_ALL, "")
        let codeset = String(cString: sb_codeset())
        glyphs = codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8" ? .unicode : .ascii
        if let size = headless {
            guard let output = fopen("/dev/null", "w"), let input = fopen("/dev/null", "r") else {
                throw OpenError(description: "cannot open /dev/null for a headless screen")
            }
            // $TERM first, then a terminal every ncurses install knows.
            guard let created = newterm(nil, output, input) ?? newterm("xterm-256color", output, input) else {
                fclose(output)
                fclose(input)
                throw OpenError(description: "newterm failed on /dev/null (TERM=\(environment["TERM"] ?? "unset"))")
            }
            headlessFiles = [output, input]
            screen = created
            set_term(created)
            resizeterm(Int32(size.height), Int32(size.width))
        } else {
            guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
                throw OpenError(description: "the dashboard needs a terminal (stdin and stdout must be a tty); for scripts use `switchboard simulate`")
            }
            sb_install_crash_restore()
            // newterm rather than initscr, which exits the process on an unknown TERM.
            guard let created = newterm(nil, sb_stdout(), sb_stdin()) else {
                sb_remove_crash_restore()
                throw OpenError(description: "cannot initialise the terminal (TERM=\(environment["TERM"] ?? "unset")); try TERM=xterm-256color")
            }
            screen = created
            set_term(created)
        }
        guard let root = sb_stdscr() else {
            throw OpenError(description: "ncurses has no standard screen")
        }
        window = root
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        curs_set(0)
        leaveok(window, true)
        var depth = ColorDepth.none
        if has_colors() {
            start_color()
            depth = ColorDepth.detect(colors: Int(sb_colors()), environment: environment)
        }
        if environment["NO_COLOR"].map({ !$0.isEmpty }) == true { depth = .none }
        colorDepth = depth
        if headlessFiles.isEmpty {
            mousemask(sb_mouse_buttons(), nil)
            mouseinterval(0)
        }
    }

    deinit {
        close()
    }

    /// The terminal size now.
    package var size: (width: Int, height: Int) {
        (Int(getmaxx(window)), Int(getmaxy(window)))
    }

    /// Restores the terminal. Safe to call more than once.
    package func close() {
        guard !closed else { return }
        closed = true
        curs_set(1)
        endwin()
        delscreen(screen)
        if headlessFiles.isEmpty {
            sb_remove_crash_restore()
        } else {
            for file in headlessFiles { fclose(file) }
        }
    }

    /// Sets up colour pairs for `theme`: one per (foreground role, background role) used.
    package func apply(_ theme: Theme) {
        monochromeTheme = theme.isMonochrome
        guard colorDepth != .none else { return }
        let backgrounds: [StyleRole] = [.mainBackground, .selectedBackground]
        for foreground in StyleRole.allCases {
            for (b, background) in backgrounds.enumerated() {
                let pair = Int32(1 + foreground.index * 2 + b)
                var fg = color(theme.color(foreground))
                var bg = color(theme.color(background))
                if colorDepth == .ansi8 {
                    // 8 colours have no subtle grey: selection is shown reversed instead, and a
                    // foreground that collapsed onto the background is made to contrast.
                    bg = color(theme.color(.mainBackground))
                    if fg == bg { fg = bg == 0 ? 7 : 0 }
                }
                init_extended_pair(pair, fg, bg)
            }
        }
        wbkgdset(window, chtype(pairAttribute(for: CellStyle(.mainForeground))))
        clearok(window, true)
    }

    private func color(_ rgb: RGBColor) -> Int32 {
        switch TerminalColor.map(rgb, to: colorDepth) {
        case .rgb(let c): Int32(c.red) << 16 | Int32(c.green) << 8 | Int32(c.blue)
        case .palette(let index): Int32(index)
        case .none: -1
        }
    }

    private func pairNumber(for style: CellStyle) -> Int32 {
        guard colorDepth != .none else { return 0 }
        return Int32(1 + style.foreground.index * 2 + (style.background == .selectedBackground ? 1 : 0))
    }

    private func pairAttribute(for style: CellStyle) -> Int32 {
        pairNumber(for: style) << 8
    }

    private func attributes(for style: CellStyle) -> attr_t {
        var bits: Int32 = 0
        var attributes = style.attributes
        if colorDepth == .ansi8, style.background == .selectedBackground { attributes.insert(.reverse) }
        if attributes.contains(.bold) { bits |= sb_attr_bold() }
        if attributes.contains(.reverse) { bits |= sb_attr_reverse() }
        if attributes.contains(.underline) { bits |= sb_attr_underline() }
        if attributes.contains(.dim) { bits |= sb_attr_dim() }
        return attr_t(UInt32(bitPattern: bits))
    }

    /// Copies `canvas` to the screen and updates the terminal once.
    package func present(_ canvas: Canvas) {
        let (width, height) = size
        let rows = min(height, canvas.height), columns = min(width, canvas.width)
        for y in 0..<rows {
            var x = 0
            while x < columns {
                let style = canvas[x, y].style
                let start = x
                rowBuffer.removeAll(keepingCapacity: true)
                while x < columns, canvas[x, y].style == style {
                    let scalar = canvas[x, y].scalar
                    if scalar != Cell.continuation { rowBuffer.append(wchar_t(bitPattern: scalar.value)) }
                    x += 1
                }
                var pair = pairNumber(for: style)
                wattr_set(window, attributes(for: style), Int16(truncatingIfNeeded: pair), &pair)
                rowBuffer.append(0)
                _ = rowBuffer.withUnsafeBufferPointer { buffer in
                    mvwaddnwstr(window, Int32(y), Int32(start), buffer.baseAddress, Int32(buffer.count - 1))
                }
            }
        }
        wnoutrefresh(window)
        doupdate()
    }

    /// Forces a full repaint on the next update (after a resize).
    package func invalidate() {
        clearok(window, true)
    }

    /// Waits up to `timeoutMilliseconds` for a key (0 polls); nil on timeout.
    func readKey(timeoutMilliseconds: Int32) -> TerminalInput? {
        wtimeout(window, timeoutMilliseconds)
        var character: wint_t = 0
        let result = wget_wch(window, &character)
        if result == ERR { return nil }
        if result == KEY_CODE_YES {
            return KeyDecoder.decodeFunctionKey(Int32(character)) { mouseClick() }
        }
        return KeyDecoder.decodeCharacter(UInt32(character)).map(TerminalInput.key)
    }

    private func mouseClick() -> TerminalInput? {
        var event = MEVENT()
        guard getmouse(&event) == OK, sb_mouse_is_button1(event.bstate) != 0 else { return nil }
        return .key(.click(x: Int(event.x), y: Int(event.y)))
    }
}
