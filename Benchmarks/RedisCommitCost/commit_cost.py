"""What a firing's commit costs redis-server, by the way it is written: the measurement behind
swiftbeat's choice of WATCH/MULTI/EXEC over a Lua script (Sources/BeatRunner/Redis/CommitTransaction.swift).

    .venv-bench/bin/python Benchmarks/RedisCommitCost/commit_cost.py [PORT]

Starts its own redis-server on 127.0.0.1:PORT (default 6491), stops it at the end, and prints
redis-server's CPU time per firing (from /proc/<pid>/task/*/schedstat), for:
  - a Lua script that does nothing, given 1,000 arguments of each size: what passing bytes into Lua costs;
  - the commit swiftbeat used before (a Lua script: compare, write back, push; the entry read,
    the entry written and the 1 KB envelope as arguments), with the MGET that read the entries;
  - the commit swiftbeat uses now, in groups of 100: MGET, WATCH + GET lock + MGET (the check),
    MULTI + SET ... KEEPTTL per entry + LPUSH + EXEC.
Nothing here is a test; the figures vary with the machine (run it when the machine is quiet).
"""
import os
import subprocess
import sys
import tempfile
import time

import redis

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 6491
ENTRIES = 20000
PAYLOAD = b"x" * 1036  # a kombu envelope of a beat-like Celery message is about this size

OLD_SCRIPT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local results = {}
local payloads = {}
local a = 2
for i = 2, #KEYS do
    local current = redis.call('GET', KEYS[i])
    if current == false then results[i - 1] = 0
    elseif current ~= ARGV[a] then results[i - 1] = 2
    else
        redis.call('SET', KEYS[i], ARGV[a + 1], 'KEEPTTL')
        payloads[#payloads + 1] = ARGV[a + 2]
        results[i - 1] = 1
    end
    a = a + 3
end
if #payloads > 0 then redis.call('LPUSH', 'celery', unpack(payloads)) end
return results
"""


def entry(i, count):
    return ('{"name": "e%d", "task": "bench.noop", "enabled": true, "schedule": {"every": 10.0, "period": "seconds"}, '
            '"args": [%d], "kwargs": {}, "options": {"expires": 3600}, "last_run_at": {"__type__": "datetime", '
            '"year": 2026, "month": 11, "day": 28, "hour": 0, "minute": 1, "second": %d, "microsecond": 123456}, '
            '"total_run_count": %d}' % (i, i, count % 60, count)).encode()


def main():
    directory = tempfile.mkdtemp(prefix="commit-cost-")
    server = subprocess.Popen(["redis-server", "--port", str(PORT), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", directory], stdout=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=PORT)
        for _ in range(100):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        measure(r, server.pid)
    finally:
        server.terminate()
        server.wait()


def cpu_seconds(pid):
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
            total += int(f.read().split()[0])
    return total / 1e9


def measure(r, pid):
    connection = r.connection_pool.get_connection()
    keys = ["tasks:meta:e%d" % i for i in range(ENTRIES)]

    def run(commands_per_round):
        """Redis CPU per firing over every round, each round's commands written at once."""
        total = 0.0
        for commands in commands_per_round:
            packed = connection.pack_commands(commands)
            start = cpu_seconds(pid)
            connection.send_packed_command(packed)
            replies = [connection.read_response() for _ in commands]
            total += cpu_seconds(pid) - start
            yield replies
        run.per_firing = total / ENTRIES * 1e6

    def reset():
        r.set("lock", "token")
        for i, key in enumerate(keys):
            r.set(key, entry(i, 0))
        r.delete("celery")

    nop = r.script_load("return 1")
    print("A Lua script that does nothing, 1,000 arguments (redis CPU per argument):")
    for size in (100, 330, 1036, 4000):
        argument = b"y" * size
        rounds = [[("EVALSHA", nop, 0, *[b"%06d" % i + argument[6:] for i in range(1000)])] for _ in range(ENTRIES // 1000)]
        for _ in run(rounds):
            pass
        print("  %5d bytes: %5.2f µs (%.2f ns a byte)" % (size, run.per_firing, run.per_firing * 1000 / size))

    old = r.script_load(OLD_SCRIPT)
    reset()
    rounds = []
    for start in range(0, ENTRIES, 1000):
        group = keys[start:start + 1000]
        arguments = [b"token"]
        for key in group:
            i = int(key.rsplit("e", 1)[1])
            arguments += [entry(i, 0), entry(i, 1), PAYLOAD]
        rounds.append([("MGET", *group), ("EVALSHA", old, len(group) + 1, "lock", *group, *arguments)])
    for replies in run(rounds):
        assert all(result == 1 for result in replies[-1]), "the Lua commit did not commit"
    print("Lua commit, batches of 1,000 (MGET + EVALSHA): %.2f µs of redis CPU a firing" % run.per_firing)

    reset()
    rounds = []
    for start in range(0, ENTRIES, 100):
        group = keys[start:start + 100]
        commands = [("MGET", *group), ("WATCH", "lock", *group), ("GET", "lock"), ("MGET", *group), ("MULTI",)]
        for key in group:
            i = int(key.rsplit("e", 1)[1])
            commands.append(("SET", key, entry(i, 1), "KEEPTTL"))
        commands += [("LPUSH", "celery", *([PAYLOAD] * len(group))), ("EXEC",)]
        rounds.append(commands)
    for replies in run(rounds):
        assert isinstance(replies[-1], list), "the transaction was aborted"
    print("WATCH/MULTI/EXEC commit, groups of 100 (MGET, check, transaction): %.2f µs of redis CPU a firing" % run.per_firing)
    r.connection_pool.release(connection)


if __name__ == "__main__":
    main()
