"""A Celery app for swiftbeat's interop tests: its tasks write down exactly what the worker received.

Started by the Swift tests (Tests/TestSupport/CeleryWorker.swift) as
    celery -A probe worker -P solo ...
with these environment variables:
    PROBE_BROKER_URL          where to consume
    PROBE_RECORD_FILE         a JSON-lines file to append one record per task run to
    PROBE_TRANSPORT_OPTIONS   optional: broker_transport_options, as JSON
    PROBE_BINDINGS            optional: queues bound to named exchanges, as JSON
                              [[queue, exchange, routing_key], ...]; a worker consumes those named
                              in -Q (others in -Q get Celery's default: exchange = routing key = queue)
    PROBE_QUEUE_MAX_PRIORITY  optional: task_queue_max_priority (RabbitMQ x-max-priority)
    PROBE_CELERY_CONFIG       optional: more Celery settings, as JSON (e.g. task_queues in Celery's
                              mapping form, so the worker declares and binds queues as a config says)
    PROBE_EXTRA_TASKS         optional: more task names, comma-separated, that record as probe.record does
    PROBE_PARENT_PID          optional: exit when this process (the test runner) is gone, so a
                              crashed test run never leaves workers behind
Each record holds the task's id, name, args and kwargs as the worker decoded them, and the request
fields a Python producer would have set, so a test can compare them with what swiftbeat sent.
"""
import json
import os
import threading
import time

import celery
from celery import Celery
from kombu import Exchange, Queue

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
bindings = os.environ.get("PROBE_BINDINGS")
if bindings:
    app.conf.task_queues = [
        Queue(queue, Exchange(exchange, type="direct"), routing_key=routing_key)
        for queue, exchange, routing_key in json.loads(bindings)
    ]
max_priority = os.environ.get("PROBE_QUEUE_MAX_PRIORITY")
if max_priority:
    app.conf.task_queue_max_priority = int(max_priority)

celery_config = os.environ.get("PROBE_CELERY_CONFIG")
if celery_config:
    app.conf.update(json.loads(celery_config))

RECORD_FILE = os.environ["PROBE_RECORD_FILE"]
CUSTOM_HEADERS = ("celery_beat_task", "periodic_task_name", "x_custom")
# Protocol headers that become request attributes, recorded as the worker decoded them.
PROTOCOL_HEADERS = ("lang", "shadow", "group", "argsrepr", "kwargsrepr", "origin", "ignore_result")


def _watch_parent(parent):
    while True:
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(3)
        if os.getppid() != parent:
            os._exit(3)
        time.sleep(1)


parent_pid = os.environ.get("PROBE_PARENT_PID")
if parent_pid:
    threading.Thread(target=_watch_parent, args=(int(parent_pid),), daemon=True).start()


def _write(record):
    with open(RECORD_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, default=str) + "\n")
        handle.flush()


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
        "correlation_id": request.correlation_id,
        "reply_to": request.reply_to,
        "priority": delivery.get("priority"),
        "routing_key": delivery.get("routing_key"),
        "exchange": delivery.get("exchange"),
        "headers": {name: getattr(request, name, None) for name in CUSTOM_HEADERS},
        "protocol": {name: getattr(request, name, None) for name in PROTOCOL_HEADERS},
        "hostname": request.hostname,
        "celery": celery.__version__,
        "started_at": time.time(),
    })
    return "recorded"


app.task(bind=True, name="probe.record")(record)
for extra_task in filter(None, os.environ.get("PROBE_EXTRA_TASKS", "").split(",")):
    app.task(bind=True, name=extra_task)(record)
