import ArgumentParser
import CeleryConfig

/// `--config FILE` (env `SWIFTBEAT_CONFIG`), taken by every command: a YAML or JSON file of Celery
/// settings, under the environment and the flags.
struct ConfigOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "A YAML or JSON file of Celery settings (broker_url, timezone, task_routes, task_default_queue, beat_schedule, ...), "
                + "in Celery's lowercase names or its old uppercase ones.",
            discussion: "Env: SWIFTBEAT_CONFIG. Flags and environment variables win over it.", valueName: "file"))
    var path: String?

    /// The settings: each from its environment variable, else from the config file. The file is
    /// read and checked whole (a file that does not parse, or mixes Celery's name styles, fails
    /// the command); its ignored and unknown settings are reported once, on stderr, or to `warn`.
    func settings(warn: (String) -> Void = { StandardError.write("swiftbeat: warning: \($0)\n") }) throws -> Settings {
        let file: ConfigFile?
        if let path = path ?? Environment.value("SWIFTBEAT_CONFIG") {
            do {
                file = try ConfigFile.read(text: TextFile.read(path), fileName: path)
            } catch let error as ConfigError {
                throw CommandFailure.badInput(error.description)
            }
        } else {
            file = nil
        }
        file?.warnings.forEach(warn)
        return Settings(file: file, environment: { Environment.value($0) })
    }
}

extension ConfigError {
    var failure: CommandFailure { .badInput(description) }
}

/// A setting read for a command: a bad value is bad input, exit 1.
func readSetting<T>(_ read: () throws(ConfigError) -> T) throws(CommandFailure) -> T {
    do {
        return try read()
    } catch {
        throw error.failure
    }
}
