import ArgumentParser
import BeatRunner

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

    func resolved() throws -> ReplicaWait? {
        let replicasText = replicas.map { String($0) } ?? Environment.value("CELERY_REDIS_SCHEDULER_WAIT_REPLICAS") ?? "0"
        guard let count = Int(replicasText), count >= 0 else {
            throw CommandFailure.badInput("the number of replicas to wait for must be a whole number of at least 0, not \"\(replicasText)\"")
        }
        let timeoutText = timeout.map { String($0) } ?? Environment.value("CELERY_REDIS_SCHEDULER_WAIT_TIMEOUT") ?? "1"
        guard let seconds = Double(timeoutText), seconds.isFinite, seconds >= 0.001 else {
            throw CommandFailure.badInput("the wait timeout must be at least 0.001 seconds, not \"\(timeoutText)\"")
        }
        guard count > 0 else { return nil }
        return ReplicaWait(replicas: count, timeout: .milliseconds(Int64(seconds * 1000)))
    }
}
