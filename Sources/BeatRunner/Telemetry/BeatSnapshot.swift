public import CivilTime

/// What the loop publishes about itself for the HTTP endpoint and the supervisor: plain values,
/// copied out under a lock (`BeatTelemetry`), so a reader never touches the loop's own state.
public struct BeatSnapshot: Sendable {
    public enum Role: String, Sendable {
        case standby, leader, stopped
    }

    /// Monotonic microseconds (`SystemClock.monotonicMicroseconds`) of the loop's start and its last turn.
    public var startedAt: Int64
    public var lastTurnAt: Int64
    /// The longest the loop sleeps between turns (`--max-interval`), in microseconds.
    public var maxIntervalMicroseconds: Int64
    public var role: Role = .standby
    /// True once every entry has been read at least once.
    public var loaded = false
    /// The outcome of the last call to the scheduler's Redis; the error while it fails.
    public var redisError: String?
    /// Valid entries in the timetable, enabled or not (`disabledEntries` of them disabled, as of the last reload).
    public var loadedEntries = 0
    public var disabledEntries = 0
    public var invalidEntries = 0
    /// By destination queue.
    public var firings: [String: FiringCounts] = [:]
    public var lag = LagHistogram()
    public var lastFiringAt: Instant?
    /// Seconds the last complete reload of every entry took.
    public var lastReloadSeconds: Double?
    public var redisErrors = 0
    public var brokerErrors = 0
    public var lockRenewals = 0

    public init(startedAt: Int64, maxIntervalMicroseconds: Int64) {
        self.startedAt = startedAt
        self.lastTurnAt = startedAt
        self.maxIntervalMicroseconds = maxIntervalMicroseconds
    }
}
