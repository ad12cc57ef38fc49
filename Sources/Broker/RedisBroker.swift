public import CeleryMessage
public import RedisClient

/// kombu's Redis transport, producer side: each message is LPUSHed, as kombu's envelope, to its
/// queue's list (or the list of its priority step), and a batch goes out as one pipeline.
public final class RedisBroker: Broker {
    public let connection: RedisConnection
    public let envelope: KombuRedisEnvelope
    private var deliveryTags = UUID4Generator()
    private var bindings: RedisExchangeBindings

    public init(connection: RedisConnection, options: BrokerTransportOptions = BrokerTransportOptions()) {
        self.connection = connection
        self.envelope = options.envelope
        self.bindings = RedisExchangeBindings(keyPrefix: options.globalKeyPrefix, separator: options.prioritySeparator)
    }

    public var description: String { connection.configuration.redactedURL }

    /// Where each message of `batch` goes and what is pushed there. The scheduler uses this to push
    /// messages inside its own transaction when the broker and the schedule share a Redis server.
    public func prepare(_ batch: [CeleryMessage]) throws(BrokerError) -> [(lists: [String], payload: [UInt8])] {
        try bindings.refreshIfNeeded(for: batch, on: connection)
        var prepared: [(lists: [String], payload: [UInt8])] = []
        prepared.reserveCapacity(batch.count)
        for (index, message) in batch.enumerated() {
            let queues = try bindings.queues(for: message.destination, position: index)
            let lists = queues.map { envelope.listKey(queue: $0, priority: message.priority) }
            prepared.append((lists, envelope.encode(message, deliveryTag: deliveryTags.next())))
        }
        return prepared
    }

    public func publish(_ batch: [CeleryMessage]) throws(BrokerError) {
        guard !batch.isEmpty else { return }
        let prepared = try prepare(batch)
        var pipeline = RedisPipeline(reservingCapacity: prepared.reduce(0) { $0 + $1.payload.count + 64 })
        var owners: [Int] = []
        for (index, item) in prepared.enumerated() {
            for list in item.lists {
                pipeline.append("LPUSH", list, item.payload)
                owners.append(index)
            }
        }
        let replies: [RedisReply]
        do {
            replies = try connection.pipeline(pipeline)
        } catch {
            throw BrokerError(.unreachable, "cannot publish to redis broker: \(error)", unconfirmed: Array(batch.indices))
        }
        let failed = zip(replies, owners).filter { $0.0.integer == nil }
        if let first = failed.first {
            throw BrokerError(
                .rejected, "redis broker \(description) refused LPUSH: \(first.0.errorMessage ?? "unexpected reply")",
                unconfirmed: Array(Set(failed.map(\.1))).sorted())
        }
    }

    public func keepAlive() {}

    public func close() {
        connection.close()
    }
}
