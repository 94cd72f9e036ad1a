"""Prometheus metrics at ``/metrics``: requests and their latency by route, option lists
created, the catalog (services, version), the database connection pool.

With ``metrics_dir`` set (``FREECHOICE_METRICS_DIR``), every worker process writes its
numbers to files there and ``/metrics`` in any worker reports the sum over all workers
(prometheus-client's multiprocess mode). Counters carry on across restarts while the
directory is kept (wipe it before a start to begin at zero); the pool gauges of workers
that exited are dropped at each scrape. Without it, each process reports its own.
"""

from __future__ import annotations

import glob
import os
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "mark_worker_dead"]

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _multiprocess(directory: str) -> None:
    """Switch prometheus-client to files in ``directory`` (it reads the variable itself)."""
    from prometheus_client import values

    os.makedirs(directory, exist_ok=True)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") != directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]


def mark_worker_dead(pid: int, directory: str) -> None:
    """Stop counting the live gauges (the database pool) of a worker that exited. Any
    worker does this for its dead siblings at each scrape; a process manager may also
    call it at once (e.g. gunicorn's ``child_exit``)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _forget_dead_workers(directory: str) -> None:
    """Live gauges are one file per process (``gauge_live*_<pid>.db``): drop those of
    processes that no longer run (a replaced worker, an earlier start)."""
    for path in glob.glob(os.path.join(directory, "gauge_live*_*.db")):
        pid = os.path.basename(path)[:-3].rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            mark_worker_dead(int(pid), directory)


class Metrics:
    """The metrics of one app (a registry of its own, so several apps can share a process)."""

    def __init__(self, directory: str | None = None) -> None:
        self.directory = directory
        if directory:
            _multiprocess(directory)
            own: CollectorRegistry | None = None  # values go to files; read back at scrape time
        else:
            own = CollectorRegistry()
        self.registry = own
        self.requests = Counter(
            "freechoice_http_requests",
            "HTTP requests answered, by route and status.",
            ["method", "route", "status"],
            registry=own,
        )
        self.latency = Histogram(
            "freechoice_http_request_duration_seconds",
            "Time to answer, by route.",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=own,
        )
        self.option_lists = Counter(
            "freechoice_option_lists_created", "Option lists proposed and stored.", registry=own
        )
        self.catalog_services = Gauge(
            "freechoice_catalog_services",
            "Services in the catalog this worker matches against.",
            registry=own,
            multiprocess_mode="max",
        )
        self.catalog_active = Gauge(
            "freechoice_catalog_active_services",
            "Active services in the catalog.",
            registry=own,
            multiprocess_mode="max",
        )
        self.catalog_info = Gauge(
            "freechoice_catalog_info",
            "The catalog and rules versions in use (value 1).",
            ["catalog_version", "rules_version"],
            registry=own,
            multiprocess_mode="max",
        )
        self.pool = Gauge(
            "freechoice_db_pool_connections",
            "Database connections: the pool's size and how many are in use.",
            ["state"],
            registry=own,
            multiprocess_mode="livesum",
        )
        self._versions: tuple[str, str] | None = None

    def watch_pool(self, engine: Any) -> None:
        """Count the database connections checked out of ``engine``'s pool as it happens
        (so every worker's number is current, whichever worker is scraped)."""
        from sqlalchemy import event

        size = getattr(engine.pool, "size", None)
        self.pool.labels("size").set(size() if callable(size) else 0)
        checked_out = self.pool.labels("checked_out")
        checked_out.set(0)
        event.listen(engine, "checkout", lambda *_: checked_out.inc())
        event.listen(engine, "checkin", lambda *_: checked_out.dec())

    def observe_state(self, state: Any) -> None:
        """Refresh the catalog gauges from a worker's state (at scrape time)."""
        catalog = state.current_catalog()
        self.catalog_services.set(len(catalog))
        self.catalog_active.set(catalog.active_count())
        versions = (catalog.version, state.rules.version)
        if versions != self._versions:
            if self._versions is not None:
                self.catalog_info.labels(*self._versions).set(0)
            self.catalog_info.labels(*versions).set(1)
            self._versions = versions

    def render(self) -> bytes:
        """The text exposition format."""
        if self.directory:
            from prometheus_client import multiprocess

            _forget_dead_workers(self.directory)
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=self.directory)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        assert self.registry is not None
        return generate_latest(self.registry)
