// publish-bench URL COUNT [BATCH]: builds COUNT task messages like the beat's (task bench.noop,
// args [i], expires one hour after sending, the beat's two extra headers) and publishes them in
// batches of BATCH (1,000, the beat's batch size) as `run` does: `Broker.startPublishing` for a
// batch, then `finishPublishing` for the one before the one before (the beat leaves two batches
// unconfirmed), so the broker has a batch to work on while the next is built. Prints "messages
// seconds rate bytes" (bytes: one message's body).
import Broker
import CeleryMessage
import CivilTime
import JSON

#if canImport(Glibc)
import Glibc
#endif

func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func nowInstant() -> Instant {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    return Instant(microsecondsSinceEpoch: Int64(t.tv_sec) * 1_000_000 + Int64(t.tv_nsec) / 1000)
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, let count = Int(arguments[2]) else {
    print("usage: publish-bench URL COUNT [BATCH]")
    exit(2)
}
let batchSize = arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000

do {
    let broker = try BrokerURL(arguments[1]).connect()
    var producer = CeleryProducer()
    func message(_ i: Int) -> CeleryMessage {
        let now = nowInstant()
        return CeleryMessage(
            task: "bench.noop", id: producer.nextTaskID(), args: [.integer(i)], kwargs: [:],
            destination: .init(queue: "celery"), expires: now + Microseconds(3_600_000_000),
            extraHeaders: ["celery_beat_task": .bool(true), "periodic_task_name": .string("e\(i)")],
            origin: producer.origin, replyTo: producer.replyTo, now: now)
    }
    // One batch first, so connecting and declaring the queue are not timed.
    try broker.publish((0..<min(batchSize, count)).map(message))
    let start = monotonicSeconds()
    var sent = 0
    var unconfirmed: [PublishingBatch] = []
    while sent < count {
        let n = min(batchSize, count - sent)
        unconfirmed.append(broker.startPublishing((sent..<(sent + n)).map(message)))
        if unconfirmed.count > 2 { try broker.finishPublishing(unconfirmed.removeFirst()) }
        sent += n
    }
    for batch in unconfirmed { try broker.finishPublishing(batch) }
    let seconds = monotonicSeconds() - start
    print(sent, seconds, Double(sent) / seconds, message(0).body.count)
    broker.close()
} catch {
    print("publish-bench: \(error)")
    exit(1)
}
