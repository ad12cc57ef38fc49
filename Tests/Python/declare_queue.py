"""Declare a queue the way a Celery worker with task_queue_max_priority would, then exit.

    python declare_queue.py BROKER_URL QUEUE MAX_PRIORITY

For tests that need messages to wait in a RabbitMQ priority queue before any worker consumes it:
swiftbeat only declares queues that are missing (durable, no arguments), so a queue with
x-max-priority must exist first, declared with exactly the arguments the worker will use.
"""
import sys

from kombu import Connection, Exchange, Queue

url, name, max_priority = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Connection(url) as connection:
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name, max_priority=max_priority)
    queue(connection.default_channel).declare()
