"""Reads entries the way celerybeat-redis reads them back, to prove swiftbeat's write-back stays
readable by it: `json.loads(value, cls=DateTimeDecoder)` with the object hook of
celerybeat-redis's decoder.py (every object with `__type__` goes through `datetime(**rest)`; if
that fails the dict comes back with `__type__` restored).

Input: one entry value per line on stdin. Output: one JSON line per entry with what Python got:
    {"last_run_at": "<isoformat>" | null, "last_run_at_type": "datetime" | ..., "total_run_count": N,
     "total_run_count_type": "int", "keys": [...]}
entry_cases.py imports its DateTimeDecoder.
"""
import json
import sys
from datetime import datetime


class DateTimeDecoder(json.JSONDecoder):
    """celerybeat-redis's decoder.py, unchanged in every released version."""

    def __init__(self, *args, **kargs):
        json.JSONDecoder.__init__(self, object_hook=self.dict_to_object, *args, **kargs)

    def dict_to_object(self, d):
        if "__type__" not in d:
            return d

        type = d.pop("__type__")
        try:
            dateobj = datetime(**d)
            return dateobj
        except Exception:
            d["__type__"] = type
            return d


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        entry = json.loads(line, cls=DateTimeDecoder)
        last_run_at = entry.get("last_run_at")
        count = entry.get("total_run_count")
        print(json.dumps({
            "last_run_at": last_run_at.isoformat() if isinstance(last_run_at, datetime) else None,
            "last_run_at_type": type(last_run_at).__name__,
            "naive": isinstance(last_run_at, datetime) and last_run_at.tzinfo is None,
            "total_run_count": count,
            "total_run_count_type": type(count).__name__,
            "keys": list(entry.keys()),
        }))


if __name__ == "__main__":
    main()
