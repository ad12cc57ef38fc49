import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// Celery's routing from a config file, end to end: real Python workers that consume only the
/// queues a config names receive what `swiftbeat run` and `swiftbeat send` publish, on the queue
/// Celery's router would have chosen, on both brokers.
@Suite(.enabled(if: InteropTarget.isAvailable)) struct RunRoutingTests {
    static var targets: [InteropTarget] {
        guard let newest = RunWorker.newestVenv else { return [] }
        return InteropBroker.allCases.map { InteropTarget(broker: $0, venv: newest) }
    }

    /// The same settings in Celery's two name styles.
    static let lowercaseConfig = """
        task_default_queue: default
        task_routes:
          reports.*: reports
        """
    static let uppercaseConfig = """
        CELERY_DEFAULT_QUEUE: default
        CELERY_ROUTES:
          reports.*: reports
        """

    /// A broker URL of its own for one test: db 0 of the harness's Redis, or a fresh RabbitMQ vhost.
    static func brokerURL(for target: InteropTarget, harness: RunHarness) throws -> (url: String, cleanUp: () -> Void) {
        switch target.broker {
        case .redis:
            return (harness.brokerURL, {})
        case .rabbitmq:
            let server = try AMQPTestServer.required()
            let vhost = AMQPTestServer.uniqueName("routing")
            let url = try server.makeVirtualHost(vhost)
            return (url, { try? server.deleteVirtualHost(vhost) })
        }
    }

    static func writeConfig(_ text: String) throws -> String {
        let file = try temporaryDirectory("config").appendingPathComponent("swiftbeat.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// An entry due at once (its last run two hours ago), then hourly.
    static func dueEntry(task: String, marker: String, options: String = "{}") -> String {
        #"{"task": "\#(task)", "schedule": {"every": 1, "period": "hours"}, "args": ["\#(marker)"], "options": \#(options), "#
            + #""last_run_at": \#(RunHarness.componentDatetime(SystemClock.now() - .seconds(7200)))}"#
    }

    @Test("run and send route by the config's task_default_queue and task_routes, in either name style", arguments: targets)
    func routedByTheConfig(target: InteropTarget) async throws {
        let harness = try RunHarness(launch: false)
        let (url, cleanUp) = try Self.brokerURL(for: target, harness: harness)
        defer { cleanUp() }
        harness.brokerURL = url
        let worker = try await CeleryWorker.start(
            venv: target.venv, brokerURL: url, queues: ["default", "reports"], name: "routing",
            environment: ["PROBE_EXTRA_TASKS": "reports.daily,reports.weekly,billing.charge"])
        defer { worker.stop() }

        for (style, config) in [("lowercase", Self.lowercaseConfig), ("uppercase", Self.uppercaseConfig)] {
            let path = try Self.writeConfig(config)
            try harness.set("\(style)-plain", Self.dueEntry(task: "billing.charge", marker: "\(style)-plain"))
            try harness.set("\(style)-routed", Self.dueEntry(task: "reports.daily", marker: "\(style)-routed"))
            try harness.set(
                "\(style)-own", Self.dueEntry(task: "reports.weekly", marker: "\(style)-own", options: #"{"queue": "default"}"#))
            try harness.launchBeat(["--config", path])
            for (entry, queue) in [("plain", "default"), ("routed", "reports"), ("own", "default")] {
                let marker = "\(style)-\(entry)"
                let records = try await offloaded {
                    try worker.waitForRecords(count: 1, where: { $0["args"] == .array([.string(marker)]) })
                }
                #expect(records.first?["routing_key"] == .string(queue), "\(marker) in \(target)")
            }
            harness.stopBeat()

            let sent = try await send(["--config", path, "--args", #"["\#(style)-send"]"#], task: "reports.daily", to: url)
            #expect(try await worker.pollForRecord(id: sent)["routing_key"] == .string("reports"))
            let own = try await send(["--config", path, "--queue", "default"], task: "reports.daily", to: url)
            #expect(try await worker.pollForRecord(id: own)["routing_key"] == .string("default"))
        }
        if target.broker == .redis {
            #expect(try harness.brokerRedis?.send("LLEN", "celery").integer == 0, "nothing went to the queue no worker reads")
        }
    }

    @Test("An app exported by scripts/export-celery-config runs unchanged with its own workers", arguments: targets)
    func exportedAppRunsUnchanged(target: InteropTarget) async throws {
        let harness = try RunHarness(launch: false)
        let (url, cleanUp) = try Self.brokerURL(for: target, harness: harness)
        defer { cleanUp() }
        let appEnvironment = ["ROUTING_BROKER_URL": url, "ROUTING_SCHEDULER_URL": harness.schedulerURL]
        func export(_ arguments: [String]) async throws -> String {
            try await offloaded {
                try RunHarness.run(
                    target.venv.python,
                    [Fixtures.repositoryRoot.appendingPathComponent("scripts/export-celery-config").path, "routing_app"] + arguments,
                    environment: appEnvironment, in: CeleryVenv.probeFolder)
            }
        }
        if target.broker == .rabbitmq {
            // The broker URL has a password (guest's): without --include-secrets it is not written.
            let redacted = try await export([])
            #expect(!redacted.contains("guest:guest@") && redacted.contains("guest:PASSWORD@"), "\(redacted)")
        }
        let path = try Self.writeConfig(try await export(["--include-secrets"]))
        let worker = try await CeleryWorker.start(
            venv: target.venv, brokerURL: url, queues: ["default", "reports", "billing"], name: "routing-app",
            environment: appEnvironment, app: "routing_app")
        defer { worker.stop() }

        // Only the config file: broker, scheduler, routing and the schedule all come from the export.
        let beat = try SwiftbeatBinary.launch(
            ["run", "--config", path, "--reload-interval", "1", "--max-interval", "1"], name: "swiftbeat-exported")
        defer { beat.stop() }
        for (marker, exchange, routingKey) in [
            ("daily", "reports", "reports.daily"), ("charge", "", "billing"), ("cleanup", "", "default"),
        ] {
            let records = try await offloaded {
                try worker.waitForRecords(count: 1, where: { $0["args"] == .array([.string(marker)]) })
            }
            let record = try #require(records.first)
            #expect(record["routing_key"] == .string(routingKey), "\(marker) in \(target): \(record)")
            #expect(record["exchange"] == .string(exchange), "\(marker) in \(target): \(record)")
        }
        #expect(try harness.entry("nightly") != nil, "beat_schedule seeded every entry")
    }

    /// Celery declares a queue with its `task_queues` arguments before publishing; a queue declared
    /// without them first would make the worker's own declaration fail (406 PRECONDITION_FAILED).
    @Test("On RabbitMQ, a queue swiftbeat creates has the arguments task_queues gives it, and its worker starts on it",
        .enabled(if: AMQPTestServer.isAvailable && RunWorker.newestVenv != nil))
    func createdQueueHasTheConfiguredArguments() async throws {
        let server = try AMQPTestServer.required()
        let vhost = AMQPTestServer.uniqueName("declare")
        let url = try server.makeVirtualHost(vhost)
        defer { try? server.deleteVirtualHost(vhost) }
        let config = try Self.writeConfig("task_queue_max_priority: 10\ntask_routes: {'reports.*': reports}\n")
        let id = try await send(["--config", config, "--priority", "7"], task: "reports.daily", to: url)
        let queues = try server.rabbitmqctl("-q", "--no-table-headers", "list_queues", "-p", vhost, "name", "arguments")
        #expect(queues.contains("reports") && queues.contains("x-max-priority") && queues.contains("10"), "\(queues)")

        let venv = try #require(RunWorker.newestVenv)
        let worker = try await CeleryWorker.start(
            venv: venv, brokerURL: url, queues: ["reports"], name: "declare",
            environment: ["PROBE_EXTRA_TASKS": "reports.daily", "PROBE_QUEUE_MAX_PRIORITY": "10"])
        defer { worker.stop() }
        let record = try await worker.pollForRecord(id: id)
        #expect(record["priority"] == JSONValue.integer(7))
    }
}

extension CeleryWorker {
    /// Waits until `count` records match.
    func waitForRecords(count: Int, where matches: (JSONObject) -> Bool, timeout: Duration = .seconds(60)) throws -> [JSONObject] {
        try waitFor("\(count) matching tasks to run; worker log:\n\(log.suffix(2000))", timeout: timeout) {
            let found = records.filter(matches)
            return found.count >= count ? found : nil
        }
    }
}
