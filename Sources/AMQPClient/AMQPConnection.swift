/// A connection to RabbitMQ for a producer: ensure queues exist, publish batches with publisher
/// confirms, keep the connection alive while idle, reconnect after failures.
///
/// Not `Sendable`, on purpose: librabbitmq's connection state must only be used by one thread at
/// a time, and every call blocks its thread on the network (each wait bounded: connect timeout,
/// handshake and RPC timeouts, confirm waits, TCP_USER_TIMEOUT for writes). Give the connection to
/// one owner that runs all its calls on one thread that may block, such as an actor on its own
/// serial executor; do not call it from Swift's cooperative pool directly.
///
/// Failure model: after a connection or channel error the call throws and the connection is left
/// closed (or its channel is); the next call reconnects, trying the failover list from the start,
/// or reopens the channel. Nothing is ever published twice on the connection's own initiative:
/// `publish` reports which messages were not confirmed and the caller decides.
public final class AMQPConnection {
    public let configuration: AMQPConfiguration
    private var session: AMQPSession?
    /// Queues `ensureQueue` has checked or created on the current connection.
    private var ensuredQueues: Set<String> = []
    private var isClosedByCaller = false
    /// Memory for one outgoing message at a time; recycled after each `basic.publish`.
    private let publishPool = AMQPPool()

    /// Connects to the first endpoint that accepts: TCP or TLS, login, channel 1 in confirm mode.
    public init(configuration: AMQPConfiguration) throws(AMQPClientError) {
        self.configuration = configuration
        session = try connect()
    }

    deinit {
        session?.close()
    }

    /// The connection is open (it may still turn out to be dead at the next call).
    public var isConnected: Bool {
        guard let session else { return false }
        return !session.isBroken
    }

    /// The broker of the failover list this connection is talking to.
    public var connectedEndpoint: AMQPEndpoint? {
        isConnected ? session?.endpoint : nil
    }

    // MARK: Queues

    /// Makes sure a queue named `name` exists, without ever changing a queue a worker declared.
    ///
    /// First a passive declare: if the queue exists, whatever its arguments (durable, quorum,
    /// `x-max-priority`), that is all. If it does not (404, which closes the channel), the channel is
    /// reopened and the queue declared durable, non-exclusive, non-auto-delete and without
    /// arguments, as Celery's default configuration declares it. If a worker declared it with other
    /// arguments in between (406), it is accepted with a passive declare. Remembered per connection.
    public func ensureQueue(_ name: String) throws(AMQPClientError) {
        guard !name.isEmpty, name.utf8.count <= 255 else {
            throw AMQPClientError(.invalidMessage, "cannot declare queue \"\(name)\": a queue name has 1 to 255 bytes")
        }
        let session = try readySession()
        if ensuredQueues.contains(name) { return }
        try using(session) { () throws(AMQPClientError) in
            do throws(AMQPClientError) {
                try session.declareQueue(name, passive: true)
            } catch where error.kind == .channelClosed && error.replyCode == AMQPReplyCode.notFound {
                try session.openChannel()
                do throws(AMQPClientError) {
                    try session.declareQueue(name, passive: false, durable: true)
                } catch where error.kind == .channelClosed && error.replyCode == AMQPReplyCode.preconditionFailed {
                    try session.openChannel()
                    try session.declareQueue(name, passive: true)
                }
            }
        }
        ensuredQueues.insert(name)
    }

    // MARK: Publishing

    /// Publishes every message of the batch, then waits until the broker has confirmed them all.
    ///
    /// All messages are written first and the confirms (`basic.ack`, often covering many messages
    /// with `multiple`) collected afterwards: one round trip per batch, not per message. The wait is
    /// bounded: it fails when no confirm arrives for `configuration.operationTimeout`.
    ///
    /// Throws when any message is not confirmed: returned as unroutable (`basic.return`, e.g.
    /// NO_ROUTE 312, for messages with `mandatory`), refused (`basic.nack`), or left without a
    /// confirm because the channel or connection failed. `failedMessages` of the error lists them
    /// by index, with `mayHaveBeenQueued` for those whose fate is unknown.
    public func publish(_ batch: [AMQPOutgoingMessage]) throws(AMQPClientError) {
        guard !batch.isEmpty else { return }
        func notSent(_ range: Range<Int>) -> [AMQPPublishFailure] {
            range.map {
                AMQPPublishFailure(
                    index: $0, exchange: batch[$0].exchange, routingKey: batch[$0].routingKey, reason: .notSent)
            }
        }
        for (index, message) in batch.enumerated() {
            do {
                try message.validate()
            } catch {
                throw AMQPClientError(
                    .invalidMessage, "cannot publish message #\(index) to \(message.destination): \(error.reason)"
                ).publishing(notSent(0..<batch.count), batchSize: batch.count)
            }
        }
        let session: AMQPSession
        do {
            session = try readySession()
        } catch {
            throw error.publishing(notSent(0..<batch.count), batchSize: batch.count)
        }

        var confirmation = BatchConfirmation(firstDeliveryTag: session.nextDeliveryTag, count: 0)
        var failure: AMQPClientError?
        for message in batch {
            do {
                try session.publish(message, pool: publishPool)
                confirmation.count += 1
            } catch {
                failure = error
                break
            }
        }
        if failure == nil {
            failure = waitForConfirms(&confirmation, of: batch, on: session)
        }
        if session.isBroken { self.session = nil }

        let failures = confirmation.failures(of: batch) + notSent(confirmation.count..<batch.count)
        guard !failures.isEmpty else { return }
        if let failure { throw failure.publishing(failures, batchSize: batch.count) }
        let first = failures[0]
        let reason: String
        var replyCode: UInt16?
        switch first.reason {
        case .returned(let code, let text):
            reason = AMQPReplyCode.describe(code, text)
            replyCode = code
        default:
            reason = "the broker refused it (basic.nack)"
        }
        throw AMQPClientError(
            .publishRejected, "cannot publish to \(batch[first.index].destination): \(reason)", replyCode: replyCode
        ).publishing(failures, batchSize: batch.count)
    }

    /// Reads confirms until every published message of the batch has one; returns what stopped it
    /// early, if anything.
    private func waitForConfirms(
        _ confirmation: inout BatchConfirmation, of batch: [AMQPOutgoingMessage], on session: AMQPSession
    ) -> AMQPClientError? {
        let timeout = configuration.operationTimeout
        var deadline = ContinuousClock.now + timeout
        var blockedReason: String?
        while confirmation.pendingCount > 0 {
            let now = ContinuousClock.now
            guard now < deadline else {
                // An unresponsive broker: do not wait for it once more to close politely.
                session.abandon()
                let blocked = blockedReason.map { " (the broker blocked the connection: \($0))" } ?? ""
                return AMQPClientError(
                    .timedOut,
                    "cannot publish to \(session.endpoint.schemeName) \(session.endpoint.location): no confirm for "
                        + "\(seconds(timeout))\(blocked)")
            }
            let event: AMQPSession.Event?
            do {
                event = try session.nextEvent(waitingAtMost: now.duration(to: deadline))
            } catch {
                return error
            }
            switch event {
            case nil, .ignored?:
                continue
            case .ack(let tag, let multiple)?:
                confirmation.acknowledge(deliveryTag: tag, multiple: multiple, positive: true)
                deadline = ContinuousClock.now + timeout
            case .nack(let tag, let multiple)?:
                confirmation.acknowledge(deliveryTag: tag, multiple: multiple, positive: false)
                deadline = ContinuousClock.now + timeout
            case .returned(let returned)?:
                confirmation.record(returned, of: batch)
            case .blocked(let reason)?:
                blockedReason = reason
            case .unblocked?:
                blockedReason = nil
            case .channelClosed(let code, let text)?:
                let culprit = confirmation.firstPending.map { batch[$0].destination } ?? "the channel"
                return AMQPClientError(
                    .channelClosed, "cannot publish to \(culprit): \(AMQPReplyCode.describe(code, text))", replyCode: code)
            case .connectionClosed(let code, let text)?:
                return AMQPClientError(
                    .connectionLost,
                    "\(session.endpoint.schemeName) \(session.endpoint.location) closed the connection while publishing: "
                        + AMQPReplyCode.describe(code, text), replyCode: code)
            }
        }
        return nil
    }

    // MARK: Staying alive

    /// Lets librabbitmq send a heartbeat if one is due and reads what the broker sent while the
    /// connection was idle. Call it every few seconds while not publishing (well within the
    /// heartbeat interval), so the broker does not drop an idle connection.
    ///
    /// Throws when the connection turns out to be dead (closed by the broker, socket error, or no
    /// heartbeat from the broker for two intervals); the connection is then closed and the next
    /// `publish` or `ensureQueue` reconnects. Does nothing while already closed.
    public func serviceHeartbeats() throws(AMQPClientError) {
        guard !isClosedByCaller, let session, !session.isBroken else { return }
        try using(session) { () throws(AMQPClientError) in try drainEvents(of: session) }
    }

    /// Closes the channel and the connection politely (bounded). Later calls throw `.closed`.
    public func close() {
        isClosedByCaller = true
        session?.close()
        session = nil
    }

    // MARK: Connecting

    /// A session that is open with its channel in confirm mode: the current one after reading what
    /// the broker sent meanwhile (a connection the broker closed is replaced before anything is
    /// sent on it), or a new one.
    private func readySession() throws(AMQPClientError) -> AMQPSession {
        guard !isClosedByCaller else {
            throw AMQPClientError(.closed, "the connection to \(configuration.redacted) was closed by close()")
        }
        if let session {
            do {
                if !session.isBroken { try drainEvents(of: session) }
                if !session.isBroken && !session.isChannelOpen { try session.openChannel() }
                if !session.isBroken { return session }
            } catch {
                // Broken: reconnect below.
            }
            self.session = nil
        }
        let session = try connect()
        self.session = session
        ensuredQueues = []
        return session
    }

    /// Tries every endpoint in order; the error names each failure.
    private func connect() throws(AMQPClientError) -> AMQPSession {
        var errors: [AMQPClientError] = []
        for endpoint in configuration.endpoints {
            do {
                return try AMQPSession(endpoint: endpoint, configuration: configuration)
            } catch {
                errors.append(error)
            }
        }
        guard let last = errors.last else {
            throw AMQPClientError(.invalidConfiguration, "no AMQP broker configured")
        }
        if errors.count == 1 { throw last }
        throw AMQPClientError(
            last.kind,
            "cannot connect to any of \(errors.count) AMQP brokers: " + errors.map(\.description).joined(separator: "; "),
            replyCode: last.replyCode)
    }

    /// Reads every event already waiting, without blocking. Throws if the connection is dead;
    /// a channel the broker closed is noted (and reopened by the next call).
    private func drainEvents(of session: AMQPSession) throws(AMQPClientError) {
        while !session.isBroken, let event = try session.nextEvent(waitingAtMost: .zero) {
            if case .connectionClosed(let code, let text) = event {
                throw AMQPClientError(
                    .connectionLost,
                    "\(session.endpoint.schemeName) \(session.endpoint.location) closed the connection: "
                        + AMQPReplyCode.describe(code, text), replyCode: code)
            }
        }
    }

    /// Runs `body`; if it leaves the session broken, forgets it so the next call reconnects.
    private func using(_ session: AMQPSession, _ body: () throws(AMQPClientError) -> Void) throws(AMQPClientError) {
        do {
            try body()
        } catch {
            if session.isBroken { self.session = nil }
            throw error
        }
    }
}
