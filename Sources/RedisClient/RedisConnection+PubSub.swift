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

    /// Every reply that has arrived, without blocking: an empty array when nothing has.
    ///
    /// Reads at most 1 MiB from the socket per call, so that a flood of messages cannot
    /// keep the caller here; call again while the socket stays readable. On a failure the
    /// replies read in the same call are lost with the connection; a subscriber recovers
    /// from both the same way (subscribe again, reload).
    public func readAvailableReplies() throws(RedisClientError) -> [RedisReply] {
        let context = try currentContext()
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
            _ = try currentContext().waitForInput(milliseconds: milliseconds(remaining))
        }
    }
}
