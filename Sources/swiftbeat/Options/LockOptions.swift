import ArgumentParser

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

    var resolvedKey: String {
        key ?? Environment.value("CELERY_REDIS_SCHEDULER_LOCK_KEY") ?? Self.defaultKey
    }

    func resolvedTTL() throws -> Duration {
        let text = ttl.map { String($0) } ?? Environment.value("CELERY_REDIS_SCHEDULER_LOCK_TTL") ?? String(Self.defaultTTL)
        guard let seconds = Double(text), seconds.isFinite, seconds >= 1 else {
            throw CommandFailure.badInput("the lock TTL must be at least 1 second, not \"\(text)\"")
        }
        return .milliseconds(Int64(seconds * 1000))
    }
}
