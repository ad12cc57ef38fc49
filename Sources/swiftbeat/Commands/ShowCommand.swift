import ArgumentParser
import BeatCore
import BeatRunner
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
        let zone = try store.zone()
        let router = try readSetting { () throws(ConfigError) in try settings.router() }
        let connection = try store.connect()
        guard var stored = try storeCall({ () throws(ScheduleStoreError) in
            try store.kind.entry(named: name, on: connection, keyPrefix: store.resolvedKeyPrefix)
        }) else {
            throw CommandFailure.badInput("no entry \(store.resolvedKeyPrefix + name)")
        }
        let preview = EntryEdit(schedule: try kinds.scheduleObject(), lifetime: try lifetime.changes(removable: true))
        if !preview.isEmpty, case .json(let bytes) = stored.value {
            do {
                let edited = try preview.apply(to: store.kind.parts(of: bytes).entry, key: stored.key, name: stored.name)
                stored.value = .json(store.kind.replacing(entry: edited, in: bytes))
            } catch {
                throw CommandFailure.badInput(error.description)
            }
        }
        if !preview.isEmpty { print("preview with the flags given (nothing is written):") }
        if case .json(let bytes) = stored.value {
            let parts = store.kind.parts(of: bytes)
            printJSON(parts.entry)
            if let meta = parts.meta {
                print("meta:")
                printJSON(meta)
            }
        }
        let entry: Entry
        switch DecodedEntry.decode(stored, kind: store.kind).result {
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
        print("last run: \(entry.lastRunAt.map { zone.iso8601($0) } ?? UpcomingRuns.neverRun(store.kind))")
        if !entry.lifetime.isEmpty { print("lifetime: \(LifetimeWords.describe(entry.lifetime, zone: zone))") }
        if let finished = entry.finishedReason(at: now) {
            print("finished: \(finished)")
            return
        }
        print(entry.enabled ? "next 5 runs (\(zone.identifier)):" : "disabled; if enabled, its next 5 runs (\(zone.identifier)) would be:")
        for instant in UpcomingRuns.of(entry, now: now, zone: zone, count: 5, kind: store.kind) {
            print("  \(zone.iso8601(instant))")
        }
    }

    /// `bytes` indented when they are JSON, else as they are.
    private func printJSON(_ bytes: [UInt8]) {
        if let value = try? JSONParser.parse(bytes) {
            print(JSONWriter.indented(value))
        } else {
            print(String(decoding: bytes, as: UTF8.self))
        }
    }
}
