public import CivilTime

/// When an entry fires: an interval or a crontab, as Celery's `beat_schedule` and RedBeat store them;
/// a sun event, as Celery's `solar`; or one instant, as django-celery-beat's `ClockedSchedule`.
///
/// Every function is pure: time and the zone are parameters, so the runner owns the clock and
/// tests need no sleeping.
public enum Schedule: Hashable, Sendable {
    case interval(IntervalSchedule)
    case crontab(CrontabSchedule)
    case solar(SolarSchedule)
    case clocked(ClockedSchedule)
    case rrule(RecurrenceSchedule)

    /// The answer of `nextDue` for an entry that will not fire again (a clocked instant older than
    /// the starting deadline, or a slot after the entry's `expires`): the timetable leaves it out.
    public static let never = Instant(microsecondsSinceEpoch: .max)

    /// The instant at which an entry last run at `lastRunAt` is next due, judged at `now`.
    ///
    /// The contract, which is Celery beat's:
    /// - `lastRunAt` is when the entry last fired. An entry that has never run counts as run at the
    ///   moment the beat first saw it (Celery's `ScheduleEntry` default), so an interval first fires
    ///   one interval after that and a crontab at its next slot after that.
    /// - A result `<= now` means *due now*: fire once, then record `lastRunAt = now` (the moment of
    ///   firing) and ask again. A result `> now` means not due: sleep until then (or less) and ask again
    ///   with the same `lastRunAt`; asked at the returned instant, the answer is due.
    /// - After downtime the answer is simply "due now", however many slots were missed, and firing
    ///   moves `lastRunAt` to now: missed runs fire once, not once per slot.
    /// - Interval: `lastRunAt + every` (rounded on the wall clock when `relative`). `now` is not used,
    ///   and neither is `startingDeadline` (Celery applies it to crontabs only).
    /// - Crontab: `nextRun(after: lastRunAt)`. With a `startingDeadline`, a missed run is skipped when
    ///   no slot falls within `[now - startingDeadline, now]` (Celery's `beat_cron_starting_deadline`,
    ///   in 5.7's inclusive form); the answer is then the next slot after `now`, and `lastRunAt` stays.
    /// - Solar: the next occurrence of the event after `lastRunAt` (Celery's `solar`; no deadline).
    /// - Rrule: the rule's first occurrence after `lastRunAt` (RedBeat's `rrule.after`), or `never`.
    /// - Clocked: its instant, whatever `lastRunAt` is (an entry that has run is finished and not
    ///   asked; see `Entry.finishedReason`), or `never` when it is older than `startingDeadline`.
    /// - A `lastRunAt` in the future (the clock went back) is treated like any other: the entry waits
    ///   for its next slot after it, as Celery does.
    public func nextDue(
        lastRunAt: Instant, now: Instant, in zone: TimeZoneRules = .utc, startingDeadline: Microseconds? = nil
    ) -> Instant {
        switch self {
        case .interval(let interval):
            return interval.nextDue(lastRunAt: lastRunAt, in: zone)
        case .solar(let solar):
            return solar.nextEvent(after: lastRunAt)
        case .rrule(let rrule):
            return rrule.nextOccurrence(after: lastRunAt, in: zone) ?? Self.never
        case .clocked(let clocked):
            if let deadline = startingDeadline, clocked.instant < now - Microseconds(max(deadline.value, 0)) { return Self.never }
            return clocked.instant
        case .crontab(let crontab):
            let slot = crontab.nextRun(after: lastRunAt, in: zone)
            guard slot < now, let deadline = startingDeadline else { return slot }
            let windowStart = Instant(microsecondsSinceEpoch: now.microsecondsSinceEpoch - max(deadline.value, 0))
            // The first slot in [max(windowStart, just after lastRunAt), ...]: inside the window, or not.
            let latestCandidate = crontab.nextRun(after: max(windowStart - Microseconds(1), lastRunAt), in: zone)
            return latestCandidate <= now ? slot : crontab.nextRun(after: now, in: zone)
        }
    }

    /// Whether the entry is due at `now`; `nextDue(...) <= now`.
    public func isDue(
        lastRunAt: Instant, now: Instant, in zone: TimeZoneRules = .utc, startingDeadline: Microseconds? = nil
    ) -> Bool {
        nextDue(lastRunAt: lastRunAt, now: now, in: zone, startingDeadline: startingDeadline) <= now
    }

    /// The next `count` fire instants of an entry first seen at `start` that runs on time, for
    /// `swiftbeat next`: a crontab's slots after `start`, or `start + every`, `start + 2 × every`, ...
    /// (each rounded when `relative`), the sun events after `start`, or a clocked instant after it.
    public func nextRuns(after start: Instant, count: Int, in zone: TimeZoneRules = .utc) -> [Instant] {
        nextRuns(after: start, count: count, in: zone, window: .always)
    }

    /// The same, within an entry's `start_time` and `expires` (see `ActiveWindow`).
    public func nextRuns(after start: Instant, count: Int, in zone: TimeZoneRules = .utc, window: ActiveWindow) -> [Instant] {
        if case .crontab(let crontab) = self, window == .always {
            return crontab.nextRuns(after: start, count: count, in: zone)
        }
        var result: [Instant] = []
        var cursor = start
        while result.count < count {
            let next = window.nextDue(of: self, lastRunAt: cursor, now: cursor, in: zone)
            if case .clocked = self, next <= start { break }
            guard next != Self.never else { break }
            result.append(next)
            if case .clocked = self { break }
            cursor = next
        }
        return result
    }

    /// The fire instants as ISO 8601 with the zone's offset at each, one per element
    /// (`2026-03-08T03:00:00-04:00`): what `swiftbeat next` prints.
    public func nextRunsISO8601(after start: Instant, count: Int, in zone: TimeZoneRules = .utc) -> [String] {
        nextRuns(after: start, count: count, in: zone).map(zone.iso8601)
    }
}
