"""``freechoice serve``: the HTTP API under uvicorn."""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os
import time
from typing import Annotated

import typer

__all__ = ["register"]

_WORKER_MODULES = (
    "anyio._backends._asyncio",
    "fastapi_offline",
    "uvicorn.lifespan.on",
    "uvicorn.loops.auto",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.websockets.auto",
)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (gunicorn with uvicorn workers when more than one).")
    ] = 1,
    sample: Annotated[
        bool, typer.Option("--sample", help="Load the fictional sample catalog into an empty database.")
    ] = False,
) -> None:
    """Serve the API (OpenAPI docs at /docs). The database is created and migrated on first start."""
    if workers > 1:
        # What the parent builds before the fork (the imports, the catalog) lives as long
        # as the workers and is shared with them: no collections meanwhile (they would
        # walk it all again and again, and free holes in pages the workers share), frozen
        # before the fork, collected again after it (the way the gc module's
        # documentation gives for a process that forks).
        gc.disable()
    import uvicorn

    from freechoice.api.logs import configure_logging, dict_config
    from freechoice.api.settings import Settings
    from freechoice.catalog.db import Database

    if sample:
        os.environ["FREECHOICE_LOAD_SAMPLE"] = "true"
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)  # this process's lines are JSON too
    if settings.data_key is None:
        logging.getLogger("freechoice.serve").warning(
            "FREECHOICE_DATA_KEY is not set: client data (needs, fears, choices, referrals, feedback) "
            "is stored UNENCRYPTED. Make a key with `freechoice db generate-key`, set FREECHOICE_DATA_KEY and "
            "run `freechoice db rotate-key --yes` to encrypt what is stored."
        )
    if settings.auto_migrate:  # off where a separate step migrates (compose.yaml's `migrate`)
        Database(settings.database_url, data_key=settings.key_setting()).upgrade()
    if sample:
        from freechoice.api.state import AppState

        AppState(settings).close()  # loads the sample once, before workers start
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
    logging.getLogger("freechoice.serve").info(
        "open http://%s:%s/web/ (the workspace; make the first admin with `freechoice accounts create`); "
        "API docs at http://%s:%s/docs",
        shown,
        port,
        shown,
        port,
    )
    if workers == 1:
        config = uvicorn.Config("freechoice.api.app:create_app", factory=True, host=host, port=port, log_level="info")
        uvicorn.Server(config).run()
    else:
        from freechoice.api.app import create_app
        from freechoice.api.server import GunicornServer
        from freechoice.api.state import preload_catalog

        # what every worker's app imports (the routes, built as they are imported, and
        # the pages), imported once here before the fork instead of once per worker
        importlib.import_module("freechoice.api.routes")
        importlib.import_module("freechoice.api.web")
        # and what each worker imports as it starts serving (uvicorn's protocols and
        # loop, anyio's asyncio backend, the offline docs pages)
        for name in _WORKER_MODULES:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)

        # the catalog loaded and tagged once, here, before the fork: workers start at once
        # and share it (plain data only crosses the fork; each worker catches up on start)
        # (in-database retrieval holds no catalog: nothing to preload)
        preload = settings.preload_catalog and settings.catalog_retrieval == "memory"
        imports_cpu = time.process_time()  # the interpreter, the imports and the migration check
        preloaded = preload_catalog(settings) if preload else None
        # what the start cost this process (CPU seconds: wall time is that over the share
        # of a core it gets), before the workers are forked
        logging.getLogger("freechoice.serve").info(
            "workers starting",
            extra={
                "workers": workers,
                "cpu_seconds": round(time.process_time(), 3),
                "imports_cpu_seconds": round(imports_cpu, 3),
            },
        )
        gc.freeze()  # (the catalog, when preloaded, is frozen already)
        gc.enable()  # (paused above) for what the arbiter and the workers make from now on
        # the arbiter's own lines in the same format as the workers' (JSON by default)
        GunicornServer(
            lambda: create_app(preloaded=preloaded),
            bind=f"{host}:{port}",
            workers=workers,
            logconfig_dict=dict_config(settings.log_format, settings.log_level),
        ).run()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
