// swift-tools-version:6.0
// A program in a package of its own that embeds Switchboard's engine through the `ServingEngine`
// library product, by path: what the product is for, and proof that its public API suffices
// (`scripts/test` builds and runs it). The kernels' unsafe flags allow path, branch and revision
// dependencies, not version ones.
import PackageDescription

let package = Package(
    name: "EmbeddedEngine",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "switchboard", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "EmbeddedEngine",
            dependencies: [.product(name: "ServingEngine", package: "switchboard")],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ]
)
