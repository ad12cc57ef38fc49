import AMQPClient
import Glibc
import Testing
import TestSupport

/// Publish throughput, compared with scripts/lib/rabbitmq-publish-baseline.c (same broker, 700-byte
/// persistent messages to a durable queue, confirms collected per batch of 1,000). It prints the rate
/// and asserts only that every message arrived (timing assertions would be flaky on a shared
/// machine). In the normal suite it runs 3 batches; for a measurement, 20 in a release build:
///
///     set -a; eval "$(scripts/rabbitmq env)"; set +a
///     SWIFTBEAT_AMQP_BENCHMARK_BATCHES=20 swift test -c release -Xswiftc -enable-testing --filter AMQPPublishBenchmark
///     cc -O2 -o /tmp/baseline scripts/lib/rabbitmq-publish-baseline.c -lrabbitmq && /tmp/baseline 127.0.0.1 5673 20
@Suite("Publish throughput", .serialized, .enabled(if: AMQPTestServer.isAvailable))
struct AMQPPublishBenchmark {
    @Test("1,000-message confirmed batches of 700-byte persistent messages", arguments: [false, true])
    func throughput(celeryHeaders: Bool) throws {
        let server = try AMQPTestServer.required()
        let admin = try AMQPTestClient(url: server.url)
        let queue = AMQPTestServer.uniqueName("benchmark")
        defer { admin.deleteQueue(queue) }
        let connection = try AMQPConnection(configuration: AMQPConfiguration(url: server.url))
        try connection.ensureQueue(queue)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 700)
        let batch = (0..<1000).map { index in
            AMQPOutgoingMessage(
                routingKey: queue, body: body,
                properties: AMQPProperties(
                    contentType: "application/json", contentEncoding: celeryHeaders ? "utf-8" : nil,
                    correlationID: celeryHeaders ? "task-\(index)" : nil, deliveryMode: .persistent,
                    headers: celeryHeaders ? AMQPConnectionTests.headers(index) : [:]))
        }
        try connection.publish(batch)  // warm-up
        let batches = benchmarkBatches
        let started = ContinuousClock.now
        for _ in 0..<batches { try connection.publish(batch) }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(batches * batch.count) / seconds
        print(
            "AMQPPublishBenchmark: \(batches * batch.count) messages (\(celeryHeaders ? "Celery-like headers" : "no headers")) in "
                + "\(Int(seconds * 1000)) ms: \(Int(rate)) messages/s")
        #expect(try admin.messageCount(queue) == UInt32((batches + 1) * batch.count))
    }
}

private let benchmarkBatches = getenv("SWIFTBEAT_AMQP_BENCHMARK_BATCHES").flatMap { Int(String(cString: $0)) } ?? 3
