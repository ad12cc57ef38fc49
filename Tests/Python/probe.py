"""A Celery app for swiftbeat's interop tests: its tasks write down exactly what the worker received.

Started by the Swift tests (Tests/TestSupport/CeleryWorker.swift) as
    celery -A probe worker -P solo ...
with PROBE_BROKER_URL (where to consume) and PROBE_RECORD_FILE (a JSON-lines file to append to).
Each record holds the task's id, name, args and kwargs as the worker decoded them, and the request
fields a Python producer would have set, so a test can compare them with what swiftbeat sent.
"""
import json
import os
import time

import celery
from celery import Celery

app = Celery("probe", broker=os.environ["PROBE_BROKER_URL"])
app.conf.update(
    accept_content=["json"],
    task_serializer="json",
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_redirect_stdouts=False,
    task_create_missing_queues=True,
)
transport_options = os.environ.get("PROBE_TRANSPORT_OPTIONS")
if transport_options:
    app.conf.broker_transport_options = json.loads(transport_options)

RECORD_FILE = os.environ["PROBE_RECORD_FILE"]
CUSTOM_HEADERS = ("celery_beat_task", "periodic_task_name", "x_custom")


def _write(record):
    with open(RECORD_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, default=str) + "\n")
        handle.flush()


@app.task(bind=True, name="probe.record")
def record(self, *args, **kwargs):
    request = self.request
    delivery = request.delivery_info or {}
    _write({
        "id": request.id,
        "task": request.task,
        "args": list(args),
        "kwargs": kwargs,
        "retries": request.retries,
        "eta": request.eta,
        "expires": request.expires,
        "timelimit": list(request.timelimit) if request.timelimit else None,
        "root_id": request.root_id,
        "parent_id": request.parent_id,
        "priority": delivery.get("priority"),
        "routing_key": delivery.get("routing_key"),
        "exchange": delivery.get("exchange"),
        "headers": {name: getattr(request, name, None) for name in CUSTOM_HEADERS},
        "hostname": request.hostname,
        "celery": celery.__version__,
        "received_at": time.time(),
    })
    return "recorded"
