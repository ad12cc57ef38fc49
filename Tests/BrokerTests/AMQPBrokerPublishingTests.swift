import AMQPClient
import Broker
import CeleryMessage
import CivilTime
import JSON
import Testing
import TestSupport

/// `AMQPBroker` publishing against the private RabbitMQ of `scripts/rabbitmq`.
@Suite("AMQPBroker publishing", .enabled(if: AMQPTestServer.isAvailable))
final class AMQPBrokerPublishingTests {
    let server: AMQPTestServer
    let queue = AMQPTestServer.uniqueName("broker")
    let broker: any Broker

    init() throws {
        server = try AMQPTestServer.required()
        broker = try BrokerURL(server.url).connect()
    }

    deinit {
        broker.close()
        _ = try? server.rabbitmqctl("delete_queue", queue)
    }

    private func message(_ index: Int, extraHeaders: JSONObject = [:]) -> CeleryMessage {
        CeleryMessage(
            task: "tests.noop", id: "task-\(index)", args: [.integer(index)], destination: .init(queue: queue),
            extraHeaders: extraHeaders, origin: "gen1@test", replyTo: "reply", now: SystemClock.now())
    }

    private func messageCount() throws -> Int? {
        let listing = try server.rabbitmqctl("-q", "--no-table-headers", "list_queues", "name", "messages")
        for line in listing.split(separator: "\n") {
            let columns = line.split(separator: "\t")
            if columns.count == 2, columns[0] == queue[...] { return Int(columns[1]) }
        }
        return nil
    }

    @Test("Batches started before the first is finished are all confirmed")
    func startedBatchesAreConfirmed() throws {
        let first = broker.startPublishing((0..<300).map { message($0) })
        let second = broker.startPublishing((300..<600).map { message($0) })
        try broker.finishPublishing(first)
        try broker.finishPublishing(second)
        #expect(try messageCount() == 600)
    }

    @Test("A message whose headers AMQP cannot carry is reported alone; the rest of its batch is sent")
    func unencodableMessageAlone() throws {
        let huge = JSONValue.number(try #require(JSONNumber(literal: "123456789012345678901")))
        let batch = [message(0), message(1, extraHeaders: ["x_big": huge]), message(2)]
        let error = try #require(throws: BrokerError.self) { try broker.publish(batch) }
        #expect(error.kind == .invalidMessage)
        #expect(error.unconfirmed == [1])
        #expect(error.description.contains("task-1"), "\(error)")
        #expect(try messageCount() == 2)
    }
}
