extension Theme {
    /// A parsed theme and the problems that did not stop it from being used.
    package struct Parsed: Sendable, Hashable {
        /// The theme, with missing keys filled from the default.
        package var theme: Theme
        /// Unknown keys and missing keys, one message each.
        package var warnings: [String]
    }

    /// Parses btop-style theme text.
    ///
    /// Each non-blank line is `theme[KEY]="#RRGGBB"` (quotes optional); `#` starts a comment
    /// line. Unknown keys are warnings; malformed lines are errors.
    ///
    /// ```
    /// # Nord-ish
    /// theme[main_bg]="#2E3440"
    /// theme[main_fg]="#D8DEE9"
    /// ```
    ///
    /// - Parameters:
    ///   - text: the file contents.
    ///   - file: the path to name in messages.
    ///   - name: the theme's name.
    package static func parse(_ text: String, file: String, name: String) -> Result<Parsed, ThemeError> {
        parseColors(text, file: file, reportMissing: name != "default").map { colors, warnings in
            Parsed(theme: Theme(name: name, source: file, colors: colors), warnings: warnings)
        }
    }

    /// The colours `text` sets, without filling missing ones, and the warnings.
    static func parseColors(_ text: String, file: String, reportMissing: Bool) -> Result<([StyleRole: RGBColor], [String]), ThemeError> {
        var colors: [StyleRole: RGBColor] = [:]
        var warnings: [String] = []
        // `isNewline` ends a line at \n, \r and \r\n alike (a Windows "\r\n" is one Character,
        // so splitting on "\n" alone would read a whole CRLF file as one line).
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard line.hasPrefix("theme["), let close = line.firstIndex(of: "]") else {
                return .failure(ThemeError(file: file, line: lineNumber, key: nil, expected: "a line like theme[main_bg]=\"#1E2127\"", found: shown(line)))
            }
            let key = shown(line[line.index(line.startIndex, offsetBy: 6)..<close], quoted: false)
            var rest = line[line.index(after: close)...].trimmingWhitespace()
            guard rest.hasPrefix("=") else {
                return .failure(ThemeError(file: file, line: lineNumber, key: key, expected: "\"=\" after theme[\(key)]", found: rest.isEmpty ? "end of line" : shown(rest)))
            }
            rest = rest.dropFirst().trimmingWhitespace()
            if rest.count >= 2, rest.first == "\"", rest.last == "\"" {
                rest = rest.dropFirst().dropLast()
            } else if rest.first == "\"" || rest.last == "\"" {
                return .failure(ThemeError(file: file, line: lineNumber, key: key, expected: "a closing quote", found: shown(rest, quoted: false)))
            }
            guard let role = StyleRole(rawValue: key) else {
                warnings.append("\(file):\(lineNumber): unknown key \"\(key)\" ignored (known: \(StyleRole.allCases.map(\.rawValue).joined(separator: " ")))")
                continue
            }
            guard let color = RGBColor(hex: String(rest)) else {
                return .failure(ThemeError(file: file, line: lineNumber, key: key, expected: "a colour like \"#1E2127\"", found: shown(rest)))
            }
            colors[role] = color
        }
        let missing = StyleRole.allCases.filter { colors[$0] == nil }
        if !missing.isEmpty && reportMissing {
            warnings.append("\(file): \(missing.count) key(s) taken from the default theme: \(missing.map(\.rawValue).joined(separator: " "))")
        }
        return .success((colors, warnings))
    }

    /// Text from the file as a message quotes it: control characters escaped (a theme file must
    /// not be able to drive the terminal through an error) and at most 60 characters.
    static func shown(_ text: some StringProtocol, quoted: Bool = true) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars.prefix(60) {
            escaped += scalar.value < 0x20 || scalar.value == 0x7F ? scalar.escaped(asASCII: true) : String(scalar)
        }
        if text.unicodeScalars.count > 60 { escaped += "…" }
        return quoted ? "\"\(escaped)\"" : escaped
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> SubSequence {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return slice
    }
}
