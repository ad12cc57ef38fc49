"""Random recurrence rules and python-dateutil's answers, for RecurrenceComparisonTests.

Usage: rrule_cases.py SEED COUNT. One JSON line per rule: the rule's fields (dtstart as wall time
in `zone`, until as UTC epoch seconds), and for a few random instants the chain of
`rrule.after()` answers (what RedBeat's remaining_estimate asks), as UTC epoch seconds; or the
error dateutil raised building or iterating the rule.
"""
import json
import random
import signal
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, weekday

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo", "Europe/London"]
QUERIES = 3
CHAIN = 5


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


def some(r, values, k_max):
    return sorted(set(r.choice(values) for _ in range(r.randint(1, k_max))))


def make_rule(r):
    freq = r.choices(range(7), weights=[20, 25, 20, 20, 8, 5, 2])[0]
    zone = r.choice(ZONES)
    # Some starts at 02:30, which the spring-forward days skip in several of the zones.
    hour = 2 if r.random() < 0.2 else r.randint(0, 23)
    wall = datetime(r.randint(2019, 2027), r.randint(1, 12), r.randint(1, 28), hour, r.choice([0, 0, 15, 30, 45, r.randint(0, 59)]),
                    r.choice([0, 0, 0, r.randint(0, 59)]))
    rule = {"freq": freq, "zone": zone, "dtstart": wall.isoformat(), "interval": r.choice([1, 1, 1, 2, 3]) if freq < 4 else r.randint(1, 7)}
    if r.random() < 0.3:
        rule["wkst"] = r.randint(0, 6)
    if r.random() < 0.3:
        rule["count"] = r.randint(1, 30)
    elif r.random() < 0.3:
        rule["until"] = int((wall.replace(tzinfo=ZoneInfo(zone)) + timedelta(days=r.randint(1, 900), seconds=r.randint(0, 86399))).timestamp())
    if r.random() < 0.2:
        rule["bysetpos"] = some(r, [1, 2, 3, -1, -2, 5, -3], 2)
    if r.random() < 0.3:
        rule["bymonth"] = some(r, range(1, 13), 4)
    if r.random() < 0.3:
        rule["bymonthday"] = some(r, [1, 2, 5, 13, 15, 28, 29, 30, 31, -1, -2, -7], 3)
    if r.random() < 0.1:
        rule["byyearday"] = some(r, [1, 2, 60, 100, 200, 365, 366, -1, -10, -100], 3)
    if r.random() < 0.1:
        rule["byweekno"] = some(r, [1, 2, 10, 20, 52, 53, -1, -2], 2)
    if r.random() < 0.45:
        rule["byweekday"] = [[r.randint(0, 6), r.choice([None, None, 1, 2, -1, -2, 3, 4, 5, -5])] for _ in range(r.randint(1, 3))]
    if r.random() < 0.05:
        rule["byeaster"] = some(r, [-2, 0, 1, 39, 49, 50, 60], 2)
    for name, top in (("byhour", 23), ("byminute", 59), ("bysecond", 59)):
        if r.random() < 0.25:
            rule[name] = some(r, range(0, top + 1), 3)
    return rule


def build(rule):
    tz = ZoneInfo(rule["zone"])
    kwargs = {k: rule[k] for k in ("interval", "wkst", "count", "bysetpos", "bymonth", "bymonthday", "byyearday", "byweekno",
                                    "byeaster", "byhour", "byminute", "bysecond") if k in rule}
    if "until" in rule:
        kwargs["until"] = datetime.fromtimestamp(rule["until"], tz=timezone.utc)
    if "byweekday" in rule:
        kwargs["byweekday"] = [weekday(d, n) for d, n in rule["byweekday"]]
    return rrule(rule["freq"], dtstart=datetime.fromisoformat(rule["dtstart"]).replace(tzinfo=tz), **kwargs)


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    r = random.Random(seed)
    signal.signal(signal.SIGALRM, on_alarm)
    written = 0
    while written < count:
        rule = make_rule(r)
        start = datetime.fromisoformat(rule["dtstart"]).replace(tzinfo=ZoneInfo(rule["zone"])).timestamp()
        record = {"rule": rule, "queries": []}
        signal.alarm(5)
        try:
            built = build(rule)
            for _ in range(QUERIES):
                after = int(start + r.randint(-40 * 86400, 3 * 365 * 86400))
                chain = []
                cursor = datetime.fromtimestamp(after, tz=timezone.utc)
                for _ in range(CHAIN):
                    cursor = built.after(cursor)
                    if cursor is None:
                        break
                    chain.append(int(cursor.timestamp()))
                record["queries"].append({"after": after, "next": chain})
        except Timeout:
            # dateutil searched for minutes (a rule that never fires walks to year 9999): not comparable.
            continue
        except (ValueError, IndexError) as error:
            record = {"rule": rule, "error": f"{type(error).__name__}: {error}"}
        finally:
            signal.alarm(0)
        print(json.dumps(record), flush=True)
        written += 1


main()
