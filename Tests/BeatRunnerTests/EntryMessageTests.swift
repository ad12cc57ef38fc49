import BeatCore
@testable import BeatRunner
import CeleryMessage
import CeleryRouting
import CivilTime
import JSON
import Testing

/// An entry's options become the task message the way Celery's beat applies them
/// (`apply_async(**entry.options)`), plus the headers that mark a periodic task.
@Suite struct EntryMessageTests {
    private let now = CivilDateTime(year: 2026, month: 11, day: 27, hour: 18, minute: 0, second: 5, microsecond: 250_000).instant()
    private let producer = CeleryProducer()

    private func message(_ json: String, router: Router = .celeryDefaults) throws -> CeleryMessage {
        let entry = try EntryDecoder.decode(key: "tasks:meta:report", name: "report", json: Array(json.utf8))
        var routes = RouteMemo(router: router)
        return try entry.message(id: "11111111-2222-4333-8444-555555555555", producer: producer, now: now, routes: &routes)
    }

    @Test func defaults() throws {
        let message = try message(#"{"task": "tasks.add", "schedule": {"every": 5}, "args": [2, "x"], "kwargs": {"k": null}}"#)
        #expect(message.task == "tasks.add")
        #expect(message.id == "11111111-2222-4333-8444-555555555555")
        #expect(message.args == [.integer(2), .string("x")])
        #expect(message.kwargs == ["k": .null])
        #expect(message.destination == CeleryMessage.Destination(queue: "celery"))
        #expect(message.destination.exchange == "" && message.destination.routingKey == "celery")
        #expect(message.priority == 0)
        #expect(message.eta == nil && message.expires == nil && message.expirationMilliseconds == nil)
        #expect(message.timeLimit == nil && message.softTimeLimit == nil)
        #expect(message.headers["timelimit"] == .array([.null, .null]))
        #expect(message.origin == producer.origin && message.replyTo == producer.replyTo)
        #expect(message.extraHeaders == ["celery_beat_task": .bool(true), "periodic_task_name": .string("report")])
    }

    @Test func queueExchangeAndRoutingKey() throws {
        let queued = try message(#"{"task": "t", "schedule": {"every": 5}, "options": {"queue": "reports"}}"#)
        #expect(queued.destination.queue == "reports" && queued.destination.exchange == "" && queued.destination.routingKey == "reports")
        let routed = try message(#"{"task": "t", "schedule": {"every": 5}, "options": {"queue": "q", "exchange": "ex", "routing_key": "rk"}}"#)
        #expect(routed.destination.queue == "q" && routed.destination.exchange == "ex" && routed.destination.routingKey == "rk")
        // Celery's rule: an exchange without a routing key goes to the default exchange by queue.
        let half = try message(#"{"task": "t", "schedule": {"every": 5}, "options": {"exchange": "ex"}}"#)
        #expect(half.destination.exchange == "" && half.destination.routingKey == "celery")
        // The legacy format's top-level fields route the same way.
        let legacy = try message(#"{"task": "t", "interval": {"every": 5}, "queue": "q", "exchange": "ex", "routing_key": "rk"}"#)
        #expect(legacy.destination == routed.destination)
    }

    @Test func priority() throws {
        #expect(try message(#"{"task": "t", "schedule": {"every": 5}, "options": {"priority": 7}}"#).priority == 7)
    }

    @Test func expiresInSecondsBecomesAnAbsoluteInstant() throws {
        let message = try message(#"{"task": "t", "schedule": {"every": 5}, "options": {"expires": 30.5}}"#)
        #expect(message.expires == now + Microseconds(30_500_000))
        #expect(message.headers["expires"] == .string("2026-11-27T18:00:35.750000+00:00"))
        #expect(message.expirationMilliseconds == 30_500)
        let legacy = try self.message(#"{"task": "t", "interval": {"every": 5}, "expires": 60}"#)
        #expect(legacy.headers["expires"] == .string("2026-11-27T18:01:05.250000+00:00"))
    }

    @Test func expiresAsAnInstantStaysThatInstant() throws {
        let message = try message(#"{"task": "t", "schedule": {"every": 5}, "options": {"expires": "2026-11-27T20:00:00+01:00"}}"#)
        #expect(message.expires == CivilDateTime(year: 2026, month: 11, day: 27, hour: 19).instant())
        #expect(message.headers["expires"] == .string("2026-11-27T19:00:00+00:00"))
        // Already past when sent: Python's worker revokes it; the AMQP expiration is 0, not negative.
        let past = try self.message(#"{"task": "t", "schedule": {"every": 5}, "options": {"expires": "2020-01-01T00:00:00Z"}}"#)
        #expect(past.expirationMilliseconds == 0)
    }

    @Test func headersAreMergedWithThePeriodicTaskHeaders() throws {
        let message = try message(
            #"{"task": "t", "schedule": {"every": 5}, "options": {"headers": {"x_custom": [1, "a"], "periodic_task_name": "spoofed", "celery_beat_task": false}}}"#)
        #expect(message.extraHeaders["x_custom"] == .array([.integer(1), .string("a")]))
        // The scheduler's own headers win: they say which entry really sent it.
        #expect(message.extraHeaders["periodic_task_name"] == .string("report"))
        #expect(message.extraHeaders["celery_beat_task"] == .bool(true))
        #expect(message.headers["x_custom"] == .array([.integer(1), .string("a")]))
        #expect(message.headers["task"] == .string("t"))
    }

    @Test func timeLimitsBecomeTheTimelimitHeader() throws {
        let both = try message(#"{"task": "t", "schedule": {"every": 5}, "options": {"time_limit": 60, "soft_time_limit": 50.5}}"#)
        #expect(both.headers["timelimit"] == .array([.integer(60), .double(50.5)]))
        let softOnly = try message(#"{"task": "t", "schedule": {"every": 5}, "options": {"soft_time_limit": 10}}"#)
        #expect(softOnly.headers["timelimit"] == .array([.null, .integer(10)]))
    }

    @Test func countdownBecomesEta() throws {
        let message = try message(#"{"task": "t", "schedule": {"every": 5}, "options": {"countdown": 2.5}}"#)
        #expect(message.eta == now + Microseconds(2_500_000))
        #expect(message.headers["eta"] == .string("2026-11-27T18:00:07.750000+00:00"))
    }

    @Test func aRouteDecidesWhatTheEntryLeavesOutAndPassesItsOtherOptions() throws {
        var settings = RoutingSettings()
        settings.defaultQueue = "default"
        settings.routes = try TaskRoutes(.object(["reports.*": .object(["queue": .string("reports"), "expires": .integer(60), "priority": .integer(3)])]))
        let router = try Router(settings)
        let routed = try message(#"{"task": "reports.daily", "schedule": {"every": 5}}"#, router: router)
        #expect(routed.destination == CeleryMessage.Destination(queue: "reports"))
        #expect(routed.priority == 3)
        #expect(routed.expires == now + Microseconds(60_000_000))
        let own = try message(#"{"task": "reports.daily", "schedule": {"every": 5}, "options": {"queue": "mine", "expires": 5}}"#, router: router)
        #expect(own.destination == CeleryMessage.Destination(queue: "mine"))
        #expect(own.expires == now + Microseconds(5_000_000))
        let other = try message(#"{"task": "billing.charge", "schedule": {"every": 5}, "options": {"delivery_mode": "transient"}}"#, router: router)
        #expect(other.destination == CeleryMessage.Destination(queue: "default"))
        #expect(other.deliveryMode == 1 && other.priority == 0)
    }
}
