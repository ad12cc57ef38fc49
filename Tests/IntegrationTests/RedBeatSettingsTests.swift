import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// `run --store redbeat`'s settings: the store from `SWIFTBEAT_STORE` or the config file's `store`,
/// and RedBeat's own names for the prefix and the lock, with RedBeat's defaults.
@Suite struct RedBeatSettingsTests {
    /// From the environment: RedBeat's defaults, the lock timeout 5 × the loop's maximum interval.
    @Test func theStoreComesFromTheEnvironmentWithRedBeatsDefaults() throws {
        let harness = try RunHarness(launch: false)
        let beat = try SwiftbeatBinary.launch(
            ["run", "--scheduler-url", harness.schedulerURL, "--broker-url", harness.brokerURL, "--max-interval", "2"],
            environment: ["SWIFTBEAT_STORE": "redbeat"], name: "swiftbeat-redbeat-env")
        defer { beat.stop() }
        try beat.waitForLog(containing: "this node is now the leader")
        let starting = try #require(beat.log.split(separator: "\n").first { $0.contains("swiftbeat starting") })
        for expected in ["store=redbeat", "prefix=redbeat:", "lock.key=redbeat::lock", #"lock.ttl="10.0 seconds""#] {
            #expect(starting.contains(expected), "\(expected) in \(starting)")
        }
        #expect(try harness.redBeatLockHolder()?.hasPrefix("{") == true)
    }

    /// From a config file shared with a Python RedBeat app: `store`, `redbeat_key_prefix`, a
    /// `redbeat_lock_key` without the prefix (which gets it in front, as in RedBeat) and
    /// `redbeat_lock_timeout`; an entry under that prefix fires.
    @Test func theConfigFileNamesTheStoreAndRedBeatsSettings() throws {
        let harness = try RunHarness(launch: false)
        let folder = try temporaryDirectory("redbeat-config")
        let config = folder.appendingPathComponent("swiftbeat.yaml")
        try """
        store: redbeat
        redbeat_key_prefix: "app-"
        redbeat_lock_key: beat-lock
        redbeat_lock_timeout: 7
        """.write(to: config, atomically: true, encoding: .utf8)
        let definition = #"{"name": "tick", "task": "probe.record", "args": [], "kwargs": {}, "options": {}, "schedule": {"__type__": "interval", "every": 1.0, "relative": false}, "enabled": true}"#
        _ = try harness.schedule.send("HSET", "app-tick", "definition", definition)
        _ = try harness.schedule.send("ZADD", "app-:schedule", 0, "app-tick")
        try harness.launchBeat(["--config", config.path])
        try harness.waitForSent("tick", count: 2)
        let starting = try #require(harness.logLines(containing: "swiftbeat starting").first)
        for expected in ["store=redbeat", "prefix=app-", "lock.key=app-beat-lock", #"lock.ttl="7.0 seconds""#] {
            #expect(starting.contains(expected), "\(expected) in \(starting)")
        }
        #expect(try harness.schedule.send("ZSCORE", "app-:schedule", "app-tick").string.flatMap { Int($0) } ?? 0 > 0)
    }

    @Test func anUnknownStoreIsRefused() throws {
        let result = try SwiftbeatBinary.run(["run", "--store", "redbeat2"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--store must be celerybeat-redis or redbeat, not redbeat2"), "\(result.stderr)")
        let file = try SwiftbeatBinary.run(["run", "--store", "redbeat", "--schedule-file", "/nonexistent.yaml"])
        #expect(file.status == 1)
        #expect(file.stderr.contains("--schedule-file is for celerybeat-redis entries"), "\(file.stderr)")
    }
}
