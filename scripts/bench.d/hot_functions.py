"""Writes Linking/hot-functions.txt: the functions of the beat's binary that a beat runs, so that lld
puts them next to each other (`--symbol-ordering-file`, see Package.swift).

The kernel maps a binary's pages 64 KB around each page touched; with the functions a beat runs
spread over the 10 MB of code, almost every 64 KB of it was resident. The workload is `scripts/bench
memory`'s (100 entries every second, Redis broker), run under callgrind, which records every function
executed. Names defined more than once in the binary (local symbols such as merged `objectdestroy.2Tm`)
are left out: lld would move every object's section that has one."""
import collections
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import bench as b

OUT = os.path.join(b.ROOT, "Linking", "hot-functions.txt")
SECONDS = 20


def executed_functions(callgrind_out):
    names, executed = {}, set()
    for line in open(callgrind_out, errors="replace"):
        m = re.match(r"^c?fn=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if m:
            if m.group(2):
                names[m.group(1)] = m.group(2)
            executed.add(names[m.group(1)])
    return executed


def defined_once(binary):
    counts = collections.Counter()
    for line in subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            counts[parts[2]] += 1
    return {name for name, count in counts.items() if count == 1}


def main():
    os.makedirs(b.STATE, exist_ok=True)
    work = tempfile.mkdtemp(prefix="hot-functions-", dir=b.STATE)
    # The symbol table is all it needs here. (Debug info once stopped valgrind 3.19 from reading the
    # binary at all: one DWARF 5 unit, from the C of CRabbitMQ; see Package.swift.)
    binary = os.path.join(work, "swiftbeat")
    subprocess.run(["strip", "--strip-debug", "-o", binary, b.SWIFTBEAT], check=True)
    out = os.path.join(work, "callgrind.out")
    b.redis_start()
    try:
        b.flush()
        first_due = time.time() + 4.0
        b.load_workload("swiftbeat", 100, first_due, 1.0, 1.0)
        argv = ["valgrind", "--tool=callgrind", "--demangle=no", "--callgrind-out-file=" + out, binary,
                *b.swiftbeat_argv()[1:]]
        with open(os.path.join(work, "valgrind.log"), "w") as log:
            beat = subprocess.Popen(argv, stdout=log, stderr=log)
            time.sleep(SECONDS)
            sent = int(b.redis_cli("llen", "celery", db=0))
            beat.send_signal(signal.SIGTERM)
            beat.wait(120)
    finally:
        b.redis_stop()
    if sent == 0:
        sys.exit("hot-functions: the beat sent nothing under callgrind (see %s)" % work)
    hot = sorted(executed_functions(out) & defined_once(binary))
    with open(OUT, "w") as f:
        f.write("\n".join(hot) + "\n")
    b.log("%d functions (%d messages sent under callgrind) -> %s" % (len(hot), sent, os.path.relpath(OUT, b.ROOT)))


if __name__ == "__main__":
    main()
