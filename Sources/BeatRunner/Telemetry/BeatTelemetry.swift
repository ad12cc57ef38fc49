import CivilTime
import Synchronization

/// Where the loop leaves its latest `BeatSnapshot` for other threads (the HTTP server's) to read.
///
/// The loop writes a whole snapshot at most every `publishInterval` and at each turn; a reader takes
/// a copy. Both hold the lock only for a struct copy (a few retains), so a slow or stalled reader
/// can never hold up a firing, and a reader never sees half of an update.
public final class BeatTelemetry: Sendable {
    private let latest: Mutex<BeatSnapshot>

    public init(maxInterval: Duration) {
        let now = SystemClock.monotonicMicroseconds()
        latest = Mutex(BeatSnapshot(startedAt: now, maxIntervalMicroseconds: maxInterval.microseconds))
    }

    public func snapshot() -> BeatSnapshot {
        latest.withLock { $0 }
    }

    func publish(_ snapshot: BeatSnapshot) {
        latest.withLock { $0 = snapshot }
    }

    /// How often a busy loop (a burst of firings in one turn) publishes meanwhile, in microseconds.
    static var publishInterval: Int64 { 200_000 }
}
