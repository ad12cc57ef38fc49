#!/usr/bin/env python3
"""Turns `benchtool drain` output into the sustained-run figures, and checks the write-back.

Each line is "pop_us entry fire_us". Entry i was first due at first_due + i*spread/N (the loader's
rule); every beat here (swiftbeat, Celery's, RedBeat) sets last_run_at to the firing instant, so the
k-th firing is due one interval after the (k-1)-th firing instant, which the message carries
(`expires` - 3600 s). Lag = pop_us - scheduled instant: an upper bound on the time from the
scheduled instant to the message being in the list (pop_us is when the drain saw it).

Prints one JSON object.
"""
import argparse
import datetime
import json
import sys


def pct(sorted_values, p):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def stats_ms(values):
    values = sorted(values)
    if not values:
        return {"n": 0, "p50": None, "p99": None, "max": None}
    return {"n": len(values), "p50": round(pct(values, 50) / 1000, 2), "p99": round(pct(values, 99) / 1000, 2),
            "max": round(values[-1] / 1000, 2)}


def components_us(obj):
    d = datetime.datetime(obj["year"], obj["month"], obj["day"], obj["hour"], obj["minute"], obj["second"],
                          obj.get("microsecond", 0), tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond


def verify(kind, count, fired):
    """Compares the stored run state with what the drain saw: (entries checked, mismatches, example)."""
    mismatches = 0
    example = None
    stored = {}
    if kind.startswith("swiftbeat:") or kind.startswith("redbeat:"):
        import redis
        port = int(kind.split(":")[1])
        r = redis.Redis(port=port, db=1)
        names = list(range(count))
        for start in range(0, count, 5000):
            chunk = names[start:start + 5000]
            if kind.startswith("swiftbeat:"):
                values = r.mget(["tasks:meta:e%d" % i for i in chunk])
                for i, v in zip(chunk, values):
                    obj = json.loads(v)
                    last = obj.get("last_run_at")
                    stored[i] = (obj.get("total_run_count", 0), components_us(last) if last else None)
            else:
                p = r.pipeline(transaction=False)
                for i in chunk:
                    p.hget("redbeat:e%d" % i, "meta")
                for i, v in zip(chunk, p.execute()):
                    obj = json.loads(v)
                    last = obj.get("last_run_at")
                    stored[i] = (obj.get("total_run_count", 0), components_us(last) if last else None)
    elif kind.startswith("shelve:"):
        import shelve
        with shelve.open(kind.split(":", 1)[1], flag="r") as store:
            for name, entry in store["entries"].items():
                if name.startswith("e"):
                    last = entry.last_run_at
                    stored[int(name[1:])] = (entry.total_run_count, int(last.timestamp() * 1e6))
    for i in range(count):
        fires = fired.get(i, [])
        runs, last = stored.get(i, (0, None))
        expected_last = max(fires) if fires else None
        # Python's beats take last_run_at and the expires header from two reads of the clock:
        # allow 50 ms between them; swiftbeat uses one instant for both (exact match).
        tolerance = 0 if kind.startswith("swiftbeat:") else 50000
        ok = runs == len(fires) and (
            (expected_last is None and runs == 0) or
            (last is not None and expected_last is not None and abs(last - expected_last) <= tolerance))
        if not ok:
            mismatches += 1
            if example is None:
                example = {"entry": i, "stored_runs": runs, "messages": len(fires), "stored_last_us": last,
                           "message_last_us": expected_last}
    return count, mismatches, example


def main():
    p = argparse.ArgumentParser()
    p.add_argument("drain")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--interval", type=float, required=True)
    p.add_argument("--first-due", type=float, required=True)
    p.add_argument("--spread", type=float, required=True)
    p.add_argument("--window-start", type=float, required=True, help="unix s: scheduled instants from here")
    p.add_argument("--window-end", type=float, required=True, help="unix s: ... to here")
    p.add_argument("--stop", type=float, required=True, help="unix s: when the beat was stopped")
    p.add_argument("--verify", default=None)
    a = p.parse_args()
    n, interval_us = a.count, int(a.interval * 1e6)
    fired = {}
    pops = {}
    bad = 0
    with open(a.drain) as f:
        for line in f:
            pop, entry, fire = map(int, line.split())
            if entry < 0 or entry >= n or fire == 0:
                bad += 1
                continue
            fired.setdefault(entry, []).append(fire)
            pops.setdefault(entry, []).append((fire, pop))
    ws, we, stop = int(a.window_start * 1e6), int(a.window_end * 1e6), int(a.stop * 1e6)
    lags, decide = [], []
    windows = {}
    total = 0
    pop_in_window = 0
    overdue = []
    for i in range(n):
        scheduled = int((a.first_due + i * a.spread / n) * 1e6)
        for fire, pop in sorted(pops.get(i, [])):
            total += 1
            if ws <= pop < we:
                pop_in_window += 1
            if ws <= scheduled < we:
                lags.append(pop - scheduled)
                decide.append(fire - scheduled)
                windows.setdefault((scheduled - ws) // interval_us, []).append(pop - scheduled)
            scheduled = fire + interval_us
        if scheduled < stop - 1000000:
            overdue.append(stop - scheduled)
    result = {
        "messages": total, "unparsed": bad,
        "firings_per_s": round(pop_in_window / ((we - ws) / 1e6), 1),
        "due_per_s": round(n / a.interval, 1),
        "lag_ms": stats_ms(lags),
        "decision_lag_ms": stats_ms(decide),
        "windows": [dict(stats_ms(windows[k]), start_s=int(k * a.interval)) for k in sorted(windows)],
        "overdue_at_stop": len(overdue),
        "max_overdue_s": round(max(overdue) / 1e6, 1) if overdue else 0,
    }
    if a.verify:
        checked, mismatches, example = verify(a.verify, n, fired)
        result["writeback"] = {"checked": checked, "mismatches": mismatches, "example": example}
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
