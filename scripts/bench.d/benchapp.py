"""The Celery app of the Python anchors (`celery -A benchapp beat ...`), configured from the environment.

BENCH_BROKER_URL    where tasks go (the benchmark's Redis, db 0, or its RabbitMQ)
BENCH_REDBEAT_URL   RedBeat's Redis (db 1), for `-S redbeat.RedBeatScheduler`
BENCH_MODE          `stock`: beat_schedule holds BENCH_COUNT entries e<i>, every BENCH_INTERVAL s,
                    args [i], options {"expires": 3600}: the same entries the loader writes for
                    swiftbeat and RedBeat (the stock beat keeps their run state in its shelve file,
                    which celery_shelve.py fills so that entry i is due at the same instant).
"""
import os

from celery import Celery

app = Celery("bench", broker=os.environ["BENCH_BROKER_URL"])
app.conf.broker_connection_retry_on_startup = True
if os.environ.get("BENCH_REDBEAT_URL"):
    app.conf.redbeat_redis_url = os.environ["BENCH_REDBEAT_URL"]


def bench_schedule(count, interval):
    return {
        "e%d" % i: {"task": "bench.noop", "schedule": interval, "args": [i], "options": {"expires": 3600}}
        for i in range(count)
    }


if os.environ.get("BENCH_MODE") == "stock":
    app.conf.beat_schedule = bench_schedule(int(os.environ["BENCH_COUNT"]), float(os.environ["BENCH_INTERVAL"]))
