import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// The issue's round trip: add, list, edit, disable, enable and remove an entry with the swiftbeat
/// commands while `swiftbeat run` runs, and watch a real Python Celery worker run (or not run) it.
/// The reload interval is long (60 s), so every change that shows up within seconds arrived through
/// the change channel the commands publish on.
@Suite struct ManageRoundTripWithRunTests {
    @Test func addListEditDisableEnableRemoveAgainstARunningBeat() throws {
        let venv = try #require(CeleryVenv.all.last, "no Celery venv: run scripts/test, which makes them")
        try RedisServer.with { server in
            let schedulerURL = "redis://127.0.0.1:\(server.port)/1"
            let brokerURL = "redis://127.0.0.1:\(server.port)/0"
            let environment = ["CELERY_REDIS_SCHEDULER_URL": schedulerURL, "CELERY_BROKER_URL": brokerURL]
            func swiftbeat(_ arguments: String...) throws -> SwiftbeatBinary.Result {
                let result = try SwiftbeatBinary.run(arguments, environment: environment)
                #expect(result.status == 0, "swiftbeat \(arguments.joined(separator: " ")): \(result.stdout)\(result.stderr)")
                return result
            }
            let worker = try CeleryWorker(venv: venv, brokerURL: brokerURL, name: "manage")
            defer { worker.stop() }
            let beat = try SwiftbeatBinary.launch(
                ["run", "--max-interval", "0.2", "--reload-interval", "60", "--log-level", "debug"],
                environment: environment, name: "manage-beat")
            defer { beat.stop() }
            let connection = try RedisConnection(configuration: try RedisConfiguration(url: schedulerURL))
            defer { connection.close() }
            func runs(_ tag: String) -> Int { worker.records.filter { $0["args"] == .array([.string(tag)]) }.count }
            func storedRunCount() throws -> Int64? {
                guard let bytes = try connection.send("GET", "tasks:meta:round-trip").bytes else { return nil }
                return try JSONParser.parse(bytes).objectValue?["total_run_count"]?.numberValue?.int64Value
            }

            // add: fires about every second.
            _ = try swiftbeat("add", "round-trip", "--task", "probe.record", "--every", "1s", "--args", #"["v1"]"#)
            try waitUntil("the added entry to run in the worker", timeout: .seconds(30)) { runs("v1") >= 2 }

            // list: shows it, with its run count written back by the beat.
            try waitUntil("the run count to be written back") { (try storedRunCount() ?? 0) >= 2 }
            let listed = try swiftbeat("list")
            let row = try #require(listed.stdout.split(separator: "\n").first { $0.hasPrefix("round-trip ") })
            #expect(row.contains("probe.record") && row.contains("every second") && row.contains("celery"), "\(row)")

            // edit: new args from the next firing on; the run count goes on from where it was.
            let countBeforeEdit = try #require(try storedRunCount())
            _ = try swiftbeat("edit", "round-trip", "--args", #"["v2"]"#)
            try waitUntil("the edited args to reach the worker", timeout: .seconds(5)) { runs("v2") >= 1 }
            #expect(try #require(try storedRunCount()) >= countBeforeEdit)

            // disable: no more firings (one may have been in flight).
            _ = try swiftbeat("disable", "round-trip")
            Thread.sleep(forTimeInterval: 1.5)
            let whileDisabled = runs("v2")
            Thread.sleep(forTimeInterval: 3)
            #expect(runs("v2") == whileDisabled, "a disabled entry fired")

            // enable: firing again.
            _ = try swiftbeat("enable", "round-trip")
            try waitUntil("the enabled entry to fire again", timeout: .seconds(5)) { runs("v2") > whileDisabled }

            // remove: no more firings, and the beat never writes the key back.
            _ = try swiftbeat("remove", "round-trip")
            Thread.sleep(forTimeInterval: 1.5)
            let afterRemove = runs("v2")
            Thread.sleep(forTimeInterval: 3)
            #expect(runs("v2") == afterRemove, "a removed entry fired")
            #expect(try connection.send("EXISTS", "tasks:meta:round-trip").integer == 0, "the beat re-created a removed entry")
            #expect(beat.isRunning, "\(beat.log)")
        }
    }
}
