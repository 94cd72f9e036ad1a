"""For operators and their monitoring: liveness, readiness and Prometheus metrics.
No API key is needed and nothing about clients is shown."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ..deps import State
from ..metrics import CONTENT_TYPE_LATEST
from ..problems import problem
from ..readiness import DatabaseProbe
from ..reports import Liveness, Readiness

__all__ = ["router"]

router = APIRouter(tags=["service"])


@router.get(
    "/healthz",
    response_model=None,
    responses={200: {"model": Liveness, "description": "Alive"}},
    summary="Alive: the process answers (no database work)",
)
async def healthz() -> dict[str, str]:
    return {"status": "alive"}


@router.get(
    "/readyz",
    summary="Ready: the database answers with its schema and the catalog is loaded (503 otherwise)",
    response_model=None,
    responses={
        200: {"model": Readiness, "description": "Ready"},
        503: {"description": "Not ready; `checks` names what failed"},
    },
)
def readyz(request: Request, state: State) -> Any:
    probe = getattr(request.app.state, "readiness", None)
    if probe is None:
        probe = request.app.state.readiness = DatabaseProbe(state.db, state.settings.ready_timeout_seconds)
    checks = {"database": probe.check()}  # bounded: an unreachable database is a quick 503
    if checks["database"] != "ok":
        # bringing the catalog up to date would wait on the same database, without a bound
        checks["catalog"] = "not checked: the database is not ready"
    else:
        try:
            catalog = state.current_catalog()  # loaded, and brought up to date from the database
            checks["catalog"] = "ok"
        except Exception as err:  # noqa: BLE001 - any failure means "not ready"; the reason is reported
            checks["catalog"] = f"not loaded: {type(err).__name__}"
    if any(v != "ok" for v in checks.values()):
        return problem(
            503, "not ready: " + "; ".join(f"{k} {v}" for k, v in checks.items() if v != "ok"), checks=checks
        )
    return {
        "status": "ready",
        "checks": checks,
        "catalog_version": catalog.version,
        "services": len(catalog),
        "rules_version": state.rules.version,
        "catalog_retrieval": state.settings.catalog_retrieval,
    }


@router.get(
    "/metrics",
    summary="Prometheus metrics (text exposition format)",
    response_class=Response,
    responses={200: {"description": "The metrics", "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
)
def metrics(request: Request, state: State) -> Response:
    metrics = request.app.state.metrics
    metrics.observe_state(state)
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
