// swift-tools-version:6.1
import PackageDescription

/// The libFuzzer targets of swiftbeat's parsers: one executable, the target chosen by the
/// environment variable SWIFTBEAT_FUZZ_TARGET (one link instead of one per target).
///
/// A package of its own so the main build never sees it: it is only built by `scripts/fuzz`, as
/// `swift build --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing`
/// (`-enable-testing` lets the RESP and confirm targets reach internal code with `@testable
/// import`, also in release builds).
let package = Package(
    name: "swiftbeat-fuzz",
    dependencies: [.package(name: "swiftbeat", path: "..")],
    targets: [
        .target(name: "CFuzzer"),
        .executableTarget(
            name: "SwiftbeatFuzz",
            dependencies: [
                "CFuzzer",
                .product(name: "JSON", package: "swiftbeat"),
                .product(name: "YAML", package: "swiftbeat"),
                .product(name: "CivilTime", package: "swiftbeat"),
                .product(name: "Recurrence", package: "swiftbeat"),
                .product(name: "BeatCore", package: "swiftbeat"),
                .product(name: "CeleryConfig", package: "swiftbeat"),
                .product(name: "RedBeatStore", package: "swiftbeat"),
                .product(name: "RedisClient", package: "swiftbeat"),
                .product(name: "AMQPClient", package: "swiftbeat"),
            ],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
                .enableUpcomingFeature("InternalImportsByDefault"),
            ],
            // gold stops with an internal error on the instrumented objects' debug info.
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]),
    ]
)
