import CivilTime
import Foundation
import JSON
import Testing
import TestSupport

/// celerybeat-redis's README examples, stored as celerybeat-redis stores them, fire from
/// `swiftbeat run` and run in an unmodified Python worker with their arguments.
@Suite struct RunReadmeTests {
    @Test(arguments: CeleryVenv.all)
    func readmeEntriesInBothFormatsRunInTheWorker(venv: CeleryVenv) throws {
        let harness = try RunHarness(launch: false)
        // Both legacy examples last ran in 2014 (the encoder's example date): their missed slots fire
        // once at start. The current-format example never ran; an hour-old last run makes it due
        // now instead of ten minutes after start.
        let legacyCrontab = String(decoding: try Fixtures.bytes("celerybeat-redis/readme-legacy-crontab.json"), as: UTF8.self)
        let legacyInterval = String(decoding: try Fixtures.bytes("celerybeat-redis/readme-legacy-interval.json"), as: UTF8.self)
        let current = String(decoding: try Fixtures.bytes("celerybeat-redis/readme-current-interval.json"), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let hourAgo = SystemClock.now() - .seconds(3600)
        try harness.set("add-every-monday-morning", legacyCrontab)
        try harness.set("add-every-5-minutes", legacyInterval)
        try harness.set("multiply-every-10-minutes", String(current.dropLast()) + #", "last_run_at": \#(RunHarness.componentDatetime(hourAgo))}"#)

        let worker = try RunWorker(venv: venv, brokerURL: harness.brokerURL)
        try harness.launchBeat()

        let records = try worker.waitForRecords(where: { _ in true }, count: 3)
        let byEntry = Dictionary(grouping: records) { $0["headers"]?.objectValue?["periodic_task_name"]?.stringValue ?? "?" }
        #expect(byEntry.keys.sorted() == ["add-every-5-minutes", "add-every-monday-morning", "multiply-every-10-minutes"])
        for name in ["add-every-monday-morning", "add-every-5-minutes"] {
            let record = try #require(byEntry[name]?.first)
            #expect(record["task"] == .string("tasks.add"))
            #expect(record["args"] == .array([.string("16"), .string("16")]))
            #expect(record["kwargs"] == .object([:]))
            #expect(record["headers"]?.objectValue?["celery_beat_task"] == .bool(true))
            #expect(record["celery"] == .string(venv.version))
        }
        let multiply = try #require(byEntry["multiply-every-10-minutes"]?.first)
        #expect(multiply["task"] == .string("tasks.multiply"))
        #expect(multiply["args"] == .array([.string("3"), .string("2")]))

        // Each ran once: the years of missed slots are one firing, and the log says so.
        for (name, count) in [("add-every-monday-morning", 2), ("add-every-5-minutes", 2), ("multiply-every-10-minutes", 1)] {
            let lines = harness.sent(name)
            #expect(lines.count == 1, "\(name): \(lines)")
            #expect(lines.first?.id == byEntry[name]?.first?["id"]?.stringValue)
            #expect(try harness.runCount(name) == Int64(count))
        }
        #expect(worker.records.count == 3)
    }
}
