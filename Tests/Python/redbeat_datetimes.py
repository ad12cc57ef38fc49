"""Datetimes as celery-redbeat's RedBeatJSONEncoder writes them, each with the instant its
RedBeatJSONDecoder reads back: one JSON line per case, {"json": <encoded text>, "timestamp": <seconds>}.
Zones: IANA names (across a DST gap and overlap, with fold 0 as Python reads them), fixed offsets
(written as seconds, a float), UTC, and naive datetimes (written as "UTC").
"""
import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from redbeat.decoder import RedBeatJSONDecoder, RedBeatJSONEncoder

cases = [
    datetime(2026, 12, 7, 17, 8, 36, 138086, tzinfo=ZoneInfo("UTC")),
    datetime(2026, 12, 7, 17, 8, 36, tzinfo=timezone.utc),
    datetime(2026, 12, 7, 17, 8, 36, 5),
    datetime(2026, 7, 1, 12, 0, 0, tzinfo=ZoneInfo("Europe/Berlin")),
    datetime(2026, 1, 1, 0, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    # Europe/Berlin's gap (02:30 does not exist on 29 March 2026) and overlap (02:30 twice on 25 October).
    datetime(2026, 3, 29, 2, 30, 0, tzinfo=ZoneInfo("Europe/Berlin")),
    datetime(2026, 10, 25, 2, 30, 0, tzinfo=ZoneInfo("Europe/Berlin")),
    datetime(2026, 11, 1, 1, 30, 0, tzinfo=ZoneInfo("America/New_York")),
    datetime(2026, 5, 5, 5, 5, 5, tzinfo=timezone(timedelta(hours=4))),
    datetime(2026, 5, 5, 5, 5, 5, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
    datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=ZoneInfo("Australia/Lord_Howe")),
]
for case in cases:
    text = json.dumps(case, cls=RedBeatJSONEncoder)
    decoded = json.loads(text, cls=RedBeatJSONDecoder)
    if decoded.tzinfo is None:
        decoded = decoded.replace(tzinfo=timezone.utc)
    print(json.dumps({"json": text, "timestamp": decoded.timestamp()}))
