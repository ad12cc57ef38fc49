import ArgumentParser
import Broker
import CeleryConfig
import CeleryMessage
import CeleryRouting
import CivilTime
import JSON

/// `swiftbeat send`: publish one task, as Python's `app.send_task` would, and print its id.
struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Publish one task and print its id.",
        discussion: """
            Examples:
              swiftbeat send proj.tasks.add --args '[2, 3]'
              swiftbeat send proj.tasks.report --kwargs '{"day": "monday"}' --queue reports --countdown 60
              swiftbeat send proj.tasks.add --args '[1, 1]' --broker-url amqp://guest:guest@127.0.0.1:5672//
            """)

    @Argument(help: "The task's registered name, e.g. proj.tasks.add.")
    var task: String

    @Option(help: ArgumentHelp("Positional arguments, a JSON array.", valueName: "json"))
    var args = "[]"

    @Option(help: ArgumentHelp("Keyword arguments, a JSON object.", valueName: "json"))
    var kwargs = "{}"

    @Option(help: ArgumentHelp(
        "The queue; without it, the config's task_routes and task_default_queue decide, as in Celery (default: celery).",
        valueName: "queue"))
    var queue: String?

    @Option(help: "A named exchange; with --routing-key, used instead of the default exchange.")
    var exchange: String?

    @Option(name: .customLong("routing-key"), help: "The routing key for --exchange.")
    var routingKey: String?

    @Option(help: "Message priority: 0-255 on RabbitMQ (queues with x-max-priority), 0-9 on Redis.")
    var priority: Int?

    @Option(help: ArgumentHelp("Run no earlier than this many seconds from now.", valueName: "seconds"))
    var countdown: Double?

    @Option(help: ArgumentHelp("Run no earlier than this time (ISO 8601; naive means UTC).", valueName: "iso8601"))
    var eta: String?

    @Option(help: ArgumentHelp("Discard the task if not started by then: seconds from now, or an ISO 8601 time.", valueName: "seconds|iso8601"))
    var expires: String?

    @Option(name: .customLong("time-limit"), help: ArgumentHelp("Hard time limit in seconds.", valueName: "seconds"))
    var timeLimit: Double?

    @Option(name: .customLong("soft-time-limit"), help: ArgumentHelp("Soft time limit in seconds.", valueName: "seconds"))
    var softTimeLimit: Double?

    @Option(name: .customLong("header"), help: ArgumentHelp("An extra message header (repeatable).", valueName: "key=json"))
    var headers: [String] = []

    @OptionGroup var config: ConfigOptions
    @OptionGroup var broker: BrokerOptions

    func validate() throws {
        if countdown != nil, eta != nil {
            throw ValidationError("--countdown and --eta are alternatives; give one")
        }
        if let priority, !(0...255).contains(priority) {
            throw ValidationError("--priority must be 0-255, not \(priority)")
        }
        for (name, value) in [("--countdown", countdown), ("--time-limit", timeLimit), ("--soft-time-limit", softTimeLimit)] {
            if let value, !(value.isFinite && value >= 0) {
                throw ValidationError("\(name) must be a non-negative number of seconds")
            }
        }
    }

    func run() throws {
        let settings = try config.settings()
        let brokerSettings = try self.broker.resolved(settings)
        let router = try readSetting { () throws(ConfigError) in try settings.router() }
        let routed: RoutedTask
        let destination: CeleryMessage.Destination
        do {
            routed = try router.route(
                task: task, options: RoutingOptions(queue: queue, exchange: exchange, routingKey: routingKey, priority: priority))
            destination = try routed.destination()
        } catch {
            throw CommandFailure.badInput("cannot route \(task): \(error)")
        }
        let now = SystemClock.now()
        var producer = CeleryProducer()
        var extraHeaders = JSONObject()
        for header in headers {
            let (key, value) = try JSONArgument.keyValue(header, option: "--header")
            extraHeaders[key] = value
        }
        let message = CeleryMessage(
            task: task, id: producer.nextTaskID(),
            args: try JSONArgument.array(args, option: "--args"),
            kwargs: try JSONArgument.object(kwargs, option: "--kwargs"),
            destination: destination,
            eta: try etaInstant(now: now), expires: try expiresInstant(now: now),
            timeLimit: timeLimit.map(JSONNumber.seconds), softTimeLimit: softTimeLimit.map(JSONNumber.seconds),
            priority: routed.priority, deliveryMode: routed.deliveryMode, extraHeaders: extraHeaders,
            origin: producer.origin, replyTo: producer.replyTo, now: now)

        let broker = try brokerSettings.connect(router: router)
        defer { broker.close() }
        do {
            try broker.publish([message])
        } catch {
            throw error.kind == .unreachable ? CommandFailure.unavailable(error.description) : CommandFailure.badInput(error.description)
        }
        print(message.id)
    }

    private func etaInstant(now: Instant) throws -> Instant? {
        if let countdown { return now + Microseconds(Int64((countdown * 1_000_000).rounded())) }
        guard let eta else { return nil }
        do {
            return try ISO8601.parse(eta).instantAssumingUTC
        } catch {
            throw CommandFailure.badInput("--eta: \(error)")
        }
    }

    private func expiresInstant(now: Instant) throws -> Instant? {
        guard let expires else { return nil }
        if let seconds = Double(expires) {
            guard seconds.isFinite else { throw CommandFailure.badInput("--expires must be finite") }
            return now + Microseconds(Int64((seconds * 1_000_000).rounded()))
        }
        do {
            return try ISO8601.parse(expires).instantAssumingUTC
        } catch {
            throw CommandFailure.badInput("--expires must be seconds or an ISO 8601 time: \(error)")
        }
    }
}

extension JSONNumber {
    /// Seconds as Python would write them: whole numbers as integers (`30`), others as floats.
    static func seconds(_ value: Double) -> JSONNumber {
        value == value.rounded() && abs(value) < 1e15 ? JSONNumber(Int64(value)) : JSONNumber(value)
    }
}
