import ArgumentParser
import BeatCore
import BeatRunner
import ScheduleStore

/// `swiftbeat import`: a schedule file into Redis.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write the entries of a schedule file (YAML or JSON) to Redis.",
        discussion: """
            The whole file is checked first; if any entry is invalid nothing is written. Without --replace \
            only entries whose keys are absent are written (as run --schedule-file does), so Redis stays \
            the source of truth; with --replace existing entries are overwritten, keeping their run state. \
            Prints one line per entry: added, skipped (exists), replaced or unchanged.

            A file maps entry names to entries, as Celery's beat_schedule does:
              add-every-30s:
                task: tasks.add
                schedule: 30            # seconds, or "30s", "5m", "1h", "1d"
                args: [16, 16]
              monday-report:
                task: reports.weekly
                schedule: "30 7 * * mon"
                options: {queue: reports}

            Examples:
              swiftbeat import schedule.yaml
              swiftbeat export | ssh other-host swiftbeat import --replace /dev/stdin
            """)

    @Argument(help: ArgumentHelp("The schedule file (.yaml, .yml or .json).", valueName: "file"))
    var file: String

    @Flag(help: "Overwrite entries that exist (keeping their run count and last run).")
    var replace = false

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let settings = try config.settings()
        let store = try self.store.resolved(settings)
        let text = try TextFile.read(file)
        var entries: [ScheduleFile.Entry]
        do {
            entries = try ScheduleFile.parse(text: text, fileName: file)
        } catch {
            throw CommandFailure.badInput("\(error)")
        }
        // Every entry in the store's own form first: one RedBeat cannot hold means nothing is written.
        for index in entries.indices {
            entries[index].json = try store.stored(name: entries[index].name, entry: entries[index].json)
        }
        let connection = try store.connect()
        let writer = try store.writer(on: connection)
        var counts: [String: Int] = [:]
        func report(_ word: String, _ entry: ScheduleFile.Entry, _ note: String = "") {
            print("\(word) \(writer.key(of: entry.name))\(note)")
            counts[word, default: 0] += 1
        }
        if replace {
            for entry in entries {
                switch try storeCall({ () throws(ScheduleStoreError) in try writer.put(name: entry.name, stored: entry.json, announce: false) }) {
                case .added: report("added", entry)
                case .replaced: report("replaced", entry)
                case .unchanged: report("unchanged", entry)
                }
            }
            if counts["added", default: 0] + counts["replaced", default: 0] > 0 {
                try storeCall { () throws(ScheduleStoreError) in try writer.announce(EntryChanges.everything) }
            }
        } else {
            let outcomes = try storeCall { () throws(ScheduleStoreError) in try writer.addAbsent(entries) }
            for (entry, outcome) in zip(entries, outcomes) {
                switch outcome {
                case .added: report("added", entry)
                case .exists: report("skipped", entry, " (exists; --replace overwrites it)")
                }
            }
        }
        let summary = ["added", "replaced", "unchanged", "skipped"].compactMap { word in
            counts[word].map { "\($0) \(word)" }
        }
        print(summary.isEmpty ? "the file has no entries" : summary.joined(separator: ", "))
    }
}
