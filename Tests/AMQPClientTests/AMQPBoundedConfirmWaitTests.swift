import AMQPClient
import Glibc
import Testing
import TestSupport

/// `awaitConfirms(_:waitingAtMost:)`: the beat's loop waits for a broker that stopped reading a
/// little at a time, between renewals of its lock, so the batch must survive a wait that ends
/// early, while the broker's silence is still timed across the waits.
@Suite("Bounded confirm waits against a real RabbitMQ behind a proxy", .enabled(if: AMQPTestServer.isAvailable))
final class AMQPBoundedConfirmWaitTests {
    /// The broker behind a proxy that can make it stop reading (`broker.proxy`), the queue ensured.
    let broker: ProxiedBroker
    var admin: AMQPTestClient { broker.admin }
    var queue: String { broker.queue }
    var proxy: FreezableProxy { broker.proxy }
    var connection: AMQPConnection { broker.connection }

    init() throws {
        broker = try ProxiedBroker(queue: AMQPTestServer.uniqueName("bounded")) { $0.operationTimeout = .seconds(2) }
    }

    @Test("A wait that ends before the confirm leaves the batch in flight; it is confirmed once the broker reads again")
    func shortWaitsKeepTheBatch() throws {
        proxy.freeze(true)
        usleep(300_000)  // each forwarding thread sees the freeze within one 100 ms poll
        let ticket = connection.send((0..<3).map { AMQPOutgoingMessage(routingKey: queue, body: [UInt8($0)]) })
        let clock = ContinuousClock()
        let started = clock.now
        #expect(try connection.awaitConfirms(ticket, waitingAtMost: .milliseconds(300)) == false)
        #expect(clock.now - started < .seconds(1))
        #expect(try connection.awaitConfirms(ticket, waitingAtMost: .milliseconds(300)) == false)
        #expect(connection.isConnected)

        proxy.freeze(false)
        #expect(try connection.awaitConfirms(ticket, waitingAtMost: .seconds(10)) == true)
        #expect(try admin.messageCount(queue) == 3)
    }

    @Test("A broker silent for the operation timeout fails the batch, however many short waits that took")
    func silenceIsTimedAcrossWaits() throws {
        proxy.freeze(true)
        usleep(300_000)
        let ticket = connection.send([AMQPOutgoingMessage(routingKey: queue, body: [1])])
        let clock = ContinuousClock()
        let started = clock.now
        var waits = 0
        let error = try #require(throws: AMQPClientError.self) {
            while clock.now - started < .seconds(20) {
                waits += 1
                if try connection.awaitConfirms(ticket, waitingAtMost: .milliseconds(200)) { return }
            }
        }
        #expect(error.kind == .timedOut)
        #expect(error.description.contains("no confirm for 2 s"), "\(error)")
        #expect(error.failedMessages.map(\.reason) == [.unconfirmed])
        #expect(waits >= 5, "\(waits) waits")
        #expect(clock.now - started < .seconds(4))
        proxy.freeze(false)
    }
}
