"""Services: partners register, update (ETag / If-Match), change capacity and deactivate
their own; every change is versioned with who and when.

Every service as read says whether it is offered: ``organization_active`` (false while
an admin has its organisation deactivated) and ``offered`` (the service is active and
its organisation is too); ``?offered=`` selects by it. The ETag of a read moves with
the organisation's state too (``"3"``, ``"3-organization-inactive"``), so a cached copy
is not served as offered after a deactivation; either ETag of the version is taken by
``If-Match``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import and_, cast, exists, func, not_, select
from sqlalchemy.dialects.postgresql import JSONB
from starlette.responses import Response

from freechoice.catalog import Capacity, CatalogError, Service
from freechoice.catalog.db import bump_revision, save_service, write_transaction
from freechoice.catalog.db.tables import OrganizationRow, ServiceRow, ServiceVersion
from freechoice.catalog.index import graph_facts
from freechoice.engine import check_service

from ..auth import Principal
from ..conditional import ETAG, NOT_MODIFIED, IfNoneMatch, not_modified
from ..deps import Caller, DbSession, State, require_role
from ..pagination import PageRequest, Paging, page_of
from ..params import IdQuery, PathId
from ..problems import ProblemError, pydantic_problem
from ..records import audit, create_once
from ..schemas import ServiceRecord, ServiceVersionRecord, ServiceWrite
from ..times import rfc3339

__all__ = ["SERVICE_READ_ONLY", "router"]

#: what a read adds to the stored service (a write takes none of these back)
SERVICE_READ_ONLY = ("version", "updated_at", "updated_by", "organization_active", "offered")

router = APIRouter(tags=["services"])
Writer = Annotated[Principal, Depends(require_role("partner", "admin"))]
IfMatch = Annotated[str | None, Header(max_length=64, description="The ETag you last read; required for changes")]


class CapacityUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "waitlist", "full"]
    until: str | None = Field(
        default=None, max_length=32, description="Full or waitlisted until this date (YYYY-MM-DD)."
    )
    available: int | None = Field(default=None, strict=True, ge=0, le=1_000_000_000)
    maximum: int | None = Field(default=None, strict=True, ge=0, le=1_000_000_000)


_INACTIVE_ORG = "-organization-inactive"


def _etag(row: ServiceRow, organization_active: bool = True) -> str:
    return f'"{row.version}"' if organization_active else f'"{row.version}{_INACTIVE_ORG}"'


def _organization_active(db: Any, org_id: str) -> bool:
    """The organisation is not deactivated (an unknown one counts as active: nothing stops it)."""
    at = db.scalar(select(OrganizationRow.deactivated_at).where(OrganizationRow.id == org_id))
    return at is None


def _visible(row: ServiceRow | None, who: Principal) -> ServiceRow:
    if row is None or (who.role == "partner" and row.organization_id != who.organization_id):
        raise ProblemError(404, "no such service")
    return row


def _marks(status: str, organization_active: bool) -> dict[str, bool]:
    return {"organization_active": organization_active, "offered": status == "active" and organization_active}


def _body(row: ServiceRow, organization_active: bool) -> dict[str, Any]:
    return {
        **row.data,
        "version": row.version,
        "updated_at": rfc3339(row.updated_at),
        "updated_by": row.updated_by,
        **_marks(row.status, organization_active),
    }


def _stored(sent: ServiceWrite) -> Service:
    return sent.stored()


def _check_write(service: Service, who: Principal) -> None:
    if who.role == "partner" and service.organization_id != who.organization_id:
        raise ProblemError(
            403,
            "partners register services for their own organisation only",
            errors=[{"field": "organization_id", "message": f"must be {who.organization_id}"}],
        )


def _precondition(row: ServiceRow, if_match: str | None) -> None:
    if if_match is None:
        raise ProblemError(428, "send If-Match with the ETag you last read", etag=_etag(row))
    if if_match.strip() not in (_etag(row), _etag(row, False), "*"):
        raise ProblemError(412, "the service changed since you read it; read it again", etag=_etag(row))


SERVICES = Paging("services", keys=(str,))
VERSIONS = Paging("service-versions", keys=(int,))


def _has_kind(db: Any, kind: str) -> Any:
    """A condition: the service lists ``kind`` (the kinds live in the stored JSON)."""
    if db.get_bind().dialect.name == "postgresql":
        return cast(ServiceRow.data["kinds"], JSONB).contains([kind])
    kinds = func.json_each(ServiceRow.data, "$.kinds").table_valued("value")
    return exists(select(kinds.c.value).where(kinds.c.value == kind))


@router.get(
    "/services",
    response_model=None,
    responses=page_of(ServiceRecord, "Services in id order"),
    summary="List services (partners: their own; others: all), each saying whether it is offered",
)
def list_services(
    who: Caller,
    db: DbSession,
    page: Annotated[PageRequest, Depends(SERVICES.dependency)],
    organization_id: IdQuery | None = None,
    kind: IdQuery | None = None,
    status: Literal["active", "inactive"] | None = None,
    offered: Annotated[
        bool | None,
        Query(
            description="true: only services offered now (active, and their organisation not deactivated); "
            "false: only the others."
        ),
    ] = None,
) -> Response:
    q = select(ServiceRow, OrganizationRow.deactivated_at).outerjoin(
        OrganizationRow, OrganizationRow.id == ServiceRow.organization_id
    )
    if who.role == "partner":
        q = q.where(ServiceRow.organization_id == who.organization_id)
    if organization_id:
        q = q.where(ServiceRow.organization_id == organization_id)
    if status:
        q = q.where(ServiceRow.status == status)
    if kind:
        q = q.where(_has_kind(db, kind))
    if offered is not None:
        now_offered = and_(ServiceRow.status == "active", OrganizationRow.deactivated_at.is_(None))
        q = q.where(now_offered if offered else not_(now_offered))
    rows = list(db.execute(page.apply(q, ServiceRow.id)))  # the page and one row more, nothing else
    return page.respond(rows, key=lambda r: (r[0].id,), item=lambda r: _body(r[0], r[1] is None))


@router.get(
    "/services/{service_id}",
    response_model=None,
    responses={
        200: {"model": ServiceRecord, "description": "The service (its version is the ETag)", "headers": ETAG},
        304: NOT_MODIFIED,
    },
    summary="One service, with its ETag (If-None-Match: 304 while unchanged)",
)
def get_service(
    service_id: PathId, who: Caller, db: DbSession, request: Request, if_none_match: IfNoneMatch = None
) -> Response:
    row = _visible(db.get(ServiceRow, service_id), who)
    active = _organization_active(db, row.organization_id)
    etag = _etag(row, active)
    return not_modified(request, etag) or JSONResponse(_body(row, active), headers={"ETag": etag})


@router.get(
    "/services/{service_id}/versions",
    response_model=None,
    responses=page_of(ServiceVersionRecord, "Oldest first"),
    summary="Every version of a service: who changed what, when",
)
def service_versions(
    service_id: PathId, who: Caller, db: DbSession, page: Annotated[PageRequest, Depends(VERSIONS.dependency)]
) -> Response:
    _visible(db.get(ServiceRow, service_id), who)
    q = select(ServiceVersion).where(ServiceVersion.service_id == service_id)
    rows = list(db.scalars(page.apply(q, ServiceVersion.version)))
    return page.respond(
        rows,
        key=lambda v: (v.version,),
        item=lambda v: {
            "version": v.version,
            "change": v.change,
            "changed_at": rfc3339(v.changed_at),
            "changed_by": v.changed_by,
            "data": v.data,
        },
    )


@router.post(
    "/services",
    status_code=201,
    response_model=None,
    responses={201: {"model": ServiceRecord, "description": "The service as stored"}},
    summary="Register a service (partner: own organisation; admin: any)",
)
def create_service(sent: ServiceWrite, request: Request, who: Writer, db: DbSession, state: State) -> JSONResponse:
    service = _stored(sent)
    _check_write(service, who)
    catalog = state.current_catalog(force=True)
    try:
        catalog.organization(service.organization_id)  # one record, not every organisation
    except CatalogError:
        raise ProblemError(
            422, "unknown organization", errors=[{"field": "organization_id", "message": "no such organization"}]
        ) from None
    check_service(catalog, service)

    def create():
        if db.get(ServiceRow, service.id) is not None:
            raise ProblemError(409, f"service {service.id!r} exists; update it with PUT")
        save_service(db, service, who.key_id, "create")
        audit(db, who, "create", "service", service.id)
        active = _organization_active(db, service.organization_id)
        return 201, {**service.model_dump(mode="json"), "version": 1, **_marks(service.status, active)}

    response = create_once(request, db, who, create, location=lambda id_: f"/services/{id_}")
    state.current_catalog(force=True)
    if response.status_code == 201:
        response.headers["ETag"] = '"1"'
    return response


def _write(
    service_id: str, who: Principal, db: Any, state: Any, if_match: str | None, change: str, make: Any
) -> JSONResponse:
    with write_transaction(db):
        row = _visible(db.get(ServiceRow, service_id, with_for_update=True), who)
        _precondition(row, if_match)
        current = Service.model_validate(row.data)
        new = make(current)
        _check_write(new, who)
        if new.status == "active" and graph_facts(new) != graph_facts(current):
            # the referral graph can change: check for cycles against the catalog as it is now
            # (a capacity change, new words or a deactivation leave it as it was: acyclic)
            check_service(state.current_catalog(force=True), new)
        revision = bump_revision(db)
        version = save_service(db, new, who.key_id, change, revision)
        audit(db, who, change, "service", service_id, version=version)
        active = _organization_active(db, new.organization_id)
    state.applied_write(new, revision)
    body = {**new.model_dump(mode="json"), "version": version, **_marks(new.status, active)}
    return JSONResponse(body, headers={"ETag": f'"{version}"' if active else f'"{version}{_INACTIVE_ORG}"'})


@router.put(
    "/services/{service_id}",
    response_model=None,
    responses={200: {"model": ServiceRecord, "description": "The service as stored"}},
    summary="Replace a service (If-Match required; 412 if stale)",
)
def update_service(
    service_id: PathId,
    sent: ServiceWrite,
    who: Writer,
    db: DbSession,
    state: State,
    if_match: IfMatch = None,
) -> JSONResponse:
    service = _stored(sent)
    if service.id != service_id:
        raise ProblemError(
            422, "the body's id must match the path", errors=[{"field": "id", "message": f"expected {service_id}"}]
        )
    return _write(service_id, who, db, state, if_match, "update", lambda _current: service)


@router.patch(
    "/services/{service_id}/capacity",
    response_model=None,
    responses={200: {"model": ServiceRecord, "description": "The service as stored"}},
    summary="Change capacity (open / waitlist / full)",
)
def update_capacity(
    service_id: PathId, body: CapacityUpdate, who: Writer, db: DbSession, state: State, if_match: IfMatch = None
) -> JSONResponse:
    import datetime as dt

    try:
        capacity = Capacity.model_validate(
            {**body.model_dump(exclude_none=True), "updated": dt.date.today().isoformat()}
        )
    except ValidationError as err:
        raise pydantic_problem(err, "capacity") from None
    return _write(
        service_id,
        who,
        db,
        state,
        if_match,
        "capacity",
        lambda current: current.model_copy(update={"capacity": capacity}),
    )


@router.post(
    "/services/{service_id}/deactivate",
    response_model=None,
    responses={200: {"model": ServiceRecord, "description": "The service as stored"}},
    summary="Deactivate a service (kept, no longer offered)",
)
def deactivate_service(
    service_id: PathId, who: Writer, db: DbSession, state: State, if_match: IfMatch = None
) -> JSONResponse:
    return _write(
        service_id,
        who,
        db,
        state,
        if_match,
        "deactivate",
        lambda current: current.model_copy(update={"status": "inactive"}),
    )
