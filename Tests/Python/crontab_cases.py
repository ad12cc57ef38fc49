"""Crontab next-fire instants the slow way, for CrontabDifferentialTests.

Usage: crontab_cases.py INPUT OUTPUT DIRECTORY. INPUT holds one case a line,
    {"zone": NAME, "crontab": {"minute": ..., "hour": ..., "day_of_week": ..., "day_of_month": ...,
     "month_of_year": ...}, "after": UTC SECONDS}
and OUTPUT gets one line per case: {"next": UTC SECONDS} or {"error": "..."} (Celery refused the
crontab). Zones are read from DIRECTORY's files (as swiftbeat reads them, see zoneinfo_offsets.py),
fields are expanded by Celery's own `crontab_parser`.

The next fire time is found by walking the zone's wall clock minute by minute (whole days and hours
that cannot match are stepped over) and asking zoneinfo, for each matching wall minute, at which
instants it happens, under the cronie rule README "Schedules" documents:
- an hour field matching all 24 hours fires at every instant whose wall time matches (both passes
  of a repeated hour, nothing in a skipped one);
- specific hours fire a repeated wall time once, at its first pass, and a skipped one once, at the
  instant the clocks land after the gap.
"""
import json
import sys
from datetime import datetime, timedelta, timezone

from celery.schedules import crontab_parser

from zoneinfo_offsets import zones

# Wall times repeat at most a day back (Pacific/Apia and Kwajalein moved by a whole day), so the
# walk starts a little over a day before the start's wall time and ends as far after the best find.
REACH = timedelta(hours=26)
UTC = timezone.utc


def fields(spec):
    return (crontab_parser(60).parse(str(spec["minute"])), crontab_parser(24).parse(str(spec["hour"])),
            crontab_parser(7).parse(str(spec["day_of_week"])), crontab_parser(31, 1).parse(str(spec["day_of_month"])),
            crontab_parser(12, 1).parse(str(spec["month_of_year"])))


def wall(seconds, tz):
    return datetime.fromtimestamp(seconds, tz).replace(tzinfo=None)


def instants(w, tz, every_hour):
    """The instants at which the crontab fires for the matching wall minute `w`."""
    passes = sorted({int(w.replace(tzinfo=tz, fold=fold).timestamp()) for fold in (0, 1)})
    happening = [seconds for seconds in passes if wall(seconds, tz) == w]
    if happening:
        return happening if every_hour else happening[:1]
    if every_hour:
        return []
    # Skipped: fold 0 reads w at the offset before the gap, fold 1 at the one after, so the clocks
    # land in (passes[0], passes[1]]; find the first second whose wall time is past w.
    low, high = passes[0], passes[1]
    while high - low > 1:
        middle = (low + high) // 2
        if wall(middle, tz) > w:
            high = middle
        else:
            low = middle
    return [high]


def next_fire(tz, spec, after):
    minutes, hours, weekdays, days, months = fields(spec)
    if not any(day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31) for month in months for day in days):
        raise ValueError("no day of the year matches")  # as swiftbeat and Celery's crontab refuse it
    every_hour = len(hours) == 24
    w = (wall(after, tz) - REACH).replace(second=0, microsecond=0)
    best, stop = None, None
    while stop is None or w <= stop:
        if w.month not in months or w.day not in days or (w.weekday() + 1) % 7 not in weekdays:
            w = (w + timedelta(days=1)).replace(hour=0, minute=0)
            continue
        if w.hour not in hours:
            w = (w + timedelta(hours=1)).replace(minute=0)
            continue
        if w.minute in minutes:
            for seconds in instants(w, tz, every_hour):
                if seconds > after and (best is None or seconds < best):
                    best = seconds
                    stop = wall(best, tz) + REACH
        w += timedelta(minutes=1)
    return best


def main():
    rules = dict(zones(sys.argv[3]))
    with open(sys.argv[1]) as cases, open(sys.argv[2], "w") as out:
        for line in cases:
            case = json.loads(line)
            try:
                answer = {"next": next_fire(rules[case["zone"]], case["crontab"], case["after"])}
            except ValueError as error:
                answer = {"error": f"{type(error).__name__}: {error}"}
            out.write(json.dumps(answer) + "\n")


main()
