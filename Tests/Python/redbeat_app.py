"""A Celery app with celery-redbeat, for swiftbeat's `run --store redbeat` tests: RedBeat's own API
writes and reads the entries, and its own beat shares the lock with swiftbeat.

Environment:
    REDBEAT_BROKER_URL     where a RedBeat beat sends
    REDBEAT_REDIS_URL      redbeat_redis_url: where the entries and the lock are
    REDBEAT_LOCK_TIMEOUT   optional: redbeat_lock_timeout, seconds
    REDBEAT_MAX_INTERVAL   optional: beat_max_loop_interval, seconds
    REDBEAT_BEAT_SCHEDULE  optional: beat_schedule as JSON, {name: {"task", "every", "args", "kwargs", "options"}}

As a script:
    python redbeat_app.py save NAME SPEC   RedBeatSchedulerEntry(...).save(); SPEC is JSON with "task",
                                           "every" (seconds) or "crontab" ({field: spec}), "args",
                                           "kwargs", "options"
    python redbeat_app.py inspect NAME     RedBeatSchedulerEntry.from_key(...): its run state, is_due
                                           and score, as JSON
    python redbeat_app.py read NAME...     from_key for each name: {name: its fields, schedule (as RedBeat's
                                           encoder writes it back), is_due, score, the stored definition and
                                           the one RedBeat's save() would write for what it read;
                                           {"key_error": true} where from_key raises KeyError}
"""
import json
import os
import sys

from celery import Celery
from celery.schedules import crontab, schedule

app = Celery("redbeat_app", broker=os.environ["REDBEAT_BROKER_URL"])
app.conf.update(
    redbeat_redis_url=os.environ["REDBEAT_REDIS_URL"],
    broker_connection_retry_on_startup=True,
    timezone="UTC",
)
if os.environ.get("REDBEAT_LOCK_TIMEOUT"):
    app.conf.redbeat_lock_timeout = float(os.environ["REDBEAT_LOCK_TIMEOUT"])
if os.environ.get("REDBEAT_MAX_INTERVAL"):
    app.conf.beat_max_loop_interval = float(os.environ["REDBEAT_MAX_INTERVAL"])


def _schedule(spec):
    if "rrule" in spec:
        from datetime import datetime, timezone

        from redbeat.schedules import rrule
        fields = dict(spec["rrule"])
        fields["dtstart"] = datetime.fromtimestamp(fields["dtstart"], tz=timezone.utc)
        return rrule(**fields, app=app)
    if "every" in spec:
        return schedule(run_every=spec["every"])
    return crontab(**spec["crontab"])


if os.environ.get("REDBEAT_BEAT_SCHEDULE"):
    app.conf.beat_schedule = {
        name: {"task": spec["task"], "schedule": _schedule(spec), "args": spec.get("args", []),
               "kwargs": spec.get("kwargs", {}), "options": spec.get("options", {})}
        for name, spec in json.loads(os.environ["REDBEAT_BEAT_SCHEDULE"]).items()
    }


def read(names):
    from redbeat import RedBeatSchedulerEntry
    from redbeat.decoder import RedBeatJSONEncoder
    from redbeat.schedulers import get_redis

    result = {}
    for name in names:
        key = RedBeatSchedulerEntry.generate_key(app, name)
        try:
            entry = RedBeatSchedulerEntry.from_key(key, app=app)
        except KeyError:
            result[name] = {"key_error": True, "score": get_redis(app).zscore(app.redbeat_conf.schedule_key, key)}
            continue
        due, next_check = entry.is_due()
        # What save() writes as the definition, from what from_key read.
        resaved = json.dumps({
            "name": entry.name, "task": entry.task, "args": entry.args, "kwargs": entry.kwargs,
            "options": entry.options, "schedule": entry.schedule, "enabled": entry.enabled,
        }, cls=RedBeatJSONEncoder)
        result[name] = {
            "name": entry.name, "task": entry.task, "args": entry.args, "kwargs": entry.kwargs,
            "options": entry.options, "enabled": entry.enabled,
            "schedule": json.loads(json.dumps(entry.schedule, cls=RedBeatJSONEncoder)),
            "total_run_count": entry.total_run_count,
            "last_run_at": entry.last_run_at.timestamp() if entry.last_run_at else None,
            "is_due": bool(due), "next_check": next_check,
            "score": get_redis(app).zscore(app.redbeat_conf.schedule_key, key),
            "definition": get_redis(app).hget(key, "definition"), "resaved": resaved,
            "meta": get_redis(app).hget(key, "meta"),
        }
    print(json.dumps(result))


def main(command, name, spec=None, *more):
    from redbeat import RedBeatSchedulerEntry
    from redbeat.schedulers import ensure_conf, get_redis

    ensure_conf(app)  # app.redbeat_conf, which the scheduler sets up when a beat starts

    if command == "read":
        read([name] + ([spec] if spec else []) + list(more))
        return

    if command == "save":
        spec = json.loads(spec)
        RedBeatSchedulerEntry(
            name, spec["task"], _schedule(spec), args=spec.get("args"), kwargs=spec.get("kwargs"),
            options=spec.get("options"), app=app).save()
        return
    key = RedBeatSchedulerEntry.generate_key(app, name)
    entry = RedBeatSchedulerEntry.from_key(key, app=app)
    due, next_check = entry.is_due()
    print(json.dumps({
        "total_run_count": entry.total_run_count,
        "last_run_at": entry.last_run_at.timestamp() if entry.last_run_at else None,
        "is_due": bool(due),
        "next_check": next_check,
        "due_at": entry.due_at.timestamp() if entry.due_at else None,
        "score": get_redis(app).zscore(app.redbeat_conf.schedule_key, key),
        "args": entry.args, "kwargs": entry.kwargs, "options": entry.options,
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
