internal import AMQPClient
public import CeleryMessage

/// Somewhere Celery task messages can be published: RabbitMQ or kombu's Redis transport.
///
/// Producer-side only: nothing here consumes. A broker owns a blocking connection, so it is used
/// from one thread at a time (the beat's loop, or one `send`); it is a class so the connection has
/// one owner that closes it.
public protocol Broker: AnyObject, CustomStringConvertible {
    /// Publishes every message of `batch`, in order, and returns once the broker has accepted all
    /// of them (RabbitMQ: publisher confirms; Redis: every LPUSH answered). Throws which ones it
    /// could not confirm, so a caller can retry only those.
    func publish(_ batch: [CeleryMessage]) throws(BrokerError)

    /// Starts publishing `batch` and may return before the broker has accepted it, so the caller can
    /// prepare the next batch meanwhile; `finishPublishing(_:)` waits for the broker and says what
    /// it did not accept, exactly as `publish(_:)` would have. Every started batch must be finished,
    /// on this broker; several may be started before the first is finished.
    ///
    /// By default the batch is published at once and only the outcome waits.
    func startPublishing(_ batch: [CeleryMessage]) -> PublishingBatch

    func finishPublishing(_ batch: PublishingBatch) throws(BrokerError)

    /// `finishPublishing(_:)` that returns false once `limit` has passed with the batch still
    /// waiting for the broker (call it again later); true once it is finished, throwing as
    /// `finishPublishing(_:)` does. A loop with a lock to renew cannot wait for a broker that
    /// stopped reading for as long as it takes.
    func finishPublishing(_ batch: PublishingBatch, waitingAtMost limit: Duration) throws(BrokerError) -> Bool

    /// Why the broker said it stopped taking messages (RabbitMQ's `connection.blocked`: a disk or
    /// memory alarm), or nil.
    var blockedReason: String? { get }

    /// Called while the beat is idle so the connection stays alive (AMQP heartbeats).
    func keepAlive()

    func close()
}

extension Broker {
    public func startPublishing(_ batch: [CeleryMessage]) -> PublishingBatch {
        do {
            try publish(batch)
            return PublishingBatch(count: batch.count, progress: .finished(nil))
        } catch {
            return PublishingBatch(count: batch.count, progress: .finished(error))
        }
    }

    public func finishPublishing(_ batch: PublishingBatch) throws(BrokerError) {
        guard case .finished(let error) = batch.progress else {
            throw BrokerError(.configuration, "\(self) was given a batch another broker started", unconfirmed: Array(0..<batch.count))
        }
        if let error { throw error }
    }

    public func finishPublishing(_ batch: PublishingBatch, waitingAtMost limit: Duration) throws(BrokerError) -> Bool {
        try finishPublishing(batch)
        return true
    }

    public var blockedReason: String? { nil }
}

/// A batch `Broker.startPublishing(_:)` started, for `finishPublishing(_:)` on the same broker.
public struct PublishingBatch: Sendable {
    enum Progress: Sendable {
        /// Published (or refused) already; what the broker did not accept.
        case finished(BrokerError?)
        /// Written to RabbitMQ (the messages at `positions` of the batch); its publisher confirms
        /// are still to be read. `refusal`: the messages that could not be sent at all.
        case awaitingConfirms(AMQPPublishTicket, positions: [Int], refusal: BrokerError?)
    }

    /// How many messages the batch has.
    public let count: Int
    let progress: Progress
}

/// Why messages were not published, and which ones.
public struct BrokerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The broker could not be reached or the connection broke; retrying later may work.
        case unreachable
        /// The broker refused the message (unroutable, negatively acknowledged, no bound queue).
        case rejected
        /// The message cannot be expressed on this broker (e.g. an AMQP header value).
        case invalidMessage
        /// The broker URL or options are wrong; retrying will not help.
        case configuration
    }

    public var kind: Kind
    public var description: String
    /// Positions in the batch of the messages that were not confirmed; every position when unknown.
    public var unconfirmed: [Int]

    public init(_ kind: Kind, _ description: String, unconfirmed: [Int] = []) {
        self.kind = kind
        self.description = description
        self.unconfirmed = unconfirmed
    }
}
