import CeleryConfig
import CeleryRouting
import JSON
import Testing
import TestSupport

/// swiftbeat's router against Celery's own: `Tests/Python/routing_cases.py` generates configs
/// (task_routes with exact names, globs and `re:` patterns, task_queues in both spellings, the
/// task_default_* settings) and the options of an entry, and records where real Celery published
/// each task (exchange, routing key, delivery mode, priority, the queue it declared) or that it
/// raised. swiftbeat reads the same config through its config-file reader and must decide the same.
@Suite struct RoutingComparisonTests {
    static let casesPerVersion = 300

    @Test(arguments: CeleryVenv.all)
    func swiftbeatRoutesEveryGeneratedCaseAsCeleryDoes(venv: CeleryVenv) async throws {
        let seed = Int.random(in: 1...1_000_000)
        let output = try await venv.runScript("routing_cases.py", ["\(seed)", "\(Self.casesPerVersion)"], timeout: .seconds(120))
        var compared = 0
        var routedToNamedExchange = 0
        var errors = 0
        var olderCeleryRefusedAll = 0
        for line in output.split(separator: "\n") {
            let record = try #require(try JSONParser.parse(Array(line.utf8)).objectValue)
            let context = "\(venv), seed \(seed): \(line)"
            let config = JSONWriter.string(try #require(record["config"]), style: .compact)
            let task = try #require(record["task"]?.stringValue)
            let celery = try #require(record["celery"]?.objectValue)
            let decided = Result { () throws -> RoutedTask in
                let settings = Settings(file: try ConfigFile.read(text: config, fileName: "case.json"), environment: { _ in nil })
                return try settings.router().route(
                    task: task, options: try RoutingOptions(reading: try #require(record["options"]?.objectValue)))
            }
            compared += 1
            if celery["error"] == .string("KeyError"), venv.version.hasPrefix("5.3."),
                Self.defaultQueueIsMissing(from: try #require(record["config"]?.objectValue))
            {
                // Celery 5.3 looks the default queue up whenever it publishes anything (5.7 only
                // when a task goes to it), so with this config it refuses every task. swiftbeat
                // decides as 5.7 does; README, "Routing", says so.
                olderCeleryRefusedAll += 1
                continue
            }
            if celery["error"] != nil {
                errors += 1
                #expect(throws: (any Error).self, "Celery raised \(celery["error"]!); swiftbeat routed: \(context)") { try decided.get() }
                continue
            }
            let routed = try decided.get()
            if !routed.exchange.isEmpty { routedToNamedExchange += 1 }
            #expect(.string(routed.exchange) == celery["exchange"], "exchange: \(context)")
            #expect(routed.routingKey.map(JSONValue.string) ?? .null == celery["routing_key"], "routing key: \(context)")
            #expect(.integer(routed.deliveryMode) == celery["delivery_mode"], "delivery mode: \(context)")
            #expect(.integer(routed.priority) == (celery["priority"].flatMap { $0.isNull ? nil : $0 } ?? .integer(0)), "priority: \(context)")
            #expect(Self.json(routed.queue) == celery["queue"], "declared queue: \(context)")
        }
        #expect(compared == Self.casesPerVersion)
        #expect(olderCeleryRefusedAll <= compared / 10, "\(olderCeleryRefusedAll) cases set aside as Celery 5.3's (seed \(seed))")
        // The generator must keep reaching every branch: named exchanges and Celery's refusals too.
        #expect(routedToNamedExchange >= 20, "only \(routedToNamedExchange) named-exchange cases (seed \(seed))")
        #expect(errors >= 5, "only \(errors) refused cases (seed \(seed))")
    }

    /// `task_create_missing_queues` is off and `task_queues` lists queues, none of them the default one.
    static func defaultQueueIsMissing(from config: JSONObject) -> Bool {
        guard config["task_create_missing_queues"] == .bool(false), let queues = config["task_queues"] else { return false }
        let defaultQueue = config["task_default_queue"]?.stringValue ?? "celery"
        let names: [String] =
            queues.objectValue.map { $0.members.map(\.key) }
            ?? (queues.arrayValue ?? []).compactMap { $0.objectValue?["name"]?.stringValue }
        return !names.isEmpty && !names.contains(defaultQueue)
    }

    /// The declared queue in routing_cases.py's shape.
    static func json(_ queue: QueueDefinition?) -> JSONValue {
        guard let queue else { return .null }
        return .object([
            "name": .string(queue.name), "exchange": .string(queue.exchange.name), "exchange_type": .string(queue.exchange.type),
            "routing_key": .string(queue.routingKey), "queue_arguments": .object(queue.arguments),
        ])
    }
}
