import Foundation

/// Finds and loads themes: the built-in ones, and `.theme` files in `themes/` folders.
///
/// Folders searched, first match wins: `themes/` in the current directory, then a `themes/`
/// folder in the executable's directory or any of its parents (the package root when run from
/// `.build`). A file with a built-in theme's name replaces the built-in one.
package struct ThemeCatalog: Sendable {
    /// The folders searched, in order.
    package var directories: [String]

    /// Creates a catalog searching `directories`.
    package init(directories: [String]) {
        self.directories = directories
    }

    /// A catalog searching the standard places for the current process.
    package static func standard(currentDirectory: String? = nil, executablePath: String? = nil) -> ThemeCatalog {
        let currentDirectory = currentDirectory ?? FileManager.default.currentDirectoryPath
        let executablePath = executablePath ?? CommandLine.arguments.first ?? ""
        var directories = [URL(fileURLWithPath: currentDirectory).appendingPathComponent("themes").path]
        var folder = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("themes").path
            if !directories.contains(candidate) { directories.append(candidate) }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        return ThemeCatalog(directories: directories)
    }

    /// Every theme name available: built-ins first, then other files, alphabetically.
    package func names() -> [String] {
        var names = BuiltInThemes.names
        var extra: Set<String> = []
        for directory in directories {
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for file in files where file.hasSuffix(".theme") {
                let name = String(file.dropLast(6))
                if !names.contains(name) { extra.insert(name) }
            }
        }
        names.append(contentsOf: extra.sorted())
        return names
    }

    /// The outcome of loading a theme: the theme to use, and anything to tell the operator.
    package struct Loaded: Sendable {
        /// The theme to draw with (the default when the requested one could not be used).
        package var theme: Theme
        /// Non-fatal problems: unknown or missing keys.
        package var warnings: [String]
        /// Why the requested theme was not used, if it was not.
        package var error: ThemeError?
    }

    /// Loads theme `name` from the first folder that has it, else the built-in one; falls back
    /// to the default theme, with the error, when it is malformed or missing.
    ///
    /// A `name` containing `/` or ending in `.theme` is read as a path.
    package func load(_ name: String) -> Loaded {
        if name.contains("/") || name.hasSuffix(".theme") {
            let url = URL(fileURLWithPath: name)
            let themeName = url.deletingPathExtension().lastPathComponent
            guard let data = FileManager.default.contents(atPath: url.path) else {
                return Loaded(theme: .default, warnings: [], error: ThemeError(file: name, line: nil, key: nil, expected: "a readable UTF-8 theme file", found: "nothing at that path"))
            }
            guard let text = String(data: data, encoding: .utf8) else {
                return Loaded(theme: .default, warnings: [], error: ThemeError(file: name, line: nil, key: nil, expected: "a UTF-8 theme file", found: "bytes that are not valid UTF-8"))
            }
            return Self.loaded(Theme.parse(text, file: name, name: themeName))
        }
        for directory in directories {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name + ".theme").path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                return Loaded(theme: .default, warnings: [], error: ThemeError(file: path, line: nil, key: nil, expected: "a readable UTF-8 file", found: nil))
            }
            return Self.loaded(Theme.parse(text, file: Self.displayPath(path), name: name))
        }
        if let text = BuiltInThemes.source(named: name) {
            return Self.loaded(Theme.parse(text, file: "built-in:\(name)", name: name))
        }
        let known = names().joined(separator: ", ")
        return Loaded(theme: .default, warnings: [], error: ThemeError(file: name + ".theme", line: nil, key: nil, expected: "a theme named one of: \(known)", found: "no such file in \(directories.first ?? "themes/")"))
    }

    private static func loaded(_ result: Result<Theme.Parsed, ThemeError>) -> Loaded {
        switch result {
        case .success(let parsed): Loaded(theme: parsed.theme, warnings: parsed.warnings, error: nil)
        case .failure(let error): Loaded(theme: .default, warnings: [], error: error)
        }
    }

    private static func displayPath(_ path: String) -> String {
        let current = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(current) ? String(path.dropFirst(current.count)) : path
    }
}
