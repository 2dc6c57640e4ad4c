/// A top-level section of the configuration file that another module reads itself (`gateway:`
/// for the Gateway, `shared_state:` for SharedState), kept by ``ConfigurationLoader`` as it was
/// read so that the module's errors carry the same file, line and key as the engine's.
///
/// ```swift
/// if var section = configuration.section("gateway") {
///     let listen = try section.string("listen", default: "127.0.0.1:8080")
///     try section.finish(known: ["listen"])
/// }
/// ```
package struct ConfigurationSection: @unchecked Sendable {
    // @unchecked: Yams' `Node` does not declare Sendable, but a composed document is an
    // immutable value tree; the reader is copied out before anything is read from it.
    private let reader: YAMLReader

    /// Keeps `reader`, a mapping not yet read.
    init(_ reader: YAMLReader) {
        self.reader = reader
    }

    /// A fresh reader of the section, for its module to read and finish.
    package var yaml: YAMLReader { reader }
}
