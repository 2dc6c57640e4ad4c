import Dashboard
import Foundation
import Testing

/// Theme parsing, errors with file/line/key, fallback, and colour degradation.
@Suite struct ThemeTests {
    @Test func builtInThemesParseCompletelyAndMatchTheFiles() throws {
        let catalog = ThemeCatalog(directories: [])
        for name in ["default", "light", "high-contrast", "monochrome"] {
            let loaded = catalog.load(name)
            #expect(loaded.error == nil && loaded.warnings.isEmpty, "\(name): \(loaded.warnings)")
            #expect(loaded.theme.name == name)
            #expect(loaded.theme.colors.count == StyleRole.allCases.count)
            // The embedded copy and the file in themes/ agree.
            let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../themes/\(name).theme").standardizedFileURL
            let fromFile = try #require(try? String(contentsOf: file, encoding: .utf8))
            guard case .success(let parsed) = Theme.parse(fromFile, file: file.path, name: name) else {
                Issue.record("themes/\(name).theme does not parse")
                continue
            }
            #expect(parsed.theme.colors == loaded.theme.colors, "themes/\(name).theme differs from the built-in copy")
        }
        #expect(catalog.load("monochrome").theme.isMonochrome)
        #expect(!catalog.load("default").theme.isMonochrome)
    }

    @Test func parsesCommentsQuotesAndShortHex() throws {
        let text = """
            # comment
              theme[main_bg]="#123"

            theme[hi_fg] = #ABCDEF
            """
        let parsed = try Theme.parse(text, file: "t.theme", name: "t").get()
        #expect(parsed.theme.color(.mainBackground) == RGBColor(red: 0x11, green: 0x22, blue: 0x33))
        #expect(parsed.theme.color(.highlightForeground) == RGBColor(red: 0xAB, green: 0xCD, blue: 0xEF))
        // Missing keys come from the default theme, with one warning naming them.
        #expect(parsed.theme.color(.healthDown) == Theme.default.color(.healthDown))
        #expect(parsed.warnings.count == 1 && parsed.warnings[0].contains("health_down"))
    }

    @Test func unknownKeysWarnWithLine() throws {
        let parsed = try Theme.parse("theme[main_bg]=\"#000000\"\ntheme[cpu_box]=\"#FFFFFF\"", file: "x.theme", name: "x").get()
        #expect(parsed.warnings.contains { $0.contains("x.theme:2") && $0.contains("cpu_box") })
    }

    @Test(arguments: [
        ("theme[main_bg]=\"#12345G\"", 1, "main_bg", "a colour like"),
        ("\n\ntheme[hi_fg]=\"blue\"", 3, "hi_fg", "a colour like"),
        ("theme[main_fg] \"#FFFFFF\"", 1, "main_fg", "\"=\""),
        ("theme[border]=\"#FFFFFF", 1, "border", "a closing quote"),
    ])
    func malformedLinesNameFileLineAndKey(text: String, line: Int, key: String, expected: String) {
        guard case .failure(let error) = Theme.parse(text, file: "themes/bad.theme", name: "bad") else {
            Issue.record("should fail")
            return
        }
        #expect(error.file == "themes/bad.theme" && error.line == line && error.key == key)
        #expect(error.expected.contains(expected))
        #expect(error.description.hasPrefix("themes/bad.theme:\(line): key \"\(key)\": expected"))
    }

    @Test func lineWithoutKeyIsAnError() {
        guard case .failure(let error) = Theme.parse("color = red", file: "f.theme", name: "f") else {
            Issue.record("should fail")
            return
        }
        #expect(error.line == 1 && error.key == nil)
    }

    @Test func catalogFallsBackToDefaultOnMalformedOrMissingFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "theme[main_bg]=\"#000000\"\ntheme[main_fg]=\"oops\"\n".write(to: directory.appendingPathComponent("broken.theme"), atomically: true, encoding: .utf8)
        try "theme[main_bg]=\"#102030\"\n".write(to: directory.appendingPathComponent("ocean.theme"), atomically: true, encoding: .utf8)
        let catalog = ThemeCatalog(directories: [directory.path])
        #expect(catalog.names() == ["default", "light", "high-contrast", "monochrome", "broken", "ocean"])
        let broken = catalog.load("broken")
        #expect(broken.theme == Theme.default)
        #expect(broken.error?.line == 2 && broken.error?.key == "main_fg" && broken.error?.file.hasSuffix("broken.theme") == true)
        let ocean = catalog.load("ocean")
        #expect(ocean.error == nil && ocean.theme.color(.mainBackground) == RGBColor(red: 0x10, green: 0x20, blue: 0x30))
        let byPath = catalog.load(directory.appendingPathComponent("ocean.theme").path)
        #expect(byPath.error == nil && byPath.theme.name == "ocean")
        #expect(catalog.load("/no/such/dir/x.theme").error?.file == "/no/such/dir/x.theme")
        let missing = catalog.load("nope")
        #expect(missing.theme == Theme.default && missing.error != nil)
        #expect(missing.error!.description.contains("ocean"), "the error lists the themes that exist")
    }

    @Test func standardCatalogSearchesCurrentDirectoryAndExecutableParents() {
        let catalog = ThemeCatalog.standard(currentDirectory: "/work/x", executablePath: "/repo/.build/debug/switchboard")
        #expect(catalog.directories.first == "/work/x/themes")
        #expect(catalog.directories.contains("/repo/themes"))
    }

    @Test func degradesTo256CubeAndGreyRamp() {
        #expect(TerminalColor.palette256Index(for: RGBColor(red: 255, green: 0, blue: 0)) == 196)
        #expect(TerminalColor.palette256Index(for: RGBColor(red: 0, green: 0, blue: 0)) == 16)
        #expect(TerminalColor.palette256Index(for: RGBColor(red: 255, green: 255, blue: 255)) == 231)
        #expect(TerminalColor.palette256Index(for: RGBColor(red: 0x87, green: 0xAF, blue: 0xFF)) == 111)
        // Greys go to the ramp, which is finer than the cube's diagonal.
        #expect(TerminalColor.palette256Index(for: RGBColor(red: 0x3A, green: 0x3A, blue: 0x3A)) == 237)
        #expect(TerminalColor.palette256Index(for: RGBColor(red: 0x1E, green: 0x21, blue: 0x27)) == 235)
        #expect(TerminalColor.map(RGBColor(red: 1, green: 2, blue: 3), to: .trueColor) == .rgb(RGBColor(red: 1, green: 2, blue: 3)))
        #expect(TerminalColor.map(RGBColor(red: 1, green: 2, blue: 3), to: .none) == TerminalColor.none)
    }

    @Test func degradesTo8Colours() {
        #expect(TerminalColor.ansi8Index(for: RGBColor(red: 0xBF, green: 0x61, blue: 0x6A)) == 1)  // red
        #expect(TerminalColor.ansi8Index(for: RGBColor(red: 0xA3, green: 0xBE, blue: 0x8C)) == 2)  // green
        #expect(TerminalColor.ansi8Index(for: RGBColor(red: 0xEB, green: 0xCB, blue: 0x8B)) == 3)  // yellow
        #expect(TerminalColor.ansi8Index(for: RGBColor(red: 0x1E, green: 0x21, blue: 0x27)) == 0)  // dark bg stays black
        #expect(TerminalColor.ansi8Index(for: RGBColor(red: 0xFA, green: 0xFA, blue: 0xFA)) == 7)  // light bg stays white
        #expect(TerminalColor.ansi8Index(for: RGBColor(red: 0x88, green: 0xC0, blue: 0xD0)) == 6)  // cyan
        #expect(TerminalColor.ansi8Index(for: RGBColor(red: 0x81, green: 0xA1, blue: 0xC1)) == 4)  // blue
        #expect(TerminalColor.ansi8Index(for: RGBColor(red: 0x7B, green: 0x83, blue: 0x94)) == 7)  // grey text stays light
        #expect(TerminalColor.ansi8Index(for: RGBColor(red: 0xC6, green: 0x28, blue: 0x28)) == 1)
    }

    @Test func depthDetectionHonoursNoColor() {
        #expect(ColorDepth.detect(colors: 256, environment: [:]) == .palette256)
        #expect(ColorDepth.detect(colors: 8, environment: [:]) == .ansi8)
        #expect(ColorDepth.detect(colors: 0, environment: [:]) == .none)
        #expect(ColorDepth.detect(colors: 16_777_216, environment: [:]) == .trueColor)
        #expect(ColorDepth.detect(colors: 256, environment: ["NO_COLOR": "1"]) == .none)
        #expect(ColorDepth.detect(colors: 256, environment: ["NO_COLOR": ""]) == .palette256, "an empty NO_COLOR does not count (no-color.org)")
    }

    @Test func hexRoundTrip() {
        #expect(RGBColor(hex: "#1e2127")?.description == "#1E2127")
        #expect(RGBColor(hex: "1E2127") == nil)
        #expect(RGBColor(hex: "#12") == nil)
    }
}
