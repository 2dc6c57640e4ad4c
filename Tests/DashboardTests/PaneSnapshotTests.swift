import Dashboard
import Testing

/// Every pane rendered from a fixed engine snapshot at 160×48, 80×24 and a tiny size, in colour
/// (text + role map) and monochrome (text + attribute map). `RECORD_SNAPSHOTS=1` re-records.
@Suite struct PaneSnapshotTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var pane: PaneID
        var size: String
        var monochrome: Bool
        var testDescription: String { "\(pane.rawValue) \(size) \(monochrome ? "mono" : "colour")" }
    }

    static let cases: [Case] = PaneID.allCases.flatMap { pane in
        ["160x48", "80x24", "tiny"].flatMap { size in [false, true].map { Case(pane: pane, size: size, monochrome: $0) } }
    }

    static func render(_ testCase: Case) -> String {
        let (width, height) = switch testCase.size {
        case "160x48": (160, 48)
        case "80x24": (80, 24)
        default: (80, 24)
        }
        let frame = Fixtures.frame(width: width, height: height)
        var rect = frame.state.layout.rect(testCase.pane)
        if testCase.size == "tiny" { rect = Rect(x: 0, y: 0, width: 34, height: 6) }
        var canvas = Canvas(width: rect.width, height: rect.height, monochrome: testCase.monochrome)
        DashboardRenderer.draw(testCase.pane, frame: frame, in: Rect(x: 0, y: 0, width: rect.width, height: rect.height), on: &canvas)
        return SnapshotText.of(canvas)
    }

    @Test(arguments: cases)
    func pane(_ testCase: Case) {
        assertSnapshot(Self.render(testCase), named: "pane-\(testCase.pane.rawValue)-\(testCase.size)-\(testCase.monochrome ? "mono" : "colour")")
    }

    @Test(arguments: [(160, 48), (80, 24), (100, 30), (60, 20), (20, 4)], [false, true])
    func fullScreen(size: (Int, Int), monochrome: Bool) {
        var canvas = Canvas(width: 1, height: 1, monochrome: monochrome)
        DashboardRenderer.render(Fixtures.frame(width: size.0, height: size.1), into: &canvas)
        #expect(canvas.width == size.0 && canvas.height == size.1)
        assertSnapshot(SnapshotText.of(canvas), named: "screen-\(size.0)x\(size.1)-\(monochrome ? "mono" : "colour")")
    }

    @Test func asciiFallback() {
        var canvas = Canvas(width: 1, height: 1, glyphs: .ascii)
        DashboardRenderer.render(Fixtures.frame(width: 80, height: 24), into: &canvas)
        #expect(!canvas.text.unicodeScalars.contains { "─│╭╮╰╯▶…✗⊘".unicodeScalars.contains($0) })
        assertSnapshot(SnapshotText.of(canvas), named: "screen-80x24-ascii")
    }

    @Test func typingInConsole() {
        var canvas = Canvas(width: 1, height: 1)
        let keys: [DashboardKey] = [.character("/")] + "@acme hello".map { .character($0) } + [.left, .left]
        DashboardRenderer.render(Fixtures.frame(width: 100, height: 30, keys: keys), into: &canvas)
        assertSnapshot(SnapshotText.of(canvas), named: "screen-console-typing-100x30")
    }

    @Test func everyPaneTitleIsOnScreen() {
        var canvas = Canvas(width: 1, height: 1)
        for (width, height) in [(160, 48), (80, 24)] {
            DashboardRenderer.render(Fixtures.frame(width: width, height: height), into: &canvas)
            for pane in PaneID.allCases {
                #expect(canvas.text.contains("─ \(pane.title) "), "\(pane.title) missing at \(width)x\(height)")
            }
        }
    }
}

/// The text form of a canvas stored in snapshot files.
enum SnapshotText {
    static func of(_ canvas: Canvas) -> String {
        canvas.text + (canvas.monochrome ? "\n--- attributes ---\n" + canvas.attributeMap : "\n--- roles ---\n" + canvas.roleMap)
    }
}
