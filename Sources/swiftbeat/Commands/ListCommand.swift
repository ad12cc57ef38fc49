import ArgumentParser
import BeatCore
import BeatRunner
import CeleryConfig
import CeleryMessage
import CeleryRouting
import CivilTime
import JSON
import ScheduleStore

/// `swiftbeat list`: every entry, one line each, invalid ones with their error.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the entries: name, task, schedule, enabled, last run, next run, run count, destination.",
        discussion: """
            The destination is where the entry's messages go after Celery's routing (the entry's options, \
            the config's task_routes, task_queues and task_default_queue). Times are in the configured time zone. An entry that never ran shows "never" as its last run; \
            its next run is counted from now, as the scheduler counts it from when it first sees it. \
            Invalid entries are listed with the reason the scheduler skips them.

            Examples:
              swiftbeat list
              swiftbeat list --json --timezone Europe/London
            """)

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let settings = try config.settings()
        let store = try self.store.resolved(settings)
        let zone = try store.zone()
        let router = try readSetting { () throws(ConfigError) in try settings.router() }
        let now = SystemClock.now()
        if json {
            try printJSON(store, now: now, zone: zone, router: router)
            return
        }
        let entries = try DecodedEntry.load(store)
        guard !entries.isEmpty else {
            print("no entries under \(store.resolvedKeyPrefix)")
            return
        }
        var rows: [[String]] = [["NAME", "TASK", "SCHEDULE", "ENABLED", "LAST RUN", "NEXT RUN (\(zone.identifier))", "RUNS", "DESTINATION"]]
        for decoded in entries {
            switch decoded.result {
            case .failure(let error):
                rows.append([decoded.stored.name, "invalid: \(error.reason)"])
            case .success(let entry):
                let next: String
                let upcoming = UpcomingRuns.of(entry, now: now, zone: zone, count: 1, kind: decoded.kind)
                let finished = entry.finishedReason(at: now)
                if !entry.enabled || upcoming.isEmpty {
                    next = "-"
                } else if entry.lifetime.window.nextDue(
                    of: entry.schedule, lastRunAt: decoded.kind.lastRunForScheduling(entry) ?? now, now: now, in: zone) <= now
                {
                    next = "due now"
                } else {
                    next = UpcomingRuns.wallClock(upcoming[0], zone: zone)
                }
                rows.append([
                    entry.name, entry.task, entry.schedule.description, finished.map { "finished: \($0)" } ?? (entry.enabled ? "yes" : "no"),
                    entry.lastRunAt.map { UpcomingRuns.wallClock($0, zone: zone) } ?? "never", next,
                    String(entry.totalRunCount),
                    (try? EntryDestination.of(entry, router: router).get()).map(EntryDestination.describe) ?? "cannot be routed",
                ])
            }
        }
        print(Table.render(rows), terminator: "")
    }

    /// The JSON array, an entry at a time as it is decoded (the bytes `JSONWriter.indented` would
    /// write for the whole array), so a million entries are never held at once.
    private func printJSON(_ store: StoreSettings, now: Instant, zone: TimeZoneRules, router: Router) throws {
        var previous: String?
        try DecodedEntry.forEach(store) { decoded in
            let item = "  " + JSONWriter.indented(Self.jsonItem(decoded, now: now, zone: zone, router: router), level: 1)
            print(previous == nil ? "[" : previous! + ",")
            previous = item
        }
        if let previous { print(previous + "\n]") } else { print("[]") }
    }

    /// One entry as `list --json` prints it; also the status page's `/api/entries`.
    static func jsonItem(_ decoded: DecodedEntry, now: Instant, zone: TimeZoneRules, router: Router) -> JSONValue {
        var item: JSONObject = ["name": .string(decoded.stored.name), "key": .string(decoded.stored.key)]
        switch decoded.result {
        case .failure(let error):
            item["valid"] = .bool(false)
            item["error"] = .string(error.reason)
        case .success(let entry):
            item["valid"] = .bool(true)
            item["task"] = .string(entry.task)
            item["schedule"] = .string(entry.schedule.description)
            item["enabled"] = .bool(entry.enabled)
            item["last_run_at"] = entry.lastRunAt.map { .string(zone.iso8601($0)) } ?? .null
            let upcoming = UpcomingRuns.of(entry, now: now, zone: zone, count: 1, kind: decoded.kind)
            item["next_run_at"] = entry.enabled && !upcoming.isEmpty ? .string(zone.iso8601(upcoming[0])) : .null
            if let finished = entry.finishedReason(at: now) { item["finished"] = .string(finished) }
            item["total_run_count"] = .integer(entry.totalRunCount)
            switch EntryDestination.of(entry, router: router) {
            case .success(let destination):
                item["queue"] = .string(destination.queue)
                item["exchange"] = .string(destination.exchange)
                item["routing_key"] = .string(destination.routingKey)
            case .failure(let error):
                item["queue"] = .null
                item["route_error"] = .string(error.description)
            }
            item["format"] = .string(entry.format == .current ? "current" : "legacy")
        }
        return .object(item)
    }
}

/// Columns padded to their widest cell, two spaces apart; a short row's last cell runs on.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows where row.count == columns {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var output = ""
        for row in rows {
            var line = ""
            for (index, cell) in row.enumerated() {
                let isLast = index == row.count - 1
                line += isLast ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }
            output += line + "\n"
        }
        return output
    }
}
