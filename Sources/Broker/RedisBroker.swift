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

    /// Where `message` goes and what is pushed there. The scheduler uses this to push messages
    /// inside its own transaction when the broker and the schedule share a Redis server.
    public func prepare(_ message: CeleryMessage) throws(BrokerError) -> (lists: [String], payload: [UInt8]) {
        try bindings.refreshIfNeeded(for: message, on: connection)
        return (try lists(for: message, position: 0), envelope.encode(message, deliveryTag: deliveryTags.next()))
    }

    private func lists(for message: CeleryMessage, position: Int) throws(BrokerError) -> [String] {
        try bindings.queues(for: message.destination, position: position).map {
            envelope.listKey(queue: $0, priority: message.priority)
        }
    }

    /// Messages per write of a batch: redis pushes one chunk while the next is encoded.
    static let chunkSize = 128

    /// Pushes the batch in chunks without waiting between them, so encoding and redis' work
    /// overlap, then reads every reply. A message that cannot be routed is reported as not
    /// confirmed and the others still go out.
    public func publish(_ batch: [CeleryMessage]) throws(BrokerError) {
        guard !batch.isEmpty else { return }
        try bindings.refreshIfNeeded(for: batch, on: connection)
        var unroutable: [Int] = []
        var routingError: BrokerError?
        var owners: [Int] = []
        owners.reserveCapacity(batch.count)
        var written: [RedisConnection.PendingReplies] = []
        var pipeline = RedisPipeline(reservingCapacity: Self.chunkSize * 1200)
        var replies: [RedisReply] = []
        replies.reserveCapacity(batch.count)
        do {
            var start = 0
            while start < batch.count {
                let end = min(start + Self.chunkSize, batch.count)
                pipeline.removeAll()
                for index in start..<end {
                    let message = batch[index]
                    let lists: [String]
                    do {
                        lists = try self.lists(for: message, position: index)
                    } catch {
                        unroutable.append(index)
                        routingError = routingError ?? error
                        continue
                    }
                    let payload = envelope.encode(message, deliveryTag: deliveryTags.next())
                    for list in lists {
                        pipeline.append("LPUSH", list, payload)
                        owners.append(index)
                    }
                }
                if !pipeline.isEmpty { written.append(try connection.write(pipeline)) }
                // Read what is two chunks old: by now it has been answered, and what waits unread stays small.
                if written.count > 2 { replies += try connection.readReplies(written.removeFirst()) }
                start = end
            }
            for pending in written { replies += try connection.readReplies(pending) }
        } catch {
            throw BrokerError(.unreachable, "cannot publish to redis broker: \(error)", unconfirmed: Array(batch.indices))
        }
        var refused = Set(unroutable)
        var refusal: String?
        for (reply, owner) in zip(replies, owners) where reply.integer == nil {
            refused.insert(owner)
            refusal = refusal ?? "redis broker \(description) refused LPUSH: \(reply.errorMessage ?? "unexpected reply")"
        }
        if let refusal = refusal ?? routingError?.description {
            throw BrokerError(.rejected, refusal, unconfirmed: refused.sorted())
        }
    }

    public func keepAlive() {}

    public func close() {
        connection.close()
    }
}
