"""Audit entries and idempotent creation, shared by the routers."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import Request
from sqlalchemy import delete, insert
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


def audit(
    session: Session,
    who: Principal,
    action: str,
    resource: str,
    resource_id: str | None = None,
    client_ref: str | None = None,
    **detail: Any,
) -> None:
    """Write an append-only audit entry in the caller's transaction (a plain INSERT)."""
    session.execute(
        insert(AuditEntry.__table__),
        [
            {
                "key_id": who.key_id,
                "organization_id": who.organization_id,
                "role": who.role,
                "action": action,
                "resource": resource,
                "resource_id": resource_id,
                "client_ref": client_ref,
                "detail": detail,
                "person_id": who.person_id,
            }
        ],
    )


def audited_read(
    session: Session,
    who: Principal,
    resource: str,
    resource_id: str | None = None,
    client_ref: str | None = None,
    **detail: Any,
) -> None:
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


def _expired(prior: IdempotencyRecord, hours: float) -> bool:
    created = prior.created_at if prior.created_at.tzinfo else prior.created_at.replace(tzinfo=dt.UTC)
    return created < dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)


def _replay(prior: IdempotencyRecord, request: Request, digest: str, location: Callable[[str], str] | None) -> Response:
    """The first response again, if this is the same request; a 422 problem if the key
    was used for another one (IETF Idempotency-Key draft: never replay it elsewhere)."""
    if prior.method != request.method or prior.path != request.url.path:
        raise ProblemError(
            422,
            "this Idempotency-Key was already used on another endpoint; use a new key",
            errors=[{"field": "Idempotency-Key", "message": f"used before for {prior.method} {prior.path}"}],
        )
    if prior.request_hash is not None and prior.request_hash != digest:
        raise ProblemError(
            422,
            "this Idempotency-Key was already used with another request body; use a new key",
            errors=[{"field": "Idempotency-Key", "message": "used before with a different body"}],
        )
    return JSONResponse(
        prior.body,
        status_code=prior.status_code,
        headers={"Idempotent-Replayed": "true", **_location(location, prior.status_code, prior.body)},
    )


def create_once(
    request: Request,
    session: Session,
    who: Principal,
    create: Callable[[], tuple[int, Any]],
    location: Callable[[str], str] | None = None,
    stored: Callable[[Any], Any] | None = None,
) -> Response:
    """Run ``create`` in one transaction; with an ``Idempotency-Key`` header, a retry
    returns the first result and creates nothing twice. ``create`` returns the status
    and the body: a dict, or :class:`RawJSON` text already serialised. ``location``
    turns the new resource's id into its path, sent as ``Location`` (a replay too).

    The key is bound to the caller's API key, the endpoint and a SHA-256 of the body: the
    same key with another body or on another endpoint is a 422; it expires after the
    ``idempotency_hours`` setting (then it is a new request); a malformed key is a 400.
    ``stored`` turns the body into what is kept for a retry (and replayed), when the
    first response carries something that must be shown only once (a secret)."""
    key = request.headers.get("idempotency-key")
    if key is not None and not (0 < len(key) <= IDEMPOTENCY_KEY_LENGTH and key.isprintable()):
        # stored as given: a longer key could never match its retry
        raise ProblemError(
            400,
            "invalid Idempotency-Key",
            errors=[
                {"field": "Idempotency-Key", "message": f"give 1 to {IDEMPOTENCY_KEY_LENGTH} printable characters"}
            ],
        )
    digest = hashlib.sha256(getattr(request, "_body", None) or b"").hexdigest()  # the body FastAPI read
    expired = None
    if key:
        prior = session.get(IdempotencyRecord, (who.key_id, key))
        if prior is not None:
            if not _expired(prior, request.app.state.freechoice.settings.idempotency_hours):
                return _replay(prior, request, digest, location)
            expired = prior
            session.expunge(prior)  # its row goes below; a new record takes its key
    try:
        with write_transaction(session):  # ends the read-only transaction the checks above opened
            if expired is not None:
                session.execute(
                    delete(IdempotencyRecord).where(
                        IdempotencyRecord.key_id == who.key_id, IdempotencyRecord.key == key
                    )
                )
            status, body = create()
            if key:
                session.add(
                    IdempotencyRecord(
                        key_id=who.key_id,
                        key=key,
                        method=request.method,
                        request_hash=digest,
                        path=request.url.path,
                        status_code=status,
                        body=body if stored is None else stored(body),
                    )
                )
    except IntegrityError:
        session.rollback()
        if key:
            prior = session.get(IdempotencyRecord, (who.key_id, key))
            if prior is not None:
                return _replay(prior, request, digest, location)
        raise
    headers = _location(location, status, body)
    if isinstance(body, RawJSON):
        return Response(body.encode(), status_code=status, media_type="application/json", headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)
