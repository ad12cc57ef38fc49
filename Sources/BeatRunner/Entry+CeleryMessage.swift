import BeatCore
import CeleryMessage
import CivilTime
import JSON

extension Entry {
    /// The task message for a firing at `now`, with the entry's options applied as Celery's beat
    /// applies them (`apply_async(**entry.options)`), and the headers Celery 5.7's beat and
    /// django-celery-beat add, so workers and monitoring can tell a periodic task and its entry.
    func message(id: String, producer: CeleryProducer, now: Instant) -> CeleryMessage {
        var headers = options.headers
        headers["celery_beat_task"] = .bool(true)
        headers["periodic_task_name"] = .string(name)
        return CeleryMessage(
            task: task, id: id, args: args, kwargs: kwargs,
            destination: .init(queue: options.queue ?? "celery", exchange: options.exchange, routingKey: options.routingKey),
            eta: options.countdown.map { now + Microseconds(Int64(($0 * 1_000_000).rounded())) },
            expires: options.expires?.instant(sentAt: now),
            timeLimit: options.timeLimit, softTimeLimit: options.softTimeLimit,
            priority: options.priority ?? 0, extraHeaders: headers,
            origin: producer.origin, replyTo: producer.replyTo, now: now)
    }
}
