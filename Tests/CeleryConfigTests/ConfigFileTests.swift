import CeleryConfig
import CeleryRouting
import JSON
import Testing

/// A config file read as Celery reads its settings, with the environment over it.
@Suite struct ConfigFileTests {
    private func settings(_ text: String, fileName: String = "swiftbeat.yaml", environment: [String: String] = [:]) throws -> Settings {
        Settings(file: try ConfigFile.read(text: text, fileName: fileName), environment: { environment[$0] })
    }

    private func failure(_ text: String, fileName: String = "swiftbeat.yaml") -> String? {
        do {
            _ = try settings(text, fileName: fileName).router()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func theOldUppercaseStyleReadsAsTheNewOne() throws {
        let new = try settings("task_default_queue: default\ntask_routes: {'reports.*': reports}\ntimezone: Europe/London\n")
        let old = try settings("CELERY_DEFAULT_QUEUE: default\nCELERY_ROUTES: {'reports.*': reports}\nCELERY_TIMEZONE: Europe/London\n")
        for settings in [new, old] {
            #expect(try settings.string(.timezone) == "Europe/London")
            let router = try settings.router()
            #expect(try router.route(task: "reports.daily", options: RoutingOptions()).routingKey == "reports")
            #expect(try router.route(task: "other", options: RoutingOptions()).routingKey == "default")
        }
    }

    @Test func mixingTheStylesIsRefusedWithTheRenames() {
        let text = "task_default_queue: default\ntask_routes: {}\nCELERY_TIMEZONE: UTC\n"
        #expect(failure(text)?.contains("rename CELERY_TIMEZONE to timezone") == true, "\(failure(text) ?? "")")
        // Both spellings of one setting are not a mix (Celery allows it).
        #expect(failure("task_default_queue: a\nCELERY_DEFAULT_QUEUE: a\ntimezone: UTC\n") == nil)
    }

    @Test func celerybeatRedisSettingsAreReadInEitherStyle() throws {
        let settings = try settings("broker_url: redis://r:6379/0\nCELERY_REDIS_SCHEDULER_URL: redis://r:6379/1\nCELERY_REDIS_SCHEDULER_LOCK_TTL: 10\n")
        #expect(try settings.string(.schedulerURL) == "redis://r:6379/1")
        #expect(try settings.number(.lockTTL) == 10)
    }

    @Test func ignoredAndMisspelledSettingsAreReportedNotDropped() throws {
        let file = try ConfigFile.read(
            text: "result_backend: redis://x\nworker_concurrency: 4\ntask_defualt_queue: x\nCELERY_DEFAULT_QEUE: y\nmy_own_thing: 1\n",
            fileName: "c.yaml")
        #expect(file.warnings.first == "c.yaml: ignored, swiftbeat does not use them: result_backend, worker_concurrency")
        #expect(file.warnings.contains("c.yaml line 3: unknown setting task_defualt_queue (did you mean task_default_queue?)"))
        #expect(file.warnings.contains("c.yaml line 4: unknown setting CELERY_DEFAULT_QEUE (did you mean CELERY_DEFAULT_QUEUE?)"))
        #expect(file.warnings.contains("c.yaml line 5: unknown setting my_own_thing"))
    }

    @Test func theEnvironmentWinsOverTheFileAndTakesJSON() throws {
        let settings = try settings(
            "task_default_queue: fromfile\ntask_routes: {a: q1}\n",
            environment: ["CELERY_TASK_DEFAULT_QUEUE": "fromenv", "CELERY_TASK_ROUTES": #"{"a": "q2"}"#])
        let router = try settings.router()
        #expect(try router.route(task: "b", options: RoutingOptions()).routingKey == "fromenv")
        #expect(try router.route(task: "a", options: RoutingOptions()).routingKey == "q2")
    }

    @Test(arguments: [
        ("task_routes: 3\n", "swiftbeat.yaml line 1: task_routes: expected a mapping"),
        ("task_routes:\n  reports.*: 3\n", "swiftbeat.yaml line 1: task_routes: route \"reports.*\": a route must be a queue name or a mapping"),
        ("task_queues:\n  - exchange: x\n", "swiftbeat.yaml line 1: task_queues: item 1 has no name"),
        ("CELERY_QUEUES: [{exchange: x}]\n", "swiftbeat.yaml line 1: CELERY_QUEUES: item 1 has no name"),
        ("task_default_priority: high\n", "swiftbeat.yaml line 1: task_default_priority: expected a number"),
        ("task_default_delivery_mode: 3\n", "task_default_delivery_mode: the delivery mode must be 1, 2"),
        ("task_routes: {a: [\n", "swiftbeat.yaml line"),
        ("- a\n- b\n", "swiftbeat.yaml: expected a mapping from setting name to value, found an array"),
    ])
    func badInputIsOneLineNamingTheFileTheSettingAndTheProblem(text: String, expected: String) {
        let message = failure(text)
        #expect(message?.hasPrefix(expected) == true || message?.contains(expected) == true, "\(message ?? "no error")")
        #expect(message?.contains("\n") == false)
    }

    @Test func aJSONFileWorksToo() throws {
        let settings = try settings(#"{"task_default_queue": "default", "beat_max_loop_interval": 2}"#, fileName: "c.json")
        #expect(try settings.number(.beatMaxLoopInterval) == 2)
        #expect(try settings.router().defaultQueue == "default")
    }

    @Test func theEnvironmentAloneIsChecked() {
        let settings = Settings(file: nil, environment: { $0 == "CELERY_TASK_ROUTES" ? "{not json" : nil })
        #expect(throws: ConfigError.self) { try settings.router() }
    }
}
