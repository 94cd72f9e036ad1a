"""The FastAPI app factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from .contract import install_contract
from .docs_pages import install_docs
from .guard import InputGuard
from .logs import configure_logging
from .metrics import Metrics
from .observe import RequestContext
from .problems import install_problem_handlers, problem
from .reports import Health
from .responses import FastJSONResponse
from .retention import Periods, RetentionSchedule, retention_loop
from .settings import Settings
from .state import AppState, Preloaded
from .webhooks import Deliverer, RetryPolicy, webhook_loop

__all__ = ["create_app", "webhook_policy"]

DESCRIPTION = """
freechoice matches a client's ranked needs (21 needs, priority 1-4) and situation against
services registered by partner organisations, and returns **options the client chooses
from**, each explained. The engine proposes; it never assigns.

Authenticate with an API key: `Authorization: Bearer fc_<id>_<secret>`. Roles: `admin`,
`caseworker`, `partner`. Another organisation's objects answer 404. Every 4xx and 5xx is an
RFC 9457 problem document with a `request_id` (also in the `X-Request-ID` header; send
your own to follow a request through the logs). Creating POSTs accept `Idempotency-Key`.
All sample data is fictional.
"""


class BodyLimit:
    """Refuse request bodies above ``limit`` bytes with a 413 problem."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await problem(413, f"request body over {self.limit} bytes")(scope, receive, send)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await problem(413, f"request body over {self.limit} bytes")(scope, receive, send)


class _TooLarge(Exception):
    pass


def webhook_policy(settings: Settings) -> RetryPolicy:
    """The retry schedule the settings describe."""
    return RetryPolicy(
        first_seconds=settings.webhook_retry_first_seconds,
        max_seconds=settings.webhook_retry_max_seconds,
        max_attempts=settings.webhook_max_attempts,
    )


def create_app(settings: Settings | None = None, *, preloaded: Preloaded | None = None) -> FastAPI:
    """Build the app. ``settings`` default to the environment (``FREECHOICE_*``);
    ``preloaded``: the catalog a parent process loaded before forking this worker."""
    settings = settings or Settings()
    configure_logging(settings.log_format, settings.log_level)
    state = AppState(settings, preloaded)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Matching is CPU-bound: one or two threads per worker beat anyio's default of
        # 40, which only contend for the GIL (scale with workers, not threads).
        import anyio.to_thread

        threads = settings.threads or (1 if state.db.is_sqlite else 2)
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        state.start_listening()
        purge = None
        if settings.retention_interval_seconds > 0:
            schedule = RetentionSchedule(
                state.db,
                interval_seconds=settings.retention_interval_seconds,
                default_days=settings.retention_days,
                periods=Periods.of(settings),
            )
            purge = asyncio.create_task(retention_loop(schedule, settings.retention_interval_seconds))
        app.state.retention_task = purge
        deliverer = deliveries = None
        if settings.webhook_delivery:
            deliverer = Deliverer(
                state.db,
                webhook_policy(settings),
                timeout_seconds=settings.webhook_timeout_seconds,
                private_addresses=settings.webhook_private_addresses,
            )
            deliveries = asyncio.create_task(webhook_loop(deliverer, settings.webhook_poll_seconds))
        app.state.webhook_task = deliveries
        try:
            yield
        finally:
            if deliverer is not None and deliveries is not None:
                deliverer.stop.set()  # a batch in flight hands back what it has not sent
                deliveries.cancel()
                with suppress(asyncio.CancelledError):
                    await deliveries
                deliverer.close()
            if purge is not None:
                purge.cancel()
                with suppress(asyncio.CancelledError):
                    await purge
            probe = getattr(app.state, "readiness", None)
            if probe is not None:
                probe.close()
            state.close()

    app = FastAPI(
        title="freechoice",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        default_response_class=FastJSONResponse,
        docs_url=None,
        redoc_url=None,
        servers=[{"url": "/", "description": "The server that serves this document"}],
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
    )
    app.state.freechoice = state
    app.state.metrics = metrics = Metrics(settings.metrics_dir)
    metrics.watch_pool(state.db.engine)
    install_problem_handlers(app)
    install_contract(app)
    install_docs(app)
    from .routes import ROUTERS

    for router in ROUTERS:
        app.include_router(router)
    from .web import install_web

    install_web(app)
    app.add_middleware(InputGuard, other_media=("/hsds/", "/web/"))
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestContext, metrics=metrics, access_log=settings.access_log)

    @app.get(
        "/health",
        tags=["service"],
        response_model=None,
        responses={200: {"model": Health, "description": "Alive"}},
        summary="Alive, with the rules and catalog versions",
    )
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "rules_version": state.rules.version,
            "catalog_version": state.current_catalog().version,
        }

    return app
