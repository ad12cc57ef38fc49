#!/usr/bin/env python3
"""Prepares stock `celery beat`'s shelve file so that entry e<i> is due at first_due + i*spread/N,
as the loader does for swiftbeat and RedBeat (a fresh shelve would make all N due at once, one
interval after start).

    BENCH_BROKER_URL=... BENCH_MODE=stock BENCH_COUNT=N BENCH_INTERVAL=S python celery_shelve.py FILE FIRST_DUE SPREAD [E0_DUE]

E0_DUE, when given, makes e0 alone due then (a first firing to wait for).
"""
import datetime
import shelve
import sys

import celery
from celery.beat import ScheduleEntry

from benchapp import app

path, first_due, spread = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
e0_due = float(sys.argv[4]) if len(sys.argv) > 4 else None
schedule = app.conf.beat_schedule
n = len(schedule)
interval = float(next(iter(schedule.values()))["schedule"])
entries = {}
for i in range(n):
    name = "e%d" % i
    definition = schedule[name]
    last = (e0_due if i == 0 and e0_due is not None else first_due + i * spread / n) - interval
    entries[name] = ScheduleEntry(
        name=name, task=definition["task"], schedule=definition["schedule"], args=definition["args"],
        kwargs={}, options=definition["options"], total_run_count=0, app=app,
        last_run_at=datetime.datetime.fromtimestamp(last, datetime.timezone.utc))
with shelve.open(path, flag="n", writeback=False) as store:
    store["entries"] = entries
    store["__version__"] = celery.__version__
    store["tz"] = app.conf.timezone
    store["utc_enabled"] = app.conf.enable_utc
