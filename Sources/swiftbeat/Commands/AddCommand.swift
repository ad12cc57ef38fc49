import ArgumentParser
import BeatCore
import BeatRunner
import JSON
import ScheduleStore

/// `swiftbeat add`: writes a new entry, in celerybeat-redis's current format or as RedBeat's `save()` does.
struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an entry (refuses to overwrite one unless --replace is given).",
        discussion: """
            The entry is checked as the scheduler would check it before anything is written, and a running \
            swiftbeat run picks it up within a second.

            Examples:
              swiftbeat add add-every-30s --task tasks.add --every 30s --args '[16, 16]'
              swiftbeat add monday-report --task reports.weekly --crontab "30 7 * * mon" --queue reports --expires 3600
              swiftbeat add nightly --task tasks.cleanup --schedule '{"minute": "0", "hour": "3"}' --disabled
              swiftbeat add lights-on --task home.lights --solar sunset --lat 52.37 --lon 4.90
              swiftbeat add xmas --task shop.greet --at 2026-12-24T18:00:00+01:00 --one-off
              swiftbeat add campaign --task mail.send --every 1h --start-time 2026-12-01T00:00:00Z --end-time 2026-12-31T23:00:00Z --max-runs 500
            """)

    @Argument(help: ArgumentHelp("The entry's name; its key is <prefix><name>.", valueName: "name"))
    var name: String

    @OptionGroup var fields: EntryFieldOptions

    @Flag(help: "Write the entry disabled (enabled: false).")
    var disabled = false

    @Flag(help: "Overwrite an existing entry with this name (its run count and last run are kept).")
    var replace = false

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let settings = try config.settings()
        let store = try self.store.resolved(settings)
        guard !name.isEmpty else { throw CommandFailure.badInput("the entry name is empty") }
        guard let task = fields.task else { throw CommandFailure.badInput("--task is required") }
        guard let schedule = try fields.scheduleValue(entry: name) else {
            throw CommandFailure.badInput("give a schedule with --every, --crontab, --solar, --at or --schedule")
        }
        var options = JSONObject()
        for change in try fields.optionChanges() { options[change.key] = change.value }
        var entry: JSONObject = [
            "task": .string(task), "enabled": .bool(!disabled), "schedule": schedule,
            "args": .array(try fields.argsValue() ?? []), "kwargs": .object(try fields.kwargsValue() ?? [:]),
            "options": .object(options),
        ]
        for change in try fields.lifetime.changes(removable: false) { entry[change.key] = change.value }
        let json: [UInt8]
        do {
            json = try EntryEncoder.encode(name: name, entry: entry)
        } catch {
            throw CommandFailure(error)
        }
        let stored = try store.stored(name: name, entry: json)

        let connection = try store.connect()
        let writer = try store.writer(on: connection)
        let key = writer.key(of: name)
        if replace {
            switch try storeCall({ () throws(ScheduleStoreError) in try writer.put(name: name, stored: stored) }) {
            case .added: print("added \(key)")
            case .replaced: print("replaced \(key)")
            case .unchanged: print("unchanged \(key)")
            }
        } else {
            switch try storeCall({ () throws(ScheduleStoreError) in try writer.add(name: name, stored: stored) }) {
            case .added: print("added \(key)")
            case .exists: throw CommandFailure.badInput("entry \(key) already exists; use --replace to overwrite it")
            }
        }
    }
}
