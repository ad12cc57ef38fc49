@testable import AMQPClient
import Testing

@Suite("Publisher confirms are counted per message")
struct BatchConfirmationTests {
    private func batch(_ routingKeys: [String]) -> [AMQPOutgoingMessage] {
        routingKeys.enumerated().map { index, key in
            AMQPOutgoingMessage(routingKey: key, body: [], properties: AMQPProperties(correlationID: "id-\(index)"))
        }
    }

    @Test("An ack with multiple confirms every earlier tag of the batch")
    func multipleAck() {
        let messages = batch(["q", "q", "q", "q"])
        var confirmation = BatchConfirmation(firstDeliveryTag: 11, count: 4)
        confirmation.acknowledge(deliveryTag: 13, multiple: true, positive: true)
        #expect(confirmation.pendingCount == 1)
        #expect(confirmation.firstPending == 3)
        confirmation.acknowledge(deliveryTag: 14, multiple: false, positive: true)
        #expect(confirmation.pendingCount == 0)
        #expect(confirmation.failures(of: messages).isEmpty)
    }

    @Test("Single acks may come out of order; tags outside the batch are ignored")
    func outOfOrder() {
        var confirmation = BatchConfirmation(firstDeliveryTag: 1, count: 3)
        confirmation.acknowledge(deliveryTag: 3, multiple: false, positive: true)
        confirmation.acknowledge(deliveryTag: 99, multiple: true, positive: true)
        confirmation.acknowledge(deliveryTag: 1, multiple: false, positive: true)
        #expect(confirmation.pendingCount == 1)
        #expect(confirmation.firstPending == 1)
        #expect(confirmation.states == [.acked, .pending, .acked])
    }

    @Test("A nack marks messages as refused; unacked ones are unconfirmed")
    func nack() {
        let messages = batch(["a", "b", "c"])
        var confirmation = BatchConfirmation(firstDeliveryTag: 1, count: 3)
        confirmation.acknowledge(deliveryTag: 2, multiple: true, positive: false)
        let failures = confirmation.failures(of: messages)
        #expect(failures.map(\.index) == [0, 1, 2])
        #expect(failures.map(\.reason) == [.nacked, .nacked, .unconfirmed])
        #expect(failures.map(\.mayHaveBeenQueued) == [false, false, true])
    }

    @Test("A return is matched to the earliest unconfirmed message with its routing key and correlation id")
    func returnMatching() {
        let messages = batch(["good", "missing", "good", "missing"])
        var confirmation = BatchConfirmation(firstDeliveryTag: 5, count: 4)
        confirmation.acknowledge(deliveryTag: 5, multiple: false, positive: true)
        confirmation.record(
            AMQPSession.Returned(replyCode: 312, replyText: "NO_ROUTE", exchange: "", routingKey: "missing", correlationID: "id-3"),
            of: messages)
        confirmation.record(
            AMQPSession.Returned(replyCode: 312, replyText: "NO_ROUTE", exchange: "", routingKey: "missing", correlationID: nil),
            of: messages)
        confirmation.acknowledge(deliveryTag: 8, multiple: true, positive: true)
        let failures = confirmation.failures(of: messages)
        #expect(failures.map(\.index) == [1, 3])
        #expect(failures.allSatisfy { $0.reason == .returned(replyCode: 312, replyText: "NO_ROUTE") })
        #expect(failures.allSatisfy { $0.routingKey == "missing" })
    }

    @Test("The summary names the messages by index, in runs")
    func summary() {
        let failures = [
            AMQPPublishFailure(index: 1, exchange: "", routingKey: "x", reason: .returned(replyCode: 312, replyText: "NO_ROUTE")),
            AMQPPublishFailure(index: 3, exchange: "", routingKey: "x", reason: .notSent),
            AMQPPublishFailure(index: 4, exchange: "", routingKey: "x", reason: .notSent),
        ]
        #expect(
            AMQPPublishFailure.summary(failures, batchSize: 5)
                == "3 of 5 messages not confirmed: #1 (returned NO_ROUTE), #3-#4 (not sent)")
    }
}
