import ArgumentParser
import BeatCore
import BeatRunner
import Broker
import CeleryConfig
import JSON
import CivilTime
import RedBeatStore
import RedisClient

/// Where the schedule lives and how its crontabs read the clock; shared by `run` and every command
/// that manages entries. Each setting: flag, then its environment variable, then the config file,
/// then the default.
struct StoreOptions: ParsableArguments {
    static let defaultURL = "redis://127.0.0.1:6379/1"
    static let defaultKeyPrefix = "tasks:meta:"

    @Option(
        name: .customLong("scheduler-url"),
        help: ArgumentHelp(
            "The Redis that holds the entries and the lock: redis://, rediss:// (TLS, with ssl_* options) or unix://.",
            discussion: "Env: CELERY_REDIS_SCHEDULER_URL. Default: \(StoreOptions.defaultURL).", valueName: "url"))
    var url: String?

    @Option(
        name: .customLong("scheduler-transport-options"),
        help: ArgumentHelp(
            "For a sentinel:// scheduler URL, kombu's Sentinel options as JSON: "
                + #"{"master_name": "mymaster", "sentinel_kwargs": {"password": "..."}}."#,
            discussion: "Env: CELERY_REDIS_SCHEDULER_TRANSPORT_OPTIONS.", valueName: "json"))
    var transportOptions: String?

    @Option(
        name: .customLong("key-prefix"),
        help: ArgumentHelp(
            "Entries are the keys <prefix><name>.",
            discussion: "Env: CELERY_REDIS_SCHEDULER_KEY_PREFIX (with --store redbeat: CELERY_REDBEAT_KEY_PREFIX, config redbeat_key_prefix, default redbeat:). Default: \(StoreOptions.defaultKeyPrefix).",
            valueName: "prefix"))
    var keyPrefix: String?

    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "Whose entries: celerybeat-redis (JSON strings under tasks:meta:) or redbeat (celery-redbeat's hashes under redbeat:).",
            discussion: "Env: SWIFTBEAT_STORE (config: store). Default: celerybeat-redis.", valueName: "kind"))
    var kind: String?

    @Option(
        help: ArgumentHelp(
            "The IANA time zone crontabs are read in, e.g. Europe/London.",
            discussion: "Env: CELERY_TIMEZONE. Default: UTC.", valueName: "zone"))
    var timezone: String?

    func resolved(_ settings: Settings) throws -> StoreSettings {
        let kind = try self.kind(settings)
        let prefix: String
        switch kind {
        case .celerybeatRedis:
            prefix = try keyPrefix ?? readSetting { () throws(ConfigError) in try settings.string(.keyPrefix) } ?? Self.defaultKeyPrefix
        case .redBeat:
            prefix = try keyPrefix ?? readSetting { () throws(ConfigError) in try settings.string(.redbeatKeyPrefix) } ?? RedBeatKeys.defaultPrefix
        }
        let options = try transportOptions ?? readSetting { () throws(ConfigError) in try settings.json(.schedulerTransportOptions) }
            .map { JSONWriter.string($0.value, style: .compact) }
        return try StoreSettings(
            resolvedURL: url ?? readSetting { () throws(ConfigError) in try settings.string(.schedulerURL) } ?? Self.defaultURL,
            resolvedKeyPrefix: prefix, timezone: Self.timezone(timezone, settings), kind: kind, transportOptions: options,
            tls: UseSSLSetting.tls(.schedulerUseSSL, settings))
    }

    private func kind(_ settings: Settings) throws -> StoreKind {
        let name = try kind ?? readSetting { () throws(ConfigError) in try settings.string(.store) } ?? StoreKind.celerybeatRedis.rawValue
        guard let kind = StoreKind(rawValue: name) else {
            let source = settings.source(of: .store, flag: "--store", given: self.kind != nil, fallback: "the store")
            throw CommandFailure.badInput("\(source) must be celerybeat-redis or redbeat, not \(name)")
        }
        return kind
    }

    /// The zone's name: the flag, else `timezone` / `CELERY_TIMEZONE`, else UTC.
    static func timezone(_ flag: String?, _ settings: Settings) throws -> String {
        try flag ?? readSetting { () throws(ConfigError) in try settings.string(.timezone) } ?? "UTC"
    }

    static func zone(named name: String) throws -> TimeZoneRules {
        do {
            return try TimeZoneRules.load(identifier: name)
        } catch {
            throw CommandFailure.badInput("\(error)")
        }
    }
}

/// The store's settings, resolved.
struct StoreSettings {
    var resolvedURL: String
    var resolvedKeyPrefix: String
    var timezone: String
    var kind: StoreKind
    /// kombu's Sentinel options for the scheduler's Redis, as JSON text.
    var transportOptions: String?
    /// From `CELERY_REDIS_SCHEDULER_USE_SSL`, as `broker_use_ssl` is for the broker.
    var tls: RedisConfiguration.TLS?

    /// For the commands that write or show one entry, which know celerybeat-redis's format only:
    /// RedBeat's entries are changed with RedBeat's own API, so that what is written is what
    /// RedBeat's beat reads (`list`, `check`, `export` and `status` read either store).
    /// The writer of this store's entries, on `connection`.
    func writer(on connection: RedisConnection) throws -> StoredEntryWriter {
        StoredEntryWriter(kind, connection: connection, keyPrefix: resolvedKeyPrefix, zone: try zone())
    }

    /// What the store keeps for the entry `json` (`EntryEncoder`'s output), or the one line why it cannot.
    func stored(name: String, entry json: [UInt8]) throws -> [UInt8] {
        do {
            return try kind.stored(name: name, entry: json, keyPrefix: resolvedKeyPrefix)
        } catch {
            throw CommandFailure(error)
        }
    }

    func redisConfiguration() throws -> RedisConfiguration {
        var configuration: RedisConfiguration
        do {
            configuration = try RedisConfiguration(url: resolvedURL)
        } catch {
            throw CommandFailure.badInput("invalid scheduler URL: \(error)")
        }
        if let tls { configuration.tls = tls }
        do throws(BrokerError) {
            let options = try transportOptions.map { (json) throws(BrokerError) in try SentinelTransportOptions(json: json, what: "scheduler transport options") }
            return try (options ?? SentinelTransportOptions()).applied(to: configuration, option: "--scheduler-transport-options")
        } catch {
            throw CommandFailure.badInput(error.description)
        }
    }

    func zone() throws -> TimeZoneRules {
        try StoreOptions.zone(named: timezone)
    }

    /// Connects to the scheduler's Redis, or fails with exit code 2.
    func connect() throws -> RedisConnection {
        let configuration = try redisConfiguration()
        do {
            return try RedisConnection(configuration: configuration)
        } catch {
            throw CommandFailure.unavailable("cannot reach the scheduler's redis: \(error)")
        }
    }
}
