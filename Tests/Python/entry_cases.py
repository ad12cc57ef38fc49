"""What celerybeat-redis hands to `apply_async` for a batch of entries, for EntryDifferentialTests.

Usage: entry_cases.py INPUT OUTPUT. INPUT holds one entry a line, its Redis value as a JSON
string; OUTPUT gets one JSON line per entry:
    {"ok": true, "task": S, "args": V, "kwargs": V, "options": V}  or  {"ok": false, "error": "..."}
with values spelled as json_cases.py spells them. The value is read as celerybeat-redis reads it
(`json.loads` with its DateTimeDecoder), and the options are what its entry class passes on: the
current format's `options` as they are; the legacy (0.1.3) format's top-level `queue` (default
`celery`), `exchange`, `routing_key` and `expires`.
"""
import json
import sys

from celerybeat_redis_decode import DateTimeDecoder
from json_cases import spelled

LEGACY_OPTIONS = ("queue", "exchange", "routing_key", "expires")


def handed_on(entry):
    if "schedule" in entry:
        options = entry.get("options") or {}
    else:
        options = {name: entry[name] for name in LEGACY_OPTIONS if name in entry}
        options.setdefault("queue", "celery")
    return {"ok": True, "task": spelled(entry["task"]), "args": spelled(list(entry.get("args") or [])),
            "kwargs": spelled(dict(entry.get("kwargs") or {})), "options": spelled(options)}


def main():
    with open(sys.argv[1]) as cases, open(sys.argv[2], "w") as out:
        for line in cases:
            try:
                answer = handed_on(json.loads(json.loads(line), cls=DateTimeDecoder))
            except (ValueError, KeyError, TypeError, RecursionError) as error:
                answer = {"ok": False, "error": f"{type(error).__name__}: {error}"[:200]}
            out.write(json.dumps(answer) + "\n")


main()
