"""Erasure on request: everything held about one client, gone in one transaction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from freechoice.catalog.db import write_transaction
from freechoice.catalog.db.erasure import erase_client

from ..auth import Principal
from ..deps import DbSession, require_role
from ..problems import ProblemError
from ..records import audit
from ..reports import Erasure

__all__ = ["router"]

router = APIRouter(tags=["clients"])
Eraser = Annotated[Principal, Depends(require_role("caseworker", "admin"))]


@router.delete(
    "/clients/{client_ref}",
    response_model=None,
    responses={200: {"model": Erasure, "description": "What was removed, by kind of record"}},
    summary="Erase one client's data (caseworker of the owning organisation, or admin)",
    description="Removes the client's assessments, option lists, choices, referrals with their histories and "
    "stored idempotent responses; unlinks their feedback (the rating stays, anonymous, without their words); "
    "audit entries about them no longer name them. One audit entry records the erasure, without personal data.",
)
def erase(
    who: Eraser,
    db: DbSession,
    client_ref: Annotated[str, Path(min_length=1, max_length=64)],
    organization_id: Annotated[
        str | None, Query(max_length=128, description="The client's organisation (admin: required)")
    ] = None,
) -> dict[str, Any]:
    if who.role == "admin":
        if not organization_id:
            raise ProblemError(
                422,
                "an admin names the client's organisation",
                errors=[{"field": "organization_id", "message": "required for an admin key"}],
            )
        org = organization_id
    else:
        if organization_id and organization_id != who.organization_id:
            raise ProblemError(404, "no data held for this client")
        org = who.organization_id
    with write_transaction(db):
        removal = erase_client(db, org, client_ref)
        if not removal.total:
            raise ProblemError(404, "no data held for this client (already erased, or never recorded here)")
        audit(db, who, "erase", "client", None, None, organization=org, **removal.counts())
    return {"organization_id": org, "erased": removal.counts()}
