"""Routing cases decided by real Celery, for swiftbeat's router comparison (CeleryRoutingComparisonTests).

    python routing_cases.py SEED COUNT

writes COUNT JSON lines. Each holds a generated Celery config in the spelling swiftbeat's config file
takes (a task_queues mapping or list, task_routes with glob and `re:` keys, the task_default_*
settings), a task name and the options a beat entry would carry, and what Celery itself did with
them: the exchange, routing key, delivery mode, priority and declared queue it passed to kombu's
Producer.publish, or the exception it raised instead.

The task is sent the way Python beat sends a task its app has registered (beat imports the app's
task modules before it starts): `task.apply_async(args, kwargs, **entry.options)`. Publishing is
intercepted at Producer.publish, so nothing is sent and no broker is needed.
"""
import json
import random
import re
import sys

from celery import Celery
from kombu import Exchange, Queue
from kombu.messaging import Producer

QUEUE_NAMES = ["celery", "default", "reports", "math", "bulk"]
EXCHANGES = ["celery", "default", "reports", "topicx", "fanx"]
TASKS = [
    "proj.tasks.add", "proj.tasks.mul", "proj.reports.daily", "proj.reports.weekly", "reports.monthly",
    "billing.charge", "billing.refund", "a", "ab.c", "proj.x?y",
]
GLOBS = ["proj.*", "proj.reports.*", "*.daily", "billing.*", "*", "proj.tasks.?ul", "[ab]*", "[!p]*.c*", "*s.*y"]
REGEXES = [r"^proj\.(tasks|x)\.", r"billing\.(charge|refund)$", r"reports\.", r"^a$"]


def maybe(rng, value, p=0.5):
    return value() if rng.random() < p else None


def generated_queue(rng):
    options = {}
    if rng.random() < 0.6:
        options["exchange"] = rng.choice(EXCHANGES)
    if rng.random() < 0.5:
        options["exchange_type"] = rng.choice(["direct", "topic", "fanout"])
    if rng.random() < 0.5:
        options[rng.choice(["routing_key", "binding_key"])] = rng.choice(["rk1", "reports.#", "math", "celery"])
    if rng.random() < 0.3:
        options["queue_arguments"] = {"x-max-priority": rng.choice([5, 10])}
    if rng.random() < 0.2:
        options["delivery_mode"] = rng.choice([1, 2])
    return options


def generated_route(rng):
    if rng.random() < 0.4:
        return rng.choice(QUEUE_NAMES + ["unknownq"])
    route = {}
    if rng.random() < 0.8:
        route["queue"] = rng.choice(QUEUE_NAMES + ["unknownq"])
    if rng.random() < 0.3:
        route["exchange"] = rng.choice(EXCHANGES)
    if rng.random() < 0.3:
        route["routing_key"] = rng.choice(["rk1", "rk2", "reports.daily"])
    if rng.random() < 0.3:
        route["priority"] = rng.randint(0, 9)
    if rng.random() < 0.15:
        route["exchange_type"] = rng.choice(["direct", "topic"])
    if rng.random() < 0.1:
        route["delivery_mode"] = rng.choice([1, 2])
    return route


def generated_routes(rng):
    def one_map():
        keys = rng.sample(TASKS, rng.randint(0, 2)) + rng.sample(GLOBS, rng.randint(0, 3))
        keys += ["re:" + pattern for pattern in rng.sample(REGEXES, rng.randint(0, 1))]
        rng.shuffle(keys)
        return {key: generated_route(rng) for key in keys}

    if rng.random() < 0.3:
        return [one_map() for _ in range(rng.randint(1, 3))]
    return one_map()


def generated_config(rng):
    config = {}
    if rng.random() < 0.5:
        config["task_default_queue"] = rng.choice(QUEUE_NAMES)
    if rng.random() < 0.25:
        config["task_default_exchange"] = rng.choice(EXCHANGES)
    if rng.random() < 0.25:
        config["task_default_exchange_type"] = rng.choice(["direct", "topic", "fanout"])
    if rng.random() < 0.25:
        config["task_default_routing_key"] = rng.choice(["rk1", "default", "celery"])
    if rng.random() < 0.25:
        config["task_default_priority"] = rng.randint(0, 9)
    if rng.random() < 0.25:
        config["task_default_delivery_mode"] = rng.choice([1, 2, "transient", "persistent"])
    if rng.random() < 0.3:
        config["task_create_missing_queues"] = rng.random() < 0.5
    if rng.random() < 0.2:
        config["task_queue_max_priority"] = rng.choice([5, 10])
    if rng.random() < 0.5:
        names = rng.sample(QUEUE_NAMES, rng.randint(1, 3))
        if rng.random() < 0.5:
            config["task_queues"] = {name: generated_queue(rng) for name in names}
        else:
            config["task_queues"] = [dict(name=name, **generated_queue(rng)) for name in names]
    if rng.random() < 0.7:
        config["task_routes"] = generated_routes(rng)
    return config


def generated_options(rng):
    options = {}
    if rng.random() < 0.35:
        options["queue"] = rng.choice(QUEUE_NAMES + ["unknownq"])
    if rng.random() < 0.2:
        options["exchange"] = rng.choice(EXCHANGES)
    if rng.random() < 0.2:
        options["routing_key"] = rng.choice(["rk1", "rk9", "reports.x"])
    if rng.random() < 0.2:
        options["priority"] = rng.randint(0, 9)
    if rng.random() < 0.1:
        options["exchange_type"] = rng.choice(["direct", "topic"])
    if rng.random() < 0.1:
        options["delivery_mode"] = rng.choice([1, 2])
    return options


def celery_routes(routes):
    """task_routes as Celery takes it: `re:` keys become compiled patterns."""
    def one(mapping):
        return {(re.compile(key[3:]) if key.startswith("re:") else key): value for key, value in mapping.items()}

    return [one(m) for m in routes] if isinstance(routes, list) else one(routes)


def celery_queues(queues):
    """task_queues as Celery takes it: its own mapping form, name -> Queue.from_dict options."""
    if isinstance(queues, list):
        return {q["name"]: {k: v for k, v in q.items() if k != "name"} for q in queues}
    return queues


def a_task(*args, **kwargs):
    """The body of every registered task; never runs."""


class Published(Exception):
    def __init__(self, arguments):
        self.arguments = arguments


def intercepted_publish(self, body, routing_key=None, delivery_mode=None, mandatory=False, immediate=False,
                        priority=0, content_type=None, content_encoding=None, serializer=None, headers=None,
                        compression=None, exchange=None, retry=False, retry_policy=None, declare=None,
                        expiration=None, timeout=None, confirm_timeout=None, **properties):
    raise Published(dict(exchange=exchange, routing_key=routing_key, delivery_mode=delivery_mode,
                         priority=priority, declare=declare))


def outcome(config, task, options):
    app = Celery("routing", broker="memory://", set_as_current=False)
    conf = dict(config)
    if "task_routes" in conf:
        conf["task_routes"] = celery_routes(conf["task_routes"])
    if "task_queues" in conf:
        conf["task_queues"] = celery_queues(conf["task_queues"])
    app.conf.update(conf)
    registered = app.task(name=task)(a_task)
    try:
        registered.apply_async((), {}, **options)
    except Published as published:
        arguments = published.arguments
    except Exception as error:  # what Celery raises is part of the outcome
        return {"error": type(error).__name__}
    exchange = arguments["exchange"]
    exchange = exchange.name if isinstance(exchange, Exchange) else exchange
    delivery_mode = arguments["delivery_mode"]
    delivery_mode = {"transient": 1, "persistent": 2}.get(delivery_mode, delivery_mode)
    declared = [queue for queue in (arguments["declare"] or []) if isinstance(queue, Queue)]
    queue = declared[0] if declared else None
    return {
        "exchange": exchange,
        "routing_key": arguments["routing_key"],
        "delivery_mode": delivery_mode,
        "priority": arguments["priority"],
        "queue": None if queue is None else {
            "name": queue.name,
            "exchange": queue.exchange.name if queue.exchange is not None else None,
            "exchange_type": queue.exchange.type if queue.exchange is not None else None,
            "routing_key": queue.routing_key,
            "queue_arguments": queue.queue_arguments or {},
        },
    }


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    Producer.publish = intercepted_publish
    for _ in range(count):
        config = generated_config(rng)
        task = rng.choice(TASKS)
        options = generated_options(rng)
        print(json.dumps({"config": config, "task": task, "options": options,
                          "celery": outcome(config, task, options)}))


if __name__ == "__main__":
    main()
