// swift-tools-version:6.1
import PackageDescription

// The publish path of swiftbeat alone (Broker.publish, as `run` calls it when the broker is not the
// schedule's own Redis server, and always on RabbitMQ), for scripts/bench's raw-publishing figures.
// A package of its own so that the product's manifest carries nothing of the benchmark.
let package = Package(
    name: "PublishBench",
    dependencies: [.package(name: "swiftbeat", path: "../..")],
    targets: [
        .executableTarget(
            name: "PublishBench",
            dependencies: [
                .product(name: "Broker", package: "swiftbeat"),
                .product(name: "CeleryMessage", package: "swiftbeat"),
            ])
    ]
)
