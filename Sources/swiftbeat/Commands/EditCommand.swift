import ArgumentParser
import BeatCore
import BeatRunner
import JSON
import ScheduleStore

/// `swiftbeat edit`: changes only the given fields of an entry.
struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change some fields of an entry; everything else (run state, unknown keys) stays as it is.",
        discussion: """
            The change is a compare-and-set: if a running scheduler writes the entry back in between, the \
            edit is applied again to what it wrote, so neither change is lost. Options not named stay; \
            --option KEY=null removes one.

            Examples:
              swiftbeat edit add-every-30s --every 1m
              swiftbeat edit monday-report --crontab "0 8 * * mon-fri" --queue reports-fast
              swiftbeat edit add-every-30s --args '[1, 2]' --option expires=null
            """)

    @Argument(help: ArgumentHelp("The entry's name (its key without the prefix).", valueName: "name"))
    var name: String

    @OptionGroup var fields: EntryFieldOptions

    @Flag(help: "Enable the entry.")
    var enabled = false

    @Flag(help: "Disable the entry.")
    var disabled = false

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let settings = try config.settings()
        let store = try self.store.resolved(settings)
        guard !(enabled && disabled) else { throw CommandFailure.badInput("give --enabled or --disabled, not both") }
        let edit = EntryEdit(
            task: fields.task, enabled: enabled ? true : disabled ? false : nil,
            schedule: try fields.scheduleValue(entry: name), args: try fields.argsValue(),
            kwargs: try fields.kwargsValue(), options: try fields.optionChanges(),
            lifetime: try fields.lifetime.changes(removable: true))
        guard !edit.isEmpty else {
            throw CommandFailure.badInput("nothing to change; give --task, a schedule, --args, --kwargs, an option, a lifetime flag, --enabled or --disabled")
        }
        if let task = edit.task, task.isEmpty { throw CommandFailure.badInput("--task is empty") }
        try EntryEditRun.apply(edit, to: name, store: store, verb: "edited")
    }
}

/// What edit, enable and disable share: compare-and-set one entry, and say what happened.
enum EntryEditRun {
    static func apply(_ edit: EntryEdit, to name: String, store: StoreSettings, verb: String) throws {
        let connection = try store.connect()
        let writer = try store.writer(on: connection)
        let key = writer.key(of: name)
        let outcome = try storeCall { () throws(ScheduleStoreError) in
            try writer.update(name: name) { old throws(EntryError) in try edit.apply(to: old, key: key, name: name) }
        }
        switch outcome {
        case .missing: throw CommandFailure.badInput("no entry \(key)")
        case .unchanged: print("unchanged \(key) (it already was so)")
        case .updated: print("\(verb) \(key)")
        }
    }
}
