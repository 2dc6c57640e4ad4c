import ServingEngine
/// A small RFC 4180 CSV reader: quoted fields may hold commas, doubled quotes and line breaks.
enum CSVReader {
    struct ParseError: Error, Hashable {
        var line: Int
        var message: String
    }

    /// The rows of `text`, each a list of fields, with the line each row starts on.
    static func rows(_ text: String) throws(ParseError) -> [(line: Int, fields: [String])] {
        var rows: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var rowStart = 1
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending { pending = nil; return scalar }
            return scalars.next()
        }
        while let scalar = next() {
            if inQuotes {
                if scalar == "\"" {
                    let following = next()
                    if following == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                        pending = following
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                inQuotes = true
            case ",":
                fields.append(field)
                field = ""
            case "\r":
                break
            case "\n":
                fields.append(field)
                rows.append((rowStart, fields))
                fields = []
                field = ""
                line += 1
                rowStart = line
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw ParseError(line: rowStart, message: "a quoted field that starts here is never closed") }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            rows.append((rowStart, fields))
        }
        return rows
    }
}
