"""A Celery app with its own routing, as a team migrating from Python beat has one: swiftbeat's
RunRoutingTests export it with scripts/export-celery-config, run swiftbeat with the result, and check
that this app's own worker receives every periodic task on the queue its routing names.

    ROUTING_BROKER_URL      the broker (worker and export)
    ROUTING_SCHEDULER_URL   celerybeat-redis's CELERY_REDIS_SCHEDULER_URL (export)
    PROBE_RECORD_FILE       a JSON-lines file each task run appends a record to
"""
import json
import os
import re
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab
from kombu import Exchange, Queue

app = Celery("routing_app", broker=os.environ["ROUTING_BROKER_URL"])
app.conf.update(
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    task_default_queue="default",
    task_queues=[
        Queue("default", Exchange("default"), routing_key="default"),
        Queue("reports", Exchange("reports", type="topic"), routing_key="reports.#"),
        Queue("billing", Exchange("billing"), routing_key="billing"),
    ],
    task_routes=[
        {"reports.*": {"queue": "reports", "routing_key": "reports.daily"}},
        {re.compile(r"^billing\.(charge|refund)$"): "billing"},
    ],
    beat_schedule={
        "daily-report": {"task": "reports.daily", "schedule": timedelta(seconds=1), "args": ("daily",)},
        "charge": {"task": "billing.charge", "schedule": 1.0, "args": ("charge",)},
        "cleanup": {"task": "maintenance.cleanup", "schedule": timedelta(seconds=1), "args": ("cleanup",)},
        "nightly": {"task": "maintenance.cleanup", "schedule": crontab(minute=0, hour=3), "args": ("nightly",)},
    },
    CELERY_REDIS_SCHEDULER_URL=os.environ.get("ROUTING_SCHEDULER_URL"),
)


def _record(self, *args, **kwargs):
    delivery = self.request.delivery_info or {}
    with open(os.environ["PROBE_RECORD_FILE"], "a", encoding="utf-8") as handle:
        handle.write(json.dumps({
            "id": self.request.id, "task": self.request.task, "args": list(args),
            "routing_key": delivery.get("routing_key"), "exchange": delivery.get("exchange"),
        }) + "\n")


for task_name in ("reports.daily", "billing.charge", "maintenance.cleanup"):
    app.task(bind=True, name=task_name)(_record)
