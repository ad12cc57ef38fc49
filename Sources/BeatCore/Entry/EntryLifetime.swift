public import CivilTime

/// When an entry may fire at all, beside its schedule: django-celery-beat's `start_time`, `expires`
/// and `one_off`, and a limit on the number of runs, `max_run_count`, counted by `total_run_count`.
///
/// They are top-level members of an entry in celerybeat-redis's current format:
/// `"start_time": "2026-12-01T00:00:00+01:00"`, `"expires": "2026-12-31T23:59:59+01:00"` (instants
/// with their UTC offsets), `"max_run_count": 10`, `"one_off": true`. In the legacy 0.1.3 format a
/// top-level `expires` is the message option it always was there, so an entry-level expiry needs
/// the current format.
public struct EntryLifetime: Hashable, Sendable {
    /// No firing before this instant (see `ActiveWindow` for which slot comes first).
    public var startTime: ClockedSchedule?
    /// No firing after this instant; distinct from `options.expires`, which is the message's.
    public var expires: ClockedSchedule?
    /// At most this many runs in all (`total_run_count`), at least 1.
    public var maxRunCount: Int64?
    /// The first firing also writes `"enabled": false`, in the same transaction, as
    /// django-celery-beat's `one_off` disables its entry.
    public var oneOff: Bool

    public init(startTime: ClockedSchedule? = nil, expires: ClockedSchedule? = nil, maxRunCount: Int64? = nil, oneOff: Bool = false) {
        self.startTime = startTime
        self.expires = expires
        self.maxRunCount = maxRunCount
        self.oneOff = oneOff
    }

    public var window: ActiveWindow {
        ActiveWindow(start: startTime?.instant, end: expires?.instant)
    }

    public var isEmpty: Bool { self == EntryLifetime() }
}

extension Entry {
    /// Why an entry will not fire again whatever the time, if it will not: its runs are used up or
    /// its clocked instant has had its firing. (One-off entries are disabled by their firing.)
    public var finishedReason: String? {
        if let limit = lifetime.maxRunCount, totalRunCount >= limit { return "ran \(totalRunCount) of \(limit) times" }
        if case .clocked(let clocked) = schedule, clocked.hasRun(lastRunAt: lastRunAt) { return "ran at its clocked time" }
        if lifetime.oneOff, !enabled, totalRunCount > 0 { return "one-off, ran" }
        return nil
    }

    /// Whether the beat schedules the entry: enabled and not finished.
    public var isLive: Bool { enabled && finishedReason == nil }

    /// Finished as seen at `now`: `finishedReason`, or its `expires` has passed.
    public func finishedReason(at now: Instant) -> String? {
        if let reason = finishedReason { return reason }
        if let expires = lifetime.expires, expires.instant < now { return "expired at \(expires.iso8601)" }
        return nil
    }

    /// Whether the entry is live after one more firing (its count one more, run at `now`); a
    /// one-off entry is not, since that firing disables it.
    public func firesAgain(afterFiringAt now: Instant) -> Bool {
        if lifetime.oneOff { return false }
        if let limit = lifetime.maxRunCount, totalRunCount + 1 >= limit { return false }
        if case .clocked(let clocked) = schedule, clocked.hasRun(lastRunAt: now) { return false }
        return true
    }
}
