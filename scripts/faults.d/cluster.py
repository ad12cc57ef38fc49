"""The processes of one scenario of scripts/faults: redis-server and the recorder on the Redis host,
three `swiftbeat run` nodes, and the RabbitMQ node (started once per run, emptied per scenario).
Each process is started through `ip netns exec` (which execs it, so the pid is the program's own)
and stopped by that pid."""

import json
import os
import signal
import subprocess
import time

from topology import ADDRESSES, run

NODES = ["n1", "n2", "n3"]
LOCK_TTL = 5
STANDBY_RETRY = 1
ENTRIES = 100
RELAY_PORT = 6380
RELAY_DELAY_MS = 200


def wait_until(seconds, what, predicate, interval=0.1):
    """Polls PREDICATE until it returns something truthy; raises when the deadline passes."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"gave up after {seconds} s waiting for {what}")


class Cluster:
    def __init__(self, topology, work, binary, python, broker, relay=False):
        self.topology = topology
        self.relay = relay
        self.work = work
        self.binary = binary
        self.python = python
        self.broker = broker
        self.probe = os.path.join(os.path.dirname(__file__), "probe.py")
        self.processes = {}
        self.node_pids = {}  # pid -> node, for every node process started in this scenario
        os.makedirs(work, exist_ok=True)

    def spawn(self, name, host, command, log):
        handle = open(os.path.join(self.work, log), "ab")
        process = subprocess.Popen(self.topology.exec_prefix(host) + command, stdout=handle, stderr=handle, start_new_session=True)
        self.processes[name] = process
        return process

    def probe_run(self, *arguments):
        return run(*self.topology.exec_prefix("redis"), self.python, self.probe, *arguments)

    # Redis and the broker.

    def start_redis(self):
        self.spawn("redis", "redis", [
            "redis-server", "--port", "6379", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "",
            "--appendonly", "no", "--dir", self.work, "--maxmemory-policy", "noeviction"], "redis.log")
        wait_until(20, "redis-server", lambda: self.redis_cli("PING", check=False).strip() == "PONG")
        if self.relay:
            relay = os.path.join(os.path.dirname(__file__), "relay.py")
            self.spawn("relay", "redis", [self.python, relay, str(RELAY_PORT), "6379", str(RELAY_DELAY_MS)], "relay.log")
            wait_until(30, "the relay", lambda: "relaying" in open(os.path.join(self.work, "relay.log")).read())

    def redis_port(self):
        """The port nodes reach Redis on: the relay's, when the scenario adds latency."""
        return RELAY_PORT if self.relay else 6379

    def delay(self, on):
        self.processes["relay"].send_signal(signal.SIGUSR1 if on else signal.SIGUSR2)

    def redis_cli(self, *command, check=True, db=0):
        return run(*self.topology.exec_prefix("redis"), "redis-cli", "-p", "6379", "-n", str(db), *command, check=check)

    def start_recorder(self):
        self.messages_path = os.path.join(self.work, "messages.jsonl")
        self.spawn("recorder", "redis", [self.python, self.probe, "record", self.broker, self.messages_path], "recorder.log")
        wait_until(30, "the recorder", lambda: "recording" in open(os.path.join(self.work, "recorder.log")).read())

    def broker_url(self):
        if self.broker == "redis":
            return f"redis://{ADDRESSES['redis']}:{self.redis_port()}/0"
        return f"amqp://guest:guest@{ADDRESSES['redis']}:5672//"

    # The beat nodes.

    def start_node(self, node):
        process = self.spawn(node, node, [
            self.binary, "run", "--scheduler-url", f"redis://{ADDRESSES['redis']}:{self.redis_port()}/1", "--broker-url", self.broker_url(),
            "--lock-ttl", str(LOCK_TTL), "--standby-retry", str(STANDBY_RETRY), "--log-format", "json"], f"{node}.log")
        self.node_pids[process.pid] = node

    def holder(self):
        """The node holding the lock, or None."""
        pid = self.probe_run("holder").strip()
        return self.node_pids.get(int(pid)) if pid else None

    def node_of_origin(self, origin):
        """`gen<pid>@host` -> node name."""
        try:
            return self.node_pids.get(int(origin.split("@")[0][3:]))
        except (ValueError, AttributeError):
            return None

    def crashed_nodes(self):
        """Nodes that exited on their own (a crash: nothing in the scenarios asks a node to stop)."""
        return {node: self.processes[node].returncode for node in NODES if self.processes[node].poll() is not None}

    def stop_nodes(self):
        """SIGTERM, then the exit status of each; a node still running after 20 s is killed (and reported)."""
        statuses = {}
        for node in NODES:
            if self.processes[node].poll() is None:
                self.processes[node].send_signal(signal.SIGTERM)
        for node in NODES:
            try:
                statuses[node] = self.processes[node].wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.processes[node].kill()
                statuses[node] = "did not stop within 20 s of SIGTERM"
        return statuses

    def stop_recorder(self):
        recorder = self.processes["recorder"]
        recorder.send_signal(signal.SIGTERM)
        recorder.wait(timeout=60)

    def stop_redis(self):
        self.processes["redis"].terminate()
        self.processes["redis"].wait(timeout=20)

    def kill_everything(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()

    # What happened.

    def messages(self):
        with open(self.messages_path) as lines:
            return [json.loads(line) for line in lines if line.strip()]

    def committed(self):
        return json.loads(self.probe_run("committed"))

    def node_log(self, node):
        events = []
        with open(os.path.join(self.work, f"{node}.log"), errors="replace") as lines:
            for line in lines:
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:
                    events.append({"message": line.strip(), "level": "raw"})
        return events


class RabbitMQ:
    """The RabbitMQ node of scripts/rabbitmq, run on the Redis host and listening on its address."""

    def __init__(self, topology, state, repository):
        self.topology = topology
        self.environment = dict(os.environ, SWIFTBEAT_RABBITMQ_STATE=state, SWIFTBEAT_RABBITMQ_LISTEN="0.0.0.0",
                                SWIFTBEAT_RABBITMQ_PORT="5672")
        self.script = os.path.join(repository, "scripts", "rabbitmq")
        self.state = state

    def command(self, *arguments):
        done = subprocess.run(self.topology.exec_prefix("redis") + [self.script, *arguments], env=self.environment,
                              capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise RuntimeError(f"scripts/rabbitmq {' '.join(arguments)}: {done.stderr.strip()[-2000:]}")
        return done.stdout

    def start(self):
        self.command("start")

    def stop(self):
        self.command("stop")

    def ctl(self, *arguments):
        return self.command("ctl", *arguments)

    def empty(self):
        """Deletes the queue, so each scenario counts only its own messages."""
        try:
            self.ctl("delete_queue", "celery")
        except RuntimeError as error:
            if "not_found" not in str(error) and "not found" not in str(error):
                raise

    def beam_pid(self):
        with open(os.path.join(self.state, "rabbitmq.pid")) as file:
            return int(file.read().strip())
