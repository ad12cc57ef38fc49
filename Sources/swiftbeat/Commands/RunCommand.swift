import ArgumentParser
import BeatCore
import BeatRunner
import CeleryConfig
import JSON
import Logging
import YAML

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
              swiftbeat run --config swiftbeat.yaml
            """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var broker: BrokerOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var observability: ObservabilityOptions
    @OptionGroup var replication: ReplicationOptions

    @Option(
        name: .customLong("max-interval"),
        help: ArgumentHelp(
            "The longest the beat sleeps between checks.",
            discussion: "Env: CELERY_BEAT_MAX_LOOP_INTERVAL (config: beat_max_loop_interval). Default: 5.", valueName: "seconds"))
    var maxInterval: Double?

    @Option(
        name: .customLong("reload-interval"),
        help: ArgumentHelp(
            "How often every entry is re-read, to find edits made directly in Redis (changes made with swiftbeat's own commands, and raw edits where the server has keyspace notifications on, arrive at once; then every entry is re-read only every 5 minutes).",
            discussion: "Env: SWIFTBEAT_RELOAD_INTERVAL (config: reload_interval). Default: 5.", valueName: "seconds"))
    var reloadInterval: Double?

    @Flag(
        name: .customLong("enable-keyspace-events"),
        help: ArgumentHelp(
            "Turn the Redis server's keyspace notifications on (CONFIG SET notify-keyspace-events) when they do not cover entry edits, so that raw edits arrive as they are made and entries are re-read only every 5 minutes.",
            discussion: "Env: SWIFTBEAT_ENABLE_KEYSPACE_EVENTS (config: enable_keyspace_events). Default: off (used only when the server has them on)."))
    var enableKeyspaceEvents = false

    @Option(
        name: .customLong("standby-retry"),
        help: ArgumentHelp(
            "How often a standby tries to take the lock.",
            discussion: "Env: SWIFTBEAT_STANDBY_RETRY (config: standby_retry). Default: 1.", valueName: "seconds"))
    var standbyRetry: Double?

    @Option(
        name: .customLong("starting-deadline"),
        help: ArgumentHelp(
            "Skip a crontab's catch-up run when its missed slot is older than this (Celery's beat_cron_starting_deadline).",
            discussion: "Env: CELERY_BEAT_CRON_STARTING_DEADLINE (config: beat_cron_starting_deadline).", valueName: "seconds"))
    var startingDeadline: Double?

    @Option(
        name: .customLong("schedule-file"),
        help: ArgumentHelp(
            "A YAML or JSON file of entries (like Celery's beat_schedule); each is written to Redis only when its key is absent.",
            discussion: "Without it, the config file's beat_schedule seeds entries the same way.", valueName: "file"))
    var scheduleFile: String?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "debug, info, warning or error.", discussion: "Env: SWIFTBEAT_LOG_LEVEL (config: log_level). Default: info."))
    var logLevel: String?

    static let levels: [String: Logger.Level] = ["debug": .debug, "info": .info, "warning": .warning, "error": .error]

    /// A number of seconds: the flag, else the setting, else the default, at least `minimum`.
    private func seconds(
        _ flag: Double?, _ option: String, _ setting: Setting, _ settings: Settings, default value: Double?, minimum: Double
    ) throws -> Double? {
        // Celery's beat_max_loop_interval 0 means "the scheduler's default", as do the others' 0.
        let configured = try readSetting { () throws(ConfigError) in try settings.number(setting) }
        guard let seconds = try flag ?? (configured == 0 && value != nil ? nil : configured) ?? value else {
            return nil
        }
        guard seconds.isFinite, seconds >= minimum else {
            let source = settings.source(of: setting, flag: option, given: flag != nil)
            throw CommandFailure.badInput("\(source) must be at least \(minimum) seconds, not \(seconds)")
        }
        return seconds
    }

    /// The entries to seed, as stored JSON, all checked before anything is written: the schedule
    /// file's, else the config file's beat_schedule.
    private func seedEntries(_ settings: Settings) throws -> [(name: String, json: [UInt8])] {
        do {
            if let scheduleFile {
                return try ScheduleFile.parse(text: TextFile.read(scheduleFile), fileName: scheduleFile).map { ($0.name, $0.json) }
            }
            guard let found = try readSetting({ () throws(ConfigError) in try settings.json(.beatSchedule) }) else { return [] }
            guard let schedule = found.value.objectValue else {
                throw CommandFailure.badInput(found.error("expected a mapping from entry name to entry, not \(found.value.typeName)").description)
            }
            let fileName = settings.file?.fileName ?? found.origin
            return try ScheduleFile.entries(of: schedule, fileName: fileName, line: found.line, context: "beat_schedule: ")
                .map { ($0.name, $0.json) }
        } catch let error as ScheduleFileError {
            throw CommandFailure.badInput(error.description)
        }
    }

    func run() throws {
        var warnings: [String] = []
        let settings = try config.settings { warnings.append($0) }
        let store = try self.store.resolved(settings)
        let broker = try self.broker.resolved(settings)
        let lock = try self.lock.resolved(settings)
        let levelName = try logLevel ?? readSetting({ () throws(ConfigError) in try settings.string(.logLevel) }) ?? "info"
        guard let level = Self.levels[levelName] else {
            let source = settings.source(of: .logLevel, flag: "--log-level", given: logLevel != nil, fallback: "the log level")
            throw CommandFailure.badInput("\(source) must be debug, info, warning or error, not \(levelName)")
        }
        let router = try readSetting { () throws(ConfigError) in try settings.router() }
        let http = try observability.httpAddress(settings)
        let maxInterval = try seconds(self.maxInterval, "--max-interval", .beatMaxLoopInterval, settings, default: 5, minimum: 0.05)!
        var (lockKey, lockTTL) = (lock.resolvedKey, lock.ttl)
        var seeds: [(name: String, json: [UInt8])] = []
        if store.kind == .redBeat {
            (lockKey, lockTTL) = try RedBeatLockSettings.resolve(
                keyPrefix: store.resolvedKeyPrefix, lockKey: self.lock.key, lockTTL: self.lock.ttl, maxInterval: maxInterval, settings)
            // RedBeat's beat_schedule statics are written by RedBeat's own setup_schedule.
            guard scheduleFile == nil else { throw CommandFailure.badInput("--schedule-file is for celerybeat-redis entries, not --store redbeat") }
            if settings.value(.beatSchedule) != nil {
                warnings.append("beat_schedule is not seeded with --store redbeat: a Python RedBeat beat writes those statics")
            }
        } else {
            seeds = try seedEntries(settings)
        }
        let configuration = RunnerConfiguration(
            scheduler: try store.redisConfiguration(),
            broker: try broker.brokerURL(),
            brokerOptions: broker.transportOptions,
            router: router,
            store: store.kind,
            keyPrefix: store.resolvedKeyPrefix,
            zone: try store.zone(),
            maxInterval: .seconds(maxInterval),
            reloadInterval: .seconds(try seconds(reloadInterval, "--reload-interval", .reloadInterval, settings, default: 5, minimum: 0.05)!),
            enableKeyspaceEvents: try enableKeyspaceEvents || readSetting({ () throws(ConfigError) in try settings.bool(.enableKeyspaceEvents) }) ?? false,
            lockKey: lockKey,
            lockTTL: lockTTL,
            standbyRetry: .seconds(try seconds(standbyRetry, "--standby-retry", .standbyRetry, settings, default: 1, minimum: 0.05)!),
            startingDeadline: try seconds(
                startingDeadline, "--starting-deadline", .beatCronStartingDeadline, settings, default: nil, minimum: 0
            ).map { .seconds($0) },
            seedEntries: seeds,
            replicaWait: try replication.resolved(settings))
        try observability.bootstrapLogging(level: level, settings)
        let logger = Logger(label: "swiftbeat")
        for warning in warnings { logger.warning("\(warning)") }
        let beat = Beat(configuration: configuration, logger: logger)
        let observation = try BeatObservation.attach(to: beat, http: http, configuration: configuration, logger: logger)
        beat.run()
        withExtendedLifetime(observation) {}
    }
}
