"""A TCP relay on loopback that puts a distance between a client and a server: a new connection
waits one round trip (the TCP handshake) before it reaches the server, and every piece of data
takes half a round trip each way. bench/proxy.py puts it in front of the upstream, as an index
across the internet (pypi.org is 10-100 ms away) rather than on the same machine."""

import asyncio
import threading

CHUNK = 64 * 1024


class Relay:
    """Listens on 127.0.0.1:`port` (chosen free) and relays to 127.0.0.1:`target_port`."""

    def __init__(self, target_port, rtt_ms):
        self.target_port, self.rtt = target_port, rtt_ms / 1000.0
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), name="relay", daemon=True)
        self._thread.start()
        started.wait(10)
        self.url = f"http://127.0.0.1:{self.port}"

    def _run(self, started):
        asyncio.set_event_loop(self._loop)
        self._loop.set_exception_handler(lambda loop, context: None)  # connections cut at stop()
        server = self._loop.run_until_complete(asyncio.start_server(self._connection, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        started.set()
        self._loop.run_forever()
        # stop(): the connections still relayed (kept alive) are cut, then the loop closes.
        server.close()
        tasks = asyncio.all_tasks(self._loop)
        for task in tasks:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        self._loop.close()

    def stop(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _connection(self, client_reader, client_writer):
        await asyncio.sleep(self.rtt)  # the handshake's round trip
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer))

    async def _pipe(self, reader, writer):
        """Everything read from `reader`, written to `writer` half a round trip later (in order:
        the delay is the same for every piece); then the end of the stream, as late."""
        loop = asyncio.get_running_loop()
        try:
            while chunk := await reader.read(CHUNK):
                loop.call_later(self.rtt / 2, writer.write, chunk)
        except OSError:
            pass
        await asyncio.sleep(self.rtt / 2 + 0.001)
        try:
            if writer.can_write_eof():
                writer.write_eof()
        except OSError:
            pass
        await asyncio.sleep(self.rtt)
        writer.close()
