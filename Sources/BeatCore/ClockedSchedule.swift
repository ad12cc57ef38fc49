public import CivilTime

/// django-celery-beat's `ClockedSchedule`: due once, at one instant.
///
/// Written in an entry as `{"clocked": "2026-12-24T18:00:00+01:00"}`; the instant must carry its
/// UTC offset (a wall time alone would be read in whatever zone a reader assumed). The entry fires
/// at that instant, or, when no beat ran then, once when a beat next sees it (unless the run's
/// `--starting-deadline` says it is too old). It has run once `last_run_at` is at or after the
/// instant: then it is finished (`Entry.finishedReason`); an edit to a later instant arms it again.
public struct ClockedSchedule: Hashable, Sendable {
    public let instant: Instant
    /// The offset the instant was written with, so it is written back the same way.
    public let utcOffsetSeconds: Int

    public init(instant: Instant, utcOffsetSeconds: Int = 0) {
        self.instant = instant
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Reads `2026-12-24T18:00:00+01:00` (or `...Z`); `field` names the member in errors.
    public init(iso8601 text: String, field: String = "clocked") throws(ScheduleError) {
        let parsed: ISO8601.Parsed
        do {
            parsed = try ISO8601.parse(text)
        } catch {
            throw .clocked(field, "\"\(text)\" is not an ISO 8601 date and time: \(error.reason)")
        }
        guard let offset = parsed.utcOffsetSeconds else {
            throw .clocked(field, "\"\(text)\" has no UTC offset (write it as \(text)Z or \(text)+01:00)")
        }
        self.init(instant: parsed.wallTime.instant(utcOffsetSeconds: offset), utcOffsetSeconds: offset)
    }

    /// The instant as written: ISO 8601 with its offset.
    public var iso8601: String {
        ISO8601.format(instant, utcOffsetSeconds: utcOffsetSeconds)
    }

    /// Whether a run at `lastRunAt` (nil: never) was this schedule's one firing.
    public func hasRun(lastRunAt: Instant?) -> Bool {
        guard let lastRunAt else { return false }
        return lastRunAt >= instant
    }
}
