import ArgumentParser
import BeatCore
import Broker
import CivilTime
import RedisClient

/// Where the schedule lives and how its crontabs read the clock; shared by `run` and every command
/// that manages entries. Each setting: flag, then its environment variable, then the default.
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
            discussion: "Env: CELERY_REDIS_SCHEDULER_KEY_PREFIX. Default: \(StoreOptions.defaultKeyPrefix).",
            valueName: "prefix"))
    var keyPrefix: String?

    @Option(
        help: ArgumentHelp(
            "The IANA time zone crontabs are read in, e.g. Europe/London.",
            discussion: "Env: CELERY_TIMEZONE. Default: UTC.", valueName: "zone"))
    var timezone: String?

    var resolvedURL: String {
        url ?? Environment.value("CELERY_REDIS_SCHEDULER_URL") ?? Self.defaultURL
    }

    var resolvedKeyPrefix: String {
        keyPrefix ?? Environment.value("CELERY_REDIS_SCHEDULER_KEY_PREFIX") ?? Self.defaultKeyPrefix
    }

    func redisConfiguration() throws -> RedisConfiguration {
        let configuration: RedisConfiguration
        do {
            configuration = try RedisConfiguration(url: resolvedURL)
        } catch {
            throw CommandFailure.badInput("invalid scheduler URL: \(error)")
        }
        let text = transportOptions ?? Environment.value("CELERY_REDIS_SCHEDULER_TRANSPORT_OPTIONS")
        do throws(BrokerError) {
            let options = try text.map { (json) throws(BrokerError) in try SentinelTransportOptions(json: json, what: "scheduler transport options") }
            return try (options ?? SentinelTransportOptions()).applied(to: configuration, option: "--scheduler-transport-options")
        } catch {
            throw CommandFailure.badInput(error.description)
        }
    }

    func zone() throws -> TimeZoneRules {
        try Self.zone(named: timezone ?? Environment.value("CELERY_TIMEZONE") ?? "UTC")
    }

    static func zone(named name: String) throws -> TimeZoneRules {
        do {
            return try TimeZoneRules.load(identifier: name)
        } catch {
            throw CommandFailure.badInput("\(error)")
        }
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
