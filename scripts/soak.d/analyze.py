#!/usr/bin/env python3
"""Accounts for every slot of a soak run (scripts/soak): analyze.py RUN_DIR SUMMARY_JSON

Inputs, all in RUN_DIR (written by soak.py and consume.py): settings.json, events.jsonl, stop.json,
final-state.json (each entry's total_run_count and last_run_at at the end), received-a.txt and
received-b.txt (every message that reached the `celery` queues), worker-runs.txt (every task the Celery
worker ran), samples.jsonl (RSS and descriptors), node-*.log (JSON log lines).

A slot is one firing of one entry. An interval entry's next slot is due `interval` after its last firing
(Celery's rule: last_run_at is the firing instant), so per entry the firings received, in order, must be
spaced by the interval plus the beat's lag. For each entry:
  committed   its total_run_count at the end: the firings whose run state was committed;
  received    distinct task ids that reached the broker (a message seen twice, redelivered, counts once);
  lost        committed - received, when positive: committed, never reached the broker;
  extra       received - committed, when positive: reached the broker, run state not kept;
  doubled     two firings less than interval - 1 s apart: one slot sent twice (must be 0);
  late        a firing more than LATE_S after its due instant (previous firing + interval);
  collapsed   slots that never fired because an outage spanned them (the catch-up fires once, as Celery
              does): floor(gap / interval) - 1 per gap, less the lost firings inside that gap.
Every late firing, collapsed slot and lost firing is attributed to the fault whose window (its start to
its recovery plus GRACE_S) overlaps the time the slot was due, else to a Redis stall that stall_probe saw
(stalls.jsonl: a PING slower than STALL_S, with the machine's CPU and I/O pressure); what overlaps
neither is listed apart.
"""
import bisect
import collections
import datetime
import glob
import json
import math
import os
import re
import sys

LATE_S = 2.0
STALL_S = 0.5  # a PING slower than this is a Redis stall that can explain late firings
# Where RabbitMQ's committed firings may be lost, by README: a crash of the leader between a commit and
# the broker's confirmation, and a broker down for longer than the interval (the next firing supersedes).
DOCUMENTED_LOSSES = ("kill-leader-b", "restart-rabbitmq")
GRACE_S = 15.0
EXPLAIN_SLACK_S = 30.0  # a log line up to this long after a fault's recovery belongs to that fault

# What each warning/error line means, by message pattern (after numbers and ids are masked), and what
# the soak expects to cause it.
EXPLANATIONS = [
    (r"^stopped sending and became a standby",
     "the leader distrusted or lost its lock: Redis was down longer than the lease it trusts (80% of the TTL), or "
     "the lock was gone when it came back; it carries on as a standby (README, High availability)"),
    (r"^the scheduler's redis failed",
     "redis-server was killed and restarted: every node logs it (once per 10 s) and retries with backoff"),
    (r"^cannot subscribe to entry changes",
     "redis-server was killed and restarted: the change subscription is re-made once Redis answers"),
    (r"^a newer firing replaces one the broker never took",
     "RabbitMQ was down for longer than the entries' interval: a committed firing still unsent is superseded by "
     "the entry's next one (README, The beat: Broker down); counted as lost in the slot accounting"),
    (r"^(the broker did not take|cannot reach the broker)",
     "RabbitMQ was stopped and started: the node waits and retries unconfirmed batches with backoff while it leads"),
    (r"^dropped an unsent firing",
     "a committed firing still unconfirmed when its node stopped leading or shut down: the at-most-once window of "
     "README, High availability"),
]


def read_lines(path):
    """The fields of each line, one line at a time (an hour's run holds millions)."""
    if not os.path.exists(path):
        return
    with open(path) as f:
        for line in f:
            if line.strip():
                yield line.split()


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(math.ceil(p / 100.0 * len(values))) - 1)]


def fault_windows(events, kinds):
    return [(e["start"], (e["end"] or e["start"] + 120) + GRACE_S, e) for e in events if e["kind"] in kinds]


def merged(windows):
    """The fault windows as sorted, disjoint (start, end) pairs."""
    out = []
    for start, end, _ in sorted(windows, key=lambda w: w[0]):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def inside(intervals, t):
    i = bisect.bisect_right([start for start, _ in intervals], t) - 1
    return i >= 0 and t <= intervals[i][1]


def spread(values):
    if not values:
        return None
    return [round(percentile(values, 50), 3), round(percentile(values, 99), 3), round(max(values), 3)]


def cause_of(windows, lo, hi):
    for start, end, event in windows:
        if start - 1 <= hi and lo <= end:
            return event.get("label") or "%s at %s" % (event["kind"], clock(event["start"]))
    return None


def redis_stalls(run, events):
    """Windows of the Redis answers slower than STALL_S that stall_probe saw outside a Redis restart."""
    path = os.path.join(run, "stalls.jsonl")
    probes = [json.loads(line) for line in open(path)] if os.path.exists(path) else []
    restarts = [(e["start"] - 1, (e["end"] or e["start"] + 120) + 1) for e in events if e["kind"] == "restart-redis"]
    windows = []
    for p in probes:
        if p["rtt"] is None or p["rtt"] < STALL_S or any(lo <= p["t"] <= hi for lo, hi in restarts):
            continue
        label = "redis stalled at %s (PING %.1f s, CPU pressure %s%%, I/O pressure %s%%, load %.1f)" % (
            clock(p["t"]), p["rtt"], p["cpu_pressure"], p["io_pressure"], p["load"])
        windows.append((p["t"] - 2, p["t"] + p["rtt"] + 2, {"kind": "redis-stall", "start": p["t"], "label": label}))
    return windows


def clock(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%H:%M:%S")


def account(name, firings, committed, due_first, interval, windows, window_end, stopped_at):
    """firings: key -> list of fire instants (seconds), one per distinct task id."""
    totals = collections.Counter()
    causes = collections.defaultdict(lambda: collections.Counter())
    unattributed = collections.defaultdict(lambda: collections.Counter())
    lag, calm_lag = [], []
    covered = merged(windows)
    doubled_examples, lost_examples, stopped = [], [], []
    for key, first in due_first.items():
        times = sorted(firings.get(key, []))
        count = committed.get(key, {}).get("count", 0)
        totals["entries"] += 1
        totals["committed"] += count
        totals["received"] += len(times)
        lost = max(0, count - len(times))
        totals["lost"] += lost
        totals["extra"] += max(0, len(times) - count)
        if not times:
            stopped.append(key)
            continue
        if times[-1] < stopped_at - interval - GRACE_S:
            stopped.append(key)
        gaps = [(first, times[0], 1)] + [(a + interval, b, 0) for a, b in zip(times, times[1:])]
        lost_left = lost
        for due, fired, is_first in gaps:
            late = fired - due
            if late < -1.0:
                totals["doubled"] += 1
                if len(doubled_examples) < 10:
                    doubled_examples.append({"entry": key, "due": clock(due), "fired": clock(fired), "early_s": round(-late, 3)})
                continue
            if due <= window_end:
                lag.append(late)
                if not inside(covered, due):
                    calm_lag.append(late)
            if late <= LATE_S:
                continue
            totals["late"] += 1
            absent = 0 if is_first else int((fired - (due - interval)) // interval) - 1
            lost_here = min(absent, lost_left)
            lost_left -= lost_here
            collapsed = absent - lost_here
            totals["collapsed"] += collapsed
            cause = cause_of(windows, due, fired)
            tally = causes[cause] if cause else unattributed[clock(due - due % 60) + " (minute)"]
            tally["late firings"] += 1
            tally["collapsed slots"] += collapsed
            tally["lost firings"] += lost_here
            tally["max late s"] = max(tally["max late s"], round(late, 2))
            if lost_here and len(lost_examples) < 10:
                lost_examples.append({"entry": key, "between": [clock(due - interval), clock(fired)], "lost": lost_here,
                                      "cause": cause})
        if lost_left:
            totals["lost unplaced"] += lost_left
    result = {
        "entries": totals["entries"],
        "slots committed": totals["committed"],
        "firings received (distinct task ids)": totals["received"],
        "lost (committed, never reached the broker)": totals["lost"],
        "extra (reached the broker, run state not kept)": totals["extra"],
        "doubled (one slot sent twice)": totals["doubled"],
        "late firings (> %g s)" % LATE_S: totals["late"],
        "collapsed slots (outage spanned them; one catch-up firing)": totals["collapsed"],
        "entries that stopped firing": len(stopped),
        "lag s p50/p99/max": spread(lag),
        "lag s p50/p99/max outside fault windows": spread(calm_lag),
        "by fault": {cause: dict(tally) for cause, tally in sorted(causes.items())},
        "late outside any fault": {bucket: dict(tally) for bucket, tally in sorted(unattributed.items())},
    }
    if totals["lost unplaced"]:
        result["lost not placed in a gap"] = totals["lost unplaced"]
    if doubled_examples:
        result["doubled examples"] = doubled_examples
    if lost_examples:
        result["lost examples"] = lost_examples
    if stopped:
        result["stopped examples"] = stopped[:10]
    return result


def received(path, key_of):
    """key -> fire instants of distinct ids; and delivery counts."""
    by_id = {}
    deliveries = 0
    for fields in read_lines(path):
        deliveries += 1
        received_us, message_id, entry, fire_us = fields[:4]
        by_id.setdefault(message_id, (int(entry), int(fire_us), int(received_us)))
    firings = collections.defaultdict(list)
    delays = []
    for entry, fire_us, received_us in by_id.values():
        key = key_of(entry)
        if key:
            firings[key].append(fire_us / 1e6)
            delays.append((received_us - fire_us) / 1e6)
    return firings, deliveries, len(by_id), spread(delays)


def resources(run):
    by_process = {}
    for line in open(os.path.join(run, "samples.jsonl")) if os.path.exists(os.path.join(run, "samples.jsonl")) else []:
        s = json.loads(line)
        p = by_process.setdefault((s["node"], s["pid"]), {"rss": [], "fds": [], "t": [], "leader": 0})
        p["rss"].append(s["rss_kb"])
        p["fds"].append(s["fds"])
        p["t"].append(s["t"])
        p["leader"] += s["leader"]
    out = []
    for (node, pid), p in sorted(by_process.items(), key=lambda kv: (kv[0][0], kv[1]["t"][0])):
        out.append({
            "node": node, "pid": pid, "from": clock(p["t"][0]), "to": clock(p["t"][-1]), "samples": len(p["t"]),
            "leader samples": p["leader"],
            "rss MB first/last/max": [round(p["rss"][0] / 1024, 1), round(p["rss"][-1] / 1024, 1), round(max(p["rss"]) / 1024, 1)],
            "fds first/last/max": [p["fds"][0], p["fds"][-1], max(p["fds"])],
        })
    return out


def mask(message):
    message = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", message)
    return re.sub(r"\d+(\.\d+)?", "N", message)


def log_lines(run, events):
    windows = [(e["start"] - 2, (e["end"] or e["start"] + 120) + EXPLAIN_SLACK_S, e["kind"]) for e in events]
    groups = {}
    for path in sorted(glob.glob(os.path.join(run, "node-*.log"))):
        node = os.path.basename(path)[:-4]
        for raw in open(path, errors="replace"):
            raw = raw.strip()
            if not raw:
                continue
            try:
                line = json.loads(raw)
                level, message = line.get("level", "?"), line.get("message", "")
                detail = line.get("error", "")
                t = datetime.datetime.fromisoformat(line["time"]).timestamp()
            except (ValueError, KeyError):
                level, message, detail, t = "unparsed", raw, "", None
            if level not in ("warning", "error", "critical", "unparsed"):
                continue
            pattern = mask(message + (" | " + detail if detail else ""))
            g = groups.setdefault((level, pattern), {"level": level, "pattern": pattern, "count": 0, "nodes": set(),
                                                     "first": None, "last": None, "during": collections.Counter(),
                                                     "outside faults": 0, "example": raw[:400]})
            g["count"] += 1
            g["nodes"].add(node)
            if t:
                g["first"] = g["first"] or clock(t)
                g["last"] = clock(t)
                kinds = [kind for start, end, kind in windows if start <= t <= end]
                if kinds:
                    g["during"][kinds[0]] += 1
                else:
                    g["outside faults"] += 1
    out = []
    for g in sorted(groups.values(), key=lambda g: -g["count"]):
        g["nodes"] = sorted(g["nodes"])
        g["during"] = dict(g["during"])
        g["explanation"] = next((text for pattern, text in EXPLANATIONS if re.search(pattern, g["pattern"])), None)
        g["explained"] = bool(g["explanation"]) and g["outside faults"] == 0 and g["level"] != "unparsed"
        out.append(g)
    return out


def main():
    run, summary_path = sys.argv[1], sys.argv[2]
    settings = json.load(open(os.path.join(run, "settings.json")))
    events = [json.loads(line) for line in open(os.path.join(run, "events.jsonl"))] \
        if os.path.exists(os.path.join(run, "events.jsonl")) else []
    stop = json.load(open(os.path.join(run, "stop.json")))
    state = json.load(open(os.path.join(run, "final-state.json")))
    interval, first_due = settings["interval"], settings["first_due"]
    n_a, n_b = settings["groups"]["a"]["entries"], settings["groups"]["b"]["entries"]
    n_w, w_base = settings["worker_entries"], settings["worker_arg_base"]
    stopped_at = stop["stopped_at"]

    def due(n):
        return lambda i: first_due + i * interval / n

    firings_a, deliveries_a, ids_a, delay_a = received(os.path.join(run, "received-a.txt"),
                                              lambda i: "a/e%d" % i if 0 <= i < n_a else None)
    firings_b, deliveries_b, ids_b, delay_b = received(os.path.join(run, "received-b.txt"),
                                              lambda i: "b/e%d" % i if 0 <= i < n_b else None)
    firings_w, deliveries_w, ids_w, delay_w = received(os.path.join(run, "worker-runs.txt"),
                                              lambda i: "b/w%d" % (i - w_base) if w_base <= i < w_base + n_w else None)
    redis_faults = ["restart-redis"]
    stalls = redis_stalls(run, events)
    windows_a = fault_windows(events, ["kill-leader-a"] + redis_faults) + stalls
    windows_b = fault_windows(events, ["kill-leader-b", "restart-rabbitmq"] + redis_faults) + stalls
    end = settings["end"]
    summary = {
        "run": {"started": clock(first_due), "stopped": clock(stopped_at), "minutes": round((stopped_at - first_due) / 60, 1),
                "seed": settings["seed"], "lock_ttl": settings["lock_ttl"], "node argv": settings["argv"],
                "node exits at SIGTERM": stop["exits"], "queues drained at the end": stop["drained"]},
        "load": {
            "redis broker (group a)": "%d entries every %g s: %.0f firings/s offered, %.1f received/s" % (
                n_a, interval, n_a / interval, ids_a / max(1.0, stopped_at - first_due)),
            "rabbitmq (group b)": "%d + %d worker entries every %g s: %.0f firings/s offered, %.1f received/s" % (
                n_b, n_w, interval, (n_b + n_w) / interval, (ids_b + ids_w) / max(1.0, stopped_at - first_due)),
        },
        "faults": {
            "count": collections.Counter(e["kind"] for e in events),
            "not recovered": [e for e in events if not e["end"]],
            "recovery s (kind: min/median/max)": {
                kind: [round(min(d), 1), round(percentile(d, 50), 1), round(max(d), 1)]
                for kind, d in collections.defaultdict(list, {
                    k: [e["end"] - e["start"] for e in events if e["kind"] == k and e["end"]]
                    for k in set(e["kind"] for e in events)}).items() if d},
            "list": [{"at": clock(e["start"]), "kind": e["kind"],
                      "recovered s": round(e["end"] - e["start"], 1) if e["end"] else None,
                      **{k: v for k, v in e.items() if k not in ("kind", "start", "end")}} for e in events],
        },
        "redis stalls (PING > %g s outside restarts)" % STALL_S: [w[2]["label"] for w in stalls],
        "slots": {
            "a: redis broker, 10,000 entries": dict(account(
                "a", firings_a, {k: v for k, v in state.items() if k.startswith("a/e")},
                {"a/e%d" % i: due(n_a)(i) for i in range(n_a)}, interval, windows_a, end, stopped_at),
                deliveries=deliveries_a, **{"delivery delay s p50/p99/max (consumer's receipt - firing)": delay_a}),
            "b: rabbitmq, 2,000 entries": dict(account(
                "b", firings_b, {k: v for k, v in state.items() if k.startswith("b/e")},
                {"b/e%d" % i: due(n_b)(i) for i in range(n_b)}, interval, windows_b, end, stopped_at),
                deliveries=deliveries_b, **{"delivery delay s p50/p99/max (consumer's receipt - firing)": delay_b}),
            "b: rabbitmq, 50 worker entries run by the Celery worker": dict(account(
                "w", firings_w, {k: v for k, v in state.items() if k.startswith("b/w")},
                {"b/w%d" % k: due(n_w)(k) for k in range(n_w)}, interval, windows_b, end, stopped_at),
                **{"task runs (a redelivered message can run twice)": deliveries_w,
                   "delivery delay s p50/p99/max (worker's run - firing)": delay_w}),
        },
        "resources": resources(run),
        "log lines (warning and above)": log_lines(run, events),
    }
    summary["faults"]["count"] = dict(summary["faults"]["count"])
    slots = summary["slots"]
    problems = []
    for name, s in slots.items():
        if s["doubled (one slot sent twice)"]:
            problems.append("%s: %d slots sent twice" % (name, s["doubled (one slot sent twice)"]))
        if s["entries that stopped firing"]:
            problems.append("%s: %d entries stopped firing" % (name, s["entries that stopped firing"]))
        if s["late outside any fault"]:
            problems.append("%s: late firings outside any fault window" % name)
        if s["lost (committed, never reached the broker)"] and name.startswith("a:"):
            problems.append("%s: committed firings lost on the one-transaction path" % name)
        if s.get("lost not placed in a gap"):
            problems.append("%s: %d lost firings after the last one received (at the end?)" % (name, s["lost not placed in a gap"]))
        if s["extra (reached the broker, run state not kept)"]:
            problems.append("%s: firings whose run state was not kept" % name)
    for name, s in slots.items():
        for cause in s["by fault"]:
            if s["by fault"][cause].get("lost firings") and not cause.startswith(DOCUMENTED_LOSSES):
                problems.append("%s: lost firings at %s (no documented window)" % (name, cause))
    unexplained = [g for g in summary["log lines (warning and above)"] if not g["explained"]]
    if unexplained:
        problems.append("%d groups of log lines not explained by a fault" % len(unexplained))
    if summary["faults"]["not recovered"]:
        problems.append("%d faults not recovered" % len(summary["faults"]["not recovered"]))
    summary["verdict"] = {"ok": not problems, "problems": problems}
    with open(summary_path, "w") as f:
        json.dump(summary, f, indent=1, default=list)
    print(json.dumps({k: v for k, v in summary.items() if k not in ("resources", "log lines (warning and above)")},
                     indent=1, default=list))
    for g in summary["log lines (warning and above)"]:
        print("log %s x%d (%s; outside faults %d): %s" % (g["level"], g["count"], ",".join(g["nodes"]), g["outside faults"],
                                                          g["pattern"][:200]))
    for r in summary["resources"]:
        print("resources %s pid %s %s-%s: RSS MB %s, fds %s" % (r["node"], r["pid"], r["from"], r["to"],
                                                                 r["rss MB first/last/max"], r["fds first/last/max"]))
    sys.exit(0 if summary["verdict"]["ok"] else 1)


if __name__ == "__main__":
    main()
