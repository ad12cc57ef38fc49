"""A delaying TCP relay for scripts/faults' latency scenario: this machine's kernel has no
`sch_netem` (`tc qdisc ... netem` answers "Specified qdisc kind is unknown"), so the delay is
added here, on the Redis host, in front of redis-server; the loss is iptables' `statistic`
match on every host's link, so TCP itself retransmits as it would on a lossy network.

    relay.py LISTEN_PORT TARGET_PORT DELAY_MS

Every chunk, in each direction, is held DELAY_MS from when it was read, in order (a one-way delay,
as `netem delay` on each host's link would add). SIGUSR1 turns the delay on, SIGUSR2 off; it
starts off, so the nodes connect through it before the fault.
"""

import asyncio
import signal
import sys
import time


class Relay:
    def __init__(self, target_port, delay):
        self.target_port = target_port
        self.delay = delay
        self.delaying = False

    async def pipe(self, reader, writer):
        queue = asyncio.Queue()

        async def send():
            while True:
                due, data = await queue.get()
                if data is None:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
            writer.close()

        sender = asyncio.ensure_future(send())
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                queue.put_nowait((time.monotonic() + (self.delay if self.delaying else 0), data))
        except ConnectionError:
            pass
        queue.put_nowait((0, None))
        try:
            await sender
        except ConnectionError:
            pass

    async def handle(self, client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self.pipe(client_reader, server_writer), self.pipe(server_reader, client_writer))


async def main(listen_port, target_port, delay_ms):
    relay = Relay(target_port, delay_ms / 1000)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, lambda: setattr(relay, "delaying", True))
    loop.add_signal_handler(signal.SIGUSR2, lambda: setattr(relay, "delaying", False))
    server = await asyncio.start_server(relay.handle, "0.0.0.0", listen_port)
    print("relaying", file=sys.stderr, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
