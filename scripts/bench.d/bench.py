#!/usr/bin/env python3
"""The engine of scripts/bench: runs the scenarios of issue 7 against a private redis-server (and the
RabbitMQ node scripts/bench started), with the Python anchors in the same run, prints the table and
writes BENCHMARKS.md. Run it through scripts/bench, which installs, builds and starts RabbitMQ.

Every time is CLOCK_REALTIME; CPU is read from /proc (schedstat, nanoseconds, all threads); memory
is VmRSS / VmHWM. The 2 cores are shared by the beat, redis-server, the probes and whatever else
runs on the machine: each scenario records the CPU taken by processes that are not its own.
"""
import ctypes
import datetime
import json
import os
import platform
import re
import shlex
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
STATE = os.environ.get("BENCH_STATE", os.path.join(ROOT, ".state", "bench"))
PORT = int(os.environ.get("BENCH_REDIS_PORT", "6490"))
AMQP_PORT = int(os.environ.get("SWIFTBEAT_RABBITMQ_PORT", "5693"))
SWIFTBEAT = os.environ.get("BENCH_SWIFTBEAT", os.path.join(ROOT, ".build-bench", "release", "swiftbeat"))
PUBLISHBENCH = os.environ.get("BENCH_PUBLISHBENCH", os.path.join(ROOT, ".build-publishbench", "release", "PublishBench"))
TOOL = os.path.join(STATE, "benchtool")
BASELINE = os.path.join(STATE, "rabbitmq-publish-baseline")
CELERY_PROBE = os.path.join(STATE, "celery-headers-publish")
VENV = os.path.join(ROOT, ".venv-bench")
PY = os.path.join(VENV, "bin", "python")
CELERY = os.path.join(VENV, "bin", "celery")
RESULTS = os.path.join(STATE, "results.json")
MD = os.path.join(ROOT, "BENCHMARKS.md")
QUICK = os.environ.get("BENCH_QUICK") == "1"  # shorter windows, for trying the script itself
SUSTAINED_SECONDS = float(os.environ.get("BENCH_SUSTAINED_SECONDS", "30" if QUICK else "60"))
ANCHOR_SECONDS = float(os.environ.get("BENCH_ANCHOR_SECONDS", "20" if QUICK else "40"))
REDIS_URL_SCHEDULE = "redis://127.0.0.1:%d/1" % PORT
REDIS_URL_BROKER = "redis://127.0.0.1:%d/0" % PORT
AMQP_URL = "amqp://guest:guest@127.0.0.1:%d//" % AMQP_PORT
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Become a subreaper, so a beat started through `benchtool firstmsg` (whose parent exits) is
# reparented to this process and can be waited for.
try:
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
except Exception:
    pass


def log(*parts):
    print("bench:", *parts, file=sys.stderr, flush=True)


def run_dir():
    d = os.path.join(STATE, "last-run")
    os.makedirs(d, exist_ok=True)
    return d


# ---------------------------------------------------------------- processes and /proc


def cpu_ns(pid):
    """CPU time of every live thread of pid, in ns (schedstat), or None when pid is gone."""
    total = 0
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                    total += int(f.read().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass
    except FileNotFoundError:
        return None
    return total


def status(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0]) / 1024.0
                elif k in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                    out[k] = int(v)
    except FileNotFoundError:
        pass
    return out


def system_busy_ns():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    v = list(map(int, parts))
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]  # user nice system irq softirq steal
    return busy * 1e9 / CLK_TCK


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Meter:
    """CPU shares (cores) of named processes over a window, and of everything else on the machine."""

    def __init__(self, pids):
        self.pids = {k: v for k, v in pids.items() if v}
        self.start_cpu = {k: cpu_ns(p) for k, p in self.pids.items()}
        self.start_status = {k: status(p) for k, p in self.pids.items()}
        self.start_sys = system_busy_ns()
        self.start = time.time()

    def stop(self):
        wall = time.time() - self.start
        out = {"seconds": round(wall, 2)}
        ours = 0.0
        for k, p in self.pids.items():
            c = cpu_ns(p)
            if c is None or self.start_cpu[k] is None:
                continue
            d = c - self.start_cpu[k]
            ours += d
            out[k + "_cpu_s"] = round(d / 1e9, 4)
            out[k + "_cores"] = round(d / 1e9 / wall, 4)
            s = status(p)
            if "voluntary_ctxt_switches" in s and "voluntary_ctxt_switches" in self.start_status[k]:
                out[k + "_wakeups"] = s["voluntary_ctxt_switches"] - self.start_status[k]["voluntary_ctxt_switches"]
        foreign = (system_busy_ns() - self.start_sys - ours) / 1e9 / wall
        out["other_cores"] = round(max(0.0, foreign), 2)
        return out


def wait_pid(pid, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return True
        except ChildProcessError:
            if not os.path.exists("/proc/%d" % pid):
                return True
            try:
                with open("/proc/%d/stat" % pid) as f:
                    if f.read().split(")")[-1].split()[0] == "Z":
                        return True
            except FileNotFoundError:
                return True
        time.sleep(0.05)
    return False


def stop_pid(pid, timeout=60):
    """SIGTERM, then SIGKILL after timeout seconds; returns the seconds it took to exit."""
    start = time.time()
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return 0.0
    if not wait_pid(pid, timeout):
        log("pid %d did not stop within %ds; killing it" % (pid, timeout))
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        wait_pid(pid, 10)
    return time.time() - start


LIVE = set()  # pids this script started and must stop


def spawn(argv, logname, env=None, cwd=None):
    f = open(os.path.join(run_dir(), logname), "ab")
    p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    LIVE.add(p.pid)
    return p


def stop(pid, timeout=60):
    t = stop_pid(pid, timeout)
    LIVE.discard(pid)
    return t


# ---------------------------------------------------------------- redis


REDIS_PID = None


def redis_cli(*args, db=None):
    argv = ["redis-cli", "-p", str(PORT)] + (["-n", str(db)] if db is not None else []) + [str(a) for a in args]
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()


def redis_start():
    global REDIS_PID
    d = os.path.join(STATE, "redis")
    os.makedirs(d, exist_ok=True)
    if subprocess.run(["redis-cli", "-p", str(PORT), "ping"], capture_output=True).returncode == 0:
        sys.exit("bench: something already answers on 127.0.0.1:%d; stop it or set BENCH_REDIS_PORT" % PORT)
    pidfile = os.path.join(d, "redis.pid")
    subprocess.run(["redis-server", "--port", str(PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--daemonize", "yes", "--dir", d, "--pidfile", pidfile, "--logfile", os.path.join(d, "redis.log")],
                   check=True)
    for _ in range(200):
        if subprocess.run(["redis-cli", "-p", str(PORT), "ping"], capture_output=True).returncode == 0 and \
                os.path.exists(pidfile):
            break
        time.sleep(0.05)
    with open(pidfile) as f:
        REDIS_PID = int(f.read())
    log("redis-server %s on 127.0.0.1:%d (pid %d)" % (redis_cli("info", "server").split("redis_version:")[1].split()[0],
                                                        PORT, REDIS_PID))


def redis_stop():
    if REDIS_PID:
        stop_pid(REDIS_PID, 20)


def flush():
    redis_cli("flushall")


def load(fmt, count, first_due, spread=0.0, interval=10.0, start=0):
    """Writes entries with the loader (see load.py) through redis-cli --pipe."""
    loader = subprocess.Popen([sys.executable, os.path.join(HERE, "load.py"), fmt, str(count), "--first-due", repr(first_due),
                               "--spread", repr(spread), "--interval", repr(interval), "--start", str(start)],
                              stdout=subprocess.PIPE)
    out = subprocess.run(["redis-cli", "-p", str(PORT), "--pipe"], stdin=loader.stdout, capture_output=True, text=True)
    loader.stdout.close()
    if loader.wait() != 0 or "errors: 0" not in out.stdout:
        raise RuntimeError("loading failed: %s %s" % (out.stdout, out.stderr))


# ---------------------------------------------------------------- the beats


def swiftbeat_argv(broker=REDIS_URL_BROKER, *extra):
    return [SWIFTBEAT, "run", "--scheduler-url", REDIS_URL_SCHEDULE, "--broker-url", broker, "--log-level", "warning",
            *extra]


def python_env(mode=None, count=None, interval=None, broker=REDIS_URL_BROKER):
    env = dict(os.environ, BENCH_BROKER_URL=broker, BENCH_REDBEAT_URL=REDIS_URL_SCHEDULE, PYTHONPATH=HERE)
    env.pop("BENCH_MODE", None)
    if mode == "stock":
        env.update(BENCH_MODE="stock", BENCH_COUNT=str(count), BENCH_INTERVAL=repr(float(interval)))
    return env


def shelve_path():
    return os.path.join(run_dir(), "celerybeat-schedule")


def stock_prepare(count, interval, first_due, spread, e0_due=None):
    path = shelve_path()
    for suffix in ("", ".db", ".dat", ".dir", ".bak"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    args = [PY, os.path.join(HERE, "celery_shelve.py"), path, repr(first_due), repr(spread)]
    if e0_due is not None:
        args.append(repr(e0_due))
    subprocess.run(args, check=True, env=python_env("stock", count, interval), cwd=HERE)


def stock_argv():
    return [CELERY, "-A", "benchapp", "beat", "-s", shelve_path(), "-l", "warning", "--pidfile="]


def redbeat_argv():
    return [CELERY, "-A", "benchapp", "beat", "-S", "redbeat.RedBeatScheduler", "-l", "warning", "--pidfile="]


COMMANDS = {
    "swiftbeat": "swiftbeat run --scheduler-url redis://127.0.0.1:P/1 --broker-url redis://127.0.0.1:P/0 --log-level warning",
    "swiftbeat-redbeat": "swiftbeat run --store redbeat --scheduler-url redis://127.0.0.1:P/1 --broker-url redis://127.0.0.1:P/0 "
                         "--log-level warning",
    "stock": "celery -A benchapp beat -s FILE -l warning (Celery 5.7.0, PersistentScheduler)",
    "redbeat": "celery -A benchapp beat -S redbeat.RedBeatScheduler -l warning (celery-redbeat 2.4.2)",
}


# swiftbeat on RedBeat's keys (issue 16): the same binary, `run --store redbeat`.
REDBEAT_STORE = ("--store", "redbeat")


def start_beat(kind, count=None, interval=None, broker=REDIS_URL_BROKER, extra=(), logname=None):
    logname = logname or "%s.log" % kind
    if kind == "swiftbeat":
        return spawn(swiftbeat_argv(broker, *extra), logname)
    if kind == "swiftbeat-redbeat":
        return spawn(swiftbeat_argv(broker, *REDBEAT_STORE, *extra), logname)
    if kind == "stock":
        return spawn(stock_argv(), logname, env=python_env("stock", count, interval, broker), cwd=HERE)
    return spawn(redbeat_argv(), logname, env=python_env(broker=broker), cwd=HERE)


def firstmsg(kind, argv_env_cwd, list_name, timeout, logname):
    """Starts a beat through benchtool firstmsg: (seconds from exec to the first message in list_name, pid)."""
    argv, env, cwd = argv_env_cwd
    out = subprocess.run([TOOL, "firstmsg", str(PORT), "0", list_name, str(timeout), os.path.join(run_dir(), logname),
                          "--", *argv], capture_output=True, text=True, env=env, cwd=cwd, check=True).stdout.split()
    start, first, pid = int(out[0]), int(out[1]), int(out[2])
    LIVE.add(pid)
    return ((first - start) / 1e6 if first else None), pid


def beat_launch(kind, count=None, interval=None, extra=()):
    if kind == "swiftbeat":
        return swiftbeat_argv(REDIS_URL_BROKER, *extra), None, None
    if kind == "swiftbeat-redbeat":
        return swiftbeat_argv(REDIS_URL_BROKER, *REDBEAT_STORE, *extra), None, None
    if kind == "stock":
        return stock_argv(), python_env("stock", count, interval), HERE
    return redbeat_argv(), python_env(), HERE


def load_workload(kind, count, first_due, spread, interval):
    if kind == "swiftbeat":
        load("swiftbeat", count, first_due, spread, interval)
    elif kind in ("redbeat", "swiftbeat-redbeat"):
        load("redbeat", count, first_due, spread, interval)
    else:
        stock_prepare(count, interval, first_due, spread)


def wait_quiet(pid, started, quiet=0.5, timeout=300.0, busy_ns=1_000_000):
    """Seconds from `started` to the end of the process's last burst of CPU before `quiet` seconds of
    rest (sampled every 10 ms; busy = more than busy_ns of CPU in a sample): when a load is done, now
    that reloading goes a SCAN page per loop turn and a first firing no longer means everything is loaded."""
    last_busy = time.time()
    previous = cpu_ns(pid) or 0
    deadline = time.time() + timeout
    while time.time() < deadline:
        time.sleep(0.01)
        now, c = time.time(), cpu_ns(pid)
        if c is None:
            break
        if c - previous > busy_ns:
            last_busy = now
        previous = c
        if now - last_busy >= quiet:
            break
    return last_busy - started


def sleep_until(t):
    d = t - time.time()
    if d > 0:
        time.sleep(d)


# ---------------------------------------------------------------- results


ROWS = []
CURRENT_PART = [None]


def row(section, figure, target, swiftbeat, anchor, ratio, met, command, note=""):
    ROWS.append({"section": section, "part": CURRENT_PART[0], "figure": figure, "target": target, "swiftbeat": swiftbeat,
                 "anchor": anchor, "ratio": ratio, "met": met, "command": command, "note": note})


def fmt_ms(s):
    return "—" if s is None else ("%.0f ms" % (s * 1000) if s < 10 else "%.1f s" % s)


def fmt_rate(r):
    return "—" if r is None else "{:,.0f}/s".format(r)


def ratio(a, b, higher_is_better=True):
    if not a or not b:
        return "—"
    return "%.1f×" % (a / b if higher_is_better else b / a)


def save_raw(name, data):
    with open(os.path.join(run_dir(), name + ".json"), "w") as f:
        json.dump(data, f, indent=1)


# ---------------------------------------------------------------- scenarios


def sustained_one(kind, count, seconds, interval=10.0, extra=(), tag=""):
    """count entries every interval s, due instants spread evenly: drains, then analyzes."""
    flush()
    lead = {"swiftbeat": 3.0 + count / 100000 * 2, "swiftbeat-redbeat": 3.0 + count / 100000 * 2, "redbeat": 6.0,
            "stock": 6.0 + count / 100000 * 20}[kind]
    first_due = time.time() + lead
    load_workload(kind, count, first_due, interval, interval)
    drain_out = os.path.join(run_dir(), "drain-%s-%d%s.txt" % (kind, count, tag))
    drain = spawn([TOOL, "drain", str(PORT), "0", "celery", "1000000000", str(lead + seconds + 600), drain_out],
                  "drain.log")
    beat = start_beat(kind, count, interval, extra=extra)
    sleep_until(first_due)
    meter = Meter({"beat": beat.pid, "redis": REDIS_PID, "drain": drain.pid})
    peak = 0.0
    while time.time() < first_due + seconds:
        time.sleep(min(1.0, max(0.0, first_due + seconds - time.time())))
        peak = max(peak, status(beat.pid).get("VmRSS", 0))
    m = meter.stop()
    m["rss_mb"] = round(peak, 1)
    m["hwm_mb"] = round(status(beat.pid).get("VmHWM", 0), 1)
    sleep_until(first_due + seconds + 2)
    stopped_at = time.time()
    m["stop_s"] = round(stop(beat.pid, 120), 1)
    os.kill(drain.pid, signal.SIGTERM)
    drain.wait()
    LIVE.discard(drain.pid)
    verify = {"swiftbeat": "swiftbeat:%d" % PORT, "redbeat": "redbeat:%d" % PORT, "swiftbeat-redbeat": "redbeat:%d" % PORT,
              "stock": "shelve:" + shelve_path()}[kind]
    out = subprocess.run([PY, os.path.join(HERE, "analyze.py"), drain_out, "--count", str(count), "--interval",
                          repr(interval), "--first-due", repr(first_due), "--spread", repr(interval),
                          "--window-start", repr(first_due), "--window-end", repr(first_due + seconds),
                          "--stop", repr(stopped_at), "--verify", verify], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("analyze failed: " + out.stderr)
    a = json.loads(out.stdout)
    a.update(m)
    a["kind"], a["count"], a["seconds"] = kind, count, seconds
    os.remove(drain_out)
    save_raw("sustained-%s-%d%s" % (kind, count, tag), a)
    w = a["writeback"]
    log("sustained %s %d: %.0f firings/s, lag p50 %s p99 %s max %s ms, overdue at stop %d, write-back mismatches %d, "
        "beat %.2f cores, redis %.2f, other %.2f, RSS %.1f MB" % (
            kind, count, a["firings_per_s"], a["lag_ms"]["p50"], a["lag_ms"]["p99"], a["lag_ms"]["max"],
            a["overdue_at_stop"], w["mismatches"], a.get("beat_cores", 0), a.get("redis_cores", 0),
            a["other_cores"], a["rss_mb"]))
    return a


def lag_text(a):
    l = a["lag_ms"]
    if not l["n"]:
        return "no firing"
    text = "%s / %s / %s ms" % (l["p50"], l["p99"], l["max"])
    if a["overdue_at_stop"]:
        text += "; %d overdue at stop (up to %s s)" % (a["overdue_at_stop"], a["max_overdue_s"])
    return text


def growth_text(a):
    ws = [w for w in a["windows"] if w["n"]]
    if not ws:
        return "—"
    return "p99 " + " → ".join("%g" % w["p99"] for w in ws) + " ms"


def lag_growing(a):
    """Growing: something still overdue at the stop, or the last 10 s of schedule worse than every earlier
    one by half again plus 50 ms (a backlog builds up monotonically; periodic stalls do not)."""
    ws = [w["p99"] for w in a["windows"] if w["n"]]
    if a["overdue_at_stop"] or not ws:
        return True
    return len(ws) > 1 and ws[-1] > 1.5 * max(ws[:-1]) + 50


def sustained():
    section = "sustained"
    res = {}
    for kind, count, seconds in [("swiftbeat", 100000, SUSTAINED_SECONDS), ("redbeat", 100000, ANCHOR_SECONDS),
                                 ("stock", 100000, ANCHOR_SECONDS), ("swiftbeat", 10000, ANCHOR_SECONDS),
                                 ("redbeat", 10000, ANCHOR_SECONDS), ("stock", 10000, ANCHOR_SECONDS)]:
        log("sustained: %s, %d entries every 10 s, %.0f s" % (kind, count, seconds))
        res[(kind, count)] = sustained_one(kind, count, seconds)
    for count in (100000, 10000):
        s, r, c = res[("swiftbeat", count)], res[("redbeat", count)], res[("stock", count)]
        label = "{:,}".format(count)
        due = count / 10
        anchors = "RedBeat %s, celery beat %s" % (fmt_rate(r["firings_per_s"]), fmt_rate(c["firings_per_s"]))
        cmd = "scripts/bench sustained: %s entries every 10 s, due instants spread over 10 s; %s" % (label, COMMANDS["swiftbeat"])
        row(section, "Sustained %s entries/10 s: firings/s" % label,
            ("10,000/s" if count == 100000 else "1,000/s (all due)"),
            fmt_rate(s["firings_per_s"]), anchors, ratio(s["firings_per_s"], max(r["firings_per_s"], c["firings_per_s"])),
            "yes" if s["firings_per_s"] >= 0.98 * due and not s["overdue_at_stop"] else "no", cmd,
            "window %.0f s (anchors %.0f s); beat %.2f cores, redis-server %.2f, drain %.2f, other processes %.2f" % (
                s["seconds"], r["seconds"], s.get("beat_cores", 0), s.get("redis_cores", 0), s.get("drain_cores", 0),
                s["other_cores"]))
        row(section, "Sustained %s: lag scheduled → in list, p50 / p99 / max" % label,
            "p99 < 100 ms" if count == 100000 else "—", lag_text(s),
            "RedBeat %s; celery beat %s" % (lag_text(r), lag_text(c)), "—",
            ("yes" if s["lag_ms"]["p99"] is not None and s["lag_ms"]["p99"] < 100 and not s["overdue_at_stop"] else "no")
            if count == 100000 else "—", cmd,
            "decision lag (scheduled → firing instant) p99 %s ms" % s["decision_lag_ms"]["p99"])
        growing = lag_growing(s)
        row(section, "Sustained %s: lag per 10 s of schedule" % label, "not growing", growth_text(s),
            "RedBeat %s; celery beat %s" % (growth_text(r), growth_text(c)), "—", "no" if growing else "yes", cmd)
        wb = lambda a: "%d of %d entries match (%d messages)" % (a["writeback"]["checked"] - a["writeback"]["mismatches"],
                                                                  a["writeback"]["checked"], a["messages"])
        row(section, "Sustained %s: run state written back" % label, "every firing", wb(s),
            "RedBeat %s; celery beat %s" % (wb(r), wb(c)), "—", "yes" if s["writeback"]["mismatches"] == 0 else "no",
            cmd, "total_run_count = messages seen and last_run_at = the last message's firing instant, per entry")
        row(section, "Sustained %s: beat CPU (cores) / peak RSS" % label, "—",
            "%.2f / %.0f MB" % (s.get("beat_cores", 0), s["rss_mb"]),
            "RedBeat %.2f / %.0f MB; celery beat %.2f / %.0f MB" % (r.get("beat_cores", 0), r["rss_mb"],
                                                                     c.get("beat_cores", 0), c["rss_mb"]),
            "—", "—", cmd, "redis-server: %.2f cores under swiftbeat" % s.get("redis_cores", 0))
    s = res[("swiftbeat", 100000)]
    row("memory", "RSS with 100,000 entries while firing 10,000/s", "< 50 MB",
        "%.0f MB (VmHWM %.0f MB)" % (s["rss_mb"], s["hwm_mb"]),
        "RedBeat %.0f MB, celery beat %.0f MB (same run, falling behind)" % (res[("redbeat", 100000)]["rss_mb"],
                                                                            res[("stock", 100000)]["rss_mb"]),
        ratio(s["rss_mb"], min(res[("redbeat", 100000)]["rss_mb"], res[("stock", 100000)]["rss_mb"]), False),
        "yes" if s["hwm_mb"] < 50 else "no", "scripts/bench sustained (the 100,000 run above): peak VmRSS sampled each "
        "second, VmHWM at the end")
    # What the periodic full reload costs the lag: the same 100,000 without it.
    seconds = SUSTAINED_SECONDS / 2
    log("sustained: swiftbeat, 100000 entries every 10 s, %.0f s, --reload-interval 3600 (diagnostic)" % seconds)
    d = sustained_one("swiftbeat", 100000, seconds, extra=("--reload-interval", "3600"), tag="-no-reload")
    s = res[("swiftbeat", 100000)]
    row(section, "Diagnostic: sustained 100,000 without the periodic reload", "—",
        "%s; %s" % (lag_text(d), fmt_rate(d["firings_per_s"])), "with the 5 s reload (above): %s" % lag_text(s), "—", "—",
        "scripts/bench sustained: as above with --reload-interval 3600, %.0f s" % seconds,
        "p99 per 10 s: %s; beat %.2f cores, redis-server %.2f" % (growth_text(d), d.get("beat_cores", 0),
                                                                  d.get("redis_cores", 0)))


def waitlen(count, timeout):
    return subprocess.Popen([TOOL, "waitlen", str(PORT), "0", "celery", str(count), str(timeout)],
                            stdout=subprocess.PIPE, text=True)


def burst_swiftbeat(broker, extra=(), tag=""):
    flush()
    count = 100000
    if broker == "amqp":
        subprocess.run([os.path.join(ROOT, "scripts", "rabbitmq"), "ctl", "delete_queue", "celery"], capture_output=True)
    first_due = time.time() + 2.0 + 3.0
    load("swiftbeat", count, first_due, 0.0, 3600.0)
    started = time.time()
    pid = spawn(swiftbeat_argv(REDIS_URL_BROKER if broker == "redis" else AMQP_URL, *extra),
                "swiftbeat-burst-%s%s.log" % (broker, tag)).pid
    loaded = wait_quiet(pid, started, quiet=0.3, timeout=max(0.5, first_due - 0.5 - time.time()))
    if time.time() > first_due - 0.2:
        log("warning: the beat was not ready before the burst's due instant")
    sleep_until(first_due - 0.3)
    if broker == "redis":
        probe = waitlen(count, 60)
    else:
        probe = subprocess.Popen([TOOL, "amqpcount", "127.0.0.1", str(AMQP_PORT), "celery", str(count), "120"],
                                 stdout=subprocess.PIPE, text=True)
    redis_cli("config", "resetstat")
    sleep_until(first_due)
    meter = Meter({"beat": pid, "redis": REDIS_PID, "rabbitmq": rabbit_pid() if broker == "amqp" else None})
    first_us, last_us, seen = map(int, probe.communicate()[0].split())
    m = meter.stop()
    m["rss_mb"] = round(status(pid).get("VmHWM", 0), 1)
    m["redis_commands"] = commandstats()
    stop(pid)
    a = {"count": count, "reached": seen, "first_s": round(first_us / 1e6 - first_due, 4) if first_us else None,
         "all_s": round(last_us / 1e6 - first_due, 4) if last_us else None, "loaded_s": loaded}
    a.update(m)
    a["rate"] = count / a["all_s"] if a["all_s"] else None
    a["beat_us_per_firing"] = round(m.get("beat_cpu_s", 0) / max(seen, 1) * 1e6, 2)
    a["redis_us_per_firing"] = round(m.get("redis_cpu_s", 0) / max(seen, 1) * 1e6, 2)
    save_raw("burst-swiftbeat-%s%s" % (broker, tag), a)
    log("burst %s: first %s s, all %s s (%s), beat %.1f us/firing, redis %.1f us/firing" % (
        broker, a["first_s"], a["all_s"], fmt_rate(a["rate"]), a["beat_us_per_firing"], a["redis_us_per_firing"]))
    return a


def commandstats():
    """{command: (calls, usec)} since the last CONFIG RESETSTAT (commands run by scripts included)."""
    out = {}
    for line in redis_cli("info", "commandstats").splitlines():
        m = re.match(r"cmdstat_(\S+):calls=(\d+),usec=(\d+)", line)
        if m and m.group(1) not in ("info", "config", "llen", "ping"):
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return out


def commands_text(stats, firings):
    parts = sorted(stats.items(), key=lambda kv: -kv[1][1])
    return ", ".join("%s %.1f µs (%s calls)" % (k.upper(), v[1] / max(1, firings), "{:,}".format(v[0])) for k, v in parts)


def burst_python(kind, count, timeout):
    flush()
    first_due = time.time() + (6.0 if kind == "redbeat" else 8.0)
    load_workload(kind, count, first_due, 0.0, 3600.0)
    beat = start_beat(kind, count, 3600.0, logname="%s-burst.log" % kind)
    sleep_until(first_due - 0.3)
    probe = waitlen(count, timeout)
    sleep_until(first_due)
    meter = Meter({"beat": beat.pid, "redis": REDIS_PID})
    first_us, last_us, seen = map(int, probe.communicate()[0].split())
    m = meter.stop()
    end = last_us / 1e6 if last_us else time.time()
    stop(beat.pid)
    a = {"kind": kind, "count": count, "reached": seen, "first_s": round(first_us / 1e6 - first_due, 3) if first_us else None,
         "all_s": round(last_us / 1e6 - first_due, 3) if last_us else None, "timeout_s": timeout}
    a["rate"] = seen / (end - first_due) if seen else 0
    a.update(m)
    a["beat_us_per_firing"] = round(m.get("beat_cpu_s", 0) / max(seen, 1) * 1e6, 2)
    a["redis_us_per_firing"] = round(m.get("redis_cpu_s", 0) / max(seen, 1) * 1e6, 2)
    save_raw("burst-%s-%d" % (kind, count), a)
    log("burst %s %d: %d in %.1f s (%s)" % (kind, count, seen, end - first_due, fmt_rate(a["rate"])))
    return a


def message_size():
    flush()
    load("swiftbeat", 1, time.time() - 1, 0.0, 3600.0)
    loaded, pid = firstmsg("swiftbeat", beat_launch("swiftbeat"), "bench-none", 0.01, "swiftbeat-size.log")
    deadline = time.time() + 10
    while time.time() < deadline and redis_cli("llen", "celery", db=0) == "0":
        time.sleep(0.05)
    stop(pid)
    return int(redis_cli("eval", "return string.len(redis.call('lindex', KEYS[1], 0))", 1, "celery", db=0))


def redis_benchmark(size):
    flush()
    out = subprocess.run(["redis-benchmark", "-p", str(PORT), "-n", "200000", "-P", "64", "-c", "1", "-d", str(size),
                          "-t", "lpush", "-q"], capture_output=True, text=True).stdout
    m = re.findall(r"LPUSH: ([\d.]+) requests per second", out.replace("\r", "\n"))
    flush()
    return float(m[-1]) if m else None


def amqp_baseline():
    subprocess.run([os.path.join(ROOT, "scripts", "rabbitmq"), "ctl", "delete_queue", "swiftbeat-baseline"],
                   capture_output=True)
    out = subprocess.run([BASELINE, "127.0.0.1", str(AMQP_PORT), "100"], capture_output=True, text=True).stdout
    m = re.search(r"([\d.]+) messages/s", out)
    return float(m.group(1)) if m else None


def amqp_celery_probe():
    """The baseline's C loop sending swiftbeat's AMQP message (Celery's properties and headers), one batch
    in flight as `run` keeps it: what RabbitMQ itself takes of Celery's messages (a diagnostic)."""
    out = subprocess.run([CELERY_PROBE, "127.0.0.1", str(AMQP_PORT), "100", "celery", "2"],
                         capture_output=True, text=True).stdout
    m = re.search(r"([\d.]+) messages/s", out)
    return float(m.group(1)) if m else None


def rabbit_pid():
    path = os.environ.get("BENCH_RABBITMQ_PIDFILE")
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (TypeError, OSError, ValueError):
        return None


def burst():
    section = "burst"
    size = message_size()
    log("swiftbeat's message (kombu envelope) is %d bytes" % size)
    b_redis = burst_swiftbeat("redis")
    rb_same = redis_benchmark(size)
    rb_700 = redis_benchmark(700)
    log("redis-benchmark LPUSH -P 64 -c 1: %s at %d bytes, %s at 700 bytes" % (fmt_rate(rb_same), size, fmt_rate(rb_700)))
    b_amqp = burst_swiftbeat("amqp")
    base = amqp_baseline()
    log("librabbitmq baseline: %s confirmed" % fmt_rate(base))
    redbeat = burst_python("redbeat", 10000, 60 if QUICK else 90)
    stock = burst_python("stock", 10000, 30 if QUICK else 60)
    py_anchor = "RedBeat, 10,000 due: %s in %s (%s); celery beat, 10,000 due: %s in %s (%s)" % (
        "{:,}".format(redbeat["reached"]), fmt_ms(redbeat["all_s"] or redbeat["seconds"]), fmt_rate(redbeat["rate"]),
        "{:,}".format(stock["reached"]), fmt_ms(stock["all_s"] or stock["seconds"]), fmt_rate(stock["rate"]))
    cmd = "scripts/bench burst: 100,000 entries due at one instant T; time from T until LLEN celery = 100,000 (polled every 1 ms)"
    row(section, "Burst 100,000 due at once → all in the Redis list", "< 1 s", fmt_ms(b_redis["all_s"]),
        "LPUSH floor (redis-benchmark rate): %s; %s" % (fmt_ms(100000 / rb_same if rb_same else None), py_anchor),
        ratio(b_redis["rate"], max(redbeat["rate"], stock["rate"])),
        "yes" if b_redis["all_s"] and b_redis["all_s"] < 1 else "no", cmd,
        "first message after %s; beat %.1f µs CPU per firing, redis-server %.1f µs; redis command time per "
        "firing: %s; other processes %.2f cores" % (
            fmt_ms(b_redis["first_s"]), b_redis["beat_us_per_firing"], b_redis["redis_us_per_firing"],
            commands_text(b_redis["redis_commands"], b_redis["reached"]), b_redis["other_cores"]))
    cmd_amqp = ("scripts/bench burst: the same with --broker-url amqp://…:%d//; time until the queue holds 100,000 "
                "(passive queue.declare every 2 ms; RabbitMQ counts a message once it is routed and confirmed)") % AMQP_PORT
    row(section, "Burst 100,000 due at once → all confirmed by RabbitMQ", "< 10 s", fmt_ms(b_amqp["all_s"]),
        "librabbitmq loop: %s for 100,000" % fmt_ms(100000 / base if base else None), ratio(b_amqp["rate"], base),
        "yes" if b_amqp["all_s"] and b_amqp["all_s"] < 10 else "no", cmd_amqp,
        "beat %.1f µs CPU per firing, rabbitmq %.2f cores, redis-server %.1f µs per firing" % (
            b_amqp["beat_us_per_firing"], b_amqp.get("rabbitmq_cores", 0), b_amqp["redis_us_per_firing"]))
    row(section, "Firing rate in the Redis burst vs LPUSH", "—",
        fmt_rate(b_redis["rate"]), "redis-benchmark -n 200000 -P 64 -c 1 -d %d -t lpush: %s (-d 700: %s)" % (
            size, fmt_rate(rb_same), fmt_rate(rb_700)),
        "%.0f%%" % (100 * b_redis["rate"] / rb_same) if b_redis["rate"] and rb_same else "—",
        "—",
        "the 100,000 burst above: firings / (last in list − due instant); each firing is also a WATCH and an "
        "MGET of its entry and a SET of it", "message %d bytes" % size)
    row(section, "Firing rate in the AMQP burst vs librabbitmq", "—",
        fmt_rate(b_amqp["rate"]), "scripts/lib/rabbitmq-publish-baseline.c (700-byte bodies, confirms per 1,000): %s" %
        fmt_rate(base), "%.0f%%" % (100 * b_amqp["rate"] / base) if b_amqp["rate"] and base else "—",
        "—", "the AMQP burst above; swiftbeat also commits each firing's run state to Redis first",
        "Celery's AMQP message: ~100-byte body + headers table")


def publish_bench(url, count):
    """Benchmarks/PublishBench: Broker.publish in batches of 1,000; (rate, body bytes, CPU µs per message)."""
    before = os.times()
    meter = Meter({"redis": REDIS_PID, "rabbitmq": rabbit_pid() if url.startswith("amqp") else None})
    out = subprocess.run([PUBLISHBENCH, url, str(count)], capture_output=True, text=True)
    m = meter.stop()
    after = os.times()
    fields = out.stdout.split()
    if out.returncode != 0 or len(fields) < 4:
        raise RuntimeError("PublishBench failed: %s %s" % (out.stdout, out.stderr))
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"count": int(fields[0]), "seconds": float(fields[1]), "rate": float(fields[2]), "body_bytes": int(fields[3]),
            "publisher_us_per_message": round(cpu / (count * 1.001) * 1e6, 2),
            "redis_us_per_message": round(m.get("redis_cpu_s", 0) / count * 1e6, 2),
            "rabbitmq_cores": m.get("rabbitmq_cores")}


def publish():
    """Raw publishing: swiftbeat's Broker.publish (the path `run` uses for RabbitMQ, and for a Redis broker
    that is not the schedule's server) beside redis-benchmark and the librabbitmq loop, same run."""
    section = "publish"
    # Each side twice, interleaved, best of two; a first redis-benchmark run warms redis-server up (its
    # first 200 MB of lists cost page faults that later runs, after FLUSHALL, do not pay).
    flush()
    publish_bench(REDIS_URL_BROKER, 20000)
    size = int(redis_cli("eval", "return string.len(redis.call('lindex', KEYS[1], 0))", 1, "celery", db=0))
    redis_benchmark(size)
    runs, rb_runs = [], []
    for _ in range(2):
        flush()
        runs.append(publish_bench(REDIS_URL_BROKER, 200000))
        rb_runs.append(redis_benchmark(size) or 0)
    redis_pub = max(runs, key=lambda r: r["rate"])
    rb_same = max(rb_runs)
    rb_700 = redis_benchmark(700)
    amqp_runs, base_runs, probe_runs = [], [], []
    for _ in range(2):
        subprocess.run([os.path.join(ROOT, "scripts", "rabbitmq"), "ctl", "delete_queue", "celery"], capture_output=True)
        amqp_runs.append(publish_bench(AMQP_URL, 100000))
        base_runs.append(amqp_baseline() or 0)
        probe_runs.append(amqp_celery_probe() or 0)
    subprocess.run([os.path.join(ROOT, "scripts", "rabbitmq"), "ctl", "delete_queue", "celery"], capture_output=True)
    amqp_pub = max(amqp_runs, key=lambda r: r["rate"])
    base = max(base_runs)
    probe = max(probe_runs)
    save_raw("publish", {"redis": runs, "amqp": amqp_runs, "redis_benchmark": {str(size): rb_runs, "700": rb_700},
                         "librabbitmq": base_runs, "librabbitmq_celery_message": probe_runs, "message_bytes": size})
    log("publish: Broker.publish redis %s (%d-byte messages), redis-benchmark %s; amqp %s, librabbitmq %s" % (
        fmt_rate(redis_pub["rate"]), size, fmt_rate(rb_same), fmt_rate(amqp_pub["rate"]), fmt_rate(base)))
    row(section, "Raw publishing, Redis: Broker.publish vs pipelined LPUSH", "≥ 50% of redis-benchmark",
        fmt_rate(redis_pub["rate"]), "redis-benchmark -n 200000 -P 64 -c 1 -d %d -t lpush: %s (-d 700: %s)" % (
            size, fmt_rate(rb_same), fmt_rate(rb_700)),
        "%.0f%%" % (100 * redis_pub["rate"] / rb_same) if rb_same else "—",
        "yes" if rb_same and redis_pub["rate"] >= 0.5 * rb_same else "no",
        "scripts/bench publish: Benchmarks/PublishBench redis://…/0 200000 — builds beat-like messages (%d bytes "
        "on the list) and hands them to RedisBroker per 1,000 as run does (LPUSHes written in chunks of 128, "
        "the next chunk encoded while Redis pushes, replies read after); best of 2 runs "
        "interleaved with redis-benchmark's" % size,
        "runs: %s vs %s; publisher %.1f µs CPU per message, redis-server %.1f µs" % (
            " / ".join(fmt_rate(r["rate"]) for r in runs), " / ".join(fmt_rate(r) for r in rb_runs),
            redis_pub["publisher_us_per_message"], redis_pub["redis_us_per_message"]))
    row(section, "Raw publishing, AMQP: Broker.publish vs librabbitmq, confirmed", "≥ 70% of the C loop",
        fmt_rate(amqp_pub["rate"]), "scripts/lib/rabbitmq-publish-baseline.c (700-byte persistent bodies, confirms "
        "per 1,000): %s" % fmt_rate(base), "%.0f%%" % (100 * amqp_pub["rate"] / base) if base else "—",
        "yes" if base and amqp_pub["rate"] >= 0.7 * base else "no",
        "scripts/bench publish: Benchmarks/PublishBench amqp://…:%d// 100000 — AMQPBroker per 1,000 as run "
        "does: a batch is written, then the previous batch's confirms are read; best of 2 runs interleaved with "
        "the C loop's" % AMQP_PORT,
        "runs: %s vs %s; body %d bytes + headers table; publisher %.1f µs CPU per message, rabbitmq %.2f cores" % (
            " / ".join(fmt_rate(r["rate"]) for r in amqp_runs), " / ".join(fmt_rate(r) for r in base_runs),
            amqp_pub["body_bytes"], amqp_pub["publisher_us_per_message"], amqp_pub.get("rabbitmq_cores") or 0))
    row(section, "Diagnostic: the C loop sending swiftbeat's AMQP message", "—", fmt_rate(amqp_pub["rate"]),
        "Benchmarks/RabbitMQProbe/celery-headers-publish.c HOST PORT 100 celery 2 (Celery's properties and 21 "
        "headers, one batch in flight): %s" % fmt_rate(probe),
        "%.0f%%" % (100 * amqp_pub["rate"] / probe) if probe else "—", "—",
        "the same librabbitmq loop as the baseline with the message swiftbeat sends: what RabbitMQ takes of "
        "Celery's messages, so the share of the raw-publishing gap that is the broker's, not the publisher's",
        "runs: %s" % " / ".join(fmt_rate(r) for r in probe_runs))


# (label, message kind, queue kind, connections, channels per connection, delivery mode): what
# RabbitMQ offers against its queue process's bound (issue 19), each with 100,000 messages, window 2.
RABBITMQ_BOUND_VARIANTS = [
    ("1 channel → 1 classic queue (today's path)", "celery", "classic", 1, 1, 2),
    ("2 channels, 1 connection → 2 classic queues", "celery", "classic", 1, 2, 2),
    ("4 channels, 1 connection → 4 classic queues", "celery", "classic", 1, 4, 2),
    ("2 connections → 2 classic queues", "celery", "classic", 2, 1, 2),
    ("4 connections → 4 classic queues", "celery", "classic", 4, 1, 2),
    ("1 quorum queue", "celery", "quorum", 1, 1, 2),
    ("1 lazy classic queue (x-queue-mode: lazy)", "celery", "lazy", 1, 1, 2),
    ("minimal message (delivery mode only, 2-byte body)", "minimal", "classic", 1, 1, 2),
    ("the baseline's message (700-byte body, no headers)", "plain", "classic", 1, 1, 2),
    ("transient (delivery mode 1)", "celery", "classic", 1, 1, 1),
    ("transient, 4 connections → 4 classic queues", "celery", "classic", 4, 1, 1),
]


def rabbitmq_bound_one(kind, queue, connections, channels, mode, batches=100):
    """One run of the C probe: seconds until all batches × 1,000 are confirmed, RabbitMQ's and the probe's CPU
    (the probe's processes are children of this one; *other* is the machine's CPU minus both)."""
    before = os.times()
    meter = Meter({"rabbitmq": rabbit_pid()})
    load_at_start = loadavg()
    out = subprocess.run([CELERY_PROBE, "127.0.0.1", str(AMQP_PORT), str(batches), kind, "2", queue, str(connections),
                          str(channels), str(mode)], capture_output=True, text=True, timeout=600)
    m = meter.stop()
    after = os.times()
    found = re.search(r"in ([\d.]+) s: ([\d.]+) messages/s", out.stdout)
    if out.returncode != 0 or not found:
        raise RuntimeError("celery-headers-publish failed: %s %s" % (out.stdout, out.stderr.strip()))
    probe_cores = ((after.children_user - before.children_user) +
                   (after.children_system - before.children_system)) / m["seconds"]
    return {"seconds": float(found.group(1)), "rate": float(found.group(2)), "rabbitmq_cores": m.get("rabbitmq_cores"),
            "rabbitmq_us_per_message": round(m.get("rabbitmq_cpu_s", 0) / (batches * 1000) * 1e6, 1),
            "probe_cores": round(probe_cores, 2), "other_cores": round(max(0.0, m["other_cores"] - probe_cores), 2),
            "loadavg": load_at_start}


def rabbitmq_version():
    out = subprocess.run([os.path.join(ROOT, "scripts", "rabbitmq"), "ctl", "version"], capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1] if out.returncode == 0 and out.stdout.strip() else "?"


def rabbitmq_bound():
    """Issue 19: what moves RabbitMQ's bound on the 100,000 burst. The C probe publishes swiftbeat's AMQP
    message (Celery's properties and headers) with confirms, one batch in flight as `run` does, in each
    variant; three rounds, interleaved, so every variant sees the same machine; the median counts."""
    version = rabbitmq_version()
    log("rabbitmq-bound: RabbitMQ %s" % version)
    rabbitmq_bound_one("celery", "classic", 1, 1, 2, batches=20)  # warms the node up, not reported
    runs = {label: [] for label, *_ in RABBITMQ_BOUND_VARIANTS}
    rounds = 1 if QUICK else 3
    for round_ in range(rounds):
        for label, kind, queue, connections, channels, mode in RABBITMQ_BOUND_VARIANTS:
            r = rabbitmq_bound_one(kind, queue, connections, channels, mode)
            runs[label].append(r)
            log("rabbitmq-bound round %d: %s: %.2f s, %s, rabbitmq %.2f cores, load %s" % (
                round_ + 1, label, r["seconds"], fmt_rate(r["rate"]), r["rabbitmq_cores"] or 0, r["loadavg"]))
    bursts = rabbitmq_bound_bursts()
    save_raw("rabbitmq-bound", {"rabbitmq": version, "runs": runs, "swiftbeat_bursts": bursts})
    anchor = statistics.median(r["seconds"] for r in runs[RABBITMQ_BOUND_VARIANTS[0][0]])
    lines = ["<!-- Generated by scripts/bench rabbitmq-bound from .state/bench/results.json; edit outside these "
             "markers. -->", "",
             "Measured %s on RabbitMQ %s (the bench's private node), load average %s at the start. Each variant: "
             "`Benchmarks/RabbitMQProbe/celery-headers-publish.c HOST PORT 100 KIND 2 QUEUE CONNECTIONS CHANNELS "
             "MODE`, 100,000 messages with confirms, one batch of 1,000 in flight per channel as `run` keeps it; "
             "%d round(s) interleaved after a warm-up, every run shown (fastest first); the ratio and *< 8 s* use "
             "the median. *RabbitMQ* is its beam process's CPU over the run (cores, and µs per message); *probe* the "
             "publishers'; *other* what the rest of the machine used meanwhile (2 cores in all)." % (
                 datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), version,
                 runs[RABBITMQ_BOUND_VARIANTS[0][0]][0]["loadavg"], rounds), "",
             "| variant | all 100,000 confirmed | messages/s | vs today's path | RabbitMQ cores (µs/message) | "
             "probe cores | other cores | < 8 s |", "|---|---|---|---|---|---|---|---|"]
    for label, *_ in RABBITMQ_BOUND_VARIANTS:
        rs = sorted(runs[label], key=lambda r: r["seconds"])
        median = statistics.median(r["seconds"] for r in rs)
        lines.append("| %s | %s | %s | %.2f× | %s | %s | %s | %s |" % (
            label, " / ".join("%.2f s" % r["seconds"] for r in rs), " / ".join(fmt_rate(r["rate"]) for r in rs),
            anchor / median, " / ".join("%.2f (%.0f)" % (r["rabbitmq_cores"] or 0, r["rabbitmq_us_per_message"])
                                                 for r in rs),
            " / ".join("%.2f" % r["probe_cores"] for r in rs), " / ".join("%.2f" % r["other_cores"] for r in rs),
            "yes" if median < 8 else "no"))
    lines += ["", "swiftbeat's own AMQP burst (`scripts/bench burst`'s scenario: 100,000 entries due at one instant, "
              "time until the queue `celery` holds 100,000), unchanged, to the queue kinds an operator or the "
              "Celery configuration can choose; interleaved, every run shown (fastest first):", "",
              "| queue `celery` | all 100,000 confirmed | firings/s | vs classic | beat µs CPU per firing | "
              "RabbitMQ cores | redis-server µs per firing | other cores | < 8 s |",
              "|---|---|---|---|---|---|---|---|---|"]
    classic = statistics.median(a["all_s"] or 1e9 for a in bursts[RABBITMQ_BOUND_BURSTS[0][0]])
    for label, *_ in RABBITMQ_BOUND_BURSTS:
        rs = sorted(bursts[label], key=lambda a: a["all_s"] or 1e9)
        median = statistics.median(a["all_s"] or 1e9 for a in rs)
        lines.append("| %s | %s | %s | %.2f× | %s | %s | %s | %s | %s |" % (
            label + " (RabbitMQ: %s)" % rs[0].get("queue", "?"),
            " / ".join("%.2f s" % a["all_s"] if a["all_s"] else "—" for a in rs),
            " / ".join(fmt_rate(a["rate"]) for a in rs),
            classic / median, " / ".join("%.1f" % a["beat_us_per_firing"] for a in rs),
            " / ".join("%.2f" % (a.get("rabbitmq_cores") or 0) for a in rs),
            " / ".join("%.1f" % a["redis_us_per_firing"] for a in rs), " / ".join("%.2f" % a["other_cores"] for a in rs),
            "yes" if median < 8 else "no"))
    lines.append("")
    BLOCKS_MD["rabbitmq-bound"] = lines


# (label, policy pattern for a lazy queue-mode, Celery settings): swiftbeat's burst to the queue kinds
# that need no change to swiftbeat: an operator's policy, or Celery's own task_default_queue_type.
RABBITMQ_BOUND_BURSTS = [
    ("classic (today)", None, None),
    ("lazy, by policy: `rabbitmqctl set_policy lazy '^celery$' '{\"queue-mode\":\"lazy\"}' --apply-to queues`",
     "^celery$", None),
    ("quorum, by the configuration: `task_default_queue_type: quorum` (`--config`)", None,
     {"task_default_queue_type": "quorum"}),
]


def rabbitmq_bound_bursts():
    """swiftbeat's burst (burst_swiftbeat's scenario) to a classic, a lazy and a quorum queue, two rounds."""
    ctl = [os.path.join(ROOT, "scripts", "rabbitmq"), "ctl"]
    bursts = {label: [] for label, *_ in RABBITMQ_BOUND_BURSTS}
    for round_ in range(1 if QUICK else 2):
        for index, (label, policy, settings) in enumerate(RABBITMQ_BOUND_BURSTS):
            extra = ()
            if settings:
                path = os.path.join(run_dir(), "rabbitmq-bound-%d.json" % index)
                with open(path, "w") as f:
                    json.dump(settings, f)
                extra = ("--config", path)
            if policy:
                subprocess.run(ctl + ["set_policy", "swiftbeat-bench-lazy", policy, '{"queue-mode":"lazy"}',
                                      "--apply-to", "queues"], check=True, capture_output=True)
            try:
                a = burst_swiftbeat("amqp", extra, tag="-bound-%d" % index)
            finally:
                # What RabbitMQ made of the queue, so the row is known to be the kind it names.
                seen = subprocess.run(ctl + ["list_queues", "name", "type", "policy", "arguments"],
                                      capture_output=True, text=True).stdout
                a["queue"] = " ".join(next((l.split("\t")[1:] for l in seen.splitlines() if l.startswith("celery\t")),
                                           ["?"]))
                if policy:
                    subprocess.run(ctl + ["clear_policy", "swiftbeat-bench-lazy"], capture_output=True)
            log("rabbitmq-bound: swiftbeat's burst, queue celery as RabbitMQ saw it: %s" % a["queue"])
            bursts[label].append(a)
    subprocess.run(ctl + ["delete_queue", "celery"], capture_output=True)
    return bursts


def idle_one(count, extra, seconds):
    flush()
    load("swiftbeat", count, time.time() + 86400, 0.0, 86400.0)
    started = time.time()
    pid = spawn(swiftbeat_argv(REDIS_URL_BROKER, *extra), "swiftbeat-idle-%d.log" % count).pid
    loaded = wait_quiet(pid, started, quiet=1.0, timeout=600)
    time.sleep(1)
    meter = Meter({"beat": pid, "redis": REDIS_PID})
    time.sleep(seconds)
    m = meter.stop()
    m["rss_mb"] = round(status(pid).get("VmRSS", 0), 1)
    m["hwm_mb"] = round(status(pid).get("VmHWM", 0), 1)
    stop(pid)
    m["loaded_s"] = loaded
    m["count"] = count
    m["us_per_wakeup"] = round(m.get("beat_cpu_s", 0) / max(1, m.get("beat_wakeups", 1)) * 1e6, 1)
    with open(os.path.join(run_dir(), "swiftbeat-idle-%d.log" % count), errors="replace") as f:
        m["lock_lost"] = f.read().count("became a standby")
    save_raw("idle-%d" % count, m)
    log("idle %d: loaded in %s s, %.4f cores over %.0f s, %d wakeups, %.1f us/wakeup, RSS %.0f MB, lock lost %d×" % (
        count, loaded, m.get("beat_cores", 0), m["seconds"], m.get("beat_wakeups", 0), m["us_per_wakeup"],
        m["rss_mb"], m["lock_lost"]))
    return m


def idle():
    section = "idle"
    extra = ("--reload-interval", "3600", "--max-interval", "0.05", "--lock-ttl", "300")
    seconds = 10 if QUICK else 20
    idle_default()
    big = idle_one(1000000, extra, seconds)
    small = idle_one(1000, extra, seconds)
    cmd = ("scripts/bench idle: N entries every 24 h, none due; %s --reload-interval 3600 --max-interval 0.05 "
           "--lock-ttl 300; CPU over %d s after loading" % (COMMANDS["swiftbeat"], seconds))
    row(section, "Idle: 1,000,000 not-due entries, CPU between reloads", "< 1% of a core",
        "%.2f%% at 20 wakeups/s" % (100 * big.get("beat_cores", 0)), "—", "—",
        "yes" if big.get("beat_cores", 1) < 0.01 else "no", cmd,
        "at the default --max-interval 5 s that is ≈ %.3f%% (%.1f µs per wakeup × 0.2/s); redis-server %.2f%%" % (
            100 * big["us_per_wakeup"] * 0.2 / 1e6, big["us_per_wakeup"], 100 * big.get("redis_cores", 0)))
    row(section, "Idle: CPU per wakeup, 1,000 vs 1,000,000 not-due entries", "independent of N",
        "%.1f µs vs %.1f µs" % (small["us_per_wakeup"], big["us_per_wakeup"]), "—",
        "%.2f×" % (big["us_per_wakeup"] / small["us_per_wakeup"]) if small["us_per_wakeup"] else "—",
        "yes" if small["us_per_wakeup"] and big["us_per_wakeup"] < 2 * small["us_per_wakeup"] + 20 else "no", cmd,
        "wakeups = voluntary context switches of the beat (%d and %d)" % (small.get("beat_wakeups", 0),
                                                                         big.get("beat_wakeups", 0)))
    row(section, "Load 1,000,000 entries (start → all loaded)", "—", fmt_ms(big["loaded_s"]), "—", "—", "—", cmd,
        "RSS after loading %.0f MB (peak %.0f MB); lock lost during the load %d× (with --lock-ttl 300)" % (
            big["rss_mb"], big["hwm_mb"], big["lock_lost"]))


# ---------------------------------------------------------------- issue 19: idle at 100,000, cold start, a million


def wait_loaded(pid, logname, started, timeout=300.0):
    """Seconds from `started` to the beat's 'all entries loaded' line (the beat logs at info)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        loaded = logged_load_seconds(os.path.join(run_dir(), logname), started)
        if loaded is not None:
            return loaded
        if cpu_ns(pid) is None:
            raise RuntimeError("the beat exited before loading; see %s" % logname)
        time.sleep(0.05)
    raise RuntimeError("the beat did not load within %.0f s; see %s" % (timeout, logname))


def raw_edit_latency(index):
    """A raw `SET tasks:meta:e<index>` (as redis-cli does, no notification of swiftbeat's own) that
    makes the entry due at once on the queue bench-edit: seconds from the SET to its message."""
    sys.path.insert(0, HERE)
    import load as loader
    value = loader.swiftbeat_entry("e%d" % index, index, 86400, time.time() - 86400 - 60, queue="bench-edit")
    probe = subprocess.Popen([TOOL, "brpop", str(PORT), "0", "bench-edit", "60"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.2)
    edited = time.time()
    redis_cli("set", "tasks:meta:e%d" % index, value, db=1)
    came = int(probe.communicate()[0].split()[0])
    return came / 1e6 - edited if came else None


def idle_default_one(count, events, seconds, edits):
    """count not-due entries, swiftbeat with default flags, the server's notify-keyspace-events set to
    `events`: CPU over `seconds` after loading, then `edits` raw edits at random phases of the reload."""
    import random
    redis_cli("config", "set", "notify-keyspace-events", events)
    logname = "swiftbeat-idle-default-%s.log" % (events or "off")
    started = time.time()
    pid = spawn(swiftbeat_argv(REDIS_URL_BROKER, "--log-level", "info"), logname).pid
    loaded = wait_loaded(pid, logname, started)
    # Taking the lock re-reads everything once more (the leader starts from what Redis holds).
    time.sleep(3)
    meter = Meter({"beat": pid, "redis": REDIS_PID})
    time.sleep(seconds)
    m = meter.stop()
    m["rss_mb"] = round(status(pid).get("VmRSS", 0), 1)
    latencies = []
    for k in range(edits):
        time.sleep(random.uniform(0, 5))
        latencies.append(raw_edit_latency(k))
    stop(pid)
    m.update(count=count, events=events, loaded_s=loaded, edit_s=latencies)
    save_raw("idle-default-%d-%s" % (count, events or "off"), m)
    log("idle default flags, %d entries, notify-keyspace-events %r: %.4f cores over %.0f s (redis %.4f), "
        "raw edits took effect after %s s" % (count, events, m.get("beat_cores", 0), m["seconds"],
                                              m.get("redis_cores", 0), ", ".join("%.3f" % x if x else "never" for x in latencies)))
    return m


def edits_text(m):
    done = sorted(x for x in m["edit_s"] if x is not None)
    missed = len(m["edit_s"]) - len(done)
    if not done:
        return "none of %d took effect" % len(m["edit_s"])
    text = "median %s, max %s (%d edits)" % (fmt_ms(statistics.median(done)), fmt_ms(done[-1]), len(done))
    return text + ("; %d never" % missed if missed else "")


def idle_default():
    """Issue 19: 100,000 not-due entries, default flags; notifications on (KA), then off (the fallback)."""
    section = "idle"
    count = 100000
    seconds = 15 if QUICK else 60
    edits = 3 if QUICK else 5
    flush()
    load("swiftbeat", count, time.time() + 86400, 0.0, 86400.0)
    on = idle_default_one(count, "KA", seconds, edits)
    flush()
    load("swiftbeat", count, time.time() + 86400, 0.0, 86400.0)
    off = idle_default_one(count, "", seconds, edits)
    redis_cli("config", "set", "notify-keyspace-events", "")
    redbeat = reload_python("redbeat", count)
    cmd = ("scripts/bench idle: 100,000 entries every 24 h, none due; %s --log-level info (default --reload-interval 5 "
           "--max-interval 5); CPU over %d s from 3 s after 'all entries loaded'; then %d raw `redis-cli SET`s, each "
           "at a random phase of the reload interval, making an entry due at once on its own queue: SET → message" % (
               COMMANDS["swiftbeat"], seconds, edits))
    anchor = "RedBeat idle with 100,000 entries (1 due): %.2f%%" % (100 * redbeat.get("beat_cores", 0))
    row(section, "Idle: 100,000 not-due entries, default flags, server notify-keyspace-events KA", "< 0.3% of a core",
        "%.4f%% (%.1f ms of CPU in %.0f s)" % (100 * on.get("beat_cpu_s", 0) / on["seconds"], 1000 * on.get("beat_cpu_s", 0),
                                               on["seconds"]), anchor, "—",
        "yes" if on.get("beat_cpu_s", 1) / on["seconds"] < 0.003 else "no", cmd,
        "redis-server %.3f%%; the beat reads CONFIG GET notify-keyspace-events every 5 s and re-reads every entry "
        "every 5 min (not inside this window)" % (100 * on.get("redis_cores", 0)))
    row(section, "Raw edit → firing, notifications on (KA)", "within --reload-interval (5 s)", edits_text(on), "—", "—",
        "yes" if all(x is not None and x < 5 for x in on["edit_s"]) else "no", cmd, "the keyspace event names the key; only it is read")
    row(section, "Idle: 100,000 not-due entries, default flags, notifications off (Redis's default)", "—",
        "%.2f%%" % (100 * off.get("beat_cores", 0)), anchor, "—", "—", cmd,
        "the fallback: every entry re-read every --reload-interval (SCAN + MGET, fingerprints compared, nothing "
        "parsed); redis-server %.2f%%" % (100 * off.get("redis_cores", 0)))
    row(section, "Raw edit → firing, notifications off", "within --reload-interval (5 s)", edits_text(off), "—", "—",
        "yes" if all(x is not None and x < 5 for x in off["edit_s"]) else "no", cmd,
        "found by the next full re-read, which itself takes a fraction of a second at 100,000")


def coldstart_one(count, timeout, kind="swiftbeat", sampled_to=None):
    """exec → `count` due entries all in the broker's list; then, 1 s later, the list's length (more
    than count: an entry fired twice; every entry is due once an hour). `sampled_to`: a perf data
    file to sample the beat's stacks into (`perf record -e cpu-clock`), and the CPU the beat and
    redis-server used until the last entry was in the list, for `profile-million`."""
    flush()
    load_workload(kind, count, time.time() - 60, 0.0, 3600.0)
    probe = waitlen(count, timeout)
    time.sleep(0.2)
    started = time.time()
    if kind == "swiftbeat":
        pid = spawn(swiftbeat_argv(), "swiftbeat-coldstart-%d.log" % count).pid
    else:
        pid = start_beat(kind, count, 3600.0, logname="%s-coldstart.log" % kind).pid
    sampler = meter = None
    if sampled_to:
        meter = Meter({"beat": pid, "redis": REDIS_PID})
        sampler = spawn(["perf", "record", "-e", "cpu-clock", "-F", "499", "-g", "-o", sampled_to, "-p", str(pid)],
                        "perf-coldstart-%d.log" % count)
    first_us, last_us, seen = map(int, probe.communicate()[0].split())
    cpu = meter.stop() if meter else {}
    if sampler:
        sampler.send_signal(signal.SIGINT)
        sampler.wait(60)
        LIVE.discard(sampler.pid)
    hwm = status(pid).get("VmHWM", 0)
    time.sleep(1.0)
    in_list = int(redis_cli("llen", "celery", db=0))
    stop(pid, 120)
    a = {"kind": kind, "count": count, "reached": seen, "in_list_1s_later": in_list, "hwm_mb": round(hwm, 1),
         "first_s": round(first_us / 1e6 - started, 3) if first_us else None,
         "all_s": round(last_us / 1e6 - started, 3) if last_us else None, "timeout_s": timeout, "cpu": cpu}
    log("coldstart %s %d: first %s s, all %s s, %d in the list 1 s later, peak RSS %.0f MB" % (
        kind, count, a["first_s"], a["all_s"], in_list, a["hwm_mb"]))
    return a


def coldstart():
    section = "coldstart"
    runs = [coldstart_one(100000, 60) for _ in range(2 if QUICK else 5)]
    times = [r["all_s"] for r in runs if r["all_s"]]
    median = statistics.median(times) if len(times) == len(runs) else None
    big = coldstart_one(1000000, 300)
    redbeat = coldstart_one(100000, 60 if QUICK else 180, kind="redbeat")
    save_raw("coldstart", {"runs": runs, "million": big, "redbeat": redbeat})
    twice = sum(max(0, r["in_list_1s_later"] - r["count"]) for r in runs + [big])
    cmd = ("scripts/bench coldstart: N entries every hour, all due (last run 1 h 1 min ago), in Redis before the start; "
           "%s; exec → LLEN celery = N (benchtool waitlen), then the list's length 1 s later" % COMMANDS["swiftbeat"])
    anchor = ("RedBeat: %s" % fmt_ms(redbeat["all_s"]) if redbeat["all_s"] else
              "RedBeat: %d of 100,000 after %d s" % (redbeat["reached"], redbeat["timeout_s"]))
    row(section, "Cold start: exec → 100,000 due entries all in the Redis list (median of %d)" % len(runs), "< 1.0 s",
        fmt_ms(median), anchor, ratio(median, redbeat["all_s"], higher_is_better=False) if redbeat["all_s"] else "—",
        "yes" if median and median < 1.0 else "no", cmd,
        "runs: %s; peak RSS %.0f MB; the static build (the plain `swift build -c release` build is not measured here)" % (
            ", ".join(fmt_ms(t) for t in times), max(r["hwm_mb"] for r in runs)))
    row(section, "Cold start: exec → 1,000,000 due entries all in the Redis list", "< 10 s", fmt_ms(big["all_s"]),
        "— (RedBeat: not run at 1,000,000)", "—", "yes" if big["all_s"] and big["all_s"] < 10 else "no", cmd,
        "first message after %s; peak RSS %.0f MB" % (fmt_ms(big["first_s"]), big["hwm_mb"]))
    row(section, "Cold start: entries fired twice", "none", "%d" % twice, "—", "—", "yes" if twice == 0 else "no", cmd,
        "list length 1 s after all were in, minus N, over the %d runs above" % (len(runs) + 1))


def million():
    section = "million"
    count = 1000000
    flush()
    load("swiftbeat", count, time.time() + 86400, 0.0, 86400.0)
    started = time.time()
    logname = "swiftbeat-million-load.log"
    pid = spawn(swiftbeat_argv(REDIS_URL_BROKER, "--log-level", "info"), logname).pid
    loaded = wait_loaded(pid, logname, started)
    time.sleep(3)
    st = status(pid)
    stop(pid, 120)
    log("million: loaded in %.2f s, RSS %.0f MB (peak %.0f)" % (loaded, st.get("VmRSS", 0), st.get("VmHWM", 0)))
    seconds = SUSTAINED_SECONDS
    a = sustained_one("swiftbeat", count, seconds, interval=100.0, tag="-million")
    a.update(loaded_s=loaded, rss_after_load_mb=round(st.get("VmRSS", 0), 1), hwm_after_load_mb=round(st.get("VmHWM", 0), 1))
    save_raw("million", a)
    cmd = ("scripts/bench million: 1,000,000 entries (every 24 h for the load; every 100 s, due instants spread evenly, "
           "for the sustained window); %s" % COMMANDS["swiftbeat"])
    row(section, "Load 1,000,000 entries: start → all loaded", "< 3 s", fmt_ms(loaded),
        "— (RedBeat reads only due entries: no full load)", "—", "yes" if loaded < 3 else "no", cmd,
        "the beat's 'all entries loaded' line")
    row(section, "RSS with 1,000,000 entries loaded", "< 100 MB", "%.0f MB" % st.get("VmRSS", 0), "—", "—",
        "yes" if st.get("VmRSS", 1e9) < 100 else "no", cmd, "peak during the load %.0f MB" % st.get("VmHWM", 0))
    w = a["writeback"]
    row(section, "1,000,000 entries every 100 s (10,000/s): lag p50 / p99 / max", "p99 < 100 ms", lag_text(a), "—", "—",
        "yes" if a["lag_ms"]["n"] and a["lag_ms"]["p99"] < 100 and not a["overdue_at_stop"] else "no", cmd,
        "%.0f firings/s over %.0f s; beat %.2f cores, redis-server %.2f, drain %.2f, other processes %.2f; RSS %.0f MB" % (
            a["firings_per_s"], seconds, a.get("beat_cores", 0), a.get("redis_cores", 0), a.get("drain_cores", 0),
            a["other_cores"], a["rss_mb"]))
    row(section, "1,000,000 entries: run state written back", "every firing", "%d mismatches" % w["mismatches"], "—", "—",
        "yes" if w["mismatches"] == 0 else "no", cmd, "analyze.py --verify: each entry's total_run_count and last_run_at "
        "against the firings drained")


def reload_python(kind, count):
    """Start → first firing with count entries (one due), then idle CPU and RSS over 30 s."""
    flush()
    now = time.time()
    if kind == "stock":
        stock_prepare(count, 86400.0, now + 86400, 0.0, e0_due=now - 1)
    else:
        load("redbeat", count, now + 86400, 0.0, 86400.0)
        load("redbeat", 1, now - 1, 0.0, 86400.0)
    loaded, pid = firstmsg(kind, beat_launch(kind, count, 86400.0), "celery", 300, "%s-reload.log" % kind)
    time.sleep(1)
    meter = Meter({"beat": pid, "redis": REDIS_PID})
    time.sleep(10 if QUICK else 30)
    m = meter.stop()
    m["rss_mb"] = round(status(pid).get("VmRSS", 0), 1)
    m["loaded_s"] = loaded
    stop(pid, 120)
    save_raw("reload-%s-%d" % (kind, count), m)
    log("reload %s %d: first firing after %s s, idle %.4f cores, RSS %.0f MB" % (kind, count, loaded,
                                                                                m.get("beat_cores", 0), m["rss_mb"]))
    return m


def logged_load_seconds(path, started):
    """Seconds from `started` to the beat's 'all entries loaded' line, if it wrote one."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if " all entries loaded " in line:
                    # The log is appended to across runs: only a line from this run counts.
                    stamp = datetime.datetime.fromisoformat(line.split(" ", 1)[0]).timestamp()
                    if stamp >= started:
                        return stamp - started
    except OSError:
        pass
    return None


def reload():
    section = "reload"
    count = 100000
    flush()
    load("swiftbeat", count, time.time() + 86400, 0.0, 86400.0)
    load("sentinel", 1, time.time() - 1, 0.0, 86400.0)
    probe = subprocess.Popen([TOOL, "brpop", str(PORT), "0", "bench-sentinel", "120"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.2)
    started = time.time()
    # --log-level info (after the warning default) for the start-up summary line; only one entry fires.
    pid = spawn(swiftbeat_argv(REDIS_URL_BROKER, "--log-level", "info"), "swiftbeat-reload.log").pid
    quiet = wait_quiet(pid, started)
    loaded = logged_load_seconds(os.path.join(run_dir(), "swiftbeat-reload.log"), started) or quiet
    first = int(probe.communicate()[0].split()[0])
    first_s = first / 1e6 - started if first else None
    after_load = status(pid)
    time.sleep(1)
    seconds = 10 if QUICK else 30
    meter = Meter({"beat": pid, "redis": REDIS_PID})
    time.sleep(seconds)
    m = meter.stop()
    st = status(pid)
    stop(pid)
    m.update(loaded_s=loaded, first_firing_s=first_s, rss_after_load_mb=round(after_load.get("VmRSS", 0), 1), rss_mb=round(st.get("VmRSS", 0), 1),
             hwm_mb=round(st.get("VmHWM", 0), 1))
    save_raw("reload-swiftbeat-%d" % count, m)
    log("reload swiftbeat: first firing after %s s, all loaded after %s s, periodic reload %.3f cores (redis %.3f), RSS %.0f MB (peak %.0f)" % (
        first_s, loaded, m.get("beat_cores", 0), m.get("redis_cores", 0), m["rss_mb"], m["hwm_mb"]))
    stock = reload_python("stock", count)
    redbeat = reload_python("redbeat", count)
    cmd = ("scripts/bench reload: 100,000 entries every 24 h (none due) + 1 due now on its own queue; %s (defaults: "
           "--reload-interval 5 --max-interval 5)" % COMMANDS["swiftbeat"])
    row(section, "Load 100,000 entries: start → all loaded", "< 1 s", fmt_ms(loaded),
        "celery beat (beat_schedule + shelve) → first firing: %s; RedBeat (reads only due entries) → first firing: %s" % (
            fmt_ms(stock["loaded_s"]), fmt_ms(redbeat["loaded_s"])),
        ratio(loaded, stock["loaded_s"], higher_is_better=False), "yes" if loaded and loaded < 1 else "no", cmd,
        "all loaded = the beat's 'all entries loaded' log line (process start, connect, SCAN + MGET of 100,000 "
        "values a page per loop turn, parsing; firing goes on between pages): the one due entry fired after %s" % fmt_ms(first_s))
    row(section, "Periodic reload of 100,000 unchanged entries (every 5 s)", "< 10% of a core",
        "%.1f%%" % (100 * m.get("beat_cores", 0)),
        "idle with 100,000 not-due entries: celery beat %.1f%%, RedBeat %.1f%%" % (
            100 * stock.get("beat_cores", 0), 100 * redbeat.get("beat_cores", 0)), "—",
        "yes" if m.get("beat_cores", 1) < 0.10 else "no", cmd,
        "over %.0f s; redis-server %.1f%% serving the SCAN + MGET" % (m["seconds"], 100 * m.get("redis_cores", 0)))
    row("memory", "RSS with 100,000 entries (static build)", "< 50 MB",
        "%.0f MB idle (peak %.0f MB)" % (m["rss_mb"], m["hwm_mb"]),
        "celery beat %.0f MB, RedBeat %.0f MB (idle, same entries)" % (stock["rss_mb"], redbeat["rss_mb"]),
        ratio(m["rss_mb"], min(stock["rss_mb"], redbeat["rss_mb"]), higher_is_better=False),
        "yes" if m["rss_mb"] < 50 and m["hwm_mb"] < 50 else "no", cmd + "; VmRSS after 30 s, VmHWM")


def memory_one(kind, count, seconds):
    flush()
    first_due = time.time() + (2.0 if kind == "swiftbeat" else 5.0)
    load_workload(kind, count, first_due, 1.0, 1.0)
    beat = start_beat(kind, count, 1.0, logname="%s-memory.log" % kind)
    sleep_until(first_due + seconds)
    st = status(beat.pid)
    sent = int(redis_cli("llen", "celery", db=0))
    stop(beat.pid)
    m = {"kind": kind, "count": count, "rss_mb": round(st.get("VmRSS", 0), 1), "hwm_mb": round(st.get("VmHWM", 0), 1),
         "sent": sent}
    save_raw("memory-%s-%d" % (kind, count), m)
    log("memory %s %d: RSS %.1f MB (peak %.1f), %d sent" % (kind, count, m["rss_mb"], m["hwm_mb"], sent))
    return m


def memory():
    seconds = 8 if QUICK else 15
    s, c, r = (memory_one(k, 100, seconds) for k in ("swiftbeat", "stock", "redbeat"))
    row("memory", "RSS with 100 entries (static build)", "< 10 MB", "%.1f MB (peak %.1f MB)" % (s["rss_mb"], s["hwm_mb"]),
        "celery beat %.0f MB, RedBeat %.0f MB" % (c["rss_mb"], r["rss_mb"]),
        ratio(s["rss_mb"], min(c["rss_mb"], r["rss_mb"]), higher_is_better=False),
        "yes" if s["hwm_mb"] < 10 else "no",
        "scripts/bench memory: 100 entries every 1 s, firing for %d s; VmRSS / VmHWM at the end" % seconds,
        "%d, %d and %d messages sent" % (s["sent"], c["sent"], r["sent"]))


def http_one(extra, seconds, scrape):
    """swiftbeat with 100 entries every 1 s (as `memory`), with extra flags; with scrape, GET /metrics,
    /healthz and the status page every 0.5 s meanwhile. VmRSS / VmHWM at the end."""
    import urllib.request
    flush()
    first_due = time.time() + 2.0
    load_workload("swiftbeat", 100, first_due, 1.0, 1.0)
    beat = start_beat("swiftbeat", 100, 1.0, extra=extra, logname="swiftbeat-http.log")
    scrapes = 0
    while time.time() < first_due + seconds:
        if scrape:
            for path in ("/metrics", "/healthz", "/"):
                try:
                    urllib.request.urlopen("http://127.0.0.1:%d%s" % (HTTP_PORT, path), timeout=5).read()
                    scrapes += 1
                except OSError:
                    pass
        time.sleep(0.5)
    st = status(beat.pid)
    sent = int(redis_cli("llen", "celery", db=0))
    stop(beat.pid)
    return {"rss_mb": round(st.get("VmRSS", 0), 1), "hwm_mb": round(st.get("VmHWM", 0), 1), "sent": sent, "scrapes": scrapes}


HTTP_PORT = int(os.environ.get("BENCH_HTTP_PORT", "6491"))


def http():
    """Issue 15's memory budget: RSS with `--http` on (and scraped) and off, 100 entries."""
    seconds = 8 if QUICK else 15
    off = http_one((), seconds, False)
    on = http_one(("--http", "127.0.0.1:%d" % HTTP_PORT), seconds, True)
    save_raw("http", {"off": off, "on": on})
    log("http: off RSS %.1f MB (peak %.1f), on RSS %.1f MB (peak %.1f), %d scrapes" % (
        off["rss_mb"], off["hwm_mb"], on["rss_mb"], on["hwm_mb"], on["scrapes"]))
    cmd = ("scripts/bench http: 100 entries every 1 s, firing for %d s, with `--http 127.0.0.1:%d` scraped every "
           "0.5 s (/metrics, /healthz, /), and without; VmRSS / VmHWM at the end" % (seconds, HTTP_PORT))
    row("memory", "RSS with 100 entries and --http, scraped (static build)", "< 12 MB",
        "%.1f MB (peak %.1f MB)" % (on["rss_mb"], on["hwm_mb"]), "without --http %.1f MB" % off["rss_mb"], "—",
        "yes" if on["hwm_mb"] < 12 else "no", cmd, "%d and %d messages sent, %d answers" % (off["sent"], on["sent"], on["scrapes"]))
    row("memory", "RSS with 100 entries, --http off (static build)", "≤ 7.6 MB + 0.5 MB",
        "%.1f MB (peak %.1f MB)" % (off["rss_mb"], off["hwm_mb"]), "—", "—", "yes" if off["hwm_mb"] <= 8.1 else "no", cmd)


def startup():
    times = {"swiftbeat": [], "stock": [], "redbeat": []}
    reps = {"swiftbeat": 3 if QUICK else 7, "stock": 2 if QUICK else 3, "redbeat": 2 if QUICK else 3}
    for kind in ("swiftbeat", "stock", "redbeat"):
        for _ in range(reps[kind]):
            flush()
            load_workload(kind, 1000, time.time() - 1, 0.0, 3600.0)
            t, pid = firstmsg(kind, beat_launch(kind, 1000, 3600.0), "celery", 60, "%s-startup.log" % kind)
            stop(pid, 60)
            times[kind].append(t)
    save_raw("startup", times)
    med = {k: statistics.median([t for t in v if t is not None]) for k, v in times.items()}
    log("startup medians: %s" % med)
    row("startup", "Start-up to first firing, 1,000 entries", "< 200 ms",
        "%s (median of %d; %s–%s)" % (fmt_ms(med["swiftbeat"]), len(times["swiftbeat"]), fmt_ms(min(times["swiftbeat"])),
                                      fmt_ms(max(times["swiftbeat"]))),
        "celery beat %s, RedBeat %s" % (fmt_ms(med["stock"]), fmt_ms(med["redbeat"])),
        ratio(med["swiftbeat"], min(med["stock"], med["redbeat"]), higher_is_better=False),
        "yes" if med["swiftbeat"] < 0.2 else "no",
        "scripts/bench startup: 1,000 entries all due; time from exec to the first message in the list (BRPOP)")


# ---------------------------------------------------------------- RedBeat store (issue 16)


def redbeat_store():
    """swiftbeat `run --store redbeat` beside `celery beat -S redbeat.RedBeatScheduler`, each on the same
    RedBeat keys (load.py's redbeat format: a hash per entry with definition and meta, the index zset),
    one after the other in this run: sustained 100,000 and 10,000, a burst, idle with 100,000 not due."""
    section = "redbeat-store"
    ours, cmd_ours = "swiftbeat-redbeat", COMMANDS["swiftbeat-redbeat"]
    res = {}
    for kind, count, seconds in [(ours, 100000, SUSTAINED_SECONDS), ("redbeat", 100000, ANCHOR_SECONDS),
                                 (ours, 10000, ANCHOR_SECONDS), ("redbeat", 10000, ANCHOR_SECONDS)]:
        log("redbeat-store: sustained, %s, %d RedBeat entries every 10 s, %.0f s" % (kind, count, seconds))
        res[(kind, count)] = sustained_one(kind, count, seconds, tag="-redbeat-store")
    for count in (100000, 10000):
        s, r = res[(ours, count)], res[("redbeat", count)]
        label = "{:,}".format(count)
        cmd = ("scripts/bench redbeat-store: %s RedBeat entries every 10 s, due instants spread over 10 s; %s; "
               "anchor %s" % (label, cmd_ours, COMMANDS["redbeat"]))
        row(section, "RedBeat store, sustained %s entries/10 s: firings/s" % label,
            "10,000/s" if count == 100000 else "1,000/s (all due)", fmt_rate(s["firings_per_s"]),
            "RedBeat %s" % fmt_rate(r["firings_per_s"]), ratio(s["firings_per_s"], r["firings_per_s"]),
            "yes" if s["firings_per_s"] >= 0.98 * count / 10 and not s["overdue_at_stop"] else "no", cmd,
            "window %.0f s (RedBeat %.0f s); beat %.2f cores, redis-server %.2f, drain %.2f, other processes %.2f" % (
                s["seconds"], r["seconds"], s.get("beat_cores", 0), s.get("redis_cores", 0), s.get("drain_cores", 0),
                s["other_cores"]))
        row(section, "RedBeat store, sustained %s: lag scheduled → in list, p50 / p99 / max" % label,
            "p99 < 100 ms" if count == 100000 else "—", lag_text(s), "RedBeat %s" % lag_text(r), "—",
            ("yes" if s["lag_ms"]["p99"] is not None and s["lag_ms"]["p99"] < 100 and not s["overdue_at_stop"] else "no")
            if count == 100000 else "—", cmd,
            "p99 per 10 s of schedule: swiftbeat %s (%s), RedBeat %s" % (
                growth_text(s), "growing" if lag_growing(s) else "not growing", growth_text(r)))
        wb = lambda a: "%d of %d entries match (%d messages)" % (a["writeback"]["checked"] - a["writeback"]["mismatches"],
                                                                  a["writeback"]["checked"], a["messages"])
        row(section, "RedBeat store, sustained %s: meta written back" % label, "every firing", wb(s),
            "RedBeat %s" % wb(r), "—", "yes" if s["writeback"]["mismatches"] == 0 else "no", cmd,
            "meta's total_run_count = messages seen and last_run_at = the last message's firing instant, per entry")
        row(section, "RedBeat store, sustained %s: beat CPU (cores) / peak RSS" % label, "—",
            "%.2f / %.0f MB" % (s.get("beat_cores", 0), s["rss_mb"]),
            "RedBeat %.2f / %.0f MB" % (r.get("beat_cores", 0), r["rss_mb"]), "—", "—", cmd,
            "redis-server: %.2f cores under swiftbeat, %.2f under RedBeat" % (s.get("redis_cores", 0),
                                                                             r.get("redis_cores", 0)))
    # Burst: the same 10,000 due at one instant for both; then 100,000 for swiftbeat alone (RedBeat
    # would take minutes).
    b_ours = burst_python(ours, 10000, 60 if QUICK else 90)
    b_redbeat = burst_python("redbeat", 10000, 60 if QUICK else 90)
    b_big = burst_python(ours, 100000, 60 if QUICK else 120)
    burst_text = lambda b: "%s in %s (%s)" % ("{:,}".format(b["reached"]), fmt_ms(b["all_s"] or b["timeout_s"]),
                                              fmt_rate(b["rate"]))
    cmd = ("scripts/bench redbeat-store: N RedBeat entries due at one instant T; time from T until LLEN celery = N "
           "(polled every 1 ms); %s" % cmd_ours)
    row(section, "RedBeat store, burst 10,000 due at once → all in the Redis list", "—", burst_text(b_ours),
        "RedBeat %s" % burst_text(b_redbeat), ratio(b_ours["rate"], b_redbeat["rate"]), "—", cmd,
        "first message after %s (RedBeat %s); beat %.1f µs CPU per firing, redis-server %.1f µs" % (
            fmt_ms(b_ours["first_s"]), fmt_ms(b_redbeat["first_s"]), b_ours.get("beat_us_per_firing", 0),
            b_ours.get("redis_us_per_firing", 0)))
    row(section, "RedBeat store, burst 100,000 due at once → all in the Redis list", "< 1 s", burst_text(b_big),
        "RedBeat, 10,000 (above): %s" % fmt_rate(b_redbeat["rate"]), ratio(b_big["rate"], b_redbeat["rate"]),
        "yes" if b_big["all_s"] and b_big["all_s"] < 1 else "no", cmd,
        "first message after %s; beat %.1f µs CPU per firing, redis-server %.1f µs" % (
            fmt_ms(b_big["first_s"]), b_big.get("beat_us_per_firing", 0), b_big.get("redis_us_per_firing", 0)))
    # Idle: 100,000 entries due in 24 h and one due now; both read only the due ones through the index.
    i_ours = reload_python(ours, 100000)
    i_redbeat = reload_python("redbeat", 100000)
    cmd = ("scripts/bench redbeat-store: 100,000 RedBeat entries every 24 h (none due) + 1 due now; %s (defaults: "
           "--reload-interval 5 --max-interval 5); CPU over %d s after the first firing" % (cmd_ours, 10 if QUICK else 30))
    row(section, "RedBeat store, 100,000 not due: start → first firing", "—", fmt_ms(i_ours["loaded_s"]),
        "RedBeat %s" % fmt_ms(i_redbeat["loaded_s"]), ratio(i_ours["loaded_s"], i_redbeat["loaded_s"], False), "—", cmd)
    row(section, "RedBeat store, idle with 100,000 not-due entries: beat CPU", "< 1% of a core",
        "%.2f%%" % (100 * i_ours.get("beat_cores", 0)), "RedBeat %.2f%%" % (100 * i_redbeat.get("beat_cores", 0)),
        ratio(i_ours.get("beat_cores"), i_redbeat.get("beat_cores"), False),
        "yes" if i_ours.get("beat_cores", 1) < 0.01 else "no", cmd,
        "redis-server %.2f%% under swiftbeat, %.2f%% under RedBeat" % (100 * i_ours.get("redis_cores", 0),
                                                                      100 * i_redbeat.get("redis_cores", 0)))
    row(section, "RedBeat store, idle with 100,000 entries: RSS", "—", "%.0f MB" % i_ours["rss_mb"],
        "RedBeat %.0f MB" % i_redbeat["rss_mb"], ratio(i_ours["rss_mb"], i_redbeat["rss_mb"], False), "—", cmd)


# ---------------------------------------------------------------- profile


def demangle(names):
    try:
        out = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(names),
                             capture_output=True, text=True, check=True).stdout.split("\n")
        return out[:len(names)]
    except Exception:
        return names


def annotate(out, inclusive):
    """callgrind_annotate's rows as {mangled name: Ir}: the max over files when inclusive (a function's
    code inlined from several files appears once per file), the sum when exclusive."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=" + ("yes" if inclusive else "no"), "--auto=no",
                           "--threshold=100", out], capture_output=True, text=True).stdout
    total, costs = None, {}
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$", line)
        if not m:
            continue
        ir, what = int(m.group(1).replace(",", "")), m.group(2)
        if "PROGRAM TOTALS" in what:
            total = ir
            continue
        if ":" not in what:
            continue
        name = re.sub(r"'\d+$", "", what.split(":", 1)[1].split(" [")[0].strip())
        costs[name] = max(costs.get(name, 0), ir) if inclusive else costs.get(name, 0) + ir
    return total, costs


COUNTED_CALLS = ["malloc", "free", "realloc", "swift_allocObject", "swift_retain", "swift_release", "write", "read",
                 "poll", "clock_gettime@@GLIBC_2.17"]


def call_counts(out):
    """How often the collected code called each of COUNTED_CALLS (from the calls= lines)."""
    names, counts, callee = {}, {}, None
    with open(out, errors="replace") as f:
        for line in f:
            if line.startswith("cfn="):
                m = re.match(r"cfn=\((\d+)\)(?: (.*))?", line.strip())
                if m:
                    if m.group(2):
                        names[m.group(1)] = re.sub(r"'\d+$", "", m.group(2))
                    callee = names.get(m.group(1))
            elif line.startswith("fn="):
                m = re.match(r"fn=\((\d+)\)(?: (.*))?", line.strip())
                if m and m.group(2):
                    names[m.group(1)] = re.sub(r"'\d+$", "", m.group(2))
            elif line.startswith("calls=") and callee in COUNTED_CALLS:
                counts[callee] = counts.get(callee, 0) + int(line.split("=")[1].split()[0])
    return counts


def callgrind_run(name, toggle, count, due, until_list, extra=()):
    flush()
    load("swiftbeat", count, (time.time() - 1) if due else time.time() + 86400, 0.0, 3600.0 if due else 86400.0)
    out = os.path.join(run_dir(), "callgrind.%s.out" % name)
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, "--toggle-collect=" + toggle,
            *swiftbeat_argv(REDIS_URL_BROKER, "--lock-ttl", "600", *extra)]
    started = time.time()
    beat = spawn(argv, "callgrind-%s.log" % name)
    if until_list:
        list_name, target = until_list
        deadline = time.time() + 600
        while time.time() < deadline and int(redis_cli("llen", list_name, db=0)) < target:
            time.sleep(0.2)
        time.sleep(1)
    else:  # loaded: valgrind's CPU settles once the beat has read every page
        wait_quiet(beat.pid, started, quiet=1.0, timeout=600, busy_ns=2_000_000)
    sent = int(redis_cli("llen", "celery", db=0))
    stop(beat.pid, 120)
    total, inclusive = annotate(out, True)
    _, exclusive = annotate(out, False)
    calls = call_counts(out)
    toggled = [n for n in inclusive if toggle.strip("*") in n]
    top_inclusive = sorted(((ir, n) for n, ir in inclusive.items() if ir < 0.999 * (total or 1) or n in toggled),
                           reverse=True)[:30]
    top_exclusive = sorted(((ir, n) for n, ir in exclusive.items()), reverse=True)[:20]
    names = demangle([n for _, n in top_inclusive] + [n for _, n in top_exclusive])
    top_inclusive = [(ir, d) for (ir, _), d in zip(top_inclusive, names[:len(top_inclusive)])]
    top_exclusive = [(ir, d) for (ir, _), d in zip(top_exclusive, names[len(top_inclusive):])]
    return {"name": name, "total_ir": total, "sent": sent, "count": count, "inclusive": top_inclusive,
            "exclusive": top_exclusive, "calls": calls}


# Generated blocks of BENCHMARKS.md written by a part (name → lines): `profile`, `profile-million`.
BLOCKS_MD = {}


def profile():
    count = 5000 if QUICK else 20000
    fire = callgrind_run("fire", "*fireDue*", count, True, ("celery", count))
    symbols = subprocess.run(["nm", SWIFTBEAT], capture_output=True, text=True).stdout
    reload_fn = "continueReload" if "continueReload" in symbols else "reloadAll"
    load_ = callgrind_run("reload", "*%s*" % reload_fn, count, False, None, extra=("--reload-interval", "3600"))
    per_fire = fire["total_ir"] / max(1, fire["sent"]) if fire["total_ir"] else None
    per_entry = load_["total_ir"] / count if load_["total_ir"] else None
    save_raw("profile", {"fire": fire, "reload": load_})
    log("callgrind: %.0f instructions per firing, %.0f per loaded entry" % (per_fire or 0, per_entry or 0))
    def calls_text(prof, denom, unit):
        c = prof["calls"]
        return ", ".join("%s %.2f" % (k.split("@")[0], c.get(k, 0) / denom) for k in COUNTED_CALLS) + " per " + unit
    row("profile", "Instructions per firing (callgrind, fireDue inclusive)", "—", "{:,.0f}".format(per_fire or 0), "—",
        "—", "—", "scripts/bench profile: %s entries due at once, valgrind --tool=callgrind --toggle-collect='*fireDue*'"
        % "{:,}".format(count), "%d firings collected; calls: %s" % (fire["sent"], calls_text(fire, max(1, fire["sent"]),
                                                                                           "firing")))
    row("profile", "Instructions per loaded entry (callgrind, reload inclusive)", "—", "{:,.0f}".format(per_entry or 0),
        "—", "—", "—", "scripts/bench profile: %s entries, none due, --toggle-collect='*%s*'" % ("{:,}".format(count), reload_fn),
        "calls: %s" % calls_text(load_, count, "entry"))
    lines = ["Build: %s (release, static stdlib). Callgrind counts instructions (Ir) only inside the toggled function "
             "and what it calls; the numbers are divided by the firings (%s, all due at once, batches of 1,000) or by "
             "the loaded entries (%s, none due)." % (os.path.relpath(SWIFTBEAT, ROOT), "{:,}".format(fire["sent"]),
                                                     "{:,}".format(count)), ""]
    for title, prof, denom, unit in (("Firing (`Beat.fireDue`)", fire, max(1, fire["sent"]), "firing"),
                                     ("Reload (`Beat.%s`)" % reload_fn, load_, count, "entry")):
        lines += ["#### %s: %s instructions per %s" % (title, "{:,.0f}".format((prof["total_ir"] or 0) / denom), unit), "",
                  "Calls per %s: %s." % (unit, calls_text(prof, denom, unit).rsplit(" per ", 1)[0]), "",
                  "| inclusive Ir per %s | %% | function |" % unit, "|---:|---:|---|"]
        for ir, name in prof["inclusive"]:
            short = name if len(name) < 120 else name[:117] + "…"
            lines.append("| {:,.0f} | {:.0f}% | `{}` |".format(ir / denom, 100.0 * ir / (prof["total_ir"] or 1),
                                                              short.replace("|", "\\|")))
        lines += ["", "| self Ir per %s | %% | function |" % unit, "|---:|---:|---|"]
        for ir, name in prof["exclusive"]:
            short = name if len(name) < 120 else name[:117] + "…"
            lines.append("| {:,.0f} | {:.0f}% | `{}` |".format(ir / denom, 100.0 * ir / (prof["total_ir"] or 1),
                                                              short.replace("|", "\\|")))
        lines.append("")
    BLOCKS_MD["profile"] = lines


def perf_top(data, children, limit=15):
    """`perf report`'s functions of a sampled run as [(share, name)], by self samples or, with
    `children`, by the samples of every stack they are on."""
    text = subprocess.run(["perf", "report", "-i", data, "--stdio", "-q", "--sort", "symbol", "-g", "none",
                           "--children" if children else "--no-children", "--percent-limit", "1"],
                          capture_output=True, text=True).stdout
    rows = []
    for line in text.splitlines():
        # perf pads the symbol and may add columns after it ("-      -"): the name ends at two spaces.
        m = re.match(r"\s*([\d.]+)%\s+(?:[\d.]+%\s+)?\[.\]\s+(\S.*?)(?:\s{2,}.*)?$", line)
        if m:
            rows.append((float(m.group(1)), m.group(2).strip()))
    if children and rows:  # main() and the run loop are on every stack: say nothing
        top = max(share for share, _ in rows)
        rows = [r for r in rows if r[0] < 0.98 * top]
    rows = sorted(rows, reverse=True)[:limit]
    return [(share, name.strip()) for share, name in zip([r[0] for r in rows], demangle([r[1] for r in rows]))]


def profile_million():
    """Issue 19: what grows faster than the schedule between 100,000 and 1,000,000 entries. The cold
    start at each size, sampled with perf (cpu-clock: this machine's VM has no hardware counters),
    with the CPU the beat and redis-server used per firing; then callgrind's instruction counts of
    the start-up load (`continueReload`, none due) and of firing (`fireDue`, all due) at each size
    (BENCH_PROFILE_LOAD_SIZES, BENCH_PROFILE_FIRE_SIZES: other sizes; callgrind takes about 25 s per
    100,000 loaded and 100 s per 100,000 fired here)."""
    sizes = [20000, 100000] if QUICK else [100000, 1000000]
    load_sizes = [int(n) for n in os.environ.get("BENCH_PROFILE_LOAD_SIZES", " ".join(map(str, sizes))).split()]
    fire_sizes = [int(n) for n in os.environ.get("BENCH_PROFILE_FIRE_SIZES", " ".join(map(str, sizes))).split()]
    colds = []
    for count in sizes:
        data = os.path.join(run_dir(), "perf.coldstart-%d.data" % count)
        a = coldstart_one(count, 600, sampled_to=data)
        a["self"], a["children"] = perf_top(data, False), perf_top(data, True)
        colds.append(a)
    loads = [callgrind_run("load-%d" % n, "*continueReload*", n, False, None, extra=("--reload-interval", "3600"))
             for n in load_sizes]
    # Firing: every entry due at once, --reload-interval 3600 so no second pass is counted.
    fires = [callgrind_run("fire-%d" % n, "*fireDue*", n, True, ("celery", n), extra=("--reload-interval", "3600"))
             for n in fire_sizes]
    save_raw("profile-million", {"coldstart": colds, "load": loads, "fire": fires})
    profile_million_report(colds, loads, fires)


def profile_million_report(colds, loads, fires):
    """`profile-million`'s rows and BENCHMARKS.md block, from what it measured."""
    section = "profile"
    cmd = ("scripts/bench profile-million: the cold start of `coldstart` (N due entries, exec → all in the list) under "
           "`perf record -e cpu-clock -g -p BEAT`; the load and the firing under valgrind --tool=callgrind "
           "--toggle-collect='*continueReload*' (N entries, none due) and '*fireDue*' (N entries, all due), "
           "both with --reload-interval 3600")
    for a in colds:
        n = a["count"]
        row(section, "Cold start %s: beat / redis-server CPU per firing" % "{:,}".format(n), "—",
            "%.1f / %.1f µs" % (1e6 * a["cpu"].get("beat_cpu_s", 0) / n, 1e6 * a["cpu"].get("redis_cpu_s", 0) / n),
            "—", "—", "—", cmd, "exec → all in the list %s; other processes %.2f cores" % (
                fmt_ms(a["all_s"]), a["cpu"].get("other_cores", 0)))
    for prof in loads:
        row(section, "Instructions per loaded entry at %s (callgrind, continueReload inclusive)" % "{:,}".format(
            prof["count"]), "—", "{:,.0f}".format((prof["total_ir"] or 0) / prof["count"]), "—", "—", "—", cmd)
    for prof in fires:
        row(section, "Instructions per firing at %s (callgrind, fireDue inclusive)" % "{:,}".format(prof["count"]), "—",
            "{:,.0f}".format((prof["total_ir"] or 0) / max(1, prof["sent"])), "—", "—", "—", cmd,
            "%d firings collected" % prof["sent"])
    lines = ["Measured %s with %s." % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                                        os.path.relpath(SWIFTBEAT, ROOT)), "",
             "| | " + " | ".join("{:,}".format(a["count"]) for a in colds) + " |", "|---|" + "---:|" * len(colds),
             "| cold start, exec → all in the list | " + " | ".join(fmt_ms(a["all_s"]) for a in colds) + " |",
             "| beat CPU per firing | " + " | ".join("%.1f µs" % (1e6 * a["cpu"].get("beat_cpu_s", 0) / a["count"])
                                                   for a in colds) + " |",
             "| redis-server CPU per firing | " + " | ".join("%.1f µs" % (1e6 * a["cpu"].get("redis_cpu_s", 0) / a["count"])
                                                           for a in colds) + " |",
             "| other processes (cores) | " + " | ".join("%.2f" % a["cpu"].get("other_cores", 0) for a in colds) + " |",
             "| beat peak RSS | " + " | ".join("%.0f MB" % a["hwm_mb"] for a in colds) + " |", ""]
    for title, unit, profs, denom in (("load, none due: instructions per entry, `continueReload` inclusive", "entry",
                                       loads, lambda p: p["count"]),
                                      ("firing, all due: instructions per firing, `fireDue` inclusive", "firing",
                                       fires, lambda p: max(1, p["sent"]))):
        if not profs:
            continue
        lines += ["| %s | %s |" % (title, " | ".join("{:,}".format(p["count"]) for p in profs)),
                  "|---|" + "---:|" * len(profs),
                  "| **total** | " + " | ".join("**{:,.0f}**".format((p["total_ir"] or 0) / denom(p)) for p in profs) + " |"]
        for name in [n for _, n in profs[-1]["inclusive"][:14]]:
            cells = []
            for p in profs:
                ir = dict((d, i) for i, d in p["inclusive"]).get(name)
                cells.append("{:,.0f}".format(ir / denom(p)) if ir else "—")
            short = name if len(name) < 90 else name[:87] + "…"
            lines.append("| `%s` | %s |" % (short.replace("|", "\\|"), " | ".join(cells)))
        lines.append("")
    for a in colds:
        lines += ["Cold start %s, share of the beat's samples (perf, self / on the stack):" % "{:,}".format(a["count"]), "",
                  "| self | function | | on the stack | function |", "|---:|---|---|---:|---|"]
        for i in range(max(len(a["self"]), len(a["children"]))):
            left = a["self"][i] if i < len(a["self"]) else None
            right = a["children"][i] if i < len(a["children"]) else None
            cell = lambda x: ("%.1f%%" % x[0], "`%s`" % (x[1][:80].replace("|", "\\|"))) if x else ("", "")
            lines.append("| %s | %s | | %s | %s |" % (cell(left) + cell(right)))
        lines.append("")
    BLOCKS_MD["profile-million"] = lines


# ---------------------------------------------------------------- report


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    def version(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except Exception:
            return "?"
    return {
        "nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30, 1),
        "swift": version(["swift", "--version"]), "redis": version(["redis-server", "--version"]),
        "rabbitmq": version(["dpkg-query", "-W", "-f=${Version}", "rabbitmq-server"]),
        "python": version([PY, "--version"]),
        "celery": version([PY, "-c", "import celery, redbeat, kombu, redis; print('celery', celery.__version__, "
                                     "'kombu', kombu.__version__, 'celery-redbeat', redbeat.__version__ if hasattr(redbeat, '__version__') else '2.4.2', 'redis-py', redis.__version__)"]),
        "commit": subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %s", "--", "Sources", "Package.swift"],
                                 capture_output=True, text=True).stdout.strip(),
        "build": "swift build -c release --static-swift-stdlib (%s, %.1f MB)" % (
            os.path.relpath(SWIFTBEAT, ROOT), os.path.getsize(SWIFTBEAT) / 2 ** 20) if os.path.exists(SWIFTBEAT) else "?",
    }


ORDER = ["sustained", "burst", "publish", "idle", "coldstart", "million", "reload", "memory", "startup", "profile",
         "profile-million",
         "redbeat-store", "rabbitmq-bound"]
# Sections with a generated block of their own in BENCHMARKS.md, not in the main table.
OWN_BLOCKS = ["redbeat-store"]


def table(rows, markdown):
    head = ["figure", "target", "swiftbeat", "anchor (same run)", "ratio", "met"]
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in rows:
            out.append("| " + " | ".join(str(r[k]).replace("|", "\\|") for k in
                                         ("figure", "target", "swiftbeat", "anchor", "ratio", "met")) + " |")
        return "\n".join(out)
    out = []
    for r in rows:
        out.append("%-58s %-16s %-28s %s | %s | %s" % (r["figure"][:58], r["target"], r["swiftbeat"], r["ratio"], r["met"],
                                                      r["anchor"]))
    return "\n".join(out)


def update_results(parts, started, ended, load_before, load_after):
    """Merges this run's rows into results.json, part by part (a part run alone replaces only its own rows)."""
    try:
        with open(RESULTS) as f:
            saved = json.load(f)
    except (OSError, ValueError):
        saved = {}
    saved.setdefault("parts", {})
    for part, info in PART_INFO.items():
        saved["parts"][part] = dict(info, rows=[r for r in ROWS if r["part"] == part])
    saved.setdefault("blocks_md", {}).update(BLOCKS_MD)
    if "profile_md" in saved:  # results.json from before BLOCKS_MD
        saved["blocks_md"].setdefault("profile", saved.pop("profile_md"))
    saved["machine"] = machine()
    stamp = datetime.datetime.fromtimestamp(started, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    saved.setdefault("runs", []).append({"parts": parts, "started": stamp, "minutes": round((ended - started) / 60, 1),
                                         "loadavg": "%s → %s" % (load_before, load_after)})
    saved["runs"] = saved["runs"][-10:]
    with open(RESULTS, "w") as f:
        json.dump(saved, f, indent=1)
    return saved


def all_rows(saved, sections=None):
    rows = [r for info in saved["parts"].values() for r in info["rows"]
            if (r["section"] in sections if sections else r["section"] not in OWN_BLOCKS)]
    return sorted(rows, key=lambda r: ORDER.index(r["section"]) if r["section"] in ORDER else len(ORDER))


def write_markdown(saved):
    rows = all_rows(saved)
    mach = saved["machine"]
    gen = ["<!-- Generated by scripts/bench from .state/bench/results.json; edit outside these markers. -->", "",
           "Machine: %d cores (%s), kernel %s, %.0f GiB; %s; %s; RabbitMQ %s; %s; %s." % (
               mach["nproc"], mach["cpu"], mach["kernel"], mach["memory_gb"], mach["swift"], mach["redis"],
               mach["rabbitmq"], mach["python"], mach["celery"]),
           "swiftbeat: %s; the last commit that changed Sources/ or Package.swift: `%s`. Every swiftbeat figure uses this build." % (mach["build"], mach["commit"]), "",
           "Parts measured (UTC start, minutes, load average before → after, CPU the rest of the machine used):", ""]
    for part in SCENARIOS:
        if part in saved["parts"]:
            info = saved["parts"][part]
            gen.append("- `scripts/bench %s`: %s, %s min, load %s" % (part, info["when"], info["minutes"], info["loadavg"]))
    gen += ["", "*ratio*: how many times better swiftbeat's figure is than the best Python anchor's (above 1: "
            "swiftbeat is better); for raw publishing, swiftbeat's rate as a share of the broker tool's. *met*: the "
            "issue's target.", "", table(rows, True), "", "How each figure was measured:", ""]
    for r in rows:
        gen.append("- **%s** — %s%s" % (r["figure"], r["command"], (". " + r["note"]) if r["note"] else ""))
    gen.append("")
    try:
        with open(MD) as f:
            text = f.read()
    except OSError:
        text = ""
    def replace(text, name, lines):
        begin, end = "<!-- %s:begin -->" % name, "<!-- %s:end -->" % name
        block = begin + "\n" + "\n".join(lines) + "\n" + end
        if begin in text and end in text:
            return text[:text.index(begin)] + block + text[text.index(end) + len(end):]
        return text + "\n" + block + "\n"
    text = replace(text, "results", gen)
    for name, lines in saved.get("blocks_md", {}).items():
        text = replace(text, name, lines)
    for section in OWN_BLOCKS:
        own = all_rows(saved, [section])
        if own:
            info = saved["parts"].get(section, {})
            lines = ["<!-- Generated by scripts/bench %s from .state/bench/results.json; edit outside these markers. -->" %
                     section, "", "Measured %s (%s min, load average %s), build: %s." % (
                         info.get("when", "?"), info.get("minutes", "?"), info.get("loadavg", "?"), mach["build"]), "",
                     table(own, True), "", "How each figure was measured:", ""]
            for r in own:
                lines.append("- **%s** — %s%s" % (r["figure"], r["command"], (". " + r["note"]) if r["note"] else ""))
            text = replace(text, section, lines)
    with open(MD, "w") as f:
        f.write(text)


PART_INFO = {}
SCENARIOS = {"sustained": sustained, "burst": burst, "publish": publish, "idle": idle, "reload": reload, "memory": memory,
             "http": http, "startup": startup, "profile": profile, "profile-million": profile_million,
             "coldstart": coldstart, "million": million, "redbeat-store": redbeat_store,
             "rabbitmq-bound": rabbitmq_bound}


def main():
    parts = sys.argv[1:] or ["all"]
    if parts == ["report"]:  # rewrite BENCHMARKS.md's generated blocks from results.json only
        with open(RESULTS) as f:
            saved = json.load(f)
        if "profile_md" in saved:
            saved.setdefault("blocks_md", {}).setdefault("profile", saved.pop("profile_md"))
        saved["machine"] = machine()
        write_markdown(saved)
        print(table(all_rows(saved) + all_rows(saved, OWN_BLOCKS), False))
        return
    if parts == ["all"]:
        parts = ["startup", "memory", "http", "reload", "publish", "burst", "idle", "coldstart", "million", "sustained",
                 "profile", "redbeat-store"]
    for p in parts:
        if p not in SCENARIOS:
            sys.exit("bench: unknown part %s (parts: %s)" % (p, " ".join(SCENARIOS)))
    os.makedirs(STATE, exist_ok=True)
    # The machine may be shared: a higher priority for everything measured (this process, the beats
    # and redis-server it starts, the RabbitMQ node) keeps other work from skewing the figures.
    nice = int(os.environ.get("BENCH_NICE", "-5"))
    if nice:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
            if rabbit_pid():  # nice is per thread on Linux: every thread of the Erlang VM
                for task in os.listdir("/proc/%d/task" % rabbit_pid()):
                    os.setpriority(os.PRIO_PROCESS, int(task), nice)
        except OSError as error:
            log("cannot set priority %d: %s" % (nice, error))
    started, load_before = time.time(), loadavg()
    redis_start()
    try:
        for p in parts:
            t, load_at_start = time.time(), loadavg()
            log("== %s ==" % p)
            CURRENT_PART[0] = p
            SCENARIOS[p]()
            PART_INFO[p] = {"when": datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                            "minutes": round((time.time() - t) / 60, 1), "loadavg": "%s → %s" % (load_at_start, loadavg())}
            log("== %s done in %.0f s ==" % (p, time.time() - t))
    finally:
        for pid in list(LIVE):
            stop_pid(pid, 30)
        redis_stop()
    saved = update_results(parts, started, time.time(), load_before, loadavg())
    write_markdown(saved)
    print()
    print(table(sorted(ROWS, key=lambda r: ORDER.index(r["section"])), False))
    print()
    print("bench: %d figures in %.1f min; BENCHMARKS.md updated; raw data in %s" % (
        len(ROWS), (time.time() - started) / 60, os.path.relpath(run_dir(), ROOT)))


if __name__ == "__main__":
    main()
