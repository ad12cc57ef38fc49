#!/usr/bin/env python3
"""Writes the seed corpora of Fuzz/corpus/<target>/ from the fixtures and from forms the tests use.

Seeds are small and realistic so libFuzzer starts from inputs that reach deep into each parser.
Run from the repository root: python3 Fuzz/seeds.py (the files are committed; rerunning is only
needed to change the seeds). Inputs libFuzzer finds later are added beside them by scripts/fuzz.
"""
import hashlib
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "corpus")


def seed(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as file:
        file.write(data)


def fixture(*parts):
    with open(os.path.join(ROOT, "Fixtures", *parts), "rb") as file:
        return file.read()


# Entries as celerybeat-redis writes them (current and legacy formats), and the schedule forms.
for name in sorted(os.listdir(os.path.join(ROOT, "Fixtures", "celerybeat-redis"))):
    if name.endswith(".json"):
        text = fixture("celerybeat-redis", name)
        seed("entry", text)
        seed("json", text)
schedules = [
    {"__type__": "interval", "every": 3600.0, "relative": False},
    {"every": 1.5, "period": "seconds"},
    {"__type__": "crontab", "minute": "*/15", "hour": "9-17", "day_of_week": "mon-fri", "day_of_month": "*", "month_of_year": "*"},
    {"__type__": "crontab", "minute": 0, "hour": [9, 17], "day_of_week": "*", "day_of_month": "1,15", "month_of_year": "*"},
    {"__type__": "solar", "event": "sunset", "lat": 48.85, "lon": 2.35},
    {"__type__": "clocked", "clocked_time": "2026-12-24T18:00:00+01:00"},
    {"__type__": "rrule", "freq": 1, "interval": 1, "wkst": None, "count": 3, "bysetpos": [-1], "bymonth": None,
     "bymonthday": None, "byyearday": None, "byeaster": None, "byweekno": None, "byweekday": [0], "byhour": None,
     "byminute": None, "bysecond": None, "dtstart": 1767601800, "dtstart_tz": 60.0},
]
last_run = {"__type__": "datetime", "year": 2026, "month": 11, "day": 27, "hour": 21, "minute": 0, "second": 0, "microsecond": 123456}
for schedule in schedules:
    entry = {"name": "e", "task": "tasks.add", "enabled": True, "schedule": schedule, "args": [1, 2], "kwargs": {"x": "ü"},
             "options": {"queue": "reports", "expires": 3600}, "last_run_at": last_run, "total_run_count": 4}
    seed("entry", json.dumps(entry))
    seed("json", json.dumps(schedule))
    meta = {"last_run_at": dict(last_run, timezone="Europe/Paris"), "total_run_count": 2}
    definition = {k: entry[k] for k in ("name", "task", "args", "kwargs", "options", "schedule", "enabled")}
    seed("redbeat-entry", json.dumps(definition).encode() + b"\0" + json.dumps(meta).encode())
seed("redbeat-entry", json.dumps(definition).encode() + b"\0")
seed("redbeat-entry", json.dumps(definition).encode() + b"\0" + json.dumps({"last_run_at": dict(last_run, timezone=-18000.0)}).encode())
seed("json", '[1, -2.5e-3, 1e400, 123456789012345678901234567890, "\\ud83d\\ude00", null, true, {"a": {}}]')
seed("json", '{"a": NaN, "b": Infinity, "c": -Infinity}')
for name in sorted(os.listdir(os.path.join(ROOT, "Fixtures", "golden")))[:4]:
    seed("json", fixture("golden", name)[:4000])

# YAML: the demo schedule, schedule and config files in the forms the tests use.
seed("yaml", fixture("demo", "schedule.yaml"))
seed("yaml", """# a schedule file
report:
  task: tasks.report
  schedule: {crontab: "0 7 * * mon-fri"}
  args: [1, "two", 3.0]
  kwargs: {when: now, list: [a, b]}
  options:
    queue: reports
    expires: 3600
cleanup:
  task: tasks.cleanup
  schedule: 90s
  enabled: false
""")
seed("yaml", """broker_url: redis://localhost:6379/0
timezone: Europe/Paris
task_routes:
  tasks.report: {queue: reports}
  "tasks.*": {queue: other}
beat_max_loop_interval: 300
text: |
  line one
  line two
folded: >-
  a
  b
quoted: 'it''s'
escaped: "tab\\tand \\u00e9"
empty: ~
list:
  - 1
  - - nested
    - [x, y]
""")

# Crontabs and intervals.
for text in ["* * * * *", "*/15 9-17 * * mon-fri", "0 0 1 1 *", "30 2 * * sun", "0 0 29 2 *", "5,35 1-3,22 1-7 * *",
             "0 12 L * *", "@daily", "0 9 * jan-mar,dec 1-5/2", "59 23 31 12 6"]:
    seed("crontab", text)
for text in ["90s", "1h30m", "2.5 days", "10 seconds", "1 week", "0.001s", "3600", "every 5 minutes", "seconds", "days"]:
    seed("interval", text)

# Time zones: small zone files of the pinned tz database (slim and fat), and POSIX rules.
for name in ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Africa/Casablanca", "UTC"]:
    seed("tzif", fixture("tzdata", "zoneinfo", *name.split("/")))
for name in ["Pacific/Kwajalein", "CET"]:
    seed("tzif", fixture("tzdata", "zoneinfo-fat", *name.split("/")))
for text in ["CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
             "<-03>3", "UTC0", "IST-5:30", "<+13>-13<+14>,M9.5.0/3,M4.1.0/4", "XXX3YYY,J60/25,J300/-1", "AAA4BBB,0/0,365/25",
             "<-02>2<-01>,M3.5.0/-1,M10.5.0/0"]:
    seed("posix-tz", text)

# ISO 8601 as entries, flags and RedBeat carry them.
for text in ["2026-12-24T18:00:00+01:00", "2026-03-29T02:30:00", "2016-07-01T09:15:00.123456Z", "2026-01-01",
             "2026-11-01T01:30:00-05:00", "0001-01-02T00:00:00", "9999-12-31T23:59:59.999999+14:00", "2026-06-30 12:00:00+0530"]:
    seed("iso8601", text)

# Broker URLs.
for text in ["redis://beat:s3cret@h:6379/1", "rediss://h:6380/0?ssl_cert_reqs=required", "redis://[::1]:7000/2",
             "unix:///var/run/redis.sock?db=3", "sentinel://s1:26379;sentinel://s2:26379", "redis://h?db=1&password=x",
             "redis://a%40b:pw@[::1]:7000/2", "amqp://guest:guest@127.0.0.1:5672//", "amqps://u:p@b//?heartbeat=5",
             "amqp://a:1// ; amqps://u:p@b//?heartbeat=5;pyamqp://c/v", "amqp://h:5672/a%20b", "amqp://h//?heartbeat=10&connect_timeout=2.5"]:
    seed("urls", text)

# RRULE text, and the rules of python-dateutil's cases.
for text in ["DTSTART:20260101T170000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", "DTSTART:20260307T023000\nRRULE:FREQ=DAILY",
             "DTSTART;TZID=Europe/Paris:20260101T090000\nRRULE:FREQ=DAILY", "RRULE:FREQ=YEARLY;BYWEEKNO=1,53;BYDAY=MO",
             "RRULE:FREQ=HOURLY;INTERVAL=7;BYMINUTE=0,30;UNTIL=20270101T000000Z", "RRULE:FREQ=YEARLY;BYYEARDAY=-1,100;BYSETPOS=1",
             "RRULE:FREQ=MONTHLY;BYMONTHDAY=31", "RRULE:FREQ=WEEKLY;WKST=SU;BYDAY=TU,SU;INTERVAL=2"]:
    seed("rrule", text)

# RESP replies as Redis sends them, pub/sub messages among them.
for data in [b"+OK\r\n", b"-ERR unknown command 'FOO'\r\n", b":1000\r\n", b"$5\r\nhello\r\n", b"$-1\r\n", b"*-1\r\n",
             b"*3\r\n$7\r\nmessage\r\n$8\r\nchannel1\r\n$3\r\nhi!\r\n", b"*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n",
             b"*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nc1\r\n$0\r\n\r\n", b"*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6379\r\n",
             b"*2\r\n*1\r\n:1\r\n*0\r\n+QUEUED\r\n"]:
    seed("resp", data)

# Broker confirms: publish batches, write them, ack, nack, return, claim (two bytes an event).
for data in [bytes([0, 3, 1, 0, 1, 0, 1, 0, 2, 9, 5, 0]), bytes([0, 1, 1, 0, 4, 0, 2, 8, 5, 0]),
             bytes([0, 2, 1, 0, 1, 0, 0, 1, 1, 0, 2, 11, 5, 0, 5, 0]), bytes([0, 7, 1, 0, 1, 0, 3, 9, 2, 250, 5, 0])]:
    seed("amqp-confirms", data)
