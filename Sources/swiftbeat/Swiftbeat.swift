import ArgumentParser
import RedisClient
#if canImport(Glibc)
import Glibc
#endif

/// The `swiftbeat` command: a Celery beat for Python Celery workers, and its tools.
@main
struct Swiftbeat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftbeat",
        abstract: "A Celery beat scheduler: sends periodic tasks to Python Celery workers over Redis or RabbitMQ.",
        discussion: """
            Entries live in Redis under tasks:meta:<name>, in celerybeat-redis's format. Settings come from \
            flags, else from the environment variables named in each command's help, else from defaults.
            """,
        version: "0.1.0",
        subcommands: [
            RunCommand.self, StatusCommand.self, SendCommand.self, NextCommand.self, ListCommand.self, ShowCommand.self,
            AddCommand.self, EditCommand.self, EnableCommand.self, DisableCommand.self, RemoveCommand.self,
            CheckCommand.self, ExportCommand.self, ImportCommand.self,
        ])

    /// Runs a command and turns its failure into one line on stderr and an exit code:
    /// 0 success, 1 bad input, 2 a connection or server error (see `CommandFailure`).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            failure.exit()
        } catch {
            let code = exitCode(for: error)
            guard code != .success, !(error is CleanExit) else { exit(withError: error) }
            let message = Swiftbeat.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            CommandFailure.badInput(redactingArguments(in: message) + " (see --help)").exit()
        }
    }

    /// ArgumentParser quotes an argument it rejects ("Unexpected argument '…'", "The value '…' is
    /// invalid for …"), and that argument may be a broker URL with its password given in the wrong
    /// place: every argument that could hold credentials is shown redacted.
    static func redactingArguments(in message: String) -> String {
        CommandLine.arguments.dropFirst().reduce(message) { message, argument in
            argument.contains("@") || argument.lowercased().contains("password=")
                ? message.replacing(argument, with: redactingCredentials(in: argument)) : message
        }
    }
}
