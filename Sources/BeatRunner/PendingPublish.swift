import CeleryMessage
import CivilTime

/// A firing whose run state is committed but whose message the broker has not confirmed yet.
/// It is retried with backoff until it is sent, the entry fires again (the newer firing
/// supersedes it), or this node stops being the leader.
struct PendingPublish {
    var key: String
    var message: CeleryMessage
    var attempts: Int
    /// Monotonic microseconds.
    var nextAttemptAt: Int64
    /// When its group was first due (`BeatSnapshot.lag`).
    var due: Instant

    static func delay(afterAttempts attempts: Int) -> Int64 {
        min(Int64(500_000) << min(attempts, 6), 30_000_000)
    }
}
