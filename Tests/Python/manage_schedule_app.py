"""A Celery app whose beat_schedule has every kind of entry scripts/export-celery-schedule converts."""
from datetime import datetime, timedelta, timezone

from celery import Celery
from celery.schedules import crontab, schedule, solar
from kombu import Exchange

app = Celery("manage_schedule_app", broker="memory://")

shared_options = {"queue": "shared"}

app.conf.beat_schedule = {
    "add-every-30-seconds": {"task": "tasks.add", "schedule": timedelta(seconds=30), "args": (16, 16)},
    "every-ninety-minutes": {"task": "tasks.tick", "schedule": timedelta(hours=1, minutes=30), "relative": True},
    "every-2.5-seconds": {"task": "tasks.fast", "schedule": 2.5, "kwargs": {"x": "07", "flag": "yes"}},
    "schedule-object": {"task": "tasks.slow", "schedule": schedule(run_every=timedelta(days=1))},
    "monday-morning": {
        "task": "reports.weekly",
        "schedule": crontab(minute=30, hour=7, day_of_week="mon"),
        "args": ["weekly", {"depth": 2}],
        "options": {
            "queue": "reports",
            "exchange": Exchange("reports-exchange", type="direct"),
            "routing_key": "reports.weekly",
            "priority": 5,
            "expires": timedelta(minutes=10),
            "headers": {"origin": "beat"},
        },
    },
    "quarter-hours-in-office": {
        "task": "tasks.poll",
        "schedule": crontab(minute="*/15", hour="9-17", day_of_week="mon-fri", day_of_month="*", month_of_year="*"),
        "options": shared_options,
    },
    "first-of-month": {"task": "tasks.bill", "schedule": crontab(0, 0, day_of_month="1"), "options": shared_options},
    "lights-at-sunset": {"task": "home.lights", "schedule": solar("sunset", 52.37, 4.90)},
    # django-celery-beat's fields, as swiftbeat reads them (Python's own beat would refuse these keys).
    "december-campaign": {
        "task": "mail.send",
        "schedule": timedelta(hours=1),
        "start_time": datetime(2026, 12, 1, tzinfo=timezone.utc),
        "expires": datetime(2026, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=1))),
        "max_run_count": 500,
        "one_off": False,
        "options": {"expires": 600},
    },
}
