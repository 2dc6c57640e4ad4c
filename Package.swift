// swift-tools-version:6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// The minilm embedder's matrix kernels are optimised even in debug builds (unoptimised SIMD code is
// about a hundred times slower), and on x86-64 need AVX2 and FMA to vectorise well: Linux's Swift
// targets baseline x86-64 (SSE2, no FMA) otherwise. Haswell-class CPUs (2013 on) and every AMD Zen
// have both; AVX-512 is not required.
#if arch(x86_64)
let kernelSettings: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", "haswell"])]
#else
let kernelSettings: [SwiftSetting] = [.unsafeFlags(["-O"])]
#endif

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
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.25.0"),
        // Already in the graph through Hummingbird; named for the HTTP part types the gateway's
        // connection-drain handler reads.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
    ],
    targets: [
        .target(
            name: "ServingEngine",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Yams", package: "Yams"),
                "EmbeddingKernels",
                "CVectorKernels",
            ],
            resources: [.copy("Resources/default-router.json"), .copy("Resources/cache-verifier-minilm.json")],
            swiftSettings: strictSettings
        ),
        .target(name: "EmbeddingKernels", dependencies: ["CEmbeddingKernels"], swiftSettings: strictSettings + kernelSettings),
        // The AVX512_BF16 matrix product, in C: Swift cannot emit these instructions for one
        // function only, and the rest of the program must run on CPUs without them. Optimised in
        // every configuration for the same reason as EmbeddingKernels.
        .target(name: "CEmbeddingKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // The cache index's dot products in C, with AVX2 / AVX-512 VNNI chosen at run time
        // (function-level target attributes), optimised in every configuration likewise.
        .target(name: "CVectorKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(
            name: "Gateway",
            dependencies: [
                "ServingEngine",
                "Measuring",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SharedState",
            dependencies: [
                "ServingEngine",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .systemLibrary(name: "CNCurses", path: "Sources/CNCurses"),
        // Percentiles, thread CPU time and resident memory: one definition for every figure the
        // console, the benchmarks and the drill print.
        .target(name: "Measuring", swiftSettings: strictSettings),
        .target(
            name: "Dashboard",
            dependencies: ["ServingEngine", "CNCurses"],
            swiftSettings: strictSettings
        ),
        // Not the product: what measures it, drills it and trains it, each in a target of its own,
        // and the test doubles they and the tests share.
        .target(
            name: "TestSupport",
            dependencies: [
                "ServingEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "Evaluation", dependencies: ["ServingEngine"], swiftSettings: strictSettings),
        .target(
            name: "Benchmarks",
            dependencies: [
                "ServingEngine", "Gateway", "Dashboard", "SharedState", "TestSupport", "Measuring", "CVectorKernels", "CNCurses",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Drills",
            dependencies: [
                "ServingEngine", "Gateway", "TestSupport", "Measuring",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "ServingEngine",
                "Gateway",
                "Dashboard",
                "SharedState",
                "Benchmarks",
                "Drills",
                "Evaluation",
                "Measuring",
                "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "ServingEngineTests", dependencies: ["ServingEngine", "EmbeddingKernels", "CVectorKernels", "TestSupport"], exclude: ["Fixtures"], swiftSettings: strictSettings),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway",
                "TestSupport",
                "ServingEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SharedStateTests",
            dependencies: [
                "SharedState",
                "ServingEngine",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "TestSupport"], exclude: ["__Snapshots__"], swiftSettings: strictSettings),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "ServingEngine"], swiftSettings: strictSettings),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "ServingEngine"], swiftSettings: strictSettings),
        .testTarget(
            name: "DrillsTests",
            dependencies: [
                "Drills", "Gateway", "ServingEngine", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchboardEndToEndTests",
            dependencies: ["ServingEngine"],
            // The Python clients these tests run are read from the source tree, not built.
            exclude: ["python"],
            swiftSettings: strictSettings
        ),
    ]
)
