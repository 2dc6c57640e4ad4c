/// A theme file that could not be used, with where and what to fix.
///
/// ```
/// themes/ocean.theme:12: key "main_bg": expected a colour like "#1E2127", found "blue"
/// ```
package struct ThemeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (or `built-in:NAME`).
    package var file: String
    /// The 1-based line, or nil when the problem is the file as a whole.
    package var line: Int?
    /// The key concerned, if any.
    package var key: String?
    /// What was expected.
    package var expected: String
    /// What was found instead.
    package var found: String?

    /// Creates an error.
    package init(file: String, line: Int?, key: String?, expected: String, found: String?) {
        self.file = file
        self.line = line
        self.key = key
        self.expected = expected
        self.found = found
    }

    package var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "key \"\(key)\": " }
        text += "expected \(expected)"
        if let found { text += ", found \(found)" }
        return text
    }
}
