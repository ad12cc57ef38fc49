"""The test hosts of scripts/faults: one network namespace per host, all joined to a bridge that
lives in a namespace of its own ("hub"), so nothing is added to the machine's own network.

    hub:   br0 ─┬─ veth ─ redis (10.77.0.1): redis-server, RabbitMQ, the recorder
                ├─ veth ─ n1    (10.77.0.11): swiftbeat
                ├─ veth ─ n2    (10.77.0.12): swiftbeat
                └─ veth ─ n3    (10.77.0.13): swiftbeat

Every name starts with a prefix holding the harness's pid, so two runs never touch each other's
hosts, and `remove()` deletes exactly the namespaces this run created (their veths go with them).
Faults are applied inside a host's namespace: iptables DROP rules (both directions, so a
connection hangs as on a real partition instead of being reset), random loss (iptables'
statistic match), and the link state. Latency comes from relay.py: this kernel has no netem.
"""

import subprocess

SUBNET = "10.77.0"
ADDRESSES = {"redis": f"{SUBNET}.1", "n1": f"{SUBNET}.11", "n2": f"{SUBNET}.12", "n3": f"{SUBNET}.13"}


def run(*command, check=True):
    """Runs a command; on failure raises with its stderr, so a setup step that fails says why."""
    done = subprocess.run(command, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


class Topology:
    def __init__(self, prefix):
        self.prefix = prefix
        self.created = []

    def namespace(self, host):
        return f"{self.prefix}-{host}"

    def create(self):
        hub = self.namespace("hub")
        self._add_namespace(hub)
        run("ip", "-n", hub, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", hub, "link", "set", "br0", "up")
        for host, address in ADDRESSES.items():
            namespace = self.namespace(host)
            self._add_namespace(namespace)
            run("ip", "-n", hub, "link", "add", f"v-{host}", "type", "veth", "peer", "name", "eth0", "netns", namespace)
            run("ip", "-n", hub, "link", "set", f"v-{host}", "master", "br0", "up")
            run("ip", "-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
            run("ip", "-n", namespace, "link", "set", "eth0", "up")

    def _add_namespace(self, namespace):
        run("ip", "netns", "add", namespace)
        self.created.append(namespace)
        run("ip", "-n", namespace, "link", "set", "lo", "up")

    def exec_prefix(self, host):
        """The command prefix that runs a program on HOST."""
        return ["ip", "netns", "exec", self.namespace(host)]

    def remove(self):
        """Kills whatever still runs in our namespaces (only our processes can be there), then deletes them."""
        for namespace in reversed(self.created):
            pids = run("ip", "netns", "pids", namespace, check=False).split()
            for pid in pids:
                subprocess.run(["kill", "-KILL", pid], capture_output=True)
            run("ip", "netns", "del", namespace, check=False)
        self.created = []

    # Faults.

    def iptables(self, host, *rule):
        run(*self.exec_prefix(host), "iptables", "-w", *rule)

    def partition_port(self, host, peer_address, port):
        """HOST can no longer talk to PEER_ADDRESS:PORT, nor hear from it: packets are dropped, not refused."""
        self.iptables(host, "-A", "OUTPUT", "-p", "tcp", "-d", peer_address, "--dport", str(port), "-j", "DROP")
        self.iptables(host, "-A", "INPUT", "-p", "tcp", "-s", peer_address, "--sport", str(port), "-j", "DROP")

    def isolate_service(self, host, port):
        """Nobody on the network reaches HOST's PORT (loopback still does: the recorder stays connected)."""
        self.iptables(host, "-A", "INPUT", "-i", "eth0", "-p", "tcp", "--dport", str(port), "-j", "DROP")
        self.iptables(host, "-A", "OUTPUT", "-o", "eth0", "-p", "tcp", "--sport", str(port), "-j", "DROP")

    def heal(self, host):
        self.iptables(host, "-F", "INPUT")
        self.iptables(host, "-F", "OUTPUT")

    def lossy(self, host, probability):
        """Drops that share of the packets HOST receives on its link (`tc netem` is missing from
        this kernel; iptables' statistic match drops the same way, and TCP retransmits)."""
        self.iptables(host, "-A", "INPUT", "-i", "eth0", "-m", "statistic", "--mode", "random",
                      "--probability", str(probability), "-j", "DROP")

    def link(self, host, up):
        run("ip", "-n", self.namespace(host), "link", "set", "eth0", "up" if up else "down")
