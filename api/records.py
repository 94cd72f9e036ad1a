"""Audit entries and idempotent creation, shared by the routers."""

from __future__ import annotations

from typing import Any, Callable

import orjson
from fastapi import Request
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.responses import Response

from freechoice.catalog.db import RawJSON, write_transaction
from freechoice.catalog.db.tables import AuditEntry, IdempotencyRecord

from .auth import Principal
from .problems import ProblemError
from .responses import FastJSONResponse as JSONResponse

__all__ = ["IDEMPOTENCY_KEY_LENGTH", "audit", "audited_read", "create_once"]

IDEMPOTENCY_KEY_LENGTH = 128  # the column's length


def audit(session: Session, who: Principal, action: str, resource: str, resource_id: str | None = None,
          client_ref: str | None = None, **detail: Any) -> None:
    """Write an append-only audit entry in the caller's transaction (a plain INSERT)."""
    session.execute(insert(AuditEntry.__table__), [{
        "key_id": who.key_id, "organization_id": who.organization_id, "role": who.role, "action": action,
        "resource": resource, "resource_id": resource_id, "client_ref": client_ref, "detail": detail,
    }])


def audited_read(session: Session, who: Principal, resource: str, resource_id: str | None = None,
                 client_ref: str | None = None, **detail: Any) -> None:
    """Record a read of client data, committed at once (in a write transaction of its
    own: the read transaction that found the data ends first)."""
    with write_transaction(session):
        audit(session, who, "read", resource, resource_id, client_ref, **detail)


def _location(location: Callable[[str], str] | None, status: int, body: Any) -> dict[str, str]:
    """The ``Location`` header of a 201: where the new resource (the body's ``id``) lives."""
    if location is None or status != 201:
        return {}
    if isinstance(body, (str, bytes)):
        body = orjson.loads(body.encode() if isinstance(body, str) else body)
    return {"Location": location(str(body["id"]))}


def create_once(request: Request, session: Session, who: Principal,
                create: Callable[[], tuple[int, Any]], location: Callable[[str], str] | None = None) -> Response:
    """Run ``create`` in one transaction; with an ``Idempotency-Key`` header, a retry
    returns the first result and creates nothing twice. ``create`` returns the status
    and the body: a dict, or :class:`RawJSON` text already serialised. ``location``
    turns the new resource's id into its path, sent as ``Location`` (a replay too)."""
    key = request.headers.get("idempotency-key")
    if key is not None and not (0 < len(key) <= IDEMPOTENCY_KEY_LENGTH and key.isprintable()):
        # stored as given: a longer key could never match its retry
        raise ProblemError(422, "invalid Idempotency-Key", errors=[{
            "field": "Idempotency-Key", "message": f"give 1 to {IDEMPOTENCY_KEY_LENGTH} printable characters"}])
    if key:
        prior = session.get(IdempotencyRecord, (who.key_id, key))
        if prior is not None:
            return JSONResponse(prior.body, status_code=prior.status_code,
                                headers={"Idempotent-Replayed": "true", **_location(location, prior.status_code, prior.body)})
    try:
        with write_transaction(session):  # ends the read-only transaction the checks above opened
            status, body = create()
            if key:
                session.add(IdempotencyRecord(key_id=who.key_id, key=key, method=request.method,
                                              path=request.url.path, status_code=status, body=body))
    except IntegrityError:
        session.rollback()
        if key:
            prior = session.get(IdempotencyRecord, (who.key_id, key))
            if prior is not None:
                return JSONResponse(prior.body, status_code=prior.status_code,
                                headers={"Idempotent-Replayed": "true", **_location(location, prior.status_code, prior.body)})
        raise
    headers = _location(location, status, body)
    if isinstance(body, RawJSON):
        return Response(body.encode(), status_code=status, media_type="application/json", headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)
