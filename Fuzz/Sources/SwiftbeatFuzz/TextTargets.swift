import BeatCore
import CeleryConfig
import CivilTime
import Recurrence
import YAML

/// `yaml`: the YAML reader, and the two files written in it: a schedule file and a Celery config file.
@Sendable func fuzzYAML(_ bytes: [UInt8]) {
    let text = text(bytes)
    _ = try? YAML.parse(text)
    _ = try? ScheduleFile.parse(text: text, fileName: "schedule.yaml")
    _ = try? ConfigFile.read(text: text, fileName: "celeryconfig.yaml")
}

/// `crontab`: five-field crontab text, its description, and its next runs in a zone with DST.
@Sendable func fuzzCrontab(_ bytes: [UInt8]) {
    guard let crontab = try? CrontabSchedule(fromString: text(bytes)) else { return }
    _ = Schedule.crontab(crontab).description
    _ = crontab.nextRuns(after: fuzzStart, count: 3, in: fuzzZone)
}

/// `interval`: durations (`90s`, `1h30m`, `2.5 days`) and period names.
@Sendable func fuzzInterval(_ bytes: [UInt8]) {
    let text = text(bytes)
    _ = try? IntervalSchedule.period(named: text)
    guard let json = try? StoredSchedule.interval(fromDuration: text), let schedule = try? Schedule(json: json) else { return }
    _ = schedule.description
    _ = schedule.nextRuns(after: fuzzStart, count: 3, in: fuzzZone)
}

/// `iso8601`: the datetimes of entries, flags and RedBeat's meta.
@Sendable func fuzzISO8601(_ bytes: [UInt8]) {
    guard let parsed = try? ISO8601.parse(text(bytes)) else { return }
    _ = parsed.instantAssumingUTC
}

/// `rrule`: RFC 5545 RRULE text with an optional DTSTART, and its first occurrences.
@Sendable func fuzzRecurrenceRule(_ bytes: [UInt8]) {
    guard let (rule, _) = try? RecurrenceRule.parse(text(bytes), defaultStart: CivilDateTime(year: 2026, month: 3, day: 1, hour: 9))
    else { return }
    _ = rule.occurrences(after: fuzzStart, limit: 3, in: fuzzZone)
}
