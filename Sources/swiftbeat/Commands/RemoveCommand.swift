import ArgumentParser
import BeatRunner
import ScheduleStore

/// `swiftbeat remove`: deletes an entry's key (and, in RedBeat, its member of the index).
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove an entry (a running scheduler drops it within a second and never re-creates it).",
        discussion: "Example:\n  swiftbeat remove add-every-30s")

    @Argument(help: ArgumentHelp("The entry's name.", valueName: "name"))
    var name: String

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let settings = try config.settings()
        let store = try self.store.resolved(settings)
        let connection = try store.connect()
        let writer = try store.writer(on: connection)
        let removed = try storeCall { () throws(ScheduleStoreError) in try writer.remove(name: name) }
        guard removed else { throw CommandFailure.badInput("no entry \(writer.key(of: name))") }
        print("removed \(writer.key(of: name))")
    }
}
