/// A reply pushed to a subscribed connection, decoded.
public enum RedisPubSubEvent: Sendable, Equatable {
    /// A message published to a subscribed channel; `pattern` is the PSUBSCRIBE pattern
    /// that matched it, nil for a plain SUBSCRIBE.
    case message(channel: String, pattern: String?, payload: [UInt8])
    /// A SUBSCRIBE or PSUBSCRIBE took effect; `count` is how many subscriptions the
    /// connection now holds.
    case subscribed(channelOrPattern: String, count: Int)
    case unsubscribed(channelOrPattern: String, count: Int)

    /// Nil for replies that are not pub/sub pushes.
    public init?(_ reply: RedisReply) {
        guard case .array(let parts) = reply, let kind = parts.first?.string else { return nil }
        func text(_ index: Int) -> String? {
            guard index < parts.count, case .bulk(let bytes) = parts[index] else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        func count(_ index: Int) -> Int? {
            guard index < parts.count, case .integer(let value) = parts[index] else { return nil }
            return Int(value)
        }
        switch (kind, parts.count) {
        case ("message", 3):
            guard let channel = text(1), let payload = parts[2].bytes else { return nil }
            self = .message(channel: channel, pattern: nil, payload: payload)
        case ("pmessage", 4):
            guard let pattern = text(1), let channel = text(2), let payload = parts[3].bytes else { return nil }
            self = .message(channel: channel, pattern: pattern, payload: payload)
        case ("subscribe", 3), ("psubscribe", 3):
            guard let name = text(1), let count = count(2) else { return nil }
            self = .subscribed(channelOrPattern: name, count: count)
        case ("unsubscribe", 3), ("punsubscribe", 3):
            guard let name = text(1), let count = count(2) else { return nil }
            self = .unsubscribed(channelOrPattern: name, count: count)
        default:
            return nil
        }
    }
}
