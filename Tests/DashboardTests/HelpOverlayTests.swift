import Dashboard
import Testing

/// The `?` overlay shows the whole keymap: in columns where the screen is wide and tall enough
/// (160×48), and on a small screen (80×24) one column that scrolls, with a hint that says so.
@Suite struct HelpOverlayTests {
    static func render(width: Int, height: Int, keys: [DashboardKey]) -> String {
        var canvas = Canvas(width: 1, height: 1)
        DashboardRenderer.render(Fixtures.frame(width: width, height: height, keys: keys), into: &canvas)
        return canvas.text
    }

    @Test func everySectionAndBindingShowsAt160x48() {
        let text = Self.render(width: 160, height: 48, keys: [.character("?")])
        for section in Keymap.standard.helpSections() {
            #expect(text.contains(section.heading), "section '\(section.heading)' missing at 160×48:\n\(text)")
            for binding in section.bindings {
                #expect(text.contains(binding.summary), "'\(binding.label) \(binding.summary)' missing or cut at 160×48:\n\(text)")
            }
        }
        #expect(!text.contains("scroll ·"), "at 160×48 the whole keymap fits, so no scroll hint:\n\(text)")
    }

    @Test func aSectionIsNeverSplitAcrossColumns() {
        let lines = Self.render(width: 160, height: 48, keys: [.character("?")]).split(separator: "\n").map(String.init)
        // Each section's bindings follow its heading, one a line, indented under it: checked on
        // the last section and the one that used to be cut (the inspector's).
        for heading in ["Request inspector", "Filter line (typing)"] {
            let section = Keymap.standard.helpSections().first { $0.heading == heading }!
            guard let row = lines.firstIndex(where: { $0.contains(heading) }) else {
                Issue.record("no '\(heading)' heading")
                continue
            }
            let column = Self.column(of: heading, in: lines[row])
            for (offset, binding) in section.bindings.enumerated() {
                let line = lines[row + 1 + offset]
                // The keys in a 12-column field, a space, then what they do.
                let entry = binding.label + String(repeating: " ", count: max(0, 12 - Canvas.displayWidth(of: binding.label))) + " " + binding.summary
                #expect(Self.column(of: entry, in: line) == column + 1, "'\(binding.label) \(binding.summary)' is not under '\(heading)' (line \(row + 1 + offset): \(line))")
            }
        }
    }

    /// The display column where `text` first starts in `line` (the panes beside hold wide characters).
    static func column(of text: String, in line: String) -> Int {
        guard let range = line.range(of: text) else { return -1 }
        return Canvas.displayWidth(of: line[..<range.lowerBound])
    }

    @Test func at80x24TheHelpScrollsThroughEveryBindingWithAHint() {
        var seen = ""
        var keys: [DashboardKey] = [.character("?")]
        let first = Self.render(width: 80, height: 24, keys: keys)
        #expect(first.contains("↑↓ PgUp PgDn scroll"), "the box says it scrolls:\n\(first)")
        #expect(first.contains("↓ more"), "and that there is more below:\n\(first)")
        #expect(first.contains("1–"), "with the lines shown:\n\(first)")
        seen += first
        for _ in 0..<6 {
            keys.append(.pageDown)
            seen += Self.render(width: 80, height: 24, keys: keys)
        }
        for section in Keymap.standard.helpSections() {
            #expect(seen.contains(section.heading), "section '\(section.heading)' never shown at 80×24")
            for binding in section.bindings {
                #expect(seen.contains(binding.summary), "'\(binding.label) \(binding.summary)' never shown whole at 80×24")
            }
        }
        let last = Self.render(width: 80, height: 24, keys: keys)
        #expect(!last.contains("↓ more"), "scrolled to the end, nothing more below:\n\(last)")
        // Scrolling stops at the end and comes back up.
        let back = Self.render(width: 80, height: 24, keys: keys + Array(repeating: .pageUp, count: 8))
        #expect(back == first, "paging back up returns to the top")
    }

    @Test func theFooterOffersTheScrollKeysOnlyWhereTheHelpScrolls() {
        let large = Fixtures.state(width: 160, height: 48, focus: [.character("?")]).footerBindings.map(\.command)
        #expect(large == [.toggleHelp])
        let small = Fixtures.state(width: 80, height: 24, focus: [.character("?")]).footerBindings.map(\.command)
        #expect(small.contains(.helpScrollUp) && small.contains(.helpPageUp), "\(small)")
    }

    @Test func reopeningTheHelpStartsAtTheTop() {
        let first = Self.render(width: 80, height: 24, keys: [.character("?")])
        let reopened = Self.render(width: 80, height: 24, keys: [.character("?"), .pageDown, .down, .escape, .character("?")])
        #expect(reopened == first)
    }

    @Test func snapshots() {
        var canvas = Canvas(width: 1, height: 1)
        DashboardRenderer.render(Fixtures.frame(width: 160, height: 48, keys: [.character("?")]), into: &canvas)
        assertSnapshot(SnapshotText.of(canvas), named: "screen-help-160x48")
        DashboardRenderer.render(Fixtures.frame(width: 80, height: 24, keys: [.character("?")]), into: &canvas)
        assertSnapshot(SnapshotText.of(canvas), named: "screen-help-80x24")
        DashboardRenderer.render(Fixtures.frame(width: 80, height: 24, keys: [.character("?"), .pageDown, .pageDown]), into: &canvas)
        assertSnapshot(SnapshotText.of(canvas), named: "screen-help-80x24-paged")
    }
}
