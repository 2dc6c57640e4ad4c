import Dashboard
import Foundation
import Testing

/// The canvas: clipping, ellipsis, wide characters, boxes.
@Suite struct CanvasTests {
    @Test func putClipsWithEllipsisAndKeepsInsideBounds() {
        var canvas = Canvas(width: 10, height: 2)
        let end = canvas.put("hello world", at: 2, 0, limit: 6)
        #expect(end == 8)
        #expect(canvas.text.split(separator: "\n")[0] == "  hello…  ")
        canvas.put("exactly", at: 0, 1, limit: 7)
        #expect(canvas.text.hasSuffix("exactly   "))
        canvas.put("off-screen", at: -3, 5)
        canvas.put("negative", at: -3, 1)
        #expect(canvas.text.split(separator: "\n")[1].hasPrefix("ative"))
    }

    @Test func wideCharactersTakeTwoCells() {
        var canvas = Canvas(width: 6, height: 1)
        let end = canvas.put("日本x", at: 0, 0)
        #expect(end == 5)
        #expect(canvas.text == "日本x ")
        #expect(canvas[1, 0].scalar == Cell.continuation)
        #expect(Canvas.displayWidth(of: "e\u{301}") == 1)
    }

    @Test func controlCharactersBecomeSpaces() {
        var canvas = Canvas(width: 4, height: 1)
        canvas.put("a\tb\u{1B}", at: 0, 0)
        #expect(canvas.text == "a b ")
    }

    @Test func monochromeAddsAttributesForColourOnlyRoles() {
        var canvas = Canvas(width: 4, height: 1, monochrome: true)
        canvas.put("x", at: 0, 0, style: CellStyle(.healthDown))
        canvas.put("y", at: 1, 0, style: CellStyle(background: .selectedBackground))
        canvas.put("z", at: 2, 0, style: CellStyle(.routeFallback))
        #expect(canvas.attributeMap == "BRU ")
        var colour = Canvas(width: 4, height: 1)
        colour.put("x", at: 0, 0, style: CellStyle(.healthDown))
        #expect(colour.attributeMap == "    ")
    }

    @Test func boxDrawsTitleAndBadge() {
        var canvas = Canvas(width: 24, height: 3)
        canvas.box(canvas.bounds, title: "Routes", focused: true, badge: "new")
        let top = "╭─ Routes " + String(repeating: "─", count: 7) + " new ─╮"
        let middle = "│" + String(repeating: " ", count: 22) + "│"
        let bottom = "╰" + String(repeating: "─", count: 22) + "╯"
        #expect(canvas.text == [top, middle, bottom].joined(separator: "\n"))
        #expect(canvas.roleMap.hasPrefix("BBBBBBBBBB"))
        var narrow = Canvas(width: 6, height: 2, glyphs: .ascii)
        narrow.box(narrow.bounds, title: "Providers", focused: false)
        #expect(narrow.text == "+----+\n+----+")
    }
}

/// Without a UTF-8 locale every character drawn is ASCII.
@Suite struct AsciiCanvasTests {
    @Test func nonASCIIBecomesLookAlikes() {
        var canvas = Canvas(width: 12, height: 1, glyphs: .ascii)
        canvas.put("a·b≈c→d✗日µ", at: 0, 0)
        #expect(canvas.text == "a.b~c>dx?u  ")
    }
}
