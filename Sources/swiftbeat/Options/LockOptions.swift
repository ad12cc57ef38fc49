import ArgumentParser
import CeleryConfig

/// The active-standby lock: which key, and how long a leader's claim lasts.
struct LockOptions: ParsableArguments {
    static let defaultKey = "celery:beat:task_lock"
    static let defaultTTL = 30.0

    @Option(
        name: .customLong("lock-key"),
        help: ArgumentHelp(
            "The Redis key of the lock that decides which node sends (celerybeat-redis's key by default).",
            discussion: "Env: CELERY_REDIS_SCHEDULER_LOCK_KEY. Default: \(LockOptions.defaultKey).", valueName: "key"))
    var key: String?

    @Option(
        name: .customLong("lock-ttl"),
        help: ArgumentHelp(
            "Seconds a leader's lock lasts without renewal; a standby takes over within this plus --standby-retry.",
            discussion: "Env: CELERY_REDIS_SCHEDULER_LOCK_TTL. Default: 30.", valueName: "seconds"))
    var ttl: Double?

    func resolved(_ settings: Settings) throws -> LockSettings {
        let seconds = try ttl ?? readSetting { () throws(ConfigError) in try settings.number(.lockTTL) } ?? Self.defaultTTL
        guard seconds.isFinite, seconds >= 1 else {
            throw CommandFailure.badInput("the lock TTL must be at least 1 second, not \(seconds)")
        }
        return LockSettings(
            resolvedKey: try key ?? readSetting { () throws(ConfigError) in try settings.string(.lockKey) } ?? Self.defaultKey,
            ttl: .milliseconds(Int64(seconds * 1000)))
    }
}

/// The lock's settings, resolved.
struct LockSettings {
    var resolvedKey: String
    var ttl: Duration
}
