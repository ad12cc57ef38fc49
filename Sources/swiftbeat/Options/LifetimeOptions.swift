import ArgumentParser
import BeatCore
import JSON

/// An entry's start, end and run limits (`EntryLifetime`), as `add`, `edit` and `next` take them.
struct LifetimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "No firing before this ISO 8601 instant with its offset (start_time); with edit, null removes it.", valueName: "instant"))
    var startTime: String?

    @Option(help: ArgumentHelp(
        "No firing after this ISO 8601 instant with its offset (the entry's own expires, not the message's --expires); "
            + "with edit, null removes it.", valueName: "instant"))
    var endTime: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after N runs in all, counted by total_run_count (max_run_count); with edit, 0 removes the limit.", valueName: "n"))
    var maxRuns: Int?

    @Flag(
        inversion: .prefixedNo,
        help: "Disable the entry (enabled: false) with its first firing, in the same transaction (one_off).")
    var oneOff: Bool?

    /// The entry's lifetime members to set (see `EntryLifetime`), checked; `removable` (edit) lets
    /// null remove an instant and `--max-runs 0` the limit.
    func changes(removable: Bool) throws -> [(key: String, value: JSONValue?)] {
        var changes: [(key: String, value: JSONValue?)] = []
        for (text, member, flag) in [(startTime, "start_time", "--start-time"), (endTime, "expires", "--end-time")] {
            guard let text else { continue }
            if removable && text == "null" {
                changes.append((member, nil))
                continue
            }
            do {
                _ = try ClockedSchedule(iso8601: text, field: flag)
            } catch {
                throw CommandFailure.badInput("\(error)")
            }
            changes.append((member, .string(text)))
        }
        if let maxRuns {
            if removable && maxRuns == 0 {
                changes.append(("max_run_count", nil))
            } else {
                guard maxRuns >= 1 else { throw CommandFailure.badInput("--max-runs: expected at least 1 run, not \(maxRuns)") }
                changes.append(("max_run_count", .integer(maxRuns)))
            }
        }
        if let oneOff { changes.append(("one_off", oneOff || !removable ? .bool(oneOff) : nil)) }
        return changes
    }

    /// The span `--start-time` and `--end-time` give, for `next` and `show`.
    func window() throws -> ActiveWindow {
        var window = ActiveWindow()
        for (text, flag) in [(startTime, "--start-time"), (endTime, "--end-time")] {
            guard let text else { continue }
            do {
                let instant = try ClockedSchedule(iso8601: text, field: flag).instant
                if flag == "--start-time" { window.start = instant } else { window.end = instant }
            } catch {
                throw CommandFailure.badInput("\(error)")
            }
        }
        return window
    }

    /// How many runs an entry with these flags has at most: 1 with --one-off, N with --max-runs.
    var runLimit: Int? {
        oneOff == true ? 1 : maxRuns
    }
}
