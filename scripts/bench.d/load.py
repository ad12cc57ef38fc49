#!/usr/bin/env python3
"""Writes a benchmark workload as raw RESP on stdout, for `redis-cli --pipe` (about 1M commands/s).

Every entry i (0 <= i < N) is an interval of --interval seconds whose next due instant is
    first_due + i * spread / N
so the scheduler under test fires it at an instant the benchmark knows. Each task message carries
args [i] and options {"expires": 3600}: the consumer reads the entry from `argsrepr` and the firing
instant from the `expires` header (firing instant + 3600 s), which every beat computes the same way.

Formats:
  swiftbeat   celerybeat-redis entries: SET tasks:meta:e<i> <json>        (run state in the JSON)
  redbeat     RedBeat: HSET redbeat:e<i> definition <json> meta <json>; ZADD redbeat::schedule
  sentinel    one swiftbeat entry named `sentinel`, due at --first-due, sent to queue bench-sentinel
The stock celery beat anchor keeps its state in a shelve file: see celery_shelve.py.
"""
import argparse
import datetime
import json
import sys

EXPIRES = 3600


def resp(*parts):
    out = [b"*%d\r\n" % len(parts)]
    for p in parts:
        if isinstance(p, str):
            p = p.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(p), p))
    return b"".join(out)


def components(ts):
    d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return d


def swiftbeat_entry(name, i, interval, last_run, queue=None, args_pad=0):
    d = components(last_run)
    args = [i] if not args_pad else [i, "x" * args_pad]
    options = {"expires": EXPIRES}
    if queue:
        options["queue"] = queue
    return json.dumps({
        "name": name, "task": "bench.noop", "enabled": True,
        "schedule": {"every": interval, "period": "seconds"},
        "args": args, "kwargs": {}, "options": options,
        "last_run_at": {"__type__": "datetime", "year": d.year, "month": d.month, "day": d.day,
                        "hour": d.hour, "minute": d.minute, "second": d.second, "microsecond": d.microsecond},
        "total_run_count": 0,
    })


ENTRY = ('{"name": "e%d", "task": "bench.noop", "enabled": true, "schedule": {"every": %r, "period": "seconds"}, '
         '"args": [%d], "kwargs": {}, "options": {"expires": 3600}, "last_run_at": %s, "total_run_count": 0}')
TIMESTAMP = ('{"__type__": "datetime", "year": %d, "month": %d, "day": %d, "hour": %d, "minute": %d, "second": %d, '
             '"microsecond": %d}')


def redbeat_datetime(ts):
    d = components(ts)
    return {"__type__": "datetime", "year": d.year, "month": d.month, "day": d.day, "hour": d.hour,
            "minute": d.minute, "second": d.second, "microsecond": d.microsecond, "timezone": "UTC"}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("format", choices=["swiftbeat", "redbeat", "sentinel"])
    p.add_argument("count", type=int)
    p.add_argument("--interval", type=float, default=10.0)
    p.add_argument("--first-due", type=float, required=True, help="unix seconds")
    p.add_argument("--spread", type=float, default=0.0, help="seconds over which the N first due instants spread")
    p.add_argument("--db", type=int, default=1)
    p.add_argument("--start", type=int, default=0, help="first index")
    args = p.parse_args()
    out = sys.stdout.buffer
    out.write(resp("SELECT", str(args.db)))
    n = args.count
    interval = int(args.interval) if args.interval == int(args.interval) else args.interval
    buf = []
    previous_last, stamp = None, None
    # Must stay byte-identical to swiftbeat_entry (checked below for the first entry).
    if n and args.format == "swiftbeat":
        first = args.first_due - args.interval
        d = components(first)
        check = (ENTRY % (args.start, interval, args.start, TIMESTAMP % (
            d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond)))
        assert check == swiftbeat_entry("e%d" % args.start, args.start, interval, first), check
    for k in range(n):
        i = args.start + k
        due = args.first_due + (k * args.spread / n if n else 0)
        last = due - args.interval
        if args.format == "swiftbeat":
            # The JSON of swiftbeat_entry, formatted directly: 1,000,000 entries load in seconds.
            if last != previous_last:
                d, previous_last = components(last), last
                stamp = TIMESTAMP % (d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond)
            value = (ENTRY % (i, interval, i, stamp)).encode()
            key = b"tasks:meta:e%d" % i
            buf.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value))
        elif args.format == "sentinel":
            buf.append(resp("SET", "tasks:meta:sentinel", swiftbeat_entry("sentinel", -1, interval, last, queue="bench-sentinel")))
        else:
            key = "redbeat:e%d" % i
            definition = json.dumps({
                "name": "e%d" % i, "task": "bench.noop", "args": [i], "kwargs": {},
                "options": {"expires": EXPIRES},
                "schedule": {"__type__": "interval", "every": float(args.interval), "relative": False},
                "enabled": True})
            meta = json.dumps({"last_run_at": redbeat_datetime(last), "total_run_count": 0})
            buf.append(resp("HSET", key, "definition", definition, "meta", meta))
            buf.append(resp("ZADD", "redbeat::schedule", str(int(due)), key))
        if len(buf) >= 10000:
            out.write(b"".join(buf))
            buf = []
    out.write(b"".join(buf))


if __name__ == "__main__":
    main()
