"""Organisations and their API keys."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.responses import Response

from freechoice.catalog import Organization
from freechoice.catalog.db import bump_revision, save_organization, write_transaction
from freechoice.catalog.db.tables import ApiKey, OrganizationRow

from ..auth import Principal, active_admin_keys, bump_access_revision, create_key
from ..deps import Caller, DbSession, State, require_role
from ..pagination import PageRequest, Paging, page_of
from ..params import PathId
from ..problems import ProblemError
from ..records import audit, create_once
from ..schemas import KeyCreated, KeyPublic, OrganizationStatus
from ..times import rfc3339

__all__ = ["router"]

router = APIRouter(tags=["organizations"])
Admin = Annotated[Principal, Depends(require_role("admin"))]


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization_id: str = Field(max_length=128)
    role: Literal["admin", "caseworker", "partner"]
    label: str = Field(default="", max_length=200)


ORGANIZATIONS = Paging("organizations", keys=(str,))
KEYS = Paging("keys", keys=(dt.datetime, str))


LAST_ADMIN = (
    "this would leave no working admin key: create an admin key in another active organization first, then try again"
)


@router.get(
    "/organizations",
    response_model=None,
    responses=page_of(Organization, "In id order"),
    summary="List organisations",
)
def list_organizations(
    _: Caller, db: DbSession, page: Annotated[PageRequest, Depends(ORGANIZATIONS.dependency)]
) -> Response:
    rows = list(db.scalars(page.apply(select(OrganizationRow), OrganizationRow.id)))
    return page.respond(rows, key=lambda r: (r.id,), item=lambda r: r.data)


@router.get(
    "/organizations/{org_id}",
    response_model=None,
    responses={200: {"model": Organization, "description": "The organisation"}},
    summary="One organisation",
)
def get_organization(org_id: PathId, _: Caller, db: DbSession) -> dict:
    row = db.get(OrganizationRow, org_id)
    if row is None:
        raise ProblemError(404, f"no organization {org_id!r}")
    return row.data


@router.post(
    "/organizations",
    status_code=201,
    response_model=None,
    responses={201: {"model": Organization, "description": "As stored"}},
    summary="Register an organisation (admin)",
)
def create_organization(org: Organization, request: Request, who: Admin, db: DbSession, state: State):
    def create():
        if db.get(OrganizationRow, org.id) is not None:
            raise ProblemError(409, f"organization {org.id!r} exists")
        save_organization(db, org, who.key_id)
        audit(db, who, "create", "organization", org.id)
        return 201, org.model_dump(mode="json")

    response = create_once(request, db, who, create, location=lambda id_: f"/organizations/{id_}")
    state.current_catalog(force=True)
    return response


@router.put(
    "/organizations/{org_id}",
    response_model=None,
    responses={200: {"model": Organization, "description": "As stored"}},
    summary="Update an organisation (admin)",
)
def update_organization(org_id: PathId, org: Organization, who: Admin, db: DbSession, state: State) -> dict:
    if org.id != org_id:
        raise ProblemError(
            422, "the body's id must match the path", errors=[{"field": "id", "message": f"expected {org_id}"}]
        )
    with write_transaction(db):
        if db.get(OrganizationRow, org_id) is None:
            raise ProblemError(404, f"no organization {org_id!r}")
        save_organization(db, org, who.key_id)
        audit(db, who, "update", "organization", org_id)
    state.current_catalog(force=True)
    return org.model_dump(mode="json")


@router.post(
    "/keys",
    status_code=201,
    tags=["keys"],
    response_model=None,
    responses={201: {"model": KeyCreated, "description": "The key, shown once"}},
    summary="Create an API key (admin); the key is shown once",
)
def create_api_key(body: KeyCreate, request: Request, who: Admin, db: DbSession):
    def create():
        org = db.get(OrganizationRow, body.organization_id)
        if org is None:
            raise ProblemError(404, f"no organization {body.organization_id!r}")
        if org.deactivated_at is not None:
            raise ProblemError(409, f"organization {body.organization_id!r} is deactivated: activate it first")
        key_id, token = create_key(db, body.organization_id, body.role, label=body.label, created_by=who.key_id)
        audit(db, who, "create", "key", key_id, role_created=body.role)
        return 201, {
            "id": key_id,
            "key": token,
            "organization_id": body.organization_id,
            "role": body.role,
            "note": "Store this key now: it is shown only once.",
        }

    return create_once(request, db, who, create, location=lambda id_: f"/keys/{id_}")


@router.get(
    "/keys",
    tags=["keys"],
    response_model=None,
    responses=page_of(KeyPublic, "Oldest first"),
    summary="List API keys (admin); secrets are never shown",
)
def list_keys(_: Admin, db: DbSession, page: Annotated[PageRequest, Depends(KEYS.dependency)]) -> Response:
    q = select(ApiKey, OrganizationRow.deactivated_at).join(
        OrganizationRow, OrganizationRow.id == ApiKey.organization_id
    )
    rows = list(db.execute(page.apply(q, ApiKey.created_at, ApiKey.id)))
    return page.respond(
        rows,
        key=lambda row: (row[0].created_at, row[0].id),
        item=lambda row: KeyPublic(
            id=row[0].id,
            organization_id=row[0].organization_id,
            role=row[0].role,
            label=row[0].label,
            created_at=rfc3339(row[0].created_at),
            revoked=row[0].revoked_at is not None,
            organization_active=row[1] is None,
        ).model_dump(mode="json"),
    )


@router.delete(
    "/keys/{key_id}",
    tags=["keys"],
    status_code=204,
    summary="Revoke an API key (admin): it stops in every worker within a second; revoking again is a no-op",
)
def revoke_key(key_id: PathId, who: Admin, db: DbSession, state: State) -> None:
    with write_transaction(db):
        row = db.get(ApiKey, key_id)
        if row is None:
            raise ProblemError(404, f"no key {key_id!r}")
        if row.revoked_at is not None:
            return  # already revoked: the same outcome, nothing to record twice
        bump_access_revision(db)  # first: serialises this with every other access change
        if row.role == "admin" and active_admin_keys(db, except_key=key_id) == 0:
            raise ProblemError(409, LAST_ADMIN)
        row.revoked_at = dt.datetime.now(dt.UTC)
        audit(db, who, "revoke", "key", key_id)
    state.keys.forget(key_id)


def _status(row: OrganizationRow) -> OrganizationStatus:
    at = row.deactivated_at
    if at is not None and at.tzinfo is None:  # SQLite gives back naive UTC
        at = at.replace(tzinfo=dt.UTC)
    return OrganizationStatus(id=row.id, active=at is None, deactivated_at=rfc3339(at) if at else None)


@router.post(
    "/organizations/{org_id}/deactivate",
    summary="Deactivate an organisation (admin): its keys stop and its services are no longer offered, in every "
    "worker within a second; its data stay",
)
def deactivate_organization(org_id: PathId, who: Admin, db: DbSession, state: State) -> OrganizationStatus:
    with write_transaction(db):
        row = db.get(OrganizationRow, org_id)
        if row is None:
            raise ProblemError(404, f"no organization {org_id!r}")
        if row.deactivated_at is None:
            bump_access_revision(db)
            if active_admin_keys(db, except_org=org_id) == 0:
                raise ProblemError(409, LAST_ADMIN)
            row.deactivated_at = dt.datetime.now(dt.UTC)
            bump_revision(db)  # a catalog change too: its services are no longer offered, in every worker
            audit(db, who, "deactivate", "organization", org_id)
        status = _status(row)
    state.refresh_access()
    state.current_catalog(force=True)
    return status


@router.post(
    "/organizations/{org_id}/activate",
    summary="Activate a deactivated organisation again (admin): its services are offered again",
)
def activate_organization(org_id: PathId, who: Admin, db: DbSession, state: State) -> OrganizationStatus:
    with write_transaction(db):
        row = db.get(OrganizationRow, org_id)
        if row is None:
            raise ProblemError(404, f"no organization {org_id!r}")
        if row.deactivated_at is not None:
            bump_access_revision(db)
            row.deactivated_at = None
            bump_revision(db)  # its services are offered again, in every worker
            audit(db, who, "activate", "organization", org_id)
        status = _status(row)
    state.refresh_access()
    state.current_catalog(force=True)
    return status
