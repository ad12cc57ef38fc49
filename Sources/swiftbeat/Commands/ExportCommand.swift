import ArgumentParser
import BeatCore
import BeatRunner
import JSON
import RedisClient
import ScheduleStore
import YAML

/// The file formats, as --format takes them.
enum ScheduleFileFormat: String, ExpressibleByArgument {
    case yaml, json

    var format: ScheduleFile.Format { self == .json ? .json : .yaml }
}

/// `swiftbeat export`: the entries as a schedule file, on stdout.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the entries as a schedule file (YAML or JSON) to stdout.",
        discussion: """
            Each entry is written as stored, without its run state (total_run_count, last_run_at), so \
            `swiftbeat import` or `swiftbeat run --schedule-file` recreates it. Invalid entries are left out \
            with a warning on stderr, and the exit status is then 1.

            Examples:
              swiftbeat export > schedule.yaml
              swiftbeat export --format json --key-prefix staging: > staging.json
            """)

    @Option(help: "yaml or json.")
    var format: ScheduleFileFormat = .yaml

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let settings = try config.settings()
        let store = try self.store.resolved(settings)
        let configuration = try store.redisConfiguration()
        let entries = try DecodedEntry.load(store)
        var fileEntries: [(name: String, entry: JSONObject)] = []
        var skipped: [String] = []
        for decoded in entries {
            guard case .success = decoded.result, case .json(let bytes) = decoded.stored.value,
                let entry = try? ScheduleFile.fileEntry(name: decoded.stored.name, stored: store.kind.parts(of: bytes).entry)
            else {
                if case .failure(let error) = decoded.result { StandardError.write("swiftbeat: skipped \(error)\n") }
                skipped.append(decoded.stored.key)
                continue
            }
            fileEntries.append((decoded.stored.name, entry))
        }
        let header = """
            swiftbeat schedule file: \(fileEntries.count) entries from \(configuration.redactedURL), key prefix \(store.resolvedKeyPrefix)
            Read by: swiftbeat import FILE, swiftbeat run --schedule-file FILE
            """
        StandardOutput.write(ScheduleFile.write(fileEntries, format: format.format, header: header))
        if !skipped.isEmpty {
            throw CommandFailure.badInput("\(skipped.count) invalid \(skipped.count == 1 ? "entry was" : "entries were") not exported (see swiftbeat check)")
        }
    }
}
