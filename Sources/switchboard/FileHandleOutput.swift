import Foundation

/// Writes lines to the standard streams without buffering surprises.
enum FileHandleOutput {
    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
