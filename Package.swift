// swift-tools-version:6.1
import PackageDescription

#if canImport(Glibc)
import Glibc
#endif

/// Every Swift target is compiled in the Swift 6 language mode with strict concurrency,
/// and with the upcoming features that keep dependencies and existentials explicit.
let strictness: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

/// How the beat is linked on Linux in release builds, for its resident memory (BENCHMARKS.md, "Memory"):
/// - lld, with RELR relocations (`-z pack-relative-relocs`) where the build machine's glibc reads them
///   (2.36 and later; `buildMachineReadsRELR`): the position-independent binary's 40,000 relative
///   relocations take 8 KB instead of the 945 KB of `.rela.dyn` that ld.so reads, and so keeps
///   resident, at every start. An older glibc would ignore them and the binary would crash at start.
/// - libstdc++ from its static archive, through the linker script `Linking/libstdc++.so` (the
///   `-lstdc++` of `--static-swift-stdlib` comes before any flag a package can add, so only the
///   library path can redirect it).
/// - The functions a running beat executes first and together (`Linking/hot-functions.txt`, written
///   by `scripts/hot-functions`): the kernel maps 64 KB around each page of code touched, and spread
///   over 10 MB of code they kept almost all of it resident. Names the list has and the binary does
///   not are skipped silently: a stale list costs memory, never correctness.
/// - No dynamic symbol table of the beat's own functions: `--static-swift-stdlib` exports them
///   (`-export-dynamic`, for Swift libraries a program would load at run time; the beat loads none),
///   and ld.so's lookups kept the 280 KB of names resident.
let residentMemoryLinking: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld", "-L", Context.packageDirectory + "/Linking",
            "-Xlinker", "--symbol-ordering-file=" + Context.packageDirectory + "/Linking/hot-functions.txt",
            "-Xlinker", "--no-warn-symbol-ordering", "-Xlinker", "--no-export-dynamic",
        ] + (buildMachineReadsRELR ? ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] : []),
        .when(platforms: [.linux], configuration: .release))
]

/// True when this machine's glibc is 2.36 or later. The beat is built where it runs (or on the same
/// distribution), so the build machine's loader stands for the one that will load it.
var buildMachineReadsRELR: Bool {
    #if canImport(Glibc)
    var buffer = [UInt8](repeating: 0, count: 64)
    let length = buffer.withUnsafeMutableBufferPointer { bytes in
        bytes.withMemoryRebound(to: CChar.self) { confstr(Int32(_CS_GNU_LIBC_VERSION), $0.baseAddress, $0.count) }
    }
    guard length > 1, length <= buffer.count else { return false }
    // "glibc 2.36"
    let text = String(decoding: buffer[..<(length - 1)], as: UTF8.self)
    let parts = text.split(separator: " ").last?.split(separator: ".").compactMap { Int($0) } ?? []
    guard parts.count >= 2 else { return false }
    return (parts[0], parts[1]) >= (2, 36)
    #else
    return false
    #endif
}

let package = Package(
    name: "swiftbeat",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "swiftbeat", targets: ["swiftbeat"]),
        .library(name: "CeleryMessage", targets: ["CeleryMessage"]),
        .library(name: "Broker", targets: ["Broker"]),
        .library(name: "RedisClient", targets: ["RedisClient"]),
        .library(name: "AMQPClient", targets: ["AMQPClient"]),
        .library(name: "BeatCore", targets: ["BeatCore"]),
        // The parsers the fuzz package (Fuzz/Package.swift) drives; products change no build flag.
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "YAML", targets: ["YAML"]),
        .library(name: "CivilTime", targets: ["CivilTime"]),
        .library(name: "Recurrence", targets: ["Recurrence"]),
        .library(name: "CeleryConfig", targets: ["CeleryConfig"]),
        .library(name: "ScheduleStore", targets: ["ScheduleStore"]),
        .library(name: "RedBeatStore", targets: ["RedBeatStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Test-only: generators and shrinking for the property tests (the differential tests).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // C libraries, from Debian's libhiredis-dev and librabbitmq-dev. librabbitmq is not linked:
        // CRabbitMQ opens it at the first AMQP connection (see its header for why).
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        // DWARF 4: clang writes DWARF 5 by default, which Debian 12's valgrind cannot read, and one
        // such unit stops callgrind (`scripts/bench profile`) from reading the whole binary.
        .target(name: "CRabbitMQ", cSettings: [.unsafeFlags(["-gdwarf-4"])]),
        // libmicrohttpd, from Debian's libmicrohttpd-dev, opened with dlopen at `run --http` (see its header).
        .target(name: "CMicroHTTPD", cSettings: [.unsafeFlags(["-gdwarf-4"])]),
        // TLS for Redis over Debian's libssl-dev (headers only): libssl is opened at the first
        // rediss:// connection, as librabbitmq is at the first AMQP one (see its header for why).
        .target(name: "CRedisTLS", cSettings: [.unsafeFlags(["-gdwarf-4"])]),

        // Pure building blocks, no Foundation: the beat must stay small (see README, "Performance").
        .target(name: "JSON", swiftSettings: strictness),
        .target(name: "CivilTime", swiftSettings: strictness),
        // Sun events (Celery's `solar`): Meeus's solar theory and ephem's search, pure arithmetic.
        .target(name: "SolarEvents", swiftSettings: strictness),
        // RFC 5545 recurrence rules (RedBeat's `rrule`), evaluated as python-dateutil does.
        .target(name: "Recurrence", dependencies: ["CivilTime"], swiftSettings: strictness),
        // The YAML subset schedule and config files are written in (Yams would bring Foundation).
        .target(name: "YAML", dependencies: ["JSON"], swiftSettings: strictness),


        // Thin owners of the C handles.
        .target(name: "RedisClient", dependencies: ["CHiredis", "CRedisTLS"], swiftSettings: strictness),
        .target(name: "AMQPClient", dependencies: ["CRabbitMQ"], swiftSettings: strictness),

        // Celery's protocol v2 and the brokers that carry it.
        .target(name: "CeleryMessage", dependencies: ["JSON", "CivilTime"], swiftSettings: strictness),
        // Celery's task routing (task_routes, task_queues, the task_default_* settings), pure.
        .target(name: "CeleryRouting", dependencies: ["CeleryMessage", "JSON"], swiftSettings: strictness),
        // A Celery config file (either of Celery's name styles) and the environment, as settings.
        .target(name: "CeleryConfig", dependencies: ["CeleryRouting", "JSON", "YAML"], swiftSettings: strictness),
        .target(
            name: "Broker",
            dependencies: ["CeleryMessage", "JSON", "CivilTime", "RedisClient", "AMQPClient", logging],
            swiftSettings: strictness),

        // The scheduler: a pure core and the runner that drives it against Redis.
        .target(name: "BeatCore", dependencies: ["JSON", "CivilTime", "YAML", "CeleryRouting", "SolarEvents", "Recurrence"], swiftSettings: strictness),
        // Entry writes shared by the commands and the runner: compare-and-set, SET NX, announcements.
        .target(name: "ScheduleStore", dependencies: ["BeatCore", "RedisClient", "JSON"], swiftSettings: strictness),
        // celery-redbeat's keys, hashes, datetimes and scores: the second store `run` works with.
        .target(
            name: "RedBeatStore", dependencies: ["BeatCore", "ScheduleStore", "RedisClient", "JSON", "CivilTime"],
            swiftSettings: strictness),
        .target(
            name: "BeatRunner",
            dependencies: [
                "BeatCore", "ScheduleStore", "RedBeatStore", "Broker", "CeleryMessage", "CeleryRouting", "RedisClient", "JSON", "CivilTime", logging,
            ],
            swiftSettings: strictness),

        // `run --http`: metrics, health, readiness and the status page, on the server's own thread.
        .target(name: "BeatHTTP", dependencies: ["CMicroHTTPD", "BeatRunner", "CivilTime"], swiftSettings: strictness),
        // systemd's notification protocol (`Type=notify`, the watchdog), a datagram on a unix socket.
        .target(name: "SystemdNotify", swiftSettings: strictness),

        .executableTarget(
            name: "swiftbeat",
            dependencies: [
                "BeatHTTP", "SystemdNotify", "BeatRunner", "BeatCore", "ScheduleStore", "RedBeatStore", "Broker", "CeleryMessage", "RedisClient",
                "AMQPClient", "JSON", "CivilTime", "YAML", "CeleryConfig", "CeleryRouting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), logging,
            ],
            swiftSettings: strictness, linkerSettings: residentMemoryLinking),

        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: strictness),
        .testTarget(
            name: "YAMLTests", dependencies: ["YAML", "JSON", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strictness),
        .testTarget(name: "CeleryRoutingTests", dependencies: ["CeleryRouting", "JSON"], swiftSettings: strictness),
        .testTarget(name: "CeleryConfigTests", dependencies: ["CeleryConfig", "CeleryRouting", "JSON"], swiftSettings: strictness),
        .testTarget(name: "RecurrenceTests", dependencies: ["Recurrence", "CivilTime", "JSON", "TestSupport"], swiftSettings: strictness),
        .testTarget(name: "CivilTimeTests", dependencies: ["CivilTime", "TestSupport"], swiftSettings: strictness),
        .testTarget(
            name: "RedisClientTests", dependencies: ["RedisClient", "CRedisTLS", "TestSupport"], swiftSettings: strictness),
        .testTarget(name: "AMQPClientTests", dependencies: ["AMQPClient", "TestSupport"], swiftSettings: strictness),
        .testTarget(
            name: "CeleryMessageTests", dependencies: ["CeleryMessage", "JSON", "TestSupport"],
            swiftSettings: strictness),
        .testTarget(
            name: "BrokerTests", dependencies: ["Broker", "CeleryMessage", "RedisClient", "AMQPClient", "TestSupport"],
            swiftSettings: strictness),
        .testTarget(
            name: "BeatCoreTests", dependencies: ["BeatCore", "JSON", "CivilTime", "YAML", "SolarEvents", "Recurrence", "TestSupport"],
            swiftSettings: strictness),
        .testTarget(
            name: "BeatRunnerTests",
            dependencies: ["BeatRunner", "BeatCore", "CeleryMessage", "CeleryRouting", "JSON", "CivilTime", "RedisClient", "TestSupport"],
            swiftSettings: strictness),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "RedisClient", "JSON", "TestSupport", "BeatCore", "ScheduleStore", "RedBeatStore", "CivilTime", "CeleryConfig", "CeleryRouting",
                "Recurrence", "YAML", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictness),
        .testTarget(name: "swiftbeatTests", dependencies: ["swiftbeat", "JSON", "CivilTime", logging], swiftSettings: strictness),
        .testTarget(name: "BeatHTTPTests", dependencies: ["BeatHTTP", "BeatRunner", "CivilTime"], swiftSettings: strictness),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "RedisClient", "JSON"], swiftSettings: strictness),

        // Test-only: starting real servers, Python workers and the swiftbeat binary.
        .target(
            name: "TestSupport", dependencies: ["CeleryMessage", "JSON", "CivilTime"], path: "Tests/TestSupport",
            swiftSettings: strictness),
    ]
)
