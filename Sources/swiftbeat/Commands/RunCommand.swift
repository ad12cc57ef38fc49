import ArgumentParser
import BeatCore
import BeatRunner
import Logging

/// `swiftbeat run`: the beat itself.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Send the periodic tasks stored in Redis (celerybeat-redis entries) to Celery workers.",
        discussion: """
            Run one on every node: the nodes elect a leader through a Redis lock and only the leader sends.
            SIGTERM or SIGINT releases the lock and exits.

            Examples:
              swiftbeat run
              swiftbeat run --scheduler-url redis://redis:6379/1 --broker-url amqp://user:pass@rabbit:5672// --timezone Europe/London
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var broker: BrokerOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var replication: ReplicationOptions

    @Option(
        name: .customLong("max-interval"),
        help: ArgumentHelp("The longest the beat sleeps between checks.", discussion: "Default: 5.", valueName: "seconds"))
    var maxInterval = 5.0

    @Option(
        name: .customLong("reload-interval"),
        help: ArgumentHelp(
            "How often every entry is re-read, to find edits made directly in Redis (changes made with swiftbeat's own commands arrive at once).",
            discussion: "Default: 5.", valueName: "seconds"))
    var reloadInterval = 5.0

    @Option(
        name: .customLong("standby-retry"),
        help: ArgumentHelp("How often a standby tries to take the lock.", discussion: "Default: 1.", valueName: "seconds"))
    var standbyRetry = 1.0

    @Option(
        name: .customLong("starting-deadline"),
        help: ArgumentHelp(
            "Skip a crontab's catch-up run when its missed slot is older than this (Celery's beat_cron_starting_deadline).",
            valueName: "seconds"))
    var startingDeadline: Double?

    @Option(
        name: .customLong("schedule-file"),
        help: ArgumentHelp(
            "A YAML or JSON file of entries (like Celery's beat_schedule); each is written to Redis only when its key is absent.",
            valueName: "file"))
    var scheduleFile: String?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp("debug, info, warning or error.", discussion: "Default: info."))
    var logLevel = "info"

    func validate() throws {
        for (name, value) in [("--max-interval", maxInterval), ("--reload-interval", reloadInterval), ("--standby-retry", standbyRetry)] {
            guard value.isFinite, value >= 0.05 else { throw ValidationError("\(name) must be at least 0.05 seconds") }
        }
        if let startingDeadline, !(startingDeadline.isFinite && startingDeadline >= 0) {
            throw ValidationError("--starting-deadline must be a non-negative number of seconds")
        }
        guard Self.levels[logLevel] != nil else {
            throw ValidationError("--log-level must be debug, info, warning or error, not \(logLevel)")
        }
    }

    /// The schedule file's entries as the JSON to store, all checked before anything is written.
    private func seedEntries() throws -> [(name: String, json: [UInt8])] {
        guard let scheduleFile else { return [] }
        do {
            return try ScheduleFile.parse(text: TextFile.read(scheduleFile), fileName: scheduleFile).map { ($0.name, $0.json) }
        } catch let error as ScheduleFileError {
            throw CommandFailure.badInput(error.description)
        }
    }

    static let levels: [String: Logger.Level] = ["debug": .debug, "info": .info, "warning": .warning, "error": .error]

    func run() throws {
        let level = Self.levels[logLevel] ?? .info
        LoggingSystem.bootstrap { _ in LineLogHandler(logLevel: level) }
        let configuration = RunnerConfiguration(
            scheduler: try store.redisConfiguration(),
            broker: try broker.brokerURL(),
            brokerOptions: try broker.resolvedTransportOptions(),
            keyPrefix: store.resolvedKeyPrefix,
            zone: try store.zone(),
            maxInterval: .seconds(maxInterval),
            reloadInterval: .seconds(reloadInterval),
            lockKey: lock.resolvedKey,
            lockTTL: try lock.resolvedTTL(),
            standbyRetry: .seconds(standbyRetry),
            startingDeadline: startingDeadline.map { .seconds($0) },
            seedEntries: try seedEntries(),
            replicaWait: try replication.resolved())
        Beat(configuration: configuration, logger: Logger(label: "swiftbeat")).run()
    }
}
