@testable import AMQPClient
@testable import RedisClient

/// `urls`: Redis and AMQP broker URLs (failover lists, query options, sentinels), and their redacted form.
@Sendable func fuzzURLs(_ bytes: [UInt8]) {
    let text = text(bytes)
    if let redis = try? RedisConfiguration(url: text) { _ = redis.description }
    if let amqp = try? AMQPConfiguration(url: text) { _ = amqp.redacted }
}

/// `resp`: RESP replies as the connection reads them: hiredis's reader (not ours) cuts them, then
/// our code copies each into a `RedisReply` and reads pub/sub events and values out of it.
///
/// Inputs that announce an array of over 65,536 elements are skipped: hiredis 0.14 allocates the
/// whole array of pointers on reading the header (8 bytes an element, 600 MB for `*77777771`),
/// before any element arrives. That is hiredis's code, not ours, and only the Redis server the beat
/// was configured with can send it (RELIABILITY.md, "Fuzzing").
@Sendable func fuzzRESP(_ bytes: [UInt8]) {
    guard !announcesHugeArray(bytes) else { return }
    guard let reader = try? RESPReader() else { return }
    let fed = bytes.withUnsafeBytes { buffer in Result { () throws(TransportFailure) in try reader.feed(buffer) } }
    do throws(TransportFailure) {
        try fed.get()
        while let reply = try reader.nextReply() {
            _ = RedisPubSubEvent(reply)
            _ = (reply.string, reply.bytes, reply.integer, reply.array, reply.errorMessage)
        }
    } catch {
        _ = error.message
    }
}

private func announcesHugeArray(_ bytes: [UInt8]) -> Bool {
    var index = bytes.startIndex
    while let star = bytes[index...].firstIndex(of: UInt8(ascii: "*")) {
        let digits = bytes[(star + 1)...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        if digits.count > 5 || (Int(String(decoding: digits, as: UTF8.self)) ?? 0) > 65_536 { return true }
        index = star + 1
    }
    return false
}

/// `amqp-confirms`: what the broker says about published batches, in any order and with any tags:
/// each byte is one event, against batches published with consecutive delivery tags as a channel
/// numbers them. The bookkeeping must never trap, and never settle a message twice.
@Sendable func fuzzAMQPConfirms(_ bytes: [UInt8]) {
    var flight = BatchesInFlight()
    var tickets: [AMQPPublishTicket] = []
    var nextTag: UInt64 = 1
    var input = bytes[...]
    while let event = input.popFirst() {
        let argument = input.popFirst() ?? 0
        switch event % 6 {
        case 0:  // a batch of 1-8 messages, to two routing keys
            let messages = (0..<Int(argument % 8 + 1)).map { AMQPOutgoingMessage(routingKey: $0 % 2 == 0 ? "a" : "b", body: []) }
            tickets.append(flight.add(messages, firstDeliveryTag: nextTag))
        case 1:  // the newest batch's next message is written
            if let ticket = tickets.last, let batch = flight.batches.last, batch.ticket == ticket,
                batch.confirmation.count < batch.messages.count
            {
                flight.wrote(ticket)
                nextTag += 1
            }
        case 2, 3:  // an ack or nack near the tags in use, or anywhere
            let tag = argument < 200 ? nextTag &- 8 &+ UInt64(argument % 16) : UInt64(argument) << 56
            flight.acknowledge(deliveryTag: tag, multiple: argument & 1 == 1, positive: event % 6 == 2)
        case 4:
            let returned = AMQPSession.Returned(
                replyCode: 312, replyText: "NO_ROUTE", exchange: "", routingKey: argument % 2 == 0 ? "a" : "b", correlationID: nil)
            flight.record(returned)
        default:
            if !tickets.isEmpty, let batch = flight.remove(tickets.removeFirst()) {
                if batch.confirmation.pendingCount < 0 { fatalError("a message was settled twice") }
                _ = batch.confirmation.failures(of: batch.messages)
            }
        }
        _ = flight.firstPendingMessage
        _ = flight.isEverySettled
    }
}
