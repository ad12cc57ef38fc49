import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// celery-redbeat 2.4.2 itself, in a Celery venv (Tests/Python/redbeat_app.py), against a
/// `RunHarness`'s Redis: entries in db 1 (where `swiftbeat run --store redbeat` reads them), the
/// broker in db 0.
struct RedBeatPython {
    let venv: CeleryVenv
    let environment: [String: String]

    init(venv: CeleryVenv, harness: RunHarness, lockTimeout: Double = 3, maxInterval: Double = 1, beatSchedule: String? = nil) {
        self.venv = venv
        var environment = [
            "REDBEAT_BROKER_URL": harness.brokerURL, "REDBEAT_REDIS_URL": harness.schedulerURL,
            "REDBEAT_LOCK_TIMEOUT": "\(lockTimeout)", "REDBEAT_MAX_INTERVAL": "\(maxInterval)", "PYTHONUNBUFFERED": "1",
        ]
        if let beatSchedule { environment["REDBEAT_BEAT_SCHEDULE"] = beatSchedule }
        self.environment = environment
    }

    private var folder: URL { Fixtures.repositoryRoot.appendingPathComponent("Tests/Python") }

    /// `RedBeatSchedulerEntry(name, ...).save()`, the spec as `redbeat_app.py save` reads it.
    func save(_ name: String, _ spec: String) throws {
        _ = try RunHarness.run(venv.python, ["redbeat_app.py", "save", name, spec], environment: environment, in: folder)
    }

    /// What `RedBeatSchedulerEntry.from_key` reads, with its `is_due()` and the entry's score.
    func inspect(_ name: String) throws -> JSONObject {
        let output = try RunHarness.run(venv.python, ["redbeat_app.py", "inspect", name], environment: environment, in: folder)
        return try #require(try JSONParser.parse(output).objectValue, "inspect printed \(output)")
    }

    /// `RedBeatSchedulerEntry.from_key` for each name (`redbeat_app.py read`): name to what RedBeat read.
    func read(_ names: String...) throws -> JSONObject {
        let output = try RunHarness.run(venv.python, ["redbeat_app.py", "read"] + names, environment: environment, in: folder)
        return try #require(try JSONParser.parse(output).objectValue, "read printed \(output)")
    }

    /// `celery beat -S redbeat.RedBeatScheduler`: loads the beat_schedule statics, then waits for the lock.
    func launchBeat() throws -> ManagedProcess {
        try ManagedProcess(
            executable: venv.celery,
            arguments: ["-A", "redbeat_app", "beat", "-S", "redbeat.RedBeatScheduler", "-l", "debug"],
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            currentDirectory: folder,
            logURL: try temporaryDirectory("redbeat-beat").appendingPathComponent("beat.log"))
    }
}

extension RunHarness {
    /// The lock's value, nil when no one holds it. swiftbeat's tokens are JSON objects, redis-py's
    /// (RedBeat's) hexadecimal.
    func redBeatLockHolder() throws -> String? {
        try schedule.send("GET", "redbeat::lock").string
    }

    /// `swiftbeat run --store redbeat` on this harness's Redis, not owned by the harness.
    func launchRedBeatNode(lockTTL: Double = 3) throws -> ManagedProcess {
        try SwiftbeatBinary.launch(
            [
                "run", "--store", "redbeat", "--scheduler-url", schedulerURL, "--broker-url", brokerURL, "--reload-interval", "1",
                "--max-interval", "1", "--lock-ttl", "\(lockTTL)",
            ],
            name: "swiftbeat-redbeat")
    }
}
