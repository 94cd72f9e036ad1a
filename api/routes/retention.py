"""Retention per organisation: how many days its option lists and assessments are kept."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from freechoice.catalog.db import write_transaction
from freechoice.catalog.db.tables import OrganizationRow

from ..auth import Principal
from ..deps import DbSession, State, require_role
from ..params import PathId
from ..problems import ProblemError
from ..records import audit
from ..reports import Retention

__all__ = ["router"]

router = APIRouter(tags=["retention"])
Admin = Annotated[Principal, Depends(require_role("admin"))]
Reader = Annotated[Principal, Depends(require_role("admin", "caseworker"))]


class RetentionSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int | None = Field(
        ge=0, le=36_500, strict=True, description="Days to keep (0: until erased; null: the service default)"
    )


def _view(row: OrganizationRow, default: int) -> dict[str, Any]:
    days = row.retention_days
    return {
        "organization_id": row.id,
        "retention_days": days,
        "service_default_days": default,
        "effective_days": default if days is None else days,
    }


@router.get(
    "/organizations/{org_id}/retention",
    response_model=None,
    responses={200: {"model": Retention, "description": "The retention in force"}},
    summary="How long an organisation's client records are kept",
)
def get_retention(org_id: PathId, who: Reader, db: DbSession, state: State) -> dict[str, Any]:
    row = db.get(OrganizationRow, org_id)
    if row is None or (who.role != "admin" and who.organization_id != org_id):
        raise ProblemError(404, f"no organization {org_id!r}")
    return _view(row, state.settings.retention_days)


@router.put(
    "/organizations/{org_id}/retention",
    response_model=None,
    responses={200: {"model": Retention, "description": "The retention in force"}},
    summary="Set how long an organisation's client records are kept (admin)",
)
def set_retention(org_id: PathId, body: RetentionSet, who: Admin, db: DbSession, state: State) -> dict[str, Any]:
    with write_transaction(db):
        row = db.get(OrganizationRow, org_id, with_for_update=True)
        if row is None:
            raise ProblemError(404, f"no organization {org_id!r}")
        row.retention_days = body.days
        audit(db, who, "update", "retention", org_id, days=body.days)
    return _view(row, state.settings.retention_days)
