public import CivilTime

/// An entry's `start_time` and `expires` (django-celery-beat's fields): the span in which it may fire.
///
/// - `start_time`: no firing before it. The first firing is the schedule's first slot at or after
///   it: a crontab's or a sun event's first match, a clocked instant only if it is not earlier, and
///   for an interval `start_time` itself (or the interval after the last run, when that is later).
///   django-celery-beat instead fires any kind at `start_time` itself; a crontab "at 09:00" starting
///   next Monday firing at Monday midnight is surprising, so swiftbeat waits for the slot.
/// - `expires`: no firing after it, not even the catch-up of a slot before it. The entry then
///   stays as it is in Redis and shows as finished (django-celery-beat also writes `enabled: false`;
///   swiftbeat writes nothing but run state, so a later `expires` makes the entry live again
///   without another edit).
public struct ActiveWindow: Hashable, Sendable {
    public var start: Instant?
    public var end: Instant?

    public static let always = ActiveWindow()

    public init(start: Instant? = nil, end: Instant? = nil) {
        self.start = start
        self.end = end
    }

    /// `Schedule.nextDue` within the window: `Schedule.never` once the next slot is after the end.
    public func nextDue(
        of schedule: Schedule, lastRunAt: Instant, now: Instant, in zone: TimeZoneRules = .utc,
        startingDeadline: Microseconds? = nil
    ) -> Instant {
        guard self != .always else {
            return schedule.nextDue(lastRunAt: lastRunAt, now: now, in: zone, startingDeadline: startingDeadline)
        }
        var due: Instant
        switch (schedule, start) {
        case (_, nil):
            due = schedule.nextDue(lastRunAt: lastRunAt, now: now, in: zone, startingDeadline: startingDeadline)
        case (.interval, let start?):
            due = max(schedule.nextDue(lastRunAt: lastRunAt, now: now, in: zone), start)
        case (.clocked(let clocked), let start?):
            due = clocked.instant < start ? Schedule.never : schedule.nextDue(lastRunAt: lastRunAt, now: now, in: zone, startingDeadline: startingDeadline)
        case (.crontab, let start?), (.solar, let start?), (.rrule, let start?):
            // The first slot at or after the start: the slots strictly after one microsecond before it.
            let from = max(lastRunAt, start - Microseconds(1))
            due = schedule.nextDue(lastRunAt: from, now: now, in: zone, startingDeadline: startingDeadline)
        }
        // A slot inside the window that a stopped beat missed is not caught up after the end either.
        if let end, due > end || now > end { return Schedule.never }
        return due
    }
}
