import CeleryMessage
import RedisClient

/// kombu's exchange bindings on Redis: the set `_kombu.binding.<exchange>` whose members are
/// `routing_key SEP pattern SEP queue`, written by workers when they declare their queues.
///
/// A direct exchange reaches the queues bound with the message's routing key; a topic exchange
/// those whose binding pattern (kombu writes it as a regular expression, `^reports\..*?$`) matches
/// it. A fanout exchange is Redis PUB/SUB in kombu, not a list, and is refused.
///
/// Only messages for a named exchange need them; the default exchange `""` routes by queue name
/// without touching Redis (what Celery itself does). They are cached for a few seconds, because a
/// beat publishes to the same exchanges over and over and bindings change only when workers start.
struct RedisExchangeBindings {
    private let keyPrefix: String
    private let separator: String
    private var table: [String: [(routingKey: String, pattern: String, queue: String)]] = [:]
    /// kombu's topic patterns, compiled once each.
    private var patterns: [String: Regex<AnyRegexOutput>] = [:]
    private var loadedAt: ContinuousClock.Instant?
    private static let lifetime: Duration = .seconds(10)

    init(keyPrefix: String, separator: String) {
        self.keyPrefix = keyPrefix
        self.separator = separator
    }

    mutating func refreshIfNeeded(for batch: [CeleryMessage], on connection: RedisConnection) throws(BrokerError) {
        // The usual batch uses only the default exchange: skip building the set.
        guard batch.contains(where: { !$0.destination.exchange.isEmpty }) else { return }
        try refreshIfNeeded(exchanges: Set(batch.map(\.destination.exchange).filter { !$0.isEmpty }), on: connection)
    }

    /// The same for one message (the beat asks per firing).
    mutating func refreshIfNeeded(for message: CeleryMessage, on connection: RedisConnection) throws(BrokerError) {
        guard !message.destination.exchange.isEmpty else { return }
        try refreshIfNeeded(exchanges: [message.destination.exchange], on: connection)
    }

    private mutating func refreshIfNeeded(exchanges: Set<String>, on connection: RedisConnection) throws(BrokerError) {
        let now = ContinuousClock.now
        if let loadedAt, now - loadedAt < Self.lifetime, exchanges.isSubset(of: table.keys) { return }
        let names = Array(exchanges)
        var pipeline = RedisPipeline()
        for name in names {
            pipeline.append("SMEMBERS", keyPrefix + "_kombu.binding." + name)
        }
        let replies: [RedisReply]
        do {
            replies = try connection.pipeline(pipeline)
        } catch {
            throw BrokerError(.unreachable, "cannot read exchange bindings from redis broker: \(error)")
        }
        table = [:]
        for (name, reply) in zip(names, replies) {
            table[name] = (reply.array ?? []).compactMap { member in
                guard let text = member.string else { return nil }
                let parts = text.split(separator: separator, omittingEmptySubsequences: false)
                guard parts.count == 3 else { return nil }
                return (String(parts[0]), String(parts[1]), String(parts[2]))
            }
        }
        loadedAt = now
    }

    /// The queues a message reaches: its routing key's queue on the default exchange, else every
    /// queue bound to the named (direct) exchange with its routing key.
    mutating func queues(for destination: CeleryMessage.Destination, position: Int) throws(BrokerError) -> [String] {
        guard !destination.exchange.isEmpty else { return [destination.routingKey] }
        let bindings = table[destination.exchange] ?? []
        let queues: [String]
        switch destination.exchangeType {
        case "topic":
            queues = bindings.filter { binding in
                guard let pattern = topicPattern(binding.pattern) else { return false }
                return (try? pattern.prefixMatch(in: destination.routingKey)) != nil
            }.map(\.queue)
        case "fanout":
            throw BrokerError(
                .rejected,
                "exchange \"\(destination.exchange)\" is a fanout exchange, which kombu's redis transport carries by "
                    + "PUB/SUB; swiftbeat publishes to queues only", unconfirmed: [position])
        default:
            queues = bindings.filter { $0.routingKey == destination.routingKey }.map(\.queue)
        }
        guard !queues.isEmpty else {
            throw BrokerError(
                .rejected,
                "no queue is bound to exchange \"\(destination.exchange)\" with routing key \"\(destination.routingKey)\" "
                    + "on the redis broker (has a worker declared it?)",
                unconfirmed: [position])
        }
        return queues
    }

    /// A binding's pattern as a regular expression, or nil when it cannot be read.
    private mutating func topicPattern(_ text: String) -> Regex<AnyRegexOutput>? {
        if let pattern = patterns[text] { return pattern }
        guard let pattern = try? Regex(text) else { return nil }
        patterns[text] = pattern
        return pattern
    }
}
