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

    /// Called while the beat is idle so the connection stays alive (AMQP heartbeats).
    func keepAlive()

    func close()
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
