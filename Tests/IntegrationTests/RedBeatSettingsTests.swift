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

    /// `list`, `check` and `status` read RedBeat's entries through its index, `show` one entry's
    /// definition and meta; an edit of a hash without a definition is refused, touching nothing.
    @Test func theReadingCommandsListRedBeatsEntries() throws {
        let harness = try RunHarness(launch: false)
        let definition = #"{"name": "tick", "task": "probe.record", "args": [], "kwargs": {}, "options": {"queue": "q1"}, "schedule": {"__type__": "interval", "every": 2.0, "relative": false}, "enabled": true}"#
        _ = try harness.schedule.send("HSET", "redbeat:tick", "definition", definition)
        _ = try harness.schedule.send("HSET", "redbeat:tick", "meta", #"{"last_run_at": null, "total_run_count": 7}"#)
        _ = try harness.schedule.send("HSET", "redbeat:broken", "meta", "{}")
        _ = try harness.schedule.send("ZADD", "redbeat::schedule", 0, "redbeat:tick", 0, "redbeat:broken")
        let store = ["--store", "redbeat", "--scheduler-url", harness.schedulerURL]

        let list = try SwiftbeatBinary.run(["list"] + store)
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(list.stdout)")
        #expect(lines.contains { $0.hasPrefix("broken") && $0.contains("invalid: the hash has no \"definition\" field") }, "\(list.stdout)")
        // Never run: due at once, as RedBeat's is_due says.
        #expect(
            lines.contains { $0.hasPrefix("tick") && $0.contains("every 2 seconds") && $0.contains("due now") && $0.contains(" 7 ") && $0.contains("q1") },
            "\(list.stdout)")
        let check = try SwiftbeatBinary.run(["check"] + store)
        #expect(check.status == 1 && check.stdout.contains("redbeat:broken: the hash has no \"definition\" field"), "\(check.stdout)")
        let status = try SwiftbeatBinary.run(["status"] + store)
        #expect(status.status == 3 && status.stdout.contains("lock redbeat::lock: not held"), "\(status.stdout)")
        #expect(status.stdout.contains("entries: 2 under redbeat: (1 invalid)"), "\(status.stdout)")

        let show = try SwiftbeatBinary.run(["show", "tick"] + store)
        #expect(show.status == 0 && show.stdout.contains(#""queue": "q1""#) && show.stdout.contains(#""total_run_count": 7"#), "\(show.stdout)\(show.stderr)")
        // An entry without a definition cannot be edited: one line, nothing touched.
        let edit = try SwiftbeatBinary.run(["edit", "broken", "--args", "[1]"] + store)
        #expect(edit.status == 1 && edit.stderr.split(separator: "\n").count == 1 && edit.stderr.contains("redbeat:broken"), "\(edit.stderr)")
        #expect(try harness.schedule.send("HGETALL", "redbeat:broken").array?.count == 2)
        #expect(try harness.schedule.send("HGET", "redbeat:tick", "definition").string == definition)
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
