"""Organisations and their API keys."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization, write_transaction
from freechoice.catalog.db.tables import ApiKey, OrganizationRow

from ..auth import Principal, create_key
from ..deps import Caller, DbSession, State, require_role
from ..params import PathId
from ..problems import ProblemError
from ..records import audit, create_once

__all__ = ["router"]

router = APIRouter(tags=["organizations"])
Admin = Annotated[Principal, Depends(require_role("admin"))]


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization_id: str = Field(max_length=128)
    role: Literal["admin", "caseworker", "partner"]
    label: str = Field(default="", max_length=200)


class KeyPublic(BaseModel):
    id: str
    organization_id: str
    role: str
    label: str
    created_at: str
    revoked: bool


@router.get("/organizations", summary="List organisations")
def list_organizations(_: Caller, db: DbSession) -> list[dict]:
    return [r.data for r in db.scalars(select(OrganizationRow).order_by(OrganizationRow.id))]


@router.get("/organizations/{org_id}", summary="One organisation")
def get_organization(org_id: PathId, _: Caller, db: DbSession) -> dict:
    row = db.get(OrganizationRow, org_id)
    if row is None:
        raise ProblemError(404, f"no organization {org_id!r}")
    return row.data


@router.post("/organizations", status_code=201, summary="Register an organisation (admin)")
def create_organization(org: Organization, request: Request, who: Admin, db: DbSession, state: State):
    def create():
        if db.get(OrganizationRow, org.id) is not None:
            raise ProblemError(409, f"organization {org.id!r} exists")
        save_organization(db, org, who.key_id)
        audit(db, who, "create", "organization", org.id)
        return 201, org.model_dump(mode="json")

    response = create_once(request, db, who, create)
    state.current_catalog(force=True)
    return response


@router.put("/organizations/{org_id}", summary="Update an organisation (admin)")
def update_organization(org_id: PathId, org: Organization, who: Admin, db: DbSession, state: State) -> dict:
    if org.id != org_id:
        raise ProblemError(422, "the body's id must match the path", errors=[{"field": "id", "message": f"expected {org_id}"}])
    with write_transaction(db):
        if db.get(OrganizationRow, org_id) is None:
            raise ProblemError(404, f"no organization {org_id!r}")
        save_organization(db, org, who.key_id)
        audit(db, who, "update", "organization", org_id)
    state.current_catalog(force=True)
    return org.model_dump(mode="json")


@router.post("/keys", status_code=201, tags=["keys"], summary="Create an API key (admin); the key is shown once")
def create_api_key(body: KeyCreate, request: Request, who: Admin, db: DbSession):
    def create():
        if db.get(OrganizationRow, body.organization_id) is None:
            raise ProblemError(404, f"no organization {body.organization_id!r}")
        key_id, token = create_key(db, body.organization_id, body.role, label=body.label, created_by=who.key_id)
        audit(db, who, "create", "key", key_id, role_created=body.role)
        return 201, {"id": key_id, "key": token, "organization_id": body.organization_id, "role": body.role,
                     "note": "Store this key now: it is shown only once."}

    return create_once(request, db, who, create)


@router.get("/keys", tags=["keys"], summary="List API keys (admin); secrets are never shown")
def list_keys(_: Admin, db: DbSession) -> list[KeyPublic]:
    return [
        KeyPublic(id=k.id, organization_id=k.organization_id, role=k.role, label=k.label,
                  created_at=k.created_at.isoformat(), revoked=k.revoked_at is not None)
        for k in db.scalars(select(ApiKey).order_by(ApiKey.created_at))
    ]


@router.delete("/keys/{key_id}", tags=["keys"], status_code=204, summary="Revoke an API key (admin)")
def revoke_key(key_id: PathId, who: Admin, db: DbSession, state: State) -> None:
    import datetime as dt

    with write_transaction(db):
        row = db.get(ApiKey, key_id)
        if row is None:
            raise ProblemError(404, f"no key {key_id!r}")
        row.revoked_at = dt.datetime.now(dt.timezone.utc)
        audit(db, who, "revoke", "key", key_id)
    state.keys.forget(key_id)
