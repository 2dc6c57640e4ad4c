/// A one-line text editor with history, readline style: ←/→, Home/End, Backspace, Delete,
/// ^A ^E ^U ^K ^W, and ↑/↓ through earlier lines.
package struct LineEditor: Sendable, Hashable {
    /// The text being edited.
    package private(set) var characters: [Character] = []
    /// The cursor position, in characters from the start (0…count).
    package private(set) var cursor: Int = 0
    /// Earlier submitted lines, oldest first.
    package private(set) var history: [String] = []
    private var historyIndex: Int?
    private var draft: [Character] = []
    /// The most lines kept in history.
    package var historyLimit = 100

    /// Creates an empty editor.
    package init() {}

    /// The text being edited.
    package var text: String { String(characters) }

    /// Replaces the text and moves the cursor to its end.
    package mutating func setText(_ text: String) {
        characters = Array(text)
        cursor = characters.count
    }

    /// Applies an editing key; returns false when the key is not an editing key.
    package mutating func handle(_ key: DashboardKey) -> Bool {
        switch key {
        case .character(let c):
            characters.insert(c, at: cursor)
            cursor += 1
        case .left, .control("b"):
            cursor = max(0, cursor - 1)
        case .right, .control("f"):
            cursor = min(characters.count, cursor + 1)
        case .home, .control("a"):
            cursor = 0
        case .end, .control("e"):
            cursor = characters.count
        case .backspace, .control("h"):
            guard cursor > 0 else { return true }
            characters.remove(at: cursor - 1)
            cursor -= 1
        case .delete, .control("d"):
            guard cursor < characters.count else { return true }
            characters.remove(at: cursor)
        case .control("u"):
            characters.removeFirst(cursor)
            cursor = 0
        case .control("k"):
            characters.removeLast(characters.count - cursor)
        case .control("w"):
            var start = cursor
            while start > 0, characters[start - 1].isWhitespace { start -= 1 }
            while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
            characters.removeSubrange(start..<cursor)
            cursor = start
        default:
            return false
        }
        return true
    }

    /// Shows the previous history line (saving the line being typed).
    package mutating func historyPrevious() {
        guard !history.isEmpty else { return }
        if historyIndex == nil {
            draft = characters
            historyIndex = history.count - 1
        } else if let index = historyIndex, index > 0 {
            historyIndex = index - 1
        }
        setText(history[historyIndex!])
    }

    /// Shows the next history line, or the line that was being typed after the last.
    package mutating func historyNext() {
        guard let index = historyIndex else { return }
        if index + 1 < history.count {
            historyIndex = index + 1
            setText(history[index + 1])
        } else {
            historyIndex = nil
            characters = draft
            cursor = characters.count
        }
    }

    /// Takes the line: adds it to history (unless blank or a repeat) and clears the editor.
    package mutating func commit() -> String {
        let line = text
        if !line.allSatisfy(\.isWhitespace), history.last != line {
            history.append(line)
            if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
        }
        characters = []
        cursor = 0
        historyIndex = nil
        draft = []
        return line
    }
}
