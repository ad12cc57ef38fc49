#!/usr/bin/env python3
"""The soak's fast consumers: they read every task message that reached a broker and record it, so the
accounting never depends on a Celery worker keeping up with 1,200 tasks/s.

  consume.py redis PORT DB LIST OUT      kombu's Redis queue LIST (a Redis list: LPUSH in, oldest at the right)
  consume.py amqp PORT QUEUE OUT         a RabbitMQ queue, as guest on 127.0.0.1

One line per message delivered: "recv_us id entry fire_us redelivered", where entry is the first integer of
the `argsrepr` header (the loader gives entry i args [i]), fire_us the `expires` header minus 3600 s (the
firing instant: options.expires is 3600 s), and redelivered 1 when this consumer may have seen the
message before. Nothing is ever dropped on this side: a message is removed from the broker only after its
line is written and flushed (LRANGE, write, LTRIM; AMQP acks after the write), so a broker or connection
failure can only make this consumer see a message twice, and the analysis counts distinct task ids.
Both survive broker restarts (they reconnect every 0.2 s) and stop on SIGTERM once the queue is empty
or SOAK_DRAIN_DEADLINE seconds after the signal.
"""
import datetime
import json
import os
import signal
import sys
import time

EXPIRES_S = 3600
stop_requested = False


def on_term(*_):
    global stop_requested
    stop_requested = True


def fields(headers):
    """(id, entry, fire_us) of a Celery protocol 2 message's headers."""
    args = headers.get("argsrepr") or ""
    digits = ""
    for ch in args:
        if ch.isdigit() or (ch == "-" and not digits):
            digits += ch
        elif digits:
            break
    entry = int(digits) if digits and digits != "-" else -1
    fire_us = 0
    expires = headers.get("expires")
    if expires:
        instant = datetime.datetime.fromisoformat(expires)
        fire_us = int(round(instant.timestamp() * 1e6)) - EXPIRES_S * 1_000_000
    return headers.get("id"), entry, fire_us


def now_us():
    return int(time.time() * 1e6)


def drain_redis(port, db, key, out):
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, db=db, socket_timeout=5, socket_connect_timeout=2)
    seen_since_failure = False  # after a failure, the batch read before it may come again
    stop_at = None
    while True:
        if stop_requested and stop_at is None:
            stop_at = time.time() + float(os.environ.get("SOAK_DRAIN_DEADLINE", "120"))
        try:
            batch = client.lrange(key, -1000, -1)
            if not batch:
                if stop_at is not None:
                    return
                time.sleep(0.05)  # polling interval of an empty queue
                continue
            received = now_us()
            lines = []
            for raw in reversed(batch):  # the rightmost is the oldest
                message_id, entry, fire_us = fields(json.loads(raw)["headers"])
                lines.append("%d %s %d %d %d\n" % (received, message_id, entry, fire_us, int(seen_since_failure)))
            out.write("".join(lines))
            out.flush()
            client.ltrim(key, 0, -len(batch) - 1)
            seen_since_failure = False
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, redis.exceptions.BusyLoadingError):
            seen_since_failure = True
            if stop_at is not None and time.time() > stop_at:
                return
            time.sleep(0.2)
        if stop_at is not None and time.time() > stop_at:
            return


def drain_amqp(port, queue, out):
    import amqp

    stop_at = None
    while True:
        if stop_requested and stop_at is None:
            stop_at = time.time() + float(os.environ.get("SOAK_DRAIN_DEADLINE", "120"))
        if stop_at is not None and time.time() > stop_at:
            return
        try:
            connection = amqp.Connection(host="127.0.0.1:%d" % port, userid="guest", password="guest",
                                         connect_timeout=2, heartbeat=0)
            connection.connect()
            channel = connection.channel()
            channel.queue_declare(queue, durable=True, auto_delete=False)
            channel.basic_qos(0, 2000, False)
            pending = []

            def on_message(message):
                message_id, entry, fire_us = fields(dict(message.headers or {}))
                pending.append(("%d %s %d %d %d\n" % (now_us(), message_id, entry, fire_us,
                                                       int(bool(message.delivery_info.get("redelivered")))),
                                message.delivery_tag))

            channel.basic_consume(queue, callback=on_message, no_ack=False)
            while True:
                try:
                    connection.drain_events(timeout=0.2)
                    while len(pending) < 500:
                        connection.drain_events(timeout=0)
                except TimeoutError:  # socket.timeout: nothing more right now
                    pass
                if pending:
                    out.write("".join(line for line, _ in pending))
                    out.flush()
                    channel.basic_ack(pending[-1][1], multiple=True)
                    pending.clear()
                    continue
                if stop_requested:
                    if stop_at is None:
                        stop_at = time.time() + float(os.environ.get("SOAK_DRAIN_DEADLINE", "120"))
                    _, ready, _ = channel.queue_declare(queue, passive=True)
                    if ready == 0 or time.time() > stop_at:
                        connection.close()
                        return
        except (OSError, amqp.exceptions.AMQPError, amqp.exceptions.RecoverableConnectionError):
            time.sleep(0.2)  # the broker is restarting: reconnect; unacked messages come back redelivered


def main():
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    kind = sys.argv[1]
    if kind == "redis":
        port, db, key, path = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
        with open(path, "a") as out:
            drain_redis(port, db, key, out)
    elif kind == "amqp":
        port, queue, path = int(sys.argv[2]), sys.argv[3], sys.argv[4]
        with open(path, "a") as out:
            drain_amqp(port, queue, out)
    else:
        sys.exit("consume.py: usage: consume.py redis PORT DB LIST OUT | amqp PORT QUEUE OUT")


if __name__ == "__main__":
    main()
