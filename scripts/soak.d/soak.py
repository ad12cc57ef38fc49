#!/usr/bin/env python3
"""The soak of issue 18, run by scripts/soak (which installs, builds and starts RabbitMQ first).

Two groups of three `swiftbeat run` nodes, because one beat has one broker:
  A  10,000 entries every 10 s (1,000 firings/s) in db 1, broker: the same redis-server, db 0 (commit and
     push in one Redis transaction); lock soak:lock:a.
  B  2,000 entries every 10 s (200 firings/s) to RabbitMQ's `celery` queue, and 50 worker entries every
     10 s to queue soak-worker, in db 2 (commit, then publish with confirms); lock soak:lock:b.
Fast consumers (consume.py) record every message that reaches the `celery` queues; a real Celery worker
(soakapp.py) runs the worker entries. Every SOAK_FAULT_MIN..SOAK_FAULT_MAX seconds one fault, the kinds in
a shuffled cycle: SIGKILL of group A's leader, of group B's leader (the killed node is restarted at once),
SIGKILL of redis-server (AOF, appendfsync always) and restart, stop and start of RabbitMQ. Each node's
RSS and open descriptors are sampled every 10 s,
and Redis's answer time every 0.25 s (stall_probe). At the end the nodes get SIGTERM, the queues are drained,
the final run state is read from Redis, and analyze.py accounts for every slot.

Environment (set by scripts/soak): SOAK_BIN, SOAK_AMQP_PORT, SOAK_RUN (the run's folder); optional
SOAK_FAULT_MIN, SOAK_FAULT_MAX (seconds between faults), SOAK_SEED.
"""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "bench.d"))
import load  # noqa: E402  (the benchmark's loader: the same entries, written as raw RESP)

import redis  # noqa: E402

INTERVAL = 10.0
GROUPS = {
    "a": {"db": 1, "entries": 10000, "lock": "soak:lock:a"},
    "b": {"db": 2, "entries": 2000, "lock": "soak:lock:b"},
}
WORKER_ENTRIES = 50
WORKER_ARG_BASE = 100000  # worker entry k has args [100000 + k]
WORKER_QUEUE = "soak-worker"
NODES_PER_GROUP = 3
LOCK_TTL = 10
SAMPLE_EVERY = 10.0

RUN = os.environ["SOAK_RUN"]
BIN = os.environ["SOAK_BIN"]
AMQP_PORT = int(os.environ["SOAK_AMQP_PORT"])
PY = sys.executable
children = {}  # name -> Popen, everything this script started and must stop
events = []
events_lock = threading.Lock()


def log(text):
    line = "%s soak: %s" % (time.strftime("%H:%M:%S", time.gmtime()), text)
    print(line, flush=True)
    with open(os.path.join(RUN, "soak.log"), "a") as f:
        f.write(line + "\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(name, argv, env=None):
    out = open(os.path.join(RUN, name + ".log"), "ab")
    process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    out.close()
    children[name] = process
    return process


def stop_child(name, sig=signal.SIGTERM, timeout=60):
    process = children.get(name)
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def record(kind, start, end, **details):
    event = dict(kind=kind, start=start, end=end, **details)
    with events_lock:
        events.append(event)
        with open(os.path.join(RUN, "events.jsonl"), "a") as f:
            f.write(json.dumps(event) + "\n")
    log("%s: %s" % (kind, ", ".join("%s=%s" % kv for kv in sorted(details.items()))) +
        (" (recovered in %.1f s)" % (end - start) if end else " (NOT recovered)"))


# ---------------------------------------------------------------- redis


class Redis:
    def __init__(self):
        self.port = free_port()
        self.dir = os.path.join(RUN, "redis")
        os.makedirs(self.dir, exist_ok=True)

    def start(self):
        # appendfsync always: every reply follows the fsync of the writes it acknowledges, so a crash
        # (SIGKILL) loses no committed run state and no message that was pushed.
        spawn("redis-server", ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "yes", "--appendfsync", "always", "--dir", self.dir,
                               "--daemonize", "no", "--logfile", os.path.join(self.dir, "redis.log")])
        deadline = time.time() + 60
        while not self.answers():
            if time.time() > deadline or children["redis-server"].poll() is not None:
                sys.exit("soak: redis-server did not start (see %s/redis.log)" % self.dir)
            time.sleep(0.1)

    def answers(self):
        try:
            return self.client(0).ping()
        except redis.exceptions.RedisError:
            return False

    def client(self, db):
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=5, socket_connect_timeout=2)

    def url(self, db):
        return "redis://127.0.0.1:%d/%d" % (self.port, db)


def lock_holder(store, group):
    """The pid in the group's lock, or None (no lock, or Redis not answering)."""
    try:
        raw = store.client(GROUPS[group]["db"]).get(GROUPS[group]["lock"])
    except redis.exceptions.RedisError:
        return None
    return json.loads(raw)["pid"] if raw else None


def load_entries(store, first_due):
    for group, g in GROUPS.items():
        loader = subprocess.Popen([PY, os.path.join(ROOT, "scripts", "bench.d", "load.py"), "swiftbeat", str(g["entries"]),
                                   "--first-due", repr(first_due), "--spread", repr(INTERVAL), "--interval",
                                   repr(INTERVAL), "--db", str(g["db"])], stdout=subprocess.PIPE)
        piped = subprocess.run(["redis-cli", "-p", str(store.port), "--pipe"], stdin=loader.stdout,
                               capture_output=True, text=True)
        loader.stdout.close()
        if loader.wait() != 0 or "errors: 0" not in piped.stdout:
            sys.exit("soak: loading group %s failed: %s %s" % (group, piped.stdout, piped.stderr))
    client = store.client(GROUPS["b"]["db"])
    for k in range(WORKER_ENTRIES):
        due = first_due + k * INTERVAL / WORKER_ENTRIES
        client.set("tasks:meta:w%d" % k, load.swiftbeat_entry("w%d" % k, WORKER_ARG_BASE + k, int(INTERVAL),
                                                               due - INTERVAL, queue=WORKER_QUEUE))


# ---------------------------------------------------------------- the nodes


def node_argv(store, group):
    broker = store.url(0) if group == "a" else "amqp://guest:guest@127.0.0.1:%d//" % AMQP_PORT
    return [BIN, "run", "--scheduler-url", store.url(GROUPS[group]["db"]), "--broker-url", broker,
            "--lock-key", GROUPS[group]["lock"], "--lock-ttl", str(LOCK_TTL), "--standby-retry", "1",
            "--log-level", "warning", "--log-format", "json"]


def node_names(group):
    return ["node-%s%d" % (group, n) for n in range(1, NODES_PER_GROUP + 1)]


def start_node(store, name):
    spawn(name, node_argv(store, name[5]))


# ---------------------------------------------------------------- faults


def wait_until(predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def kill_leader(store, group):
    pid = None
    wait_until(lambda: lock_holder(store, group) is not None, 60)
    pid = lock_holder(store, group)
    names = [n for n in node_names(group) if children[n].pid == pid]
    if not names:
        record("kill-leader-" + group, time.time(), None, error="lock holder %s is none of our nodes" % pid)
        return
    name = names[0]
    start = time.time()
    children[name].send_signal(signal.SIGKILL)
    children[name].wait()
    start_node(store, name)
    took = wait_until(lambda: lock_holder(store, group) not in (None, pid), 120)
    new = lock_holder(store, group)
    new_name = [n for n in node_names(group) if children[n].pid == new]
    record("kill-leader-" + group, start, time.time() if took else None, killed=name, pid=pid,
           new_leader=new_name[0] if new_name else new)


def restart_redis(store):
    start = time.time()
    children["redis-server"].send_signal(signal.SIGKILL)
    children["redis-server"].wait()
    down = time.time()
    store.start()
    up = time.time()
    led = wait_until(lambda: all(lock_holder(store, g) for g in GROUPS), 120)
    record("restart-redis", start, time.time() if led else None, down_s=round(up - down, 2),
           leaders={g: lock_holder(store, g) for g in GROUPS})


def restart_rabbitmq():
    start = time.time()
    stopped = subprocess.run([os.path.join(ROOT, "scripts", "rabbitmq"), "stop"], capture_output=True, text=True)
    down = time.time()
    started = subprocess.run([os.path.join(ROOT, "scripts", "rabbitmq"), "start"], capture_output=True, text=True)
    ok = stopped.returncode == 0 and started.returncode == 0
    record("restart-rabbitmq", start, time.time() if ok else None, stop_s=round(down - start, 2),
           start_s=round(time.time() - down, 2), error=None if ok else (stopped.stderr + started.stderr)[-500:])


def fault_loop(store, end, fault_min, fault_max, rng):
    kinds = []
    while True:
        wait = rng.uniform(fault_min, fault_max)
        # No fault in the last minute: the run ends with every part recovered and observed.
        if time.time() + wait > end - min(60, fault_max):
            return
        time.sleep(wait)
        if not kinds:
            kinds = ["kill-leader-a", "kill-leader-b", "restart-redis", "restart-rabbitmq"]
            rng.shuffle(kinds)
        kind = kinds.pop()
        if kind.startswith("kill-leader-"):
            kill_leader(store, kind[-1])
        elif kind == "restart-redis":
            restart_redis(store)
        else:
            restart_rabbitmq()


# ---------------------------------------------------------------- sampling


def proc_sample(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        fds = len(os.listdir("/proc/%d/fd" % pid))
        return rss, fds
    except (OSError, StopIteration):
        return None


def sampler(store, stop):
    with open(os.path.join(RUN, "samples.jsonl"), "a") as out:
        while not stop.wait(SAMPLE_EVERY):
            leaders = {g: lock_holder(store, g) for g in GROUPS}
            now = time.time()
            for group in GROUPS:
                for name in node_names(group):
                    process = children[name]
                    sample = proc_sample(process.pid) if process.poll() is None else None
                    if sample:
                        out.write(json.dumps({"t": now, "node": name, "pid": process.pid, "rss_kb": sample[0],
                                              "fds": sample[1], "leader": leaders[group] == process.pid}) + "\n")
            out.flush()


def stall_probe(store, stop):
    """PINGs Redis every 0.25 s and records every answer slower than 0.2 s, with the machine's CPU and I/O
    pressure (PSI, avg10) at that moment: a stall of the one Redis both groups use delays every firing of
    both at once, and this tells it from a fault of swiftbeat's own. (Failures during a Redis restart are
    recorded too; analyze.py attributes those to the restart.)"""
    client = store.client(0)
    with open(os.path.join(RUN, "stalls.jsonl"), "a") as out:
        while not stop.wait(0.25):
            began = time.time()
            try:
                client.ping()
                rtt = time.time() - began
            except redis.exceptions.RedisError:
                rtt = None
            if rtt is None or rtt > 0.2:
                out.write(json.dumps({"t": began, "rtt": rtt, "cpu_pressure": pressure("cpu"), "io_pressure": pressure("io"),
                                      "load": os.getloadavg()[0]}) + "\n")
                out.flush()


def pressure(resource):
    """The share of the last 10 s in which some task waited for `resource` (/proc/pressure), or None."""
    try:
        with open("/proc/pressure/" + resource) as f:
            return float(f.readline().split()[1].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None


# ---------------------------------------------------------------- the end


def queue_empty(store):
    try:
        if store.client(0).llen("celery"):
            return False
    except redis.exceptions.RedisError:
        return False
    listed = subprocess.run([os.path.join(ROOT, "scripts", "rabbitmq"), "ctl", "-q", "list_queues", "name", "messages"],
                            capture_output=True, text=True)
    counts = dict(line.split()[:2] for line in listed.stdout.splitlines() if len(line.split()) >= 2)
    return listed.returncode == 0 and counts.get("celery", "0") == "0" and counts.get(WORKER_QUEUE, "0") == "0"


def final_state(store):
    state = {}
    for group, g in GROUPS.items():
        client = store.client(g["db"])
        keys = list(client.scan_iter("tasks:meta:*", count=5000))
        for key, raw in zip(keys, client.mget(keys)):
            entry = json.loads(raw)
            last = entry.get("last_run_at")
            state["%s/%s" % (group, key.decode()[len("tasks:meta:"):])] = {
                "count": entry.get("total_run_count", 0),
                "last": [last[k] for k in ("year", "month", "day", "hour", "minute", "second", "microsecond")]
                if isinstance(last, dict) else None,
            }
    return state


def main():
    minutes = float(sys.argv[1])
    fault_min = float(os.environ.get("SOAK_FAULT_MIN", 120 if minutes >= 20 else 25))
    fault_max = float(os.environ.get("SOAK_FAULT_MAX", 240 if minutes >= 20 else 45))
    seed = int(os.environ.get("SOAK_SEED", int(time.time())))
    rng = random.Random(seed)
    store = Redis()
    store.start()
    log("redis-server on 127.0.0.1:%d (AOF, appendfsync always), RabbitMQ on 127.0.0.1:%d, seed %d, faults every "
        "%g-%g s" % (store.port, AMQP_PORT, seed, fault_min, fault_max))
    first_due = time.time() + 20
    load_entries(store, first_due)
    end = first_due + minutes * 60
    env = dict(os.environ, SOAK_DRAIN_DEADLINE="180")
    spawn("consume-redis", [PY, os.path.join(HERE, "consume.py"), "redis", str(store.port), "0", "celery",
                            os.path.join(RUN, "received-a.txt")], env=env)
    spawn("consume-amqp", [PY, os.path.join(HERE, "consume.py"), "amqp", str(AMQP_PORT), "celery",
                           os.path.join(RUN, "received-b.txt")], env=env)
    worker_env = dict(os.environ, SOAK_BROKER_URL="amqp://guest:guest@127.0.0.1:%d//" % AMQP_PORT,
                      SOAK_WORKER_OUT=os.path.join(RUN, "worker-runs.txt"), PYTHONPATH=HERE)
    spawn("celery-worker", [os.path.join(os.path.dirname(PY), "celery"), "-A", "soakapp", "worker", "-P", "solo",
                            "-Q", WORKER_QUEUE, "--without-gossip", "--without-mingle", "--without-heartbeat",
                            "-l", "warning"], env=worker_env)
    for group in GROUPS:
        for name in node_names(group):
            start_node(store, name)
    settings = dict(first_due=first_due, end=end, minutes=minutes, interval=INTERVAL, seed=seed,
                    groups=GROUPS, worker_entries=WORKER_ENTRIES, worker_arg_base=WORKER_ARG_BASE,
                    lock_ttl=LOCK_TTL, fault_min=fault_min, fault_max=fault_max, redis_port=store.port,
                    amqp_port=AMQP_PORT, argv={g: node_argv(store, g) for g in GROUPS}, bin=BIN)
    with open(os.path.join(RUN, "settings.json"), "w") as f:
        json.dump(settings, f, indent=1)
    log("%d + %d entries every %g s from %s, until %s; 3 nodes per group started" % (
        GROUPS["a"]["entries"], GROUPS["b"]["entries"] + WORKER_ENTRIES, INTERVAL,
        time.strftime("%H:%M:%S", time.gmtime(first_due)), time.strftime("%H:%M:%S", time.gmtime(end))))
    stop_sampling = threading.Event()
    sampling = threading.Thread(target=sampler, args=(store, stop_sampling), daemon=True)
    sampling.start()
    probing = threading.Thread(target=stall_probe, args=(store, stop_sampling), daemon=True)
    probing.start()
    fault_loop(store, end, fault_min, fault_max, rng)
    while time.time() < end:
        time.sleep(min(5.0, end - time.time()))
    stop_sampling.set()
    sampling.join()
    probing.join()
    stopped_at = time.time()
    log("the run's time is up: SIGTERM to every node")
    exits = {}
    for group in GROUPS:
        for name in node_names(group):
            began = time.time()
            stop_child(name, timeout=60)
            exits[name] = {"code": children[name].returncode, "seconds": round(time.time() - began, 2)}
    drained = wait_until(lambda: queue_empty(store), 300)
    log("queues %s; stopping the consumers and the worker" % ("drained" if drained else "NOT drained within 300 s"))
    time.sleep(2)  # the worker runs what it fetched last (not a wait for an event: it has none to poll)
    for name in ("consume-redis", "consume-amqp", "celery-worker"):
        stop_child(name, timeout=200)
    with open(os.path.join(RUN, "final-state.json"), "w") as f:
        json.dump(final_state(store), f)
    with open(os.path.join(RUN, "stop.json"), "w") as f:
        json.dump({"stopped_at": stopped_at, "exits": exits, "drained": drained}, f)
    stop_child("redis-server", timeout=60)


def cleanup(*_):
    for name in list(children):
        stop_child(name, signal.SIGKILL if name.startswith("node-") else signal.SIGTERM, timeout=30)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("soak: stopped by SIGTERM"))
    try:
        main()
    finally:
        cleanup()
