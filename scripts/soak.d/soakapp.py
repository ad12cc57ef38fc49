"""The soak's Celery app: a real worker (`celery -A soakapp worker -Q soak-worker`) running the soak's
worker entries, each run recorded so the soak can check that every committed firing reached a worker.

SOAK_BROKER_URL   the broker the worker consumes from (the soak's RabbitMQ)
SOAK_WORKER_OUT   file of one line per task run: "run_us id entry fire_us"

The entries send task `bench.noop` with args [i] and options {"expires": 3600}, like the benchmark's
loader writes them, so the firing instant is the message's `expires` minus 3600 s.
"""
import datetime
import os
import time

from celery import Celery

app = Celery("soak", broker=os.environ["SOAK_BROKER_URL"])
app.conf.broker_connection_retry_on_startup = True
app.conf.worker_hijack_root_logger = False

_out = open(os.environ["SOAK_WORKER_OUT"], "a", buffering=1)


@app.task(name="bench.noop", bind=True)
def noop(self, entry, *_):
    expires = self.request.expires
    if isinstance(expires, str):
        expires = datetime.datetime.fromisoformat(expires)
    fire_us = int(round(expires.timestamp() * 1e6)) - 3600 * 1_000_000 if expires else 0
    _out.write("%d %s %d %d\n" % (int(time.time() * 1e6), self.request.id, entry, fire_us))
