import BeatCore
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// scripts/export-celery-schedule against a real Celery app (Tests/Python/manage_schedule_app.py),
/// then `swiftbeat import`: the entries in Redis say what Celery's beat_schedule says.
@Suite struct ManageExportCeleryScheduleTests {
    static let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/export-celery-schedule").path

    /// Runs the helper with a venv's Python from Tests/Python, as `celery -A` would be run there.
    private func export(_ venv: CeleryVenv, app: String, format: String) throws -> String {
        let process = Process()
        process.executableURL = venv.python
        process.arguments = [Self.script, app, "--format", format]
        process.currentDirectoryURL = Fixtures.repositoryRoot.appendingPathComponent("Tests/Python")
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ExportFailure(description: "export-celery-schedule exited \(process.terminationStatus): \(errorText)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    @Test func aCeleryAppsBeatScheduleArrivesInRedisAsCeleryDefinesIt() throws {
        let venvs = CeleryVenv.all
        try #require(!venvs.isEmpty, "no Celery venv: run scripts/test, which makes them")
        for venv in venvs {
            for format in ["yaml", "json"] {
                let text = try export(venv, app: format == "yaml" ? "manage_schedule_app" : "manage_schedule_app:app", format: format)
                let file = try temporaryDirectory("celery-export").appendingPathComponent("schedule.\(format)")
                try text.write(to: file, atomically: true, encoding: .utf8)
                try RedisServer.with { server in
                    let url = "redis://127.0.0.1:\(server.port)/1"
                    let imported = try SwiftbeatBinary.run(["import", file.path, "--scheduler-url", url])
                    #expect(imported.status == 0, "\(venv) \(format): \(imported.stdout)\(imported.stderr)\n\(text)")
                    #expect(imported.stdout.hasSuffix("9 added\n"))
                    let connection = try RedisConnection(configuration: try RedisConfiguration(url: url))
                    defer { connection.close() }
                    func entry(_ name: String) throws -> (Entry, String) {
                        let bytes = try #require(try connection.send("GET", "tasks:meta:" + name).bytes)
                        return (try EntryDecoder.decode(key: name, name: name, json: bytes), String(decoding: bytes, as: UTF8.self))
                    }
                    try check(entry, venv: venv, format: format)
                }
            }
        }
    }

    private func check(_ entry: (String) throws -> (Entry, String), venv: CeleryVenv, format: String) throws {
        let context = "\(venv) \(format)"
        let (add, addJSON) = try entry("add-every-30-seconds")
        #expect(addJSON == #"{"name": "add-every-30-seconds", "task": "tasks.add", "enabled": true, "schedule": {"every": 30, "period": "seconds"}, "args": [16, 16], "kwargs": {}, "options": {}}"#, "\(context)")
        #expect(add.schedule == .interval(try IntervalSchedule(every: 30)))

        let (ninety, _) = try entry("every-ninety-minutes")
        #expect(ninety.schedule == .interval(try IntervalSchedule(every: 5400, relative: true)), "\(context)")

        let (fast, _) = try entry("every-2.5-seconds")
        #expect(fast.schedule == .interval(try IntervalSchedule(every: 2.5)), "\(context)")
        #expect(fast.kwargs == ["x": .string("07"), "flag": .string("yes")], "\(context)")

        let (daily, _) = try entry("schedule-object")
        #expect(daily.schedule == .interval(try IntervalSchedule(every: 86400)), "\(context)")

        let (monday, mondayJSON) = try entry("monday-morning")
        #expect(monday.schedule == .crontab(try CrontabSchedule(minute: 30, hour: 7, dayOfWeek: "mon")), "\(context)")
        #expect(mondayJSON.contains(#""schedule": {"minute": 30, "hour": 7, "day_of_week": "mon", "day_of_month": "*", "month_of_year": "*"}"#), "\(context) \(mondayJSON)")
        #expect(monday.args == [.string("weekly"), .object(["depth": .integer(2)])])
        #expect(monday.options.queue == "reports")
        #expect(monday.options.exchange == "reports-exchange")
        #expect(monday.options.routingKey == "reports.weekly")
        #expect(monday.options.priority == 5)
        #expect(monday.options.expires == .after(seconds: 600))
        #expect(monday.options.headers == ["origin": .string("beat")])

        let (office, _) = try entry("quarter-hours-in-office")
        #expect(
            office.schedule
                == .crontab(try CrontabSchedule(minute: "*/15", hour: "9-17", dayOfWeek: "mon-fri")), "\(context)")
        #expect(office.options.queue == "shared")

        let (billing, _) = try entry("first-of-month")
        #expect(billing.schedule == .crontab(try CrontabSchedule(minute: 0, hour: 0, dayOfMonth: "1")), "\(context)")
        #expect(billing.options.queue == "shared", "shared option dicts are written out in full, not as YAML aliases")

        let (lights, lightsJSON) = try entry("lights-at-sunset")
        #expect(lights.schedule == .solar(try SolarSchedule(event: "sunset", latitude: 52.37, longitude: 4.90)), "\(context)")
        #expect(lightsJSON.contains(#""schedule": {"solar": "sunset", "lat": 52.37, "lon": 4.9}"#), "\(context) \(lightsJSON)")

        let (campaign, campaignJSON) = try entry("december-campaign")
        #expect(campaign.lifetime.startTime?.iso8601 == "2026-12-01T00:00:00+00:00", "\(context) \(campaignJSON)")
        #expect(campaign.lifetime.expires?.iso8601 == "2026-12-31T23:00:00+01:00", "\(context) \(campaignJSON)")
        #expect(campaign.lifetime.maxRunCount == 500)
        #expect(!campaign.lifetime.oneOff)
        #expect(campaign.options.expires == .after(seconds: 600), "the message option stays the message's")
    }

    /// Runs the helper on an app in `folder` and returns its exit status and what it wrote to stderr.
    static func failingExport(_ venv: CeleryVenv, app: String, in folder: URL) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = venv.python
        process.arguments = [script, app]
        process.currentDirectoryURL = folder
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, message)
    }

    @Test func aNaiveStartTimeStopsTheExportNamingTheEntry() throws {
        let venv = try #require(CeleryVenv.all.last, "no Celery venv: run scripts/test, which makes them")
        let folder = try temporaryDirectory("celery-naive")
        try """
            from datetime import datetime, timedelta
            from celery import Celery
            app = Celery("naive_app", broker="memory://")
            app.conf.beat_schedule = {"later": {"task": "t", "schedule": timedelta(seconds=30), "start_time": datetime(2027, 1, 1)}}
            """.write(to: folder.appendingPathComponent("naive_app.py"), atomically: true, encoding: .utf8)
        let (status, message) = try Self.failingExport(venv, app: "naive_app", in: folder)
        #expect(status == 1)
        #expect(message == "export-celery-schedule: entry 'later': start_time 2027-01-01T00:00:00 has no UTC offset; give it a tzinfo\n", "\(message)")
    }

    @Test func unsupportedSchedulesStopTheExportNamingTheEntry() throws {
        let venv = try #require(CeleryVenv.all.last, "no Celery venv: run scripts/test, which makes them")
        let folder = try temporaryDirectory("celery-custom")
        try """
            from celery import Celery
            from celery.schedules import schedule
            class jittered(schedule):
                pass
            app = Celery("custom_app", broker="memory://")
            app.conf.beat_schedule = {"with-jitter": {"task": "t", "schedule": jittered(30)}}
            """.write(to: folder.appendingPathComponent("custom_app.py"), atomically: true, encoding: .utf8)
        let (status, message) = try Self.failingExport(venv, app: "custom_app", in: folder)
        #expect(status == 1)
        #expect(message.contains("entry 'with-jitter': jittered schedules are not supported"), "\(message)")
    }
}

struct ExportFailure: Error, CustomStringConvertible {
    var description: String
}
