import BeatCore
import CeleryMessage
import CeleryRouting
import CivilTime
import JSON

extension Entry {
    /// The task message for a firing at `now`, with the entry's options applied as Celery's beat
    /// applies them (`apply_async(**entry.options)`, routed by the app's router), and the headers
    /// Celery 5.7's beat and django-celery-beat add, so workers and monitoring can tell a periodic
    /// task and its entry.
    func message(id: String, producer: CeleryProducer, now: Instant, routes: inout RouteMemo) throws(RoutingError) -> CeleryMessage {
        let route = try routes.route(task: task, options: options)
        let options = route.passedOptions.isEmpty ? options : options.merged(over: try EntryOptions(reading: route.passedOptions))
        var headers = options.headers
        headers["celery_beat_task"] = .bool(true)
        headers["periodic_task_name"] = .string(name)
        return CeleryMessage(
            task: task, id: id, args: args, kwargs: kwargs,
            destination: route.destination,
            eta: options.countdown.map { now + Microseconds(Int64(($0 * 1_000_000).rounded())) },
            expires: options.expires?.instant(sentAt: now),
            timeLimit: options.timeLimit, softTimeLimit: options.softTimeLimit,
            priority: route.priority, deliveryMode: route.deliveryMode, extraHeaders: headers,
            origin: producer.origin, replyTo: producer.replyTo, now: now)
    }
}
