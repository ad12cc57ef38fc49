"""Capture the task messages real Python Celery sends, for swiftbeat's golden tests.

Run by scripts/capture-golden inside a venv holding celery[redis]. For every case below it calls
app.send_task(...) (the call Celery's own beat makes), takes the message off the broker raw
(LPUSHed envelope on Redis, basic_get on RabbitMQ) and writes it normalised as JSON: values that
change on every send (ids, origin, reply_to, delivery tags, timestamps) become placeholders after
their shape has been checked here, so the fixture can be compared exactly.
"""
import base64
import json
import os
import re
import sys

import celery
from celery import Celery

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d$")

# name -> send_task keyword arguments; args/kwargs cover what users put in schedules.
CASES = {
    "beat-entry": dict(
        name="tasks.add", args=[2, 2], kwargs={"z": "ü"}, queue="golden",
        headers={"celery_beat_task": True, "periodic_task_name": "add-every-10s"},
        expires=60, time_limit=30, soft_time_limit=20),
    "rich-arguments": dict(
        name="tasks.echo",
        args=[{"nested": [1, [2, {"deep": None}]]}, "unicode: ü € 😀 \"q\" 'a'", 12345678901234567890, -2**40, 0.1, 1e-07, True, None],
        kwargs={"big": 2**63 - 1, "float": 2.5, "list": [], "obj": {"k": "v"}, "none": None},
        queue="golden", countdown=30, priority=7),
    "defaults": dict(name="tasks.noop"),
}


def normalise_headers(headers, task_id):
    out = dict(headers)
    assert UUID.match(out["id"]), out["id"]
    assert out["root_id"] == task_id
    out["id"] = out["root_id"] = "<task-id>"
    assert re.match(r"^gen\d+@.+$", out["origin"]), out["origin"]
    out["origin"] = "<origin>"
    for key in ("eta", "expires"):
        if out.get(key) is not None:
            assert ISO_WITH_OFFSET.match(out[key]), out[key]
            out[key] = "<timestamp>"
    return out


def normalise_properties(props, task_id):
    out = dict(props)
    assert out["correlation_id"] == task_id
    out["correlation_id"] = "<task-id>"
    if out.get("reply_to"):
        out["reply_to"] = "<reply-to>"
    if "delivery_tag" in out:
        assert UUID.match(out["delivery_tag"]), out["delivery_tag"]
        out["delivery_tag"] = "<delivery-tag>"
    return out


def capture_redis(url, case, options):
    import redis
    app = Celery("capture", broker=url)
    client = redis.Redis.from_url(url)
    queue = options.get("queue", "celery")
    client.delete(*([k for k in client.keys(queue + "*")] or [queue]))
    result = app.send_task(**options)
    keys = client.keys(queue + "*")
    assert len(keys) == 1, keys
    raw = client.rpop(keys[0])
    envelope = json.loads(raw)
    body = base64.b64decode(envelope["body"])
    task_id = result.id
    envelope["headers"] = normalise_headers(envelope["headers"], task_id)
    envelope["properties"] = normalise_properties(envelope["properties"], task_id)
    return {
        "case": case, "broker": "redis", "celery": celery.__version__,
        "list": keys[0].decode("latin-1"),
        "envelope_keys": list(envelope.keys()),
        "header_order": list(envelope["headers"].keys()),
        "envelope": {k: v for k, v in envelope.items() if k != "body"},
        "body_text": body.decode("utf-8"),
    }


def capture_amqp(url, case, options):
    import amqp
    app = Celery("capture", broker=url)
    queue = options.get("queue", "celery")
    result = app.send_task(**options)
    parts = re.match(r"amqp://(\w+):(\w+)@([^:/]+):(\d+)/", url)
    user, password, host, port = parts.groups()
    connection = amqp.Connection(f"{host}:{port}", userid=user, password=password)
    connection.connect()
    channel = connection.channel()
    message = channel.basic_get(queue, no_ack=True)
    assert message is not None, "message not found in queue " + queue
    props = dict(message.properties)
    headers = props.pop("application_headers")
    task_id = result.id
    typed = {key: type(value).__name__ for key, value in headers.items()}
    # The queue stays: kombu's global connection pool remembers it as declared and would not
    # declare it again for the next case. cleanup_amqp deletes it after the last case.
    connection.close()
    return {
        "case": case, "broker": "amqp", "celery": celery.__version__,
        "exchange": message.delivery_info["exchange"],
        "routing_key": message.delivery_info["routing_key"],
        "properties": normalise_properties(props, task_id),
        "headers": normalise_headers(headers, task_id),
        "header_types": typed,
        "header_order": list(headers.keys()),
        "body_text": message.body.decode("utf-8") if isinstance(message.body, bytes) else message.body,
    }


def cleanup_amqp(url):
    import amqp
    parts = re.match(r"amqp://(\w+):(\w+)@([^:/]+):(\d+)/", url)
    user, password, host, port = parts.groups()
    connection = amqp.Connection(f"{host}:{port}", userid=user, password=password)
    connection.connect()
    channel = connection.channel()
    for queue in {options.get("queue", "celery") for options in CASES.values()}:
        channel.queue_delete(queue)
    connection.close()


def main():
    broker, url, out_dir = sys.argv[1:4]
    capture = capture_redis if broker == "redis" else capture_amqp
    minor = ".".join(celery.__version__.split(".")[:2])
    for case, options in CASES.items():
        record = capture(url, case, dict(options))
        path = os.path.join(out_dir, f"celery-{minor}-{broker}-{case}.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=2, ensure_ascii=False, sort_keys=True)
            handle.write("\n")
        print("wrote", path)
    if broker == "amqp":
        cleanup_amqp(url)


if __name__ == "__main__":
    main()
