"""BASELINE FOR THE BENCH ONLY (not part of the package): the hand-written balancer
that `freechoice serve --workers N` used before it moved to gunicorn. Kept so that
`bench/http_throughput.py --servers gunicorn,balancer` measures both side by side.

Several worker processes behind one port, each new connection handed to the worker
with the fewest open connections.

With uvicorn's own ``--workers``, every worker accepts from one shared socket and the
first one awake takes every connection waiting, so a burst of keep-alive connections
(a case system's connection pool, a proxy) can land 30 on one worker and 2 on the
other: one core idles while the requests on the other queue. Here the parent process
accepts, and passes each connection (its file descriptor, over a UNIX socket) to the
least-busy worker; the workers are ordinary uvicorn servers that listen on nothing
else. A worker that dies is started again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import selectors
import signal
import socket
from typing import Any

import uvicorn

__all__ = ["serve_balanced"]

log = logging.getLogger("uvicorn.error")


class _Worker(uvicorn.Server):
    """A uvicorn server fed with connections the parent accepted."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket, closed: Any, index: int) -> None:
        super().__init__(config)
        self.channel, self.closed, self.index = channel, closed, index

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the app's lifespan; no listening socket
        if self.should_exit:
            return
        loop = asyncio.get_running_loop()
        make = functools.partial(
            self.config.http_protocol_class,
            config=self.config,
            server_state=self.server_state,
            app_state=self.lifespan.state,
        )

        def factory() -> asyncio.Protocol:
            protocol = make()
            lost = protocol.connection_lost

            def connection_lost(exc: Exception | None) -> None:
                try:
                    lost(exc)
                finally:
                    self.closed[self.index] += 1  # tells the parent this worker has one fewer

            protocol.connection_lost = connection_lost  # type: ignore[method-assign]
            return protocol

        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), self._receive, loop, factory)

    def _receive(self, loop: asyncio.AbstractEventLoop, factory: Any) -> None:
        try:
            data, fds, _, _ = socket.recv_fds(self.channel, 16, 64)
        except BlockingIOError:
            return
        except OSError:
            data, fds = b"", []
        if not data and not fds:  # the parent has gone or is stopping
            loop.remove_reader(self.channel.fileno())
            self.should_exit = True
            return
        for fd in fds:
            conn = socket.socket(fileno=fd)
            loop.create_task(loop.connect_accepted_socket(factory, sock=conn)).add_done_callback(self._failed)

    def _failed(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.closed[self.index] += 1  # never connected, so never lost either


def _run_worker(config: uvicorn.Config, channel: socket.socket, closed: Any, index: int) -> None:
    config.configure_logging()  # a spawned process starts with none
    _Worker(config, channel, closed, index).run()


class _Pool:
    def __init__(self, config: uvicorn.Config, workers: int) -> None:
        self.config = config
        self.ctx = multiprocessing.get_context("spawn")
        # open connections of worker i = sent[i] - closed[i]; each slot has one writer
        self.sent = [0] * workers
        self.closed = self.ctx.Array("q", workers, lock=False)
        self.channels: list[socket.socket | None] = [None] * workers
        self.processes: list[Any] = [None] * workers
        self.turn = 0
        for i in range(workers):
            self.start(i)

    def start(self, i: int) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.setblocking(False)  # a worker that is not reading (still starting) never holds up the others
        self.sent[i] = self.closed[i] = 0
        process = self.ctx.Process(
            target=_run_worker, args=(self.config, theirs, self.closed, i), name=f"freechoice-worker-{i}"
        )
        process.start()
        theirs.close()
        old = self.channels[i]
        if old is not None:
            old.close()
        self.channels[i], self.processes[i] = ours, process
        log.info("Started worker %d [%d]", i, process.pid)

    def restart_dead(self) -> None:
        for i, process in enumerate(self.processes):
            if not process.is_alive():
                log.warning("Worker %d [%d] ended with code %s; starting it again", i, process.pid, process.exitcode)
                self.start(i)

    def hand_over(self, conn: socket.socket) -> None:
        n = len(self.processes)
        order = sorted(range(n), key=lambda k: (self.sent[k] - self.closed[k], (k - self.turn) % n))
        self.turn = (self.turn + 1) % n
        for i in order:
            channel = self.channels[i]
            try:
                assert channel is not None
                socket.send_fds(channel, [b"c"], [conn.fileno()])
            except OSError:
                continue  # gone (restart_dead() brings it back) or its queue is full: try the next
            self.sent[i] += 1
            return
        log.error("No worker could take a connection; closing it")

    def stop(self, timeout: float) -> None:
        for channel in self.channels:
            if channel is not None:
                channel.close()  # workers read end-of-file and shut down gracefully
        for process in self.processes:
            process.join(timeout)
            if process.is_alive():
                process.terminate()
                process.join(5)


def serve_balanced(config: uvicorn.Config, workers: int) -> None:
    """Serve ``config``'s app from ``workers`` processes until SIGINT or SIGTERM."""
    listener = config.bind_socket()
    listener.listen(config.backlog)
    listener.setblocking(False)
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    pool = _Pool(config, workers)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    try:
        while not stopping:
            ready = selector.select(timeout=0.5)
            if ready:
                while True:
                    try:
                        conn, _ = listener.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    with conn:
                        pool.hand_over(conn)
            pool.restart_dead()
    finally:
        selector.close()
        listener.close()
        pool.stop(timeout=(config.timeout_graceful_shutdown or 10) + 5)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":  # python bench/baseline_balancer.py PORT WORKERS
    import sys

    serve_balanced(
        uvicorn.Config(
            "freechoice.api.app:create_app", factory=True, host="127.0.0.1", port=int(sys.argv[1]), log_level="info"
        ),
        int(sys.argv[2]),
    )
