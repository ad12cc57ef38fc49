/// The verdicts `/healthz`, `/readyz` and the systemd watchdog give on a snapshot: pure, with the
/// time passed in, so they are tested without a stuck loop.
extension BeatSnapshot {
    /// Healthy while the loop has turned recently. A turn may legitimately take a Redis connect and a
    /// command (5 s timeouts each) on top of a full sleep (`maxInterval`), so "stuck" starts well past
    /// that: a supervisor restarting a beat that is merely waiting on a slow Redis would not help.
    public func healthProblem(now: Int64) -> String? {
        let silent = now - lastTurnAt
        let limit = stuckAfterMicroseconds
        guard silent > limit else { return nil }
        return "the loop has not turned for \(silent / 1_000_000) s (limit \(limit / 1_000_000) s)"
    }

    public var stuckAfterMicroseconds: Int64 { max(30_000_000, 3 * maxIntervalMicroseconds) }

    /// Ready when Redis answers and this node leads or could take over: the loop is healthy, the
    /// entries are loaded, and the last Redis call succeeded.
    public func readinessProblem(now: Int64) -> String? {
        if let problem = healthProblem(now: now) { return problem }
        if role == .stopped { return "swiftbeat is stopping" }
        if let redisError { return "the scheduler's redis does not answer: \(redisError)" }
        if !loaded { return "the entries are not loaded yet" }
        return nil
    }
}
