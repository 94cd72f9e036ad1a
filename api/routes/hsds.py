"""Open Referral HSDS 3.1 over HTTP: import a directory; read services shaped like the
HSDS API (paged)."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy import func, select

from freechoice.catalog import Catalog, Service
from freechoice.catalog.db import import_catalog
from freechoice.catalog.db.tables import ServiceRow
from freechoice.catalog.hsds import export_service, hsds_id, parse_hsds
from freechoice.engine import ReferralGraph

from ..auth import Principal
from ..deps import Caller, DbSession, State, require_role
from ..problems import ProblemError
from ..records import audit

__all__ = ["router"]

router = APIRouter(prefix="/hsds", tags=["hsds"])
Writer = Annotated[Principal, Depends(require_role("partner", "admin"))]


@router.post("/import", summary="Import HSDS 3.1 JSON (partner: own organisation only; admin: any)")
def import_hsds(
    who: Writer, db: DbSession, state: State,
    document: Annotated[Any, Body(description="A list of HSDS services with nested objects, or an object with "
                                               "'organizations' and 'services' (as GET exports produce).")],
) -> dict[str, Any]:
    parsed = parse_hsds(document)
    if who.role == "partner":
        named = {s.organization_id for s in parsed.services} | {o.id for o in parsed.organizations}
        foreign = sorted(named - {who.organization_id})
        if foreign:
            raise ProblemError(403, "partners import their own organisation's services only",
                               errors=[{"field": "organization_id", "message": f"not yours: {', '.join(foreign)}"}])
    current = state.current_catalog(force=True)
    merged = {s.id: s for s in current}
    merged.update({s.id: s for s in parsed.services})
    orgs = {**current.organizations, **{o.id: o for o in parsed.organizations}}
    ReferralGraph(Catalog(orgs.values(), merged.values()))  # raises on a cycle, before anything is written
    with db.begin():
        summary = import_catalog(db, parsed.organizations, parsed.services, actor=who.key_id)
        audit(db, who, "import", "hsds", None, created=summary.created, updated=summary.updated, unchanged=summary.unchanged)
    state.current_catalog(force=True)
    return {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged, **parsed.report()}


def _query(who: Principal):  # type: ignore[no-untyped-def]
    q = select(ServiceRow)
    if who.role == "partner":
        q = q.where(ServiceRow.organization_id == who.organization_id)
    return q


@router.get("/services", summary="Services as HSDS 3.1, paged like the HSDS API")
def list_services(who: Caller, db: DbSession, page: Annotated[int, Query(ge=1)] = 1,
                  per_page: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    total = db.scalar(select(func.count()).select_from(_query(who).subquery())) or 0
    rows = db.scalars(_query(who).order_by(ServiceRow.id).offset((page - 1) * per_page).limit(per_page))
    pages = max(1, math.ceil(total / per_page))
    contents = [export_service(Service.model_validate(r.data)) for r in rows]
    return {"total_items": total, "total_pages": pages, "page_number": page, "size": len(contents),
            "first_page": page == 1, "last_page": page >= pages, "empty": not contents, "contents": contents}


def _by_uuid(state: Any, hsds_uuid: str) -> str | None:
    """The freechoice id for an HSDS service UUID (a map rebuilt once per catalog version)."""
    catalog = state.current_catalog()
    cached = getattr(state, "hsds_ids", None)
    if cached is None or cached[0] != catalog.version:
        cached = (catalog.version, {hsds_id("service", s.id): s.id for s in catalog})
        state.hsds_ids = cached
    return cached[1].get(hsds_uuid)  # type: ignore[no-any-return]


@router.get("/services/{service_id}", summary="One service as HSDS 3.1 (HSDS uuid or freechoice id)")
def get_service(service_id: str, who: Caller, db: DbSession, state: State) -> dict[str, Any]:
    row = db.get(ServiceRow, service_id)
    if row is None:
        sid = _by_uuid(state, service_id)
        row = db.get(ServiceRow, sid) if sid else None
    if row is None or (who.role == "partner" and row.organization_id != who.organization_id):
        raise ProblemError(404, "no such service")
    return export_service(Service.model_validate(row.data))
