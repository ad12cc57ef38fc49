import ArgumentParser
import BeatCore
import CeleryConfig
import ScheduleStore

/// `swiftbeat check`: validates every entry as the scheduler would.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check every entry; exit 1 listing each invalid key with its reason.",
        discussion: """
            An invalid entry is one the scheduler skips (bad JSON, missing task, unknown period, bad crontab, \
            a key that is not a string, ...) or one whose messages the config's routing cannot place (a queue \
            missing from task_queues while task_create_missing_queues is off).

            Example:
              swiftbeat check && echo "all entries valid"
            """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let settings = try config.settings()
        let store = try self.store.resolved(settings)
        let router = try readSetting { () throws(ConfigError) in try settings.router() }
        var invalid = 0
        var count = 0
        try DecodedEntry.forEach(store) { decoded in
            count += 1
            switch decoded.result {
            case .failure(let error):
                print("\(decoded.stored.key): \(error.reason)")
                invalid += 1
            case .success(let entry):
                if case .failure(let error) = EntryDestination.of(entry, router: router) {
                    print("\(decoded.stored.key): cannot be routed: \(error)")
                    invalid += 1
                }
            }
        }
        guard invalid == 0 else {
            throw CommandFailure.badInput("\(invalid) of \(count) entries are invalid")
        }
        print("\(count) \(count == 1 ? "entry" : "entries") under \(store.resolvedKeyPrefix), all valid")
    }
}
