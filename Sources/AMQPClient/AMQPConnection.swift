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
    private var session: AMQPSession? {
        didSet {
            // Confirms can only come on the session a batch was written to.
            if session !== oldValue {
                inFlight.failUnsettled(connectionLostBeforeConfirms)
                blockedReason = nil
                confirmDeadline = nil
            }
        }
    }
    /// Batches written (or refused) whose outcome `awaitConfirms` has not returned yet.
    private var inFlight = BatchesInFlight()
    /// Why the broker said it stopped reading (`connection.blocked`), until it says it resumed.
    private var blockedReason: String?
    /// When the batches in flight fail unless a confirm comes first (`waitForConfirms`); nil while
    /// nothing waits.
    private var confirmDeadline: ContinuousClock.Instant?
    /// Queues `ensureQueue` has checked or created on the current connection.
    private var ensuredQueues: Set<String> = []
    private var isClosedByCaller = false
    /// Memory for one outgoing message at a time; recycled after each `basic.publish`.
    private let publishPool: AMQPPool

    /// Connects to the first endpoint that accepts: TCP or TLS, login, channel 1 in confirm mode.
    public init(configuration: AMQPConfiguration) throws(AMQPClientError) {
        try RabbitMQLibrary.load()
        self.configuration = configuration
        publishPool = AMQPPool()
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
    /// reopened and the queue declared durable, non-exclusive, non-auto-delete, with `arguments`
    /// (none in Celery's default configuration; `x-max-priority` or `x-queue-type` where its
    /// `task_queues` say so), as a Celery producer declares it. If a worker declared it with other
    /// arguments in between (406), it is accepted with a passive declare. Remembered per connection.
    public func ensureQueue(_ name: String, arguments: AMQPFieldTable = AMQPFieldTable()) throws(AMQPClientError) {
        guard !name.isEmpty, name.utf8.count <= 255 else {
            throw AMQPClientError(.invalidMessage, "cannot declare queue \"\(name)\": a queue name has 1 to 255 bytes")
        }
        let session = try readySession()
        if ensuredQueues.contains(name) { return }
        // A refused declare closes the channel, and with it the confirms of batches in flight.
        if !inFlight.isEverySettled {
            waitForConfirms(until: \.isEverySettled, on: session, returningAfter: configuration.operationTimeout)
            if session.isBroken { throw connectionLostBeforeConfirms }
            if !inFlight.isEverySettled {
                throw AMQPClientError(
                    .timedOut, "cannot declare queue \"\(name)\" on \(configuration.redacted): earlier messages wait for confirms")
            }
        }
        try using(session) { () throws(AMQPClientError) in
            do throws(AMQPClientError) {
                try session.declareQueue(name, passive: true)
            } catch where error.kind == .channelClosed && error.replyCode == AMQPReplyCode.notFound {
                try session.openChannel()
                do throws(AMQPClientError) {
                    try session.declareQueue(name, passive: false, durable: true, arguments: arguments)
                } catch where error.kind == .channelClosed && error.replyCode == AMQPReplyCode.preconditionFailed {
                    try session.openChannel()
                    try session.declareQueue(name, passive: true)
                }
            }
        }
        ensuredQueues.insert(name)
    }

    // MARK: Publishing

    /// Publishes every message of the batch, then waits until the broker has confirmed them all:
    /// `send(_:)` and `awaitConfirms(_:)` in one call.
    public func publish(_ batch: [AMQPOutgoingMessage]) throws(AMQPClientError) {
        guard !batch.isEmpty else { return }
        try awaitConfirms(send(batch))
    }

    /// Writes every message of the batch and returns without waiting for the broker's confirms, so
    /// the caller can prepare the next batch while the broker works on this one. Every ticket must
    /// be passed to `awaitConfirms(_:)`, which says what became of the batch; nothing is thrown here.
    ///
    /// Confirms that arrive meanwhile are read between messages, so the socket never fills with
    /// them. A message that cannot be encoded fails the whole batch before anything is written.
    public func send(_ batch: [AMQPOutgoingMessage]) -> AMQPPublishTicket {
        func failed(_ error: AMQPClientError) -> AMQPPublishTicket {
            inFlight.add(batch, firstDeliveryTag: 0, failure: error)
        }
        for (index, message) in batch.enumerated() {
            do {
                try message.validate()
            } catch {
                return failed(
                    AMQPClientError(.invalidMessage, "cannot publish message #\(index) to \(message.destination): \(error.reason)"))
            }
        }
        let session: AMQPSession
        do {
            session = try readySession()
        } catch {
            return failed(error)
        }
        let ticket = inFlight.add(batch, firstDeliveryTag: session.nextDeliveryTag)
        session.corked {
            for (index, message) in batch.enumerated() {
                do throws(AMQPClientError) {
                    if index % Self.messagesBetweenReads == Self.messagesBetweenReads - 1 {
                        try readEvents(of: session)
                        // Closed by the broker (e.g. an earlier batch named a missing exchange): a
                        // publish on it now would make the broker close the whole connection.
                        guard session.isChannelOpen else { break }
                    }
                    try session.publish(message, pool: publishPool)
                    inFlight.wrote(ticket)
                } catch {
                    inFlight.failUnsettled(error)
                    break
                }
            }
        }
        if session.isBroken { self.session = nil }
        return ticket
    }

    /// How many messages are written between two non-blocking reads of the broker's confirms.
    static var messagesBetweenReads: Int { 128 }

    /// Waits until the broker has confirmed every message of the batch `send(_:)` returned the
    /// ticket for, and forgets the batch.
    ///
    /// Confirms (`basic.ack`, often covering many messages with `multiple`) are collected for every
    /// batch in flight while waiting. The wait is bounded: it fails when no confirm arrives for
    /// `configuration.operationTimeout` while the broker has not said it blocked the connection.
    ///
    /// Throws when any message is not confirmed: returned as unroutable (`basic.return`, e.g.
    /// NO_ROUTE 312, for messages with `mandatory`), refused (`basic.nack`), or left without a
    /// confirm because the channel or connection failed. `failedMessages` of the error lists them
    /// by index, with `mayHaveBeenQueued` for those whose fate is unknown.
    public func awaitConfirms(_ ticket: AMQPPublishTicket) throws(AMQPClientError) {
        _ = try awaitConfirms(ticket, waitingAtMost: nil)
    }

    /// `awaitConfirms(_:)` that gives up after `limit` and returns false, the batch still in
    /// flight, so a caller with other deadlines (a lock to renew) can come back for it; true once the
    /// batch is settled (and forgotten), throwing as `awaitConfirms(_:)` does. The
    /// `operationTimeout` without a confirm runs on across calls, so a broker that stops answering
    /// still fails the batches in the end.
    public func awaitConfirms(_ ticket: AMQPPublishTicket, waitingAtMost limit: Duration?) throws(AMQPClientError) -> Bool {
        if !inFlight.isSettled(ticket) {
            if let session {
                waitForConfirms(until: { $0.isSettled(ticket) }, on: session, returningAfter: limit)
            } else {
                inFlight.failUnsettled(connectionLostBeforeConfirms)
            }
            if !inFlight.isSettled(ticket) { return false }
        }
        guard let batch = inFlight.remove(ticket) else {
            throw AMQPClientError(.invalidMessage, "no batch sent on \(configuration.redacted) waits for this ticket")
        }
        try Self.outcome(of: batch)
        return true
    }

    /// Why the broker said it stops reading from this connection (`connection.blocked`: RabbitMQ's
    /// disk or memory alarm), until it says it resumed; as last read by a call.
    public var blockedByBroker: String? { blockedReason }

    /// Throws what went wrong with a settled batch, naming each message that was not confirmed.
    private static func outcome(of batch: BatchesInFlight.Batch) throws(AMQPClientError) {
        let messages = batch.messages
        let written = batch.confirmation.count
        let notSent = (written..<messages.count).map {
            AMQPPublishFailure(index: $0, exchange: messages[$0].exchange, routingKey: messages[$0].routingKey, reason: .notSent)
        }
        let failures = batch.confirmation.failures(of: messages) + notSent
        guard !failures.isEmpty else { return }
        if let failure = batch.failure { throw failure.publishing(failures, batchSize: messages.count) }
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
            .publishRejected, "cannot publish to \(messages[first.index].destination): \(reason)", replyCode: replyCode
        ).publishing(failures, batchSize: messages.count)
    }

    /// Reads the broker's events until `done` holds for the batches in flight, until one stops them
    /// all (recorded in each as its failure), or until `limit` has passed (nothing recorded).
    ///
    /// A broker that said it blocked the connection (`connection.blocked`) is alive and will read
    /// again once its alarm clears: its silence does not time the batches out (a broker that dies
    /// meanwhile is noticed by the missing heartbeats). Otherwise the batches fail after
    /// `operationTimeout` without a confirm, counted across calls (`confirmDeadline`).
    private func waitForConfirms(
        until done: (BatchesInFlight) -> Bool, on session: AMQPSession, returningAfter limit: Duration? = nil
    ) {
        let timeout = configuration.operationTimeout
        let returnBy = limit.map { ContinuousClock.now + $0 }
        while !done(inFlight) {
            let now = ContinuousClock.now
            if confirmDeadline == nil || blockedReason != nil { confirmDeadline = now + timeout }
            let deadline = confirmDeadline ?? now + timeout
            let stopAt = returnBy.map { min($0, deadline) } ?? deadline
            do {
                // Read once even past a deadline: confirms may have come while the caller was away.
                if let event = try session.nextEvent(waitingAtMost: now < stopAt ? now.duration(to: stopAt) : .zero) {
                    if try handle(event, of: session) { confirmDeadline = ContinuousClock.now + timeout }
                    continue
                }
            } catch {
                inFlight.failUnsettled(error)
                break
            }
            let after = ContinuousClock.now
            if after >= deadline && blockedReason == nil {
                // An unresponsive broker: do not wait for it once more to close politely.
                session.abandon()
                inFlight.failUnsettled(
                    AMQPClientError(
                        .timedOut,
                        "cannot publish to \(session.endpoint.schemeName) \(session.endpoint.location): no confirm for "
                            + "\(seconds(timeout))"))
                break
            }
            if let returnBy, after >= returnBy { break }
        }
        if inFlight.isEverySettled { confirmDeadline = nil }
        if session.isBroken { self.session = nil }
    }

    /// Applies one event from the broker to the batches in flight; returns whether it confirmed
    /// something. Throws when the broker closed the connection (every batch in flight fails).
    @discardableResult
    private func handle(_ event: AMQPSession.Event, of session: AMQPSession) throws(AMQPClientError) -> Bool {
        switch event {
        case .ignored:
            return false
        case .ack(let tag, let multiple):
            inFlight.acknowledge(deliveryTag: tag, multiple: multiple, positive: true)
            return true
        case .nack(let tag, let multiple):
            inFlight.acknowledge(deliveryTag: tag, multiple: multiple, positive: false)
            return true
        case .returned(let returned):
            inFlight.record(returned)
        case .blocked(let reason):
            blockedReason = reason
        case .unblocked:
            blockedReason = nil
        case .channelClosed(let code, let text):
            let culprit = inFlight.firstPendingMessage?.destination ?? "the channel"
            inFlight.failUnsettled(
                AMQPClientError(
                    .channelClosed, "cannot publish to \(culprit): \(AMQPReplyCode.describe(code, text))", replyCode: code))
        case .connectionClosed(let code, let text):
            let error = AMQPClientError(
                .connectionLost,
                "\(session.endpoint.schemeName) \(session.endpoint.location) closed the connection: "
                    + AMQPReplyCode.describe(code, text), replyCode: code)
            inFlight.failUnsettled(error)
            throw error
        }
        return false
    }

    /// What the batches still waiting get when their connection is dropped without a reason of
    /// their own (the connection closed by `close()`, or replaced after a failure elsewhere).
    private var connectionLostBeforeConfirms: AMQPClientError {
        AMQPClientError(.connectionLost, "the connection to \(configuration.redacted) ended before the broker confirmed")
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
        try using(session) { () throws(AMQPClientError) in try readEvents(of: session) }
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
                if !session.isBroken { try readEvents(of: session) }
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

    /// Reads every event already waiting, without blocking, and applies it to the batches in
    /// flight. Throws if the connection is dead; a channel the broker closed is noted (and reopened
    /// by the next call).
    private func readEvents(of session: AMQPSession) throws(AMQPClientError) {
        do {
            while !session.isBroken, let event = try session.nextEvent(waitingAtMost: .zero) {
                try handle(event, of: session)
            }
        } catch {
            inFlight.failUnsettled(error)
            throw error
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
