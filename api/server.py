"""Several worker processes behind one port: gunicorn's arbiter with uvicorn workers.

gunicorn binds the port once, starts ``workers`` processes that each run the app
(``create_app()`` is called in every worker, after the fork, so no database connection
or thread crosses a fork), restarts a worker that dies, and stops them all gracefully
on SIGTERM or SIGINT. The workers are ``uvicorn_worker.UvicornWorker`` (uvloop and
httptools where installed). Nothing here hands connections over by hand: every worker
accepts from the one listening socket.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

__all__ = ["GunicornServer"]


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Serve the ASGI app that ``load_app()`` builds from ``workers`` processes.

    Parameters
    ----------
    load_app : called once in each worker process; returns the ASGI app.
    bind : ``host:port``.
    workers : number of worker processes.
    options : further gunicorn settings (``graceful_timeout``, ``keepalive``, ...).
    """

    def __init__(self, load_app: Callable[[], Any], *, bind: str, workers: int, **options: Any) -> None:
        self.load_app = load_app
        self.options = {
            "bind": bind,
            "workers": workers,
            "worker_class": "uvicorn_worker.UvicornWorker",
            "graceful_timeout": 10,
            "timeout": 60,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "freechoice",
            **options,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key.lower(), value)

    def load(self) -> Any:
        return self.load_app()
