"""The tasks of celerybeat-redis's README examples (tasks.add, tasks.multiply), for swiftbeat's
`run` tests: a worker started with `celery -A probe worker -I beat_tasks` runs them, and each
writes down what it received exactly as probe.record does, to the same PROBE_RECORD_FILE.
"""
import time

import celery

from probe import CUSTOM_HEADERS, _write, app


def _record(task, args, kwargs):
    request = task.request
    delivery = request.delivery_info or {}
    _write({
        "id": request.id,
        "task": request.task,
        "args": list(args),
        "kwargs": kwargs,
        "eta": request.eta,
        "expires": request.expires,
        "timelimit": list(request.timelimit) if request.timelimit else None,
        "priority": delivery.get("priority"),
        "routing_key": delivery.get("routing_key"),
        "headers": {name: getattr(request, name, None) for name in CUSTOM_HEADERS},
        "celery": celery.__version__,
        "received_at": time.time(),
    })


@app.task(bind=True, name="tasks.add")
def add(self, x, y):
    _record(self, [x, y], {})
    return x + y


@app.task(bind=True, name="tasks.multiply")
def multiply(self, x, y):
    _record(self, [x, y], {})
    return int(x) * int(y)
