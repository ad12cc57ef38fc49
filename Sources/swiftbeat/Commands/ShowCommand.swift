import ArgumentParser
import BeatCore
import CeleryConfig
import CivilTime
import JSON
import ScheduleStore

/// `swiftbeat show`: one entry as stored, and when it fires next.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print an entry as stored (pretty-printed) and its next five fire times.",
        discussion: """
            Exits with 1 if the entry is missing or invalid (the reason is printed).

            With schedule or lifetime flags (--solar, --at, --start-time, --end-time, --max-runs, --one-off), \
            it shows the entry as `swiftbeat edit` with the same flags would leave it, and writes nothing.

            Examples:
              swiftbeat show monday-report --timezone Europe/London
              swiftbeat show monday-report --solar sunrise --lat 52.37 --lon 4.90 --max-runs 3
            """)

    @Argument(help: ArgumentHelp("The entry's name.", valueName: "name"))
    var name: String

    @OptionGroup var kinds: ScheduleKindOptions
    @OptionGroup var lifetime: LifetimeOptions
    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let settings = try config.settings()
        let store = try self.store.resolved(settings)
        try store.requireCelerybeatRedis()
        let zone = try store.zone()
        let router = try readSetting { () throws(ConfigError) in try settings.router() }
        let connection = try store.connect()
        let reader = EntryReader(connection: connection, keyPrefix: store.resolvedKeyPrefix)
        guard var stored = try storeCall({ () throws(ScheduleStoreError) in try reader.entry(named: name) }) else {
            throw CommandFailure.badInput("no entry \(store.resolvedKeyPrefix + name)")
        }
        let preview = EntryEdit(schedule: try kinds.scheduleObject(), lifetime: try lifetime.changes(removable: true))
        if !preview.isEmpty, case .json(let bytes) = stored.value {
            do {
                stored.value = .json(try preview.apply(to: bytes, key: stored.key, name: stored.name))
            } catch {
                throw CommandFailure.badInput(error.description)
            }
        }
        if !preview.isEmpty { print("preview with the flags given (nothing is written):") }
        if case .json(let bytes) = stored.value {
            if let value = try? JSONParser.parse(bytes) {
                print(JSONWriter.indented(value))
            } else {
                print(String(decoding: bytes, as: UTF8.self))
            }
        }
        let entry: Entry
        switch DecodedEntry.decode(stored).result {
        case .failure(let error): throw CommandFailure.badInput(error.description)
        case .success(let decoded): entry = decoded
        }
        let now = SystemClock.now()
        print("")
        print("schedule: \(entry.schedule.description)")
        switch EntryDestination.of(entry, router: router) {
        case .success(let destination): print("destination: \(EntryDestination.describe(destination))")
        case .failure(let error): print("destination: cannot be routed: \(error)")
        }
        print("last run: \(entry.lastRunAt.map { zone.iso8601($0) } ?? "never (the next runs count from now, as from when the scheduler first sees it)")")
        if !entry.lifetime.isEmpty { print("lifetime: \(LifetimeWords.describe(entry.lifetime, zone: zone))") }
        if let finished = entry.finishedReason(at: now) {
            print("finished: \(finished)")
            return
        }
        print(entry.enabled ? "next 5 runs (\(zone.identifier)):" : "disabled; if enabled, its next 5 runs (\(zone.identifier)) would be:")
        for instant in UpcomingRuns.of(entry, now: now, zone: zone, count: 5) {
            print("  \(zone.iso8601(instant))")
        }
    }
}
