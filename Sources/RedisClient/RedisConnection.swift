/// A blocking connection to one redis server, over TCP, a unix socket or TLS (`RedisTransport`).
///
/// Not `Sendable`, on purpose: a transport is a byte stream with one reply reader, so two threads using it at once would interleave requests and
/// take each other's replies. Use a connection from one thread at a time; from async code,
/// own it in an actor pinned to its own serial executor, so that its blocking calls never
/// hold a thread of the cooperative pool (see docs/style-by-example.md, section 4).
///
/// Every call is bounded: connecting by `connectTimeout`, each wait for the socket by
/// `commandTimeout`. When a call fails on the socket (timeout, reset, server gone), the
/// connection drops its context and throws; the next call connects again, with AUTH and
/// SELECT, before it sends anything. A command is never re-sent: after a failure whose
/// `commandsMayHaveRun` is true, only the caller can tell whether running it twice is safe.
public final class RedisConnection {
    public let configuration: RedisConfiguration
    /// The server this connection talks to, or last talked to: `configuration.endpoint`, or with a
    /// Sentinel group the master the group named at the last connect.
    public internal(set) var endpoint: RedisConfiguration.Endpoint
    /// With a Sentinel group, the sentinel that named `endpoint`; nil otherwise.
    public internal(set) var discoveredBy: RedisConfiguration.Endpoint?
    /// With a Sentinel group, a subscription to a sentinel's `+switch-master` announcements, so
    /// that a failover is noticed before a command goes to the old master.
    var failoverWatch: SentinelFailoverWatch?
    /// How many times this connection has connected, starting at 1. A pub/sub reader
    /// compares it before and after a call to notice that it must subscribe again.
    public internal(set) var connectionCount = 0

    /// Nil after a failure (the next call reconnects) and after `close()`.
    private var context: RedisTransport?
    /// The CAs and client certificate of a `rediss://` configuration, read at the first connect
    /// and kept for every reconnect; nil for plain connections.
    var tlsContext: TLSContext?
    private var isClosed = false
    /// In RESP2 a subscribed connection takes no ordinary commands and receives unrequested
    /// messages, so request/reply calls are refused and unread input is expected.
    private var isSubscribed = false
    /// Replies to commands sent with `write(_:)` that `readReplies(_:)` has not read yet.
    private var unreadReplies = 0
    /// How many replies have been read on this socket, to check that `readReplies` goes in order.
    private var repliesRead = 0

    /// Connects, authenticates and selects the database, or throws why not.
    public init(configuration: RedisConfiguration) throws(RedisClientError) {
        self.configuration = configuration
        endpoint = configuration.endpoint
        context = try connect()
    }

    /// Closes the socket. Later calls throw `.notConnected` instead of reconnecting.
    public func close() {
        context = nil
        failoverWatch = nil
        isClosed = true
        isSubscribed = false
        unreadReplies = 0
    }

    /// Drops the socket, with any replies still unread; the next call connects again. For a caller
    /// that wrote ahead and then cannot use what comes back.
    public func reset() {
        context = nil
        isSubscribed = false
        unreadReplies = 0
    }

    /// Whether the connection holds an open socket (false after a failure or `close()`).
    public var isConnected: Bool { context != nil }

    /// The socket, for `poll(2)` or an event loop; readable means `readAvailableReplies()`
    /// has something to do. Nil while disconnected. It changes after a reconnect.
    public var fileDescriptor: Int32? { context?.fileDescriptor }

    /// Whether input has arrived that polling `fileDescriptor` will not announce: over TLS,
    /// decrypted bytes OpenSSL holds after a read that stopped early. Check it before `poll(2)`,
    /// and read instead of waiting when it is true. Always false for plain connections.
    public var hasBufferedInput: Bool { context?.hasDecryptedInput ?? false }

    /// Sends one command and returns its reply; a redis error reply is returned, not thrown.
    public func send(_ command: RedisCommand) throws(RedisClientError) -> RedisReply {
        try exchange(command.bytes, replyCount: 1, operation: .command(command.name))[0]
    }

    /// `send("SET", key, value, "PX", ttl)`.
    public func send<each Argument: RedisArgument>(
        _ name: String, _ arguments: repeat each Argument
    ) throws(RedisClientError) -> RedisReply {
        try send(RedisCommand(name, repeat each arguments))
    }

    /// Writes all commands at once and reads one reply per command, in order. A command
    /// that fails in redis leaves `.error` in its slot; the others still run and answer.
    public func pipeline(_ commands: RedisPipeline) throws(RedisClientError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try exchange(commands.bytes, replyCount: commands.count, operation: .pipeline(commands.count))
    }

    /// Replies that `write(_:)` left to read: `readReplies(_:)` takes them, in the order written.
    public struct PendingReplies: Sendable {
        public let count: Int
        /// The replies read on the socket before these, and which socket.
        let position: Int
        let connection: Int
    }

    /// Writes commands without waiting for their replies, so the caller can prepare more work
    /// while redis runs them; `readReplies(_:)` reads them later. Several writes may be
    /// outstanding; their replies are read in the order they were written. Plain calls
    /// (`send`, `pipeline`) are refused until every reply has been read.
    ///
    /// Redis keeps reading commands while its replies wait in its output buffer, so writing
    /// ahead cannot deadlock; a caller still keeps the unread part to a batch or two.
    public func write(_ commands: RedisPipeline) throws(RedisClientError) -> PendingReplies {
        let operation = Operation.pipeline(commands.count)
        try checkNotSubscribed(operation)
        let context = try usableContext()
        do {
            try context.write(commands.bytes)
        } catch {
            throw dropContext(after: error, during: operation)
        }
        defer { unreadReplies += commands.count }
        return PendingReplies(count: commands.count, position: repliesRead + unreadReplies, connection: connectionCount)
    }

    /// Reads the replies of an earlier `write(_:)`, blocking until they arrive.
    public func readReplies(_ pending: PendingReplies) throws(RedisClientError) -> [RedisReply] {
        let operation = Operation.pipeline(pending.count)
        guard let context, pending.connection == connectionCount else {
            throw RedisClientError(
                .connectionClosed,
                "the connection to redis \(endpoint) was lost after \(operation) was written; its replies are gone",
                commandsMayHaveRun: true)
        }
        guard pending.position == repliesRead, pending.count <= unreadReplies else {
            throw RedisClientError(
                .misuse, "replies read out of order on the connection to redis \(endpoint): read them in the order written")
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(pending.count)
        do {
            while replies.count < pending.count { replies.append(try context.readReply()) }
        } catch {
            throw dropContext(after: error, during: operation, repliesRead: replies.count, of: pending.count)
        }
        unreadReplies -= pending.count
        repliesRead += pending.count
        dropIfDemoted(replies)
        return replies
    }

    private func exchange(_ bytes: [UInt8], replyCount: Int, operation: Operation) throws(RedisClientError) -> [RedisReply] {
        try checkNotSubscribed(operation)
        guard unreadReplies == 0 else {
            throw RedisClientError(
                .misuse,
                "cannot send \(operation) to redis \(endpoint) before the replies of an earlier write are read")
        }
        let context = try usableContext()
        var replies: [RedisReply] = []
        replies.reserveCapacity(replyCount)
        do {
            try context.write(bytes)
            while replies.count < replyCount { replies.append(try context.readReply()) }
        } catch {
            throw dropContext(after: error, during: operation, repliesRead: replies.count, of: replyCount)
        }
        repliesRead += replyCount
        dropIfDemoted(replies)
        return replies
    }

    /// With a Sentinel group, a `-READONLY` reply means this server is a replica now (a failover
    /// demoted it): the replies are returned as they are, and the next call asks the sentinels again.
    /// Plain connections skip the scan, so it costs nothing where there is no failover to notice.
    private func dropIfDemoted(_ replies: [RedisReply]) {
        guard configuration.sentinel != nil else { return }
        if replies.contains(where: { $0.errorMessage?.hasPrefix("READONLY") == true }) { context = nil }
    }

    private func checkNotSubscribed(_ operation: Operation) throws(RedisClientError) {
        guard !isSubscribed else {
            throw RedisClientError(
                .misuse,
                "cannot send \(operation) on a connection to redis \(endpoint) that is subscribed; "
                    + "send commands on a separate connection")
        }
    }

    /// The open context, or a fresh one when the previous call failed or the server closed
    /// this connection while it was idle.
    ///
    /// Checking for unexpected input first costs one `poll(2)`. It turns the usual aftermath
    /// of a redis restart, or of redis' idle `timeout`, from a failed call into a reconnect,
    /// and it is safe: nothing of the coming call has been written yet.
    func usableContext() throws(RedisClientError) -> RedisTransport {
        if isClosed { throw closedError }
        if context != nil, unreadReplies == 0, failoverWatch?.masterSwitched() == true { context = nil }
        // Unread replies are expected input, and reconnecting would lose them.
        if let context, isSubscribed || unreadReplies > 0 || !context.hasInput { return context }
        context = nil
        isSubscribed = false
        let fresh = try connect()
        context = fresh
        repliesRead = 0
        return fresh
    }

    /// Forgets the context after a failure on it and describes the failure.
    func dropContext(
        after failure: TransportFailure, during operation: Operation, repliesRead: Int = 0, of replyCount: Int = 0
    ) -> RedisClientError {
        context = nil
        isSubscribed = false
        unreadReplies = 0
        let server = "redis \(endpoint)"
        let progress = replyCount > 1 ? "; \(repliesRead) of \(replyCount) replies had arrived" : ""
        if failure.isTimeout {
            return RedisClientError(
                .timedOut,
                "timed out after \(seconds(configuration.commandTimeout)) waiting for \(server) to answer \(operation)"
                    + "\(progress); the next call reconnects",
                commandsMayHaveRun: true)
        }
        if failure.isClosedByPeer {
            // hiredis' own words for an orderly close ("Server closed the connection") would
            // repeat the sentence; a reset or broken pipe is worth naming.
            let cause = failure.isEndOfStream ? "" : ": \(failure.message)"
            return RedisClientError(
                .connectionClosed, "\(server) closed the connection during \(operation)\(cause)\(progress)",
                commandsMayHaveRun: true)
        }
        if failure.isProtocolViolation {
            return RedisClientError(
                .protocolViolation, "\(server) sent a reply hiredis cannot parse during \(operation): \(failure.message)",
                commandsMayHaveRun: true)
        }
        return RedisClientError(
            .ioFailed, "I/O error on \(server) during \(operation): \(failure.message)\(progress)", commandsMayHaveRun: true)
    }

    func markSubscribed() { isSubscribed = true }

    /// The open context as it is, for reads: they must not reconnect, because a fresh
    /// connection is not subscribed and would wait forever for messages.
    func currentContext() throws(RedisClientError) -> RedisTransport {
        if let context { return context }
        if isClosed { throw closedError }
        throw RedisClientError(
            .notConnected,
            "the connection to redis \(endpoint) is down after an earlier failure; "
                + "call subscribe again to reconnect")
    }

    private var closedError: RedisClientError {
        RedisClientError(.notConnected, "the connection to redis \(endpoint) was closed with close()")
    }
}

/// What a failed call was doing, as error messages name it.
enum Operation: CustomStringConvertible {
    case command(String)
    case pipeline(Int)
    case subscribe
    case read

    var description: String {
        switch self {
        case .command(let name): name
        case .pipeline(let count): "PIPELINE (\(count) command\(count == 1 ? "" : "s"))"
        case .subscribe: "SUBSCRIBE"
        case .read: "a read of pushed messages"
        }
    }
}

/// `5 s`, `0.25 s`: timeouts as people write them.
func seconds(_ duration: Duration) -> String {
    let (whole, attoseconds) = duration.components
    let milliseconds = attoseconds / 1_000_000_000_000_000
    guard milliseconds > 0 else { return "\(whole) s" }
    var fraction = String(milliseconds)
    fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
    while fraction.hasSuffix("0") { fraction.removeLast() }
    return "\(whole).\(fraction) s"
}
