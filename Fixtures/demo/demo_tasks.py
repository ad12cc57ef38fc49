"""The Python side of the demo: an ordinary Celery app, unaware that its beat is swiftbeat."""
import logging
import os

from celery import Celery

app = Celery("demo", broker=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"))
app.conf.update(accept_content=["json"], broker_connection_retry_on_startup=True)
log = logging.getLogger("demo")


@app.task(name="demo.add")
def add(x, y):
    log.warning("demo.add(%r, %r) = %r", x, y, x + y)
    return x + y


@app.task(name="demo.heartbeat", bind=True)
def heartbeat(self):
    log.warning("demo.heartbeat from entry %r", getattr(self.request, "periodic_task_name", None))


@app.task(name="demo.report")
def report(kind="daily"):
    log.warning("demo.report(kind=%r)", kind)
