public import CivilTime
public import Recurrence

/// RedBeat's `rrule` schedule: due at the rule's first occurrence after the last run
/// (`rrule.after(last_run_at)`), never again once the rule has no more.
///
/// RedBeat stores `dtstart` and `until` as UTC seconds with their offsets in minutes
/// (`dtstart_tz`), and its decoder rebuilds them with fixed-offset zones, so a RedBeat node evaluates
/// the rule on that fixed offset's wall clock (no DST) whatever zone it was created in; swiftbeat
/// does the same so both kinds of node agree on every slot.
///
/// swiftbeat's own spelling, `{"rrule": "DTSTART:20260105T093000\nRRULE:FREQ=WEEKLY;BYDAY=MO"}`
/// (RFC 5545 text, `text`), runs on the beat's zone (`CELERY_TIMEZONE`) with its DST, as dateutil
/// does with a zoneinfo `dtstart`; a `DTSTART` ending in `Z` runs on UTC.
public struct RecurrenceSchedule: Hashable, Sendable {
    public let rule: RecurrenceRule
    /// The offset of the wall clock the rule runs on (RedBeat's `dtstart_tz`, in seconds), or nil
    /// for the beat's zone.
    public let utcOffsetSeconds: Int?
    /// The RFC 5545 text it was read from, written back as it was; nil for RedBeat's form.
    public let text: String?

    public init(rule: RecurrenceRule, utcOffsetSeconds: Int?, text: String? = nil) {
        self.rule = rule
        self.utcOffsetSeconds = utcOffsetSeconds
        self.text = text
    }

    /// The first occurrence strictly after `instant`, or nil when there is none.
    public func nextOccurrence(after instant: Instant, in zone: TimeZoneRules) -> Instant? {
        rule.nextOccurrence(after: instant, in: utcOffsetSeconds.map { TimeZoneRules(fixedOffsetSeconds: $0, identifier: "rrule") } ?? zone)
    }
}
