"""Counts what a scenario of scripts/faults sent and lost.

Ground truths: the broker's queue (what the recorder consumed) for what was sent, the entries'
`total_run_count` in Redis for what was committed. A message belongs to a slot by its `expires`
header (the firing's instant + 3600 s).

- duplicate: a message id delivered twice, or two slots of one entry less than 0.5 s apart (the
  entries fire every second, so that is one slot committed twice);
- extra: more slots delivered than committed for an entry (sent without a commit: never allowed);
- lost: committed slots that never reached the broker. Each is classified by the at-most-once
  windows the README documents (section "High availability", "Guarantees per broker"):
    dropped    `dropped an unsent firing` (stopped leading or shut down with it unconfirmed)
    superseded `a newer firing replaces one the broker never took` (the broker was down)
    refused    `redis refused to push ... they are lost` (Redis broker refused the LPUSH)
    unknown-commit  a commit sent just before the connection to Redis broke: it ran, its reply
               never came back, and the node re-reads rather than repeats (at most once); the
               README lists this under "a crash between the commit and the broker's confirmation"
  and anything else is undocumented (a FAIL).
"""

import statistics
from datetime import datetime

SLOT_TOLERANCE = 0.5
EXPIRES_SECONDS = 3600


def instant(text):
    return datetime.fromisoformat(text).timestamp()


def log_time(event):
    return instant(event["time"]) if "time" in event else None


def count(messages, committed, logs, unknown_commit_windows=()):
    """MESSAGES: the recorder's lines; COMMITTED: {entry: total_run_count}; LOGS: {node: events};
    UNKNOWN_COMMIT_WINDOWS: (start, end) wall-clock spans in which a leader's Redis connection broke."""
    ids = [message["id"] for message in messages]
    result = {"committed": sum(committed.values()), "delivered": len(messages), "repeated_ids": len(ids) - len(set(ids))}
    slots = {}
    for message in messages:
        slots.setdefault(message["entry"], {})[message["expires"]] = message
    documented = {}
    for node, events in logs.items():
        for event in events:
            text = event.get("message", "")
            entry = event.get("entry")
            if text.startswith("dropped an unsent firing"):
                documented.setdefault(entry, []).append(("dropped", event.get("id")))
            elif text.startswith("a newer firing replaces one the broker never took"):
                documented.setdefault(entry, []).append(("superseded", event.get("id")))
            elif text.startswith("redis refused to push"):
                for name in event.get("entries", "").split(","):
                    documented.setdefault(name, []).append(("refused", None))
    delivered_ids = set(ids)
    close_pairs = extra = 0
    lost = {"dropped": 0, "superseded": 0, "refused": 0, "unknown-commit": 0, "undocumented": 0}
    undocumented_entries = []
    for entry, runs in committed.items():
        entry_slots = sorted(instant(expires) - EXPIRES_SECONDS for expires in slots.get(entry, {}))
        close_pairs += sum(1 for a, b in zip(entry_slots, entry_slots[1:]) if b - a < SLOT_TOLERANCE)
        missing = runs - len(entry_slots)
        if missing < 0:
            extra += -missing
            continue
        for kind, message_id in documented.get(entry, []):
            if missing > 0 and message_id not in delivered_ids:
                lost[kind] += 1
                missing -= 1
        # A lost slot shows as a gap of about two periods between delivered slots; one inside a
        # window where the leader's Redis connection broke is the unknown-commit case.
        for a, b in zip(entry_slots, entry_slots[1:]):
            if missing > 0 and b - a > 1.5 and any(start - 1 <= a <= end for start, end in unknown_commit_windows):
                lost["unknown-commit"] += 1
                missing -= 1
        if missing > 0:
            lost["undocumented"] += missing
            undocumented_entries.append(f"{entry}:{missing}")
    result.update(duplicates=result["repeated_ids"] + close_pairs, extra=extra, lost=lost,
                  lost_total=sum(lost.values()), undocumented_entries=undocumented_entries[:10])
    return result


def reigns(logs):
    """{node: [acquisition times]} from the nodes' `now the leader` lines."""
    return {node: [log_time(e) for e in events if e.get("message", "").startswith("this node is now the leader")]
            for node, events in logs.items()}


def overlaps(messages, acquisitions, node_of_origin):
    """Messages a node delivered after another node took the lock from it: (committed after the
    takeover = a FAIL; committed before it and published late = the documented pause window)."""
    taken = sorted((time, node) for node, times in acquisitions.items() for time in times)
    after_commit, late_publish, worst = 0, 0, 0.0
    for message in messages:
        sender = node_of_origin(message["origin"])
        own = [time for time, node in taken if node == sender and time <= message["t"]]
        if not own:
            continue
        newer = [time for time, node in taken if node != sender and own[-1] < time < message["t"]]
        if not newer:
            continue
        slot = instant(message["expires"]) - EXPIRES_SECONDS
        worst = max(worst, message["t"] - newer[0])
        if slot >= newer[0]:
            after_commit += 1
        else:
            late_publish += 1
    return {"sent_after_takeover": after_commit, "late_publish_after_takeover": late_publish, "latest_after_takeover_s": round(worst, 3)}


def longest_pause(messages, start, end):
    """The longest time without any delivery between START and END (wall clock)."""
    times = [start] + sorted(m["t"] for m in messages if start <= m["t"] <= end) + [end]
    return max(b - a for a, b in zip(times, times[1:]))


def median_lag(messages, start, end):
    """The median time from a firing's instant to its arrival in the broker, between START and END."""
    lags = [m["t"] - (instant(m["expires"]) - EXPIRES_SECONDS) for m in messages if start <= m["t"] <= end]
    return round(statistics.median(lags), 3) if lags else None
