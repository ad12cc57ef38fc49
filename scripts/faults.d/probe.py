"""The parts of scripts/faults that run on the Redis host, over loopback (so no fault of the test
network touches them), with the Celery venv's redis-py and py-amqp:

    probe.py seed COUNT            write COUNT entries, due every second, under tasks:meta:fault-NNN
    probe.py committed             print {entry: total_run_count}: what the store says was committed
    probe.py holder                print the pid in the lock, or nothing
    probe.py record redis|amqp OUT consume the broker's `celery` queue, one JSON line per message
                                   in OUT with its arrival time; on SIGTERM, drain until 1 s of quiet

The broker's queue is the ground truth of what was sent. Each message is tied to its slot by its
`expires` header: the entry asks for `expires: 3600`, which swiftbeat turns into the firing's
instant + 3600 s, the same instant it commits as `last_run_at`.
"""

import json
import signal
import sys
import time

REDIS_PORT = 6379
AMQP_PORT = 5672
PREFIX = "tasks:meta:fault-"


def redis_client(db):
    import redis

    return redis.Redis(host="127.0.0.1", port=REDIS_PORT, db=db, socket_timeout=10)


def seed(count):
    client = redis_client(1)
    pipeline = client.pipeline()
    for index in range(count):
        entry = {
            "name": f"fault-{index:03d}", "task": "faults.probe", "enabled": True,
            "schedule": {"every": 1, "period": "seconds"}, "args": [index], "kwargs": {},
            "options": {"expires": 3600},
        }
        pipeline.set(f"{PREFIX}{index:03d}", json.dumps(entry))
    pipeline.execute()


def committed():
    client = redis_client(1)
    keys = sorted(key.decode() for key in client.keys(PREFIX + "*"))
    values = client.mget(keys) if keys else []
    counts = {key[len("tasks:meta:"):]: json.loads(value).get("total_run_count", 0) for key, value in zip(keys, values)}
    print(json.dumps(counts))


def holder():
    value = redis_client(1).get("celery:beat:task_lock")
    if value:
        print(json.loads(value)["pid"])


class Recorder:
    def __init__(self, path):
        self.out = open(path, "a", buffering=1)
        self.stopping = False
        signal.signal(signal.SIGTERM, self.stop)

    def stop(self, *_):
        self.stopping = True

    def write(self, headers):
        expires = headers.get("expires")
        self.out.write(json.dumps({
            "t": time.time(), "id": headers.get("id"), "entry": headers.get("periodic_task_name"),
            "origin": headers.get("origin"), "expires": expires if isinstance(expires, str) else str(expires),
        }) + "\n")

    def record_redis(self):
        client = redis_client(0)
        while True:
            item = client.brpop(["celery"], timeout=1)
            if item is None:
                if self.stopping:
                    return
                continue
            self.write(json.loads(item[1])["headers"])

    def record_amqp(self):
        import amqp

        # Retried: while RabbitMQ is frozen or alarmed the recorder waits with it.
        while True:
            try:
                connection = amqp.Connection(f"127.0.0.1:{AMQP_PORT}", userid="guest", password="guest", connect_timeout=5)
                connection.connect()
                channel = connection.channel()
                channel.queue_declare("celery", durable=True, auto_delete=False)
                channel.basic_consume("celery", callback=lambda message: self.write(dict(message.headers or {})), no_ack=True)
                break
            except Exception as error:  # noqa: BLE001 - any failure to connect is retried
                print(f"probe: cannot consume from rabbitmq yet: {error}", file=sys.stderr)
                time.sleep(0.5)
        while True:
            try:
                connection.drain_events(timeout=1)
            except TimeoutError:
                if self.stopping:
                    return
            except OSError as error:
                if "timed out" in str(error):
                    if self.stopping:
                        return
                    continue
                raise


def main(arguments):
    command = arguments[0]
    if command == "seed":
        seed(int(arguments[1]))
    elif command == "committed":
        committed()
    elif command == "holder":
        holder()
    elif command == "record":
        recorder = Recorder(arguments[2])
        print("recording", file=sys.stderr, flush=True)
        recorder.record_redis() if arguments[1] == "redis" else recorder.record_amqp()
    else:
        sys.exit(f"probe.py: unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
