extension Canvas {
    /// The characters of the canvas, one line per row, trailing spaces kept.
    package var text: String {
        var lines: [String] = []
        lines.reserveCapacity(height)
        for y in 0..<height {
            var line = String.UnicodeScalarView()
            for x in 0..<width {
                let scalar = self[x, y].scalar
                if scalar != Cell.continuation { line.append(scalar) }
            }
            lines.append(String(line))
        }
        return lines.joined(separator: "\n")
    }

    /// One letter per cell naming its foreground role (see ``StyleRole``), with the selected
    /// background shown as `S` where the text is a space.
    package var roleMap: String {
        var lines: [String] = []
        for y in 0..<height {
            var line = ""
            for x in 0..<width {
                let style = self[x, y].style
                line.append(style.background == .selectedBackground && self[x, y].scalar == " " ? "S" : style.foreground.snapshotCode)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// One letter per cell naming its strongest attribute (`R`everse, `B`old, `U`nderline, `d`im).
    package var attributeMap: String {
        var lines: [String] = []
        for y in 0..<height {
            var line = ""
            for x in 0..<width { line.append(self[x, y].style.attributes.snapshotCode) }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
