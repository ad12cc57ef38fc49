/// Names a batch given to `AMQPConnection.send(_:)` until `awaitConfirms(_:)` claims its outcome.
public struct AMQPPublishTicket: Hashable, Sendable {
    let number: Int
}

/// The batches written on the connection whose outcome has not been claimed yet, oldest first, and
/// the routing of the broker's confirms to them. Pure, so the rules are tested without a broker.
///
/// Several batches may wait for confirms at once, so the broker always has the next batch to work
/// on while the publisher prepares another. Delivery tags run on across batches of a channel: an
/// ack with `multiple` may settle several batches at once. A `basic.return` goes to the oldest
/// batch holding a matching unconfirmed message, since RabbitMQ returns in publishing order.
struct BatchesInFlight {
    struct Batch {
        let ticket: AMQPPublishTicket
        let messages: [AMQPOutgoingMessage]
        /// Counts the messages written so far (`confirmation.count`) and their confirms.
        var confirmation: BatchConfirmation
        /// Why the rest of the batch will never be confirmed: a write failed, the channel or the
        /// connection closed, the broker stopped answering, or nothing could be sent at all.
        var failure: AMQPClientError?

        /// Nothing more will happen to it: every written message has its confirm, or it failed.
        var isSettled: Bool { failure != nil || confirmation.pendingCount == 0 }

        /// The last delivery tag this batch can hold.
        var lastDeliveryTag: UInt64 { confirmation.firstDeliveryTag + UInt64(max(confirmation.count, 1)) - 1 }
    }

    private(set) var batches: [Batch] = []
    private var lastTicket = 0

    /// Registers a batch whose first message will carry `firstDeliveryTag`, written by `wrote(_:)`
    /// message by message; or one that already failed (then nothing of it is written).
    mutating func add(
        _ messages: [AMQPOutgoingMessage], firstDeliveryTag: UInt64, failure: AMQPClientError? = nil
    ) -> AMQPPublishTicket {
        lastTicket += 1
        let ticket = AMQPPublishTicket(number: lastTicket)
        batches.append(
            Batch(
                ticket: ticket, messages: messages,
                confirmation: BatchConfirmation(firstDeliveryTag: firstDeliveryTag, count: 0), failure: failure))
        return ticket
    }

    /// One more message of the newest batch is on the wire.
    mutating func wrote(_ ticket: AMQPPublishTicket) {
        guard let index = index(of: ticket) else { return }
        batches[index].confirmation.count += 1
    }

    /// An ack or nack, which with `multiple` covers every earlier tag, in any batch.
    mutating func acknowledge(deliveryTag: UInt64, multiple: Bool, positive: Bool) {
        for index in batches.indices where batches[index].failure == nil {
            let batch = batches[index]
            guard batch.confirmation.count > 0, deliveryTag >= batch.confirmation.firstDeliveryTag else { continue }
            if deliveryTag <= batch.lastDeliveryTag {
                batches[index].confirmation.acknowledge(deliveryTag: deliveryTag, multiple: multiple, positive: positive)
            } else if multiple {
                batches[index].confirmation.acknowledge(
                    deliveryTag: batch.lastDeliveryTag, multiple: true, positive: positive)
            }
        }
    }

    mutating func record(_ returned: AMQPSession.Returned) {
        for index in batches.indices where batches[index].failure == nil {
            if batches[index].confirmation.record(returned, of: batches[index].messages) { return }
        }
    }

    /// Ends every batch still waiting: its unconfirmed messages stay unconfirmed, with `error`.
    mutating func failUnsettled(_ error: AMQPClientError) {
        for index in batches.indices where !batches[index].isSettled {
            batches[index].failure = error
        }
    }

    /// The oldest message still waiting for its confirm, to name in an error.
    var firstPendingMessage: AMQPOutgoingMessage? {
        for batch in batches where !batch.isSettled {
            if let index = batch.confirmation.firstPending { return batch.messages[index] }
        }
        return nil
    }

    var isEverySettled: Bool { batches.allSatisfy(\.isSettled) }

    func isSettled(_ ticket: AMQPPublishTicket) -> Bool {
        index(of: ticket).map { batches[$0].isSettled } ?? true
    }

    /// Hands the batch over to whoever claims its outcome, and forgets it.
    mutating func remove(_ ticket: AMQPPublishTicket) -> Batch? {
        index(of: ticket).map { batches.remove(at: $0) }
    }

    private func index(of ticket: AMQPPublishTicket) -> Int? {
        // The batch claimed is nearly always the oldest.
        batches.firstIndex { $0.ticket == ticket }
    }
}
