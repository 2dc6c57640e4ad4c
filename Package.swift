// swift-tools-version:6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .library(name: "ServingEngine", targets: ["ServingEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .target(
            name: "ServingEngine",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Gateway",
            dependencies: ["ServingEngine"],
            swiftSettings: strictSettings
        ),
        .systemLibrary(name: "CNCurses", path: "Sources/CNCurses"),
        .target(
            name: "Dashboard",
            dependencies: ["ServingEngine", "CNCurses"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "ServingEngine",
                "Gateway",
                "Dashboard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "ServingEngineTests", dependencies: ["ServingEngine"], swiftSettings: strictSettings),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway"], swiftSettings: strictSettings),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard"], swiftSettings: strictSettings),
        .testTarget(
            name: "SwitchboardEndToEndTests",
            dependencies: ["ServingEngine"],
            swiftSettings: strictSettings
        ),
    ]
)
