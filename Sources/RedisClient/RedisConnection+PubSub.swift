extension RedisConnection {
    /// Sends SUBSCRIBE and/or PSUBSCRIBE without waiting for the confirmations, and turns
    /// this into a subscriber connection: from here on, read with `readAvailableReplies()`
    /// or `readReplies(timeout:)`, and send other commands on another connection.
    ///
    /// Re-subscribing after a failure is the caller's job, because only the caller knows
    /// what it missed while the connection was down (for the scheduler: reload every
    /// schedule). The usual loop: after an error, call `subscribe` again (it reconnects),
    /// wait for its `.subscribed` events, then reload; `connectionCount` shows a reconnect.
    public func subscribe(channels: [String] = [], patterns: [String] = []) throws(RedisClientError) {
        guard !channels.isEmpty || !patterns.isEmpty else {
            throw RedisClientError(.misuse, "subscribe needs at least one channel or pattern")
        }
        var commands = RedisPipeline()
        if !channels.isEmpty { commands.append("SUBSCRIBE", arguments: channels) }
        if !patterns.isEmpty { commands.append("PSUBSCRIBE", arguments: patterns) }
        let context = try usableContext()
        do {
            try context.write(commands.bytes)
        } catch {
            throw dropContext(after: error, during: .subscribe)
        }
        markSubscribed()
    }

    /// The socket, for `poll(2)` or an event loop; readable means `readAvailableReplies()`
    /// has something to do. Nil while disconnected. It changes after a reconnect.
    public var fileDescriptor: Int32? { connectedContext?.fileDescriptor }

    /// Every reply that has arrived, without blocking: an empty array when nothing has.
    ///
    /// Reads at most 1 MiB from the socket per call, so that a flood of messages cannot
    /// keep the caller here; call again while the socket stays readable. On a failure the
    /// replies read in the same call are lost with the connection; a subscriber recovers
    /// from both the same way (subscribe again, reload).
    public func readAvailableReplies() throws(RedisClientError) -> [RedisReply] {
        let context = try readableContext()
        var replies: [RedisReply] = []
        do {
            while let reply = try context.bufferedReply() { replies.append(reply) }
            var reads = 0
            while reads < 64, context.hasInput {
                try context.receive()
                reads += 1
                while let reply = try context.bufferedReply() { replies.append(reply) }
            }
        } catch {
            throw dropContext(after: error, during: .read)
        }
        return replies
    }

    /// Waits up to `timeout` for at least one reply and returns what has arrived; an empty
    /// array means the time ran out. For a subscriber with nothing else to wait on.
    public func readReplies(timeout: Duration) throws(RedisClientError) -> [RedisReply] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let replies = try readAvailableReplies()
            if !replies.isEmpty { return replies }
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { return [] }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = min(seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000, Int64(Int32.max))
            _ = try readableContext().waitForInput(milliseconds: Int32(milliseconds))
        }
    }

    private func readableContext() throws(RedisClientError) -> HiredisContext {
        guard let context = connectedContext else {
            throw RedisClientError(
                .notConnected,
                "the connection to redis \(configuration.endpoint) is down after an earlier failure or close(); "
                    + "call subscribe again to reconnect")
        }
        return context
    }
}

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
