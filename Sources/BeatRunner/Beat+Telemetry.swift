import BeatCore
import CivilTime

extension Beat {
    /// Counts one firing of `queue`. A dictionary update: the loop fires 10,000 a second, so the
    /// counters are plain integers of the loop's own, copied out with the snapshot.
    func countFiring(_ outcome: FiringOutcome, queue: String) {
        switch outcome {
        case .sent: observed.firings[queue, default: FiringCounts()].sent += 1
        case .failed: observed.firings[queue, default: FiringCounts()].failed += 1
        case .dropped: observed.firings[queue, default: FiringCounts()].dropped += 1
        }
    }

    enum FiringOutcome {
        case sent, failed, dropped
    }

    /// `count` firings due at `due` were handed to the broker at `now` (one clock read per batch,
    /// by the caller): the lag histogram, and the last firing's time.
    func handedToBroker(due: Instant, count: Int, at now: Instant) {
        observed.lag.observe(seconds: (now - due).seconds, times: count)
        observed.lastFiringAt = now
    }

    /// A call to the scheduler's Redis answered: the backoff ends and readiness returns.
    func redisSucceeded() {
        redisBackoff.succeeded()
        observed.redisError = nil
    }

    /// Publishes the snapshot at the end of a turn.
    func publishTelemetry() {
        let now = SystemClock.monotonicMicroseconds()
        observed.lastTurnAt = now
        if observed.role != .stopped {
            observed.role = election.maySend(at: now) ? .leader : .standby
        }
        observed.loaded = hasLoadedOnce
        observed.invalidEntries = invalidEntries.count
        observed.loadedEntries = timetable.count
        nextTelemetryAt = now + BeatTelemetry.publishInterval
        telemetry.publish(observed)
        turned?(observed)
    }

    /// Publishes from inside a long turn (a burst of firings), so the loop does not look stuck
    /// while it is busy firing; a clock read and a comparison otherwise.
    func publishTelemetryIfDue() {
        guard SystemClock.monotonicMicroseconds() >= nextTelemetryAt else { return }
        publishTelemetry()
    }
}
