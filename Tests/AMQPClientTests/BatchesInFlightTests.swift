@testable import AMQPClient
import Testing

@Suite("Confirms are routed to every batch in flight")
struct BatchesInFlightTests {
    private func messages(_ routingKeys: [String]) -> [AMQPOutgoingMessage] {
        routingKeys.map { AMQPOutgoingMessage(routingKey: $0, body: []) }
    }

    /// Registers a batch and marks all its messages written, as `send` does.
    private func sent(_ keys: [String], from tag: UInt64, in flight: inout BatchesInFlight) -> AMQPPublishTicket {
        let ticket = flight.add(messages(keys), firstDeliveryTag: tag)
        for _ in keys { flight.wrote(ticket) }
        return ticket
    }

    @Test("An ack with multiple settles every earlier batch, and only up to its tag in the last")
    func multipleAckAcrossBatches() {
        var flight = BatchesInFlight()
        let first = sent(["q", "q", "q"], from: 1, in: &flight)
        let second = sent(["q", "q"], from: 4, in: &flight)
        flight.acknowledge(deliveryTag: 4, multiple: true, positive: true)
        #expect(flight.isSettled(first))
        #expect(!flight.isSettled(second))
        #expect(!flight.isEverySettled)
        flight.acknowledge(deliveryTag: 5, multiple: false, positive: true)
        #expect(flight.isEverySettled)
        let claimed = flight.remove(first)
        #expect(claimed?.confirmation.states == [.acked, .acked, .acked])
        #expect(flight.batches.map(\.ticket) == [second])
    }

    @Test("A single ack or nack touches only the batch holding its tag")
    func singleAck() {
        var flight = BatchesInFlight()
        let first = sent(["q", "q"], from: 7, in: &flight)
        let second = sent(["q"], from: 9, in: &flight)
        flight.acknowledge(deliveryTag: 9, multiple: false, positive: false)
        #expect(flight.isSettled(second))
        #expect(!flight.isSettled(first))
        #expect(flight.remove(second)?.confirmation.states == [.nacked])
        #expect(flight.remove(first)?.confirmation.pendingCount == 2)
    }

    @Test("A return goes to the oldest batch holding a matching unconfirmed message")
    func returnGoesToOldestMatch() {
        var flight = BatchesInFlight()
        let first = sent(["ok", "missing"], from: 1, in: &flight)
        let second = sent(["missing"], from: 3, in: &flight)
        let returned = AMQPSession.Returned(replyCode: 312, replyText: "NO_ROUTE", exchange: "", routingKey: "missing")
        flight.record(returned)
        flight.acknowledge(deliveryTag: 3, multiple: true, positive: true)
        let firstBatch = flight.remove(first)
        let secondBatch = flight.remove(second)
        #expect(firstBatch?.confirmation.failures(of: firstBatch?.messages ?? []).map(\.index) == [1])
        #expect(secondBatch?.confirmation.failures(of: secondBatch?.messages ?? []).isEmpty == true)
    }

    @Test("A failure ends the batches still waiting and keeps the confirms they had")
    func failureEndsOnlyUnsettled() {
        var flight = BatchesInFlight()
        let first = sent(["q", "q"], from: 1, in: &flight)
        let second = sent(["q", "q"], from: 3, in: &flight)
        flight.acknowledge(deliveryTag: 3, multiple: true, positive: true)
        flight.failUnsettled(AMQPClientError(.connectionLost, "gone"))
        let firstBatch = flight.remove(first)
        let secondBatch = flight.remove(second)
        #expect(firstBatch?.failure == nil)
        #expect(secondBatch?.failure?.kind == .connectionLost)
        #expect(secondBatch?.confirmation.states == [.acked, .pending])
        // A late ack for a failed batch changes nothing: its outcome is already decided.
        var late = BatchesInFlight()
        let ticket = sent(["q"], from: 1, in: &late)
        late.failUnsettled(AMQPClientError(.timedOut, "slow"))
        late.acknowledge(deliveryTag: 1, multiple: false, positive: true)
        #expect(late.remove(ticket)?.confirmation.states == [.pending])
    }

    @Test("An unknown or claimed ticket counts as settled and is not found")
    func unknownTicket() {
        var flight = BatchesInFlight()
        let ticket = sent(["q"], from: 1, in: &flight)
        flight.acknowledge(deliveryTag: 1, multiple: false, positive: true)
        #expect(flight.remove(ticket) != nil)
        #expect(flight.isSettled(ticket))
        #expect(flight.remove(ticket) == nil)
    }
}
