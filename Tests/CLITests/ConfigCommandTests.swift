import Foundation
import JSON
import Testing
import TestSupport

/// `--config` on the management commands: where `list` says each entry's messages go, what `check`
/// says of an entry the config cannot route, and the README's own example config.
@Suite struct ConfigCommandTests {
    private func write(_ text: String) throws -> String {
        let file = try temporaryDirectory("config").appendingPathComponent("swiftbeat.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// The README's example config, as written there.
    static func readmeConfig() throws -> String {
        let readme = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "# swiftbeat.yaml: Celery's setting names\n"))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        return String(readme[start.lowerBound..<end.lowerBound])
    }

    @Test func listShowsWhereTheReadmesConfigSendsEachEntry() throws {
        let schedule = try ManagedSchedule()
        try schedule.set("daily", #"{"task": "reports.daily", "schedule": {"every": 60}}"#)
        try schedule.set("charge", #"{"task": "billing.charge", "schedule": {"every": 60}}"#)
        try schedule.set("other", #"{"task": "proj.other", "schedule": {"every": 60}}"#)
        try schedule.set("own", #"{"task": "reports.daily", "schedule": {"every": 60}, "options": {"queue": "default"}}"#)
        let result = try schedule.swiftbeat("list", "--json", "--config", write(try Self.readmeConfig()))
        #expect(result.status == 0, "\(result.output)")
        let items = try #require(try JSONParser.parse(result.stdout).arrayValue).compactMap(\.objectValue)
        func destination(_ name: String) -> [JSONValue?] {
            let item = items.first { $0["name"] == .string(name) }
            return [item?["queue"], item?["exchange"], item?["routing_key"]]
        }
        #expect(destination("daily") == [.string("reports"), .string("reports"), .string("reports.daily")])
        #expect(destination("charge") == [.string("billing"), .string(""), .string("billing")])
        #expect(destination("other") == [.string("default"), .string(""), .string("default")])
        #expect(destination("own") == [.string("default"), .string(""), .string("default")])
    }

    @Test func checkListsAnEntryTheConfigCannotRoute() throws {
        let schedule = try ManagedSchedule()
        try schedule.set("lost", #"{"task": "t", "schedule": {"every": 60}, "options": {"queue": "nowhere"}}"#)
        let config = try write("task_queues: [{name: celery}]\ntask_create_missing_queues: false\n")
        let result = try schedule.swiftbeat("check", "--config", config)
        #expect(result.status == 1)
        #expect(result.stdout.contains("tasks:meta:lost: cannot be routed: queue \"nowhere\" is missing from task_queues"), "\(result.output)")
    }

    @Test func aBadConfigIsOneLineAndExitOne() throws {
        let schedule = try ManagedSchedule()
        let config = try write("task_default_queue: default\ntask_routes:\n  reports.*: 7\n")
        for command in [["list"], ["check"], ["send", "t"], ["run"]] {
            let result = try schedule.swiftbeat(arguments: command + ["--config", config])
            #expect(result.status == 1, "\(command): \(result.output)")
            #expect(result.stderr == "swiftbeat: \(config) line 2: task_routes: route \"reports.*\": a route must be a queue name or a mapping of options, not an integer\n")
        }
    }

    @Test func theEnvironmentNamesTheConfigAndAFlagWinsOverIt() throws {
        let schedule = try ManagedSchedule()
        try schedule.set("e", #"{"task": "t", "schedule": {"every": 60}}"#)
        schedule.environment["SWIFTBEAT_CONFIG"] = try write("task_default_queue: fromfile\nCELERY_REDIS_SCHEDULER_KEY_PREFIX: \"nothing-here:\"\n")
        let fromFile = try schedule.swiftbeat("list")
        #expect(fromFile.stdout == "no entries under nothing-here:\n", "\(fromFile.output)")
        let flagged = try schedule.swiftbeat("list", "--json", "--key-prefix", "tasks:meta:")
        #expect(try JSONParser.parse(flagged.stdout).arrayValue?.first?.objectValue?["queue"] == .string("fromfile"))
    }
}
