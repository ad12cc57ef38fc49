import ArgumentParser
import BeatCore

/// `swiftbeat enable`: sets `enabled: true`, nothing else.
struct EnableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Enable an entry, so it fires again.",
        discussion: "Example:\n  swiftbeat enable add-every-30s")

    @Argument(help: ArgumentHelp("The entry's name.", valueName: "name"))
    var name: String

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let settings = try config.settings()
        let store = try self.store.resolved(settings)
        try EntryEditRun.apply(EntryEdit(enabled: true), to: name, store: store, verb: "enabled")
    }
}

/// `swiftbeat disable`: sets `enabled: false`, nothing else; the entry stays and keeps its state.
struct DisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Disable an entry: it stays in Redis but does not fire.",
        discussion: "Example:\n  swiftbeat disable add-every-30s")

    @Argument(help: ArgumentHelp("The entry's name.", valueName: "name"))
    var name: String

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let settings = try config.settings()
        let store = try self.store.resolved(settings)
        try EntryEditRun.apply(EntryEdit(enabled: false), to: name, store: store, verb: "disabled")
    }
}
