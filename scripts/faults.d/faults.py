"""scripts/faults: swiftbeat under network and resource faults, on test hosts in network
namespaces (see topology.py). Usage: faults.py --binary B --python P --work DIR [SCENARIO...]

Each scenario starts a fresh Redis, 100 entries due every second, the recorder and three nodes
(lock TTL 5 s, standby retry 1 s), waits until a leader sends, applies its fault, heals it, waits
for firing to resume, stops the nodes with SIGTERM and counts (accounting.py). It prints one
PASS/FAIL line with its figures, and writes them to DIR/results.json.
"""

import argparse
import json
import os
import signal
import sys
import time

import accounting
from cluster import ENTRIES, LOCK_TTL, NODES, Cluster, RabbitMQ, wait_until
from topology import ADDRESSES, Topology

# Budget per scenario: a scenario still running after this fails (and the run goes on).
SCENARIO_DEADLINE = 150
# Before a lock could expire: renewed every TTL/3, so it lasts at least 2/3 TTL after a partition.
LOCK_EXPIRES_AFTER_PARTITION = LOCK_TTL * 2 / 3


class Deadline(Exception):
    pass


class Scenario:
    """One fault: `broker` is where firings go. `inject` notes the leader, calls `apply`, holds
    the fault for `duration` seconds, calls `heal`, and returns the marks the checks need; `apply`
    and `heal` may add their own marks."""

    name = ""
    title = ""
    broker = "redis"
    duration = 15
    # Nodes reach Redis through relay.py, which can add latency.
    relay = False
    # Which nodes lose Redis (their lost firings may be the unknown-commit window); with
    # `checks_leader_stop`, the cut-off leader must stop sending before its lock can expire.
    cuts_redis = False
    checks_leader_stop = False

    def __init__(self, harness):
        self.harness = harness

    def inject(self, cluster, topology):
        self.leader = cluster.holder()
        marks = {"leader": self.leader, "start": time.time()}
        try:
            marks.update(self.apply(cluster, topology) or {})
            hold(self.duration)
        finally:
            # Also when the deadline struck: a SIGSTOPped broker or a dropped link must not outlive it.
            marks.update(self.heal(cluster, topology) or {})
        marks["cleared"] = time.time()
        if self.cuts_redis:
            marks.setdefault("cuts", [(marks["start"], marks["cleared"])])
        return marks

    def apply(self, cluster, topology):
        raise NotImplementedError

    def heal(self, cluster, topology):
        raise NotImplementedError


def hold(seconds):
    """The fault lasts this long: a fixed duration is the scenario's definition, not a wait for an event."""
    time.sleep(seconds)


class LeaderPartitionedFromRedis(Scenario):
    name, broker, duration = "leader-partitioned", "amqp", 3 * LOCK_TTL
    title = "the leader partitioned from Redis while the standbys still reach it (broker still reachable)"
    cuts_redis = checks_leader_stop = True

    def apply(self, cluster, topology):
        topology.partition_port(self.leader, ADDRESSES["redis"], 6379)
        return {"standbys_reach_redis": True}

    def heal(self, cluster, topology):
        topology.heal(self.leader)


class RedisPartitionedFromAll(Scenario):
    name, broker, duration = "redis-partitioned", "amqp", 2.5 * LOCK_TTL
    title = "Redis partitioned from every node for 2.5 x the lock TTL (broker still reachable)"
    cuts_redis = checks_leader_stop = True

    def apply(self, cluster, topology):
        topology.isolate_service("redis", 6379)

    def heal(self, cluster, topology):
        topology.heal("redis")


class BrokerPartitioned(Scenario):
    name, broker, duration = "broker-partitioned", "amqp", 10
    title = "RabbitMQ partitioned from the leader for 10 s while it publishes 100 firings/s with confirms outstanding"

    def apply(self, cluster, topology):
        topology.partition_port(self.leader, ADDRESSES["redis"], 5672)

    def heal(self, cluster, topology):
        topology.heal(self.leader)


class LatencyAndLoss(Scenario):
    name, broker, duration, relay = "latency-loss", "redis", 30, True
    title = "200 ms one-way delay and 5% loss between the nodes and Redis for 30 s (Redis broker: commit and push in one transaction)"

    def apply(self, cluster, topology):
        cluster.delay(True)
        for host in ADDRESSES:
            topology.lossy(host, 0.05)

    def heal(self, cluster, topology):
        for host in ADDRESSES:
            topology.heal(host)
        cluster.delay(False)


class FlappingLink(Scenario):
    name, broker, duration = "flapping-link", "amqp", 0
    title = "the leader's link down 2 s / up 2 s, six times"
    cuts_redis = True

    def apply(self, cluster, topology):
        cuts = []
        for _ in range(6):
            down = time.time()
            topology.link(self.leader, up=False)
            hold(2)
            topology.link(self.leader, up=True)
            cuts.append((down, time.time()))
            hold(2)
        return {"cuts": cuts}

    def heal(self, cluster, topology):
        topology.link(self.leader, up=True)


class RedisOutOfMemory(Scenario):
    name, broker = "redis-maxmemory", "redis"
    title = "Redis at maxmemory with noeviction (writes refused) for 15 s, then memory freed"

    def apply(self, cluster, topology):
        memory = dict(line.split(":", 1) for line in cluster.redis_cli("INFO", "memory").split() if ":" in line)
        cluster.redis_cli("CONFIG", "SET", "maxmemory", str(max(int(memory["used_memory"]) // 2, 1)))
        return {"writes_refused": "OOM" in cluster.redis_cli("SET", "faults:probe", "x", check=False)}

    def heal(self, cluster, topology):
        holder = cluster.holder()
        cluster.redis_cli("CONFIG", "SET", "maxmemory", "0")
        return {"holder_at_end_of_fault": holder}


class DiskAlarm(Scenario):
    name, broker = "disk-alarm", "amqp"
    title = "RabbitMQ's disk alarm (disk_free_limit above the free space) blocks publishers for 15 s"

    def apply(self, cluster, topology):
        self.harness.rabbitmq.ctl("set_disk_free_limit", "1000000GB")

    def heal(self, cluster, topology):
        self.harness.rabbitmq.ctl("set_disk_free_limit", "50MB")


class BrokerStopsReading(Scenario):
    name, broker = "broker-stopped", "amqp"
    title = "RabbitMQ stops reading (its Erlang VM SIGSTOPped) for 15 s, then SIGCONT"

    def apply(self, cluster, topology):
        os.kill(self.harness.rabbitmq.beam_pid(), signal.SIGSTOP)

    def heal(self, cluster, topology):
        os.kill(self.harness.rabbitmq.beam_pid(), signal.SIGCONT)


SCENARIOS = [LeaderPartitionedFromRedis, RedisPartitionedFromAll, BrokerPartitioned, LatencyAndLoss, FlappingLink,
             RedisOutOfMemory, DiskAlarm, BrokerStopsReading]


class Harness:
    def __init__(self, arguments):
        self.arguments = arguments
        self.topology = Topology(f"sbf{os.getpid()}")
        self.rabbitmq = None

    def run(self, scenarios):
        results = []
        try:
            self.topology.create()
            if any(scenario.broker == "amqp" for scenario in scenarios):
                self.rabbitmq = RabbitMQ(self.topology, os.path.join(self.arguments.work, "rabbitmq"), self.arguments.repository)
                started = time.time()
                self.rabbitmq.start()
                print(f"faults: RabbitMQ started on {ADDRESSES['redis']}:5672 in {time.time() - started:.1f} s", flush=True)
            for scenario in scenarios:
                results.append(self.run_one(scenario(self)))
        finally:
            if self.rabbitmq:
                try:
                    self.rabbitmq.stop()
                except Exception as error:  # noqa: BLE001 - the namespace's removal kills what is left
                    print(f"faults: stopping RabbitMQ: {error}", file=sys.stderr)
            self.topology.remove()
        return results

    def run_one(self, scenario):
        work = os.path.join(self.arguments.work, scenario.name)
        cluster = Cluster(self.topology, work, self.arguments.binary, self.arguments.python, scenario.broker, scenario.relay)
        began = time.time()

        def expired(*_):
            raise Deadline(f"still running after {SCENARIO_DEADLINE} s")

        signal.signal(signal.SIGALRM, expired)
        signal.alarm(SCENARIO_DEADLINE)
        try:
            figures, failures = self.play(scenario, cluster)
        except (Deadline, TimeoutError, RuntimeError) as error:
            figures, failures = {}, [str(error)]
        finally:
            signal.alarm(0)
            cluster.kill_everything()
        figures["seconds"] = round(time.time() - began, 1)
        verdict = "PASS" if not failures else "FAIL"
        print(f"faults: {verdict} {scenario.name}: {scenario.title}", flush=True)
        for key, value in figures.items():
            print(f"faults:     {key}: {value}", flush=True)
        for failure in failures:
            print(f"faults:     FAIL because {failure}", flush=True)
        return {"scenario": scenario.name, "title": scenario.title, "broker": scenario.broker, "verdict": verdict,
                "figures": figures, "failures": failures}

    def play(self, scenario, cluster):
        topology = self.topology
        cluster.start_redis()
        if scenario.broker == "amqp":
            self.rabbitmq.empty()
        cluster.probe_run("seed", str(ENTRIES))
        cluster.start_recorder()
        for node in NODES:
            cluster.start_node(node)
        wait_until(30, "a leader", cluster.holder)
        wait_until(30, "the first firings", lambda: os.path.getsize(cluster.messages_path) > 0)
        time.sleep(3)  # steady firing before the fault: a span of normal operation to compare with
        marks = scenario.inject(cluster, topology)
        cleared = marks["cleared"]
        wait_until(60, "firing to resume after the fault", lambda: any(m["t"] > cleared for m in cluster.messages()), 0.05)
        time.sleep(4)  # steady firing after recovery, so the lost and repeated count includes the catch-up
        crashed = cluster.crashed_nodes()
        statuses = cluster.stop_nodes()
        cluster.stop_recorder()
        committed = cluster.committed()
        cluster.stop_redis()
        return self.judge(scenario, cluster, marks, committed, crashed, statuses)

    def judge(self, scenario, cluster, marks, committed, crashed, statuses):
        messages = cluster.messages()
        logs = {node: cluster.node_log(node) for node in NODES}
        start, cleared = marks["start"], marks["cleared"]
        counts = accounting.count(messages, committed, logs, marks.get("cuts", []))
        acquisitions = accounting.reigns(logs)
        overlap = accounting.overlaps(messages, acquisitions, cluster.node_of_origin)
        after = sorted(m["t"] for m in messages if m["t"] > cleared)
        figures = {
            "committed": counts["committed"], "delivered": counts["delivered"], "duplicates": counts["duplicates"],
            "sent_without_commit": counts["extra"], "lost": counts["lost_total"], "lost_by_window": counts["lost"],
            "fault_s": round(cleared - start, 1),
            "median_lag_during_fault_s": accounting.median_lag(messages, start, cleared),
            "longest_pause_s": round(accounting.longest_pause(messages, start - 1, cleared + 4), 2),
            "recovered_after_clear_s": round(after[0] - cleared, 2) if after else None,
            "leader_before": marks["leader"],
            "leader_changes": sum(1 for times in acquisitions.values() for t in times if t > start),
            **overlap,
        }
        failures = []
        if counts["duplicates"]:
            failures.append(f"{counts['duplicates']} duplicate firing(s)")
        if counts["extra"]:
            failures.append(f"{counts['extra']} firing(s) delivered that were never committed")
        if counts["lost"]["undocumented"]:
            failures.append(f"{counts['lost']['undocumented']} committed firing(s) lost outside the documented windows: "
                            f"{', '.join(counts['undocumented_entries'])}")
        if overlap["sent_after_takeover"]:
            failures.append(f"{overlap['sent_after_takeover']} firing(s) committed by a node after another took the lock")
        if crashed:
            failures.append(f"node(s) exited during the scenario: {crashed}")
        for node, status in statuses.items():
            if node not in crashed and status != 0:
                failures.append(f"{node} exit status after SIGTERM: {status}")
        if scenario.checks_leader_stop:
            self.judge_leader_stop(marks, messages, logs, cluster, figures, failures)
        for key in ("writes_refused", "holder_at_end_of_fault"):
            if key in marks:
                figures[key] = marks[key]
        figures["errors_logged"] = {node: sum(1 for e in events if e.get("level") in ("error", "critical")) for node, events in logs.items()}
        if scenario.name in ("redis-maxmemory", "disk-alarm", "broker-stopped", "broker-partitioned") and not any(
                figures["errors_logged"].values()):
            failures.append("the fault was not logged by any node")
        return figures, failures

    def judge_leader_stop(self, marks, messages, logs, cluster, figures, failures):
        """The central property: the cut-off leader's last delivery comes before its lock could
        expire (2/3 TTL after the partition), and before any standby's first."""
        leader, start = marks["leader"], marks["start"]
        own = [m["t"] for m in messages if cluster.node_of_origin(m["origin"]) == leader and m["t"] >= start - 1]
        during = [t for t in own if t <= marks["cleared"]]
        last = max(during) if during else None
        stop_line = [accounting.log_time(e) for e in logs[leader]
                     if e.get("message", "").startswith("stopped sending") and accounting.log_time(e) >= start]
        others = [m["t"] for m in messages if m["t"] >= start and cluster.node_of_origin(m["origin"]) not in (leader, None)]
        figures["old_leader_last_send_after_cut_s"] = round(last - start, 3) if last else "none after the cut"
        figures["old_leader_logged_stop_after_cut_s"] = round(stop_line[0] - start, 3) if stop_line else None
        figures["lock_could_expire_after_s"] = round(LOCK_EXPIRES_AFTER_PARTITION, 3)
        figures["standby_first_send_after_cut_s"] = round(min(others) - start, 3) if others else None
        if last and last - start >= LOCK_EXPIRES_AFTER_PARTITION:
            failures.append(f"the cut-off leader sent {last - start:.3f} s after the cut, when its lock could have expired")
        if last and others and min(others) <= last:
            failures.append("the cut-off leader and a standby sent at the same time")
        # Liveness where the standbys still reach Redis: one of them leads within the TTL and a retry, and then some.
        if marks.get("standbys_reach_redis") and (not others or min(others) - start > 2 * LOCK_TTL):
            failures.append(f"no standby sent within {2 * LOCK_TTL} s of the cut")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--repository", required=True)
    parser.add_argument("scenarios", nargs="*")
    arguments = parser.parse_args()
    by_name = {scenario.name: scenario for scenario in SCENARIOS}
    unknown = [name for name in arguments.scenarios if name not in by_name]
    if unknown:
        sys.exit(f"faults: unknown scenario {', '.join(unknown)}; known: {', '.join(by_name)}")
    chosen = [by_name[name] for name in arguments.scenarios] or SCENARIOS
    # SIGTERM/SIGINT unwind through the finally blocks, which stop everything and delete the namespaces.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    began = time.time()
    results = Harness(arguments).run(chosen)
    failed = [result["scenario"] for result in results if result["verdict"] == "FAIL"]
    summary = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(began)), "seconds": round(time.time() - began, 1),
               "results": results}
    with open(os.path.join(arguments.work, "results.json"), "w") as file:
        json.dump(summary, file, indent=2)
    print(f"faults: {len(results) - len(failed)} of {len(results)} scenarios passed in {summary['seconds']} s"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
