public import BeatCore
public import CivilTime
import JSON

/// What a firing writes, as RedBeat's `_next_instance` does: `meta` with the new `last_run_at`
/// and `total_run_count`, and the entry's new score in the index.
public enum RedBeatRunState {
    /// `{"last_run_at": <datetime in UTC>, "total_run_count": n}`, in RedBeat's member order.
    public static func meta(lastRunAt: Instant, totalRunCount: Int64) -> [UInt8] {
        let meta: JSONValue = .object([
            "last_run_at": RedBeatDatetime.encode(lastRunAt), "total_run_count": .integer(totalRunCount),
        ])
        return JSONWriter.serialize(meta)
    }

    /// The score of an entry next due at `nextDue`: whole UTC seconds, the fraction dropped, as
    /// RedBeat's `to_timestamp` (`calendar.timegm(dt.utctimetuple())`) does; -1 when the schedule has
    /// no more events. The due time is the schedule's next slot after the run just made, not
    /// RedBeat's `last_run_at + remaining_estimate(last_run_at)`, which measures from the wrong
    /// instant once `last_run_at` is not now (sibson/redbeat#307).
    public static func score(nextDue: Instant?) -> Int64 {
        guard let nextDue else { return -1 }
        let microseconds = nextDue.microsecondsSinceEpoch
        return microseconds >= 0 ? microseconds / 1_000_000 : -((-microseconds + 999_999) / 1_000_000)
    }

    /// When an entry last run at `lastRunAt` is next due: the schedule's next slot after it, nil
    /// when there is none (`Schedule.never`, scored -1). The one rule for every score swiftbeat
    /// writes, after a firing (`lastRunAt` = now) and when a command saves an entry.
    public static func nextDue(of schedule: Schedule, lastRunAt: Instant, now: Instant, in zone: TimeZoneRules) -> Instant? {
        let due = schedule.nextDue(lastRunAt: lastRunAt, now: now, in: zone)
        return due == Schedule.never ? nil : due
    }

    /// The score RedBeat's `save()` gives an entry (its `score` property): due now when it never
    /// ran (`meta` without `last_run_at`) or is overdue, else its next due time by `nextDue`
    /// (the slot after `last_run_at`, sibson/redbeat#307's fix), -1 when it has no more events.
    public static func savedScore(of schedule: Schedule, lastRunAt: Instant?, now: Instant, in zone: TimeZoneRules) -> Int64 {
        guard let lastRunAt else { return score(nextDue: now) }
        return score(nextDue: nextDue(of: schedule, lastRunAt: lastRunAt, now: now, in: zone).map { max($0, now) })
    }
}
