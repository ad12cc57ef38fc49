import ArgumentParser
import BeatRunner
import CeleryConfig

/// `--wait-replicas`: how many replicas each commit waits for, to narrow what a failover can repeat.
struct ReplicationOptions: ParsableArguments {
    @Option(
        name: .customLong("wait-replicas"),
        help: ArgumentHelp(
            "After each commit, wait until this many replicas have it (Redis WAIT), so a failover does not repeat what was sent.",
            discussion: "Env: CELERY_REDIS_SCHEDULER_WAIT_REPLICAS. Default: 0 (do not wait).", valueName: "count"))
    var replicas: Int?

    @Option(
        name: .customLong("wait-timeout"),
        help: ArgumentHelp(
            "The longest a commit waits for --wait-replicas; after it the firing stands and a warning is logged.",
            discussion: "Env: CELERY_REDIS_SCHEDULER_WAIT_TIMEOUT. Default: 1.", valueName: "seconds"))
    var timeout: Double?

    /// The flags, else the environment, else the config file (`CELERY_REDIS_SCHEDULER_WAIT_REPLICAS`,
    /// `CELERY_REDIS_SCHEDULER_WAIT_TIMEOUT`).
    func resolved(_ settings: Settings) throws -> ReplicaWait? {
        let count = try replicas ?? readSetting { () throws(ConfigError) in try settings.integer(.schedulerWaitReplicas) } ?? 0
        guard count >= 0 else {
            throw CommandFailure.badInput("the number of replicas to wait for must be a whole number of at least 0, not \(count)")
        }
        let seconds = try timeout ?? readSetting { () throws(ConfigError) in try settings.number(.schedulerWaitTimeout) } ?? 1
        guard seconds.isFinite, seconds >= 0.001 else {
            throw CommandFailure.badInput("the wait timeout must be at least 0.001 seconds, not \(seconds)")
        }
        guard count > 0 else { return nil }
        return ReplicaWait(replicas: count, timeout: .milliseconds(Int64(seconds * 1000)))
    }
}
