import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// `run`'s settings from the environment (the celerybeat-redis and Celery names), and a key
/// prefix with glob characters, which celerybeat-redis's `KEYS prefix*` got wrong.
@Suite struct RunSettingsTests {
    @Test func settingsComeFromTheEnvironment() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let schedule = try RedisConnection(configuration: RedisConfiguration(url: "\(server.url)/3"))
        defer { schedule.close() }
        let broker = try RedisConnection(configuration: RedisConfiguration(url: "\(server.url)/4"))
        defer { broker.close() }
        _ = try schedule.send("SET", "myapp:beat:tick", #"{"task": "probe.record", "schedule": {"every": 1}}"#)
        _ = try schedule.send("SET", "tasks:meta:other", #"{"task": "probe.record", "schedule": {"every": 1}}"#)

        let beat = try SwiftbeatBinary.launch(
            ["run", "--reload-interval", "1", "--max-interval", "1"],
            environment: [
                "CELERY_REDIS_SCHEDULER_URL": "\(server.url)/3",
                "CELERY_BROKER_URL": "\(server.url)/4",
                "BROKER_URL": "redis://127.0.0.1:1/0",  // CELERY_BROKER_URL wins
                "CELERY_REDIS_SCHEDULER_KEY_PREFIX": "myapp:beat:",
                "CELERY_TIMEZONE": "Europe/London",
            ],
            name: "swiftbeat-run-env")
        defer { beat.stop() }
        try beat.waitForLog(containing: "sent tick")
        let starting = try #require(beat.log.split(separator: "\n").first { $0.contains("swiftbeat starting") })
        #expect(starting.contains("prefix=myapp:beat:"))
        #expect(starting.contains("timezone=Europe/London"))
        #expect(starting.contains("broker=redis://127.0.0.1:\(server.port)/4"))
        #expect(starting.contains("scheduler=redis://127.0.0.1:\(server.port)/3"))
        #expect(try broker.send("LLEN", "celery").integer ?? 0 >= 1)
        #expect(!beat.log.contains("entry=other"))
        #expect(try schedule.send("GET", "tasks:meta:other").string == #"{"task": "probe.record", "schedule": {"every": 1}}"#)
    }

    @Test func aPrefixWithGlobCharactersMatchesOnlyItsOwnKeys() throws {
        let harness = try RunHarness(launch: false)
        let entry = #"{"task": "probe.record", "schedule": {"every": 1}}"#
        _ = try harness.schedule.send("SET", "app[1]:tick", entry)
        _ = try harness.schedule.send("SET", "app1:tick", entry)  // what `KEYS app[1]:*` would match
        _ = try harness.schedule.send("SET", "app[1]:*star", entry)
        try harness.launchBeat(["--key-prefix", "app[1]:"])
        try harness.waitForSent("tick", count: 2)
        try harness.waitForSent("*star", count: 2)
        #expect(try harness.schedule.send("GET", "app1:tick").string == entry)
        // The start-up summary counts exactly the two keys under the prefix.
        let loaded = harness.logLines(containing: "all entries loaded")
        #expect(loaded.count == 1 && loaded.first?.contains(" entries=2 ") == true, "\(loaded)")
    }

    @Test func helpListsEverySetting() throws {
        let result = try SwiftbeatBinary.run(["run", "--help"])
        #expect(result.status == 0)
        let help = result.stdout + result.stderr
        for flag in [
            "--broker-url", "--scheduler-url", "--key-prefix", "--timezone", "--max-interval", "--reload-interval",
            "--schedule-file", "--log-level",
        ] {
            #expect(help.contains(flag), "\(flag)")
        }
        for variable in ["CELERY_BROKER_URL", "BROKER_URL", "CELERY_REDIS_SCHEDULER_URL", "CELERY_REDIS_SCHEDULER_KEY_PREFIX", "CELERY_TIMEZONE"] {
            #expect(help.contains(variable), "\(variable)")
        }
    }
}
