import Dashboard
import Testing

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
