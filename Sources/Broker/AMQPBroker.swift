public import AMQPClient
public import CeleryMessage
public import JSON

/// RabbitMQ (AMQP 0-9-1) through librabbitmq, with publisher confirms and mandatory routing.
///
/// Messages go to the default exchange with the queue as routing key unless an exchange and a
/// routing key are given (Celery's rule). Before the first message for a queue on the default
/// exchange, the queue is ensured the way a Celery producer declares it, without ever redeclaring
/// a worker's queue with other arguments.
public final class AMQPBroker: Broker {
    public let connection: AMQPConnection
    /// The arguments a queue that does not exist yet is declared with, by name (the config's
    /// `task_queues`, as `CeleryRouting.Router.queueArguments(for:)` gives them).
    let queueArguments: @Sendable (String) -> JSONObject

    public init(connection: AMQPConnection, queueArguments: @escaping @Sendable (String) -> JSONObject = { _ in [:] }) {
        self.connection = connection
        self.queueArguments = queueArguments
    }

    public var description: String { connection.configuration.redacted }

    public func publish(_ batch: [CeleryMessage]) throws(BrokerError) {
        try finishPublishing(startPublishing(batch))
    }

    /// Writes the batch and returns before RabbitMQ confirms it: the confirms of one batch arrive
    /// while the next is prepared, instead of RabbitMQ waiting for the beat and the beat for RabbitMQ.
    ///
    /// A message whose headers AMQP cannot carry is left out and reported; the others are sent, so
    /// one bad entry does not hold back the firings of every entry due with it.
    public func startPublishing(_ batch: [CeleryMessage]) -> PublishingBatch {
        var outgoing: [AMQPOutgoingMessage] = []
        outgoing.reserveCapacity(batch.count)
        var positions: [Int] = []
        positions.reserveCapacity(batch.count)
        var refusals: [String] = []
        var refused: [Int] = []
        for (index, message) in batch.enumerated() {
            do {
                outgoing.append(try Self.outgoing(message))
                positions.append(index)
            } catch {
                refusals.append("task \(message.id) (\(message.task)): \(error.reason)")
                refused.append(index)
            }
        }
        let refusal = refused.isEmpty ? nil : BrokerError(.invalidMessage, refusals.joined(separator: "; "), unconfirmed: refused)
        guard !outgoing.isEmpty else { return PublishingBatch(count: batch.count, progress: .finished(refusal)) }
        do {
            for queue in Set(positions.map { batch[$0].destination }.filter(\.exchange.isEmpty).map(\.queue)) {
                let arguments: AMQPFieldTable
                do throws(HeaderError) {
                    arguments = try Self.fieldTable(queueArguments(queue))
                } catch {
                    let failure = BrokerError(
                        .invalidMessage, "cannot declare queue \"\(queue)\": \(error.reason)", unconfirmed: Array(0..<batch.count))
                    return PublishingBatch(count: batch.count, progress: .finished(failure))
                }
                try connection.ensureQueue(queue, arguments: arguments)
            }
        } catch {
            return PublishingBatch(count: batch.count, progress: .finished(Self.brokerError(error, batchSize: batch.count)))
        }
        let ticket = connection.send(outgoing)
        return PublishingBatch(count: batch.count, progress: .awaitingConfirms(ticket, positions: positions, refusal: refusal))
    }

    public func finishPublishing(_ batch: PublishingBatch) throws(BrokerError) {
        _ = try finishPublishing(batch, waitingAtMost: nil)
    }

    public func finishPublishing(_ batch: PublishingBatch, waitingAtMost limit: Duration) throws(BrokerError) -> Bool {
        try finishPublishing(batch, waitingAtMost: Optional(limit))
    }

    public var blockedReason: String? { connection.blockedByBroker }

    private func finishPublishing(_ batch: PublishingBatch, waitingAtMost limit: Duration?) throws(BrokerError) -> Bool {
        switch batch.progress {
        case .finished(let error):
            if let error { throw error }
        case .awaitingConfirms(let ticket, let positions, let refusal):
            do {
                guard try connection.awaitConfirms(ticket, waitingAtMost: limit) else { return false }
            } catch {
                var failure = Self.brokerError(error, batchSize: positions.count)
                failure.unconfirmed = (failure.unconfirmed.map { positions[$0] } + (refusal?.unconfirmed ?? [])).sorted()
                if let refusal { failure.description += "; " + refusal.description }
                throw failure
            }
            if let refusal { throw refusal }
        }
        return true
    }

    public func keepAlive() {
        try? connection.serviceHeartbeats()
    }

    public func close() {
        connection.close()
    }

    /// The AMQP form of a Celery message: Celery's properties, and its headers as a field table
    /// of the types py-amqp decodes correctly.
    static func outgoing(_ message: CeleryMessage) throws(HeaderError) -> AMQPOutgoingMessage {
        let properties = AMQPProperties(
            contentType: "application/json", contentEncoding: "utf-8", correlationID: message.id,
            replyTo: message.replyTo, deliveryMode: message.deliveryMode == 1 ? .transient : .persistent, priority: UInt8(clamping: message.priority),
            expiration: message.expirationMilliseconds.map { String($0) },
            headers: try headerTable(message))
        return AMQPOutgoingMessage(
            exchange: message.destination.exchange, routingKey: message.destination.routingKey,
            body: message.body, properties: properties, mandatory: true)
    }

    struct HeaderError: Error {
        var reason: String
    }

    /// The message's headers, straight from `forEachHeader`: only the values that are not a plain
    /// string, null or integer (extra headers, `timelimit`, `stamps`, times) go through `fieldValue`.
    static func headerTable(_ message: CeleryMessage) throws(HeaderError) -> AMQPFieldTable {
        var table = AMQPFieldTable()
        table.entries.reserveCapacity(24)
        var failure: HeaderError?
        message.forEachHeader { name, value in
            guard failure == nil else { return }
            let key = name.text
            let field: AMQPFieldValue
            switch value {
            case .string(let string): field = .string(string)
            case .null: field = .null
            case .integer(let integer): field = .integer(Int(integer))
            case .instant, .timeLimit, .json:
                do throws(HeaderError) {
                    field = try fieldValue(value.json, at: key)
                } catch {
                    failure = error
                    return
                }
            }
            table.entries.append(AMQPFieldTable.Entry(key: key, value: field))
        }
        if let failure { throw failure }
        return table
    }

    /// Python sends `int` as `I` or `L` by size and `float` as `d`; an integer beyond 64 bits cannot
    /// travel in a header at all (py-amqp would refuse it too), so it is an error, not a rounding.
    static func fieldValue(_ value: JSONValue, at path: String) throws(HeaderError) -> AMQPFieldValue {
        switch value {
        case .null: return .null
        case .bool(let bool): return .bool(bool)
        case .string(let string): return .string(string)
        case .number(let number):
            if number.isInteger {
                guard let integer = number.int64Value else {
                    throw HeaderError(reason: "header \(path): the integer \(number.literal) does not fit in 64 bits")
                }
                return .integer(Int(integer))
            }
            return .double(number.doubleValue)
        case .array(let elements):
            var values: [AMQPFieldValue] = []
            for (index, element) in elements.enumerated() {
                values.append(try fieldValue(element, at: "\(path)[\(index)]"))
            }
            return .array(values)
        case .object(let object):
            var table = AMQPFieldTable()
            for member in object.members {
                table.entries.append(.init(key: member.key, value: try fieldValue(member.value, at: "\(path).\(member.key)")))
            }
            return .table(table)
        }
    }

    /// A queue's declaration arguments as an AMQP field table.
    static func fieldTable(_ arguments: JSONObject) throws(HeaderError) -> AMQPFieldTable {
        guard !arguments.isEmpty, case .table(let table) = try fieldValue(.object(arguments), at: "queue_arguments") else {
            return AMQPFieldTable()
        }
        return table
    }

    static func brokerError(_ error: AMQPClientError, batchSize: Int) -> BrokerError {
        let unconfirmed = error.failedMessages.isEmpty ? Array(0..<batchSize) : error.failedMessages.map(\.index).sorted()
        let kind: BrokerError.Kind =
            switch error.kind {
            case .publishRejected, .channelClosed: .rejected
            case .invalidMessage: .invalidMessage
            case .invalidConfiguration, .loginRefused, .tlsFailed: .configuration
            default: .unreachable
            }
        return BrokerError(kind, "\(error)", unconfirmed: unconfirmed)
    }
}
