public import CivilTime
public import Recurrence

/// RedBeat's `rrule` schedule: due at the rule's first occurrence after the last run
/// (`rrule.after(last_run_at)`), never again once the rule has no more.
///
/// RedBeat stores `dtstart` and `until` as UTC seconds with their offsets in minutes
/// (`dtstart_tz`), and its decoder rebuilds them with fixed-offset zones, so a RedBeat node evaluates
/// the rule on that fixed offset's wall clock (no DST) whatever zone it was created in; swiftbeat
/// does the same so both kinds of node agree on every slot.
public struct RecurrenceSchedule: Hashable, Sendable {
    public let rule: RecurrenceRule
    /// The offset of the wall clock the rule runs on (RedBeat's `dtstart_tz`, in seconds).
    public let utcOffsetSeconds: Int

    public init(rule: RecurrenceRule, utcOffsetSeconds: Int) {
        self.rule = rule
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The first occurrence strictly after `instant`, or nil when there is none.
    public func nextOccurrence(after instant: Instant) -> Instant? {
        rule.nextOccurrence(after: instant, in: TimeZoneRules(fixedOffsetSeconds: utcOffsetSeconds, identifier: "rrule"))
    }
}
