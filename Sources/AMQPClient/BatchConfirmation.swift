/// Bookkeeping of publisher confirms for one batch: which published messages the broker has
/// acked, nacked or returned. Pure, so the `multiple` and return rules are tested without a broker.
///
/// In confirm mode the broker numbers a channel's messages 1, 2, 3... (delivery tags); message `i`
/// of the batch has tag `firstDeliveryTag + i`. An ack or nack with `multiple` covers every tag up
/// to its own. An unroutable `mandatory` message is first returned (`basic.return`, which carries
/// no delivery tag), then acked: the return is matched to the earliest still unconfirmed message
/// with the same exchange, routing key and correlation id, since RabbitMQ sends the return before
/// that message's ack and in publishing order.
struct BatchConfirmation {
    enum State: Equatable {
        case pending
        case acked
        case nacked
    }

    let firstDeliveryTag: UInt64
    /// How many messages of the batch were written (the first `count`).
    var count: Int {
        didSet {
            let added = max(0, count - states.count)
            states.append(contentsOf: repeatElement(.pending, count: added))
            pendingCount += added
        }
    }
    private(set) var states: [State] = []
    /// Written messages with neither ack nor nack yet.
    private(set) var pendingCount = 0
    private(set) var returns: [Int: (code: UInt16, text: String)] = [:]
    private var lowestPending = 0

    init(firstDeliveryTag: UInt64, count: Int) {
        self.firstDeliveryTag = firstDeliveryTag
        self.count = count
        states = Array(repeating: .pending, count: count)
        pendingCount = count
    }

    var firstPending: Int? {
        states[lowestPending...].firstIndex(of: .pending)
    }

    mutating func acknowledge(deliveryTag: UInt64, multiple: Bool, positive: Bool) {
        guard deliveryTag >= firstDeliveryTag else { return }  // a tag from before this batch
        let last = Int(clamping: deliveryTag - firstDeliveryTag)
        guard last < states.count else { return }
        let state: State = positive ? .acked : .nacked
        if multiple {
            for index in lowestPending..<max(lowestPending, last + 1) where states[index] == .pending {
                states[index] = state
                pendingCount -= 1
            }
        } else if states[last] == .pending {
            states[last] = state
            pendingCount -= 1
        }
        while lowestPending < states.count, states[lowestPending] != .pending { lowestPending += 1 }
    }

    /// Returns whether a message of this batch matched.
    @discardableResult
    mutating func record(_ returned: AMQPSession.Returned, of batch: [AMQPOutgoingMessage]) -> Bool {
        let match = states.indices[lowestPending...].first { index in
            let message = batch[index]
            return states[index] == .pending && returns[index] == nil && message.exchange == returned.exchange
                && message.routingKey == returned.routingKey
                && (returned.correlationID == nil || message.properties.correlationID == returned.correlationID)
        }
        guard let match else { return false }
        returns[match] = (returned.replyCode, returned.replyText)
        return true
    }

    /// Every written message that was not simply acked, in batch order.
    func failures(of batch: [AMQPOutgoingMessage]) -> [AMQPPublishFailure] {
        states.indices.compactMap { index in
            let reason: AMQPPublishFailure.Reason
            if let returned = returns[index] {
                reason = .returned(replyCode: returned.code, replyText: returned.text)
            } else {
                switch states[index] {
                case .acked: return nil
                case .nacked: reason = .nacked
                case .pending: reason = .unconfirmed
                }
            }
            return AMQPPublishFailure(
                index: index, exchange: batch[index].exchange, routingKey: batch[index].routingKey, reason: reason)
        }
    }
}
